"""Management report API under /api/v1/reports/: KPIs as JSON, report exports (CSV, XLSX, PDF),
melding list as XLSX."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy
from ninja import Query, Router

from beheer.core import access, clock
from beheer.core.schemas import errors, file_answer
from beheer.servicedesk.models import Melding
from beheer.servicedesk.queries import MeldingFilter, filter_meldingen, order_for
from beheer.servicedesk.schemas import MeldingListParams

from .. import availability, exports, kpis, pdf
from ..schemas import AvailabilityParams, MonthlyParams, ReportParams

router = access.declare(
    Router(tags=["reports"]),
    access.Gate(access.Audience.COORDINATOR, message=gettext_lazy("Reports are for coordinators.")),
)


def _filter(request: HttpRequest, params: ReportParams) -> kpis.ReportFilter:
    return kpis.parse_filter(params.dict())


@router.get(
    "/kpis",
    summary="Management KPIs for a period (local dates, inclusive) and filter; coordinators only",
    response={200: dict[str, Any], **errors(400, 403)},
)
def report_kpis(request: HttpRequest, params: Query[ReportParams]) -> dict[str, Any]:
    return kpis.compute(request.user, _filter(request, params))


@router.get(
    "/export.csv",
    summary="The management report as CSV; coordinators only",
    response=errors(400, 403),
    openapi_extra=file_answer("text/csv", "The management report as CSV"),
)
def report_export_csv(request: HttpRequest, params: Query[ReportParams]) -> StreamingHttpResponse:
    return exports.report_csv(kpis.compute(request.user, _filter(request, params)))


@router.get(
    "/export.xlsx",
    summary="The management report as XLSX; coordinators only",
    response=errors(400, 403),
    openapi_extra=file_answer(exports.XLSX, "The management report as XLSX"),
)
def report_export_xlsx(request: HttpRequest, params: Query[ReportParams]) -> FileResponse:
    return exports.report_xlsx(kpis.compute(request.user, _filter(request, params)))


@router.get(
    "/monthly.pdf",
    summary="The management report as a PDF: `month` (YYYY-MM), or date_from and date_to, "
    "default last month; in the user's language; with the availability of the monitored services in "
    "the same period; coordinators only",
    response=errors(400, 403),
    openapi_extra=file_answer("application/pdf", "The management report as PDF"),
)
def report_monthly_pdf(request: HttpRequest, params: Query[MonthlyParams]) -> HttpResponse:
    now = clock.now()
    f = pdf.monthly_filter(params.dict(), today=now.astimezone(kpis.zone()).date())
    return pdf.report_pdf_response(
        kpis.compute(request.user, f),
        generated=now,
        availability=availability.for_management_report(request.user, f.date_from, f.date_to),  # type: ignore[arg-type]
    )


@access.gate(access.Gate(access.Audience.STAFF, message=gettext_lazy("Exports are for operators.")))
@router.get(
    "/meldingen.xlsx",
    summary="The filtered melding list as XLSX (no row cap); operators",
    response=errors(400, 403),
    openapi_extra=file_answer(exports.XLSX, "The meldingen as XLSX"),
)
def meldingen_xlsx(request: HttpRequest, params: Query[MeldingListParams]) -> FileResponse:
    values = params.dict()
    f = MeldingFilter(**{k: v for k, v in values.items() if k in MeldingFilter.__dataclass_fields__})
    qs = filter_meldingen(Melding.objects.all(), f, request.user)
    return exports.meldingen_xlsx(qs, order_for(params.sort))


def _availability(request: HttpRequest, params: AvailabilityParams) -> dict[str, Any]:
    today = clock.now().astimezone(kpis.zone()).date()
    date_from, date_to = availability.parse_period(params.dict(), today=today)
    return availability.compute(request.user, date_from, date_to)  # type: ignore[arg-type]


@router.get(
    "/availability",
    summary="Availability, downtime, outages and latency per check and per tag against each check's "
    "norm: `month` (YYYY-MM), or date_from and date_to (local dates, inclusive), default last month; "
    "coordinators only",
    response={200: dict[str, Any], **errors(400, 403)},
)
def report_availability(request: HttpRequest, params: Query[AvailabilityParams]) -> dict[str, Any]:
    return _availability(request, params)


@router.get(
    "/availability.csv",
    summary="The availability report as CSV; coordinators only",
    response=errors(400, 403),
    openapi_extra=file_answer("text/csv", "The availability report as CSV"),
)
def report_availability_csv(request: HttpRequest, params: Query[AvailabilityParams]) -> StreamingHttpResponse:
    return availability.availability_csv(_availability(request, params))


@router.get(
    "/availability.xlsx",
    summary="The availability report as XLSX; coordinators only",
    response=errors(400, 403),
    openapi_extra=file_answer(exports.XLSX, "The availability report as XLSX"),
)
def report_availability_xlsx(request: HttpRequest, params: Query[AvailabilityParams]) -> FileResponse:
    return availability.availability_xlsx(_availability(request, params))
