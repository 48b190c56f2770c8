"""API input and output shapes for the servicedesk (shape only; rules live in services)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from beheer.core.schemas import INT64_MAX, Id, Int64, Schema, Text, TextLine

from .models import EntryType, Line, Visibility

SUGGESTION_TEXT_MAX = 5000


class Ref(Schema):
    id: int
    name: str


class StatusRef(Ref):
    kind: str
    pauses_sla: bool


class PriorityRef(Ref):
    level: int


class MeldingOut(Schema):
    id: int
    number: str
    brief_description: str
    entry_type: EntryType
    call_type: Ref
    line: Line
    parent_id: int | None
    caller: Ref | None
    caller_name: str
    category: Ref | None
    subcategory: Ref | None
    object_name: str
    impact: Ref
    urgency: Ref
    priority: PriorityRef
    target_date: datetime
    operator_group: Ref | None
    operator: Ref | None
    supplier: Ref | None
    status: StatusRef
    is_open: bool
    created_at: datetime
    updated_at: datetime
    version: int
    sla_policy: Ref | None
    sla_state: str = Field(description="on_track, at_risk, breached, met, paused, or empty without an SLA")
    response_due: datetime | None
    resolution_due: datetime | None
    response_met: bool | None
    resolution_met: bool | None


class MeldingContractOut(Schema):
    id: int
    reference: str
    title: str
    response_time: str
    end_date: dt.date


class MeldingDetailOut(MeldingOut):
    request: str
    caller_email: str
    caller_phone: str
    estimated_minutes: int | None
    estimated_people: int | None
    estimated_means: str
    solution: str
    is_workaround: bool
    closure_code: Ref | None
    merged_into_id: int | None
    reopen_count: int
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    partials_resolved: int
    partials_total: int
    linked_ids: list[int]
    confirmed_at: datetime | None = None
    satisfaction_rating: int | None = None
    satisfaction_comment: str = ""
    problem: ProblemRef | None = None  # operators only: never shown to a caller
    ci: Ref | None = Field(
        None, description="The configuration item the melding is about; null when you may not see it"
    )
    contracts: list[MeldingContractOut] | None = Field(
        None,
        description=(
            "Staff only: the active contracts of the melding's supplier that cover its configuration"
            " item (empty: none does); null without a supplier or a CI, and always for callers"
        ),
    )


class ProblemRef(Schema):
    id: int
    number: str


class MeldingPage(Schema):
    items: list[MeldingOut]
    next_cursor: str | None


class MeldingCreate(Schema):
    brief_description: TextLine = Field(min_length=1, max_length=80)
    request: Text = Field("", max_length=100_000)
    entry_type: EntryType = EntryType.API
    call_type_id: Id | None = None
    caller_id: Id | None = None
    caller_name: TextLine = Field("", max_length=150)
    caller_email: TextLine = Field("", max_length=254)
    caller_phone: TextLine = Field("", max_length=40)
    category_id: Id | None = None
    subcategory_id: Id | None = None
    object_name: TextLine = Field("", max_length=200)
    ci_id: Id | None = Field(
        None, description="The configuration item (a caller: one they own or use; staff: any not retired)"
    )
    impact_id: Id | None = None
    urgency_id: Id | None = None
    target_date: datetime | None = None
    operator_group_id: Id | None = None
    operator_id: Id | None = None
    estimated_minutes: Int64 | None = Field(None, ge=0, le=10_000_000)
    estimated_people: Int64 | None = Field(None, ge=0, le=10_000)
    estimated_means: Text = Field("", max_length=500)


class Versioned(Schema):
    version: int = Field(
        ge=1, le=INT64_MAX, description="The version you last read; a stale version gives 409."
    )


class ClassificationIn(Versioned):
    brief_description: TextLine = Field(min_length=1, max_length=80)
    request: Text = Field("", max_length=100_000)
    call_type_id: Id
    category_id: Id | None = None
    subcategory_id: Id | None = None
    object_name: TextLine = Field("", max_length=200)
    ci_id: Id | None = Field(
        None, description="The configuration item (any not retired); left as it is when the field is absent"
    )
    impact_id: Id
    urgency_id: Id


class AssignIn(Versioned):
    operator_group_id: Id | None = None
    operator_id: Id | None = None


class StatusIn(Versioned):
    status_id: Id
    supplier_id: Id | None = None  # required by a status that asks for the supplier (waiting for supplier)


class TargetDateIn(Versioned):
    target_date: datetime


class EscalateIn(Versioned):
    to_group_id: Id
    operator_id: Id | None = None
    reason: Text = Field(min_length=1, max_length=1000)


class EstimatesIn(Versioned):
    minutes: Int64 | None = Field(None, ge=0, le=10_000_000)
    people: Int64 | None = Field(None, ge=0, le=10_000)
    means: Text = Field("", max_length=500)


class ResolveIn(Versioned):
    solution: Text = Field(min_length=1, max_length=100_000)
    is_workaround: bool = False
    closure_code_id: Id | None = None
    article_id: Id | None = Field(default=None, ge=1, description="resolve with this knowledge article")


class CloseIn(Versioned):
    pass


class ReopenIn(Schema):
    reason: Text = Field(min_length=1, max_length=2000)


class NoteIn(Schema):
    text: Text = Field(min_length=1, max_length=100_000)
    visibility: Visibility = Visibility.INTERNAL


class NoteOut(Schema):
    id: int
    text: str
    visibility: Visibility
    author: Ref | None
    created_at: datetime


class HistoryOut(Schema):
    id: int
    at: datetime
    actor: Ref | None
    action: str
    field: str
    old_value: str
    new_value: str
    detail: str


class TimeIn(Schema):
    minutes: int = Field(ge=1, le=1440)
    date: dt.date | None = None
    note: TextLine = Field("", max_length=200)


class TimeOut(Schema):
    id: int
    operator: Ref
    line: Line
    operator_group: Ref | None = Field(
        None, description="The group the melding was in when the time was booked."
    )
    minutes: int
    date: dt.date
    note: str


class LinkIn(Schema):
    other_id: Id


class MergeIn(Schema):
    into_id: Id


class PartialIn(Schema):
    brief_description: TextLine = Field(min_length=1, max_length=80)
    request: Text = Field("", max_length=100_000)
    operator_group_id: Id | None = None
    operator_id: Id | None = None
    supplier_id: Id | None = None


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    visible_to_caller: bool
    created_at: datetime


class LookupOut(Schema):
    id: int
    code: str
    name: str


class LevelLookupOut(LookupOut):
    level: int


class StatusLookupOut(LookupOut):
    kind: str
    pauses_sla: bool


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None


class GroupOut(Schema):
    id: int
    name: str
    is_first_line: bool
    is_second_line: bool


class PersonOut(Schema):
    id: int
    name: str
    email: str
    department: str | None
    branch: str | None


class SlaMetricOut(Schema):
    target_minutes: int
    elapsed_minutes: float
    remaining_minutes: float
    paused_minutes: float
    due: datetime | None
    state: str
    stopped_at: datetime | None
    breached_at: datetime | None


class OlaOut(Schema):
    operator_group: Ref
    calendar: Ref | None
    holding: bool = Field(description="The group has the melding now")
    first_assigned_at: datetime
    target_minutes: int
    elapsed_minutes: float = Field(description="Business minutes the group held the melding, pauses excluded")
    remaining_minutes: float
    paused_minutes: float
    due: datetime | None = Field(description="While the group's clock runs")
    state: str = Field(description="on_track, at_risk, breached, met or paused")
    stopped_at: datetime | None
    breached_at: datetime | None


class SlaOut(Schema):
    policy: Ref | None
    calendar: Ref | None
    response: SlaMetricOut | None
    resolution: SlaMetricOut | None
    update: SlaMetricOut | None = Field(
        None, description="The caller-update clock, when the SLA target sets an update interval"
    )
    last_update_at: datetime | None = Field(None, description="The last update the caller could see")
    olas: list[OlaOut] = Field(default_factory=list, description="OLA clocks per operator group")


class ConfirmIn(Schema):
    """Optional satisfaction with the confirmation: a rating 1-5 and a comment (the caller only)."""

    rating: Int64 | None = Field(None, ge=1, le=5)
    comment: Text = Field("", max_length=2000)


class MeldingListParams(Schema):
    """Filters, sort and page of a melding list: the API list, its exports and the reports' XLSX."""

    queue: TextLine = "all"
    q: TextLine = ""
    status: Id | None = None
    operator_group: Id | None = None
    operator: Id | None = None
    category: Id | None = None
    priority: Id | None = None
    call_type: Id | None = None
    line: TextLine = ""
    caller: Id | None = None
    entry_type: TextLine = ""
    sla: Literal["", "on_track", "at_risk", "breached", "paused", "met"] = ""
    age: Literal["", "0-2", "3-7", "8-30", "31+"] = ""
    created: Literal["", "today", "yesterday"] = ""
    resolved: Literal["", "today", "yesterday"] = ""
    unassigned: bool = False
    status_code: TextLine = ""
    status_kind: Literal["", "new", "open", "waiting", "resolved", "closed"] = ""
    groups: Literal["", "mine", "none"] = ""
    sort: TextLine = "priority"
    cursor: TextLine | None = None
    limit: Int64 = 25

    @field_validator("queue", "q", "line", "entry_type", "status_code", "sort", "cursor", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL refuses NUL characters in strings; they never mean anything in a filter.
        return value.replace("\x00", "") if isinstance(value, str) else value


class TargetIO(Schema):
    priority_id: Id
    response_minutes: int | None = Field(None, gt=0, le=10_000_000)
    resolution_minutes: int = Field(gt=0, le=10_000_000)
    update_minutes: int | None = Field(None, gt=0, le=10_000_000)


class PolicyIn(Schema):
    name: TextLine = Field(min_length=1, max_length=100)
    description: Text = Field("", max_length=5000)
    calendar_id: Id
    order: int = Field(100, ge=0, le=1_000_000)
    at_risk_percent: int = Field(75, ge=1, le=99)
    escalate_on_breach: bool = False
    raise_priority_on_breach: bool = False
    escalation_group_id: Id | None = None
    call_type_ids: list[Id] = Field(default_factory=list, max_length=1000)
    category_ids: list[Id] = Field(default_factory=list, max_length=1000)
    department_ids: list[Id] = Field(default_factory=list, max_length=1000)
    branch_ids: list[Id] = Field(default_factory=list, max_length=1000)
    targets: list[TargetIO] = Field(default_factory=list, max_length=100)


class PolicyOut(PolicyIn):
    id: int
    active: bool


class PolicyPage(Schema):
    items: list[PolicyOut]
    next_cursor: str | None


class OlaTargetIn(Schema):
    operator_group_id: Id
    priority_id: Id | None = None
    minutes: int = Field(gt=0, le=10_000_000)
    calendar_id: Id | None = None
    at_risk_percent: int = Field(75, ge=1, le=99)
    active: bool = True


class OlaTargetOut(OlaTargetIn):
    id: int


class SuggestionParams(Schema):
    text: Text = Field(
        default="", max_length=SUGGESTION_TEXT_MAX, description="free text (or use the two fields)"
    )
    brief_description: TextLine = Field(default="", max_length=SUGGESTION_TEXT_MAX)
    request: Text = Field(default="", max_length=SUGGESTION_TEXT_MAX)


class ArticleSuggestionOut(Schema):
    id: int
    reference: str
    title: str
    kind: str
    audience: str
    tags: list[str]
    snippet: str
    score: float


class MeldingSuggestionOut(Schema):
    id: int
    number: str
    brief_description: str
    solution: str
    snippet: str
    score: float


class SuggestionsOut(Schema):
    articles: list[ArticleSuggestionOut]
    meldingen: list[MeldingSuggestionOut]


class ArticleRefOut(Schema):
    id: int
    reference: str
    title: str
    audience: str
    status: str


class MeldingArticlesOut(Schema):
    solution_article: ArticleRefOut | None
    linked: list[ArticleRefOut]


class ArticleLinkIn(Schema):
    article_id: Id


class RelatedMeldingOut(Schema):
    id: int
    number: str
    brief_description: str
    status: str
    resolved_with: bool
    resolved_at: datetime | None


class RelatedOut(Schema):
    total: int
    items: list[RelatedMeldingOut]


class MadeArticleOut(Schema):
    id: int
    reference: str
    title: str
    status: str


class DeflectionOut(Schema):
    days: int
    sessions: int
    viewed: int
    deflected: int
    submitted: int
    rate: float | None
