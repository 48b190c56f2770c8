"""Test runs: start a run of some of the plan's cases, record each case's outcome with the actual
result, the time it took and evidence files, finish the run, and re-test what failed in a new run
(the earlier run keeps its results, so the history of every case stays).

A failed result gives a finding of medium severity automatically (once per result); the tester can
change its title and severity afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import checks, clock
from beheer.core.errors import DomainError, NotFound
from beheer.core.files import check_upload

from ..models import (
    Outcome,
    PlanEnvironment,
    ResultEvidence,
    RunStatus,
    TestCase,
    TestFinding,
    TestingAction,
    TestPlan,
    TestResult,
    TestRun,
)
from . import _base
from ._base import TITLE_MAX, lock_plan, next_number, record

MAX_RESULTS = 500  # cases per run
MAX_EVIDENCE = 20  # files per result
MAX_MINUTES = 7 * 24 * 60
ACTUAL_MAX = 10_000
CARRIED_OUT = (Outcome.PASSED, Outcome.FAILED, Outcome.BLOCKED)
NEEDS_ACTUAL = (Outcome.FAILED, Outcome.BLOCKED)


def _checked_environment(plan: TestPlan, environment: ConfigurationItem | None) -> ConfigurationItem | None:
    if environment is None:
        return None
    if not PlanEnvironment.objects.filter(plan=plan, ci_id=environment.pk).exists():
        message = _("Choose one of the environments of the test plan.")
        raise DomainError(message, field_errors={"environment": message})
    return environment


def _checked_cases(plan: TestPlan, cases: Sequence[TestCase]) -> list[TestCase]:
    ids = {c.pk for c in cases}
    if not ids:
        message = _("Choose at least one test case.")
        raise DomainError(message, field_errors={"cases": message})
    if len(ids) > MAX_RESULTS:
        message = _("A run has at most %(max)d test cases.") % {"max": MAX_RESULTS}
        raise DomainError(message, field_errors={"cases": message})
    rows = list(TestCase.objects.filter(plan=plan, pk__in=ids, withdrawn=False).order_by("number"))
    if len(rows) != len(ids):
        message = _("Choose test cases of this plan that are not withdrawn.")
        raise DomainError(message, field_errors={"cases": message})
    return rows


@transaction.atomic
def start_run(
    plan: TestPlan,
    *,
    actor: User,
    cases: Sequence[TestCase],
    environment: ConfigurationItem | None = None,
    title: str = "",
    retest_of: TestRun | None = None,
) -> TestRun:
    """A new open run of `cases` (each "not run" to begin with) in `environment`, numbered run n of
    the plan."""
    current = lock_plan(plan, actor)
    title = _base.text(title, field="title", label=_("Title"), max_length=TITLE_MAX)
    rows = _checked_cases(current, cases)
    environment = _checked_environment(current, environment)
    if retest_of is not None and not TestRun.objects.filter(plan=current, pk=retest_of.pk).exists():
        raise NotFound(_("Test run not found."))
    now = clock.now()
    run = TestRun.objects.create(
        plan=current,
        number=next_number(current, "run_counter"),
        title=title,
        environment=environment,
        retest_of=retest_of,
        started_at=now,
        created_by=actor,
    )
    TestResult.objects.bulk_create([TestResult(run=run, case=case) for case in rows])
    detail = ", ".join(case.code for case in rows)
    if retest_of is not None:
        detail = _("Re-test of run %(number)s: %(cases)s") % {"number": retest_of.number, "cases": detail}
    record(current, actor, TestingAction.RUN_STARTED, at=now, field="runs", new=str(run), detail=detail)
    return run


@transaction.atomic
def start_retest(run: TestRun, *, actor: User, environment: ConfigurationItem | None = None) -> TestRun:
    """A new run of the cases that failed or were blocked in `run` (withdrawn cases left out), as a
    re-test of it; in `run`'s environment unless another is given."""
    current = lock_plan(run.plan, actor)
    found = TestRun.objects.filter(plan=current, pk=run.pk).first()
    if found is None:
        raise NotFound(_("Test run not found."))
    cases = list(
        TestCase.objects.filter(
            results__run=found, results__outcome__in=NEEDS_ACTUAL, withdrawn=False
        ).order_by("number")
    )
    if not cases:
        raise DomainError(_("Nothing failed or was blocked in this run: there is nothing to re-test."))
    if environment is None and found.environment_id:
        environment = found.environment
    return start_run(current, actor=actor, cases=cases, environment=environment, retest_of=found)


