"""The availability report screens (coordinators): the page and its CSV and XLSX exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from beheer.core import access, clock
from beheer.core.errors import DomainError

from .. import availability, kpis

ACCESS = access.Gate(access.Audience.COORDINATOR, message=gettext_lazy("Reports are for coordinators."))


def _today() -> date:
    return clock.now().astimezone(kpis.zone()).date()


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    try:
        date_from, date_to = availability.parse_period(request.GET, today=_today())
    except DomainError as exc:
        errors = exc.field_errors
        messages.error(request, _("The period is not valid; the report shows last month."))
        date_from, date_to = availability.parse_period({}, today=_today())
    data = availability.compute(request.user, date_from, date_to)  # type: ignore[arg-type]
    context: dict[str, Any] = {
        "data": data,
        "chart": availability.chart(data),
        "errors": errors,
        "month": request.GET.get("month") or date_from.strftime("%Y-%m"),
        "query": f"date_from={date_from.isoformat()}&date_to={date_to.isoformat()}",
    }
    return render(request, "reports/availability.html", context)


def _data_or_400(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    try:
        date_from, date_to = availability.parse_period(request.GET, today=_today())
    except DomainError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.field_errors.items())
        return HttpResponseBadRequest(
            f"{exc.message} {details}".strip(), content_type="text/plain; charset=utf-8"
        )
    return availability.compute(request.user, date_from, date_to)  # type: ignore[arg-type]


@require_GET
def export_csv(request: HttpRequest) -> HttpResponseBase:
    data = _data_or_400(request)
    return data if isinstance(data, HttpResponse) else availability.availability_csv(data)


@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    data = _data_or_400(request)
    return data if isinstance(data, HttpResponse) else availability.availability_xlsx(data)
