"""JSON adapter for the execution of a change, mounted under /api/v1/change-execution (beheer/api.py):
the activities with their state, marking one done (which applies its proposed CMDB updates), a
deviation with its decision, the installation log (newest first, keyset pages), documents and the
proposed CMDB updates. Staff only; thin: look up through `visible_to` (missing -> 404), call one
service, serialise."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from beheer.cmdb.models import CiType, ConfigurationItem
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.api_helpers import Lookup, ref
from beheer.core.errors import DomainError, NotFound
from beheer.core.files import download_response
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import Id, TextLine, errors, file_answer

from .. import services
from ..models import (
    Change,
    ChangeActivity,
    ChangeDocument,
    CmdbUpdate,
    CmdbUpdateKind,
    InstallationLogEntry,
    activity_state,
)
from ..schemas_execution import (
    AttributeChangeIn,
    CmdbUpdateIn,
    CmdbUpdateOut,
    DeviationDecisionIn,
    DocumentForm,
    DocumentOut,
    ExecutionActivityOut,
    LogEntryIn,
    LogEntryOut,
    LogPage,
    NewCiIn,
)
from ..services.execution import MAX_CMDB_UPDATES, MAX_DOCUMENTS
from . import find_change

router = access.declare(
    Router(tags=["change execution"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("Changes are for operators.")),
)
LOG_ORDER = (SortKey("at", descending=True), SortKey("id", descending=True))
LOG_PAGE = 50
MAX_ACTIVITIES = 500


def _person(user: Any) -> dict[str, Any] | None:
    return ref(user, name=str(user)) if user is not None else None


def activity_out(a: ChangeActivity, change: Change, update_ids: list[int]) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "state": activity_state(a, now=clock.now(), deadline=change.planned_end),
        "assignee": _person(a.assignee),
        "planned_end": a.planned_end,
        "done_at": a.done_at,
        "done_by": _person(a.done_by),
        "deviation": a.deviation,
        "deviation_decision": a.deviation_decision,
        "deviation_decision_text": a.deviation_decision_text,
        "deviation_decided_by": _person(a.deviation_decided_by),
        "deviation_decided_at": a.deviation_decided_at,
        "cmdb_updates": update_ids,
    }


def log_out(e: InstallationLogEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "at": e.at,
        "author": _person(e.author),
        "activity": {"id": e.activity.pk, "name": e.activity.title} if e.activity else None,
        "text": e.text,
    }


def document_out(d: ChangeDocument) -> dict[str, Any]:
    return {
        "id": d.pk,
        "original_name": d.original_name,
        "content_type": d.content_type,
        "size": d.size,
        "note": d.note,
        "uploaded_by": _person(d.uploaded_by),
        "uploaded_at": d.uploaded_at,
        "download_url": reverse("api:change_download_document", args=[d.pk]),
    }


def update_out(u: CmdbUpdate) -> dict[str, Any]:
    return {
        "id": u.pk,
        "kind": u.kind,
        "status": u.status,
        "activity": {"id": u.activity.pk, "name": u.activity.title},
        "summary": u.summary,
        "ci": ref(u.ci),
        "ci_name": u.ci_name,
        "ci_type": ref(u.ci_type),
        "name": u.name,
        "attributes": dict(u.attributes or {}),
        "field": u.field,
        "old_value": u.old_value,
        "new_value": u.new_value,
        "relation_kind": u.relation_kind,
        "target": ref(u.target),
        "target_name": u.target_name,
        "source_update_id": u.source_new_id,
        "target_update_id": u.target_new_id,
        "result_ci": ref(u.result_ci),
        "message": u.message,
        "applied_at": u.applied_at,
        "proposed_by": _person(u.proposed_by),
        "proposed_at": u.proposed_at,
    }


def _activity(request: HttpRequest, change: Change, pk: int) -> ChangeActivity:
    found = (
        ChangeActivity.objects.visible_to(current_user(request))
        .filter(change=change, pk=pk)
        .select_related("assignee", "done_by", "deviation_decided_by")
        .first()
    )
    if found is None:
        raise NotFound(_("Activity not found."))
    return found


def _update_ids(change: Change, activity: ChangeActivity | None = None) -> dict[int, list[int]]:
    rows = CmdbUpdate.objects.filter(change=change)
    if activity is not None:
        rows = rows.filter(activity=activity)
    found: dict[int, list[int]] = {}
    for pk, activity_id in rows.order_by("id").values_list("pk", "activity_id")[:MAX_CMDB_UPDATES]:
        found.setdefault(activity_id, []).append(pk)
    return found


# --------------------------------------------------------------------------------------------------
# activities


@router.get(
    "/{change_id}/activities",
    response={200: list[ExecutionActivityOut], **errors(403, 404)},
    summary="A change's activities with their state (done, late, deviating, open)",
)
def list_activities(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    change = find_change(request, change_id)
    ids = _update_ids(change)
    rows = (
        ChangeActivity.objects.visible_to(current_user(request))
        .filter(change=change)
        .select_related("assignee", "done_by", "deviation_decided_by")
        .order_by("order", "id")[:MAX_ACTIVITIES]
    )
    return [activity_out(a, change, ids.get(a.pk, [])) for a in rows]


@router.post(
    "/{change_id}/activities/{activity_id}/done",
    response={200: ExecutionActivityOut, **errors(400, 403, 404, 409)},
    summary="Mark an activity done; its proposed CMDB updates are applied (a failing one is marked failed)",
)
def complete_activity(request: HttpRequest, change_id: Id, activity_id: Id) -> dict[str, Any]:
    change = find_change(request, change_id)
    activity = _activity(request, change, activity_id)
    services.complete_activity(activity, actor=current_user(request))
    fresh = _activity(request, change, activity_id)
    return activity_out(fresh, change, _update_ids(change, fresh).get(fresh.pk, []))


@router.post(
    "/{change_id}/activities/{activity_id}/deviation",
    response={200: ExecutionActivityOut, **errors(400, 403, 404, 409)},
    summary="Note a deviation of an activity and what is decided about it (accept, rework, roll back)",
)
def decide_deviation(
    request: HttpRequest, change_id: Id, activity_id: Id, payload: DeviationDecisionIn
) -> dict[str, Any]:
    change = find_change(request, change_id)
    activity = _activity(request, change, activity_id)
    services.decide_deviation(
        activity,
        actor=current_user(request),
        decision=payload.decision,
        explanation=payload.explanation,
        deviation=payload.deviation,
    )
    fresh = _activity(request, change, activity_id)
    return activity_out(fresh, change, _update_ids(change, fresh).get(fresh.pk, []))


# --------------------------------------------------------------------------------------------------
# the installation log


@router.get(
    "/{change_id}/log",
    response={200: LogPage, **errors(400, 403, 404)},
    summary="The installation log, newest first",
)
def list_log(request: HttpRequest, change_id: Id, cursor: TextLine | None = None) -> dict[str, Any]:
    change = find_change(request, change_id)
    rows = (
        InstallationLogEntry.objects.visible_to(current_user(request))
        .filter(change=change)
        .select_related("author", "activity")
    )
    page = keyset_page(rows, LOG_ORDER, cursor=cursor, size=LOG_PAGE)
    return {"items": [log_out(e) for e in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/{change_id}/log",
    response={201: LogEntryOut, **errors(400, 403, 404, 409)},
    summary="Add an entry to the installation log (entries are never changed: correct with a new one)",
)
def add_log_entry(request: HttpRequest, change_id: Id, payload: LogEntryIn) -> Answer[dict[str, Any]]:
    change = find_change(request, change_id)
    look = Lookup()
    activities = ChangeActivity.objects.visible_to(current_user(request)).filter(change=change)
    activity = look.row(activities, payload.activity_id, "activity_id")
    look.done()
    entry = services.add_log_entry(change, actor=current_user(request), text=payload.text, activity=activity)
    return Answer(201, log_out(entry))


# --------------------------------------------------------------------------------------------------
# documents


@router.get(
    "/{change_id}/documents",
    response={200: list[DocumentOut], **errors(403, 404)},
    summary="A change's documents, newest first",
)
def list_documents(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    change = find_change(request, change_id)
    rows = (
        ChangeDocument.objects.visible_to(current_user(request))
        .filter(change=change)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")[:MAX_DOCUMENTS]
    )
    return [document_out(d) for d in rows]


@router.post(
    "/{change_id}/documents",
    response={201: DocumentOut, **errors(400, 403, 404, 409)},
    summary="Upload a document to a change",
)
def upload_document(
    request: HttpRequest, change_id: Id, file: File[UploadedFile], fields: Form[DocumentForm]
) -> Answer[dict[str, Any]]:
    change = find_change(request, change_id)
    document = services.upload_document(change, actor=current_user(request), upload=file, note=fields.note)
    return Answer(201, document_out(document))


def _document(request: HttpRequest, pk: int) -> ChangeDocument:
    found = ChangeDocument.objects.visible_to(current_user(request)).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Document not found."))
    return found


@router.get(
    "/documents/{document_id}/download",
    url_name="change_download_document",
    summary="Download a change's document",
    response=errors(403, 404),
    openapi_extra=file_answer("application/octet-stream", "The file, as a download"),
)
def download_document(request: HttpRequest, document_id: Id) -> FileResponse:
    document = _document(request, document_id)
    return download_response(document.file, filename=document.original_name)


@router.delete(
    "/documents/{document_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Delete a change's document (recorded in the change's history)",
)
def delete_document(request: HttpRequest, document_id: Id) -> Answer[None]:
    services.delete_document(_document(request, document_id), actor=current_user(request))
    return Answer(204, None)


# --------------------------------------------------------------------------------------------------
# proposed CMDB updates


@router.get(
    "/{change_id}/cmdb-updates",
    response={200: list[CmdbUpdateOut], **errors(403, 404)},
    summary="The CMDB updates proposed for a change, with their status (proposed, applied, failed)",
)
def list_cmdb_updates(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    change = find_change(request, change_id)
    rows = (
        CmdbUpdate.objects.visible_to(current_user(request))
        .filter(change=change)
        .for_list()
        .order_by("id")[:MAX_CMDB_UPDATES]
    )
    return [update_out(u) for u in rows]


RENAMED = {
    "new_ci": {"ci_type": "type_id"},
    "attribute": {"ci": "ci_id"},
    "relation": {"kind": "relation_kind", "source": "source_ci_id", "target": "target_ci_id"},
}


def _named_as_sent(kind: str, exc: DomainError) -> DomainError:
    """The service's field errors under the names of the request's fields."""
    names = RENAMED.get(kind, {})
    exc.field_errors = {names.get(k, k): v for k, v in exc.field_errors.items()}
    return exc


def _proposed(request: HttpRequest, change: Change, pk: int | None, field: str, look: Lookup) -> Any:
    rows = CmdbUpdate.objects.visible_to(current_user(request)).filter(
        change=change, kind=CmdbUpdateKind.NEW_CI
    )
    return look.row(rows, pk, field)


@router.post(
    "/{change_id}/cmdb-updates",
    response={201: CmdbUpdateOut, **errors(400, 403, 404, 409)},
    summary="Propose a CMDB update tied to an activity: a new CI, a changed field or attribute, a relation",
)
def propose_cmdb_update(request: HttpRequest, change_id: Id, payload: CmdbUpdateIn) -> Answer[dict[str, Any]]:
    change = find_change(request, change_id)
    user = current_user(request)
    cis = ConfigurationItem.objects.visible_to(user)
    look = Lookup()
    activity = look.row(
        ChangeActivity.objects.visible_to(user).filter(change=change),
        payload.activity_id,
        "activity_id",
        required=True,
    )
    try:
        update = _propose(payload, user, activity, look, request, change, cis)
    except DomainError as exc:
        raise _named_as_sent(payload.kind, exc) from None
    row = CmdbUpdate.objects.for_list().get(pk=update.pk)
    return Answer(201, update_out(row))


def _propose(
    payload: Any, user: Any, activity: Any, look: Lookup, request: HttpRequest, change: Change, cis: Any
) -> CmdbUpdate:
    if isinstance(payload, NewCiIn):
        ci_type = look.row(CiType.objects.visible_to(user), payload.type_id, "type_id", required=True)
        look.done()
        update = services.propose_new_ci(
            activity, actor=user, name=payload.name, ci_type=ci_type, attributes=payload.attributes
        )
    elif isinstance(payload, AttributeChangeIn):
        ci = look.row(cis, payload.ci_id, "ci_id", required=True)
        look.done()
        update = services.propose_attribute_change(
            activity, actor=user, ci=ci, field=payload.field, value=payload.value
        )
    else:
        source = look.row(cis, payload.source_ci_id, "source_ci_id")
        target = look.row(cis, payload.target_ci_id, "target_ci_id")
        source_new = _proposed(request, change, payload.source_update_id, "source_update_id", look)
        target_new = _proposed(request, change, payload.target_update_id, "target_update_id", look)
        look.done()
        update = services.propose_relation(
            activity,
            actor=user,
            kind=payload.relation_kind,
            source=source,
            target=target,
            source_new=source_new,
            target_new=target_new,
        )
    return update


@router.delete(
    "/cmdb-updates/{update_id}",
    response={204: None, **errors(400, 403, 404, 409)},
    summary="Withdraw a proposed CMDB update that has not been applied",
)
def withdraw_cmdb_update(request: HttpRequest, update_id: Id) -> Answer[None]:
    found = CmdbUpdate.objects.visible_to(current_user(request)).filter(pk=update_id).first()
    if found is None:
        raise NotFound(_("Proposed CMDB update not found."))
    services.withdraw_cmdb_update(found, actor=current_user(request))
    return Answer(204, None)
