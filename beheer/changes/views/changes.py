"""Changes for staff: the list with its filters, a change's page (phase bar, affected CIs with
their impact, approvals, activities, history), the forms, and the actions, each a POST followed by
a redirect to the change's page."""

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
from beheer.core.forms import parse_id
from beheer.core.forms import place_domain_errors as place_errors
from beheer.core.pagination import page_for_request
from beheer.servicedesk.models import Melding

from .. import services
from ..forms import ActivityForm, CancelForm, ChangeForm, CiForm, DeviationForm, FromTemplateForm, MoveForm
from ..impact import change_impact
from ..models import (
    Change,
    ChangeActivity,
    ChangeApproval,
    ChangeCi,
    ChangeHistoryEntry,
    ChangeKind,
    Phase,
    Project,
)
from ..queries import ORDER, PAGE_SIZE, ChangeFilter, filter_changes
from ..tabs import head_context

ACCESS = access.STAFF


def change_for(request: HttpRequest, pk: int) -> Change:
    found = (
        Change.objects.visible_to(request.user)
        .select_related(
            "phase",
            "requester",
            "client",
            "coordinator",
            "operator_group",
            "project",
            "risk_level",
            "template",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def list_filter(request: HttpRequest) -> ChangeFilter:
    get = request.GET
    state = get.get("state", "open")
    return ChangeFilter(
        phase=parse_id(get.get("phase")),
        kind=get.get("kind", "") if get.get("kind", "") in ChangeKind.values else "",
        state=state if state in ("open", "closed", "all") else "open",
        mine=get.get("mine") == "1",
        ci=parse_id(get.get("ci")),
        project=parse_id(get.get("project")),
        afterwards=get.get("afterwards") == "1",
        q=get.get("q", "")[:200],
    )


@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    f = list_filter(request)
    rows = filter_changes(request.user, f).for_list()
    page = page_for_request(request, rows, ORDER, size=PAGE_SIZE)
    query = request.GET.copy()
    query.pop("cursor", None)
    if page.next_cursor:
        query["cursor"] = page.next_cursor
    return render(
        request,
        "changes/change_list.html",
        {
            "page": page,
            "filter": f,
            "phases": Phase.objects.order_by("order", "id"),
            "kinds": ChangeKind.choices,
            "projects": Project.objects.order_by("name", "id")[:200],
            "next_url": f"?{query.urlencode()}" if page.next_cursor else "",
        },
    )


@require_GET
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    user = request.user
    links = list(
        ChangeCi.objects.visible_to(user).filter(change=change).select_related("ci", "ci__ci_type")[:200]
    )
    approvals = list(
        ChangeApproval.objects.visible_to(user)
        .filter(change=change)
        .select_related("approver")
        .order_by("-round", "id")
    )
    next_phases = services.next_phases(change)
    return render(
        request,
        "changes/change_detail.html",
        {
            **head_context(change, "change-detail"),
            "next": next_phases,
            "back_phases": [n for n in next_phases if n.back],
            "links": links,
            "impact": change_impact(change, user=user),
            "approvals": approvals,
            "activities": list(
                ChangeActivity.objects.visible_to(user)
                .filter(change=change)
                .select_related("assignee", "operator_group", "done_by")
            ),
            "melding": Melding.objects.visible_to(user).filter(pk=change.origin_melding_id).first()
            if change.origin_melding_id
            else None,
            "ci_form": CiForm(),
            "activity_form": ActivityForm(),
            "cancel_form": CancelForm(initial={"version": change.version}),
            **history.subject_screen_page(request, ChangeHistoryEntry, change),
        },
    )


def _data(form: ChangeForm) -> services.ChangeData:
    d = form.cleaned_data
    return services.ChangeData(
        title=d["title"],
        description=d["description"],
        kind=d["kind"],
        requester=d["requester"],
        client=d["client"],
        coordinator=d["coordinator"],
        operator_group=d["operator_group"],
        project=d["project"],
        likelihood=d["likelihood"],
        impact=d["impact"],
        rollback_plan=d["rollback_plan"],
        planned_start=d["planned_start"],
        planned_end=d["planned_end"],
    )


@require_http_methods(["GET", "POST"])
def change_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    change = change_for(request, pk) if pk is not None else None
    if request.method == "POST":
        form = ChangeForm(request.POST)
        if form.is_valid():
            try:
                if change is None:
                    change = services.create_change(actor=current_user(request), data=_data(form))
                else:
                    change = services.update_change(
                        change,
                        actor=current_user(request),
                        data=_data(form),
                        expected_version=form.cleaned_data["version"],
                    )
            except DomainError as exc:
                place_errors(form, exc)
            else:
                messages.success(request, _("The change has been saved."))
                return redirect("change-detail", pk=change.pk)
    elif change is not None:
        initial = {
            name: getattr(change, name) for name in services.changes.EDIT_FIELDS if name != "risk_level"
        }
        initial["version"] = change.version
        form = ChangeForm(initial=initial)
    else:
        form = ChangeForm(initial={"coordinator": request.user})
    return render(
        request,
        "changes/change_form.html",
        {"form": form, "change": change, "template_form": FromTemplateForm() if change is None else None},
    )


@require_POST
def change_from_template(request: HttpRequest) -> HttpResponse:
    form = FromTemplateForm(request.POST)
    if form.is_valid():
        try:
            change = services.create_change_from_template(
                form.cleaned_data["template"],
                actor=current_user(request),
                requester=form.cleaned_data["requester"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The standard change has been registered."))
            return redirect("change-detail", pk=change.pk)
    else:
        messages.error(request, _("Choose a template."))
    return redirect("change-create")


@require_POST
def change_from_melding(request: HttpRequest, melding_pk: int) -> HttpResponse:
    melding = Melding.objects.visible_to(request.user).filter(pk=melding_pk).first()
    if melding is None:
        raise Http404
    try:
        change = services.create_change_from_melding(melding, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("melding-detail", pk=melding.pk)
    messages.success(
        request, _("Change %(number)s has been registered from this call.") % {"number": change.number}
    )
    return redirect("change-detail", pk=change.pk)


def _act(request: HttpRequest, change: Change, call: Any, done: str) -> HttpResponse:
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("change-detail", pk=change.pk)


@require_POST
def change_move(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a phase."))
        return redirect("change-detail", pk=change.pk)
    return _act(
        request,
        change,
        lambda: services.move_change(
            change,
            actor=current_user(request),
            to_phase=form.cleaned_data["phase"],
            expected_version=form.cleaned_data["version"],
        ),
        _("The phase has been changed."),
    )


@require_POST
def change_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("change-detail", pk=change.pk)
    return _act(
        request,
        change,
        lambda: services.cancel_change(
            change,
            actor=current_user(request),
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
        _("The change has been cancelled."),
    )


@require_POST
def change_request_approval(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    version = parse_id(request.POST.get("version"))
    return _act(
        request,
        change,
        lambda: services.request_approval(change, actor=current_user(request), expected_version=version),
        _("The approvers have been asked."),
    )


@require_POST
def change_ci_add(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = CiForm(request.POST)
    ci = None
    if form.is_valid():
        text = form.cleaned_data["ci"]
        rows = ConfigurationItem.objects.visible_to(request.user)
        number = parse_id(text)
        ci = (rows.filter(pk=number).first() if number else None) or rows.filter(name=text).first()
    if ci is None:
        messages.error(request, _("No configuration item has this name."))
        return redirect("change-detail", pk=change.pk)
    return _act(
        request,
        change,
        lambda: services.add_change_ci(change, actor=current_user(request), ci=ci),
        _("The configuration item has been added."),
    )


@require_POST
def change_ci_remove(request: HttpRequest, pk: int, ci_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    ci = ConfigurationItem.objects.visible_to(request.user).filter(pk=ci_pk).first()
    if ci is None:
        raise Http404
    return _act(
        request,
        change,
        lambda: services.remove_change_ci(change, actor=current_user(request), ci=ci),
        _("The configuration item has been removed."),
    )


@require_POST
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = ActivityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the activity's fields."))
        return redirect("change-detail", pk=change.pk)
    d = form.cleaned_data
    return _act(
        request,
        change,
        lambda: services.add_activity(
            change,
            actor=current_user(request),
            title=d["title"],
            assignee=d["assignee"],
            estimate_minutes=d["estimate_minutes"],
            planned_start=d["planned_start"],
            planned_end=d["planned_end"],
        ),
        _("The activity has been added."),
    )


def _activity(request: HttpRequest, change: Change, activity_pk: int) -> ChangeActivity:
    found = ChangeActivity.objects.visible_to(request.user).filter(change=change, pk=activity_pk).first()
    if found is None:
        raise Http404
    return found


@require_POST
def activity_done(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    activity = _activity(request, change, activity_pk)
    return _act(
        request,
        change,
        lambda: services.complete_activity(activity, actor=current_user(request)),
        _("The activity is done."),
    )


@require_POST
def activity_deviation(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    activity = _activity(request, change, activity_pk)
    form = DeviationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Describe the deviation."))
        return redirect("change-detail", pk=change.pk)
    return _act(
        request,
        change,
        lambda: services.note_deviation(
            activity, actor=current_user(request), deviation=form.cleaned_data["deviation"]
        ),
        _("The deviation has been noted."),
    )
