"""The sub-navigation of a change's Tests tab: plan and cases, runs and findings, traceability,
acceptance sessions and the test report. A link shows once its URL name exists."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from beheer.changes.models import Change
from beheer.changes.tabs import head_context

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


def change_for(request: HttpRequest, pk: int) -> Change:
    """The change `pk` as the signed-in reader may see it (404 otherwise)."""
    change = Change.objects.visible_to(request.user).for_list().filter(pk=pk).first()
    if change is None:
        raise Http404(_("Change not found."))
    return change


def page_context(request: HttpRequest, change: Change, current: str) -> dict[str, object]:
    """What every page of the Tests tab needs: the change's head with its tabs (the Tests tab
    current) and the sub-navigation with `current` (a URL name of `PAGES`) marked. Templates include
    "changes/_change_head.html" and then "testing/_tests_nav.html"."""
    return {
        **head_context(change, "change-tests", request.user),
        "tests_nav": tests_nav(change, current),
    }
