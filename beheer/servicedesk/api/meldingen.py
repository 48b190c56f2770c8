"""The meldingen API: list, export, register and read a melding, and the operators' actions on it
(classify, assign, escalate, resolve, close, merge), the caller's confirm and reopen, its service level."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import Supplier
from beheer.core import access, clock, idempotency
from beheer.core.access import current_user
from beheer.core.api_helpers import act
from beheer.core.errors import DomainError
from beheer.core.schemas import Id, Schema, errors, file_answer

from .. import exports, services
from ..models import CallType, Category, ClosureCode, Impact, Melding, Status, Urgency
from ..queries import MeldingFilter, filter_meldingen, melding_page, order_for
from ..schemas import (
    AssignIn,
    ClassificationIn,
    CloseIn,
    ConfirmIn,
    EscalateIn,
    EstimatesIn,
    MeldingCreate,
    MeldingDetailOut,
    MeldingListParams,
    MeldingPage,
    MergeIn,
    ReopenIn,
    ResolveIn,
    SlaOut,
    StatusIn,
    TargetDateIn,
)
from .common import (
    LIST_RELATED,
    _detail,
    _get,
    _operator,
    _visible,
    get_ci,
    melding_detail_out,
    melding_out,
    ref,
)

router = access.declare(Router(tags=["meldingen"]), access.SIGNED_IN)
PUBLISHED_IN = "beheer.servicedesk.api"  # the operation ids of before the split (beheer/api.py)


@router.get(
    "/meldingen", response={200: MeldingPage, **errors(400)}, summary="List meldingen (keyset pagination)"
)
def list_meldingen(request: HttpRequest, params: Query[MeldingListParams]) -> dict[str, Any]:
    if not 1 <= params.limit <= 200:
        raise DomainError(_("limit must be between 1 and 200."), field_errors={"limit": _("Out of range.")})
    f = MeldingFilter(**{k: v for k, v in params.dict().items() if k in MeldingFilter.__dataclass_fields__})
    page = melding_page(
        request.user, f, sort=params.sort, cursor=params.cursor, size=params.limit, related=LIST_RELATED
    )
    return {"items": [melding_out(m) for m in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/meldingen/export.csv",
    summary="Export the filtered list as CSV (streamed, no row cap)",
    response=errors(400),
    openapi_extra=file_answer("text/csv", "The meldingen as CSV"),
)
def export_meldingen(request: HttpRequest, params: Query[MeldingListParams]) -> StreamingHttpResponse:
    f = MeldingFilter(**{k: v for k, v in params.dict().items() if k in MeldingFilter.__dataclass_fields__})
    qs = filter_meldingen(Melding.objects.all(), f, request.user)
    return exports.csv_response(qs, order_for(params.sort))


def _request_hash(payload: Schema) -> str:
    return hashlib.sha256(json.dumps(payload.dict(), sort_keys=True, default=str).encode()).hexdigest()


@router.post(
    "/meldingen",
    response={201: MeldingDetailOut, 200: MeldingDetailOut, **errors(400, 403)},
    summary="Register a melding (send an Idempotency-Key header to make retries safe)",
)
def create_melding(request: HttpRequest, payload: MeldingCreate) -> Any:
    user: User = request.user  # type: ignore[assignment]

    def register() -> tuple[int, dict[str, Any]]:
        m = services.open_melding(
            actor=user,
            brief_description=payload.brief_description,
            request=payload.request,
            entry_type=payload.entry_type,
            call_type=_get(CallType, payload.call_type_id, "call_type_id"),
            caller=_get(User, payload.caller_id, "caller_id"),
            caller_name=payload.caller_name,
            caller_email=payload.caller_email,
            caller_phone=payload.caller_phone,
            category=_get(Category, payload.category_id, "category_id"),
            subcategory=_get(Category, payload.subcategory_id, "subcategory_id"),
            object_name=payload.object_name,
            ci=get_ci(payload.ci_id, user),
            impact=_get(Impact, payload.impact_id, "impact_id"),
            urgency=_get(Urgency, payload.urgency_id, "urgency_id"),
            target_date=payload.target_date,
            operator_group=_get(OperatorGroup, payload.operator_group_id, "operator_group_id"),
            operator=_operator(payload.operator_id),
            estimated_minutes=payload.estimated_minutes,
            estimated_people=payload.estimated_people,
            estimated_means=payload.estimated_means,
        )
        return 201, melding_detail_out(m, user, new=True)

    status, body = idempotency.run_once(
        user=user,
        scope="melding.create",
        key=request.headers.get("Idempotency-Key", "").strip(),
        request_hash=_request_hash(payload),
        produce=register,
    )
    return Answer(status, body)


@router.get("/meldingen/{melding_id}", response={200: MeldingDetailOut, **errors(404)})
def get_melding(request: HttpRequest, melding_id: Id) -> dict[str, Any]:
    return melding_detail_out(_visible(request, melding_id), request.user)


CHANGED = {200: MeldingDetailOut, **errors(400, 403, 404, 409)}


def _act(
    request: HttpRequest, melding: Melding, service: Any, version: int | None, /, **fields: Any
) -> dict[str, Any]:
    """An operator's change: `service` on the melding with the version the client read; its detail."""
    return _detail(request, act(request, melding, service, version, **fields))


