"""Test management: plans, environments, cases, runs, findings and acceptance sessions."""

from .acceptance import (
    AcceptanceSession,
    CouldWork,
    ParticipantCase,
    ParticipantScreenshot,
    SessionParticipant,
    SessionStatus,
    SignOff,
)
from .history import TestingAction, TestingHistoryEntry
from .plans import (
    Advice,
    EnvironmentPurpose,
    PlanEnvironment,
    StandardTestCase,
    TestCase,
    TestPlan,
    TestType,
    format_case_code,
)
from .runs import (
    SEVERITY_ORDER,
    FindingStatus,
    Outcome,
    ResultEvidence,
    RunStatus,
    Severity,
    TestFinding,
    TestResult,
    TestRun,
)

__all__ = [
    "SEVERITY_ORDER",
    "AcceptanceSession",
    "Advice",
    "CouldWork",
    "EnvironmentPurpose",
    "FindingStatus",
    "Outcome",
    "ParticipantCase",
    "ParticipantScreenshot",
    "PlanEnvironment",
    "ResultEvidence",
    "RunStatus",
    "SessionParticipant",
    "SessionStatus",
    "Severity",
    "SignOff",
    "StandardTestCase",
    "TestCase",
    "TestFinding",
    "TestPlan",
    "TestResult",
    "TestRun",
    "TestType",
    "TestingAction",
    "TestingHistoryEntry",
    "format_case_code",
]
