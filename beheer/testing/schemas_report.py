"""Shapes of the test report API (class names prefixed `TestReport`: they are unique API-wide)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from beheer.core.schemas import Schema, Text, TextLine


class TestReportCountsOut(Schema):
    __test__ = False

    passed: int
    failed: int
    blocked: int
    not_run: int
    total: int
    rate: int | None = Field(description="Passed of all, in whole percent rounded down; null without cases")


class TestReportEnvironmentOut(Schema):
    __test__ = False

    name: str
    purpose: str


class TestReportRunOut(Schema):
    __test__ = False

    number: int
    title: str
    environment: str
    started_at: datetime
    finished_at: datetime | None
    tester: str
    retest_of: int | None = Field(description="The number of the run this one re-tests")
    counts: TestReportCountsOut


class TestReportRequirementOut(Schema):
    __test__ = False

    code: str
    text: str
    cases: list[str] = Field(description="Codes of the active test cases linked to it")
    covered: bool
    counts: TestReportCountsOut


class TestReportTypeOut(Schema):
    __test__ = False

    test_type: str
    label: str
    counts: TestReportCountsOut


class TestReportFindingOut(Schema):
    __test__ = False

    number: int
    title: str
    severity: str
    case: str


class TestReportSessionOut(Schema):
    __test__ = False

    title: str
    starts_at: datetime
    status: str
    participants: int
    passed: int
    failed: int
    could_work: dict[str, int]
    sign_off: str
    signed_off_by: str
    signed_off_at: datetime | None
    sign_off_comment: str


class TestReportAdviceOut(Schema):
    __test__ = False

    advice: str
    label: str
    text: str
    by: str
    at: datetime | None


class TestReportOut(Schema):
    __test__ = False

    change_id: int
    change_number: str
    change_title: str
    client: str
    testers: list[str]
    period_start: datetime | None
    period_end: datetime | None
    generated: datetime
    scope: str
    entry_criteria: str
    exit_criteria: str
    test_types: list[str]
    environments: list[TestReportEnvironmentOut]
    runs: list[TestReportRunOut]
    more_runs: bool
    totals: TestReportCountsOut
    requirements: list[TestReportRequirementOut]
    types: list[TestReportTypeOut]
    open_by_severity: dict[str, int]
    open_findings: list[TestReportFindingOut]
    closed_findings: int
    sessions: list[TestReportSessionOut]
    advice: TestReportAdviceOut | None
    version: int = Field(description="The test plan's version: send it with the advice")


class TestReportAdviceIn(Schema):
    __test__ = False

    advice: TextLine = Field(max_length=20, description='"go", "conditions" (go with conditions) or "no_go"')
    text: Text = Field("", max_length=20000, description="Required for conditions and no-go")
    version: int = Field(..., ge=0, description="The test plan's version you read")
