"""The sub-navigation of a change's Tests tab: plan and cases, runs and findings, traceability,
acceptance sessions and the test report. A link shows once its URL name exists."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from beheer.changes.models import Change

PAGES: tuple[tuple[str, Promise], ...] = (
    ("change-tests", _("Plan and cases")),
    ("testing-runs", _("Runs and findings")),
    ("testing-matrix", _("Traceability")),
    ("testing-sessions", _("Acceptance")),
    ("testing-report", _("Test report")),
)


@dataclass(frozen=True)
class Link:
    name: str
    label: Promise
    url: str
    current: bool


def tests_nav(change: Change, current: str) -> list[Link]:
    links = []
    for name, label in PAGES:
        try:
            url = reverse(name, args=[change.pk])
        except NoReverseMatch:
            continue
        links.append(Link(name, label, url, name == current))
    return links
