"""The service-level screens under /sla/ (coordinators and administrators): SLA policies with their
targets, OLA targets. Lists, create, edit, archive or delete after a confirmation. The business
calendars' screens, under /sla/calendars/, are the calendars app's.

Thin adapters: the forms check shape, `services.sla_config` checks every rule (the API calls the
same functions), records history and clears the configuration cache.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from beheer.core import access, config_views
from beheer.core.access import current_user
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

    def context(policy: SlaPolicy | None) -> dict[str, Any]:
        history = _history(ServiceLevelSubject.POLICY, policy.pk) if policy else []
        return {"policy": policy, "history": history, "tab": "policies"}

    return config_views.edit_page(
        request,
        PolicyForm(request.POST or None, policy=policy),
        policy,
        create=sla_config.create_policy,
        update=sla_config.update_policy,
        created=_("The SLA policy has been created."),
        saved=_("The SLA policy has been saved."),
        edit_url="sla-policy-edit",
        template="servicedesk/sla/policy_form.html",
        context=context,
    )


@require_http_methods(["GET", "POST"])
def policy_archive(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _get(SlaPolicy, pk)
    if request.method == "POST":
        return config_views.toggle_active(
            request,
            policy,
            archive=partial(sla_config.set_policy_active, active=False),
            restore=partial(sla_config.set_policy_active, active=True),
            archived=_("The SLA policy has been archived."),
            restored=_("The SLA policy is active again."),
            edit_url="sla-policy-edit",
        )
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

    def context(ola: OlaTarget | None) -> dict[str, Any]:
        history = _history(ServiceLevelSubject.OLA, ola.pk) if ola else []
        return {"ola": ola, "history": history, "tab": "olas"}

    return config_views.edit_page(
        request,
        OlaForm(request.POST or None, ola=ola),
        ola,
        create=sla_config.create_ola,
        update=sla_config.update_ola,
        created=_("The OLA target has been created."),
        saved=_("The OLA target has been saved."),
        edit_url="sla-ola-edit",
        template="servicedesk/sla/ola_form.html",
        context=context,
    )


@require_http_methods(["GET", "POST"])
def ola_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ola = _get(OlaTarget, pk)
    if request.method == "POST":
        sla_config.delete_ola(ola, actor=current_user(request))
        messages.success(request, _("The OLA target has been deleted."))
        return redirect("sla-olas")
    return render(request, "servicedesk/sla/confirm.html", {"object": ola, "kind": "ola", "tab": "olas"})
