"""The dashboard screens (operators): the page and its figures block, polled with HTMX. The
figures come from `reports.dashboard`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from beheer.accounts.models import OperatorGroup
from beheer.core import access
from beheer.core.errors import DomainError
from beheer.core.htmx import is_htmx
from beheer.notifications import services as notifications

from ..dashboard import POLL_SECONDS, Scope, build_dashboard, parse_scope

ACCESS = access.SIGNED_IN


def _group_choices(user: Any) -> list[tuple[str, str]]:
    choices = [("", _("All calls")), ("mine", _("My operator groups"))]
    choices += [
        (str(pk), name)
        for pk, name in OperatorGroup.objects.active().order_by("name").values_list("pk", "name")
    ]
    return choices


def _render(request: HttpRequest, *, partial: bool) -> HttpResponse:
    user = request.user
    if not access.is_staff(user):
        raise DjangoPermissionDenied(_("The dashboard is for operators."))
    try:
        scope = parse_scope(request.GET.get("operator_group", ""), user)
    except DomainError as exc:
        messages.error(request, exc.message)
        scope = Scope()
    query = urlencode({"operator_group": scope.value}) if scope.value else ""
    context = {
        "dashboard": build_dashboard(user, scope),
        "scope": scope,
        "figures_url": reverse("dashboard-figures") + (f"?{query}" if query else ""),
        "poll_seconds": POLL_SECONDS,
        # the outbox (waiting, failed, expired; no mail server) for coordinators and administrators
        "outbox": notifications.outbox_summary() if access.is_coordinator(user) else None,
    }
    if partial:
        response = render(request, "reports/_dashboard_figures.html", context)
    else:
        context["group_choices"] = _group_choices(user)
        response = render(request, "reports/dashboard.html", context)
    response["Vary"] = "HX-Request"
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return _render(request, partial=False)


@require_GET
def dashboard_figures(request: HttpRequest) -> HttpResponse:
    """The figures block alone for HTMX polling; the whole page when opened directly."""
    return _render(request, partial=is_htmx(request))
