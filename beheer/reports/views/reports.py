"""Management report screens (coordinators): the report, its exports, the printable monthly
report and scheduled reports. Thin: parse, compute with kpis, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
)
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access, clock
from beheer.core.errors import DomainError

from .. import availability, charts, exports, kpis, pdf, services
from ..forms import ReportFilterForm, ScheduleForm, preset_period
from ..models import ReportRun, ScheduledReport

ACCESS = access.Gate(access.Audience.COORDINATOR, message=gettext_lazy("Reports are for coordinators."))

View = Callable[..., HttpResponseBase]


def _today() -> date:
    return clock.now().astimezone(kpis.zone()).date()


def _context(request: HttpRequest, f: kpis.ReportFilter) -> dict[str, Any]:
    data = kpis.compute(request.user, f)
    query = urlencode(f.params())
    return {
        "data": data,
        "charts": charts.report_charts(data),
        **charts.labelled(data),
        "filter": f,
        "query": query,
    }


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None)
    start, end = preset_period("this_month", _today()) or (_today(), _today())
    f = kpis.ReportFilter(date_from=start, date_to=end)
    if form.is_bound:
        if form.is_valid():
            try:
                f = form.report_filter(_today())
            except DomainError as exc:
                for field, message in exc.field_errors.items():
                    form.add_error(field if field in form.fields else None, message)
        if form.errors:
            messages.error(request, _("The filter is not valid; the report shows this month."))
    return render(request, "reports/report.html", {"form": form, **_context(request, f)})


def _filter_or_400(request: HttpRequest) -> kpis.ReportFilter | HttpResponse:
    try:
        return kpis.parse_filter(request.GET)
    except DomainError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.field_errors.items())
        return HttpResponseBadRequest(
            f"{exc.message} {details}".strip(), content_type="text/plain; charset=utf-8"
        )


@require_GET
def export_csv(request: HttpRequest) -> HttpResponseBase:
    f = _filter_or_400(request)
    if isinstance(f, HttpResponse):
        return f
    return exports.report_csv(kpis.compute(request.user, f))


@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    f = _filter_or_400(request)
    if isinstance(f, HttpResponse):
        return f
    return exports.report_xlsx(kpis.compute(request.user, f))


def _monthly_filter(request: HttpRequest) -> kpis.ReportFilter | HttpResponse:
    try:
        return pdf.monthly_filter(request.GET, today=_today())
    except DomainError as exc:
        details = "; ".join(v for k, v in exc.field_errors.items() if v != exc.message)
        return HttpResponseBadRequest(
            f"{exc.message} {details}".strip(), content_type="text/plain; charset=utf-8"
        )


@require_GET
def monthly(request: HttpRequest) -> HttpResponse:
    """The printable report of one month (`month=YYYY-MM`, default last month) or a period."""
    f = _monthly_filter(request)
    if isinstance(f, HttpResponse):
        return f
    return render(
        request,
        "reports/report_monthly.html",
        {
            "title": pdf.report_title(f.date_from, f.date_to),
            "generated": clock.now(),
            "availability": availability.for_management_report(request.user, f.date_from, f.date_to),  # type: ignore[arg-type]
            **_context(request, f),
        },
    )


@require_GET
def monthly_pdf(request: HttpRequest) -> HttpResponse:
    """The same report as a PDF download, in the user's language."""
    f = _monthly_filter(request)
    if isinstance(f, HttpResponse):
        return f
    return pdf.report_pdf_response(
        kpis.compute(request.user, f),
        generated=clock.now(),
        availability=availability.for_management_report(request.user, f.date_from, f.date_to),  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------------------------------
# scheduled reports


@require_http_methods(["GET", "POST"])
def schedules(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_report(
                actor=user,
                name=form.cleaned_data["name"],
                frequency=form.cleaned_data["frequency"],
                file_format=form.cleaned_data["file_format"],
                email_file=form.cleaned_data["email_file"],
                filters={k: v for k, v in form.dimension_values().items() if v is not None},
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The report is scheduled."))
            return redirect("report-schedules")
    items = (
        ScheduledReport.objects.visible_to(user)
        .select_related("owner")
        .prefetch_related("runs")
        .order_by("-active", "name", "pk")[:200]
    )
    return render(request, "reports/report_schedules.html", {"form": form, "schedules": items})


@require_POST
def schedule_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = ScheduledReport.objects.visible_to(request.user).filter(pk=pk).first()
    if schedule is None:
        raise Http404
    try:
        services.cancel_report(schedule, actor=request.user)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The schedule is stopped; its stored reports stay available."))
    return redirect("report-schedules")


@require_GET
def run_download(request: HttpRequest, pk: int) -> FileResponse:
    run = ReportRun.objects.visible_to(request.user).filter(pk=pk).first()
    if run is None or not run.file:
        raise Http404
    response = FileResponse(
        run.file.open("rb"), as_attachment=True, filename=run.filename, content_type=run.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
