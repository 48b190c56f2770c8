"""POST /api/v1/reports/sla-check: replay recent meldingen against a proposed SLA (saves nothing)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Router
from pydantic import Field

from beheer.core import access
from beheer.core.schemas import Id, Schema, WallTime, errors

from . import sla_check

router = access.declare(
    Router(tags=["reports"]),
    access.Gate(access.Audience.COORDINATOR, message=gettext_lazy("Only coordinators can check an SLA.")),
)

MINUTES = (
    "In business minutes of the proposed calendar: only opening time counts, so 60 is one hour of "
    "opening time, 240 is 4 hours, and 2 business days of an office calendar open 08:00-17:00 are "
    "2 x 540 = 1080 (of a 24x7 calendar 2 x 1440 = 2880). The screen takes hours or business days "
    "and converts them the same way."
)
Minutes = Annotated[int, Field(ge=1, le=sla_check.MAX_TARGET_MINUTES)]


class TargetIn(Schema):
    priority_id: Id
    response_minutes: Minutes | None = Field(None, description="Response target. " + MINUTES)
    resolution_minutes: Minutes = Field(description="Resolution target. " + MINUTES)


class HoursIn(Schema):
    weekday: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    start: WallTime
    end: WallTime = Field(description="00:00 means midnight at the end of the day")


class FiltersIn(Schema):
    operator_group_ids: list[Id] = Field(default_factory=list, max_length=1000)
    category_ids: list[Id] = Field(default_factory=list, max_length=1000)
    call_type_ids: list[Id] = Field(default_factory=list, max_length=1000)


class SlaCheckIn(Schema):
    calendar_id: Id | None = Field(None, description="An existing business calendar; or give hours")
    hours: list[HoursIn] = Field(default_factory=list, max_length=100)
    always_open: bool = Field(False, description="24x7 instead of hours")
    public_holidays: bool = Field(True, description="With hours: closed on Dutch public holidays")
    targets: list[TargetIn] = Field(min_length=1, max_length=100)
    at_risk_percent: int = Field(sla_check.DEFAULT_AT_RISK_PERCENT, ge=1, le=99)
    weeks: int = Field(sla_check.DEFAULT_WEEKS, ge=sla_check.MIN_WEEKS, le=sla_check.MAX_WEEKS)
    filters: FiltersIn = Field(default_factory=FiltersIn)


class CountOut(Schema):
    met: int
    breached: int
    undecided: int
    met_percent: float | None = Field(description="met / (met + breached)")
    met_percent_all: float | None = Field(description="met / all: undecided counted as missed")


class RowOut(Schema):
    id: int | None
    name: str
    count: int
    response: CountOut
    resolution: CountOut
    reached_at_risk: int


class WeekOut(Schema):
    first_day: str
    last_day: str
    meldingen: int
    registered_hours: float
    business_hours: float
    staffing_ratio: float | None
    people: int


class SlaCheckOut(Schema):
    now: datetime
    period_start: datetime
    calendar: str
    weeks: int
    at_risk_percent: int
    total: int
    without_target: int
    overall: RowOut
    per_priority: list[RowOut]
    per_group: list[RowOut]
    workload: list[WeekOut]
    business_hours_per_week: float
    registered_hours_per_week: float
    staffing_ratio: float | None
    seconds: float


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
