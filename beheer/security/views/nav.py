"""The security pages' sub-navigation: dashboard, measures, statement of applicability, risks,
classification, security incidents, breaches and privacy. A link shows once its URL name exists."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PAGES: tuple[tuple[str, Promise], ...] = (
    ("security-dashboard", _("Overview")),
    ("security-controls", _("Measures")),
    ("security-soa", _("Statement of applicability")),
    ("security-classification", _("Classification")),
    ("security-risks", _("Risks")),
    ("security-incidents", _("Security incidents")),
    ("security-breaches", _("Breach register")),
    ("security-processing", _("Processing register")),
    ("security-retention", _("Retention")),
    ("security-people", _("People's requests")),
    ("security-officers", _("Officers")),
)


@dataclass(frozen=True)
class Link:
    name: str
    label: Promise
    url: str
    current: bool


def security_nav(current: str) -> list[Link]:
    links = []
    for name, label in PAGES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        links.append(Link(name, label, url, name == current))
    return links


def page_context(request: HttpRequest, current: str) -> dict[str, object]:
    """What every security page needs: the sub-navigation with `current` (a URL name of `PAGES`)
    marked. Templates extend "security/base.html"."""
    return {"security_nav": security_nav(current)}
