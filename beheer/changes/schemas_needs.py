"""Input and output shapes of the needs API: requirements, notes, open questions, stakeholders,
designs, traceability and the client's decision (class names prefixed: unique API-wide)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine

Priority = Literal["must", "should", "could", "wont"]


class NeedsRefOut(Schema):
    id: int
    name: str


class NeedsRequirementOut(Schema):
    id: int
    code: str
    text: str
    priority: str
    acceptance_criteria: str
    source: NeedsRefOut | None
    status: str
    created_at: datetime
    updated_at: datetime
    version: int


class NeedsRequirementIn(Schema):
    text: Text = Field(min_length=1, max_length=4000)
    priority: Priority
    acceptance_criteria: Text = Field("", max_length=4000)
    source_id: Id | None = Field(None, description="A stakeholder of this change")


class NeedsRequirementUpdateIn(NeedsRequirementIn):
    status: Literal["active", "withdrawn"] = "active"
    version: Int64


class NeedsNoteOut(Schema):
    id: int
    held_on: date
    kind: str
    participants: str
    notes: str = Field(description="Markdown")
    notes_html: str = Field(description="The notes as sanitised HTML")
    author: NeedsRefOut | None
    created_at: datetime
    version: int


class NeedsNoteIn(Schema):
    held_on: date
    kind: Literal["interview", "meeting", "workshop"]
    participants: TextLine = Field("", max_length=500)
    notes: Text = Field("", max_length=50_000)


class NeedsNoteUpdateIn(NeedsNoteIn):
    version: Int64


class NeedsQuestionOut(Schema):
    id: int
    question: str
    asked_of: NeedsRefOut | None
    answer: str
    status: str
    created_at: datetime
    answered_at: datetime | None
    version: int


class NeedsQuestionIn(Schema):
    question: Text = Field(min_length=1, max_length=4000)
    asked_of_id: Id | None = Field(None, description="A stakeholder of this change")


class NeedsAnswerIn(Schema):
    answer: Text = Field("", max_length=4000, description="Empty: the question is open again")
    version: Int64


class NeedsStakeholderOut(Schema):
    id: int
    person: NeedsRefOut | None
    name: str
    email: str
    role: str
    interest: str
    added_at: datetime


class NeedsStakeholderIn(Schema):
    person_id: Id | None = None
    name: TextLine = Field("", max_length=200)
    email: TextLine = Field("", max_length=254)
    role: Literal["client", "key_user", "stakeholder", "supplier"] = "stakeholder"
    interest: Text = Field("", max_length=4000)


class NeedsDecisionOut(Schema):
    id: int
    needs_version: int
    approver: NeedsRefOut | None
    decision: str
    comment: str
    at: datetime
    outdated: bool


class NeedsDesignOut(Schema):
    id: int = Field(description="The link's id")
    article: NeedsRefOut
    kind: str
    version_number: int | None
    version_state: str | None
    reviewed: bool
    client_decision: str = Field(description="approved, rejected, waiting or empty (no client)")


class NeedsDesignNewIn(Schema):
    kind: Literal["functional_design", "technical_design"]
    title: TextLine = Field("", max_length=200)


class NeedsDesignLinkIn(Schema):
    article_id: Id


class NeedsSectionOut(Schema):
    article: NeedsRefOut
    version_number: int
    heading: str


class NeedsCoverageOut(Schema):
    requirement: NeedsRefOut
    code: str
    priority: str
    covered: bool
    sections: list[NeedsSectionOut]


class NeedsOut(Schema):
    version: int
    approved: bool = Field(description="The client approved the current needs version")
    latest_decision: NeedsDecisionOut | None
    requirements: list[NeedsRequirementOut]
    notes: list[NeedsNoteOut]
    questions: list[NeedsQuestionOut]
    stakeholders: list[NeedsStakeholderOut]
    designs: list[NeedsDesignOut]
    decisions: list[NeedsDecisionOut]


class PortalNeedsRequirementOut(Schema):
    code: str
    text: str
    priority: str
    acceptance_criteria: str


class PortalNeedsQuestionOut(Schema):
    id: int
    question: str
    answer: str
    status: str


class PortalNeedsDesignOut(Schema):
    version_id: int
    title: str
    kind: str
    number: int
    url: str


class PortalNeedsOut(Schema):
    version: int
    requirements: list[PortalNeedsRequirementOut]
    questions: list[PortalNeedsQuestionOut] = Field(description="The questions asked of you")
    designs_waiting: list[PortalNeedsDesignOut]
    can_decide: bool = Field(description="You are the client and have not decided on this version")
    my_decision: NeedsDecisionOut | None


class PortalNeedsDecisionIn(Schema):
    decision: Literal["approve", "reject"]
    comment: Text = Field("", max_length=4000)
    needs_version: Int64 = Field(description="The needs version you read")
