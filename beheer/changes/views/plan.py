"""A change's plan page: the activities as a list and as a timeline (an SVG drawn on the server),
editing them, the plan's approval, and informing the stakeholders. Each action is a POST followed by
a redirect to the plan page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors

from .. import services, timeline
from ..forms_plan import NoticeForm, PlanActivityForm, PlanApprovalForm
from ..models import ActivityDependency, Change, ChangeActivity, PlanApproval
from ..models.plan import ChangePlan
from ..notices import notice_rows
from ..services._base import plan_version
from ..tabs import head_context
from .changes import change_for

ACCESS = access.STAFF


def _activities(user: Any, change: Change) -> tuple[list[ChangeActivity], dict[int, list[int]]]:
    rows = list(
        ChangeActivity.objects.visible_to(user)
        .filter(change=change)
        .select_related("assignee", "operator_group")[: services.plan.MAX_ACTIVITIES]
    )
    deps: dict[int, list[int]] = {}
    for a, d in (
        ActivityDependency.objects.filter(activity__change_id=change.pk)
        .order_by("id")
        .values_list("activity_id", "depends_on_id")
    ):
        deps.setdefault(a, []).append(d)
    return rows, deps


def _page(request: HttpRequest, change: Change, **forms: Any) -> HttpResponse:
    user = request.user
    activities, deps = _activities(user, change)
    titles = {a.pk: a.title for a in activities}
    version = plan_version(change)
    approvals = list(
        PlanApproval.objects.visible_to(user).filter(change=change).select_related("approved_by")[:20]
    )
    chart = timeline.layout(
        [
            timeline.Item(
                a.pk,
                a.title,
                a.planned_start,
                a.planned_end,
                a.done_at is not None,
                tuple(deps.get(a.pk, ())),
            )
            for a in activities
        ],
        now=clock.now(),
        window=(change.planned_start, change.planned_end),
    )
    plan = (
        ChangePlan.objects.visible_to(user).filter(change=change).select_related("maintenance_window").first()
    )
    rows = [
        {
            "activity": a,
            "depends_on": [titles[d] for d in deps.get(a.pk, ()) if d in titles],
            "planned": a.planned_start is not None and a.planned_end is not None,
        }
        for a in activities
    ]
    return render(
        request,
        "changes/plan/plan.html",
        {
            **head_context(change, "change-plan", request.user),
            "rows": rows,
            "unplanned": [r for r in rows if not r["planned"]],
            "chart": chart,
            "plan_version": version,
            "approvals": approvals,
            "approved": any(a.plan_version == version for a in approvals),
            "may_approve": services.may_approve_plan(change, user) and change.is_open,
            "notices": notice_rows(change),
            "window": plan.maintenance_window if plan is not None else None,
            "activity_form": forms.get("activity_form")
            or PlanActivityForm(change=change, initial={"version": change.version}),
            "approval_form": forms.get("approval_form")
            or PlanApprovalForm(initial={"plan_version": version}),
            "notice_form": forms.get("notice_form") or NoticeForm(change=change, user=user),
            "open_form": forms.get("open_form", ""),
        },
    )


@require_GET
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, change_for(request, pk))


def _data(form: PlanActivityForm) -> services.ActivityData:
    d = form.cleaned_data
    return services.ActivityData(
        title=d["title"],
        assignee=d["assignee"],
        operator_group=d["operator_group"],
        estimate_minutes=d["estimate_minutes"],
        planned_start=d["planned_start"],
        planned_end=d["planned_end"],
        people_count=d["people_count"],
        means=d["means"],
        depends_on=[a.pk for a in d["depends_on"]],
    )


@require_POST
def activity_plan(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = PlanActivityForm(request.POST, change=change)
    if form.is_valid():
        try:
            services.plan_activity(
                change,
                actor=current_user(request),
                data=_data(form),
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The activity has been added."))
            return redirect("change-plan", pk=change.pk)
    return _page(request, change, activity_form=form, open_form="add")


@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    activity = ChangeActivity.objects.visible_to(request.user).filter(change=change, pk=activity_pk).first()
    if activity is None:
        raise Http404
    if request.method == "POST":
        form = PlanActivityForm(request.POST, change=change, exclude=activity.pk)
        if form.is_valid():
            try:
                services.update_activity(
                    activity,
                    actor=current_user(request),
                    data=_data(form),
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as exc:
                place_domain_errors(form, exc)
            else:
                messages.success(request, _("The activity has been saved."))
                return redirect("change-plan", pk=change.pk)
    else:
        initial = {
            name: getattr(activity, name)
            for name in (
                "title",
                "assignee",
                "operator_group",
                "estimate_minutes",
                "planned_start",
                "planned_end",
                "people_count",
                "means",
            )
        }
        initial["depends_on"] = list(
            ActivityDependency.objects.filter(activity=activity).values_list("depends_on_id", flat=True)
        )
        initial["version"] = change.version
        form = PlanActivityForm(initial=initial, change=change, exclude=activity.pk)
    return render(
        request,
        "changes/plan/activity_form.html",
        {**head_context(change, "change-plan"), "form": form, "activity": activity},
    )


@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = PlanApprovalForm(request.POST)
    if form.is_valid():
        try:
            services.approve_plan(
                change,
                actor=current_user(request),
                expected_plan_version=form.cleaned_data["plan_version"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The plan has been approved."))
    else:
        messages.error(request, _("Reload the page and try again."))
    return redirect("change-plan", pk=change.pk)


@require_POST
def plan_notice(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    form = NoticeForm(request.POST, change=change, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.inform_stakeholders(
                change,
                actor=current_user(request),
                subject=d["subject"],
                text=d["text"],
                stakeholders=list(d["stakeholders"]),
                article=d["article"],
            )
        except DomainError as exc:
            place_domain_errors(form, exc)
        else:
            messages.success(request, _("The stakeholders have been informed."))
            return redirect("change-plan", pk=change.pk)
    return _page(request, change, notice_form=form, open_form="notice")
