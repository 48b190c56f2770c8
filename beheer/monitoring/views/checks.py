"""The screens where operators and administrators define checks: create, edit, delete.

Thin adapters: the form checks shape, the services check every rule (DomainError -> form errors).
A saved check opens its status page.
The form shows the options of the chosen kind; changing the kind swaps them in with HTMX (without
JavaScript the "Show the fields of this kind" button does the same with a full page). For ping, a
warning comes with them when the monitor said it may not send ICMP (`monitor_status`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import parse_id
from beheer.core.pagination import SortKey, page_for_request

from .. import monitor_status, services
from ..forms.checks import CheckForm, defaults_for, initial_for
from ..models import Check, CheckKind

ACCESS = access.STAFF_HIDDEN

ORDER = [SortKey("name"), SortKey("id")]


def _visible(request: HttpRequest, pk: int) -> Check:
    check = Check.objects.visible_to(current_user(request)).select_related("ci").filter(pk=pk).first()
    if check is None:
        raise Http404
    return check


def _form(
    request: HttpRequest, *, initial: dict[str, Any], exclude: int | None = None, current: Check | None = None
) -> CheckForm:
    parents = Check.objects.visible_to(current_user(request)).exclude(kind=CheckKind.PUSH)
    if exclude is not None:
        parents = parents.exclude(pk=exclude)
    bound = request.method == "POST" and "_refresh" not in request.POST
    if request.method == "POST" and not bound:  # only the kind changed: show its fields, keep the rest
        initial = {**initial, **request.POST.dict(), **defaults_for(request.POST.get("kind", "http"))}
        initial["kind"] = request.POST.get("kind", "http")
    return CheckForm(
        request.POST if bound else None,
        initial=initial,
        parents=parents,
        user=current_user(request),
        current_ci=current.ci if current is not None else None,
    )


def _icmp_unavailable(form: CheckForm) -> bool:
    """Warn on the form of a ping check when the monitor said it may not send ICMP."""
    return form.chosen_kind == CheckKind.PING and monitor_status.ping_unavailable()


def _data(form: CheckForm) -> services.CheckData:
    d = form.cleaned_data
    return services.CheckData(
        name=d["name"],
        kind=d["kind"],
        target=d["target"] or "",
        host=d["host"] or "",
        interval_seconds=d["interval_seconds"],
        timeout_seconds=d["timeout_seconds"],
        max_attempts=d["max_attempts"],
        retry_interval_seconds=d["retry_interval_seconds"],
        grace_seconds=d["grace_seconds"]
        if d["grace_seconds"] is not None
        else form.initial.get("grace_seconds", 300),
        parent=d["parent"],
        tags=d["tags"] or "",
        impact=d["impact"],
        urgency=d["urgency"],
        operator_group=d["operator_group"],
        resolve_on_recovery=d["resolve_on_recovery"],
        active=d["active"],
        options=form.options(),
        availability_target=d["availability_target"]
        if d["availability_target"] is not None
        else Decimal("99.9"),
        latency_target_ms=d["latency_target_ms"],
        ci=d["ci"],
    )


@require_GET
def check_manage(request: HttpRequest) -> HttpResponse:
    """Every check with links to edit or delete it (the definitions, not their states)."""
    qs = Check.objects.visible_to(current_user(request)).only("name", "kind", "target", "active")
    page = page_for_request(request, qs, ORDER, size=100)
    next_url = None
    if page.next_cursor:
        next_url = reverse("monitoring:check-manage") + "?" + urlencode({"cursor": page.next_cursor})
    return render(request, "monitoring/check_manage.html", {"page": page, "next_url": next_url})


def check_create(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", CheckKind.HTTP)
    initial: dict[str, Any] = {"kind": kind, **defaults_for(kind if kind in CheckKind.values else "http")}
    if ci_id := parse_id(request.GET.get("ci")):  # "new check" from a CI's page
        initial["ci"] = str(ci_id)
    form = _form(request, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            check = services.create_check(actor=current_user(request), data=_data(form))
        except DomainError as exc:
            form.place_errors(exc)
        else:
            messages.success(request, _("Check %(name)s created.") % {"name": check.name})
            return redirect("monitoring:check-detail", pk=check.pk)
    return render(
        request,
        "monitoring/check_form.html",
        {"form": form, "check": None, "icmp_unavailable": _icmp_unavailable(form)},
    )


def check_edit(request: HttpRequest, pk: int) -> HttpResponse:
    check = _visible(request, pk)
    form = _form(
        request, initial=initial_for(check, services.shown_options(check)), exclude=check.pk, current=check
    )
    if form.is_bound and form.is_valid():
        data = _data(form)
        cleared = services.secrets_cleared_by(check, data)
        try:
            check = services.update_check(
                check,
                actor=current_user(request),
                data=data,
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            form.place_errors(exc)
        else:
            messages.success(request, _("Check %(name)s saved.") % {"name": check.name})
            if cleared:
                messages.warning(
                    request,
                    _(
                        "The kind, target or host changed, so the stored secrets were cleared "
                        "(%(names)s): enter them again if the new target needs them."
                    )
                    % {"names": ", ".join(cleared)},
                )
            return redirect("monitoring:check-detail", pk=check.pk)
    ping_url = None
    if check.kind == CheckKind.PUSH and check.push_token:
        ping_url = request.build_absolute_uri(reverse("api:ping", args=[check.push_token]))
    context = {
        "form": form,
        "check": check,
        "ping_url": ping_url,
        "icmp_unavailable": _icmp_unavailable(form),
    }
    return render(request, "monitoring/check_form.html", context)


@require_GET
def check_kind_fields(request: HttpRequest) -> HttpResponse:
    """HTMX: the target and option fields of the kind just chosen, with that kind's defaults."""
    kind = request.GET.get("kind", CheckKind.HTTP)
    if kind not in CheckKind.values:
        kind = CheckKind.HTTP
    form = CheckForm(initial={"kind": kind, "target": request.GET.get("target", ""), **defaults_for(kind)})
    return render(
        request,
        "monitoring/_check_kind_fields.html",
        {"form": form, "icmp_unavailable": _icmp_unavailable(form)},
    )


def check_delete(request: HttpRequest, pk: int) -> HttpResponse:
    check = _visible(request, pk)
    if request.method == "POST":
        try:
            services.delete_check(check, actor=current_user(request))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("monitoring:check-edit", pk=check.pk)
        messages.success(request, _("Check %(name)s deleted.") % {"name": check.name})
        return redirect("monitoring:check-manage")
    results = check.results.count()
    return render(request, "monitoring/check_delete.html", {"check": check, "results": results})


@require_POST
def check_pause(request: HttpRequest, pk: int) -> HttpResponse:
    """Pause a check (it stops being probed) or resume it, from its page."""
    check = _visible(request, pk)
    resume = request.POST.get("resume") == "1"
    try:
        if resume:
            check = services.resume_check(check, actor=current_user(request))
        else:
            check = services.pause_check(check, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        message = _("Check %(name)s resumed.") if resume else _("Check %(name)s paused.")
        messages.success(request, message % {"name": check.name})
    return redirect("monitoring:check-detail", pk=check.pk)
