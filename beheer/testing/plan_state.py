"""Reads of a test plan that the page and the API share: its environments with the state of their
preparation (the preventive activity's one occurrence: open or done, items done, evidence), and its
cases with their requirements. Bounded, a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count

from beheer.operations.models import Occurrence

from .models import PlanEnvironment, TestCase, TestPlan

MAX_CASES = 500
MAX_ENVIRONMENTS = 50


@dataclass(frozen=True)
class Preparation:
    series_id: int
    occurrence_id: int | None
    planned_at: datetime | None
    status: str
    status_label: str
    items: int
    items_done: int
    evidence: int

    @property
    def done(self) -> bool:
        return self.status not in ("", "open")


@dataclass(frozen=True)
class EnvironmentRow:
    environment: PlanEnvironment
    preparation: Preparation | None


def environment_rows(plan: TestPlan, user: Any) -> list[EnvironmentRow]:
    """The plan's environments (with their CI) and each one's preparation: two queries."""
    environments = list(
        PlanEnvironment.objects.visible_to(user).filter(plan=plan).select_related("ci")[:MAX_ENVIRONMENTS]
    )
    series_ids = [e.preparation_id for e in environments if e.preparation_id]
    occurrences: dict[int, Any] = {}
    if series_ids:
        for occurrence in (
            Occurrence.objects.filter(series_id__in=series_ids)
            .annotate(evidence_count=Count("evidence"))
            .order_by("series_id", "planned_at")
        ):
            occurrences.setdefault(occurrence.series_id, occurrence)
    rows = []
    for e in environments:
        preparation = None
        if e.preparation_id:
            o = occurrences.get(e.preparation_id)
            results = o.checklist_results if o is not None else []
            preparation = Preparation(
                series_id=e.preparation_id,
                occurrence_id=o.pk if o is not None else None,
                planned_at=o.planned_at if o is not None else None,
                status=o.status if o is not None else "",
                status_label=str(o.get_status_display()) if o is not None else "",
                items=len(results),
                items_done=sum(1 for item in results if item.get("done")),
                evidence=o.evidence_count if o is not None else 0,
            )
        rows.append(EnvironmentRow(e, preparation))
    return rows


def cases_of(plan: TestPlan, user: Any) -> list[TestCase]:
    """The plan's cases in number order with their requirements: two queries."""
    return list(
        TestCase.objects.visible_to(user).filter(plan=plan).prefetch_related("requirements")[:MAX_CASES]
    )
