"""Input and output shapes of the evaluation API (class names prefixed: they are unique API-wide)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field

from beheer.core.schemas import Id, Schema, Text, TextLine

from .schemas import ChangeRefOut

FindingKindIn = Literal["finding", "lesson"]
FindingCategoryIn = Literal["planning", "communication", "technology", "supplier", "budget", "other"]
TargetIn = Literal["melding", "change", "article"]


class ChangeFeedbackSummaryOut(Schema):
    asked: int
    answered: int
    average: float | None = Field(
        description="Average satisfaction (1-5) of the answers; null without answers"
    )


class ChangeFeedbackRequestOut(Schema):
    id: int
    stakeholder_id: int | None
    person: ChangeRefOut | None
    name: str
    requested_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    satisfaction: int | None
    went_well: str
    could_be_better: str
    may_contact: bool


class ChangeFeedbackRequestPage(Schema):
    items: list[ChangeFeedbackRequestOut]
    next_cursor: str | None


class ChangeFeedbackRequestIn(Schema):
    stakeholder_ids: list[Id] = Field(..., min_length=1, max_length=200)


class ChangeFeedbackAnswerIn(Schema):
    satisfaction: int = Field(..., ge=1, le=5, description="1 = not at all satisfied, 5 = very satisfied")
    went_well: Text = ""
    could_be_better: Text = ""
    may_contact: bool = False


class ChangeMyFeedbackOut(Schema):
    id: int
    change: ChangeRefOut
    requested_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    open: bool
    satisfaction: int | None
    went_well: str
    could_be_better: str
    may_contact: bool


class ChangeFindingIn(Schema):
    kind: FindingKindIn = "finding"
    category: FindingCategoryIn = "other"
    text: Text


class ChangeFindingOut(Schema):
    id: int
    kind: str
    category: str
    text: str
    created_at: datetime
    created_by: ChangeRefOut | None


class ChangeFollowUpIn(Schema):
    title: TextLine
    description: Text = ""


class ChangeFollowUpConvertIn(Schema):
    to: TargetIn


class ChangeFollowUpOut(Schema):
    id: int
    title: str
    description: str
    converted_to: str
    converted_at: datetime | None
    melding: ChangeRefOut | None
    new_change: ChangeRefOut | None
    article: ChangeRefOut | None


class ChangeAdviceIn(Schema):
    advice: Text
    version: int = Field(..., ge=0, description="The version of the evaluation you read (0 when it had none)")


class ChangeEvaluationOut(Schema):
    change: ChangeRefOut
    can_evaluate: bool
    advice: str
    version: int
    summary: ChangeFeedbackSummaryOut
    findings: list[ChangeFindingOut]
    follow_ups: list[ChangeFollowUpOut]
