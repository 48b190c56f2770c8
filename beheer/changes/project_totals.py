"""A project's totals for its page: its changes per phase and status and their planned window, read
in one aggregate query (grouped by phase and status), whatever the number of changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Min

from .models import Change, ChangeStatus, Phase, Project
from .services._base import phases

SHOWN = 200  # the changes the project page lists; the change list has them all


@dataclass(frozen=True)
class PhaseCount:
    phase: Phase
    count: int


@dataclass
class ProjectTotals:
    total: int = 0
    open: int = 0
    closed: int = 0
    cancelled: int = 0
    per_phase: list[PhaseCount] = field(default_factory=list)  # the open changes, in phase order
    planned_start: datetime | None = None
    planned_end: datetime | None = None


def project_totals(project: Project, viewer: Any) -> ProjectTotals:
    """The totals of the changes of `project` that `viewer` may see."""
    groups = (
        Change.objects.visible_to(viewer)
        .filter(project=project)
        .order_by()
        .values("phase_id", "status")
        .annotate(n=Count("id"), start=Min("planned_start"), end=Max("planned_end"))
    )
    totals = ProjectTotals()
    open_by_phase: dict[int, int] = {}
    for row in groups:
        n = int(row["n"])
        totals.total += n
        if row["status"] == ChangeStatus.OPEN:
            totals.open += n
            open_by_phase[row["phase_id"]] = open_by_phase.get(row["phase_id"], 0) + n
        elif row["status"] == ChangeStatus.CANCELLED:
            totals.cancelled += n
        else:
            totals.closed += n
        if row["start"] is not None and (totals.planned_start is None or row["start"] < totals.planned_start):
            totals.planned_start = row["start"]
        if row["end"] is not None and (totals.planned_end is None or row["end"] > totals.planned_end):
            totals.planned_end = row["end"]
    totals.per_phase = [PhaseCount(p, open_by_phase[p.pk]) for p in phases() if p.pk in open_by_phase]
    return totals
