"""Reads shared by the screens, the API and the dashboard: the occurrence list filter and orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup
from beheer.core.errors import DomainError, NotFound
from beheer.core.pagination import SortKey

from .models import ActivitySeries, Occurrence, OccurrenceStatus

OCCURRENCE_ORDER = (SortKey("due_at"), SortKey("id"))
SERIES_ORDER = (SortKey("name"), SortKey("id"))
SCOPES = ("mine", "team", "all")


@dataclass(frozen=True)
class OccurrenceFilter:
    scope: str = "all"  # mine: assigned to me; team: of my operator groups; all: everything visible
    status: str = ""
    operator_group: int | None = None
    assignee: int | None = None
    series: int | None = None
    overdue: bool = False


def filter_occurrences(user: Any, f: OccurrenceFilter, *, now: datetime) -> Any:
    """The occurrences `user` may see, narrowed by `f`; DomainError on an unknown value."""
    qs = Occurrence.objects.visible_to(user)
    if f.scope not in SCOPES:
        raise DomainError(_("Unknown selection."), field_errors={"scope": _("Unknown selection.")})
    if f.scope == "mine":
        qs = qs.filter(series__assignee=user)
    elif f.scope == "team":
        qs = qs.filter(series__operator_group__in=OperatorGroup.objects.filter(members=user).values("pk"))
    if f.status:
        if f.status not in OccurrenceStatus.values:
            raise DomainError(_("Unknown status."), field_errors={"status": _("Unknown status.")})
        qs = qs.filter(status=f.status)
    if f.operator_group is not None:
        qs = qs.filter(series__operator_group_id=f.operator_group)
    if f.assignee is not None:
        qs = qs.filter(series__assignee_id=f.assignee)
    if f.series is not None:
        qs = qs.filter(series_id=f.series)
    if f.overdue:
        qs = qs.filter(Q(status=OccurrenceStatus.OPEN) & Q(due_at__lt=now))
    return qs


def visible_series(user: Any, pk: int) -> ActivitySeries:
    series = ActivitySeries.objects.visible_to(user).for_list().filter(pk=pk).first()
    if series is None:
        raise NotFound(_("Preventive activity not found."))
    return series


def visible_occurrence(user: Any, pk: int) -> Occurrence:
    occurrence = (
        Occurrence.objects.visible_to(user).for_list().select_related("melding").filter(pk=pk).first()
    )
    if occurrence is None:
        raise NotFound(_("Activity not found."))
    return occurrence
