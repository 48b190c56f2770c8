"""Reads of the register that screens, the API and exports share: the list filter and the leavers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from beheer.accounts.models import User

from .models import AccessRight, RightStatus

SELECTED = ("person", "ci")


@dataclass(frozen=True)
class RightFilter:
    status: str = ""
    ci: int | None = None
    person: int | None = None
    right: str = ""


def filter_rights(rows: QuerySet[AccessRight], flt: RightFilter) -> QuerySet[AccessRight]:
    if flt.status:
        rows = rows.filter(status=flt.status)
    if flt.ci is not None:
        rows = rows.filter(ci_id=flt.ci)
    if flt.person is not None:
        rows = rows.filter(person_id=flt.person)
    if flt.right:
        rows = rows.filter(right__iexact=flt.right.strip())
    return rows


def leavers() -> QuerySet[Any]:
    """Inactive people who still hold granted rights (a subquery: one row per person)."""
    holders = AccessRight.objects.filter(status=RightStatus.GRANTED).values("person_id")
    return User.objects.filter(is_active=False, pk__in=holders).order_by("last_name", "first_name", "id")


def held_counts(person_ids: list[int]) -> dict[int, int]:
    """{person id: granted rights held} for a page of people, in one grouped query."""
    if not person_ids:
        return {}
    rows = (
        AccessRight.objects.filter(person_id__in=person_ids, status=RightStatus.GRANTED)
        .order_by()
        .values_list("person_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def held_by(person: User) -> QuerySet[AccessRight]:
    return AccessRight.objects.filter(person=person, status=RightStatus.GRANTED).select_related("ci")
