"""The API shapes of security incidents, their reports, access and the breach register."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from beheer.core.schemas import Id, Schema, Text, TextLine

StatusCode = Literal["open", "handled", "closed"]
ReportCode = Literal[
    "early_warning", "notification", "progress_report", "final_report", "ap_report", "people_notice"
]


class IncidentRef(Schema):
    id: int
    name: str


class IncidentDeclareIn(Schema):
    """Make a call a security incident (operators). `aware_at` defaults to now."""

    melding_id: Id
    aware_at: datetime | None = None
    significant: bool = False
    breach: bool = False


class IncidentIn(Schema):
    """The whole incident as the security officer saves it; send the `version` you read."""

    version: int = Field(ge=1)
    title: TextLine = Field(min_length=1, max_length=200)
    aware_at: datetime
    status: StatusCode = "open"
    significant: bool = False
    csirt_name: TextLine = Field("", max_length=120)
    breach: bool = False
    unlikely_risk: bool = False
    unlikely_risk_reason: Text = Field("", max_length=5000)
    high_risk: bool = False
    nature: Text = Field("", max_length=5000)
    data_categories: Text = Field("", max_length=5000)
    people_categories: Text = Field("", max_length=5000)
    people_count: int | None = Field(None, ge=0, le=2_000_000_000)
    records_count: int | None = Field(None, ge=0, le=2_000_000_000)
    consequences: Text = Field("", max_length=5000)
    measures: Text = Field("", max_length=5000)
    contact: TextLine = Field("", max_length=300)


class DeadlineOut(Schema):
    kind: str
    label: str
    due: datetime | None = Field(description="empty: without undue delay, or one month after handling")
    immediate: bool = Field(description="due without undue delay (the people concerned)")
    met_at: datetime | None
    passed: bool
    seconds_left: int | None


class IncidentOut(Schema):
    id: int
    number: str
    melding: IncidentRef
    title: str
    aware_at: datetime
    significant: bool
    breach: bool
    status: str
    clocks_open: bool
    version: int


class IncidentDetailOut(IncidentOut):
    csirt_name: str
    unlikely_risk: bool
    unlikely_risk_reason: str
    high_risk: bool
    nature: str
    data_categories: str
    people_categories: str
    people_count: int | None
    records_count: int | None
    consequences: str
    measures: str
    contact: str
    handled_at: datetime | None
    declared_at: datetime
    declared_by: IncidentRef | None
    deadlines: list[DeadlineOut]


class IncidentPage(Schema):
    items: list[IncidentOut]
    next_cursor: str | None


class ReportIn(Schema):
    kind: ReportCode
    made_at: datetime
    recipient: TextLine = Field("", max_length=200, description="empty: the usual recipient")
    reference: TextLine = Field("", max_length=120)
    note: Text = Field("", max_length=5000)


class ReportOut(Schema):
    id: int
    kind: str
    kind_label: str
    made_at: datetime
    recipient: str
    reference: str
    note: str
    made_by: IncidentRef | None
    recorded_at: datetime


class AccessIn(Schema):
    person_id: Id


class AccessOut(Schema):
    person: IncidentRef
    granted_at: datetime
    granted_by: IncidentRef | None


class CursorParams(Schema):
    cursor: TextLine | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=200)


class BreachParams(CursorParams):
    reported: Literal["yes", "no"] | None = None
    status: StatusCode | None = None
    since: date | None = None
    until: date | None = None


class BreachExportParams(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    reported: Literal["yes", "no"] | None = None
    status: StatusCode | None = None
    since: date | None = None
    until: date | None = None


class BreachOut(Schema):
    id: int
    number: str
    title: str
    aware_at: datetime
    status: str
    nature: str
    data_categories: str
    people_categories: str
    people_count: int | None
    records_count: int | None
    consequences: str
    measures: str
    contact: str
    unlikely_risk: bool
    unlikely_risk_reason: str
    high_risk: bool
    ap_reported_at: datetime | None
    ap_reference: str
    people_told_at: datetime | None


class BreachPage(Schema):
    items: list[BreachOut]
    next_cursor: str | None
