"""Input and output shapes of the acceptance session API (names unique API-wide)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field

from beheer.core.schemas import Id, Schema, Text, TextLine

SignOffIn = Literal["accepted", "conditions", "rejected"]


class AcceptanceSessionRefOut(Schema):
    id: int
    name: str


class AcceptanceSessionIn(Schema):
    title: TextLine = Field(..., max_length=200)
    starts_at: datetime
    ends_at: datetime | None = None
    place: TextLine = Field("", max_length=200)
    online_link: TextLine = Field("", max_length=500)
    introduction: Text = Field("", max_length=20000)
    instruction_ids: list[Id] = Field(default_factory=list, max_length=20)


class AcceptanceSessionUpdateIn(AcceptanceSessionIn):
    version: int | None = Field(None, description="The version you read; required")


class AcceptanceSessionCaseOut(Schema):
    id: int
    case_id: int
    code: str
    title: str
    outcome: str
    remark: str
    steps: list[dict[str, object]]
    started_at: datetime | None
    completed_at: datetime | None
    version: int


class AcceptanceSessionParticipantOut(Schema):
    id: int
    person: AcceptanceSessionRefOut
    invited_at: datetime | None
    could_work: str
    could_work_remark: str
    answered_at: datetime | None
    cases: list[AcceptanceSessionCaseOut]


class AcceptanceSessionOut(Schema):
    id: int
    change: AcceptanceSessionRefOut
    title: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    online_link: str
    introduction: str
    instructions: list[AcceptanceSessionRefOut]
    status: str
    invited_at: datetime | None
    advice: str
    advice_text: str
    advised_at: datetime | None
    sign_off: str
    sign_off_comment: str
    signed_off_by: AcceptanceSessionRefOut | None
    signed_off_at: datetime | None
    version: int


class AcceptanceSessionDetailOut(AcceptanceSessionOut):
    participants: list[AcceptanceSessionParticipantOut]


class AcceptanceSessionParticipantIn(Schema):
    person_id: Id
    case_ids: list[Id] = Field(..., min_length=1, max_length=50)


class AcceptanceSessionCasesIn(Schema):
    case_ids: list[Id] = Field(..., min_length=1, max_length=50)


class AcceptanceSessionInviteOut(Schema):
    invited: int


class AcceptanceSessionAdviceIn(Schema):
    advice: SignOffIn
    text: Text = Field("", max_length=20000)
    version: int | None = Field(None, description="The version you read; required")


# -- the portal --


class AcceptancePortalSessionOut(Schema):
    id: int
    change: AcceptanceSessionRefOut
    title: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    online_link: str
    introduction: str
    organiser: str
    instructions: list[AcceptanceSessionRefOut]
    status: str
    is_client: bool
    could_work: str | None
    advice: str | None
    sign_off: str
    signed_off_at: datetime | None


class AcceptancePortalStepOut(Schema):
    action: str
    expected: str
    done: bool
    ok: bool | None
    remark: str


class AcceptancePortalCaseOut(Schema):
    id: int
    title: str
    preconditions: str
    outcome: str
    remark: str
    steps: list[AcceptancePortalStepOut]
    screenshots: list[AcceptanceSessionRefOut]
    version: int


class AcceptancePortalStepIn(Schema):
    done: bool = False
    ok: bool | None = None
    remark: Text = Field("", max_length=2000)


class AcceptancePortalStepsIn(Schema):
    steps: list[AcceptancePortalStepIn] = Field(..., max_length=200)
    version: int | None = Field(None, description="The version you read; required")


class AcceptancePortalCompleteIn(Schema):
    outcome: Literal["passed", "failed", "blocked"]
    remark: Text = Field("", max_length=2000)
    version: int | None = Field(None, description="The version you read; required")


class AcceptancePortalAnswerIn(Schema):
    answer: Literal["yes", "with_help", "no"]
    remark: Text = Field("", max_length=2000)


class AcceptancePortalSignOffIn(Schema):
    decision: SignOffIn
    comment: Text = Field("", max_length=20000)


class AcceptancePortalResultOut(Schema):
    participant: AcceptanceSessionRefOut
    case: AcceptanceSessionRefOut
    outcome: str
    remark: str


class AcceptancePortalResultsOut(Schema):
    results: list[AcceptancePortalResultOut]
    could_work: list[dict[str, str]]
    findings: list[str]
    advice: str
    advice_text: str