@access.gate(access.OPERATORS_ONLY)
@router.put("/meldingen/{melding_id}/classification", response=CHANGED)
def reclassify(request: HttpRequest, melding_id: Id, payload: ClassificationIn) -> dict[str, Any]:
    melding = _visible(request, melding_id)
    ci: Any = services.KEEP_CI  # a client that does not send ci_id leaves the CI as it is
    if "ci_id" in payload.model_fields_set:
        ci = get_ci(payload.ci_id, request.user, current_id=melding.ci_id)
    return _act(
        request,
        melding,
        services.reclassify_melding,
        payload.version,
        brief_description=payload.brief_description,
        request=payload.request,
        call_type=_get(CallType, payload.call_type_id, "call_type_id", required=True),
        category=_get(Category, payload.category_id, "category_id"),
        subcategory=_get(Category, payload.subcategory_id, "subcategory_id"),
        object_name=payload.object_name,
        ci=ci,
        impact=_get(Impact, payload.impact_id, "impact_id", required=True),
        urgency=_get(Urgency, payload.urgency_id, "urgency_id", required=True),
    )


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/assign", response=CHANGED)
def assign(request: HttpRequest, melding_id: Id, payload: AssignIn) -> dict[str, Any]:
    return _act(
        request,
        _visible(request, melding_id),
        services.assign_melding,
        payload.version,
        operator_group=_get(OperatorGroup, payload.operator_group_id, "operator_group_id"),
        operator=_operator(payload.operator_id),
    )


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/status", response=CHANGED)
def set_status(request: HttpRequest, melding_id: Id, payload: StatusIn) -> dict[str, Any]:
    return _act(
        request,
        _visible(request, melding_id),
        services.change_status,
        payload.version,
        status=_get(Status, payload.status_id, "status_id", required=True),
        supplier=_get(Supplier, payload.supplier_id, "supplier_id"),
    )


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/target-date", response=CHANGED)
def set_target(request: HttpRequest, melding_id: Id, payload: TargetDateIn) -> dict[str, Any]:
    melding = _visible(request, melding_id)
    return _act(request, melding, services.set_target_date, payload.version, target_date=payload.target_date)


