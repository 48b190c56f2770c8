"""Input and output shapes of the problem API (shape only; the problem services check the rules)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine
from beheer.knowledge.models import Audience
from beheer.servicedesk.schemas import HistoryOut, PriorityRef, Ref

from .models import ProblemStatus

__all__ = ["HistoryOut"]


class ProblemOut(Schema):
    id: int
    number: str
    title: str
    status: ProblemStatus
    priority: PriorityRef
    operator_group: Ref | None
    operator: Ref | None
    open_meldingen: int
    linked_meldingen: int
    created_at: datetime
    updated_at: datetime
    version: int


class LinkedMeldingOut(Schema):
    id: int
    number: str
    brief_description: str
    status: Ref
    is_open: bool


class ProblemDetailOut(ProblemOut):
    description: str
    impact: Ref
    urgency: Ref
    root_cause: str
    workaround: str
    solution: str
    known_error_article_id: int | None
    resolved_at: datetime | None
    closed_at: datetime | None
    meldingen: list[LinkedMeldingOut]


class ProblemPage(Schema):
    items: list[ProblemOut]
    next_cursor: str | None


class ProblemListParams(Schema):
    q: TextLine = Field("", max_length=200)
    status: TextLine = Field("", description='"" (open problems), "all" or one status')
    operator_group: Id | None = None
    operator: Id | None = None
    melding: Id | None = Field(None, description="Only the problem this melding is linked to")
    cursor: TextLine | None = None
    limit: Int64 = 50


class ProblemCreate(Schema):
    title: TextLine = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=100_000)
    impact_id: Id | None = None
    urgency_id: Id | None = None
    operator_group_id: Id | None = None
    operator_id: Id | None = None
    root_cause: Text = Field("", max_length=100_000)
    workaround: Text = Field("", max_length=100_000)


class ProblemUpdate(Schema):
    version: Int64
    title: TextLine = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=100_000)
    impact_id: Id
    urgency_id: Id
    root_cause: Text = Field("", max_length=100_000)
    workaround: Text = Field("", max_length=100_000)


class ProblemVersionIn(Schema):
    version: Int64 | None = None


class ProblemAssignIn(ProblemVersionIn):
    operator_group_id: Id | None = None
    operator_id: Id | None = None


class ProblemReopenIn(ProblemVersionIn):
    reason: Text = Field(min_length=1, max_length=2000)


class ProblemResolveIn(ProblemVersionIn):
    solution: Text = Field("", max_length=100_000)
    resolve_melding_ids: list[Id] | None = Field(
        None, description="Linked meldingen to resolve with the solution; omitted: every open linked one"
    )
    note_others: bool = True


class OutcomeOut(Schema):
    melding_id: int
    number: str
    outcome: str
    message: str


class ResolveOut(Schema):
    problem: ProblemDetailOut
    outcomes: list[OutcomeOut]


class LinkMeldingIn(Schema):
    melding_id: Id


class ProblemArticleIn(ProblemVersionIn):
    title: TextLine = Field("", max_length=200)
    audience: Audience = Audience.OPERATORS


class LinkArticleIn(ProblemVersionIn):
    article_id: Id | None
