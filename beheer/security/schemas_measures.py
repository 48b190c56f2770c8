"""The measures register's API shapes (input shape only; the rules are the services')."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from beheer.core.schemas import Id, Schema, Text, TextLine


class MeasureRefOut(Schema):
    id: int
    name: str


class CatalogueOut(Schema):
    id: int
    code: str
    kind: str
    name: str
    name_nl: str
    name_en: str
    version_label: str
    current: bool
    loaded_at: datetime
    control_count: int | None = None


class CataloguePage(Schema):
    items: list[CatalogueOut]
    next_cursor: str | None


class CatalogueControlIn(Schema):
    number: TextLine = Field(..., min_length=1, max_length=20)
    theme: Literal["organisational", "people", "physical", "technological"]
    title_nl: TextLine = Field(..., min_length=1, max_length=200)
    title_en: TextLine = Field("", max_length=200)
    parent: TextLine = Field("", max_length=20)


class CatalogueIn(Schema):
    """A catalogue version in the shape of the shipped data file."""

    code: TextLine = Field(..., min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    name_nl: TextLine = Field(..., min_length=1, max_length=200)
    name_en: TextLine = Field("", max_length=200)
    version_label: TextLine = Field("", max_length=40)
    make_current: bool = False
    controls: list[CatalogueControlIn] = Field(..., min_length=1, max_length=2000)


class StatementOut(Schema):
    applicability: str
    justification: str
    version: int
    updated_by: MeasureRefOut | None
    updated_at: datetime


class ControlOut(Schema):
    id: int
    catalogue_id: int
    number: str
    theme: str
    parent_id: int | None
    title: str
    title_nl: str
    title_en: str
    active: bool
    version: int
    statement: StatementOut | None
    implementation_count: int | None = None


class ControlPage(Schema):
    items: list[ControlOut]
    next_cursor: str | None


class OwnControlIn(Schema):
    title_nl: TextLine = Field(..., min_length=1, max_length=200)
    title_en: TextLine = Field("", max_length=200)


class OwnControlUpdateIn(OwnControlIn):
    version: int | None = None


class ActiveIn(Schema):
    active: bool
    version: int | None = None


class ApplicabilityIn(Schema):
    applicability: Literal["applicable", "not_applicable"]
    justification: Text = Field("", max_length=20000)
    version: int = Field(0, ge=0, description="the line's version you read; 0 when there was none")


class SoaLineOut(Schema):
    control: ControlOut


class SeriesEvidenceOut(Schema):
    series: MeasureRefOut
    state: Literal["current", "overdue", "none"]
    last_done: datetime | None
    current_until: datetime | None


class EvidenceFileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_by: MeasureRefOut | None
    created_at: datetime


class ImplementationOut(Schema):
    id: int
    control: MeasureRefOut
    scope_ci: MeasureRefOut | None
    scope: str
    status: str
    owner: MeasureRefOut | None
    description: str
    review_on: date | None
    review_overdue: bool
    article_ids: list[int]
    series_ids: list[int]
    version: int
    created_at: datetime
    updated_at: datetime


class ImplementationPage(Schema):
    items: list[ImplementationOut]
    next_cursor: str | None


class ImplementationIn(Schema):
    control_id: Id
    scope_ci_id: Id | None = None
    status: Literal["not_started", "planned", "partly", "implemented", "not_applicable"] = "not_started"
    owner_id: Id | None = None
    description: Text = Field("", max_length=20000)
    review_on: date | None = None
    article_ids: list[Id] = Field(default_factory=list, max_length=100)
    series_ids: list[Id] = Field(default_factory=list, max_length=100)


class ImplementationUpdateIn(Schema):
    status: Literal["not_started", "planned", "partly", "implemented", "not_applicable"]
    owner_id: Id | None = None
    description: Text = Field("", max_length=20000)
    review_on: date | None = None
    article_ids: list[Id] = Field(default_factory=list, max_length=100)
    series_ids: list[Id] = Field(default_factory=list, max_length=100)
    version: int | None = None


class ReviewedIn(Schema):
    next_review_on: date
    version: int | None = None


class SecurityEvidenceOut(Schema):
    """The evidence of an implementation, as the reader may see it."""

    files: list[EvidenceFileOut]
    articles: list[MeasureRefOut]
    series: list[SeriesEvidenceOut]


class MaturityOut(Schema):
    label: str
    applicable: int
    implemented: int
    partly: int
    implemented_pct: int
    partly_pct: int


class SecurityOverviewOut(Schema):
    themes: list[MaturityOut]
    cis: list[MaturityOut]
    overdue_count: int
    overdue: list[ImplementationOut]
