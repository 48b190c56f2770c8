"""JSON adapter for test runs, their results and evidence, findings and the traceability matrix of
a change (staff, /api/v1/testing). Every row is read through `visible_to`; writes go through the
services in `testing.services.runs` and `testing.services.findings`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from beheer.changes.models import Change
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import ref
from beheer.core.errors import DomainError, NotFound
from beheer.core.files import download_response
from beheer.core.schemas import Id, errors, file_answer

from .. import matrix as traceability
from ..models import Outcome, ResultEvidence, TestCase, TestFinding, TestPlan, TestResult, TestRun
from ..schemas_runs import (
    TestFindingIn,
    TestFindingOut,
    TestFindingStatusIn,
    TestFindingUpdateIn,
    TestMatrixOut,
    TestRunCreateIn,
    TestRunDetailOut,
    TestRunEvidenceOut,
    TestRunOut,
    TestRunResultIn,
    TestRunResultOut,
    TestRunRetestIn,
)
from ..services import _base as base
from ..services import findings, runs

router = access.declare(Router(tags=["testing"]), access.STAFF)

MAX_ROWS = 200


def _change(request: HttpRequest, pk: int) -> Change:
    found = Change.objects.visible_to(current_user(request)).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Change not found."))
    return found


def _plan(request: HttpRequest, change: Change) -> TestPlan | None:
    return TestPlan.objects.visible_to(current_user(request)).filter(change_id=change.pk).first()


def _counted(rows: Any) -> Any:
    return rows.select_related("environment", "created_by", "retest_of").annotate(
        passed=Count("results", filter=Q(results__outcome=Outcome.PASSED)),
        failed=Count("results", filter=Q(results__outcome=Outcome.FAILED)),
        blocked=Count("results", filter=Q(results__outcome=Outcome.BLOCKED)),
        not_run=Count("results", filter=Q(results__outcome=Outcome.NOT_RUN)),
    )


def _person(user: Any) -> dict[str, Any] | None:
    return ref(user, name=user.get_full_name() or user.username) if user is not None else None


def run_out(run: TestRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "number": run.number,
        "title": run.title,
        "status": run.status,
        "environment": ref(run.environment),
        "retest_of": ref(run.retest_of, name=str(run.retest_of)) if run.retest_of else None,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "tester": _person(run.created_by),
        "passed": getattr(run, "passed", 0),
        "failed": getattr(run, "failed", 0),
        "blocked": getattr(run, "blocked", 0),
        "not_run": getattr(run, "not_run", 0),
        "version": run.version,
    }


def evidence_out(e: ResultEvidence) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.original_name,
        "content_type": e.content_type,
        "size": e.size,
        "uploaded_at": e.uploaded_at,
        "download_url": reverse("api:testing_evidence_download", args=[e.pk]),
    }


def result_out(r: TestResult, evidence: list[ResultEvidence], finding_ids: list[int]) -> dict[str, Any]:
    return {
        "id": r.pk,
        "case": ref(r.case, name=str(r.case)),
        "outcome": r.outcome,
        "actual_result": r.actual_result,
        "minutes": r.minutes,
        "executed_by": _person(r.executed_by),
        "executed_at": r.executed_at,
        "version": r.version,
        "evidence": [evidence_out(e) for e in evidence],
        "finding_ids": finding_ids,
    }


def finding_out(f: TestFinding) -> dict[str, Any]:
    result = f.result
    return {
        "id": f.pk,
        "number": f.number,
        "title": f.title,
        "description": f.description,
        "severity": f.severity,
        "status": f.status,
        "result_id": f.result_id,
        "run": ref(result.run, name=str(result.run)) if result else None,
        "case": ref(result.case, name=str(result.case)) if result else None,
        "melding": ref(f.melding, name=f.melding.number) if f.melding else None,
        "activity": ref(f.activity, name=f.activity.title) if f.activity else None,
        "created_at": f.created_at,
        "closed_at": f.closed_at,
        "version": f.version,
    }


def _findings(request: HttpRequest) -> Any:
    return TestFinding.objects.visible_to(current_user(request)).select_related(
        "result__run", "result__case", "melding", "activity", "plan__change"
    )


def _environment(request: HttpRequest, pk: int | None) -> ConfigurationItem | None:
    if pk is None:
        return None
    found = ConfigurationItem.objects.visible_to(current_user(request)).filter(pk=pk).first()
    if found is None:
        message = _("Choose one of the environments of the test plan.")
        raise DomainError(message, field_errors={"environment_id": message})
    return found


# -- runs ------------------------------------------------------------------------------------------


@router.get(
    "/changes/{change_id}/runs",
    response={200: list[TestRunOut], **errors(403, 404)},
    summary="A change's test runs, newest first (at most 200)",
)
def list_runs(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    change = _change(request, change_id)
    rows = _counted(TestRun.objects.visible_to(current_user(request)).filter(plan__change_id=change.pk))
    return [run_out(r) for r in rows.order_by("-number")[:MAX_ROWS]]


@router.post(
    "/changes/{change_id}/runs",
    response={201: TestRunDetailOut, **errors(400, 403, 404, 409)},
    summary="Start a test run",
)
def create_run(request: HttpRequest, change_id: Id, payload: TestRunCreateIn) -> Answer[dict[str, Any]]:
    """Every active case of the plan unless `case_ids` names some; 400 with a field message for cases
    that are not the plan's or withdrawn, or an environment that is not the plan's."""
    change = _change(request, change_id)
    actor = current_user(request)
    plan = _plan(request, change) or base.plan_of(change, actor=actor)
    cases = TestCase.objects.visible_to(actor).filter(plan=plan, withdrawn=False)
    if payload.case_ids is not None:
        ids = set(payload.case_ids)
        chosen = list(TestCase.objects.visible_to(actor).filter(plan=plan, pk__in=ids))
        if len(chosen) != len(ids):
            message = _("Choose test cases of this plan that are not withdrawn.")
            raise DomainError(message, field_errors={"case_ids": message})
    else:
        chosen = list(cases.order_by("number")[: runs.MAX_RESULTS + 1])
    run = runs.start_run(
        plan,
        actor=actor,
        cases=chosen,
        environment=_environment(request, payload.environment_id),
        title=payload.title,
    )
    return Answer(201, _run_detail(request, run.pk))


def _run_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = current_user(request)
    run = _counted(TestRun.objects.visible_to(user).filter(pk=pk)).first()
    if run is None:
        raise NotFound(_("Test run not found."))
    results = list(
        TestResult.objects.visible_to(user)
        .filter(run=run)
        .select_related("case", "executed_by")
        .order_by("case__number")[: runs.MAX_RESULTS]
    )
    evidence: dict[int, list[ResultEvidence]] = {}
    for e in ResultEvidence.objects.visible_to(user).filter(result__run=run).order_by("uploaded_at", "id"):
        evidence.setdefault(e.result_id, []).append(e)
    linked: dict[int, list[int]] = {}
    for result_id, finding_id in (
        TestFinding.objects.visible_to(user).filter(result__run=run).values_list("result_id", "id")
    ):
        linked.setdefault(result_id, []).append(finding_id)
    return {
        **run_out(run),
        "results": [result_out(r, evidence.get(r.pk, []), linked.get(r.pk, [])) for r in results],
    }


def _run(request: HttpRequest, pk: int) -> TestRun:
    found = (
        TestRun.objects.visible_to(current_user(request)).filter(pk=pk).select_related("plan__change").first()
    )
    if found is None:
        raise NotFound(_("Test run not found."))
    return found


@router.get("/runs/{run_id}", response={200: TestRunDetailOut, **errors(403, 404)}, summary="A test run")
def get_run(request: HttpRequest, run_id: Id) -> dict[str, Any]:
    """The run with every case's result, evidence and findings."""
    return _run_detail(request, run_id)


