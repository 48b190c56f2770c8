"""Preventive activities as evidence: a done occurrence of a series linked to an implementation
counts as evidence for the control until the series' next due date, the deadline of the first
occurrence planned after it. Past that date the evidence is overdue; without a done occurrence
there is none yet.

`evidence_state` is the rule (no ORM); `series_evidence` reads it for many series in one query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery

from beheer.operations.models import ActivitySeries, Occurrence, OccurrenceStatus

CURRENT = "current"
OVERDUE = "overdue"
NONE = "none"


def evidence_state(last_done: datetime | None, next_due: datetime | None, now: datetime) -> str:
    """`current` while a done occurrence exists and the next one is not past its deadline (or no
    next one is planned); `overdue` after that deadline; `none` without a done occurrence."""
    if last_done is None:
        return NONE
    if next_due is None or now <= next_due:
        return CURRENT
    return OVERDUE


@dataclass(frozen=True)
class SeriesEvidence:
    series: ActivitySeries
    last_done: datetime | None  # when the last done occurrence was completed (or planned)
    current_until: datetime | None  # the next due date, when one is planned
    state: str


def annotated(series: Any) -> Any:
    """`series` with the planned time and completion of their last done occurrence and the deadline
    of the occurrence after it."""
    done = Occurrence.objects.filter(series=OuterRef("pk"), status=OccurrenceStatus.DONE).order_by(
        "-planned_at"
    )
    return series.annotate(
        last_done_planned=Subquery(done.values("planned_at")[:1]),
        last_done_completed=Subquery(done.values("completed_at")[:1]),
    ).annotate(
        next_due=Subquery(
            Occurrence.objects.filter(series=OuterRef("pk"), planned_at__gt=OuterRef("last_done_planned"))
            .order_by("planned_at")
            .values("due_at")[:1]
        )
    )


def series_evidence(series: Iterable[ActivitySeries] | Any, now: datetime) -> list[SeriesEvidence]:
    """The evidence state of each series of `series` (a queryset, read in one query)."""
    out = []
    for s in annotated(series).order_by("name", "pk"):
        last = s.last_done_completed or s.last_done_planned
        out.append(SeriesEvidence(s, last, s.next_due, evidence_state(last, s.next_due, now)))
    return out
