"""Input and output shapes of the plan and forward schedule API (names prefixed: unique API-wide)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine

from .schemas import ChangeRefOut


class ChangePlanActivityOut(Schema):
    id: int
    title: str
    assignee: ChangeRefOut | None
    operator_group: ChangeRefOut | None
    estimate_minutes: int
    people_count: int
    means: str
    planned_start: datetime | None
    planned_end: datetime | None
    depends_on: list[int]
    done_at: datetime | None
    deviation: str


class ChangePlanApprovalOut(Schema):
    id: int
    approved_by: ChangeRefOut | None
    approved_at: datetime
    plan_version: int
    comment: str
    current: bool


class ChangePlanRecipientOut(Schema):
    stakeholder_id: int | None
    name: str
    address: str
    notified_at: datetime | None
    acknowledged: bool | None


class ChangePlanNoticeOut(Schema):
    id: int
    subject: str
    text: str
    article: ChangeRefOut | None
    sent_at: datetime
    recipients: list[ChangePlanRecipientOut]


class ChangePlanOut(Schema):
    change_id: int
    change_version: int
    plan_version: int
    approved: bool
    activities: list[ChangePlanActivityOut]
    approvals: list[ChangePlanApprovalOut]
    notices: list[ChangePlanNoticeOut]
    maintenance_window: ChangeRefOut | None


class ChangePlanActivityIn(Schema):
    title: TextLine = Field(min_length=1, max_length=200)
    assignee_id: Id | None = None
    operator_group_id: Id | None = None
    estimate_minutes: int = Field(0, ge=0, le=525_600)
    people_count: int = Field(1, ge=0, le=1000)
    means: Text = Field("", max_length=4000)
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    depends_on: list[Id] = Field(default_factory=list, max_length=50)
    version: Int64 | None = Field(None, description="The change's version you read; required when changing")


class ChangePlanApproveIn(Schema):
    plan_version: Int64 | None = Field(None, description="The plan version you checked")
    comment: Text = Field("", max_length=4000)


class ChangePlanNoticeIn(Schema):
    subject: TextLine = Field(min_length=1, max_length=200)
    text: Text = Field(min_length=1, max_length=10_000)
    stakeholder_ids: list[Id] = Field(min_length=1, max_length=500)
    article_id: Id | None = None


class ChangeCalendarParams(Schema):
    from_: date | None = Field(None, alias="from", description="First day; default today")
    to: date | None = Field(None, description="Last day; default 30 days after the first")


class ChangeCalendarItemOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    phase: str
    planned_start: datetime
    planned_end: datetime
    cis: list[ChangeRefOut]
    services: list[ChangeRefOut]


class ChangeCalendarOverlapOut(Schema):
    first_id: int
    second_id: int
    cis: list[str]
    services: list[str]


class ChangeCalendarOut(Schema):
    start: datetime
    end: datetime
    items: list[ChangeCalendarItemOut]
    overlaps: list[ChangeCalendarOverlapOut]
    truncated: bool
    overlaps_truncated: bool
