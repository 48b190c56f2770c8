"""JSON adapters for the rest of changes: the approvals asked of the signed-in person
(/api/v1/change-approvals), projects (/api/v1/change-projects), the portal's changes
(/api/v1/portal/changes) and the coordinators' settings (/api/v1/change-settings)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import get_row, ref, version_sent
from beheer.core.errors import NotFound
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import Id, TextLine, errors

from .. import services
from ..models import (
    ApprovalRule,
    Change,
    ChangeApproval,
    ChangeTemplate,
    Phase,
    Project,
    RiskLevel,
    RiskMatrixCell,
)
from ..schemas import (
    ChangeApprovalRuleIn,
    ChangeApprovalRuleOut,
    ChangeDecisionIn,
    ChangeMyApprovalOut,
    ChangePhaseIn,
    ChangePhaseOut,
    ChangePortalIn,
    ChangePortalOut,
    ChangeProjectIn,
    ChangeProjectOut,
    ChangeProjectPage,
    ChangeRiskCellIn,
    ChangeRiskCellOut,
    ChangeTemplateOut,
)
from . import phase_out

approvals_router = access.declare(Router(tags=["changes"]), access.SIGNED_IN)
projects_router = access.declare(
    Router(tags=["changes"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("Projects are for operators.")),
)
portal_router = access.declare(Router(tags=["portal"]), access.SIGNED_IN)
settings_router = access.declare(Router(tags=["changes"]), access.COORDINATORS)


# -- approvals ---------------------------------------------------------------------------------------


def my_approval_out(a: ChangeApproval) -> dict[str, Any]:
    change = a.change
    return {
        "id": a.pk,
        "change": {"id": change.pk, "name": f"{change.number} {change.title}"},
        "phase": change.phase.name,
        "round": a.round,
        "decision": a.decision,
        "retroactive": a.retroactive,
        "requested_at": a.requested_at,
        "open": not a.decision and a.round == change.approval_round and change.approval_status == "pending",
    }


def _mine(request: HttpRequest) -> Any:
    return ChangeApproval.objects.filter(approver_id=current_user(request).pk).select_related(
        "change", "change__phase"
    )


@approvals_router.get(
    "",
    response={200: list[ChangeMyApprovalOut], **errors(403)},
    summary="The approvals asked of you (latest 100)",
)
def my_approvals(request: HttpRequest) -> list[dict[str, Any]]:
    return [my_approval_out(a) for a in _mine(request).order_by("-requested_at", "-id")[:100]]


@approvals_router.post(
    "/{approval_id}/decision",
    response={200: ChangeMyApprovalOut, **errors(400, 403, 404, 409)},
    summary="Approve or reject (a rejection needs a comment)",
)
def decide(request: HttpRequest, approval_id: Id, payload: ChangeDecisionIn) -> dict[str, Any]:
    approval = _mine(request).filter(pk=approval_id).first()
    if approval is None:
        raise NotFound(_("Approval not found."))
    services.decide_approval(
        approval, actor=current_user(request), approve=payload.decision == "approve", comment=payload.comment
    )
    found = _mine(request).get(pk=approval_id)
    return my_approval_out(found)


# -- projects ----------------------------------------------------------------------------------------


def project_out(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "goal": p.goal,
        "plan": p.plan,
        "budget": p.budget,
        "owner": ref(p.owner),
        "client": ref(p.client),
        "start_date": p.start_date,
        "end_date": p.end_date,
        "status": p.status,
        "version": p.version,
    }


def _project(request: HttpRequest, pk: int) -> Project:
    found = (
        Project.objects.visible_to(current_user(request))
        .select_related("owner", "client")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("Project not found."))
    return found


def _project_data(payload: ChangeProjectIn) -> services.ProjectData:
    return services.ProjectData(
        name=payload.name,
        goal=payload.goal,
        plan=payload.plan,
        budget=payload.budget,
        owner=get_row(User, payload.owner_id, "owner_id"),
        client=get_row(User, payload.client_id, "client_id"),
        start_date=payload.start_date,
        end_date=payload.end_date,
        status=payload.status,
    )


@projects_router.get("", response={200: ChangeProjectPage, **errors(400, 403)}, summary="Projects by name")
def list_projects(request: HttpRequest, cursor: TextLine | None = None) -> dict[str, Any]:
    rows = Project.objects.visible_to(current_user(request)).select_related("owner", "client")
    page = keyset_page(rows, (SortKey("name"), SortKey("id")), cursor=cursor, size=50)
    return {"items": [project_out(p) for p in page.items], "next_cursor": page.next_cursor}


@projects_router.get(
    "/{project_id}", response={200: ChangeProjectOut, **errors(403, 404)}, summary="One project"
)
def get_project(request: HttpRequest, project_id: Id) -> dict[str, Any]:
    return project_out(_project(request, project_id))


@projects_router.post("", response={201: ChangeProjectOut, **errors(400, 403)}, summary="Add a project")
def create_project(request: HttpRequest, payload: ChangeProjectIn) -> Answer[dict[str, Any]]:
    project = services.create_project(actor=current_user(request), data=_project_data(payload))
    return Answer(201, project_out(_project(request, project.pk)))


@projects_router.put(
    "/{project_id}",
    response={200: ChangeProjectOut, **errors(400, 403, 404, 409)},
    summary="Change a project",
)
def update_project(request: HttpRequest, project_id: Id, payload: ChangeProjectIn) -> dict[str, Any]:
    project = _project(request, project_id)
    services.update_project(
        project,
        actor=current_user(request),
        data=_project_data(payload),
        expected_version=version_sent(payload.version),
    )
    return project_out(_project(request, project_id))


# -- the portal --------------------------------------------------------------------------------------


def _own(request: HttpRequest) -> Any:
    user = current_user(request)
    return Change.objects.filter(Q(requester_id=user.pk) | Q(client_id=user.pk)).select_related("phase")


def portal_out(c: Change) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "title": c.title,
        "description": c.description,
        "phase": c.phase.name,
        "status": c.status,
        "created_at": c.created_at,
    }


@portal_router.get(
    "", response={200: list[ChangePortalOut], **errors(403)}, summary="Your change requests (latest 100)"
)
def portal_changes(request: HttpRequest) -> list[dict[str, Any]]:
    """The changes you requested or are the client of: phase and status, nothing internal."""
    return [portal_out(c) for c in _own(request).order_by("-created_at", "-id")[:100]]


@portal_router.get(
    "/{change_id}", response={200: ChangePortalOut, **errors(403, 404)}, summary="One of your changes"
)
def portal_change(request: HttpRequest, change_id: Id) -> dict[str, Any]:
    found = _own(request).filter(pk=change_id).first()
    if found is None:
        raise NotFound(_("Change not found."))
    return portal_out(found)


@portal_router.post("", response={201: ChangePortalOut, **errors(400, 403)}, summary="Request a change")
def portal_request(request: HttpRequest, payload: ChangePortalIn) -> Answer[dict[str, Any]]:
    user = current_user(request)
    ci = get_row(ConfigurationItem, payload.ci_id, "ci_id", rows=ConfigurationItem.objects.visible_to(user))
    change = services.submit_change_request(
        actor=user, title_text=payload.title, description=payload.description, ci=ci
    )
    return Answer(201, portal_out(_own(request).get(pk=change.pk)))


# -- settings ----------------------------------------------------------------------------------------


@settings_router.get("/phases", response={200: list[ChangePhaseOut], **errors(403)}, summary="The phases")
def list_phases(request: HttpRequest) -> list[dict[str, Any]]:
    return [phase_out(p) for p in Phase.objects.order_by("order", "id")]


@settings_router.put(
    "/phases/{phase_id}",
    response={200: ChangePhaseOut, **errors(400, 403, 404, 409)},
    summary="Rename, reorder or deactivate a phase",
)
def update_phase(request: HttpRequest, phase_id: Id, payload: ChangePhaseIn) -> dict[str, Any]:
    phase = Phase.objects.filter(pk=phase_id).first()
    if phase is None:
        raise NotFound(_("Phase not found."))
    updated = services.update_phase(
        phase,
        actor=current_user(request),
        name_nl=payload.name_nl,
        name_en=payload.name_en,
        order=payload.order,
        active=payload.active,
        expected_version=payload.version,
    )
    return phase_out(updated)


def cell_out(c: RiskMatrixCell) -> dict[str, Any]:
    return {"likelihood": c.likelihood, "impact": c.impact, "level": ref(c.level)}


@settings_router.get(
    "/risk-matrix", response={200: list[ChangeRiskCellOut], **errors(403)}, summary="The risk matrix"
)
def risk_matrix(request: HttpRequest) -> list[dict[str, Any]]:
    return [cell_out(c) for c in RiskMatrixCell.objects.select_related("level")]


@settings_router.put(
    "/risk-matrix",
    response={200: ChangeRiskCellOut, **errors(400, 403)},
    summary="Set one cell of the risk matrix",
)
def set_risk_cell(request: HttpRequest, payload: ChangeRiskCellIn) -> dict[str, Any]:
    level = get_row(RiskLevel, payload.level_id, "level_id")
    cell = services.set_risk_cell(
        actor=current_user(request), likelihood=payload.likelihood, impact=payload.impact, level=level
    )
    return cell_out(cell)


def rule_out(r: ApprovalRule) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "operator_group": ref(r.operator_group),
        "service_owners": r.service_owners,
        "rule": r.rule,
        "version": r.version,
    }


@settings_router.get(
    "/approval-rules",
    response={200: list[ChangeApprovalRuleOut], **errors(403)},
    summary="The approval rules",
)
def approval_rules(request: HttpRequest) -> list[dict[str, Any]]:
    return [rule_out(r) for r in ApprovalRule.objects.select_related("operator_group").order_by("kind")]


@settings_router.put(
    "/approval-rules/{rule_id}",
    response={200: ChangeApprovalRuleOut, **errors(400, 403, 404, 409)},
    summary="Change an approval rule",
)
def update_rule(request: HttpRequest, rule_id: Id, payload: ChangeApprovalRuleIn) -> dict[str, Any]:
    rule = ApprovalRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("Approval rule not found."))
    updated = services.update_approval_rule(
        rule,
        actor=current_user(request),
        operator_group=get_row(OperatorGroup, payload.operator_group_id, "operator_group_id"),
        service_owners=payload.service_owners,
        decision_rule=payload.rule,
        expected_version=payload.version,
    )
    return rule_out(updated)


@settings_router.get(
    "/templates",
    response={200: list[ChangeTemplateOut], **errors(403)},
    summary="The standard change templates",
)
def templates(request: HttpRequest) -> list[dict[str, Any]]:
    rows = ChangeTemplate.objects.prefetch_related("activities").order_by("name", "id")[:200]
    return [
        {
            "id": t.pk,
            "name": t.name,
            "title": t.title,
            "description": t.description,
            "active": t.active,
            "activities": [
                {"title": a.title, "estimate_minutes": a.estimate_minutes} for a in t.activities.all()
            ],
            "version": t.version,
        }
        for t in rows
    ]
