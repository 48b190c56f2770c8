"""Time spent: the minutes registered on meldingen, by line and by operator group."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet, Sum

from beheer.accounts.models import OperatorGroup
from beheer.core import access
from beheer.servicedesk.models import Line, TimeEntry

from .period import ReportFilter


def _time_entries(user: Any, f: ReportFilter) -> QuerySet[TimeEntry]:
    """Time registrations dated in the period on meldingen matching the filter (joins, no IN list)."""
    qs = TimeEntry.objects.filter(date__gte=f.date_from, date__lte=f.date_to)
    if not access.is_staff(user):
        return qs.none()  # time registrations are internal; only staff see them
    exact = {
        "operator_group_id": f.operator_group,  # the time that group spent
        "melding__category_id": f.category,
        "melding__caller_department_id": f.department,
        "melding__priority_id": f.priority,
    }
    return qs.filter(**{k: v for k, v in exact.items() if v is not None})


def time_spent(user: Any, f: ReportFilter) -> dict[str, Any]:
    """Minutes registered with a date in the period, by line and by the operator group each
    registration was booked on (the group the melding was in at the time)."""
    rows = list(_time_entries(user, f).values("line", "operator_group").annotate(m=Sum("minutes")).order_by())
    by_line_totals: dict[str, int] = defaultdict(int)
    by_group_totals: dict[int | None, int] = defaultdict(int)
    for row in rows:
        by_line_totals[row["line"]] += row["m"]
        by_group_totals[row["operator_group"]] += row["m"]
    line_labels = dict(Line.choices)
    groups = dict(
        OperatorGroup.objects.filter(pk__in=[k for k in by_group_totals if k]).values_list("pk", "name")
    )
    return {
        "total_minutes": sum(by_line_totals.values()),
        "by_line": [
            {"key": key, "label": str(line_labels.get(key, key)), "minutes": m}
            for key, m in sorted(by_line_totals.items())
        ],
        "by_group": [
            {"id": key, "label": groups.get(key, "") if key else "", "minutes": m}
            for key, m in sorted(by_group_totals.items(), key=lambda kv: -kv[1])
        ],
    }
