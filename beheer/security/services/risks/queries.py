"""Reads of risks and classification shared by the pages, the API and the exports: the filtered
lists (through `visible_to`), a page of classification rows with each CI's own and suggested
classification, the heat map and the risks overdue for review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from beheer.cmdb.models import CiKind, ConfigurationItem
from beheer.core import clock
from beheer.core.pagination import Page, SortKey

from ...models import CIA_FIELDS, LEVELS, Band, Classification, Risk, RiskStatus
from .inherit import Suggestion, suggestions
from .matrix import current_settings

CI_ORDER = (SortKey("name"), SortKey("id"))
RISK_ORDER = (SortKey("number", descending=True), SortKey("id", descending=True))
RISK_SELECTED = ("owner",)
CLASSIFIED_KINDS = (CiKind.SERVICE, CiKind.SOFTWARE)  # services and applications


class Scope:
    MAIN = "main"  # services and applications
    SERVICES = "services"
    APPLICATIONS = "applications"
    ALL = "all"
    CHOICES = (MAIN, SERVICES, APPLICATIONS, ALL)


@dataclass(frozen=True)
class ClassificationFilter:
    scope: str = Scope.MAIN
    state: str = ""  # "classified", "unclassified" or ""
    q: str = ""


def classification_cis(user: Any, flt: ClassificationFilter) -> QuerySet[ConfigurationItem]:
    rows = ConfigurationItem.objects.visible_to(user).in_use()
    if flt.scope == Scope.SERVICES:
        rows = rows.filter(ci_type__kind=CiKind.SERVICE)
    elif flt.scope == Scope.APPLICATIONS:
        rows = rows.filter(ci_type__kind=CiKind.SOFTWARE)
    elif flt.scope != Scope.ALL:
        rows = rows.filter(ci_type__kind__in=CLASSIFIED_KINDS)
    if flt.state == "classified":
        rows = rows.filter(security_classification__isnull=False)
    elif flt.state == "unclassified":
        rows = rows.filter(security_classification__isnull=True)
    if flt.q:
        rows = rows.filter(name__icontains=flt.q)
    return rows.select_related("ci_type", "security_classification__classified_by")


@dataclass
class ClassificationRow:
    ci: ConfigurationItem
    own: Classification | None
    suggestion: Suggestion

    def aspects(self) -> list[tuple[str, int | None, int | None, str]]:
        """(aspect, own value, suggested value, source name) per aspect."""
        out = []
        for aspect in CIA_FIELDS:
            source = self.suggestion.sources.get(aspect)
            out.append(
                (
                    aspect,
                    getattr(self.own, aspect) if self.own else None,
                    self.suggestion.value(aspect),
                    source.name if source else "",
                )
            )
        return out

    @property
    def below_suggestion(self) -> bool:
        """The suggestion is higher than the own classification on some aspect (or there is none)."""
        if self.suggestion.empty:
            return False
        if self.own is None:
            return True
        return any((self.suggestion.value(a) or 0) > getattr(self.own, a) for a in CIA_FIELDS)


def _own(ci: ConfigurationItem) -> Classification | None:
    # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError: getattr's default.
    own: Classification | None = getattr(ci, "security_classification", None)
    return own


def classification_rows(cis: list[ConfigurationItem]) -> list[ClassificationRow]:
    """Rows for CIs read with `classification_cis` (their classification joined): the suggestions
    of all of them in two queries."""
    suggested = suggestions([ci.pk for ci in cis]) if cis else {}
    return [ClassificationRow(ci, _own(ci), suggested.get(ci.pk, Suggestion())) for ci in cis]


def classification_row(ci: ConfigurationItem) -> ClassificationRow:
    own = Classification.objects.filter(ci=ci).select_related("classified_by").first()
    return ClassificationRow(ci, own, suggestions([ci.pk])[ci.pk])


# --------------------------------------------------------------------------------------------------
# risks


@dataclass(frozen=True)
class RiskFilter:
    status: str = ""  # a RiskStatus, "current" (not closed) or ""
    band: str = ""  # of the inherent score
    owner: int | None = None
    ci: int | None = None
    control: int | None = None
    overdue: bool = False
    q: str = ""


def filter_risks(rows: QuerySet[Risk], flt: RiskFilter, *, today: date | None = None) -> QuerySet[Risk]:
    if flt.status == "current":
        rows = rows.current()  # type: ignore[attr-defined]
    elif flt.status in RiskStatus.values:
        rows = rows.filter(status=flt.status)
    if flt.band in Band.values:
        low, high = current_settings().band_range(flt.band)
        rows = rows.filter(inherent_score__gte=low, inherent_score__lte=high)
    if flt.owner:
        rows = rows.filter(owner_id=flt.owner)
    if flt.ci:
        rows = rows.filter(cis__id=flt.ci)
    if flt.control:
        rows = rows.filter(controls__id=flt.control)
    if flt.overdue:
        rows = rows.filter(review_date__lt=today or timezone.localdate(clock.now())).exclude(
            status=RiskStatus.CLOSED
        )
    if flt.q:
        term = flt.q.strip()
        number = term.upper().removeprefix("RSK-")
        condition = Q(title__icontains=term)
        if number.isdigit() and len(number) < 10:
            condition |= Q(number=int(number))
        rows = rows.filter(condition)
    return rows


def overdue_for_review(user: Any, *, limit: int = 10) -> list[Risk]:
    """Risks not closed whose review date has passed, the longest overdue first."""
    rows = (
        Risk.objects.visible_to(user)
        .current()
        .filter(review_date__lt=timezone.localdate(clock.now()))
        .select_related("owner")
        .order_by("review_date", "number")
    )
    return list(rows[:limit])


@dataclass
class HeatMap:
    """Counts of risks per cell (likelihood, impact), inherent and residual."""

    inherent: Counter[tuple[int, int]] = field(default_factory=Counter)
    residual: Counter[tuple[int, int]] = field(default_factory=Counter)
    total: int = 0

    def grid(self, which: str) -> list[dict[str, Any]]:
        """Rows from the highest likelihood down, each a dict with its cells (impact 1-5)."""
        counts = self.inherent if which == "inherent" else self.residual
        settings = current_settings()
        return [
            {
                "likelihood": lh,
                "cells": [
                    {
                        "impact": im,
                        "score": lh * im,
                        "band": settings.band_of(lh * im),
                        "count": counts[(lh, im)],
                    }
                    for im in LEVELS
                ],
            }
            for lh in reversed(LEVELS)
        ]


def heat_map(rows: QuerySet[Risk]) -> HeatMap:
    """The heat map of `rows` (typically the current risks): two grouped queries."""
    out = HeatMap()
    for lh, im, n in rows.order_by().values_list("likelihood", "impact").annotate(n=Count("id")):
        out.inherent[(lh, im)] += n
        out.total += n
    residual = rows.order_by().filter(residual_score__isnull=False)
    for lh, im, n in residual.values_list("residual_likelihood", "residual_impact").annotate(n=Count("id")):
        out.residual[(lh, im)] += n
    return out


def risk_page_prefetch(page: Page[Risk]) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(page.items, "cis", "controls")
