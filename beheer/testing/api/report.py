"""The test report of a change (staff, /api/v1/testing): its content as JSON, the PDF, and the
tester's advice. A change without a test plan is a 404 here (reading never creates a plan)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from beheer.changes.models import Change
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import NotFound
from beheer.core.pdf import PDF, pdf_response
from beheer.core.schemas import Id, errors, file_answer

from .. import report
from ..models import TestPlan
from ..schemas_report import TestReportAdviceIn, TestReportOut
from ..services.advice import give_advice

router = access.declare(Router(tags=["testing"]), access.STAFF)


def _plan(request: HttpRequest, change_id: int) -> TestPlan:
    user = current_user(request)
    change = Change.objects.visible_to(user).filter(pk=change_id).first()
    if change is None:
        raise NotFound(_("Change not found."))
    plan = TestPlan.objects.visible_to(user).filter(change=change).select_related("change").first()
    if plan is None:
        raise NotFound(_("This change has no test plan."))
    return plan


def counts_out(c: report.Counts) -> dict[str, Any]:
    return {
        "passed": c.passed,
        "failed": c.failed,
        "blocked": c.blocked,
        "not_run": c.not_run,
        "total": c.total,
        "rate": c.rate,
    }


def report_out(r: report.TestReport) -> dict[str, Any]:
    advice = r.advice
    return {
        "change_id": r.change_id,
        "change_number": r.change_number,
        "change_title": r.change_title,
        "client": r.client,
        "testers": r.testers,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "generated": r.generated,
        "scope": r.scope,
        "entry_criteria": r.entry_criteria,
        "exit_criteria": r.exit_criteria,
        "test_types": r.test_types,
        "environments": [{"name": e.name, "purpose": e.purpose} for e in r.environments],
        "runs": [
            {
                "number": run.number,
                "title": run.title,
                "environment": run.environment,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "tester": run.tester,
                "retest_of": run.retest_of,
                "counts": counts_out(run.counts),
            }
            for run in r.runs
        ],
        "more_runs": r.more_runs,
        "totals": counts_out(r.totals),
        "requirements": [
            {
                "code": q.code,
                "text": q.text,
                "cases": list(q.cases),
                "covered": q.covered,
                "counts": counts_out(q.counts),
            }
            for q in r.requirements
        ],
        "types": [
            {"test_type": t.test_type, "label": t.label, "counts": counts_out(t.counts)} for t in r.types
        ],
        "open_by_severity": r.open_by_severity,
        "open_findings": [
            {"number": f.number, "title": f.title, "severity": f.severity, "case": f.case}
            for f in r.open_findings
        ],
        "closed_findings": r.closed_findings,
        "sessions": [
            {
                "title": s.title,
                "starts_at": s.starts_at,
                "status": s.status_label,
                "participants": s.participants,
                "passed": s.passed,
                "failed": s.failed,
                "could_work": {str(k): v for k, v in s.could_work.items()},
                "sign_off": s.sign_off,
                "signed_off_by": s.signed_off_by,
                "signed_off_at": s.signed_off_at,
                "sign_off_comment": s.sign_off_comment,
            }
            for s in r.sessions
        ],
        "advice": None
        if advice is None
        else {
            "advice": advice.advice,
            "label": advice.label,
            "text": advice.text,
            "by": advice.by,
            "at": advice.at,
        },
        "version": r.version,
    }


@router.get(
    "/changes/{change_id}/report",
    response={200: TestReportOut, **errors(403, 404)},
    summary="The test report of a change",
)
def get_report(request: HttpRequest, change_id: Id) -> dict[str, Any]:
    """What was tested where, the totals by the last result of each active case (the pass rate is
    passed of all active cases), per requirement and per type, the open findings by severity, the
    acceptance sessions and the tester's advice."""
    plan = _plan(request, change_id)
    return report_out(report.test_report(plan, user=current_user(request), generated=clock.now()))


@router.get(
    "/changes/{change_id}/report.pdf",
    response={200: None, **errors(403, 404)},
    summary="The test report as a PDF",
    openapi_extra=file_answer(PDF, "The test report"),
)
def get_report_pdf(request: HttpRequest, change_id: Id) -> HttpResponse:
    plan = _plan(request, change_id)
    content = report.test_report(plan, user=current_user(request), generated=clock.now())
    return pdf_response(report.test_report_pdf(content), f"{plan.change.number}-test-report.pdf")


@router.put(
    "/changes/{change_id}/advice",
    response={200: TestReportOut, **errors(400, 403, 404, 409)},
    summary="Give the tester's advice: go, go with conditions or no-go",
)
def put_advice(request: HttpRequest, change_id: Id, payload: TestReportAdviceIn) -> dict[str, Any]:
    """Send the test plan's `version` you read; 409 when somebody else changed the plan in the
    meantime, or when the change is closed. The text is required for conditions and no-go."""
    plan = _plan(request, change_id)
    give_advice(
        plan,
        actor=current_user(request),
        expected_version=payload.version,
        advice=payload.advice,
        text=payload.text,
    )
    return get_report(request, change_id)