@router.post(
    "/runs/{run_id}/finish",
    response={200: TestRunOut, **errors(400, 403, 404, 409)},
    summary="Finish a test run",
)
def finish_run(request: HttpRequest, run_id: Id) -> dict[str, Any]:
    runs.finish_run(_run(request, run_id), actor=current_user(request))
    return _run_detail(request, run_id)


@router.post(
    "/runs/{run_id}/retest",
    response={201: TestRunDetailOut, **errors(400, 403, 404, 409)},
    summary="Re-test what failed or was blocked, in a new run",
)
def retest_run(
    request: HttpRequest, run_id: Id, payload: TestRunRetestIn | None = None
) -> Answer[dict[str, Any]]:
    environment = _environment(request, payload.environment_id if payload else None)
    retest = runs.start_retest(_run(request, run_id), actor=current_user(request), environment=environment)
    return Answer(201, _run_detail(request, retest.pk))


def _result(request: HttpRequest, pk: int) -> TestResult:
    found = (
        TestResult.objects.visible_to(current_user(request))
        .filter(pk=pk)
        .select_related("run__plan__change", "case", "executed_by")
        .first()
    )
    if found is None:
        raise NotFound(_("Test result not found."))
    return found


@router.put(
    "/results/{result_id}",
    response={200: TestRunResultOut, **errors(400, 403, 404, 409)},
    summary="Record a case's outcome in an open run",
)
def record_result(request: HttpRequest, result_id: Id, payload: TestRunResultIn) -> dict[str, Any]:
    """A failed or blocked case needs the actual result (400 with a field message); a failed one gets
    a finding. Send the version you read; 409 when somebody else recorded it in the meantime."""
    runs.record_result(
        _result(request, result_id),
        actor=current_user(request),
        expected_version=payload.version,
        outcome=payload.outcome,
        actual_result=payload.actual_result,
        minutes=payload.minutes,
    )
    return _result_detail(request, result_id)


