"""Input and output shapes of the access rights API (class names prefixed: they are unique across
the whole API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine

RightStatusCode = Literal["requested", "approved", "rejected", "granted", "revoked", "expired"]


class RightsRefOut(Schema):
    id: int
    name: str


class AccessRightOut(Schema):
    id: int
    person: RightsRefOut
    ci: RightsRefOut
    right: str
    status: RightStatusCode
    melding_id: int | None
    reference: str
    reason: str
    requested_at: datetime
    requested_by: RightsRefOut | None
    decided_at: datetime | None
    decided_by: RightsRefOut | None
    decision_note: str
    granted_at: datetime | None
    granted_by: RightsRefOut | None
    valid_until: date | None
    ended_at: datetime | None
    revoked_by: RightsRefOut | None
    revoke_reason: str
    version: int


class AccessRightSummaryOut(Schema):
    id: int
    person: RightsRefOut
    ci: RightsRefOut
    right: str
    status: RightStatusCode
    valid_until: date | None
    version: int


class AccessRightPage(Schema):
    items: list[AccessRightSummaryOut]
    next_cursor: str | None


class AccessRightListParams(Schema):
    status: RightStatusCode | None = None
    ci_id: Id | None = None
    person_id: Id | None = None
    cursor: TextLine | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=200)


class AccessRightIn(Schema):
    person_id: Id | None = Field(
        None, description="Whose right; empty: your own (callers request only their own)"
    )
    ci_id: Id = Field(description="An application or service CI")
    right: TextLine = Field(min_length=1, max_length=80)
    melding_id: Id | None = Field(None, description="The call the request came in with")
    reference: TextLine = Field("", max_length=80)
    reason: Text = Field("", max_length=2000)
    valid_until: date | None = None


class AccessRightDecisionIn(Schema):
    version: Int64 = Field(description="The version you read; a stale one is a 409")
    note: Text = Field("", max_length=2000)


class AccessRightGrantIn(Schema):
    version: Int64 = Field(description="The version you read; a stale one is a 409")
    valid_until: date | None = Field(None, description="Empty: the date requested, if any")


class AccessRightRevokeIn(Schema):
    version: Int64 | None = Field(None, description="The version you read; a stale one is a 409")
    reason: Text = Field(min_length=1, max_length=2000)


class AccessPolicyOut(Schema):
    ci: RightsRefOut
    approver: RightsRefOut | None
    effective_approver: RightsRefOut | None
    known_rights: list[str]
    version: int | None


class AccessPolicyIn(Schema):
    approver_id: Id | None = None
    known_rights: list[TextLine] = Field(default_factory=list, max_length=50)
    version: Int64 | None = Field(None, description="The version you read; empty for a CI without a policy")


class RightsLeaverOut(Schema):
    person: RightsRefOut
    username: str
    held: int


class RightsLeaverPage(Schema):
    items: list[RightsLeaverOut]
    next_cursor: str | None


class RightsRevokeAllIn(Schema):
    reason: Text = Field(min_length=1, max_length=2000)


class RightsRevokeAllOut(Schema):
    revoked: int


class ReviewCampaignIn(Schema):
    name: TextLine = Field(min_length=1, max_length=120)
    deadline: date
    ci_ids: list[Id] = Field(default_factory=list, max_length=500, description="Empty: every application")


class ReviewCampaignOut(Schema):
    id: int
    name: str
    deadline: date
    all_cis: bool
    status: Literal["open", "closed"]
    created_at: datetime
    closed_at: datetime | None


class ReviewCampaignPage(Schema):
    items: list[ReviewCampaignOut]
    next_cursor: str | None


class ReviewItemOut(Schema):
    id: int
    access_right_id: int | None
    ci_name: str
    person_name: str
    right: str
    reviewer: RightsRefOut | None
    outcome: Literal["open", "confirmed", "revoked"]
    decided_at: datetime | None
    note: str


class ReviewItemPage(Schema):
    items: list[ReviewItemOut]
    next_cursor: str | None


class ReviewItemListParams(Schema):
    mine: bool = False
    cursor: TextLine | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=200)


class ReviewAnswerIn(Schema):
    outcome: Literal["confirmed", "revoked"]
    note: Text = Field("", max_length=2000, description="Required to revoke: the reason")


class ReviewReportRowOut(Schema):
    ci_name: str
    reviewer_name: str
    confirmed: int
    revoked: int
    open: int
    total: int


class ReviewReportTotalsOut(Schema):
    confirmed: int
    revoked: int
    open: int
    total: int


class ReviewReportOut(Schema):
    rows: list[ReviewReportRowOut]
    totals: ReviewReportTotalsOut


class RightsCursorParams(Schema):
    cursor: TextLine | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=200)
