"""The privacy API's shapes (input checks shape only; the services check the rules)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from beheer.core.schemas import Id, Schema, Text, TextLine


class PrivacyRefOut(Schema):
    id: int
    name: str


class ActivityIn(Schema):
    name: TextLine = Field(max_length=200)
    purpose: Text
    legal_basis: TextLine = Field(max_length=40)
    legal_basis_note: Text = ""
    people_categories: Text
    data_categories: Text
    special_categories: bool = False
    recipients: Text = ""
    transfer_outside_eu: bool = False
    transfer_safeguards: Text = ""
    retention: Text
    application_ids: list[Id] = Field(default_factory=list, max_length=200)
    measure_ids: list[Id] = Field(default_factory=list, max_length=500)
    owner_id: Id | None = None
    review_date: date | None = None


class ActivityUpdateIn(ActivityIn):
    version: int | None = None


class ActivityActiveIn(Schema):
    active: bool
    version: int | None = None


class ActivityOut(Schema):
    id: int
    name: str
    purpose: str
    legal_basis: str
    legal_basis_note: str
    people_categories: str
    data_categories: str
    special_categories: bool
    recipients: str
    transfer_outside_eu: bool
    transfer_safeguards: str
    retention: str
    applications: list[PrivacyRefOut]
    measures: list[PrivacyRefOut]
    owner: PrivacyRefOut | None
    review_date: date | None
    active: bool
    updated_at: datetime
    version: int


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class RetentionOut(Schema):
    kind: str
    label: str
    months: int | None
    version: int


class RetentionIn(Schema):
    months: int | None = Field(default=None, ge=1, le=1200)
    version: int | None = None


class RunOut(Schema):
    id: int
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    complete: bool
    meldingen: int
    messages: int
    monitoring_results: int
    sign_ins: int
    failures: int
    failure_detail: str


class RunPage(Schema):
    items: list[RunOut]
    next_cursor: str | None


class PrivacyPersonOut(Schema):
    id: int
    name: str
    username: str
    email: str
    is_active: bool


class PersonRequestOut(Schema):
    id: int
    kind: str
    person: PrivacyRefOut | None
    reference: str
    done_at: datetime
    done_by: PrivacyRefOut | None
    meldingen: int


class PersonRequestPage(Schema):
    items: list[PersonRequestOut]
    next_cursor: str | None


class ExportIn(Schema):
    reference: TextLine = Field(max_length=100)
    format: Literal["json", "pdf"] = "json"


class EraseIn(Schema):
    reference: TextLine = Field(max_length=100)
    confirm: TextLine = Field(max_length=150, description="The person's username, typed again.")


class PersonDataOut(Schema):
    data: dict[str, Any]
