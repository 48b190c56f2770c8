"""Input and output shapes of the risks and classification API (class names prefixed: unique
API-wide)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine

CiaValue = Literal[1, 2, 3]
Level = Literal[1, 2, 3, 4, 5]
TreatmentCode = Literal["", "accept", "reduce", "transfer", "avoid"]
RiskStatusCode = Literal["open", "treated", "accepted", "closed"]
BandCode = Literal["low", "medium", "high", "critical"]


class SecurityRefOut(Schema):
    id: int
    name: str


class SecurityClassificationOwnOut(Schema):
    availability: int
    integrity: int
    confidentiality: int
    code: str
    justification: str
    classified_by: SecurityRefOut
    classified_at: datetime
    version: int


class SecuritySuggestedAspectOut(Schema):
    value: int
    source: SecurityRefOut
    depth: int = Field(description="Relations between the source and this CI")


class SecuritySuggestionOut(Schema):
    availability: SecuritySuggestedAspectOut | None
    integrity: SecuritySuggestedAspectOut | None
    confidentiality: SecuritySuggestedAspectOut | None


class SecurityClassificationOut(Schema):
    ci: SecurityRefOut
    ci_kind: str
    own: SecurityClassificationOwnOut | None
    suggested: SecuritySuggestionOut
    below_suggestion: bool


class SecurityClassificationPage(Schema):
    items: list[SecurityClassificationOut]
    next_cursor: str | None


class SecurityClassificationListParams(Schema):
    scope: Literal["main", "services", "applications", "all"] = "main"
    state: Literal["", "classified", "unclassified"] = ""
    q: TextLine = Field("", max_length=200)
    cursor: TextLine | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=200)


class SecurityClassificationIn(Schema):
    availability: CiaValue = Field(description="1 low, 2 medium, 3 high")
    integrity: CiaValue
    confidentiality: CiaValue
    justification: Text = Field("", max_length=5000)
    version: Int64 | None = Field(None, description="The version you read (required to change one)")


class SecurityVersionIn(Schema):
    version: Int64 | None = None


class SecurityLevelOut(Schema):
    axis: str
    value: int
    name: str
    name_nl: str
    name_en: str


class SecurityLevelIn(Schema):
    axis: Literal["likelihood", "impact"]
    value: Level
    name_nl: TextLine = Field(max_length=80)
    name_en: TextLine = Field(max_length=80)


class SecurityMatrixCellOut(Schema):
    likelihood: int
    impact: int
    score: int
    band: str


class SecurityMatrixOut(Schema):
    medium_from: int
    high_from: int
    critical_from: int
    levels: list[SecurityLevelOut]
    cells: list[SecurityMatrixCellOut]
    version: int


class SecurityMatrixIn(Schema):
    medium_from: int = Field(ge=1, le=25)
    high_from: int = Field(ge=1, le=25)
    critical_from: int = Field(ge=1, le=25)
    levels: list[SecurityLevelIn] = Field(default_factory=list, max_length=10)
    version: Int64


class SecurityRiskOut(Schema):
    id: int
    number: str
    title: str
    threat: str
    vulnerability: str
    cis: list[SecurityRefOut]
    likelihood: int
    impact: int
    inherent_score: int
    inherent_band: str
    treatment: str
    treatment_plan: str
    controls: list[SecurityRefOut]
    residual_likelihood: int | None
    residual_impact: int | None
    residual_score: int | None
    residual_band: str
    owner: SecurityRefOut | None
    review_date: date | None
    status: str
    acceptance_reason: str
    accepted_by: SecurityRefOut | None
    accepted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class SecurityRiskPage(Schema):
    items: list[SecurityRiskOut]
    next_cursor: str | None


class SecurityRiskListParams(Schema):
    status: Literal["", "current", "open", "treated", "accepted", "closed"] = ""
    band: Literal["", "low", "medium", "high", "critical"] = ""
    owner_id: Id | None = None
    ci_id: Id | None = None
    control_id: Id | None = None
    overdue: bool = False
    q: TextLine = Field("", max_length=200)
    cursor: TextLine | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=200)


class SecurityRiskIn(Schema):
    title: TextLine = Field(max_length=200)
    threat: Text = Field("", max_length=10_000)
    vulnerability: Text = Field("", max_length=10_000)
    ci_ids: list[Id] = Field(default_factory=list, max_length=200)
    likelihood: Level
    impact: Level
    treatment: TreatmentCode = ""
    treatment_plan: Text = Field("", max_length=10_000)
    control_ids: list[Id] = Field(default_factory=list, max_length=200)
    residual_likelihood: Level | None = None
    residual_impact: Level | None = None
    owner_id: Id | None = None
    review_date: date | None = None
    status: RiskStatusCode = "open"
    acceptance_reason: Text = Field("", max_length=10_000)


class SecurityRiskUpdateIn(SecurityRiskIn):
    version: Int64


class SecurityHeatCellOut(Schema):
    likelihood: int
    impact: int
    score: int
    band: str
    inherent: int
    residual: int


class SecurityHeatMapOut(Schema):
    cells: list[SecurityHeatCellOut]
    total: int
