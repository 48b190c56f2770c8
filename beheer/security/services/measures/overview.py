"""What the security dashboard shows of the measures register: maturity per theme (the share of
applicable controls of the current catalogue whose organisation-wide implementation is implemented
or partly), maturity per service CI, and the implementations overdue for review. A few aggregate
queries, whatever the size of the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q

from ...models import (
    Applicability,
    ApplicabilityStatement,
    CatalogueKind,
    Control,
    Implementation,
    ImplementationStatus,
    Theme,
)

OVERDUE_SHOWN = 10
CIS_SHOWN = 12


@dataclass(frozen=True)
class Maturity:
    label: str
    applicable: int
    implemented: int
    partly: int

    @property
    def implemented_pct(self) -> int:
        return round(100 * self.implemented / self.applicable) if self.applicable else 0

    @property
    def partly_pct(self) -> int:
        return round(100 * self.partly / self.applicable) if self.applicable else 0

    @property
    def level(self) -> str:
        """A colour band for the cell: high (75%+ implemented), medium (40%+ at least partly), low."""
        if self.applicable and self.implemented_pct >= 75:
            return "high"
        if self.applicable and self.implemented_pct + self.partly_pct >= 40:
            return "medium"
        return "low"


def maturity_by_theme(user: Any) -> list[Maturity]:
    """Per theme: the applicable main controls of the current catalogue (not marked not applicable)
    and how many of them are implemented or partly, organisation-wide."""
    mains = (
        Control.objects.visible_to(user)
        .active()
        .filter(catalogue__current=True, catalogue__kind=CatalogueKind.STANDARD, parent__isnull=True)
    )
    not_applicable = ApplicabilityStatement.objects.filter(applicability=Applicability.NOT_APPLICABLE).values(
        "control_id"
    )
    applicable = mains.exclude(pk__in=not_applicable)
    org = Implementation.objects.filter(scope_ci__isnull=True)
    rows = applicable.values("theme").annotate(
        total=Count("pk", distinct=True),
        implemented=Count(
            "implementations",
            filter=Q(implementations__in=org.filter(status=ImplementationStatus.IMPLEMENTED)),
            distinct=True,
        ),
        partly=Count(
            "implementations",
            filter=Q(implementations__in=org.filter(status=ImplementationStatus.PARTLY)),
            distinct=True,
        ),
    )
    found = {r["theme"]: r for r in rows}
    out = []
    for theme in (Theme.ORGANISATIONAL, Theme.PEOPLE, Theme.PHYSICAL, Theme.TECHNOLOGICAL):
        r = found.get(theme, {"total": 0, "implemented": 0, "partly": 0})
        out.append(Maturity(str(theme.label), r["total"], r["implemented"], r["partly"]))
    return out


def maturity_by_ci(user: Any) -> list[Maturity]:
    """Per service or application CI with implementations: how many are implemented or partly."""
    rows = (
        Implementation.objects.visible_to(user)
        .filter(scope_ci__isnull=False)
        .exclude(status=ImplementationStatus.NOT_APPLICABLE)
        .values("scope_ci_id", "scope_ci__name")
        .annotate(
            total=Count("pk"),
            implemented=Count("pk", filter=Q(status=ImplementationStatus.IMPLEMENTED)),
            partly=Count("pk", filter=Q(status=ImplementationStatus.PARTLY)),
        )
        .order_by("scope_ci__name", "scope_ci_id")[:CIS_SHOWN]
    )
    return [Maturity(r["scope_ci__name"], r["total"], r["implemented"], r["partly"]) for r in rows]


def overdue_reviews(user: Any, day: date) -> list[Implementation]:
    return list(
        Implementation.objects.visible_to(user)
        .review_overdue(day)
        .for_list()
        .order_by("review_on", "id")[:OVERDUE_SHOWN]
    )


def overdue_count(user: Any, day: date) -> int:
    return Implementation.objects.visible_to(user).review_overdue(day).count()


def dashboard_context(user: Any) -> dict[str, Any]:
    """The context of the dashboard's measures section (`security/measures/_dashboard.html`)."""
    from django.utils import timezone

    from beheer.core import clock

    day = timezone.localdate(clock.now())
    return {
        "themes": maturity_by_theme(user),
        "cis": maturity_by_ci(user),
        "overdue": overdue_reviews(user, day),
        "overdue_count": overdue_count(user, day),
    }
