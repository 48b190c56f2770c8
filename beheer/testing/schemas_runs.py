"""Input and output shapes of the runs, findings and traceability API (class names prefixed: they
are unique API-wide)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field

from beheer.core.schemas import Id, Schema, Text, TextLine

TestOutcomeIn = Literal["passed", "failed", "blocked"]
TestSeverityIn = Literal["low", "medium", "high", "critical"]
TestFindingStatusValue = Literal["open", "resolved", "accepted"]


class TestRunRefOut(Schema):
    id: int
    name: str


class TestRunCreateIn(Schema):
    case_ids: list[Id] | None = Field(
        None, max_length=500, description="The cases to run; leave out for every active case of the plan"
    )
    environment_id: Id | None = Field(None, description="A CI among the plan's environments")
    title: TextLine = Field("", max_length=200)


class TestRunOut(Schema):
    id: int
    number: int
    title: str
    status: str
    environment: TestRunRefOut | None
    retest_of: TestRunRefOut | None
    started_at: datetime
    finished_at: datetime | None
    tester: TestRunRefOut | None
    passed: int
    failed: int
    blocked: int
    not_run: int
    version: int


class TestRunEvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    download_url: str


class TestRunResultOut(Schema):
    id: int
    case: TestRunRefOut
    outcome: str
    actual_result: str
    minutes: int | None
    executed_by: TestRunRefOut | None
    executed_at: datetime | None
    version: int
    evidence: list[TestRunEvidenceOut]
    finding_ids: list[int]


class TestRunDetailOut(TestRunOut):
    results: list[TestRunResultOut]


class TestRunResultIn(Schema):
    outcome: TestOutcomeIn
    actual_result: Text = Field("", max_length=10_000)
    minutes: int | None = Field(None, ge=0, le=7 * 24 * 60)
    version: int | None = Field(None, ge=0, description="The result's version you read; 409 when it changed")


class TestRunRetestIn(Schema):
    environment_id: Id | None = Field(
        None, description="Another of the plan's environments; default the run's"
    )


class TestFindingIn(Schema):
    title: TextLine = Field(..., max_length=200)
    description: Text = Field("", max_length=10_000)
    severity: TestSeverityIn = "medium"
    result_id: Id | None = None


class TestFindingUpdateIn(Schema):
    title: TextLine = Field(..., max_length=200)
    description: Text = Field("", max_length=10_000)
    severity: TestSeverityIn
    version: int | None = Field(None, ge=0)


class TestFindingStatusIn(Schema):
    status: TestFindingStatusValue


class TestFindingOut(Schema):
    id: int
    number: int
    title: str
    description: str
    severity: str
    status: str
    result_id: int | None
    run: TestRunRefOut | None
    case: TestRunRefOut | None
    melding: TestRunRefOut | None
    activity: TestRunRefOut | None
    created_at: datetime
    closed_at: datetime | None
    version: int


class TestMatrixRowOut(Schema):
    requirement: TestRunRefOut | None
    case: TestRunRefOut | None
    covered: bool
    outcome: str | None
    run: TestRunRefOut | None
    executed_at: datetime | None


class TestMatrixOut(Schema):
    requirements: int
    not_covered: int
    cases: int
    unlinked_cases: int
    truncated: bool
    rows: list[TestMatrixRowOut]
