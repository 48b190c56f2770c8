"""JSON adapter over the servicedesk services. Thin: authenticate, parse, call one service, serialise."""

from __future__ import annotations

import hashlib
import json
from typing import Any, TypeVar

from django.db import models
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import Supplier
from beheer.core import access, clock, config_cache, idempotency
from beheer.core.access import current_user
from beheer.core.errors import DomainError, NotFound
from beheer.core.files import protected_file_response
from beheer.core.schemas import Id, Int64, Schema, TextLine, errors, file_answer

from . import exports, extensions, services
from .models import (
    Attachment,
    CallType,
    Category,
    ClosureCode,
    HistoryEntry,
    Impact,
    Melding,
    Note,
    Priority,
    Status,
    TimeEntry,
    Urgency,
)
from .queries import (
    MeldingFilter,
    filter_meldingen,
    melding_page,
    order_for,
    relation_counts,
)
from .schemas import (
    AssignIn,
    AttachmentOut,
    CategoryOut,
    ClassificationIn,
    CloseIn,
    ConfirmIn,
    EscalateIn,
    EstimatesIn,
    GroupOut,
    HistoryOut,
    LevelLookupOut,
    LinkIn,
    LookupOut,
    MeldingCreate,
    MeldingDetailOut,
    MeldingListParams,
    MeldingPage,
    MergeIn,
    NoteIn,
    NoteOut,
    PartialIn,
    PersonOut,
    ReopenIn,
    ResolveIn,
    SlaOut,
    StatusIn,
    StatusLookupOut,
    TargetDateIn,
    TimeIn,
    TimeOut,
)

router = access.declare(Router(tags=["meldingen"]), access.SIGNED_IN)
M = TypeVar("M", bound=models.Model)


# --------------------------------------------------------------------------------------------------
# serialisation