def _lock_result(
    result: TestResult, actor: User, expected_version: int | None = None
) -> tuple[TestPlan, TestResult]:
    current = lock_plan(result.run.plan, actor)
    found = checks.locked_at(
        TestResult.objects.visible_to(actor).filter(run__plan=current),
        result.pk,
        expected_version,
        missing=_("Test result not found."),
        changed=_("Somebody else recorded this result in the meantime. Reload it and try again."),
    )
    run = TestRun.objects.get(pk=found.run_id)
    if not run.is_open:
        raise DomainError(_("Run %(number)s is finished: start a re-test instead.") % {"number": run.number})
    found.run = run
    return current, found


@transaction.atomic
def record_result(
    result: TestResult,
    *,
    actor: User,
    expected_version: int | None,
    outcome: str,
    actual_result: str = "",
    minutes: int | None = None,
) -> TestResult:
    """The outcome of one case in an open run. A failed or blocked case needs the actual result; a
    failed one gets a finding (once per result)."""
    current, found = _lock_result(result, actor, expected_version)
    errors: dict[str, str] = {}
    if outcome not in CARRIED_OUT:
        errors["outcome"] = _("Choose passed, failed or blocked.")
    if minutes is not None and not 0 <= minutes <= MAX_MINUTES:
        errors["minutes"] = _("Enter at most %(max)d minutes (a week).") % {"max": MAX_MINUTES}
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    actual_result = _base.text(
        actual_result,
        field="actual_result",
        label=_("Actual result"),
        required=outcome in NEEDS_ACTUAL,
        max_length=ACTUAL_MAX,
    )
    old = found.get_outcome_display()
    now = clock.now()
    found.outcome = outcome
    found.actual_result = actual_result
    found.minutes = minutes
    found.executed_by = actor
    found.executed_at = now
    found.version += 1
    found.save(update_fields=["outcome", "actual_result", "minutes", "executed_by", "executed_at", "version"])
    case = TestCase.objects.get(pk=found.case_id)
    found.case = case
    record(
        current,
        actor,
        TestingAction.RESULT,
        at=now,
        field="runs",
        old=str(old),
        new=str(found.get_outcome_display()),
        detail=f"{found.run} {case.code} {case.title}"[:500],
    )
    if outcome == Outcome.FAILED and not TestFinding.objects.filter(result=found).exists():
        from .findings import record_finding

        record_finding(
            current,
            actor=actor,
            title=case.title,
            description=actual_result,
            result=found,
        )
    return found


@transaction.atomic
def add_result_evidence(result: TestResult, *, actor: User, upload: Any) -> ResultEvidence:
    """Keep a file (a screenshot, an export, a log) with a result of an open run."""
    current, found = _lock_result(result, actor)
    if upload is None:
        message = _("Choose a file.")
        raise DomainError(message, field_errors={"file": message})
    checked = check_upload(upload)
    if ResultEvidence.objects.filter(result=found).count() >= MAX_EVIDENCE:
        message = _("A result can have at most %(n)d evidence files.") % {"n": MAX_EVIDENCE}
        raise DomainError(message, field_errors={"file": message})
    now = clock.now()
    evidence = ResultEvidence(
        result=found,
        original_name=checked.name,
        content_type=checked.content_type[:100],
        size=checked.size,
        uploaded_by=actor,
        uploaded_at=now,
    )
    evidence.file.save(checked.name, upload, save=False)
    stored = evidence.file.name or ""
    try:
        evidence.save()
    except Exception:
        evidence.file.storage.delete(stored)
        raise
    case = TestCase.objects.get(pk=found.case_id)
    record(
        current,
        actor,
        TestingAction.RESULT,
        at=now,
        field="evidence",
        new=checked.name,
        detail=f"{found.run} {case.code}",
    )
    return evidence


@transaction.atomic
def finish_run(run: TestRun, *, actor: User) -> TestRun:
    """Close an open run. Cases still "not run" stay so; the trail says how many."""
    current = lock_plan(run.plan, actor)
    found = checks.locked(TestRun.objects.visible_to(actor).filter(plan=current), run.pk)
    if found is None:
        raise NotFound(_("Test run not found."))
    if found.status != RunStatus.OPEN:
        raise DomainError(_("This run is already finished."))
    not_run = TestResult.objects.filter(run=found, outcome=Outcome.NOT_RUN).count()
    now = clock.now()
    found.status = RunStatus.FINISHED
    found.finished_at = now
    found.version += 1
    found.save(update_fields=["status", "finished_at", "version"])
    detail = (
        ngettext("%(count)d case not run.", "%(count)d cases not run.", not_run) % {"count": not_run}
        if not_run
        else _("Every case was carried out.")
    )
    record(current, actor, TestingAction.RUN_FINISHED, at=now, field="runs", new=str(found), detail=detail)
    return found
