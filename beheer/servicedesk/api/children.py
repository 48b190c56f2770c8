"""What hangs under a melding in the API: notes, history, time entries, links, partial incidents
and attachments (each read through `visible_to`)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup
from beheer.cmdb.models import Supplier
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import NotFound
from beheer.core.files import protected_file_response
from beheer.core.schemas import Id, errors, file_answer

from .. import extensions, services
from ..configuration_items import covering_contracts
from ..models import Attachment, HistoryEntry, Melding, Note, TimeEntry
from ..queries import relation_counts
from ..schemas import (
    AttachmentOut,
    HistoryOut,
    LinkIn,
    MeldingDetailOut,
    NoteIn,
    NoteOut,
    PartialIn,
    TimeIn,
    TimeOut,
)
from .common import LIST_RELATED, _detail, _get, _operator, _visible, _visible_id, melding_detail_out, ref

router = access.declare(Router(tags=["meldingen"]), access.SIGNED_IN)
PUBLISHED_IN = "beheer.servicedesk.api"  # the operation ids of before the split (beheer/api.py)


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
@router.get("/meldingen/{melding_id}/partials", response={200: list[MeldingDetailOut], **errors(403, 404)})
def list_partials(request: HttpRequest, melding_id: Id) -> list[dict[str, Any]]:
    partials = list(
        Melding.objects.visible_to(request.user)
        .filter(parent_id=_visible_id(request, melding_id))
        .select_related(*LIST_RELATED, "closure_code", "ci", *extensions.detail_related())
        .order_by("id")[:200]
    )
    relations = relation_counts(partials, request.user)
    contracts = covering_contracts(partials, request.user)
    return [
        melding_detail_out(p, request.user, relations=relations[p.pk], contracts=contracts) for p in partials
    ]


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
