"""The shapes of the reports API (the dashboard, report parameters, the SLA check): types and
lengths only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from beheer.core.schemas import Id, Schema, TextLine, WallTime

from . import sla_check

MINUTES = (
    "In business minutes of the proposed calendar: only opening time counts, so 60 is one hour of "
    "opening time, 240 is 4 hours, and 2 business days of an office calendar open 08:00-17:00 are "
    "2 x 540 = 1080 (of a 24x7 calendar 2 x 1440 = 2880). The screen takes hours or business days "
    "and converts them the same way."
)
Minutes = Annotated[int, Field(ge=1, le=sla_check.MAX_TARGET_MINUTES)]


class FigureOut(Schema):
    count: int
    label: str
    params: dict[str, str]  # the /api/v1/meldingen parameters that list exactly these calls


class GroupRowOut(Schema):
    id: int | None
    name: str
    open: FigureOut
    unassigned: FigureOut
    at_risk: FigureOut
    breached: FigureOut
    waiting: FigureOut


class UrgentOut(Schema):
    id: int
    number: str
    brief_description: str
    priority: str
    priority_level: int
    operator_group: str | None
    operator: str | None
    sla_state: str
    resolution_due: datetime | None
    remaining_seconds: int | None  # negative once overdue; null while the clock is paused
    remaining: str


class ReviewArticleOut(Schema):
    id: int
    title: str
    owner: str | None
    next_review_on: date | None


class KnowledgeReviewOut(Schema):
    count: int  # published articles past their review date that the user may read
    articles: list[ReviewArticleOut]  # the few to do first: the user's own, then the longest overdue


class SlaResolutionOut(Schema):
    """Resolution within SLA over the calls resolved in the last `days` days: resolved calls only.
    The open calls already past their target are `figures.breached`."""

    days: int
    met: int
    breached: int
    percent: float | None  # null when no resolved call had an SLA outcome


class DashboardOut(Schema):
    operator_group: str
    generated_at: datetime
    figures: dict[str, FigureOut]
    sla_resolution: SlaResolutionOut
    groups: list[GroupRowOut]
    urgent: list[UrgentOut]
    knowledge_review: KnowledgeReviewOut | None  # null when the panel is not built


class ReportParams(Schema):
    date_from: TextLine = ""
    date_to: TextLine = ""
    operator_group: TextLine = ""
    category: TextLine = ""
    department: TextLine = ""
    priority: TextLine = ""


class MonthlyParams(ReportParams):
    month: TextLine = ""


class AvailabilityParams(Schema):
    month: TextLine = ""
    date_from: TextLine = ""
    date_to: TextLine = ""


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
