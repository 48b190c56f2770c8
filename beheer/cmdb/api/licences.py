"""JSON adapter for licences: CRUD, assignments, compliance and history. Mounted under
/api/v1/cmdb/licences (beheer/api.py). Staff only; thin: look up through `visible_to` (missing ->
404), call one service, serialise. An unknown id in a body is a 400 on that field."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from beheer.accounts.models import User
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import Lookup, get_row, ref, version_sent
from beheer.core.errors import DomainError, NotFound
from beheer.core.files import download_response
from beheer.core.history import subject_history_page
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import HistoryRecordPage, Id, Int64, TextLine, errors, file_answer

from .. import services
from ..models import (
    ConfigurationItem,
    Licence,
    LicenceAssignment,
    LicenceFileVersion,
    LicenceHistoryEntry,
    Supplier,
)
from ..queries import licence_files
from ..schemas.licences import (
    AssignmentIn,
    AssignmentOut,
    LicenceFileForm,
    LicenceFileOut,
    LicenceFileVersionOut,
    LicenceIn,
    LicenceListParams,
    LicenceOut,
    LicencePage,
    OverviewOut,
    VersionParams,
)
from ..services.licences import mark_states

router = access.declare(
    Router(tags=["cmdb licences"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("Licences are for operators.")),
)
ORDER = (SortKey("product"), SortKey("id"))
REFERENCES = ("application", "supplier", "owner")


def licence_out(licence: Licence) -> dict[str, Any]:
    return {
        "id": licence.pk,
        "product": licence.product,
        "application": ref(licence.application),
        "licence_model": licence.licence_model,
        "entitlements": licence.entitlements,
        "supplier": ref(licence.supplier),
        "owner": ref(licence.owner),
        "start_date": licence.start_date,
        "expiry_date": licence.expiry_date,
        "cost": licence.cost,
        "reference": licence.reference,
        "notes": licence.notes,
        "remind_days": licence.remind_days,
        "compliance": services.compliance(licence),
        "created_at": licence.created_at,
        "updated_at": licence.updated_at,
        "version": licence.version,
    }


def assignment_out(a: LicenceAssignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "ci": ref(a.ci),
        "person": ref(a.person, name=str(a.person)) if a.person else None,
        "assigned_at": a.assigned_at,
        "assigned_by": ref(a.assigned_by, name=str(a.assigned_by)) if a.assigned_by else None,
    }


def _licence(request: HttpRequest, pk: int) -> Licence:
    found = (
        Licence.objects.visible_to(current_user(request)).select_related(*REFERENCES).filter(pk=pk).first()
    )
    if found is None:
        raise NotFound(_("Licence not found."))
    return found


def _data(payload: LicenceIn) -> services.LicenceData:
    look = Lookup()
    found: dict[str, Any] = {
        field: look.row(model, pk, field)
        for field, model, pk in (
            ("application_id", ConfigurationItem, payload.application_id),
            ("supplier_id", Supplier, payload.supplier_id),
            ("owner_id", User, payload.owner_id),
        )
    }
    look.done()
    return services.LicenceData(
        product=payload.product,
        licence_model=payload.licence_model,
        start_date=payload.start_date,
        application=found["application_id"],
        entitlements=payload.entitlements,
        supplier=found["supplier_id"],
        owner=found["owner_id"],
        expiry_date=payload.expiry_date,
        cost=payload.cost,
        reference=payload.reference,
        notes=payload.notes,
        remind_days=payload.remind_days,
    )


@router.get(
    "", response={200: LicencePage, **errors(400, 403)}, summary="Licences by product, with compliance"
)
def list_licences(request: HttpRequest, params: Query[LicenceListParams]) -> dict[str, Any]:
    rows = Licence.objects.visible_to(current_user(request)).select_related("supplier")
    page = keyset_page(rows, ORDER, cursor=params.cursor, size=params.limit)
    items: list[Any] = page.items
    mark_states(items)
    return {
        "items": [
            {
                "id": lic.pk,
                "product": lic.product,
                "licence_model": lic.licence_model,
                "entitlements": lic.entitlements,
                "assigned": lic.assigned,
                "state": lic.state,
                "supplier": ref(lic.supplier),
                "expiry_date": lic.expiry_date,
                "version": lic.version,
            }
            for lic in items
        ],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/compliance", response={200: OverviewOut, **errors(403)}, summary="Compliance of every licence, counted"
)
def compliance_overview(request: HttpRequest) -> dict[str, Any]:
    """How many licences are OK, over-licensed (unused entitlements) and under-licensed (more
    assigned than entitled); a site licence is always OK."""
    return services.compliance_overview(Licence.objects.visible_to(current_user(request)))


@router.get("/{licence_id}", response={200: LicenceOut, **errors(403, 404)}, summary="One licence")
def get_licence(request: HttpRequest, licence_id: Id) -> dict[str, Any]:
    return licence_out(_licence(request, licence_id))


@router.post("", response={201: LicenceOut, **errors(400, 403)}, summary="Add a licence")
def create_licence(request: HttpRequest, payload: LicenceIn) -> Answer[dict[str, Any]]:
    licence = services.create_licence(actor=current_user(request), data=_data(payload))
    return Answer(201, licence_out(_licence(request, licence.pk)))


@router.put(
    "/{licence_id}", response={200: LicenceOut, **errors(400, 403, 404, 409)}, summary="Change a licence"
)
def update_licence(request: HttpRequest, licence_id: Id, payload: LicenceIn) -> dict[str, Any]:
    licence = _licence(request, licence_id)
    services.update_licence(
        licence,
        actor=current_user(request),
        data=_data(payload),
        expected_version=version_sent(payload.version),
    )
    return licence_out(_licence(request, licence_id))


@router.delete("/{licence_id}", response={204: None, **errors(403, 404, 409)}, summary="Remove a licence")
def delete_licence(request: HttpRequest, licence_id: Id, params: Query[VersionParams]) -> Answer[None]:
    services.delete_licence(
        _licence(request, licence_id), actor=current_user(request), expected_version=params.version
    )
    return Answer(204, None)


@router.get(
    "/{licence_id}/assignments",
    response={200: list[AssignmentOut], **errors(403, 404)},
    summary="A licence's assignments (at most 1000)",
)
def list_assignments(request: HttpRequest, licence_id: Id) -> list[dict[str, Any]]:
    licence = _licence(request, licence_id)
    rows = (
        LicenceAssignment.objects.visible_to(current_user(request))
        .filter(licence=licence)
        .select_related("ci", "person", "assigned_by")
        .order_by("id")[:1000]
    )
    return [assignment_out(a) for a in rows]


@router.post(
    "/{licence_id}/assignments",
    response={201: AssignmentOut, **errors(400, 403, 404)},
    summary="Assign a licence to a CI or a person",
)
def add_assignment(request: HttpRequest, licence_id: Id, payload: AssignmentIn) -> Answer[dict[str, Any]]:
    """Exactly one of `ci_id` and `person_id`; a per-device licence takes CIs, a per-user licence
    people (400 otherwise); the same CI or person twice is a 400."""
    licence = _licence(request, licence_id)
    user = current_user(request)
    ci = get_row(ConfigurationItem, payload.ci_id, "ci_id", rows=ConfigurationItem.objects.visible_to(user))
    person = get_row(User, payload.person_id, "person_id")
    try:
        assignment = services.assign_licence(licence, actor=user, ci=ci, person=person)
    except DomainError as exc:
        renamed = {{"ci": "ci_id", "person": "person_id"}.get(k, k): v for k, v in exc.field_errors.items()}
        raise type(exc)(exc.message, field_errors=renamed) from exc
    return Answer(201, assignment_out(assignment))


@router.delete(
    "/{licence_id}/assignments/{assignment_id}",
    response={204: None, **errors(403, 404)},
    summary="Remove an assignment",
)
def remove_assignment(request: HttpRequest, licence_id: Id, assignment_id: Id) -> Answer[None]:
    licence = _licence(request, licence_id)
    assignment = LicenceAssignment.objects.filter(licence=licence, pk=assignment_id).first()
    if assignment is None:
        raise NotFound(_("Assignment not found."))
    services.unassign_licence(assignment, actor=current_user(request))
    return Answer(204, None)


@router.get(
    "/{licence_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="A licence's history, newest first (keyset pagination)",
)
def licence_history(
    request: HttpRequest, licence_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    return subject_history_page(
        LicenceHistoryEntry,
        licence_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("Licence not found."),
    )


# --------------------------------------------------------------------------------------------------
# files, archived with versions


def file_version_out(v: LicenceFileVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "number": v.number,
        "original_name": v.original_name,
        "content_type": v.content_type,
        "size": v.size,
        "note": v.note,
        "uploaded_by": ref(v.uploaded_by, name=str(v.uploaded_by)) if v.uploaded_by else None,
        "uploaded_at": v.uploaded_at,
        "download_url": reverse("api:cmdb_download_licence_file", args=[v.pk]),
    }


@router.get(
    "/{licence_id}/files",
    response={200: list[LicenceFileOut], **errors(403, 404)},
    summary="A licence's files, each with its versions",
)
def list_files(request: HttpRequest, licence_id: Id) -> list[dict[str, Any]]:
    user = current_user(request)
    files = licence_files(_licence(request, licence_id), user)
    return [
        {"id": f.pk, "name": f.name, "versions": [file_version_out(v) for v in f.shown_versions]}  # type: ignore[attr-defined]
        for f in files
    ]


@router.post(
    "/{licence_id}/files",
    response={201: LicenceFileVersionOut, **errors(400, 403, 404)},
    summary="Upload a licence file; the same name again adds a version",
)
def upload_file(
    request: HttpRequest,
    licence_id: Id,
    file: File[UploadedFile],
    fields: Form[LicenceFileForm],
) -> Answer[dict[str, Any]]:
    version = services.upload_licence_file(
        _licence(request, licence_id),
        actor=current_user(request),
        upload=file,
        name=fields.name,
        note=fields.note,
    )
    return Answer(201, file_version_out(version))


def _file_version(request: HttpRequest, pk: int) -> LicenceFileVersion:
    found = (
        LicenceFileVersion.objects.visible_to(current_user(request))
        .select_related("licence_file")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("File not found."))
    return found


@router.get(
    "/file-versions/{file_version_id}/download",
    url_name="cmdb_download_licence_file",
    summary="Download one version of a licence file",
    response=errors(403, 404),
    openapi_extra=file_answer("application/octet-stream", "The file, as a download"),
)
def download_file(request: HttpRequest, file_version_id: Id) -> FileResponse:
    version = _file_version(request, file_version_id)
    return download_response(version.file, filename=version.original_name)


@router.delete(
    "/file-versions/{file_version_id}",
    response={204: None, **errors(403, 404)},
    summary="Delete one version of a licence file (recorded in the licence's history)",
)
def delete_file_version(request: HttpRequest, file_version_id: Id) -> Answer[None]:
    services.delete_licence_file_version(_file_version(request, file_version_id), actor=current_user(request))
    return Answer(204, None)
