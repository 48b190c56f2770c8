"""The runs and findings of a change's tests, one run's page (each case's steps, its outcome form and
evidence), and the traceability matrix with its exports.

Thin adapters: read through `visible_to` within the change of the URL (a caller gets 403 from the
gate, another change's row 404), call one service, redirect back with the outcome as a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.changes.models import Change, ChangeStatus
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.files import download_response, max_upload_mb
from beheer.core.forms import place_domain_errors

from .. import matrix as traceability
from ..forms_runs import (
    ConfirmForm,
    EvidenceForm,
    FindingEditForm,
    FindingForm,
    FindingStatusForm,
    ResultForm,
    RunForm,
)
from ..models import (
    SEVERITY_ORDER,
    FindingStatus,
    Outcome,
    PlanEnvironment,
    ResultEvidence,
    TestCase,
    TestFinding,
    TestPlan,
    TestResult,
    TestRun,
)
from ..services import _base as base
from ..services import findings, runs
from .nav import change_for, page_context

ACCESS = access.STAFF

MAX_ROWS = 200  # runs and findings on the page
FORMATS = ("csv", "xlsx")


def _plan(request: HttpRequest, change: Change) -> TestPlan | None:
    return (
        TestPlan.objects.visible_to(request.user).filter(change_id=change.pk).select_related("change").first()
    )


def _editable(change: Change) -> bool:
    return change.status == ChangeStatus.OPEN


def _environments(plan: TestPlan | None) -> list[tuple[int, str]]:
    if plan is None:
        return []
    rows = PlanEnvironment.objects.filter(plan=plan).select_related("ci").order_by("purpose", "id")
    return [(e.ci_id, f"{e.ci.name} ({e.get_purpose_display()})") for e in rows]


def _active_cases(plan: TestPlan | None) -> list[TestCase]:
    if plan is None:
        return []
    return list(TestCase.objects.filter(plan=plan, withdrawn=False).order_by("number")[: runs.MAX_RESULTS])


def _run_form(plan: TestPlan | None, data: Any = None) -> RunForm:
    return RunForm(data, environments=_environments(plan), cases=_active_cases(plan))


def _runs(request: HttpRequest, plan: TestPlan) -> list[TestRun]:
    return list(
        TestRun.objects.visible_to(request.user)
        .filter(plan=plan)
        .select_related("environment", "created_by", "retest_of")
        .annotate(
            passed=Count("results", filter=Q(results__outcome=Outcome.PASSED)),
            failed=Count("results", filter=Q(results__outcome=Outcome.FAILED)),
            blocked=Count("results", filter=Q(results__outcome=Outcome.BLOCKED)),
            not_run=Count("results", filter=Q(results__outcome=Outcome.NOT_RUN)),
        )
        .order_by("-number")[:MAX_ROWS]
    )


def _findings(request: HttpRequest, plan: TestPlan) -> list[TestFinding]:
    rows = list(
        TestFinding.objects.visible_to(request.user)
        .filter(plan=plan)
        .select_related("result__run", "result__case", "melding", "activity", "created_by")
        .order_by("-number")[:MAX_ROWS]
    )
    rows.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), -f.number))  # type: ignore[call-overload]
    return rows


def _page(request: HttpRequest, change: Change, **forms: Any) -> HttpResponse:
    plan = _plan(request, change)
    rows = _findings(request, plan) if plan else []
    context = {
        **page_context(request, change, "testing-runs"),
        "editable": _editable(change),
        "plan": plan,
        "runs": _runs(request, plan) if plan else [],
        "open_findings": [f for f in rows if f.status == FindingStatus.OPEN],
        "closed_findings": [f for f in rows if f.status != FindingStatus.OPEN],
        "run_form": forms.get("run_form") or _run_form(plan),
        "finding_form": forms.get("finding_form") or FindingForm(),
        "status_choices": FindingStatus.choices,
        "max_rows": MAX_ROWS,
    }
    return render(request, "testing/runs/page.html", context)


def _back(change: Change, anchor: str = "") -> HttpResponse:
    url = reverse("testing-runs", args=[change.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _to_run(change: Change, run_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("testing-run", args=[change.pk, run_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _act(request: HttpRequest, call: Callable[[], Any], done: str) -> bool:
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
        for message in {m for f, m in exc.field_errors.items() if m != exc.message}:
            messages.error(request, message)
        return False
    messages.success(request, done)
    return True


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


@require_GET
def runs_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, change_for(request, pk))


@require_POST
def run_create(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    actor = current_user(request)
    plan = _plan(request, change)
    form = _run_form(plan, request.POST)
    if not form.is_valid():
        return _page(request, change, run_form=form)
    d = form.cleaned_data
    cases = _active_cases(plan)
    if d["which"] == "pick":
        picked = set(d["cases"])
        cases = [c for c in cases if c.pk in picked]
    environment = (
        ConfigurationItem.objects.visible_to(actor).filter(pk=d["environment"]).first()
        if d["environment"]
        else None
    )
    try:
        run = runs.start_run(
            plan or base.plan_of(change, actor=actor),
            actor=actor,
            cases=cases,
            environment=environment,
            title=d["title"],
        )
    except DomainError as exc:
        place_domain_errors(form, exc)
        return _page(request, change, run_form=form)
    messages.success(request, _("Run %(number)s has started.") % {"number": run.number})
    return _to_run(change, run.pk)


def _run(request: HttpRequest, change: Change, run_pk: int) -> TestRun:
    found = (
        TestRun.objects.visible_to(request.user)
        .filter(plan__change_id=change.pk, pk=run_pk)
        .select_related("plan__change", "environment", "created_by", "retest_of")
        .first()
    )
    if found is None:
        raise Http404
    return found


@require_GET
def run_page(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    run = _run(request, change, run_pk)
    results = list(
        TestResult.objects.visible_to(request.user)
        .filter(run=run)
        .select_related("case", "executed_by")
        .order_by("case__number")[: runs.MAX_RESULTS]
    )
    evidence: dict[int, list[ResultEvidence]] = {}
    for row in (
        ResultEvidence.objects.visible_to(request.user).filter(result__run=run).order_by("uploaded_at", "id")
    ):
        evidence.setdefault(row.result_id, []).append(row)
    linked: dict[int, list[TestFinding]] = {}
    for finding in TestFinding.objects.visible_to(request.user).filter(result__run=run).order_by("number"):
        linked.setdefault(finding.result_id or 0, []).append(finding)
    editable = _editable(change) and run.is_open
    for result in results:
        result.evidence_rows = evidence.get(result.pk, [])  # type: ignore[attr-defined]
        result.finding_rows = linked.get(result.pk, [])  # type: ignore[attr-defined]
        result.form = (  # type: ignore[attr-defined]
            ResultForm(
                initial={
                    "outcome": result.outcome if result.outcome != Outcome.NOT_RUN else None,
                    "actual_result": result.actual_result,
                    "minutes": result.minutes,
                    "version": result.version,
                },
                prefix=f"r{result.pk}",
                auto_id=f"id_r{result.pk}_%s",
            )
            if editable
            else None
        )
    counts = {o: sum(1 for r in results if r.outcome == o) for o in Outcome.values}
    return render(
        request,
        "testing/runs/run.html",
        {
            **page_context(request, change, "testing-runs"),
            "run": run,
            "results": results,
            "counts": counts,
            "editable": editable,
            "change_open": _editable(change),
            "evidence_form": EvidenceForm(),
            "max_mb": max_upload_mb(),
            "max_evidence": runs.MAX_EVIDENCE,
        },
    )


def _result(request: HttpRequest, change: Change, result_pk: int) -> TestResult:
    found = (
        TestResult.objects.visible_to(request.user)
        .filter(run__plan__change_id=change.pk, pk=result_pk)
        .select_related("run__plan__change", "case")
        .first()
    )
    if found is None:
        raise Http404
    return found


@require_POST
def result_save(request: HttpRequest, pk: int, result_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    result = _result(request, change, result_pk)
    form = ResultForm(request.POST, prefix=f"r{result.pk}")
    if not form.is_valid():
        _form_errors(request, form)
        return _to_run(change, result.run_id, f"result-{result.pk}")
    d = form.cleaned_data
    _act(
        request,
        lambda: runs.record_result(
            result,
            actor=current_user(request),
            expected_version=d["version"],
            outcome=d["outcome"],
            actual_result=d["actual_result"],
            minutes=d["minutes"],
        ),
        _("The result of %(case)s has been saved.") % {"case": result.case.code},
    )
    return _to_run(change, result.run_id, f"result-{result.pk}")


@require_POST
def evidence_upload(request: HttpRequest, pk: int, result_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    result = _result(request, change, result_pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _act(
            request,
            lambda: runs.add_result_evidence(
                result, actor=current_user(request), upload=form.cleaned_data["file"]
            ),
            _("The evidence has been stored."),
        )
    return _to_run(change, result.run_id, f"result-{result.pk}")


@require_GET
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    change = change_for(request, pk)
    found = (
        ResultEvidence.objects.visible_to(request.user)
        .filter(result__run__plan__change_id=change.pk, pk=evidence_pk)
        .first()
    )
    if found is None:
        raise Http404
    return download_response(found.file, filename=found.original_name)


@require_POST
def run_finish(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    run = _run(request, change, run_pk)
    _act(
        request,
        lambda: runs.finish_run(run, actor=current_user(request)),
        _("Run %(number)s is finished.") % {"number": run.number},
    )
    return _to_run(change, run.pk)


@require_POST
def run_retest(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    run = _run(request, change, run_pk)
    try:
        retest = runs.start_retest(run, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _to_run(change, run.pk)
    messages.success(request, _("Re-test run %(number)s has started.") % {"number": retest.number})
    return _to_run(change, retest.pk)


@require_POST
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    actor = current_user(request)
    form = FindingForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            plan = _plan(request, change) or base.plan_of(change, actor=actor)
            findings.record_finding(
                plan, actor=actor, title=d["title"], description=d["description"], severity=d["severity"]
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The finding has been recorded."))
            return _back(change, "findings")
    return _page(request, change, finding_form=form)


def _finding(request: HttpRequest, change: Change, finding_pk: int) -> TestFinding:
    found = (
        TestFinding.objects.visible_to(request.user)
        .filter(plan__change_id=change.pk, pk=finding_pk)
        .select_related("plan__change")
        .first()
    )
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
def finding_edit(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    finding = _finding(request, change, finding_pk)
    if request.method == "POST":
        form = FindingEditForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                findings.update_finding(
                    finding,
                    actor=current_user(request),
                    expected_version=d["version"],
                    title=d["title"],
                    description=d["description"],
                    severity=d["severity"],
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("The finding has been saved."))
                return _back(change, f"finding-{finding.pk}")
    else:
        form = FindingEditForm(
            initial={
                "title": finding.title,
                "description": finding.description,
                "severity": finding.severity,
                "version": finding.version,
            }
        )
    return render(
        request,
        "testing/runs/finding_edit.html",
        {
            **page_context(request, change, "testing-runs"),
            "finding": finding,
            "form": form,
            "editable": _editable(change),
        },
    )


@require_POST
def finding_status(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    finding = _finding(request, change, finding_pk)
    form = FindingStatusForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _act(
            request,
            lambda: findings.set_finding_status(
                finding, actor=current_user(request), status=form.cleaned_data["status"]
            ),
            _("The status of finding %(number)s has been saved.") % {"number": finding.number},
        )
    return _back(change, f"finding-{finding.pk}")


def _confirmed(request: HttpRequest) -> bool:
    if ConfirmForm(request.POST).is_valid():
        return True
    messages.error(request, _("Tick the box to confirm."))
    return False


@require_POST
def finding_call(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    finding = _finding(request, change, finding_pk)
    if _confirmed(request):
        try:
            melding = findings.finding_to_melding(finding, actor=current_user(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Finding %(number)s is now call %(call)s.")
                % {"number": finding.number, "call": melding.number},
            )
    return _back(change, f"finding-{finding.pk}")


@require_POST
def finding_activity(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    finding = _finding(request, change, finding_pk)
    if _confirmed(request):
        _act(
            request,
            lambda: findings.finding_to_activity(finding, actor=current_user(request)),
            _("Finding %(number)s is now an activity of the change.") % {"number": finding.number},
        )
    return _back(change, f"finding-{finding.pk}")


@require_GET
def matrix_page(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    return render(
        request,
        "testing/runs/matrix.html",
        {
            **page_context(request, change, "testing-matrix"),
            "matrix": traceability.build(change, request.user),
        },
    )


@require_GET
def matrix_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    if fmt not in FORMATS:
        raise Http404
    change = change_for(request, pk)
    data = traceability.build(change, request.user)
    if fmt == "csv":
        return traceability.csv_response(data, change)
    return traceability.xlsx_response(data, change)


urlpatterns = [
    path("changes/<int:pk>/tests/runs/", runs_page, name="testing-runs"),
    path("changes/<int:pk>/tests/runs/new/", run_create, name="testing-run-create"),
    path("changes/<int:pk>/tests/runs/<int:run_pk>/", run_page, name="testing-run"),
    path("changes/<int:pk>/tests/runs/<int:run_pk>/finish/", run_finish, name="testing-run-finish"),
    path("changes/<int:pk>/tests/runs/<int:run_pk>/retest/", run_retest, name="testing-retest"),
    path("changes/<int:pk>/tests/results/<int:result_pk>/", result_save, name="testing-result"),
    path(
        "changes/<int:pk>/tests/results/<int:result_pk>/evidence/",
        evidence_upload,
        name="testing-evidence-upload",
    ),
    path("changes/<int:pk>/tests/evidence/<int:evidence_pk>/", evidence_download, name="testing-evidence"),
    path("changes/<int:pk>/tests/findings/new/", finding_create, name="testing-finding-create"),
    path("changes/<int:pk>/tests/findings/<int:finding_pk>/edit/", finding_edit, name="testing-finding-edit"),
    path(
        "changes/<int:pk>/tests/findings/<int:finding_pk>/status/",
        finding_status,
        name="testing-finding-status",
    ),
    path("changes/<int:pk>/tests/findings/<int:finding_pk>/call/", finding_call, name="testing-finding-call"),
    path(
        "changes/<int:pk>/tests/findings/<int:finding_pk>/activity/",
        finding_activity,
        name="testing-finding-activity",
    ),
    path("changes/<int:pk>/tests/matrix/", matrix_page, name="testing-matrix"),
    path("changes/<int:pk>/tests/matrix.<str:fmt>", matrix_export, name="testing-matrix-export"),
]
