"""The classification screens: the list of services and applications (or every CI) with their own
and suggested CIA classification, filters, one-click adoption of a suggestion, and a CI's
classification form with its trail. Thin: read through `visible_to`, call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors
from beheer.core.history import subject_screen_page
from beheer.core.pagination import page_for_request

from .. import access as security_access
from ..forms_risks import ClassificationFilterForm, ClassificationForm, VersionForm
from ..models import ClassificationHistoryEntry
from ..services import risks as services
from ..services.risks import queries
from .nav import page_context

ACCESS = access.STAFF_HIDDEN
PAGE_SIZE = 50


def _ci(request: HttpRequest, ci_id: int) -> ConfigurationItem:
    found = (
        ConfigurationItem.objects.visible_to(request.user).select_related("ci_type").filter(pk=ci_id).first()
    )
    if found is None:
        raise Http404
    return found


@require_GET
def classification_list(request: HttpRequest) -> HttpResponse:
    form = ClassificationFilterForm(request.GET or None)
    flt = queries.ClassificationFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = queries.ClassificationFilter(
            scope=data["scope"] or queries.Scope.MAIN, state=data["state"], q=data["q"]
        )
    rows = queries.classification_cis(request.user, flt)
    page = page_for_request(request, rows, queries.CI_ORDER, size=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("cursor", None)
    base = query.urlencode()
    return render(
        request,
        "security/risks/classification_list.html",
        {
            **page_context(request, "security-classification"),
            "form": form,
            "rows": queries.classification_rows(page.items),
            "page": page,
            "may_edit": security_access.manages_register(request.user),
            "here": request.get_full_path(),
            "next_url": f"?{base}&cursor={page.next_cursor}" if page.next_cursor else "",
        },
    )


def _back(request: HttpRequest, ci: ConfigurationItem) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("security-classification-edit", args=[ci.pk])


@require_http_methods(["GET", "POST"])
def classification_edit(request: HttpRequest, ci_id: int) -> HttpResponse:
    ci = _ci(request, ci_id)
    row = queries.classification_row(ci)
    own = row.own
    initial: dict[str, Any] = {"version": own.version if own else None}
    if own is not None:
        initial.update(
            availability=own.availability,
            integrity=own.integrity,
            confidentiality=own.confidentiality,
            justification=own.justification,
        )
    form = ClassificationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.classify(
                    ci,
                    actor=access.current_user(request),
                    availability=data["availability"],
                    integrity=data["integrity"],
                    confidentiality=data["confidentiality"],
                    justification=data["justification"],
                    expected_version=data["version"],
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("Classification saved."))
                return redirect("security-classification-edit", ci_id=ci.pk)
        else:
            messages.error(request, _("Check the form and try again."))
    return render(
        request,
        "security/risks/classification_edit.html",
        {
            **page_context(request, "security-classification"),
            "ci": ci,
            "row": row,
            "form": form,
            "adopt_form": VersionForm(initial={"version": own.version if own else None}),
            "may_edit": security_access.manages_register(request.user),
            **subject_screen_page(request, ClassificationHistoryEntry, ci),
        },
    )


@require_POST
def classification_adopt(request: HttpRequest, ci_id: int) -> HttpResponse:
    ci = _ci(request, ci_id)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the form and try again."))
        return redirect(_back(request, ci))
    try:
        services.adopt_suggestion(
            ci, actor=access.current_user(request), expected_version=form.cleaned_data["version"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Suggestion adopted for %(ci)s.") % {"ci": ci.name})
    return redirect(_back(request, ci))


urlpatterns = [
    path("security/classification/", classification_list, name="security-classification"),
    path("security/classification/<int:ci_id>/", classification_edit, name="security-classification-edit"),
    path(
        "security/classification/<int:ci_id>/adopt/",
        classification_adopt,
        name="security-classification-adopt",
    ),
]
