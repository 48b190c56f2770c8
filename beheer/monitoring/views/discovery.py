"""Discovery over SNMP from a CI's page, for staff: read the device (a POST), see the diff (new,
changed old -> new, unchanged, gone with a tick box), apply it (a POST), back on the CI page.

The reading is kept server-side in the session under a random token between "Read" and "Apply";
the credentials never are (nor are they rendered back into the page). What cannot be read (a
refused address, no answer, refused credentials) is a message on the form, never an error page.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from beheer.cmdb import services as cmdb
from beheer.cmdb.models import CiKind, ConfigurationItem
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import Conflict, DomainError
from beheer.core.forms import place_domain_errors

from .. import discovery
from ..forms.discovery import ApplyForm, DiscoveryForm

ACCESS = access.STAFF

SESSION_KEY = "monitoring.discovery"
KEPT_READINGS = 3  # readings kept per session; the oldest goes first
DISCOVERABLE = (CiKind.NETWORK, CiKind.HARDWARE)
GONE_READING = gettext_lazy("That reading of the device is no longer kept; read the device again.")


def _ci(request: HttpRequest, item_id: int) -> ConfigurationItem:
    ci = (
        ConfigurationItem.objects.visible_to(request.user)
        .select_related("ci_type")
        .filter(pk=item_id)
        .first()
    )
    if ci is None:
        raise Http404
    return ci


def ci_section(request: Any, ci: Any) -> str:
    """The "Discover interfaces over SNMP" button on a network device's or server's page (staff)."""
    if not access.is_staff(getattr(request, "user", None)) or ci.ci_type.kind not in DISCOVERABLE:
        return ""
    return render_to_string("monitoring/_ci_discovery.html", {"ci": ci}, request=request)


# --------------------------------------------------------------------------------------------------
# the reading in the session


def _keep(request: HttpRequest, ci: ConfigurationItem, found: cmdb.FoundDevice) -> str:
    token = secrets.token_urlsafe(16)
    kept = dict(request.session.get(SESSION_KEY) or {})
    while len(kept) >= KEPT_READINGS:
        kept.pop(next(iter(kept)))
    kept[token] = {"ci": ci.pk, "found": found.to_json()}
    request.session[SESSION_KEY] = kept
    return token


def _reading(request: HttpRequest, ci: ConfigurationItem, token: str) -> cmdb.FoundDevice | None:
    entry = (request.session.get(SESSION_KEY) or {}).get(token)
    if not isinstance(entry, dict) or entry.get("ci") != ci.pk:
        return None
    try:
        return cmdb.FoundDevice.from_json(entry.get("found") or {})
    except DomainError:
        return None


def _forget(request: HttpRequest, token: str) -> None:
    kept = dict(request.session.get(SESSION_KEY) or {})
    if kept.pop(token, None) is not None:
        request.session[SESSION_KEY] = kept


# --------------------------------------------------------------------------------------------------
# pages


def _form_page(
    request: HttpRequest, ci: ConfigurationItem, form: DiscoveryForm, *, status: int = 200
) -> HttpResponse:
    return render(request, "monitoring/discovery.html", {"ci": ci, "form": form}, status=status)


def _new_form(request: HttpRequest, ci: ConfigurationItem) -> DiscoveryForm:
    check = discovery.snmp_check(ci)
    stored = check.name if check is not None else ""
    if request.method == "POST":
        return DiscoveryForm(request.POST, stored_secrets_from=stored)
    return DiscoveryForm(initial=discovery.initial_values(ci, check), stored_secrets_from=stored)


@require_http_methods(["GET", "POST"])
def discover(request: HttpRequest, item_id: int) -> HttpResponse:
    """The form (GET), reading the device (POST, then to the diff), or the diff (GET ?reading=)."""
    ci = _ci(request, item_id)
    token = request.GET.get("reading", "")
    if request.method == "GET" and token:
        found = _reading(request, ci, token)
        if found is None:
            messages.warning(request, GONE_READING)
            return redirect("monitoring:discovery", item_id=ci.pk)
        return _diff_page(request, ci, found, token)
    form = _new_form(request, ci)
    if request.method == "POST" and form.is_valid():
        try:
            target = discovery.target_for(ci, form.cleaned_data)
            found = discovery.read(target)
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            url = reverse("monitoring:discovery", args=[ci.pk])
            return redirect(f"{url}?{urlencode({'reading': _keep(request, ci, found)})}")
    return _form_page(request, ci, form, status=400 if request.method == "POST" else 200)


def _diff_page(
    request: HttpRequest,
    ci: ConfigurationItem,
    found: cmdb.FoundDevice,
    token: str,
    *,
    form: ApplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = cmdb.plan_discovery(ci, found)
    if form is None:
        form = ApplyForm(
            initial={"token": token, "basis": plan.basis}, gone_ids=[g.interface_id for g in plan.gone]
        )
    return render(
        request,
        "monitoring/discovery_diff.html",
        {
            "ci": ci,
            "found": found,
            "plan": plan,
            "new": [{"row": row, "kind": cmdb.shown("kind", row.kind)} for row in plan.new],
            "form": form,
        },
        status=status,
    )


@require_POST
def discover_apply(request: HttpRequest, item_id: int) -> HttpResponse:
    ci = _ci(request, item_id)
    token = request.POST.get("token", "")
    found = _reading(request, ci, token)
    if found is None:
        messages.warning(request, GONE_READING)
        return redirect("monitoring:discovery", item_id=ci.pk)
    plan = cmdb.plan_discovery(ci, found)
    form = ApplyForm(request.POST, gone_ids=[g.interface_id for g in plan.gone])
    if not form.is_valid():
        return _diff_page(request, ci, found, token, form=form, status=400)
    data = form.cleaned_data
    ticked = set(data["gone"])
    removing = data["gone_action"] == "remove"
    try:
        result = cmdb.apply_discovery(
            ci,
            found,
            actor=current_user(request),
            disable=() if removing else ticked,
            remove=ticked if removing else (),
            fill_item=data["fill_item"],
            expected_basis=data["basis"],
        )
    except Conflict as exc:
        messages.error(request, exc.message)
        url = reverse("monitoring:discovery", args=[ci.pk])
        return redirect(f"{url}?{urlencode({'reading': token})}")
    _forget(request, token)
    _report(request, result)
    return redirect(reverse("cmdb-item", args=[ci.pk]) + "#ci-network")


def _report(request: HttpRequest, result: cmdb.DiscoveryResult) -> None:
    counts = {
        "created": len(result.created),
        "updated": len(result.updated),
        "disabled": len(result.disabled),
        "removed": len(result.removed),
    }
    messages.success(
        request,
        _(
            "Discovery applied: %(created)d interfaces added, %(updated)d changed, %(disabled)d disabled, "
            "%(removed)d removed."
        )
        % counts,
    )
    if result.kept_linked:
        messages.warning(
            request,
            _("Linked interfaces are never removed; these were disabled instead: %(names)s")
            % {"names": ", ".join(result.kept_linked)},
        )
    for name, reason in result.failed[:20]:
        messages.error(request, _("%(name)s was not applied: %(reason)s") % {"name": name, "reason": reason})
