"""The statement of applicability (staff): every control of the current catalogue and every own
control, applicable or not with a justification, filtered by theme and decision and edited in the
row itself (HTMX: the row's form comes in place of the row, the saved row comes back); exported as
XLSX and PDF. And the control catalogues, where a register manager makes one current."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.core.htmx import is_htmx
from beheer.core.pagination import page_for_request
from beheer.core.pdf import pdf_response

from ..access import manages_register
from ..forms_measures import ApplicabilityForm, SoaFilterForm
from ..models import Catalogue, Control
from ..services import measures as services
from ..services.measures import exports, reading
from .nav import page_context

ACCESS = access.STAFF_HIDDEN
PAGE_SIZE = 100


def _filters(request: HttpRequest) -> tuple[SoaFilterForm, dict[str, str]]:
    form = SoaFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, {"theme": data.get("theme") or "", "decision": data.get("decision") or ""}


@require_GET
def soa_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form, chosen = _filters(request)
    page = page_for_request(request, reading.soa(user, **chosen), reading.CONTROL_ORDER, size=PAGE_SIZE)
    query = urlencode({k: v for k, v in chosen.items() if v})
    next_url = (
        f"?{urlencode({**{k: v for k, v in chosen.items() if v}, 'cursor': page.next_cursor})}"
        if page.next_cursor
        else None
    )
    return render(
        request,
        "security/measures/soa.html",
        {
            **page_context(request, "security-soa"),
            "form": form,
            "page": page,
            "query": query,
            "next_url": next_url,
            "catalogue": services.current_catalogue(),
            "can_manage": manages_register(user),
        },
    )


def _line(request: HttpRequest, control_id: int) -> Control:
    found = reading.soa(current_user(request)).filter(pk=control_id).first()
    if found is None:
        raise Http404(_("Control not found."))
    return found


def _row(request: HttpRequest, control: Control, status: int = 200) -> HttpResponse:
    context = {"control": control, "can_manage": manages_register(current_user(request))}
    return render(request, "security/measures/_soa_row.html", context, status=status)


@require_http_methods(["GET", "POST"])
def soa_line(request: HttpRequest, control_id: int) -> HttpResponse:
    """GET: the row's edit form (or the row itself with `?view=1`); POST: save, answer the row."""
    control = _line(request, control_id)
    line = getattr(control, "statement", None)
    if request.method == "GET":
        if request.GET.get("view"):
            return _row(request, control)
        form = ApplicabilityForm(
            initial={
                "applicability": line.applicability if line else "applicable",
                "justification": line.justification if line else "",
                "version": line.version if line else 0,
            }
        )
        return render(request, "security/measures/_soa_edit.html", {"control": control, "form": form})
    form = ApplicabilityForm(request.POST)
    if form.is_valid():
        try:
            services.set_applicability(
                control,
                actor=current_user(request),
                applicability=form.cleaned_data["applicability"],
                justification=form.cleaned_data["justification"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            if is_htmx(request):
                return _row(request, _line(request, control_id))
            messages.success(request, _("Statement of applicability saved."))
            return redirect("security-soa")
    return render(
        request,
        "security/measures/_soa_edit.html",
        {"control": control, "form": form},
        status=400 if not is_htmx(request) else 200,
    )


@require_GET
def soa_xlsx(request: HttpRequest) -> Any:
    _form, chosen = _filters(request)
    return exports.soa_xlsx(current_user(request), **chosen)


@require_GET
def soa_pdf(request: HttpRequest) -> HttpResponse:
    _form, chosen = _filters(request)
    return pdf_response(exports.soa_pdf(current_user(request), **chosen), "statement-of-applicability.pdf")


@require_GET
def catalogues(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    rows = Catalogue.objects.visible_to(user).order_by("kind", "-loaded_at", "id")[:100]
    return render(
        request,
        "security/measures/catalogues.html",
        {
            **page_context(request, "security-controls"),
            "catalogues": rows,
            "can_manage": manages_register(user),
        },
    )


@require_POST
def catalogue_current(request: HttpRequest, catalogue_id: int) -> HttpResponse:
    found = Catalogue.objects.visible_to(current_user(request)).filter(pk=catalogue_id).first()
    if found is None:
        raise Http404(_("Catalogue not found."))
    try:
        services.make_current(found, actor=current_user(request))
        messages.success(request, _("%(name)s is now the current catalogue.") % {"name": found.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("security-catalogues")


urlpatterns = [
    path("security/soa/", soa_page, name="security-soa"),
    path("security/soa/export.xlsx", soa_xlsx, name="security-soa-xlsx"),
    path("security/soa/export.pdf", soa_pdf, name="security-soa-pdf"),
    path("security/soa/<int:control_id>/", soa_line, name="security-soa-line"),
    path("security/catalogues/", catalogues, name="security-catalogues"),
    path(
        "security/catalogues/<int:catalogue_id>/current/",
        catalogue_current,
        name="security-catalogue-current",
    ),
]
