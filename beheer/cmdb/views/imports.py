"""Importing and exporting configuration items on screen, for staff.

The import takes two steps, each a job (`services.imports.jobs`) the worker runs in the background:
the upload checks the file (a dry run; a small file is checked at once) and the job's page shows its
report per row; confirming imports it. While a job waits or runs, its page polls its progress every
second (`import_job_progress`, HTMX) until the report replaces the progress bar; when the worker has
not picked the job up after a while, the page says so. The file waits on the job until the import
has run, or for an hour after the check. A person sees their own jobs, administrators everybody's.
The exports download the CI list with its filters applied.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access, scheduler
from beheer.core.access import current_user
from beheer.core.errors import DomainError

from .. import exports, imports
from ..forms.imports import ImportForm
from ..models import ConfigurationItem, ImportJob, ImportState
from ..queries import ItemFilter, filter_items
from ..services.imports import ImportReport, jobs

ACCESS = access.STAFF

WORKER_PATIENCE = timedelta(seconds=15)  # queued this long without a worker: say so
SHOWN_ROWS = 1000  # rows of a report shown on the page (the refused ones first)


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponseBase:
    """Upload: the file is checked (a dry run) and the job's page shows the report."""
    user = current_user(request)
    form = ImportForm(request.POST or None, request.FILES or None, people=user.is_coordinator)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            form.add_error(
                "file", _("The file is too large: at most %(mb)d MB.") % {"mb": imports.MAX_BYTES // 2**20}
            )
        else:
            try:
                job = jobs.start_job(
                    actor=user,
                    data=upload.read(),
                    filename=upload.name or "",
                    kind=form.cleaned_data["kind"],
                    key=form.cleaned_data["key"] or None,
                    partial=form.cleaned_data["partial"],
                )
            except DomainError as exc:
                for name, message in (exc.field_errors or {"file": exc.message}).items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                return redirect("cmdb-import-job", pk=job.pk)
    recent = ImportJob.objects.visible_to(user).filter(owner=user).defer("data", "report")[:10]
    return render(
        request,
        "cmdb/import_form.html",
        {
            "form": form,
            "recent": recent,
            "max_mb": imports.MAX_BYTES // 2**20,
            "max_rows": imports.MAX_ROWS,
        },
    )


def _job(request: HttpRequest, pk: int) -> ImportJob:
    rows = ImportJob.objects.visible_to(request.user).select_related("owner").defer("data")
    return get_object_or_404(rows, pk=pk)


def _status(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    done, total = jobs.progress_of(job)
    report = ImportReport.from_dict(job.report) if job.report else None
    rows = []
    if report is not None:
        rows = sorted(report.rows, key=lambda r: (r.action != "reject", r.row))[:SHOWN_ROWS]
    waiting = timezone.now() - job.queued_at > WORKER_PATIENCE
    return {
        "job": job,
        "done": done,
        "total": total,
        "report": report,
        "rows": rows,
        "more_rows": len(report.rows) - len(rows) if report is not None else 0,
        "confirmable": jobs.confirmable(job) and job.owner_id == request.user.pk,
        "worker_missing": job.state == ImportState.QUEUED and waiting and bool(scheduler.missing_processes()),
    }


@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "cmdb/import_job.html", _status(request, job))


@require_GET
def import_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's panel: the progress bar (polling again) while it runs, the report when it is done."""
    job = _job(request, pk)
    return render(request, "cmdb/_import_job.html", _status(request, job))


@require_POST
def import_job_confirm(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Queue the import of the checked file."""
    job = _job(request, pk)
    try:
        jobs.confirm_job(job, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cmdb-import-job", pk=job.pk)


def _filtered(request: HttpRequest) -> tuple[object, int | None]:
    flt = ItemFilter.from_query(request.GET)
    rows = ConfigurationItem.objects.visible_to(request.user)
    return filter_items(rows, flt), flt.ci_type


@require_GET
def export_csv(request: HttpRequest) -> HttpResponseBase:
    try:
        rows, ci_type = _filtered(request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cmdb-items")
    return exports.csv_response(rows, ci_type)


@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    try:
        rows, ci_type = _filtered(request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cmdb-items")
    return exports.xlsx_response(rows, ci_type)
