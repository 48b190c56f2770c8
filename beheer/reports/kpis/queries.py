"""The meldingen a report counts, the conditions its queries share, and small value helpers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from beheer.servicedesk.models import HistoryEntry, Melding

from .period import ReportFilter, zone


def ratio(numerator: int, denominator: int) -> dict[str, Any]:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "percent": round(100 * numerator / denominator, 1) if denominator else None,
    }


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def _local_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone()).date().isoformat()
    return value.isoformat()


def _unindexed(field: str) -> Any:
    """`field + 0`: the same value, but no index on `field` alone can serve a condition on it.

    Every report query is bounded by a time range (created_at, resolved_at); the planner must use
    that range. Without statistics SQLite would rather walk the index of a foreign key such as
    parent_id (IS NULL for nearly every row) or operator_group_id and read a large part of the table.
    """
    return ExpressionWrapper(F(field) + 0, output_field=IntegerField())


def scope(user: Any, f: ReportFilter) -> QuerySet[Melding]:
    """The meldingen the user may count that match the filter's dimensions (no period, no exclusions):
    security incidents count, as figures only."""
    qs = Melding.objects.countable_by(user)
    exact = {
        "operator_group_id": f.operator_group,
        "category_id": f.category,
        "caller_department_id": f.department,
        "priority_id": f.priority,
    }
    for field, value in exact.items():
        if value is not None:
            qs = qs.alias(**{f"_{field}": _unindexed(field)}).filter(**{f"_{field}": value})
    return qs


def counted(user: Any, f: ReportFilter) -> QuerySet[Melding]:
    """`scope` without merged duplicates and partial incidents: what melding counts count."""
    return (
        scope(user, f)
        .alias(
            _merged=Coalesce(_unindexed("merged_into_id"), 0), _parent=Coalesce(_unindexed("parent_id"), 0)
        )
        .filter(_merged=0, _parent=0)
    )


def _registered(user: Any, f: ReportFilter) -> QuerySet[Melding]:
    return counted(user, f).filter(created_at__gte=f.start, created_at__lt=f.end)


def _resolved(user: Any, f: ReportFilter) -> QuerySet[Melding]:
    # is_open=False is implied by a resolved_at (reopening clears it) and lets the (is_open,
    # resolved_at) index serve the range. Written as IN: SQLite cannot use an index for the bare
    # `NOT "is_open"` that Django would write.
    return counted(user, f).filter(is_open__in=[False], resolved_at__gte=f.start, resolved_at__lt=f.end)


def _not_resolved_before(qs: QuerySet[Melding], at: datetime) -> QuerySet[Melding]:
    """Open now, or resolved at or after `at` (both ranges of the (is_open, resolved_at) index)."""
    return qs.filter(Q(is_open__in=[True]) | Q(is_open__in=[False], resolved_at__gte=at))


def _unresolved_at(qs: QuerySet[Melding], at: datetime) -> QuerySet[Melding]:
    """Meldingen registered before `at` and not resolved before `at` (the backlog at that instant)."""
    return _not_resolved_before(qs, at).filter(created_at__lt=at)


class Epoch(Func):
    """Seconds since 1970 (UTC) of a datetime column, as a float, without Python datetime parsing."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores UTC as text; julianday reads it (precision: tens of microseconds).
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra
        )


def _escalated() -> Exists:
    # History never precedes the registration, so the `at` condition changes nothing, but it keeps the
    # lookup a per-melding probe of the (melding, at) index: PostgreSQL would otherwise hash every
    # 'escalated' row of the whole history table once per query.
    return Exists(
        HistoryEntry.objects.filter(
            melding=OuterRef("pk"), action="escalated", at__gte=OuterRef("created_at")
        )
    )


def _has_partials() -> Exists:
    return Exists(Melding.objects.filter(parent=OuterRef("pk")))
