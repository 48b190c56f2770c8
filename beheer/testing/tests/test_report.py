"""The test report's content: the counts after a failed run and a passing re-test, the pass rate per
requirement and per type, requirements not covered, open findings by severity, the acceptance
sessions, the advice service, the PDF and the Tests section of the change's final report."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import translation
from pypdf import PdfReader

from beheer.accounts.models import Role, User
from beheer.changes.models import Change, ChangeStatus
from beheer.changes.services import report as final
from beheer.changes.tests.helpers import make_ci
from beheer.cmdb.models import ConfigurationItem
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, PermissionDenied, ReadOnly
from beheer.testing.models import (
    AcceptanceSession,
    Advice,
    FindingStatus,
    Outcome,
    ParticipantCase,
    PlanEnvironment,
    SessionParticipant,
    SessionStatus,
    Severity,
    SignOff,
    TestCase,
    TestFinding,
    TestingHistoryEntry,
    TestPlan,
    TestRun,
)
from beheer.testing.models import TestType as CaseType
from beheer.testing.report import Counts, final_report_section, test_report, test_report_pdf
from beheer.testing.services.advice import give_advice

from .helpers import add_case, add_run, make_person, scene, set_result

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def finding(
    plan: TestPlan, number: int, severity: str, status: str = FindingStatus.OPEN, **kw: Any
) -> TestFinding:
    TestPlan.objects.filter(pk=plan.pk).update(finding_counter=number)
    return TestFinding.objects.create(
        plan=plan,
        number=number,
        title=f"Bevinding {number}",
        severity=severity,
        status=status,
        created_at=clock.now(),
        **kw,
    )


def environment(plan: TestPlan, actor: User, name: str = "wifi-test") -> ConfigurationItem:
    ci = make_ci(actor, name, "service")
    ConfigurationItem.objects.filter(pk=ci.pk).update(environment="test")
    PlanEnvironment.objects.create(plan=plan, ci=ci, purpose="test", added_at=clock.now())
    return ci


def plan_with_runs() -> tuple[User, User, Change, list[Any], TestPlan, list[TestCase]]:
    """Four active cases and a withdrawn one: run 1 fails one and blocks one, the re-test (run 2)
    passes the failed one; one case never runs. REQ-3 has no case."""
    operator, client, change, reqs, plan = scene()
    ci = environment(plan, operator)
    login = add_case(plan, "Inloggen met schoolaccount", requirements=[reqs[0]])
    guest = add_case(plan, "Gastnetwerk", requirements=[reqs[1]], test_type=CaseType.SECURITY)
    speed = add_case(plan, "Snelheid", requirements=[reqs[0], reqs[1]], test_type=CaseType.PERFORMANCE)
    never = add_case(plan, "Roaming", requirements=[reqs[0]])
    gone = add_case(plan, "Oud geval", requirements=[reqs[2]])
    TestCase.objects.filter(pk=gone.pk).update(withdrawn=True)
    first = add_run(plan, operator, [login, guest, speed, never])
    TestRun.objects.filter(pk=first.pk).update(environment=ci, title="Eerste ronde")
    set_result(first, login, Outcome.FAILED, operator, "Foutmelding bij inloggen")
    set_result(first, guest, Outcome.PASSED, operator)
    set_result(first, speed, Outcome.BLOCKED, operator, "Meetapparaat kwijt")
    retest = add_run(plan, operator, [login], retest_of=first)
    set_result(retest, login, Outcome.PASSED, operator)
    return operator, client, change, reqs, plan, [login, guest, speed, never]


def test_counts_take_the_retests_result_and_the_rate_is_passed_of_all_active_cases(
    django_assert_max_num_queries: Any,
) -> None:
    operator, _client, change, _reqs, plan, _cases = plan_with_runs()
    with django_assert_max_num_queries(12):
        report = test_report(plan, user=operator, generated=clock.now())
    assert report.totals == Counts(passed=2, failed=0, blocked=1, not_run=1)
    assert report.totals.rate == 50  # 2 of 4 active cases, the withdrawn case not counted
    assert [(r.number, r.retest_of, r.counts) for r in report.runs] == [
        (1, None, Counts(passed=1, failed=1, blocked=1, not_run=1)),
        (2, 1, Counts(passed=1)),
    ]
    assert report.runs[0].environment == "wifi-test"
    assert [e.name for e in report.environments] == ["wifi-test"]
    assert report.testers == [operator.get_full_name() or operator.username]
    assert report.change_number == change.number
    assert report.advice is None


def test_the_pass_rate_per_requirement_and_per_type_and_not_covered() -> None:
    operator, *_rest, plan, _cases = plan_with_runs()
    report = test_report(plan, user=operator, generated=clock.now())
    by_code = {r.code: r for r in report.requirements}
    assert by_code["REQ-1"].cases == ("TC-1", "TC-3", "TC-4")
    assert (by_code["REQ-1"].counts.passed, by_code["REQ-1"].counts.total, by_code["REQ-1"].counts.rate) == (
        1,
        3,
        33,
    )
    assert by_code["REQ-2"].counts == Counts(passed=1, blocked=1)
    assert by_code["REQ-3"].covered is False  # only a withdrawn case pointed at it
    types = {t.test_type: t.counts for t in report.types}
    assert types == {
        CaseType.FUNCTIONAL: Counts(passed=1, not_run=1),
        CaseType.SECURITY: Counts(passed=1),
        CaseType.PERFORMANCE: Counts(blocked=1),
    }


def test_a_rate_never_rounds_up_to_all_passed() -> None:
    assert Counts(passed=199, not_run=1).rate == 99
    assert Counts().rate is None


def test_open_findings_by_severity_most_severe_first_and_closed_counted() -> None:
    operator, _client, _change, _reqs, plan = scene()
    case = add_case(plan, "Inloggen")
    run = add_run(plan, operator, [case])
    result = set_result(run, case, Outcome.FAILED, operator, "Kapot")
    finding(plan, 1, Severity.LOW)
    finding(plan, 2, Severity.CRITICAL, result=result)
    finding(plan, 3, Severity.HIGH)
    finding(plan, 4, Severity.CRITICAL, status=FindingStatus.RESOLVED)
    finding(plan, 5, Severity.MEDIUM, status=FindingStatus.ACCEPTED)
    report = test_report(plan, user=operator, generated=clock.now())
    assert report.open_by_severity == {"critical": 1, "high": 1, "medium": 0, "low": 1}
    assert report.closed_findings == 2
    assert [(f.number, f.case) for f in report.open_findings] == [(2, "TC-1"), (3, ""), (1, "")]


def test_acceptance_sessions_are_summarised_with_the_sign_off() -> None:
    operator, client, _change, _reqs, plan = scene()
    case = add_case(plan, "Inloggen")
    other = add_case(plan, "Printen")
    now = clock.now()
    session = AcceptanceSession.objects.create(
        plan=plan,
        title="Proef met docenten",
        starts_at=now,
        status=SessionStatus.SIGNED_OFF,
        sign_off=SignOff.CONDITIONS,
        sign_off_comment="Eerst de handleiding",
        signed_off_by=client,
        signed_off_at=now,
        created_at=now,
        updated_at=now,
    )
    for n, (could, outcomes) in enumerate(
        [("yes", [Outcome.PASSED, Outcome.PASSED]), ("with_help", [Outcome.FAILED, Outcome.PASSED]), ("", [])]
    ):
        person = make_person(Role.CALLER, username=f"docent{n}")
        p = SessionParticipant.objects.create(session=session, person=person, could_work=could, added_at=now)
        for c, outcome in zip([case, other], outcomes, strict=False):
            ParticipantCase.objects.create(participant=p, case=c, outcome=outcome)
    report = test_report(plan, user=operator, generated=now)
    (line,) = report.sessions
    assert (line.participants, line.passed, line.failed) == (3, 3, 1)
    assert line.could_work == {"yes": 1, "with_help": 1, "no": 0}
    assert (line.sign_off, line.signed_off_by) == ("conditions", client.get_full_name() or client.username)


def test_advice_rules_version_trail_and_closed_change() -> None:
    operator, client, change, _reqs, plan = scene()
    with pytest.raises(DomainError) as bad:
        give_advice(plan, actor=operator, expected_version=plan.version, advice="maybe", text="")
    assert "advice" in bad.value.field_errors
    for needs_text in (Advice.GO_WITH_CONDITIONS, Advice.NO_GO):
        with pytest.raises(DomainError) as missing:
            give_advice(plan, actor=operator, expected_version=plan.version, advice=needs_text, text="  ")
        assert "text" in missing.value.field_errors
    with pytest.raises(PermissionDenied):
        give_advice(plan, actor=client, expected_version=plan.version, advice=Advice.GO, text="")
    done = give_advice(plan, actor=operator, expected_version=plan.version, advice=Advice.GO, text="")
    assert (done.advice, done.advised_by_id, done.version) == ("go", operator.pk, plan.version + 1)
    assert done.advised_at is not None
    with pytest.raises(Conflict):
        give_advice(plan, actor=operator, expected_version=plan.version, advice=Advice.NO_GO, text="Nee")
    again = give_advice(plan, actor=operator, expected_version=done.version, advice=Advice.GO, text="")
    assert again.version == done.version  # nothing changed, nothing recorded
    assert TestingHistoryEntry.objects.filter(plan=plan, action="advice").count() == 1
    Change.objects.filter(pk=change.pk).update(status=ChangeStatus.CLOSED)
    with pytest.raises(ReadOnly):
        give_advice(
            plan, actor=operator, expected_version=done.version, advice=Advice.NO_GO, text="Toch niet"
        )
    plan.refresh_from_db()
    assert plan.advice == "go"


def test_the_pdf_shows_the_counts_and_the_advice() -> None:
    operator, *_rest, plan, _cases = plan_with_runs()
    plan.refresh_from_db()
    give_advice(
        plan,
        actor=operator,
        expected_version=plan.version,
        advice=Advice.GO_WITH_CONDITIONS,
        text="Roaming eerst testen",
    )
    with translation.override("en"):
        content = test_report_pdf(test_report(plan, user=operator, generated=clock.now()))
    assert content.startswith(b"%PDF")
    text = " ".join(pdf_text(content).split())
    assert "Test report" in text
    assert "2 of 4 active cases passed (50%); 0 failed, 1 blocked, 1 not run." in text
    assert "REQ-3" in text
    assert "Not covered" in text
    assert "1 of 3" in text  # REQ-1
    assert "Re-test of run 1" in text
    assert "Go with conditions" in text
    assert "Roaming eerst testen" in text


def test_the_pdf_escapes_markup_in_titles() -> None:
    operator, _client, _change, _reqs, plan = scene()
    add_case(plan, "<font size=80>groot</font> & meer")
    content = test_report_pdf(test_report(plan, user=operator, generated=clock.now()))
    assert content.startswith(b"%PDF")


def test_the_final_report_of_the_change_has_the_tests_section() -> None:
    operator, client, change, _reqs, plan, _cases = plan_with_runs()
    finding(plan, 1, Severity.HIGH)
    with translation.override("en"):
        content = final.final_report(change, user=operator, generated=clock.now())
        keys = [s.key for s in content.sections]
        assert "tests" in keys
        assert keys.index("tests") < keys.index("evaluation")
        text = " ".join(pdf_text(final.report_pdf(content)).split())
    assert "Tests" in text
    assert "2 of 4 active cases passed (50%)" in text
    assert "1 open (Critical: 0, High: 1, Medium: 0, Low: 0); 0 closed." in text
    assert "No advice yet." in text
    # nothing for a reader who is not staff, nor for a change without a plan
    assert final_report_section(change, client) is None
    operator2 = make_person(Role.OPERATOR, username="ander")
    from beheer.changes.tests.helpers import make_change

    bare = make_change(operator2, title="Zonder testplan")
    assert final_report_section(bare, operator2) is None
    assert not TestPlan.objects.filter(change=bare).exists()
