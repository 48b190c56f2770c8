"""JSON adapter for changes, mounted under /api/v1/changes (beheer/api.py). Staff only; thin: look
up through `visible_to` (missing -> 404), call one service, serialise. Changing calls take the
version the client read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import Lookup, get_row, ref, version_sent
from beheer.core.errors import DomainError, NotFound
from beheer.core.history import subject_history_page
from beheer.core.pagination import keyset_page
from beheer.core.schemas import HistoryRecordPage, Id, Int64, TextLine, errors
from beheer.servicedesk.models import Melding, format_number

from .. import services
from ..impact import change_impact
from ..models import (
    Change,
    ChangeActivity,
    ChangeApproval,
    ChangeCi,
    ChangeHistoryEntry,
    ChangeTemplate,
    Phase,
    Project,
)
from ..queries import ORDER, PAGE_SIZE, ChangeFilter, filter_changes
from ..schemas import (
    ChangeActivityIn,
    ChangeActivityOut,
    ChangeCancelIn,
    ChangeCiIn,
    ChangeDeviationIn,
    ChangeFromMeldingIn,
    ChangeFromTemplateIn,
    ChangeIn,
    ChangeListParams,
    ChangeMoveIn,
    ChangeOut,
    ChangePage,
    ChangeVersionIn,
)

router = access.declare(
    Router(tags=["changes"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("Changes are for operators.")),
)
RELATED = (
    "phase",
    "requester",
    "client",
    "coordinator",
    "operator_group",
    "project",
    "risk_level",
    "template",
)


def phase_out(p: Phase) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "order": p.order,
        "active": p.active,
        "optional": p.optional,
        "version": p.version,
    }


def summary_out(c: Change) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "title": c.title,
        "kind": c.kind,
        "status": c.status,
        "phase": phase_out(c.phase),
        "risk_level": ref(c.risk_level),
        "approval_status": c.approval_status,
        "approved_afterwards": c.approved_afterwards,
        "coordinator": ref(c.coordinator),
        "project": ref(c.project),
        "updated_at": c.updated_at,
        "version": c.version,
    }


def activity_out(a: ChangeActivity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "assignee": ref(a.assignee),
        "operator_group": ref(a.operator_group),
        "estimate_minutes": a.estimate_minutes,
        "planned_start": a.planned_start,
        "planned_end": a.planned_end,
        "done_at": a.done_at,
        "done_by": ref(a.done_by),
        "deviation": a.deviation,
    }


def approval_out(a: ChangeApproval) -> dict[str, Any]:
    return {
        "id": a.pk,
        "round": a.round,
        "approver": ref(a.approver),
        "decision": a.decision,
        "comment": a.comment,
        "retroactive": a.retroactive,
        "requested_at": a.requested_at,
        "decided_at": a.decided_at,
    }


def change_out(request: HttpRequest, c: Change) -> dict[str, Any]:
    user = current_user(request)
    affected = change_impact(c, user=user)
    melding = c.origin_melding_id
    return {
        **summary_out(c),
        "description": c.description,
        "requester": ref(c.requester),
        "client": ref(c.client),
        "operator_group": ref(c.operator_group),
        "origin_melding": {"id": melding, "name": format_number(melding)} if melding else None,
        "template": ref(c.template),
        "likelihood": c.likelihood,
        "impact": c.impact,
        "rollback_plan": c.rollback_plan,
        "planned_start": c.planned_start,
        "planned_end": c.planned_end,
        "approved_at": c.approved_at,
        "created_at": c.created_at,
        "closed_at": c.closed_at,
        "cis": [
            ref(link.ci)
            for link in ChangeCi.objects.visible_to(user)
            .filter(change=c)
            .select_related("ci")
            .order_by("id")[:200]
        ],
        "affected": {
            "services": [ref(s) for s in affected.services],
            "service_count": affected.service_count,
            "people": [ref(p) for p in affected.people],
            "people_count": affected.people_count,
        },
        "next_phases": [
            {"phase": phase_out(n.phase), "allowed": n.allowed, "blocked_by": n.blocked_by}
            for n in services.next_phases(c)
        ],
        "activities": [
            activity_out(a)
            for a in ChangeActivity.objects.visible_to(user)
            .filter(change=c)
            .select_related("assignee", "operator_group", "done_by")
        ],
        "approvals": [
            approval_out(a)
            for a in ChangeApproval.objects.visible_to(user).filter(change=c).select_related("approver")
        ],
    }


def find_change(request: HttpRequest, pk: int) -> Change:
    found = Change.objects.visible_to(current_user(request)).select_related(*RELATED).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Change not found."))
    return found


def _data(payload: ChangeIn) -> services.ChangeData:
    look = Lookup()
    found: dict[str, Any] = {
        field: look.row(model, pk, field)
        for field, model, pk in (
            ("requester_id", User, payload.requester_id),
            ("client_id", User, payload.client_id),
            ("coordinator_id", User, payload.coordinator_id),
            ("operator_group_id", OperatorGroup, payload.operator_group_id),
            ("project_id", Project, payload.project_id),
        )
    }
    look.done()
    return services.ChangeData(
        title=payload.title,
        description=payload.description,
        kind=payload.kind,
        requester=found["requester_id"],
        client=found["client_id"],
        coordinator=found["coordinator_id"],
        operator_group=found["operator_group_id"],
        project=found["project_id"],
        likelihood=payload.likelihood,
        impact=payload.impact,
        rollback_plan=payload.rollback_plan,
        planned_start=payload.planned_start,
        planned_end=payload.planned_end,
    )


def _cis(request: HttpRequest, ids: list[int]) -> list[ConfigurationItem]:
    rows = list(ConfigurationItem.objects.visible_to(current_user(request)).filter(pk__in=set(ids)))
    if len(rows) != len(set(ids)):
        message = _("Unknown %(field)s.") % {"field": "ci_ids"}
        raise DomainError(message, field_errors={"ci_ids": message})
    return rows


@router.get("", response={200: ChangePage, **errors(400, 403)}, summary="Changes, last changed first")
def list_changes(request: HttpRequest, params: Query[ChangeListParams]) -> dict[str, Any]:
    f = ChangeFilter(
        phase=params.phase_id,
        kind=params.kind or "",
        state=params.state,
        mine=params.mine,
        ci=params.ci_id,
        project=params.project_id,
        afterwards=params.approved_afterwards,
        q=params.q,
    )
    rows = filter_changes(current_user(request), f).for_list()
    page = keyset_page(rows, ORDER, cursor=params.cursor, size=PAGE_SIZE)
    return {"items": [summary_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/from-template",
    response={201: ChangeOut, **errors(400, 403, 404)},
    summary="A standard change from a template",
)
def create_from_template(request: HttpRequest, payload: ChangeFromTemplateIn) -> Answer[dict[str, Any]]:
    template = ChangeTemplate.objects.filter(pk=payload.template_id).first()
    if template is None:
        raise NotFound(_("Template not found."), field_errors={"template_id": _("Unknown.")})
    change = services.create_change_from_template(
        template,
        actor=current_user(request),
        requester=get_row(User, payload.requester_id, "requester_id"),
        client=get_row(User, payload.client_id, "client_id"),
        cis=_cis(request, payload.ci_ids),
        planned_start=payload.planned_start,
    )
    return Answer(201, change_out(request, find_change(request, change.pk)))


@router.post(
    "/from-call", response={201: ChangeOut, **errors(400, 403, 404)}, summary="A change from a call (melding)"
)
def create_from_melding(request: HttpRequest, payload: ChangeFromMeldingIn) -> Answer[dict[str, Any]]:
    melding = Melding.objects.visible_to(current_user(request)).filter(pk=payload.melding_id).first()
    if melding is None:
        raise NotFound(_("Call not found."), field_errors={"melding_id": _("Unknown.")})
    change = services.create_change_from_melding(melding, actor=current_user(request))
    return Answer(201, change_out(request, find_change(request, change.pk)))


@router.get("/{change_id}", response={200: ChangeOut, **errors(403, 404)}, summary="One change")
def get_change(request: HttpRequest, change_id: Id) -> dict[str, Any]:
    """The change with its CIs, the services and people affected (from the CMDB's impact analysis,
    bounded), the phases it may go to with the rules that block them, activities and approvals."""
    return change_out(request, find_change(request, change_id))


@router.post("", response={201: ChangeOut, **errors(400, 403)}, summary="Register a change")
def create_change(request: HttpRequest, payload: ChangeIn) -> Answer[dict[str, Any]]:
    change = services.create_change(
        actor=current_user(request), data=_data(payload), cis=_cis(request, payload.ci_ids)
    )
    return Answer(201, change_out(request, find_change(request, change.pk)))


@router.put(
    "/{change_id}", response={200: ChangeOut, **errors(400, 403, 404, 409)}, summary="Change a change"
)
def update_change(request: HttpRequest, change_id: Id, payload: ChangeIn) -> dict[str, Any]:
    change = find_change(request, change_id)
    services.update_change(
        change,
        actor=current_user(request),
        data=_data(payload),
        expected_version=version_sent(payload.version),
    )
    return change_out(request, find_change(request, change_id))


@router.post(
    "/{change_id}/move",
    response={200: ChangeOut, **errors(400, 403, 404, 409)},
    summary="Move a change to another phase",
)
def move_change(request: HttpRequest, change_id: Id, payload: ChangeMoveIn) -> dict[str, Any]:
    """400 names the rules that block the move (see `next_phases` of the change)."""
    change = find_change(request, change_id)
    phase = Phase.objects.filter(pk=payload.phase_id).first()
    if phase is None:
        raise DomainError(_("Unknown phase."), field_errors={"phase_id": _("Unknown phase.")})
    services.move_change(
        change, actor=current_user(request), to_phase=phase, expected_version=payload.version
    )
    return change_out(request, find_change(request, change_id))


@router.post(
    "/{change_id}/cancel", response={200: ChangeOut, **errors(400, 403, 404, 409)}, summary="Cancel a change"
)
def cancel_change(request: HttpRequest, change_id: Id, payload: ChangeCancelIn) -> dict[str, Any]:
    change = find_change(request, change_id)
    services.cancel_change(
        change, actor=current_user(request), expected_version=payload.version, reason=payload.reason
    )
    return change_out(request, find_change(request, change_id))


@router.post(
    "/{change_id}/approval",
    response={200: ChangeOut, **errors(400, 403, 404, 409)},
    summary="Ask for approval again (a new round)",
)
def request_approval(request: HttpRequest, change_id: Id, payload: ChangeVersionIn) -> dict[str, Any]:
    change = find_change(request, change_id)
    services.request_approval(change, actor=current_user(request), expected_version=payload.version)
    return change_out(request, find_change(request, change_id))


@router.post(
    "/{change_id}/cis", response={200: ChangeOut, **errors(400, 403, 404, 409)}, summary="Add an affected CI"
)
def add_ci(request: HttpRequest, change_id: Id, payload: ChangeCiIn) -> dict[str, Any]:
    change = find_change(request, change_id)
    ci = get_row(
        ConfigurationItem,
        payload.ci_id,
        "ci_id",
        rows=ConfigurationItem.objects.visible_to(current_user(request)),
    )
    services.add_change_ci(change, actor=current_user(request), ci=ci)
    return change_out(request, find_change(request, change_id))


@router.delete(
    "/{change_id}/cis/{ci_id}", response={204: None, **errors(403, 404, 409)}, summary="Remove an affected CI"
)
def remove_ci(request: HttpRequest, change_id: Id, ci_id: Id) -> Answer[None]:
    change = find_change(request, change_id)
    ci = ConfigurationItem.objects.visible_to(current_user(request)).filter(pk=ci_id).first()
    if ci is None:
        raise NotFound(_("Configuration item not found."))
    services.remove_change_ci(change, actor=current_user(request), ci=ci)
    return Answer(204, None)


@router.post(
    "/{change_id}/activities",
    response={201: ChangeActivityOut, **errors(400, 403, 404, 409)},
    summary="Add an activity",
)
def add_activity(request: HttpRequest, change_id: Id, payload: ChangeActivityIn) -> Answer[dict[str, Any]]:
    change = find_change(request, change_id)
    activity = services.add_activity(
        change,
        actor=current_user(request),
        title=payload.title,
        assignee=get_row(User, payload.assignee_id, "assignee_id"),
        operator_group=get_row(OperatorGroup, payload.operator_group_id, "operator_group_id"),
        estimate_minutes=payload.estimate_minutes,
        planned_start=payload.planned_start,
        planned_end=payload.planned_end,
    )
    return Answer(201, activity_out(activity))


def _activity(request: HttpRequest, change_id: int, activity_id: int) -> ChangeActivity:
    change = find_change(request, change_id)
    found = (
        ChangeActivity.objects.visible_to(current_user(request)).filter(change=change, pk=activity_id).first()
    )
    if found is None:
        raise NotFound(_("Activity not found."))
    found.change = change
    return found


@router.post(
    "/{change_id}/activities/{activity_id}/done",
    response={200: ChangeActivityOut, **errors(400, 403, 404, 409)},
    summary="Mark an activity done",
)
def activity_done(request: HttpRequest, change_id: Id, activity_id: Id) -> dict[str, Any]:
    activity = services.complete_activity(
        _activity(request, change_id, activity_id), actor=current_user(request)
    )
    return activity_out(activity)


@router.post(
    "/{change_id}/activities/{activity_id}/deviation",
    response={200: ChangeActivityOut, **errors(400, 403, 404, 409)},
    summary="Note a deviation from an activity",
)
def activity_deviation(
    request: HttpRequest, change_id: Id, activity_id: Id, payload: ChangeDeviationIn
) -> dict[str, Any]:
    activity = services.note_deviation(
        _activity(request, change_id, activity_id), actor=current_user(request), deviation=payload.deviation
    )
    return activity_out(activity)


@router.get(
    "/{change_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="A change's history, newest first (keyset pagination)",
)
def change_history(
    request: HttpRequest, change_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    return subject_history_page(
        ChangeHistoryEntry,
        change_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("Change not found."),
    )
