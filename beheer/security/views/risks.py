"""The risk register's screens: the list with filters and a heat map of the risks on the matrix, the
exports (CSV, XLSX), a risk's page with its trail, the new-risk and edit forms, and the matrix
settings (coordinators and administrators change them). Thin: read through `visible_to` (hidden ->
404), call one service, redirect; a refusal comes back on the form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from beheer.core import access
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.core.history import screen_page, subject_screen_page
from beheer.core.pagination import page_for_request

from ..forms_risks import MatrixForm, RiskFilterForm, RiskForm
from ..models import LEVELS, Axis, Risk, RiskHistoryEntry, RiskMatrixHistoryEntry
from ..services import risks as services
from ..services.risks import exports, queries
from .nav import page_context

ACCESS = access.STAFF_HIDDEN
PAGE_SIZE = 50
BAND_CSS = {"low": "status-resolved", "medium": "prio-3", "high": "prio-2", "critical": "prio-1"}


def band_css(band: str) -> str:
    return BAND_CSS.get(band, "")


def heat_context(heat: queries.HeatMap, which: str) -> list[dict[str, Any]]:
    names = services.level_names()
    grid = heat.grid(which)
    for row in grid:
        level = names.get((Axis.LIKELIHOOD, row["likelihood"]))
        row["label"] = level.name if level else row["likelihood"]
        for cell in row["cells"]:
            cell["css"] = band_css(cell["band"])
    return grid


def impact_labels() -> list[tuple[int, str]]:
    names = services.level_names()
    return [(n, names[(Axis.IMPACT, n)].name if (Axis.IMPACT, n) in names else str(n)) for n in LEVELS]


def _filtered(request: HttpRequest) -> tuple[RiskFilterForm, Any]:
    form = RiskFilterForm(request.GET or None)
    flt = queries.RiskFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = queries.RiskFilter(
            status=data["status"],
            band=data["band"],
            owner=data["owner"].pk if data["owner"] else None,
            overdue=data["overdue"],
            q=data["q"],
        )
    return form, queries.filter_risks(Risk.objects.visible_to(request.user), flt)


@require_GET
def risk_list(request: HttpRequest) -> HttpResponse:
    form, rows = _filtered(request)
    page = page_for_request(request, rows.select_related("owner"), queries.RISK_ORDER, size=PAGE_SIZE)
    settings = services.current_settings()
    items = [
        {
            "risk": r,
            "inherent_band": settings.band_of(r.inherent_score),
            "residual_band": settings.band_of(r.residual_score),
            "inherent_css": band_css(settings.band_of(r.inherent_score)),
            "residual_css": band_css(settings.band_of(r.residual_score)),
        }
        for r in page.items
    ]
    query = request.GET.copy()
    query.pop("cursor", None)
    base = query.urlencode()
    heat = queries.heat_map(rows)
    return render(
        request,
        "security/risks/risk_list.html",
        {
            **page_context(request, "security-risks"),
            "form": form,
            "items": items,
            "page": page,
            "query": base,
            "heat_inherent": heat_context(heat, "inherent"),
            "heat_residual": heat_context(heat, "residual"),
            "heat_total": heat.total,
            "impacts": impact_labels(),
            "may_configure": access.is_coordinator(request.user),
            "next_url": f"?{base}&cursor={page.next_cursor}" if page.next_cursor else "",
        },
    )


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    _form, rows = _filtered(request)
    return exports.csv_response(rows)  # type: ignore[return-value]


@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    _form, rows = _filtered(request)
    return exports.xlsx_response(rows)  # type: ignore[return-value]


def _risk(request: HttpRequest, pk: int) -> Risk:
    found = (
        Risk.objects.visible_to(request.user)
        .select_related("owner", "accepted_by", "created_by")
        .prefetch_related("cis", "controls")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


@require_GET
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _risk(request, pk)
    settings = services.current_settings()
    inherent, residual = settings.band_of(risk.inherent_score), settings.band_of(risk.residual_score)
    names = services.level_names()
    return render(
        request,
        "security/risks/risk_detail.html",
        {
            **page_context(request, "security-risks"),
            "risk": risk,
            "inherent_band": inherent,
            "residual_band": residual,
            "inherent_css": band_css(inherent),
            "residual_css": band_css(residual),
            "likelihood_name": names.get((Axis.LIKELIHOOD, risk.likelihood)),
            "impact_name": names.get((Axis.IMPACT, risk.impact)),
            **subject_screen_page(request, RiskHistoryEntry, risk),
        },
    )


def _data(form: RiskForm) -> services.RiskData:
    d = form.cleaned_data
    return services.RiskData(
        title=d["title"],
        likelihood=d["likelihood"],
        impact=d["impact"],
        threat=d["threat"],
        vulnerability=d["vulnerability"],
        cis=list(d["cis"]),
        treatment=d["treatment"],
        treatment_plan=d["treatment_plan"],
        controls=list(d["controls"]),
        residual_likelihood=d["residual_likelihood"],
        residual_impact=d["residual_impact"],
        owner=d["owner"],
        review_date=d["review_date"],
        status=d["status"],
        acceptance_reason=d["acceptance_reason"],
    )


def _form_page(request: HttpRequest, form: RiskForm, risk: Risk | None) -> HttpResponse:
    return render(
        request,
        "security/risks/risk_form.html",
        {**page_context(request, "security-risks"), "form": form, "risk": risk, "impacts": impact_labels()},
    )


@require_http_methods(["GET", "POST"])
def risk_new(request: HttpRequest) -> HttpResponse:
    form = RiskForm(request.POST or None, initial={"owner": request.user.pk, "likelihood": 3, "impact": 3})
    if request.method == "POST":
        if form.is_valid():
            try:
                risk = services.register_risk(actor=access.current_user(request), data=_data(form))
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("Risk %(code)s registered.") % {"code": risk.code})
                return redirect("security-risk", pk=risk.pk)
        else:
            messages.error(request, _("Check the form and try again."))
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = _risk(request, pk)
    initial = {
        **{name: getattr(risk, name) for name in services.register.FIELDS if name in RiskForm.base_fields},
        "cis": list(risk.cis.all()),
        "controls": list(risk.controls.all()),
        "owner": risk.owner_id,
        "version": risk.version,
    }
    form = RiskForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.change_risk(
                    risk,
                    actor=access.current_user(request),
                    data=_data(form),
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("Risk saved."))
                return redirect("security-risk", pk=risk.pk)
        else:
            messages.error(request, _("Check the form and try again."))
    return _form_page(request, form, risk)


@require_http_methods(["GET", "POST"])
def matrix_settings(request: HttpRequest) -> HttpResponse:
    settings = services.current_settings()
    names = services.level_names()
    initial: dict[str, Any] = {
        "medium_from": settings.medium_from,
        "high_from": settings.high_from,
        "critical_from": settings.critical_from,
        "version": settings.version,
    }
    for (axis, value), level in names.items():
        initial[f"{axis}_{value}_nl"] = level.name_nl
        initial[f"{axis}_{value}_en"] = level.name_en
    may_configure = access.is_coordinator(request.user)
    form = MatrixForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.change_matrix(
                    settings,
                    actor=access.current_user(request),
                    medium_from=data["medium_from"],
                    high_from=data["high_from"],
                    critical_from=data["critical_from"],
                    names=form.names(),
                    expected_version=data["version"],
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("Risk matrix saved."))
                return redirect("security-risk-matrix")
        else:
            messages.error(request, _("Check the form and try again."))
    grid = [
        {
            "label": names[(Axis.LIKELIHOOD, row[0].likelihood)].name
            if (Axis.LIKELIHOOD, row[0].likelihood) in names
            else row[0].likelihood,
            "cells": [{"score": c.score, "band": c.band, "css": band_css(c.band)} for c in row],
        }
        for row in services.cells(settings)
    ]
    level_rows = [
        (axis.label, value, form[f"{axis.value}_{value}_nl"], form[f"{axis.value}_{value}_en"])
        for axis in Axis
        for value in LEVELS
    ]
    return render(
        request,
        "security/risks/matrix.html",
        {
            **page_context(request, "security-risks"),
            "form": form,
            "grid": grid,
            "impacts": impact_labels(),
            "level_rows": level_rows,
            "may_configure": may_configure,
            **screen_page(request, RiskMatrixHistoryEntry.objects.visible_to(request.user)),
        },
    )


urlpatterns = [
    path("security/risks/", risk_list, name="security-risks"),
    path("security/risks/export.csv", export_csv, name="security-risks-export-csv"),
    path("security/risks/export.xlsx", export_xlsx, name="security-risks-export-xlsx"),
    path("security/risks/new/", risk_new, name="security-risk-new"),
    path("security/risks/matrix/", matrix_settings, name="security-risk-matrix"),
    path("security/risks/<int:pk>/", risk_detail, name="security-risk"),
    path("security/risks/<int:pk>/edit/", risk_edit, name="security-risk-edit"),
]