def _result_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = current_user(request)
    found = _result(request, pk)
    evidence = list(
        ResultEvidence.objects.visible_to(user).filter(result=found).order_by("uploaded_at", "id")
    )
    finding_ids = list(TestFinding.objects.visible_to(user).filter(result=found).values_list("id", flat=True))
    return result_out(found, evidence, finding_ids)


@router.post(
    "/results/{result_id}/evidence",
    response={201: TestRunEvidenceOut, **errors(400, 403, 404, 409)},
    summary="Add an evidence file to a result of an open run",
)
def upload_evidence(request: HttpRequest, result_id: Id, file: File[UploadedFile]) -> Answer[dict[str, Any]]:
    evidence = runs.add_result_evidence(_result(request, result_id), actor=current_user(request), upload=file)
    return Answer(201, evidence_out(evidence))


@router.get(
    "/evidence/{evidence_id}",
    url_name="testing_evidence_download",
    summary="Download an evidence file",
    response=errors(403, 404),
    openapi_extra=file_answer("application/octet-stream", "The file, as a download"),
)
def download_evidence(request: HttpRequest, evidence_id: Id) -> FileResponse:
    found = ResultEvidence.objects.visible_to(current_user(request)).filter(pk=evidence_id).first()
    if found is None:
        raise NotFound(_("Evidence not found."))
    return download_response(found.file, filename=found.original_name)


# -- findings --------------------------------------------------------------------------------------


