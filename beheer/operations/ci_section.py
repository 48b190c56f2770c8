"""The CI page's "Preventive activities" panel, registered with `cmdb.extensions` by
`OperationsConfig.ready()`: the active series linked to the CI that the reader may see (at most
`SECTION_LIMIT`, by name), each with its next planned occurrence and whether one is overdue.

Two queries whatever the CI holds: the series, then one grouped read of their open occurrences.
Staff only: for anybody else the panel is empty and reads nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Min, Q
from django.template.loader import render_to_string

from beheer.core import access, clock

from .models import ActivitySeries, Occurrence, OccurrenceStatus

SECTION_LIMIT = 20


def activities_section(request: Any, ci: Any) -> str:
    user = getattr(request, "user", None)
    if not access.is_staff(user):
        return ""
    now = clock.now()
    rows = list(
        ActivitySeries.objects.visible_to(user)
        .filter(active=True, cis=ci)
        .select_related("operator_group", "assignee")
        .order_by("name", "pk")[: SECTION_LIMIT + 1]
    )
    more = len(rows) > SECTION_LIMIT
    rows = rows[:SECTION_LIMIT]
    state: dict[int, dict[str, Any]] = {}
    if rows:
        open_ones = Occurrence.objects.filter(series__in=[s.pk for s in rows], status=OccurrenceStatus.OPEN)
        for row in open_ones.values("series").annotate(
            next_at=Min("planned_at", filter=Q(planned_at__gte=now)), first_due=Min("due_at")
        ):
            state[row["series"]] = dict(row)
    items = [
        {
            "series": s,
            "next_at": state.get(s.pk, {}).get("next_at"),
            "overdue": (state.get(s.pk, {}).get("first_due") or now) < now,
        }
        for s in rows
    ]
    return render_to_string(
        "operations/_ci_activities.html",
        {"ci": ci, "items": items, "more": more, "limit": SECTION_LIMIT},
        request=request,
    )
