"""The shapes of the operations API (activity series, occurrences, checklists, evidence): types and
lengths only; the services check the rules."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine, WallTime
from beheer.core.timezones import installation_time_zone


class SeriesIn(Schema):
    name: TextLine = Field(max_length=500)
    kind: TextLine = Field(max_length=40)
    rule: Text = Field(max_length=1000)
    start_date: date
    start_time: WallTime
    time_zone: TextLine = Field(default_factory=installation_time_zone, max_length=64)
    description: Text = Field("", max_length=100_000)
    checklist: list[TextLine] = Field(default_factory=list, max_length=200)
    lead_days: Int64 = 30
    grace_hours: Int64 = 24
    remind_hours: Int64 = 0
    operator_group_id: Id | None = None
    assignee_id: Id | None = None
    # The configuration items: by number (`ci_ids`), or by name or host name (`linked_objects`, the
    # older field). When `ci_ids` is given, `linked_objects` is not read; with neither, none.
    ci_ids: list[Id] | None = Field(None, max_length=200)
    linked_objects: list[TextLine] | None = Field(None, max_length=200)


class SeriesUpdate(SeriesIn):
    version: Int64


class SeriesVersionIn(Schema):
    version: Int64


class RecurrencePreviewIn(Schema):
    rule: Text = Field(max_length=1000)
    start_date: date
    start_time: WallTime
    time_zone: TextLine = Field(default_factory=installation_time_zone, max_length=64)


class AnswerIn(Schema):
    done: bool
    remark: Text = Field("", max_length=2000)


class ChecklistIn(Schema):
    version: Int64
    results: list[AnswerIn] = Field(max_length=200)


class CompleteIn(Schema):
    version: Int64
    results: list[AnswerIn] | None = Field(None, max_length=200)
    remark: Text = Field("", max_length=10_000)
    minutes: Int64 = 0


class SkipIn(Schema):
    version: Int64
    reason: Text = Field(max_length=10_000)


class AnomalyIn(Schema):
    version: Int64
    reason: Text = Field(max_length=10_000)
    results: list[AnswerIn] | None = Field(None, max_length=200)
    minutes: Int64 = 0


class OccurrenceTimeIn(Schema):
    minutes: Int64


class SeriesListParams(Schema):
    active: bool | None = None
    kind: TextLine = Field("", max_length=40)
    cursor: TextLine | None = Field(None, max_length=2000)
    size: int = Field(50, ge=1, le=200)


class OccurrenceListParams(Schema):
    scope: TextLine = Field("all", max_length=10)
    status: TextLine = Field("", max_length=20)
    operator_group: Id | None = None
    assignee: Id | None = None
    series: Id | None = None
    overdue: bool = False
    cursor: TextLine | None = Field(None, max_length=2000)
    size: int = Field(50, ge=1, le=200)


class RefOut(Schema):
    id: int
    name: str


class SeriesOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    checklist: list[str]
    rule: str
    start_date: date
    start_time: WallTime
    time_zone: str
    lead_days: int
    grace_hours: int
    remind_hours: int
    operator_group: RefOut | None
    assignee: RefOut | None
    cis: list[RefOut]
    linked_objects: list[str]
    active: bool
    version: int


class SeriesPage(Schema):
    items: list[SeriesOut]
    next_cursor: str | None


class ChecklistItemOut(Schema):
    item: str
    done: bool
    remark: str


class OccurrenceOut(Schema):
    id: int
    series: RefOut
    planned_at: datetime
    due_at: datetime
    remind_at: datetime
    overdue: bool
    status: str
    checklist: list[ChecklistItemOut]
    reason: str
    melding: RefOut | None
    time_spent_minutes: int
    completed_by: RefOut | None
    completed_at: datetime | None
    version: int


class OccurrencePage(Schema):
    items: list[OccurrenceOut]
    next_cursor: str | None


class EvidenceOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    created_at: datetime