@router.get(
    "/changes/{change_id}/findings",
    response={200: list[TestFindingOut], **errors(403, 404)},
    summary="A change's test findings, newest first (at most 200)",
)
def list_findings(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    change = _change(request, change_id)
    rows = _findings(request).filter(plan__change_id=change.pk).order_by("-number")[:MAX_ROWS]
    return [finding_out(f) for f in rows]


@router.post(
    "/changes/{change_id}/findings",
    response={201: TestFindingOut, **errors(400, 403, 404, 409)},
    summary="Record a test finding",
)
def create_finding(request: HttpRequest, change_id: Id, payload: TestFindingIn) -> Answer[dict[str, Any]]:
    change = _change(request, change_id)
    actor = current_user(request)
    plan = _plan(request, change) or base.plan_of(change, actor=actor)
    result = None
    if payload.result_id is not None:
        result = TestResult.objects.visible_to(actor).filter(pk=payload.result_id, run__plan=plan).first()
        if result is None:
            message = _("Choose a result of this change's runs.")
            raise DomainError(message, field_errors={"result_id": message})
    finding = findings.record_finding(
        plan,
        actor=actor,
        title=payload.title,
        description=payload.description,
        severity=payload.severity,
        result=result,
    )
    return Answer(201, finding_out(_findings(request).get(pk=finding.pk)))


def _finding(request: HttpRequest, pk: int) -> TestFinding:
    found = _findings(request).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Finding not found."))
    return found


@router.put(
    "/findings/{finding_id}",
    response={200: TestFindingOut, **errors(400, 403, 404, 409)},
    summary="Change a finding's title, description and severity",
)
def update_finding(request: HttpRequest, finding_id: Id, payload: TestFindingUpdateIn) -> dict[str, Any]:
    findings.update_finding(
        _finding(request, finding_id),
        actor=current_user(request),
        expected_version=payload.version,
        title=payload.title,
        description=payload.description,
        severity=payload.severity,
    )
    return finding_out(_finding(request, finding_id))


@router.post(
    "/findings/{finding_id}/status",
    response={200: TestFindingOut, **errors(400, 403, 404, 409)},
    summary="Set a finding open, resolved or accepted",
)
def set_finding_status(request: HttpRequest, finding_id: Id, payload: TestFindingStatusIn) -> dict[str, Any]:
    findings.set_finding_status(
        _finding(request, finding_id), actor=current_user(request), status=payload.status
    )
    return finding_out(_finding(request, finding_id))


@router.post(
    "/findings/{finding_id}/call",
    response={200: TestFindingOut, **errors(400, 403, 404, 409)},
    summary="Turn a finding into a call (once)",
)
def finding_to_call(request: HttpRequest, finding_id: Id) -> dict[str, Any]:
    """409 when the finding already has a call."""
    findings.finding_to_melding(_finding(request, finding_id), actor=current_user(request))
    return finding_out(_finding(request, finding_id))


@router.post(
    "/findings/{finding_id}/activity",
    response={200: TestFindingOut, **errors(400, 403, 404, 409)},
    summary="Turn a finding into an activity of the change (once)",
)
def finding_to_activity(request: HttpRequest, finding_id: Id) -> dict[str, Any]:
    """409 when the finding already has an activity."""
    findings.finding_to_activity(_finding(request, finding_id), actor=current_user(request))
    return finding_out(_finding(request, finding_id))


# -- traceability ----------------------------------------------------------------------------------


@router.get(
    "/changes/{change_id}/matrix",
    response={200: TestMatrixOut, **errors(403, 404)},
    summary="The traceability matrix: requirements x test cases x last result",
)
def get_matrix(request: HttpRequest, change_id: Id) -> dict[str, Any]:
    change = _change(request, change_id)
    built = traceability.build(change, current_user(request))
    return {
        "requirements": built.requirements,
        "not_covered": built.not_covered,
        "cases": built.cases,
        "unlinked_cases": built.unlinked_cases,
        "truncated": built.truncated,
        "rows": [
            {
                "requirement": ref(r.requirement, name=r.requirement.code) if r.requirement else None,
                "case": ref(r.case, name=str(r.case)) if r.case else None,
                "covered": r.covered,
                "outcome": r.result.outcome if r.result else None,
                "run": ref(r.result.run, name=str(r.result.run)) if r.result else None,
                "executed_at": r.result.executed_at if r.result else None,
            }
            for r in built.rows
        ],
    }
