"""Test runs: starting one, recording results and evidence, finishing, re-testing, and the rules each
step keeps."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from beheer.accounts.models import Role, User
from beheer.changes import services as change_services
from beheer.changes.tests.helpers import make_ci
from beheer.cmdb.models import ConfigurationItem
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.testing.models import (
    Outcome,
    PlanEnvironment,
    ResultEvidence,
    RunStatus,
    TestFinding,
    TestingHistoryEntry,
    TestPlan,
    TestResult,
    TestRun,
)
from beheer.testing.queries import last_results
from beheer.testing.services import runs

from .helpers import add_case, make_person, scene

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def environment_of(plan: TestPlan, name: str = "wifi-test") -> ConfigurationItem:
    actor = User.objects.get(username="tester")
    ci = make_ci(actor, name, "server")
    ConfigurationItem.objects.filter(pk=ci.pk).update(environment="test")
    PlanEnvironment.objects.create(plan=plan, ci=ci, purpose="test", added_at=clock.now())
    return ci


def result_of(run: TestRun, case: Any) -> TestResult:
    return TestResult.objects.select_related("run__plan", "case").get(run=run, case=case)


def test_a_run_of_cases_starts_with_every_case_not_run_and_numbers_runs() -> None:
    operator, _client, _change, reqs, plan = scene()
    a, b = add_case(plan, "Inloggen", requirements=[reqs[0]]), add_case(plan, "Gastnetwerk")
    env = environment_of(plan)
    run = runs.start_run(plan, actor=operator, cases=[a, b], environment=env, title="Eerste ronde")
    assert run.number == 1
    assert run.status == RunStatus.OPEN
    assert run.environment == env
    assert set(run.results.values_list("outcome", flat=True)) == {Outcome.NOT_RUN}
    assert runs.start_run(plan, actor=operator, cases=[a]).number == 2
    assert TestingHistoryEntry.objects.filter(plan=plan, action="run_started").count() == 2


def test_a_run_refuses_bad_cases_environments_and_people() -> None:
    operator, client, _change, _reqs, plan = scene()
    case = add_case(plan, "Inloggen")
    withdrawn = add_case(plan, "Oud")
    withdrawn.withdrawn = True
    withdrawn.save()
    other_op, _c, _ch, _r, other_plan = scene_other()
    foreign = add_case(other_plan, "Elders")
    with pytest.raises(DomainError) as empty:
        runs.start_run(plan, actor=operator, cases=[])
    assert "cases" in empty.value.field_errors
    for bad in ([withdrawn], [foreign], [case, foreign]):
        with pytest.raises(DomainError) as refused:
            runs.start_run(plan, actor=operator, cases=bad)
        assert "cases" in refused.value.field_errors
    stray = make_ci(operator, "los", "server")
    with pytest.raises(DomainError) as env:
        runs.start_run(plan, actor=operator, cases=[case], environment=stray)
    assert "environment" in env.value.field_errors
    with pytest.raises(PermissionDenied):
        runs.start_run(plan, actor=client, cases=[case])
    assert not TestRun.objects.filter(plan=plan).exists()
    del other_op


def scene_other() -> Any:
    operator = make_person(Role.OPERATOR, username="tester2")
    from beheer.testing.services._base import plan_of

    from .helpers import make_change

    change = make_change(operator, title="Printers vervangen")
    return operator, None, change, [], plan_of(change, actor=operator)


def test_results_need_an_actual_result_when_failed_or_blocked_and_sane_minutes() -> None:
    operator, _client, _change, _reqs, plan = scene()
    case = add_case(plan, "Inloggen")
    run = runs.start_run(plan, actor=operator, cases=[case])
    result = result_of(run, case)
    for outcome in ("failed", "blocked"):
        with pytest.raises(DomainError) as missing:
            runs.record_result(result, actor=operator, expected_version=1, outcome=outcome, actual_result=" ")
        assert "actual_result" in missing.value.field_errors
    with pytest.raises(DomainError) as bad:
        runs.record_result(result, actor=operator, expected_version=1, outcome="maybe")
    assert "outcome" in bad.value.field_errors
    with pytest.raises(DomainError) as slow:
        runs.record_result(result, actor=operator, expected_version=1, outcome="passed", minutes=10081)
    assert "minutes" in slow.value.field_errors
    done = runs.record_result(result, actor=operator, expected_version=1, outcome="passed", minutes=12)
    assert (done.outcome, done.minutes, done.executed_by, done.version) == ("passed", 12, operator, 2)
    with pytest.raises(Conflict):  # stale version
        runs.record_result(result, actor=operator, expected_version=1, outcome="blocked", actual_result="x")


def test_a_failed_result_gives_one_finding_automatically() -> None:
    operator, _client, _change, _reqs, plan = scene()
    case = add_case(plan, "Inloggen met schoolaccount")
    run = runs.start_run(plan, actor=operator, cases=[case])
    result = result_of(run, case)
    runs.record_result(
        result, actor=operator, expected_version=None, outcome="failed", actual_result="Foutmelding 403"
    )
    finding = TestFinding.objects.get(result=result)
    assert finding.title == "Inloggen met schoolaccount"
    assert finding.severity == "medium"
    assert finding.status == "open"
    assert finding.number == 1
    assert finding.description == "Foutmelding 403"
    runs.record_result(
        result, actor=operator, expected_version=None, outcome="failed", actual_result="Nog steeds"
    )
    assert TestFinding.objects.filter(result=result).count() == 1
    runs.record_result(
        result, actor=operator, expected_version=None, outcome="blocked", actual_result="Geen wifi"
    )
    assert TestFinding.objects.filter(plan=plan).count() == 1


def test_finishing_says_how_many_were_not_run_and_closes_the_run_for_results() -> None:
    operator, _client, _change, _reqs, plan = scene()
    a, b = add_case(plan, "A"), add_case(plan, "B")
    run = runs.start_run(plan, actor=operator, cases=[a, b])
    runs.record_result(result_of(run, a), actor=operator, expected_version=None, outcome="passed")
    finished = runs.finish_run(run, actor=operator)
    assert finished.status == RunStatus.FINISHED
    assert finished.finished_at is not None
    entry = TestingHistoryEntry.objects.get(plan=plan, action="run_finished")
    assert "1" in entry.detail
    with pytest.raises(DomainError):
        runs.finish_run(run, actor=operator)
    with pytest.raises(DomainError):
        runs.record_result(result_of(run, b), actor=operator, expected_version=None, outcome="passed")
    with pytest.raises(DomainError):
        runs.add_result_evidence(
            result_of(run, b), actor=operator, upload=SimpleUploadedFile("s.png", PNG, "image/png")
        )


def test_a_retest_is_a_new_run_of_what_failed_and_keeps_history() -> None:
    operator, _client, _change, _reqs, plan = scene()
    a, b, c = add_case(plan, "A"), add_case(plan, "B"), add_case(plan, "C")
    env = environment_of(plan)
    run = runs.start_run(plan, actor=operator, cases=[a, b, c], environment=env)
    runs.record_result(result_of(run, a), actor=operator, expected_version=None, outcome="passed")
    runs.record_result(
        result_of(run, b), actor=operator, expected_version=None, outcome="failed", actual_result="x"
    )
    runs.record_result(
        result_of(run, c), actor=operator, expected_version=None, outcome="blocked", actual_result="y"
    )
    runs.finish_run(run, actor=operator)
    retest = runs.start_retest(run, actor=operator)
    assert retest.retest_of == run
    assert retest.number == 2
    assert retest.environment == env
    assert set(retest.results.values_list("case_id", flat=True)) == {b.pk, c.pk}
    runs.record_result(result_of(retest, b), actor=operator, expected_version=None, outcome="passed")
    last = last_results(plan, operator)
    assert last[b.pk].run_id == retest.pk
    assert last[b.pk].outcome == "passed"
    assert last[c.pk].run_id == run.pk  # not yet re-tested: the old result stays the last
    assert result_of(run, b).outcome == "failed"  # the history is kept
    runs.record_result(result_of(retest, c), actor=operator, expected_version=None, outcome="passed")
    with pytest.raises(DomainError):
        runs.start_retest(retest, actor=operator)  # nothing failed


def test_evidence_is_checked_and_bounded() -> None:
    operator, _client, _change, _reqs, plan = scene()
    case = add_case(plan, "A")
    run = runs.start_run(plan, actor=operator, cases=[case])
    result = result_of(run, case)
    evidence = runs.add_result_evidence(
        result, actor=operator, upload=SimpleUploadedFile("scherm.png", PNG, "image/png")
    )
    assert evidence.content_type == "image/png"
    assert evidence.original_name == "scherm.png"
    with pytest.raises(DomainError) as fake:
        runs.add_result_evidence(
            result, actor=operator, upload=SimpleUploadedFile("foto.png", b"<html>hi</html>", "image/png")
        )
    assert "file" in fake.value.field_errors
    with pytest.raises(DomainError):
        runs.add_result_evidence(
            result, actor=operator, upload=SimpleUploadedFile("leeg.txt", b"", "text/plain")
        )
    for n in range(runs.MAX_EVIDENCE - 1):
        runs.add_result_evidence(
            result, actor=operator, upload=SimpleUploadedFile(f"{n}.txt", b"log", "text/plain")
        )
    with pytest.raises(DomainError):
        runs.add_result_evidence(
            result, actor=operator, upload=SimpleUploadedFile("x.txt", b"log", "text/plain")
        )
    assert ResultEvidence.objects.filter(result=result).count() == runs.MAX_EVIDENCE


def test_a_closed_change_is_read_only() -> None:
    operator, _client, change, _reqs, plan = scene()
    case = add_case(plan, "A")
    run = runs.start_run(plan, actor=operator, cases=[case])
    change.refresh_from_db()
    change_services.cancel_change(
        change, actor=operator, expected_version=change.version, reason="Niet nodig"
    )
    with pytest.raises(ReadOnly):
        runs.start_run(plan, actor=operator, cases=[case])
    with pytest.raises(ReadOnly):
        runs.record_result(result_of(run, case), actor=operator, expected_version=None, outcome="passed")
    with pytest.raises(ReadOnly):
        runs.finish_run(run, actor=operator)


def test_another_plans_result_is_not_found_through_a_wrong_plan(operator: User) -> None:
    _op, _client, _change, _reqs, plan = scene()
    case = add_case(plan, "A")
    run = runs.start_run(plan, actor=_op, cases=[case])
    result = result_of(run, case)
    other_op, _c, _ch, _r, other_plan = scene_other()
    result.run.plan = other_plan  # a caller that mixed up the plan
    with pytest.raises(NotFound):
        runs.record_result(result, actor=other_op, expected_version=None, outcome="passed")
