"""JSON adapters for a change's implementation plan (/api/v1/change-plans/{change_id}) and the
forward schedule (/api/v1/changes-calendar). Staff only; thin: look up through `visible_to`
(missing -> 404), call one service, serialise."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup, User
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import Lookup, ref
from beheer.core.errors import DomainError, NotFound
from beheer.core.schemas import Id, errors
from beheer.knowledge.models import Article

from .. import services
from ..models import ActivityDependency, ChangeActivity, PlanApproval, Stakeholder
from ..models.plan import ChangePlan
from ..notices import notice_rows
from ..schemas_plan import (
    ChangeCalendarOut,
    ChangeCalendarParams,
    ChangePlanActivityIn,
    ChangePlanActivityOut,
    ChangePlanApproveIn,
    ChangePlanNoticeIn,
    ChangePlanNoticeOut,
    ChangePlanOut,
)
from ..services._base import plan_version
from ..services.schedule import MAX_DAYS, forward_schedule
from . import find_change

router = access.declare(
    Router(tags=["changes"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("Changes are for operators.")),
)
calendar_router = access.declare(
    Router(tags=["changes"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("Changes are for operators.")),
)


def plan_activity_out(a: ChangeActivity, deps: dict[int, list[int]]) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "assignee": ref(a.assignee),
        "operator_group": ref(a.operator_group),
        "estimate_minutes": a.estimate_minutes,
        "people_count": a.people_count,
        "means": a.means,
        "planned_start": a.planned_start,
        "planned_end": a.planned_end,
        "depends_on": deps.get(a.pk, []),
        "done_at": a.done_at,
        "deviation": a.deviation,
    }


def dependencies_of(change_id: int) -> dict[int, list[int]]:
    deps: dict[int, list[int]] = {}
    rows = ActivityDependency.objects.filter(activity__change_id=change_id).order_by("id")
    for a, d in rows.values_list("activity_id", "depends_on_id"):
        deps.setdefault(a, []).append(d)
    return deps


def _plan_out(request: HttpRequest, change_id: int) -> dict[str, Any]:
    user = current_user(request)
    change = find_change(request, change_id)
    version = plan_version(change)
    deps = dependencies_of(change.pk)
    activities = (
        ChangeActivity.objects.visible_to(user)
        .filter(change=change)
        .select_related("assignee", "operator_group")[: services.plan.MAX_ACTIVITIES]
    )
    approvals = PlanApproval.objects.visible_to(user).filter(change=change).select_related("approved_by")[:50]
    plan = (
        ChangePlan.objects.visible_to(user).filter(change=change).select_related("maintenance_window").first()
    )
    window = plan.maintenance_window if plan is not None else None
    return {
        "change_id": change.pk,
        "change_version": change.version,
        "plan_version": version,
        "approved": any(a.plan_version == version for a in approvals),
        "activities": [plan_activity_out(a, deps) for a in activities],
        "approvals": [
            {
                "id": a.pk,
                "approved_by": ref(a.approved_by),
                "approved_at": a.approved_at,
                "plan_version": a.plan_version,
                "comment": a.comment,
                "current": a.plan_version == version,
            }
            for a in approvals
        ],
        "notices": [_notice_out(n) for n in notice_rows(change)],
        "maintenance_window": ref(window),
    }


def _notice_out(row: Any) -> dict[str, Any]:
    n = row.notice
    return {
        "id": n.pk,
        "subject": n.subject,
        "text": n.text,
        "article": {"id": n.article.pk, "name": n.article.title} if n.article is not None else None,
        "sent_at": n.sent_at,
        "recipients": [
            {
                "stakeholder_id": r.row.stakeholder_id,
                "name": r.row.name,
                "address": r.row.address,
                "notified_at": r.row.notified_at,
                "acknowledged": r.acknowledged,
            }
            for r in row.recipients
        ],
    }


def _data(payload: ChangePlanActivityIn) -> services.ActivityData:
    look = Lookup()
    assignee = look.row(User, payload.assignee_id, "assignee_id")
    group = look.row(OperatorGroup, payload.operator_group_id, "operator_group_id")
    look.done()
    return services.ActivityData(
        title=payload.title,
        assignee=assignee,
        operator_group=group,
        estimate_minutes=payload.estimate_minutes,
        planned_start=payload.planned_start,
        planned_end=payload.planned_end,
        people_count=payload.people_count,
        means=payload.means,
        depends_on=list(payload.depends_on),
    )


@router.get("/{change_id}", response={200: ChangePlanOut, **errors(403, 404)}, summary="A change's plan")
def get_plan(request: HttpRequest, change_id: Id) -> dict[str, Any]:
    """The activities with their dependencies, the plan's version and approvals (`current`: of this
    version), the notices sent to stakeholders with who acknowledged, and the maintenance window."""
    return _plan_out(request, change_id)


@router.post(
    "/{change_id}/activities",
    response={201: ChangePlanActivityOut, **errors(400, 403, 404, 409)},
    summary="Plan an activity",
)
def add_activity(
    request: HttpRequest, change_id: Id, payload: ChangePlanActivityIn
) -> Answer[dict[str, Any]]:
    change = find_change(request, change_id)
    activity = services.plan_activity(
        change, actor=current_user(request), data=_data(payload), expected_version=payload.version
    )
    return Answer(201, plan_activity_out(activity, dependencies_of(change.pk)))


@router.put(
    "/{change_id}/activities/{activity_id}",
    response={200: ChangePlanActivityOut, **errors(400, 403, 404, 409)},
    summary="Change a planned activity",
)
def update_activity(
    request: HttpRequest, change_id: Id, activity_id: Id, payload: ChangePlanActivityIn
) -> dict[str, Any]:
    change = find_change(request, change_id)
    found = (
        ChangeActivity.objects.visible_to(current_user(request)).filter(change=change, pk=activity_id).first()
    )
    if found is None:
        raise NotFound(_("Activity not found."))
    found.change = change
    activity = services.update_activity(
        found, actor=current_user(request), data=_data(payload), expected_version=payload.version
    )
    return plan_activity_out(activity, dependencies_of(change.pk))


@router.post(
    "/{change_id}/approve",
    response={200: ChangePlanOut, **errors(400, 403, 404, 409)},
    summary="Approve the plan (change coordinator or client)",
)
def approve(request: HttpRequest, change_id: Id, payload: ChangePlanApproveIn) -> dict[str, Any]:
    change = find_change(request, change_id)
    services.approve_plan(
        change,
        actor=current_user(request),
        expected_plan_version=payload.plan_version,
        comment=payload.comment,
    )
    return _plan_out(request, change_id)


@router.post(
    "/{change_id}/notices",
    response={201: ChangePlanNoticeOut, **errors(400, 403, 404, 409)},
    summary="Inform stakeholders",
)
def send_notice(request: HttpRequest, change_id: Id, payload: ChangePlanNoticeIn) -> Answer[dict[str, Any]]:
    user = current_user(request)
    change = find_change(request, change_id)
    chosen = list(Stakeholder.objects.visible_to(user).filter(change=change, pk__in=payload.stakeholder_ids))
    if len(chosen) != len(set(payload.stakeholder_ids)):
        message = _("Choose stakeholders of this change.")
        raise DomainError(message, field_errors={"stakeholder_ids": message})
    article = None
    if payload.article_id is not None:
        article = Article.objects.visible_to(user).filter(pk=payload.article_id).first()
        if article is None:
            message = _("Choose a published article.")
            raise DomainError(message, field_errors={"article_id": message})
    notice = services.inform_stakeholders(
        change, actor=user, subject=payload.subject, text=payload.text, stakeholders=chosen, article=article
    )
    row = next(r for r in notice_rows(change) if r.notice.pk == notice.pk)
    return Answer(201, _notice_out(row))


# The forward schedule looks at the present era: far-off dates name no planned work (and a date
# before time zones were standardised would carry a local mean time offset).
EARLIEST = date(2000, 1, 1)
LATEST = date(2199, 12, 31)


@calendar_router.get(
    "",
    response={200: ChangeCalendarOut, **errors(400, 403)},
    summary="The forward schedule: open changes with a planned window in a period, with overlaps",
)
def calendar(request: HttpRequest, params: Query[ChangeCalendarParams]) -> dict[str, Any]:
    """`from` and `to` are dates (the period runs to the end of `to`), at most 366 days apart;
    without them, the coming 31 days from today. An
    overlap is two changes whose windows overlap and that share a CI or an affected service."""
    first = params.from_ or timezone.localdate()
    last = params.to or first + timedelta(days=30)
    for name, day in (("from", first), ("to", last)):
        if not EARLIEST <= day <= LATEST:
            message = _("Choose a date between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST}
            raise DomainError(message, field_errors={name: message})
    if last < first:
        message = _("The end of the period lies before its start.")
        raise DomainError(message, field_errors={"to": message})
    if (last - first).days + 1 > MAX_DAYS:
        message = _("Ask for at most %(days)d days.") % {"days": MAX_DAYS}
        raise DomainError(message, field_errors={"to": message})
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    schedule = forward_schedule(current_user(request), start, end)
    names = schedule.service_names
    return {
        "start": schedule.start,
        "end": schedule.end,
        "items": [
            {
                "id": c.id,
                "number": c.number,
                "title": c.title,
                "kind": c.kind,
                "phase": c.phase,
                "planned_start": c.start,
                "planned_end": c.end,
                "cis": [{"id": pk, "name": name} for pk, name in c.cis],
                "services": [
                    {"id": pk, "name": names[pk]} for pk in sorted(c.services, key=lambda p: names[p])
                ],
            }
            for c in schedule.changes
        ],
        "overlaps": [
            {"first_id": o.first.id, "second_id": o.second.id, "cis": o.cis, "services": o.services}
            for o in schedule.overlaps
        ],
        "truncated": schedule.truncated,
        "overlaps_truncated": schedule.overlaps_truncated,
    }
