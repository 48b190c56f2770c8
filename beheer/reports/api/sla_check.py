"""POST /api/v1/reports/sla-check: replay recent meldingen against a proposed SLA (saves nothing)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Router

from beheer.core import access
from beheer.core.schemas import errors

from .. import sla_check
from ..schemas import SlaCheckIn, SlaCheckOut

router = access.declare(
    Router(tags=["reports"]),
    access.Gate(access.Audience.COORDINATOR, message=gettext_lazy("Only coordinators can check an SLA.")),
)


def _count(c: sla_check.Count) -> dict[str, object]:
    return {
        "met": c.met,
        "breached": c.breached,
        "undecided": c.undecided,
        "met_percent": c.met_percent,
        "met_percent_all": c.met_percent_all,
    }


def _row(r: sla_check.Row) -> dict[str, object]:
    return {
        "id": r.key,
        "name": r.label,
        "count": r.count,
        "response": _count(r.response),
        "resolution": _count(r.resolution),
        "reached_at_risk": r.reached_at_risk,
    }


@router.post(
    "/sla-check",
    response={200: SlaCheckOut, **errors(400, 403)},
    summary="Check a proposed SLA against recent meldingen",
)
def sla_check_endpoint(request: HttpRequest, payload: SlaCheckIn) -> dict[str, object]:
    """Replay the last `weeks` of meldingen against the proposed calendar and targets.

    Coordinators only. Nothing is saved. 400 with `fields` for unknown ids, a calendar without
    opening hours or too many meldingen; 422 for input of the wrong shape.
    """
    user = request.user
    proposal = sla_check.build_proposal(
        calendar_id=payload.calendar_id,
        hours=[sla_check.HoursInput(h.weekday, h.start, h.end) for h in payload.hours],
        always_open=payload.always_open,
        public_holidays=payload.public_holidays,
        targets=[
            sla_check.TargetInput(t.priority_id, t.response_minutes, t.resolution_minutes)
            for t in payload.targets
        ],
        at_risk_percent=payload.at_risk_percent,
        weeks=payload.weeks,
        operator_group_ids=payload.filters.operator_group_ids,
        category_ids=payload.filters.category_ids,
        call_type_ids=payload.filters.call_type_ids,
    )
    result = sla_check.run_check(proposal, user=user)
    return {
        "now": result.now,
        "period_start": result.period_start,
        "calendar": result.calendar_label,
        "weeks": result.weeks,
        "at_risk_percent": result.at_risk_percent,
        "total": result.total,
        "without_target": result.without_target,
        "overall": _row(result.overall),
        "per_priority": [_row(r) for r in result.per_priority],
        "per_group": [_row(r) for r in result.per_group],
        "workload": [
            {
                "first_day": w.first_day.isoformat(),
                "last_day": w.last_day.isoformat(),
                "meldingen": w.meldingen,
                "registered_hours": w.registered_hours,
                "business_hours": w.business_hours,
                "staffing_ratio": w.staffing_ratio,
                "people": w.people,
            }
            for w in result.workload
        ],
        "business_hours_per_week": result.business_hours_per_week,
        "registered_hours_per_week": result.registered_hours_per_week,
        "staffing_ratio": result.staffing_ratio,
        "seconds": result.seconds,
    }
