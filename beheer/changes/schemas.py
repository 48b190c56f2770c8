"""Input and output shapes of the change API (class names prefixed: they are unique API-wide)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine

Kind = Literal["standard", "normal", "emergency"]


class ChangeRefOut(Schema):
    id: int
    name: str


class ChangePhaseOut(Schema):
    id: int
    code: str
    name: str
    order: int
    active: bool
    optional: bool
    version: int


class ChangeSummaryOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    status: str
    phase: ChangePhaseOut
    risk_level: ChangeRefOut | None
    approval_status: str
    approved_afterwards: bool
    coordinator: ChangeRefOut | None
    project: ChangeRefOut | None
    updated_at: datetime
    version: int


class ChangePage(Schema):
    items: list[ChangeSummaryOut]
    next_cursor: str | None


class ChangeNextPhaseOut(Schema):
    phase: ChangePhaseOut
    allowed: bool
    blocked_by: list[str]


class ChangeActivityOut(Schema):
    id: int
    title: str
    assignee: ChangeRefOut | None
    operator_group: ChangeRefOut | None
    estimate_minutes: int
    planned_start: datetime | None
    planned_end: datetime | None
    done_at: datetime | None
    done_by: ChangeRefOut | None
    deviation: str


class ChangeApprovalOut(Schema):
    id: int
    round: int
    approver: ChangeRefOut
    decision: str
    comment: str
    retroactive: bool
    requested_at: datetime
    decided_at: datetime | None


class ChangeImpactOut(Schema):
    services: list[ChangeRefOut]
    service_count: int
    people: list[ChangeRefOut]
    people_count: int


class ChangeOut(ChangeSummaryOut):
    description: str
    requester: ChangeRefOut | None
    client: ChangeRefOut | None
    operator_group: ChangeRefOut | None
    origin_melding: ChangeRefOut | None
    template: ChangeRefOut | None
    likelihood: int | None
    impact: int | None
    rollback_plan: str
    planned_start: datetime | None
    planned_end: datetime | None
    approved_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    cis: list[ChangeRefOut]
    affected: ChangeImpactOut
    next_phases: list[ChangeNextPhaseOut]
    activities: list[ChangeActivityOut]
    approvals: list[ChangeApprovalOut]


class ChangeIn(Schema):
    title: TextLine = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=20_000)
    kind: Kind = "normal"
    requester_id: Id | None = None
    client_id: Id | None = None
    coordinator_id: Id | None = None
    operator_group_id: Id | None = None
    project_id: Id | None = None
    likelihood: int | None = Field(None, ge=1, le=4)
    impact: int | None = Field(None, ge=1, le=4)
    rollback_plan: Text = Field("", max_length=20_000)
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    ci_ids: list[Id] = Field(default_factory=list, max_length=200, description="Only when registering")
    version: Int64 | None = Field(None, description="The version you read; required when changing")


class ChangeFromTemplateIn(Schema):
    template_id: Id
    requester_id: Id | None = None
    client_id: Id | None = None
    ci_ids: list[Id] = Field(default_factory=list, max_length=200)
    planned_start: datetime | None = None


class ChangeFromMeldingIn(Schema):
    melding_id: Id


class ChangeMoveIn(Schema):
    phase_id: Id
    version: Int64


class ChangeVersionIn(Schema):
    version: Int64


class ChangeCancelIn(Schema):
    version: Int64
    reason: Text = Field("", max_length=2000)


class ChangeCiIn(Schema):
    ci_id: Id


class ChangeActivityIn(Schema):
    title: TextLine = Field(min_length=1, max_length=200)
    assignee_id: Id | None = None
    operator_group_id: Id | None = None
    estimate_minutes: int = Field(0, ge=0, le=525_600)
    planned_start: datetime | None = None
    planned_end: datetime | None = None


class ChangeDeviationIn(Schema):
    deviation: Text = Field(min_length=1, max_length=4000)


class ChangeListParams(Schema):
    phase_id: Id | None = None
    kind: Kind | None = None
    state: Literal["open", "closed", "all"] = "open"
    mine: bool = False
    ci_id: Id | None = None
    project_id: Id | None = None
    approved_afterwards: bool = False
    q: TextLine = Field("", max_length=200)
    cursor: TextLine | None = Field(None, max_length=2000)


class ChangeMyApprovalOut(Schema):
    id: int
    change: ChangeRefOut
    phase: str
    round: int
    decision: str
    retroactive: bool
    requested_at: datetime
    open: bool


class ChangeDecisionIn(Schema):
    decision: Literal["approve", "reject"]
    comment: Text = Field("", max_length=4000)


class ChangeProjectOut(Schema):
    id: int
    name: str
    goal: str
    plan: str
    budget: Decimal | None
    owner: ChangeRefOut | None
    client: ChangeRefOut | None
    start_date: date | None
    end_date: date | None
    status: str
    version: int


class ChangeProjectPage(Schema):
    items: list[ChangeProjectOut]
    next_cursor: str | None


class ChangeProjectIn(Schema):
    name: TextLine = Field(min_length=1, max_length=200)
    goal: Text = Field("", max_length=20_000)
    plan: Text = Field("", max_length=20_000)
    budget: Decimal | None = Field(None, ge=0, lt=Decimal("1e10"), max_digits=12, decimal_places=2)
    owner_id: Id | None = None
    client_id: Id | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: Literal["proposed", "active", "completed", "cancelled"] = "proposed"
    version: Int64 | None = Field(None, description="The version you read; required when changing")


class ChangePortalOut(Schema):
    """What a requester or client sees of a change: nothing internal."""

    id: int
    number: str
    title: str
    description: str
    phase: str
    status: str
    created_at: datetime


class ChangePortalIn(Schema):
    title: TextLine = Field(min_length=1, max_length=200)
    description: Text = Field("", max_length=20_000)
    ci_id: Id | None = Field(None, description="One of your own objects")


class ChangePhaseIn(Schema):
    name_nl: TextLine = Field(min_length=1, max_length=80)
    name_en: TextLine = Field(min_length=1, max_length=80)
    order: int = Field(ge=0, le=10_000)
    active: bool = True
    version: Int64


class ChangeRiskCellOut(Schema):
    likelihood: int
    impact: int
    level: ChangeRefOut


class ChangeRiskCellIn(Schema):
    likelihood: int = Field(ge=1, le=4)
    impact: int = Field(ge=1, le=4)
    level_id: Id


class ChangeApprovalRuleOut(Schema):
    id: int
    kind: str
    operator_group: ChangeRefOut | None
    service_owners: bool
    rule: str
    version: int


class ChangeApprovalRuleIn(Schema):
    operator_group_id: Id | None = None
    service_owners: bool = True
    rule: Literal["all", "any", "majority"] = "all"
    version: Int64


class ChangeTemplateActivityOut(Schema):
    title: str
    estimate_minutes: int


class ChangeTemplateOut(Schema):
    id: int
    name: str
    title: str
    description: str
    active: bool
    activities: list[ChangeTemplateActivityOut]
    version: int
