"""Input and output shapes of the test plan API: the plan, its environments and their preparation,
its cases and the library of standard cases (class names prefixed: unique API-wide)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, Text, TextLine


class TestingRefOut(Schema):
    id: int
    name: str


class TestingStepIo(Schema):
    action: Text = Field(max_length=2000, description="What the tester does")
    expected: Text = Field("", max_length=2000, description="What it should give")


class TestPlanOut(Schema):
    id: int
    change: TestingRefOut
    scope: str
    entry_criteria: str
    exit_criteria: str
    test_types: list[str]
    advice: str
    case_count: int
    updated_at: datetime
    version: int


class TestPlanIn(Schema):
    scope: Text = Field("", max_length=20_000)
    entry_criteria: Text = Field("", max_length=20_000)
    exit_criteria: Text = Field("", max_length=20_000)
    test_types: list[TextLine] = Field(
        default_factory=list,
        max_length=5,
        description="functional, regression, security, performance, acceptance",
    )
    version: Int64


class TestPlanPreparationOut(Schema):
    series_id: int
    occurrence_id: int | None
    planned_at: datetime | None
    status: str
    items: int
    items_done: int
    evidence: int


class TestPlanEnvironmentOut(Schema):
    id: int
    ci: TestingRefOut
    purpose: str
    added_at: datetime
    preparation: TestPlanPreparationOut | None


class TestPlanEnvironmentIn(Schema):
    ci_id: Id
    purpose: TextLine = Field(max_length=12, description="test or acceptance")


class TestPlanPreparationIn(Schema):
    checklist: list[TextLine] = Field(max_length=50, description="The items, one each")
    planned_for: datetime
    assignee_id: Id | None = None


class TestPlanSeriesOut(Schema):
    id: int
    name: str
    occurrence_id: int | None


class TestCaseOut(Schema):
    id: int
    code: str
    title: str
    test_type: str
    preconditions: str
    steps: list[TestingStepIo]
    requirements: list[TestingRefOut]
    standard_case_id: int | None
    withdrawn: bool
    created_at: datetime
    updated_at: datetime
    version: int


class TestCaseIn(Schema):
    title: TextLine = Field(max_length=200)
    test_type: TextLine = Field(max_length=12)
    preconditions: Text = Field("", max_length=20_000)
    steps: list[TestingStepIo] = Field(default_factory=list, max_length=50)
    requirement_ids: list[Id] = Field(default_factory=list, max_length=100)


class TestCaseUpdateIn(TestCaseIn):
    version: Int64


class TestCaseCopyIn(Schema):
    standard_case_ids: list[Id] = Field(max_length=50)
    requirement_ids: list[Id] = Field(default_factory=list, max_length=100)


class TestStandardCaseOut(Schema):
    id: int
    title: str
    test_type: str
    preconditions: str
    steps: list[TestingStepIo]
    active: bool
    updated_at: datetime
    version: int


class TestStandardCasePage(Schema):
    items: list[TestStandardCaseOut]
    next_cursor: str | None


class TestStandardCaseIn(Schema):
    title: TextLine = Field(max_length=200)
    test_type: TextLine = Field(max_length=12)
    preconditions: Text = Field("", max_length=20_000)
    steps: list[TestingStepIo] = Field(default_factory=list, max_length=50)


class TestStandardCaseUpdateIn(TestStandardCaseIn):
    version: Int64


class TestStandardCaseActiveIn(Schema):
    active: bool