def _move(request: HttpRequest, melding_id: int, payload: EscalateIn, service: Any) -> dict[str, Any]:
    return _act(
        request,
        _visible(request, melding_id),
        service,
        payload.version,
        to_group=_get(OperatorGroup, payload.to_group_id, "to_group_id", required=True),
        operator=_operator(payload.operator_id),
        reason=payload.reason,
    )


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/escalate", response=CHANGED, summary="First line -> second line")
def escalate(request: HttpRequest, melding_id: Id, payload: EscalateIn) -> dict[str, Any]:
    return _move(request, melding_id, payload, services.escalate_melding)


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/deescalate", response=CHANGED, summary="Second line -> first line")
def deescalate(request: HttpRequest, melding_id: Id, payload: EscalateIn) -> dict[str, Any]:
    return _move(request, melding_id, payload, services.deescalate_melding)


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/estimates", response=CHANGED)
def estimates(request: HttpRequest, melding_id: Id, payload: EstimatesIn) -> dict[str, Any]:
    return _act(
        request,
        _visible(request, melding_id),
        services.set_estimates,
        payload.version,
        minutes=payload.minutes,
        people=payload.people,
        means=payload.means,
    )


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/resolve", response=CHANGED)
def resolve(request: HttpRequest, melding_id: Id, payload: ResolveIn) -> dict[str, Any]:
    return _act(
        request,
        _visible(request, melding_id),
        services.resolve_melding,
        payload.version,
        solution=payload.solution,
        is_workaround=payload.is_workaround,
        closure_code=_get(ClosureCode, payload.closure_code_id, "closure_code_id"),
        article=services.visible_article(payload.article_id, current_user(request))
        if payload.article_id
        else None,
    )


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/close", response=CHANGED)
def close(request: HttpRequest, melding_id: Id, payload: CloseIn) -> dict[str, Any]:
    return _act(request, _visible(request, melding_id), services.close_melding, payload.version)


@router.post("/meldingen/{melding_id}/confirm", response=CHANGED, summary="Caller confirms the solution")
def confirm(request: HttpRequest, melding_id: Id, payload: ConfirmIn | None = None) -> dict[str, Any]:
    """Closes a resolved melding. The caller may rate the handling (1-5) with an optional comment."""
    m = services.confirm_resolution(
        _visible(request, melding_id),
        actor=current_user(request),
        rating=payload.rating if payload else None,
        comment=payload.comment if payload else "",
    )
    return _detail(request, m)


@router.post("/meldingen/{melding_id}/reopen", response=CHANGED)
def reopen(request: HttpRequest, melding_id: Id, payload: ReopenIn) -> dict[str, Any]:
    m = services.reopen_melding(
        _visible(request, melding_id), reason=payload.reason, actor=current_user(request)
    )
    return _detail(request, m)


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/merge", response=CHANGED, summary="Merge this duplicate into another")
def merge(request: HttpRequest, melding_id: Id, payload: MergeIn) -> dict[str, Any]:
    m = services.merge_melding(
        _visible(request, melding_id), into=_visible(request, payload.into_id), actor=current_user(request)
    )
    return _detail(request, m)


def _metric_out(metric: services.Metric | services.OlaMetric | None) -> dict[str, Any] | None:
    if metric is None:
        return None
    r = metric.reading
    return {
        "target_minutes": int(metric.target.total_seconds() // 60),
        "elapsed_minutes": round(r.elapsed.total_seconds() / 60, 1),
        "remaining_minutes": round(metric.remaining.total_seconds() / 60, 1),
        "paused_minutes": round(r.paused_for.total_seconds() / 60, 1),
        "due": r.due,
        "state": str(metric.state),
        "stopped_at": r.stopped_at,
        "breached_at": r.breached_at,
    }


@router.get(
    "/meldingen/{melding_id}/sla",
    response={200: SlaOut, **errors(404)},
    summary="The melding's service level, replayed now",
)
def melding_sla(request: HttpRequest, melding_id: Id) -> dict[str, Any]:
    """SLA clocks, the caller-update clock and, for operators, the OLA clock of each group."""
    m = _visible(request, melding_id)
    now = clock.now()
    ev = services.evaluate(m, now=now)
    staff = access.is_staff(request.user)
    olas = [_ola_out(o) for o in services.evaluate_olas(m, now=now)] if staff else []
    if ev is None:
        return {"policy": None, "calendar": None, "response": None, "resolution": None, "olas": olas}
    return {
        "policy": ref(ev.policy),
        "calendar": ref(ev.policy.calendar),
        "response": _metric_out(ev.response),
        "resolution": _metric_out(ev.resolution),
        "update": _metric_out(ev.update),
        "last_update_at": ev.last_update_at,
        "olas": olas,
    }


def _ola_out(ola: services.OlaMetric) -> dict[str, Any]:
    return {
        **(_metric_out(ola) or {}),
        "operator_group": ref(ola.group),
        "calendar": ref(ola.calendar),
        "holding": ola.holding,
        "first_assigned_at": ola.first_assigned_at,
    }
