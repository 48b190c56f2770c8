"""The register's screens for rights: the staff list with filters, exports, a right's page with its
history and the actions its reader may take (approve, reject, grant, revoke after a confirmation),
the request form, a CI's access policy, and the portal's "My access rights".

Thin adapters: read through `visible_to` (not visible -> 404), call one service, redirect; a
refusal comes back as a message or on the form's fields. The list and the exports are for staff;
a right's page, its actions and the request form admit anybody signed in: callers request for
themselves and see their own rights, an approver (who may be a caller) sees the rights on their
applications and decides.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, history
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import parse_id, place_domain_errors
from beheer.core.pagination import SortKey, page_for_request
from beheer.servicedesk.models import Melding

from .. import exports, services, workflow
from ..forms import DecisionForm, FilterForm, GrantForm, PolicyForm, RequestForm, RevokeForm
from ..models import AccessPolicy, AccessRight, AccessRightHistoryEntry, RightStatus, approver_condition
from ..queries import SELECTED, RightFilter, filter_rights

ACCESS = access.STAFF

PAGE_SIZE = 50
ORDER = (SortKey("id", descending=True),)


def _right(request: HttpRequest, pk: int) -> AccessRight:
    found = (
        AccessRight.objects.visible_to(request.user)
        .select_related(
            *SELECTED, "ci__ci_type", "melding", "requested_by", "decided_by", "granted_by", "revoked_by"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _filtered(request: HttpRequest) -> tuple[FilterForm, Any]:
    form = FilterForm(request.GET or None)
    flt = RightFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        flt = RightFilter(
            status=data["status"], ci=data["ci"].pk if data["ci"] else None, right=data["right"]
        )
    rows = filter_rights(AccessRight.objects.visible_to(request.user), flt)
    return form, rows


@require_GET
def right_list(request: HttpRequest) -> HttpResponse:
    form, rows = _filtered(request)
    page = page_for_request(request, rows.select_related(*SELECTED), ORDER, size=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("cursor", None)
    base = query.urlencode()
    return render(
        request,
        "rights/list.html",
        {
            "page": page,
            "form": form,
            "query": base,
            "next_url": f"?{base}&cursor={page.next_cursor}" if page.next_cursor else "",
        },
    )


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    _form, rows = _filtered(request)
    return exports.rights_csv(rows)  # type: ignore[return-value]


@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    _form, rows = _filtered(request)
    return exports.rights_xlsx(rows)  # type: ignore[return-value]


def _actions(user: Any, right: AccessRight) -> list[str]:
    """The actions the reader may take on the right now (the services check again)."""
    rules = {
        workflow.APPROVE: lambda: services.may_approve(user, right.ci),
        workflow.REJECT: lambda: services.may_approve(user, right.ci),
        workflow.GRANT: lambda: access.is_staff(user),
        workflow.REVOKE: lambda: services.may_revoke(user, right),
    }
    return [action for action in workflow.actions_for(right.status) if rules[action]()]


@require_GET
@access.gate(access.SIGNED_IN)
def right_detail(request: HttpRequest, pk: int) -> HttpResponse:
    right = _right(request, pk)
    user = current_user(request)
    staff = access.is_staff(user)
    melding = (
        right.melding
        if right.melding_id and Melding.objects.visible_to(user).filter(pk=right.melding_id).exists()
        else None
    )
    return render(
        request,
        "rights/detail.html",
        {
            "right": right,
            "staff": staff,
            "melding": melding,
            "actions": _actions(user, right),
            "decision_form": DecisionForm(initial={"version": right.version}),
            "grant_form": GrantForm(initial={"version": right.version, "valid_until": right.valid_until}),
            "approver": services.approver_of(right.ci),
            **history.subject_screen_page(request, AccessRightHistoryEntry, right),
        },
    )


def _act(request: HttpRequest, pk: int, step: Any, form_class: Any, done: str, **extra: Any) -> HttpResponse:
    right = _right(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the form and try again."))
        return redirect("rights-detail", pk=pk)
    data = dict(form.cleaned_data)
    version = data.pop("version", None)
    try:
        step(right, actor=current_user(request), expected_version=version, **data, **extra)
    except DomainError as exc:
        messages.error(request, " ".join(dict.fromkeys([exc.message, *exc.field_errors.values()])))
    else:
        messages.success(request, done)
    return redirect("rights-detail", pk=pk)


@require_POST
@access.gate(access.SIGNED_IN)
def right_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.approve_right, DecisionForm, _("The request has been approved."))


@require_POST
@access.gate(access.SIGNED_IN)
def right_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.reject_right, DecisionForm, _("The request has been rejected."))


@require_POST
def right_grant(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, services.grant_right, GrantForm, _("The right has been granted."), keep_valid_until=False
    )


@require_http_methods(["GET", "POST"])
@access.gate(access.SIGNED_IN)
def right_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation step before a right is revoked: a reason and a tick."""
    right = _right(request, pk)
    form = RevokeForm(request.POST or None, initial={"version": right.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_right(
                right,
                actor=current_user(request),
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The right has been revoked."))
            return redirect("rights-detail", pk=pk)
    return render(request, "rights/revoke.html", {"right": right, "form": form})


@require_http_methods(["GET", "POST"])
@access.gate(access.SIGNED_IN)
def right_request(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    staff = access.is_staff(user)
    initial: dict[str, Any] = {}
    ci_param = parse_id(request.GET.get("ci", ""))
    if ci_param is not None:
        initial["ci"] = ci_param
    form = RequestForm(request.POST or None, staff=staff, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        melding = None
        if data["melding"] is not None:
            melding = Melding.objects.visible_to(user).filter(pk=data["melding"]).first()
            if melding is None:
                form.add_error("melding", _("Choose a call you can see."))
        if not form.errors:
            try:
                right = services.request_right(
                    actor=user,
                    data=services.RequestData(
                        person=data["person"] if staff else user,
                        ci=data["ci"],
                        right=data["right"],
                        melding=melding,
                        reference=data.get("reference", ""),
                        reason=data["reason"],
                        valid_until=data["valid_until"],
                    ),
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("The access right has been requested."))
                return redirect("rights-detail", pk=right.pk)
    return render(request, "rights/request.html", {"form": form, "staff": staff})


@require_GET
@access.gate(access.SIGNED_IN)
def my_rights(request: HttpRequest) -> HttpResponse:
    """The portal's "My access rights": the reader's own rights and requests, and the requests
    waiting for them as an approver."""
    user = current_user(request)
    own = list(AccessRight.objects.filter(person=user).select_related("ci").order_by("-id")[:200])
    waiting = list(
        AccessRight.objects.filter(approver_condition(user.pk), status=RightStatus.REQUESTED)
        .select_related(*SELECTED)
        .order_by("id")[:200]
    )
    return render(request, "rights/mine.html", {"own": own, "waiting": waiting})


# --------------------------------------------------------------------------------------------------
# a CI's access policy


def _application(request: HttpRequest, ci_pk: int) -> ConfigurationItem:
    ci = (
        ConfigurationItem.objects.visible_to(request.user)
        .select_related("ci_type", "owner")
        .filter(pk=ci_pk, ci_type__kind__in=["software", "service"])
        .first()
    )
    if ci is None:
        raise Http404
    return ci


@require_http_methods(["GET", "POST"])
@access.gate(access.COORDINATORS)
def policy_edit(request: HttpRequest, ci_pk: int) -> HttpResponse:
    ci = _application(request, ci_pk)
    policy = AccessPolicy.objects.filter(ci=ci).select_related("approver").first()
    initial = (
        {"version": policy.version, "approver": policy.approver, "known_rights": policy.known_rights}
        if policy
        else {}
    )
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_access_policy(
                ci,
                actor=current_user(request),
                approver=form.cleaned_data["approver"],
                known_rights=form.cleaned_data["known_rights"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The access policy has been saved."))
            return redirect("cmdb-item", pk=ci.pk)
    return render(request, "rights/policy.html", {"ci": ci, "form": form, "policy": policy})
