"""JSON adapter for the service-level configuration, under /api/v1/sla/ (coordinators, administrators):
SLA policies and OLA targets; the business calendars (/api/v1/sla/calendars) are the calendars app's.

The same services as the screens (`services.sla_config`), so the same validation. Norms are
business minutes here, as stored; scripts that want hours multiply by 60.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router
from ninja.responses import Status as Answer

from beheer.accounts.models import User
from beheer.core import access
from beheer.core.api_helpers import ConfigRows
from beheer.core.errors import NotFound
from beheer.core.schemas import Id, Int64, TextLine, errors

from ..models import OlaTarget, SlaPolicy
from ..schemas import (
    OlaTargetIn,
    OlaTargetOut,
    PolicyIn,
    PolicyOut,
    PolicyPage,
)
from ..services import sla_config

PUBLISHED_IN = "beheer.servicedesk.sla_api"  # the operation ids of before the move (beheer/api.py)
router = access.declare(Router(tags=["service levels"]), access.COORDINATORS)


def _actor(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    sla_config.ensure_may_configure(user)
    return user


def _policy_out(p: SlaPolicy) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "description": p.description,
        "calendar_id": p.calendar_id,
        "order": p.order,
        "at_risk_percent": p.at_risk_percent,
        "escalate_on_breach": p.escalate_on_breach,
        "raise_priority_on_breach": p.raise_priority_on_breach,
        "escalation_group_id": p.escalation_group_id,
        "call_type_ids": [x.pk for x in p.call_types.all()],
        "category_ids": [x.pk for x in p.categories.all()],
        "department_ids": [x.pk for x in p.departments.all()],
        "branch_ids": [x.pk for x in p.branches.all()],
        "targets": [
            {
                "priority_id": t.priority_id,
                "response_minutes": t.response_minutes,
                "resolution_minutes": t.resolution_minutes,
                "update_minutes": t.update_minutes,
            }
            for t in p.targets.all()
        ],
        "active": p.active,
    }


POLICIES = ConfigRows(
    SlaPolicy,
    out=_policy_out,
    not_found=gettext_lazy("SLA policy not found."),
    prefetch=("call_types", "categories", "departments", "branches", "targets"),
)


def _policy_data(body: PolicyIn) -> sla_config.PolicyData:
    return sla_config.PolicyData(
        name=body.name,
        description=body.description,
        calendar_id=body.calendar_id,
        order=body.order,
        at_risk_percent=body.at_risk_percent,
        escalate_on_breach=body.escalate_on_breach,
        raise_priority_on_breach=body.raise_priority_on_breach,
        escalation_group_id=body.escalation_group_id,
        call_type_ids=body.call_type_ids,
        category_ids=body.category_ids,
        department_ids=body.department_ids,
        branch_ids=body.branch_ids,
        targets=[
            sla_config.TargetData(t.priority_id, t.resolution_minutes, t.response_minutes, t.update_minutes)
            for t in body.targets
        ],
    )


@router.get("/policies", response={200: PolicyPage, **errors(400, 403)}, summary="SLA policies")
def policy_list(request: HttpRequest, cursor: TextLine | None = None, limit: Int64 = 50) -> dict[str, Any]:
    _actor(request)
    return POLICIES.page(cursor=cursor, limit=limit)


@router.post("/policies", response={201: PolicyOut, **errors(400, 403)}, summary="Create an SLA policy")
def policy_create(request: HttpRequest, body: PolicyIn) -> Answer[dict[str, Any]]:
    p = sla_config.create_policy(data=_policy_data(body), actor=_actor(request))
    return Answer(201, POLICIES.detail(p.pk))


@router.get("/policies/{policy_id}", response={200: PolicyOut, **errors(403, 404)}, summary="One SLA policy")
def policy_detail(request: HttpRequest, policy_id: Id) -> dict[str, Any]:
    _actor(request)
    return POLICIES.detail(policy_id)


@router.put(
    "/policies/{policy_id}",
    response={200: PolicyOut, **errors(400, 403, 404, 409)},
    summary="Replace an SLA policy",
)
def policy_update(request: HttpRequest, policy_id: Id, body: PolicyIn) -> dict[str, Any]:
    actor = _actor(request)
    return POLICIES.change(policy_id, sla_config.update_policy, data=_policy_data(body), actor=actor)


@router.post(
    "/policies/{policy_id}/archive",
    response={200: PolicyOut, **errors(403, 404, 409)},
    summary="Archive an SLA policy",
)
def policy_archive(request: HttpRequest, policy_id: Id) -> dict[str, Any]:
    return POLICIES.change(policy_id, sla_config.set_policy_active, active=False, actor=_actor(request))


def _ola_out(o: OlaTarget) -> dict[str, Any]:
    return {
        "id": o.pk,
        "operator_group_id": o.operator_group_id,
        "priority_id": o.priority_id,
        "minutes": o.minutes,
        "calendar_id": o.calendar_id,
        "at_risk_percent": o.at_risk_percent,
        "active": o.active,
    }


def _get_ola(pk: int) -> OlaTarget:
    o = OlaTarget.objects.filter(pk=pk).first()
    if o is None:
        raise NotFound(_("OLA target not found."))
    return o


def _ola_data(body: OlaTargetIn) -> sla_config.OlaData:
    return sla_config.OlaData(
        operator_group_id=body.operator_group_id,
        priority_id=body.priority_id,
        minutes=body.minutes,
        calendar_id=body.calendar_id,
        at_risk_percent=body.at_risk_percent,
        active=body.active,
    )


@router.get("/olas", response={200: list[OlaTargetOut], **errors(403)}, summary="OLA targets")
def ola_list(request: HttpRequest) -> list[dict[str, Any]]:
    _actor(request)
    return [_ola_out(o) for o in OlaTarget.objects.order_by("operator_group_id", "id")[:1000]]


@router.post("/olas", response={201: OlaTargetOut, **errors(400, 403)}, summary="Create an OLA target")
def ola_create(request: HttpRequest, body: OlaTargetIn) -> Answer[dict[str, Any]]:
    return Answer(201, _ola_out(sla_config.create_ola(data=_ola_data(body), actor=_actor(request))))


@router.put(
    "/olas/{ola_id}", response={200: OlaTargetOut, **errors(400, 403, 404)}, summary="Replace an OLA target"
)
def ola_update(request: HttpRequest, ola_id: Id, body: OlaTargetIn) -> dict[str, Any]:
    actor = _actor(request)
    return _ola_out(sla_config.update_ola(_get_ola(ola_id), data=_ola_data(body), actor=actor))


@router.delete("/olas/{ola_id}", response={204: None, **errors(403, 404)}, summary="Delete an OLA target")
def ola_delete(request: HttpRequest, ola_id: Id) -> Answer[None]:
    actor = _actor(request)
    sla_config.delete_ola(_get_ola(ola_id), actor=actor)
    return Answer(204, None)
