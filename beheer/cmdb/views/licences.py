"""Licences for staff: the list with compliance and expiry, a licence's page with its assignments
(add and remove), the create and edit forms, removal, and the CI page's section with the CI's
licences and the contracts that cover it.

Thin adapters: read through `visible_to`, call one service, redirect; a refused change shows the form
again with the service's messages on its fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access, history
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.files import max_upload_mb
from beheer.core.forms import parse_id
from beheer.core.forms import place_domain_errors as place_errors
from beheer.core.pagination import SortKey, page_for_request

from .. import services
from ..forms import ConfirmForm
from ..forms.licences import AssignmentForm, LicenceFileForm, LicenceForm
from ..models import ConfigurationItem, Contract, Licence, LicenceAssignment, LicenceHistoryEntry
from ..queries import licence_files
from ..services.licences import mark_states
from .saving import save_row

ACCESS = access.STAFF

PAGE_SIZE = 50
ORDER = (SortKey("product"), SortKey("id"))


def licence_for(request: HttpRequest, pk: int) -> Licence:
    """The licence `pk` as `request`'s user may see it (404 otherwise)."""
    found = (
        Licence.objects.visible_to(request.user)
        .select_related("application", "supplier", "owner")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


@require_GET
def licence_list(request: HttpRequest) -> HttpResponse:
    rows = Licence.objects.visible_to(request.user).select_related("supplier")
    page = page_for_request(request, rows, ORDER, size=PAGE_SIZE)
    mark_states(page.items)
    return render(
        request,
        "cmdb/licences_list.html",
        {
            "page": page,
            "overview": services.compliance_overview(Licence.objects.visible_to(request.user)),
            "next_url": f"?cursor={page.next_cursor}" if page.next_cursor else "",
        },
    )


@require_GET
def licence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    licence = licence_for(request, pk)
    assignments = list(
        LicenceAssignment.objects.visible_to(request.user)
        .filter(licence=licence)
        .select_related("ci", "person", "assigned_by")
        .order_by("id")[:500]
    )
    return render(
        request,
        "cmdb/licences_detail.html",
        {
            "licence": licence,
            "assignments": assignments,
            "compliance": services.compliance(licence),
            "form": AssignmentForm(),
            "files": licence_files(licence, request.user),
            "file_form": LicenceFileForm(),
            "max_mb": max_upload_mb(),
            **history.subject_screen_page(request, LicenceHistoryEntry, licence),
        },
    )


def _data(form: LicenceForm) -> services.LicenceData:
    data = form.cleaned_data
    return services.LicenceData(
        product=data["product"],
        licence_model=data["licence_model"],
        start_date=data["start_date"],
        application=data["application"],
        entitlements=data["entitlements"],
        supplier=data["supplier"],
        owner=data["owner"],
        expiry_date=data["expiry_date"],
        cost=data["cost"],
        reference=data["reference"],
        notes=data["notes"],
        remind_days=data["remind_days"],
    )


@require_http_methods(["GET", "POST"])
def licence_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    licence = licence_for(request, pk) if pk is not None else None
    if request.method == "POST":
        form = LicenceForm(request.POST)
        done = save_row(
            request,
            form,
            licence,
            create=services.create_licence,
            update=services.update_licence,
            data=_data,
            place=place_errors,
            saved=_("The licence has been saved."),
            detail_url="cmdb-licence",
        )
        if done is not None:
            return done
    elif licence is not None:
        initial = {name: getattr(licence, name) for name in services.licences.HISTORY_FIELDS}
        initial["version"] = licence.version
        form = LicenceForm(initial=initial)
    else:
        form = LicenceForm()
    return render(request, "cmdb/licences_form.html", {"form": form, "licence": licence})


@require_http_methods(["GET", "POST"])
def licence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    licence = licence_for(request, pk)
    form = ConfirmForm(request.POST or None, initial={"version": licence.version})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.delete_licence(
                    licence, actor=current_user(request), expected_version=form.cleaned_data["version"]
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The licence has been removed."))
                return redirect("cmdb-licences")
        else:
            messages.error(request, _("Tick the box to confirm."))
    return render(request, "cmdb/licences_delete.html", {"licence": licence, "form": form})


def _ci(text: str, user: Any) -> ConfigurationItem | None:
    visible = ConfigurationItem.objects.visible_to(user)
    pk = parse_id(text)
    if pk is not None:
        return visible.filter(pk=pk).first()
    found = list(visible.filter(name__iexact=text.strip())[:2])
    return found[0] if len(found) == 1 else None


@require_POST
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    licence = licence_for(request, pk)
    form = AssignmentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("cmdb-licence", pk=pk)
    text = form.cleaned_data["ci"].strip()
    ci = _ci(text, request.user) if text else None
    if text and ci is None:
        messages.error(request, _("Choose one existing configuration item, by its number or exact name."))
        return redirect("cmdb-licence", pk=pk)
    try:
        services.assign_licence(
            licence, actor=current_user(request), ci=ci, person=form.cleaned_data["person"]
        )
    except DomainError as exc:
        messages.error(request, " ".join(dict.fromkeys([exc.message, *exc.field_errors.values()])))
    else:
        messages.success(request, _("The licence has been assigned."))
    return redirect("cmdb-licence", pk=pk)


@require_POST
def assignment_remove(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    licence = licence_for(request, pk)
    assignment = (
        LicenceAssignment.objects.visible_to(request.user).filter(pk=assignment_pk, licence=licence).first()
    )
    if assignment is None:
        raise Http404
    services.unassign_licence(assignment, actor=current_user(request))
    messages.success(request, _("The assignment has been removed."))
    return redirect("cmdb-licence", pk=pk)


# --------------------------------------------------------------------------------------------------
# the CI page's section


def ci_section(request: Any, ci: ConfigurationItem) -> str:
    """The CI's licences (as application and assigned) and the contracts that cover it: three
    queries whatever the CI holds."""
    if not access.is_staff(request.user):
        return ""
    assigned = list(
        LicenceAssignment.objects.filter(ci=ci)
        .select_related("licence")
        .order_by("licence__product", "id")[:100]
    )
    applied = list(Licence.objects.filter(application=ci).order_by("product", "id")[:100])
    contracts = list(
        Contract.objects.filter(covered_cis=ci).select_related("supplier").order_by("notice_date", "id")[:100]
    )
    return render_to_string(
        "cmdb/licences_ci_section.html",
        {"ci": ci, "assigned": assigned, "applied": applied, "contracts": contracts},
        request=request,
    )