def ref(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    name = getattr(obj, "name", None)
    if isinstance(obj, User):
        name = str(obj)
    elif isinstance(obj, Category):
        name = obj.display_name
    return {"id": obj.pk, "name": str(name if name is not None else obj)}


def melding_out(m: Melding) -> dict[str, Any]:
    return {
        "id": m.pk,
        "number": m.number,
        "brief_description": m.brief_description,
        "entry_type": m.entry_type,
        "call_type": ref(m.call_type),
        "line": m.line,
        "parent_id": m.parent_id,
        "caller": ref(m.caller),
        "caller_name": m.caller_display,
        "category": ref(m.category),
        "subcategory": ref(m.subcategory),
        "object_name": m.object_name,
        "impact": ref(m.impact),
        "urgency": ref(m.urgency),
        "priority": {**(ref(m.priority) or {}), "level": m.priority.level},
        "target_date": m.target_date,
        "operator_group": ref(m.operator_group),
        "operator": ref(m.operator),
        "supplier": ref(m.supplier),
        "status": {**(ref(m.status) or {}), "kind": m.status.kind, "pauses_sla": m.status.pauses_sla},
        "is_open": m.is_open,
        "created_at": m.created_at,
        "updated_at": m.updated_at,
        "version": m.version,
        "sla_policy": ref(m.sla_policy),
        "sla_state": m.sla_state(clock.now()),
        "response_due": m.response_due,
        "resolution_due": m.resolution_due,
        "response_met": m.response_met,
        "resolution_met": m.resolution_met,
    }


def melding_detail_out(
    m: Melding, viewer: Any, *, new: bool = False, relations: tuple[int, int, list[int]] | None = None
) -> dict[str, Any]:
    """The full melding as `viewer` may see it: linked meldingen and partial incidents are counted
    through visible_to (a caller sees neither other callers' meldingen nor partials); the apps above
    the servicedesk add their keys (the problem behind it, staff only) through `extensions`. A
    melding registered in this request has no partials or links.
    `relations`: its (resolved, total, linked ids) from relation_counts(), read for a whole list."""
    if relations is None:
        relations = (0, 0, []) if new else relation_counts([m], viewer)[m.pk]
    done, total, linked = relations
    return {
        **melding_out(m),
        "request": m.request,
        "caller_email": m.caller_email,
        "caller_phone": m.caller_phone,
        "estimated_minutes": m.estimated_minutes,
        "estimated_people": m.estimated_people,
        "estimated_means": m.estimated_means,
        "solution": m.solution,
        "is_workaround": m.is_workaround,
        "closure_code": ref(m.closure_code),
        "merged_into_id": m.merged_into_id,
        "reopen_count": m.reopen_count,
        "first_response_at": m.first_response_at,
        "resolved_at": m.resolved_at,
        "closed_at": m.closed_at,
        "partials_resolved": done,
        "partials_total": total,
        "linked_ids": linked,
        "confirmed_at": m.confirmed_at,
        "satisfaction_rating": m.satisfaction_rating,
        "satisfaction_comment": m.satisfaction_comment,
        **extensions.detail_fields(m, viewer),
    }


LIST_RELATED = (
    "call_type",
    "caller",
    "category",
    "subcategory",
    "impact",
    "urgency",
    "priority",
    "operator_group",
    "operator",
    "supplier",
    "status",
    "sla_policy",
)


def _visible(request: HttpRequest, pk: int) -> Melding:
    m = (
        Melding.objects.visible_to(request.user)
        .select_related(*LIST_RELATED, "closure_code", *extensions.detail_related())
        .filter(pk=pk)
        .first()
    )
    if m is None:
        raise NotFound(_("Call not found."))
    return m


def _visible_id(request: HttpRequest, pk: int) -> int:
    """`pk` when the user may see that melding (a lookup of its key alone: for the lists of its
    notes, history, time and files, which need no columns of the melding itself)."""
    if not Melding.objects.visible_to(request.user).filter(pk=pk).exists():
        raise NotFound(_("Call not found."))
    return pk


CONFIG_MODELS = (CallType, Category, Impact, Urgency, OperatorGroup, ClosureCode)


def _get(model: type[M], pk: int | None, field: str, *, required: bool = False, qs: Any = None) -> Any:
    if pk is None:
        if required:
            raise DomainError(_("This field is required."), field_errors={field: _("Required.")})
        return None
    if qs is None and model in CONFIG_MODELS:
        obj = config_cache.row(model, pk)  # small configuration tables: cached per process
    else:
        obj = (qs if qs is not None else model._default_manager).filter(pk=pk).first()
    if obj is None:
        message = _("Unknown %(field)s.") % {"field": field}
        raise DomainError(message, field_errors={field: message})
    return obj


def _operator(pk: int | None, field: str = "operator_id") -> User | None:
    return _get(User, pk, field, qs=User.objects.operators())


# --------------------------------------------------------------------------------------------------
# meldingen


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


def _detail(request: HttpRequest, m: Melding) -> dict[str, Any]:
    return melding_detail_out(_visible(request, m.pk), request.user)


@access.gate(access.OPERATORS_ONLY)
@router.put(
    "/meldingen/{melding_id}/classification", response={200: MeldingDetailOut, **errors(400, 403, 404, 409)}
)
def reclassify(request: HttpRequest, melding_id: Id, payload: ClassificationIn) -> dict[str, Any]:
    user = current_user(request)
    m = services.reclassify_melding(
        _visible(request, melding_id),
        actor=user,
        expected_version=payload.version,
        brief_description=payload.brief_description,
        request=payload.request,
        call_type=_get(CallType, payload.call_type_id, "call_type_id", required=True),
        category=_get(Category, payload.category_id, "category_id"),
        subcategory=_get(Category, payload.subcategory_id, "subcategory_id"),
        object_name=payload.object_name,
        impact=_get(Impact, payload.impact_id, "impact_id", required=True),
        urgency=_get(Urgency, payload.urgency_id, "urgency_id", required=True),
    )
    return _detail(request, m)


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/assign", response={200: MeldingDetailOut, **errors(400, 403, 404, 409)})
def assign(request: HttpRequest, melding_id: Id, payload: AssignIn) -> dict[str, Any]:
    user = current_user(request)
    m = services.assign_melding(
        _visible(request, melding_id),
        operator_group=_get(OperatorGroup, payload.operator_group_id, "operator_group_id"),
        operator=_operator(payload.operator_id),
        actor=user,
        expected_version=payload.version,
    )
    return _detail(request, m)


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/status", response={200: MeldingDetailOut, **errors(400, 403, 404, 409)})
def set_status(request: HttpRequest, melding_id: Id, payload: StatusIn) -> dict[str, Any]:
    user = current_user(request)
    m = services.change_status(
        _visible(request, melding_id),
        status=_get(Status, payload.status_id, "status_id", required=True),
        supplier=_get(Supplier, payload.supplier_id, "supplier_id"),
        actor=user,
        expected_version=payload.version,
    )
    return _detail(request, m)


@access.gate(access.OPERATORS_ONLY)
@router.post(
    "/meldingen/{melding_id}/target-date", response={200: MeldingDetailOut, **errors(400, 403, 404, 409)}
)
def set_target(request: HttpRequest, melding_id: Id, payload: TargetDateIn) -> dict[str, Any]:
    user = current_user(request)
    m = services.set_target_date(
        _visible(request, melding_id),
        target_date=payload.target_date,
        actor=user,
        expected_version=payload.version,
    )
    return _detail(request, m)


def _move(request: HttpRequest, melding_id: int, payload: EscalateIn, service: Any) -> dict[str, Any]:
    m = service(
        _visible(request, melding_id),
        to_group=_get(OperatorGroup, payload.to_group_id, "to_group_id", required=True),
        operator=_operator(payload.operator_id),
        reason=payload.reason,
        actor=current_user(request),
        expected_version=payload.version,
    )
    return _detail(request, m)


@access.gate(access.OPERATORS_ONLY)
@router.post(
    "/meldingen/{melding_id}/escalate",
    response={200: MeldingDetailOut, **errors(400, 403, 404, 409)},
    summary="First line -> second line",
)
def escalate(request: HttpRequest, melding_id: Id, payload: EscalateIn) -> dict[str, Any]:
    return _move(request, melding_id, payload, services.escalate_melding)


@access.gate(access.OPERATORS_ONLY)
@router.post(
    "/meldingen/{melding_id}/deescalate",
    response={200: MeldingDetailOut, **errors(400, 403, 404, 409)},
    summary="Second line -> first line",
)
def deescalate(request: HttpRequest, melding_id: Id, payload: EscalateIn) -> dict[str, Any]:
    return _move(request, melding_id, payload, services.deescalate_melding)


@access.gate(access.OPERATORS_ONLY)
@router.post(
    "/meldingen/{melding_id}/estimates", response={200: MeldingDetailOut, **errors(400, 403, 404, 409)}
)
def estimates(request: HttpRequest, melding_id: Id, payload: EstimatesIn) -> dict[str, Any]:
    user = current_user(request)
    m = services.set_estimates(
        _visible(request, melding_id),
        minutes=payload.minutes,
        people=payload.people,
        means=payload.means,
        actor=user,
        expected_version=payload.version,
    )
    return _detail(request, m)


@access.gate(access.OPERATORS_ONLY)
@router.post(
    "/meldingen/{melding_id}/resolve", response={200: MeldingDetailOut, **errors(400, 403, 404, 409)}
)
def resolve(request: HttpRequest, melding_id: Id, payload: ResolveIn) -> dict[str, Any]:
    user = current_user(request)
    m = services.resolve_melding(
        _visible(request, melding_id),
        solution=payload.solution,
        is_workaround=payload.is_workaround,
        closure_code=_get(ClosureCode, payload.closure_code_id, "closure_code_id"),
        actor=user,
        expected_version=payload.version,
        article=services.visible_article(payload.article_id, user) if payload.article_id else None,
    )
    return _detail(request, m)


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/close", response={200: MeldingDetailOut, **errors(400, 403, 404, 409)})
def close(request: HttpRequest, melding_id: Id, payload: CloseIn) -> dict[str, Any]:
    user = current_user(request)
    m = services.close_melding(_visible(request, melding_id), actor=user, expected_version=payload.version)
    return _detail(request, m)


@router.post(
    "/meldingen/{melding_id}/confirm",
    response={200: MeldingDetailOut, **errors(400, 403, 404, 409)},
    summary="Caller confirms the solution",
)
def confirm(request: HttpRequest, melding_id: Id, payload: ConfirmIn | None = None) -> dict[str, Any]:
    """Closes a resolved melding. The caller may rate the handling (1-5) with an optional comment."""
    m = services.confirm_resolution(
        _visible(request, melding_id),
        actor=request.user,  # type: ignore[arg-type]
        rating=payload.rating if payload else None,
        comment=payload.comment if payload else "",
    )
    return _detail(request, m)


@router.post("/meldingen/{melding_id}/reopen", response={200: MeldingDetailOut, **errors(400, 403, 404, 409)})
def reopen(request: HttpRequest, melding_id: Id, payload: ReopenIn) -> dict[str, Any]:
    m = services.reopen_melding(_visible(request, melding_id), reason=payload.reason, actor=request.user)  # type: ignore[arg-type]
    return _detail(request, m)


def note_out(n: Note) -> dict[str, Any]:
    return {
        "id": n.pk,
        "text": n.text,
        "visibility": n.visibility,
        "author": ref(n.author),
        "created_at": n.created_at,
    }


@router.get("/meldingen/{melding_id}/notes", response={200: list[NoteOut], **errors(404)})
def list_notes(request: HttpRequest, melding_id: Id) -> list[dict[str, Any]]:
    notes = (
        Note.objects.visible_to(request.user)
        .filter(melding_id=_visible_id(request, melding_id))
        .select_related("author")
        .order_by("created_at", "id")
    )
    return [note_out(n) for n in notes[:1000]]


@router.post("/meldingen/{melding_id}/notes", response={201: NoteOut, **errors(400, 403, 404, 409)})
def create_note(request: HttpRequest, melding_id: Id, payload: NoteIn) -> Any:
    note = services.add_note(
        _visible(request, melding_id),
        text=payload.text,
        visibility=payload.visibility,
        actor=request.user,  # type: ignore[arg-type]
    )
    return Answer(201, note_out(note))


@router.get("/meldingen/{melding_id}/history", response={200: list[HistoryOut], **errors(404)})
def list_history(request: HttpRequest, melding_id: Id) -> list[dict[str, Any]]:
    rows = (
        HistoryEntry.objects.visible_to(request.user)
        .filter(melding_id=_visible_id(request, melding_id))
        .select_related("actor")
        .order_by("at", "id")
    )
    return [
        {
            "id": h.pk,
            "at": h.at,
            "actor": ref(h.actor),
            "action": h.action,
            "field": h.field,
            "old_value": h.old_display,
            "new_value": h.new_display,
            "detail": h.detail_display,
        }
        for h in rows[:2000]
    ]


def time_out(t: TimeEntry) -> dict[str, Any]:
    return {
        "id": t.pk,
        "operator": ref(t.operator),
        "line": t.line,
        "operator_group": ref(t.operator_group),
        "minutes": t.minutes,
        "date": t.date,
        "note": t.note,
    }


@access.gate(access.OPERATORS_ONLY)
@router.get("/meldingen/{melding_id}/time", response={200: list[TimeOut], **errors(403, 404)})
def list_time(request: HttpRequest, melding_id: Id) -> list[dict[str, Any]]:
    rows = (
        TimeEntry.objects.visible_to(request.user)
        .filter(melding_id=_visible_id(request, melding_id))
        .select_related("operator", "operator_group")
        .order_by("date", "id")
    )
    return [time_out(t) for t in rows]


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/time", response={201: TimeOut, **errors(400, 403, 404, 409)})
def create_time(request: HttpRequest, melding_id: Id, payload: TimeIn) -> Any:
    user = current_user(request)
    t = services.register_time(
        _visible(request, melding_id), minutes=payload.minutes, on=payload.date, note=payload.note, actor=user
    )
    return Answer(201, time_out(t))


@access.gate(access.OPERATORS_ONLY)
@router.post("/meldingen/{melding_id}/links", response={200: MeldingDetailOut, **errors(400, 403, 404, 409)})
def create_link(request: HttpRequest, melding_id: Id, payload: LinkIn) -> dict[str, Any]:
    user = current_user(request)
    m = _visible(request, melding_id)
    services.link_meldingen(m, other=_visible(request, payload.other_id), actor=user)
    return _detail(request, m)


@access.gate(access.OPERATORS_ONLY)
@router.delete(
    "/meldingen/{melding_id}/links/{other_id}", response={200: MeldingDetailOut, **errors(400, 403, 404, 409)}
)
def delete_link(request: HttpRequest, melding_id: Id, other_id: Id) -> dict[str, Any]:
    user = current_user(request)
    m = _visible(request, melding_id)
    services.unlink_meldingen(m, other=_visible(request, other_id), actor=user)
    return _detail(request, m)


@access.gate(access.OPERATORS_ONLY)
@router.post(
    "/meldingen/{melding_id}/merge",
    response={200: MeldingDetailOut, **errors(400, 403, 404, 409)},
    summary="Merge this duplicate into another",
)
def merge(request: HttpRequest, melding_id: Id, payload: MergeIn) -> dict[str, Any]:
    user = current_user(request)
    m = services.merge_melding(
        _visible(request, melding_id), into=_visible(request, payload.into_id), actor=user
    )
    return _detail(request, m)


@access.gate(access.OPERATORS_ONLY)
@router.get("/meldingen/{melding_id}/partials", response={200: list[MeldingDetailOut], **errors(403, 404)})
def list_partials(request: HttpRequest, melding_id: Id) -> list[dict[str, Any]]:
    partials = list(
        Melding.objects.visible_to(request.user)
        .filter(parent_id=_visible_id(request, melding_id))
        .select_related(*LIST_RELATED, "closure_code", *extensions.detail_related())
        .order_by("id")[:200]
    )
    relations = relation_counts(partials, request.user)
    return [melding_detail_out(p, request.user, relations=relations[p.pk]) for p in partials]


@access.gate(access.OPERATORS_ONLY)
@router.post(
    "/meldingen/{melding_id}/partials", response={201: MeldingDetailOut, **errors(400, 403, 404, 409)}
)
def create_partial(request: HttpRequest, melding_id: Id, payload: PartialIn) -> Any:
    user = current_user(request)
    p = services.create_partial(
        _visible(request, melding_id),
        brief_description=payload.brief_description,
        request=payload.request,
        operator_group=_get(OperatorGroup, payload.operator_group_id, "operator_group_id"),
        operator=_operator(payload.operator_id),
        supplier=_get(Supplier, payload.supplier_id, "supplier_id"),
        actor=user,
    )
    return Answer(201, _detail(request, p))


def attachment_out(a: Attachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "original_name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "visible_to_caller": a.visible_to_caller,
        "created_at": a.created_at,
    }


@router.get("/meldingen/{melding_id}/attachments", response={200: list[AttachmentOut], **errors(404)})
def list_attachments(request: HttpRequest, melding_id: Id) -> list[dict[str, Any]]:
    visible = Attachment.objects.visible_to(request.user).filter(melding_id=_visible_id(request, melding_id))
    return [attachment_out(a) for a in visible[:500]]


@router.post(
    "/meldingen/{melding_id}/attachments", response={201: AttachmentOut, **errors(400, 403, 404, 409)}
)
def upload_attachment(
    request: HttpRequest, melding_id: Id, file: File[UploadedFile], visible_to_caller: Form[bool] = True
) -> Any:
    a = services.add_attachment(
        _visible(request, melding_id),
        upload=file,
        actor=request.user,  # type: ignore[arg-type]
        visible_to_caller=visible_to_caller,
    )
    return Answer(201, attachment_out(a))


@router.get(
    "/attachments/{attachment_id}",
    summary="Download an attachment",
    response=errors(404),
    openapi_extra=file_answer("*/*", "The file, with the type sniffed when it was uploaded"),
)
def download_attachment(request: HttpRequest, attachment_id: Id) -> FileResponse:
    a = Attachment.objects.visible_to(request.user).filter(pk=attachment_id).first()
    if a is None:
        raise NotFound(_("Attachment not found."))
    return attachment_response(a)


def attachment_response(a: Attachment) -> FileResponse:
    return protected_file_response(a.file, filename=a.original_name, content_type=a.content_type)


# --------------------------------------------------------------------------------------------------
# lookups


def _lookups(model: Any, extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {"id": o.pk, "code": o.code, "name": o.name, **{f: getattr(o, f) for f in extra}}
        for o in model.objects.filter(active=True).order_by("order", "id")
    ]


@router.get("/call-types", response=list[LookupOut], tags=["configuration"])
def call_types(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(CallType)


@router.get("/statuses", response=list[StatusLookupOut], tags=["configuration"])
def statuses(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(Status, ("kind", "pauses_sla"))


@router.get("/impacts", response=list[LevelLookupOut], tags=["configuration"])
def impacts(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(Impact, ("level",))


@router.get("/urgencies", response=list[LevelLookupOut], tags=["configuration"])
def urgencies(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(Urgency, ("level",))


@router.get("/priorities", response=list[LevelLookupOut], tags=["configuration"])
def priorities(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(Priority, ("level",))


@router.get("/closure-codes", response=list[LookupOut], tags=["configuration"])
def closure_codes(request: HttpRequest) -> list[dict[str, Any]]:
    return _lookups(ClosureCode)


@router.get("/categories", response=list[CategoryOut], tags=["configuration"])
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": c.pk, "name": c.display_name, "parent_id": c.parent_id}
        for c in Category.objects.filter(active=True).order_by("parent_id", "order", "name")[:2000]
    ]


@access.gate(access.OPERATORS_ONLY)
@router.get("/operator-groups", response={200: list[GroupOut], **errors(403)}, tags=["configuration"])
def operator_groups(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": g.pk, "name": g.name, "is_first_line": g.is_first_line, "is_second_line": g.is_second_line}
        for g in OperatorGroup.objects.active()
    ]


@access.gate(access.OPERATORS_ONLY)
@router.get(
    "/persons",
    response={200: list[PersonOut], **errors(403)},
    tags=["people"],
    summary="Caller lookup (operators only)",
)
def persons(request: HttpRequest, q: TextLine = "", limit: Int64 = 20) -> list[dict[str, Any]]:
    limit = max(1, min(limit, 100))
    q = q.replace("\x00", "")
    qs = User.objects.visible_to(request.user).callers().search(q).select_related("department", "branch")
    return [
        {
            "id": u.pk,
            "name": str(u),
            "email": u.email,
            "department": u.department.name if u.department else None,
            "branch": u.branch.name if u.branch else None,
        }
        for u in qs.order_by("last_name", "first_name", "id")[:limit]
    ]


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
