"""The service-level screens under /sla/ (coordinators and administrators): SLA policies with their
targets, OLA targets. Lists, create, edit, archive or delete after a confirmation. The business
calendars' screens, under /sla/calendars/, are the calendars app's.

Thin adapters: the forms check shape, `services.sla_config` checks every rule (the API calls the
same functions), records history and clears the configuration cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.pagination import SortKey, page_for_request

from ..models import OlaTarget, ServiceLevelChange, ServiceLevelSubject, SlaPolicy
from ..services import sla_config
from ..sla.forms import OlaForm, PolicyForm

ACCESS = access.COORDINATORS

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 50
NAME_ORDER = (SortKey("name"), SortKey("id"))
HISTORY_ROWS = 50


def _history(subject: str, pk: int) -> list[ServiceLevelChange]:
    return list(
        ServiceLevelChange.objects.filter(subject=subject, subject_id=pk)
        .select_related("actor")
        .order_by("-at", "-id")[:HISTORY_ROWS]
    )


def _get(model: type, pk: int) -> Any:
    row = model.objects.filter(pk=pk).first()  # type: ignore[attr-defined]
    if row is None:
        raise Http404
    return row


# --------------------------------------------------------------------------------------------------
# SLA policies


@require_http_methods(["GET"])
def policy_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "active")
    qs = SlaPolicy.objects.filter(active=show != "archived").select_related("calendar")
    page = page_for_request(request, qs, (SortKey("order"), SortKey("name"), SortKey("id")), size=PAGE_SIZE)
    return render(
        request, "servicedesk/sla/policy_list.html", {"page": page, "show": show, "tab": "policies"}
    )


@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy = _get(SlaPolicy, pk) if pk is not None else None
    form = PolicyForm(request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid():
        try:
            if policy is None:
                policy = sla_config.create_policy(data=form.to_data(), actor=current_user(request))
                messages.success(request, _("The SLA policy has been created."))
            else:
                sla_config.update_policy(policy, data=form.to_data(), actor=current_user(request))
                messages.success(request, _("The SLA policy has been saved."))
            return redirect("sla-policy-edit", pk=policy.pk)
        except DomainError as exc:
            form.place(exc.field_errors, exc.message)
    status = 400 if request.method == "POST" else 200
    history = _history(ServiceLevelSubject.POLICY, policy.pk) if policy else []
    context = {"form": form, "policy": policy, "history": history, "tab": "policies"}
    return render(request, "servicedesk/sla/policy_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def policy_archive(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _get(SlaPolicy, pk)
    if request.method == "POST":
        try:
            sla_config.set_policy_active(policy, active=not policy.active, actor=current_user(request))
            if policy.active:
                messages.success(request, _("The SLA policy has been archived."))
            else:
                messages.success(request, _("The SLA policy is active again."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("sla-policy-edit", pk=policy.pk)
    return render(
        request, "servicedesk/sla/confirm.html", {"object": policy, "kind": "policy", "tab": "policies"}
    )


# --------------------------------------------------------------------------------------------------
# OLA targets


@require_http_methods(["GET"])
def ola_list(request: HttpRequest) -> HttpResponse:
    qs = OlaTarget.objects.select_related("operator_group", "priority", "calendar")
    page = page_for_request(request, qs, (SortKey("operator_group_id"), SortKey("id")), size=PAGE_SIZE)
    return render(request, "servicedesk/sla/ola_list.html", {"page": page, "tab": "olas"})


@require_http_methods(["GET", "POST"])
def ola_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    ola = _get(OlaTarget, pk) if pk is not None else None
    form = OlaForm(request.POST or None, ola=ola)
    if request.method == "POST" and form.is_valid():
        try:
            if ola is None:
                ola = sla_config.create_ola(data=form.to_data(), actor=current_user(request))
                messages.success(request, _("The OLA target has been created."))
            else:
                sla_config.update_ola(ola, data=form.to_data(), actor=current_user(request))
                messages.success(request, _("The OLA target has been saved."))
            return redirect("sla-ola-edit", pk=ola.pk)
        except DomainError as exc:
            form.place(exc.field_errors, exc.message)
    status = 400 if request.method == "POST" else 200
    history = _history(ServiceLevelSubject.OLA, ola.pk) if ola else []
    context = {"form": form, "ola": ola, "history": history, "tab": "olas"}
    return render(request, "servicedesk/sla/ola_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def ola_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ola = _get(OlaTarget, pk)
    if request.method == "POST":
        sla_config.delete_ola(ola, actor=current_user(request))
        messages.success(request, _("The OLA target has been deleted."))
        return redirect("sla-olas")
    return render(request, "servicedesk/sla/confirm.html", {"object": ola, "kind": "ola", "tab": "olas"})
