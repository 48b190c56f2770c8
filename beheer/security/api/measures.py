"""The measures register's API (staff, /api/v1/security): catalogues, controls (own controls
included), the statement of applicability (also as XLSX or PDF), implementations, their evidence
(files, procedures, preventive activities) and the dashboard's overview. Thin: look up through
`visible_to` (missing -> 404), call one service, serialise. Edits take the version the client read."""

from __future__ import annotations

from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.api_helpers import Lookup, ref
from beheer.core.errors import DomainError, NotFound
from beheer.core.files import download_response
from beheer.core.history import subject_history_page
from beheer.core.pagination import keyset_page
from beheer.core.pdf import pdf_response
from beheer.core.schemas import HistoryRecordPage, Id, Int64, TextLine, errors, file_answer
from beheer.knowledge.models import Article
from beheer.operations.models import ActivitySeries

from ..models import Catalogue, Control, ControlHistoryEntry, EvidenceFile, Implementation
from ..schemas_measures import (
    ActiveIn,
    ApplicabilityIn,
    CatalogueIn,
    CatalogueOut,
    CataloguePage,
    ControlOut,
    ControlPage,
    EvidenceFileOut,
    ImplementationIn,
    ImplementationOut,
    ImplementationPage,
    ImplementationUpdateIn,
    OwnControlIn,
    OwnControlUpdateIn,
    ReviewedIn,
    SecurityEvidenceOut,
    SecurityOverviewOut,
)
from ..services import measures as services
from ..services.measures import exports, overview, reading
from ..services.measures.implementations import owner_choices

router = access.declare(Router(tags=["security"]), access.STAFF)


def _limit(limit: int) -> int:
    if not 1 <= limit <= 200:
        raise DomainError(_("limit must be between 1 and 200."), field_errors={"limit": _("Out of range.")})
    return limit


def _today() -> Any:
    return timezone.localdate(clock.now())


# -- serialisers --------------------------------------------------------------------------------------


def catalogue_out(c: Catalogue, count: int | None = None) -> dict[str, Any]:
    return {
        "id": c.pk,
        "code": c.code,
        "kind": c.kind,
        "name": c.name,
        "name_nl": c.name_nl,
        "name_en": c.name_en,
        "version_label": c.version_label,
        "current": c.current,
        "loaded_at": c.loaded_at,
        "control_count": count,
    }


def control_out(c: Control) -> dict[str, Any]:
    line = getattr(c, "statement", None)
    return {
        "id": c.pk,
        "catalogue_id": c.catalogue_id,
        "number": c.number,
        "theme": c.theme,
        "parent_id": c.parent_id,
        "title": c.title,
        "title_nl": c.title_nl,
        "title_en": c.title_en,
        "active": c.active,
        "version": c.version,
        "statement": None
        if line is None
        else {
            "applicability": line.applicability,
            "justification": line.justification,
            "version": line.version,
            "updated_by": ref(line.updated_by, name=str(line.updated_by)) if line.updated_by_id else None,
            "updated_at": line.updated_at,
        },
        "implementation_count": getattr(c, "implementation_count", None),
    }


def implementation_out(i: Implementation, today: Any = None) -> dict[str, Any]:
    today = today or _today()
    return {
        "id": i.pk,
        "control": {"id": i.control_id, "name": f"{i.control.number} {i.control.title}"},
        "scope_ci": ref(i.scope_ci),
        "scope": i.scope_name,
        "status": i.status,
        "owner": ref(i.owner, name=str(i.owner)) if i.owner_id else None,
        "description": i.description,
        "review_on": i.review_on,
        "review_overdue": bool(i.review_on and i.review_on < today),
        "article_ids": [a.pk for a in i.articles.all()],
        "series_ids": [s.pk for s in i.series.all()],
        "version": i.version,
        "created_at": i.created_at,
        "updated_at": i.updated_at,
    }


def file_out(f: EvidenceFile) -> dict[str, Any]:
    return {
        "id": f.pk,
        "name": f.original_name,
        "content_type": f.content_type,
        "size": f.size,
        "uploaded_by": ref(f.uploaded_by, name=str(f.uploaded_by)) if f.uploaded_by_id else None,
        "created_at": f.created_at,
    }


def _catalogue(request: HttpRequest, catalogue_id: int) -> Catalogue:
    found = Catalogue.objects.visible_to(current_user(request)).filter(pk=catalogue_id).first()
    if found is None:
        raise NotFound(_("Catalogue not found."))
    return found


def _control(request: HttpRequest, control_id: int) -> Control:
    found = (
        Control.objects.visible_to(current_user(request))
        .select_related("statement", "statement__updated_by")
        .filter(pk=control_id)
        .first()
    )
    if found is None:
        raise NotFound(_("Control not found."))
    return found


def _implementation(request: HttpRequest, implementation_id: int) -> Implementation:
    found = (
        Implementation.objects.visible_to(current_user(request))
        .for_list()
        .filter(pk=implementation_id)
        .first()
    )
    if found is None:
        raise NotFound(_("Implementation not found."))
    return found


def _detail(implementation_id: int, request: HttpRequest) -> dict[str, Any]:
    i = _implementation(request, implementation_id)
    reading.prefetch_links([i])
    return implementation_out(i)


# -- catalogues ---------------------------------------------------------------------------------------


@router.get("/catalogues", response={200: CataloguePage, **errors(400, 403)}, summary="Control catalogues")
def list_catalogues(
    request: HttpRequest, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    rows = Catalogue.objects.visible_to(current_user(request))
    page = keyset_page(rows, reading.CATALOGUE_ORDER, cursor=cursor, size=_limit(limit))
    return {"items": [catalogue_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/catalogues/{catalogue_id}", response={200: CatalogueOut, **errors(403, 404)}, summary="One catalogue"
)
def get_catalogue(request: HttpRequest, catalogue_id: Id) -> dict[str, Any]:
    c = _catalogue(request, catalogue_id)
    return catalogue_out(c, Control.objects.filter(catalogue=c).count())


@router.post(
    "/catalogues",
    response={201: CatalogueOut, **errors(400, 403)},
    summary="Load a catalogue version (idempotent per code)",
)
def load_catalogue(request: HttpRequest, body: CatalogueIn) -> Any:
    data = body.model_dump()
    c = services.load_catalogue(
        data, actor=current_user(request), code=body.code, make_current=body.make_current
    )
    return Answer(201, catalogue_out(c, Control.objects.filter(catalogue=c).count()))


@router.post(
    "/catalogues/{catalogue_id}/current",
    response={200: CatalogueOut, **errors(400, 403, 404)},
    summary="Make a standard catalogue the current one",
)
def make_current(request: HttpRequest, catalogue_id: Id) -> dict[str, Any]:
    c = services.make_current(_catalogue(request, catalogue_id), actor=current_user(request))
    return catalogue_out(c)


# -- controls -----------------------------------------------------------------------------------------


@router.get(
    "/controls", response={200: ControlPage, **errors(400, 403, 404)}, summary="Controls (keyset pagination)"
)
def list_controls(
    request: HttpRequest,
    catalogue_id: Id | None = None,
    theme: TextLine = "",
    q: TextLine = "",
    include_archived: bool = False,
    cursor: TextLine | None = None,
    limit: Int64 = 50,
) -> dict[str, Any]:
    """The controls of a catalogue (default: the current one) in number order, with their line of
    the statement of applicability; `theme` and `q` (number prefix or title) filter."""
    user = current_user(request)
    catalogue = _catalogue(request, catalogue_id) if catalogue_id is not None else None
    rows = reading.controls(
        user, catalogue=catalogue, theme=theme[:20], q=q.strip()[:100], active_only=not include_archived
    )
    page = keyset_page(rows, reading.CONTROL_ORDER, cursor=cursor, size=_limit(limit))
    reading.count_implementations(page.items)
    return {"items": [control_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get("/controls/{control_id}", response={200: ControlOut, **errors(403, 404)}, summary="One control")
def get_control(request: HttpRequest, control_id: Id) -> dict[str, Any]:
    return control_out(_control(request, control_id))


@router.post(
    "/controls", response={201: ControlOut, **errors(400, 403)}, summary="Create an own control (EIG-n)"
)
def create_control(request: HttpRequest, body: OwnControlIn) -> Any:
    c = services.create_own_control(
        actor=current_user(request), title_nl=body.title_nl, title_en=body.title_en
    )
    return Answer(201, control_out(c))


@router.put(
    "/controls/{control_id}",
    response={200: ControlOut, **errors(400, 403, 404, 409)},
    summary="Edit an own control",
)
def edit_control(request: HttpRequest, control_id: Id, body: OwnControlUpdateIn) -> dict[str, Any]:
    services.edit_own_control(
        _control(request, control_id),
        actor=current_user(request),
        expected_version=body.version,
        title_nl=body.title_nl,
        title_en=body.title_en,
    )
    return control_out(_control(request, control_id))


@router.post(
    "/controls/{control_id}/active",
    response={200: ControlOut, **errors(400, 403, 404, 409)},
    summary="Archive or restore an own control",
)
def set_active(request: HttpRequest, control_id: Id, body: ActiveIn) -> dict[str, Any]:
    services.set_control_active(
        _control(request, control_id),
        actor=current_user(request),
        expected_version=body.version,
        active=body.active,
    )
    return control_out(_control(request, control_id))


@router.get(
    "/controls/{control_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="A control's history, newest first (keyset pagination)",
)
def control_history(
    request: HttpRequest, control_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    return subject_history_page(
        ControlHistoryEntry,
        control_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("Control not found."),
    )


# -- the statement of applicability -------------------------------------------------------------------


@router.get("/soa", response={200: ControlPage, **errors(400, 403)}, summary="The statement of applicability")
def list_soa(
    request: HttpRequest,
    theme: TextLine = "",
    decision: Literal["", "applicable", "not_applicable", "open"] = "",
    cursor: TextLine | None = None,
    limit: Int64 = 100,
) -> dict[str, Any]:
    """Every control the statement covers (the current catalogue and the own controls), decided or
    not (`statement` null), in number order."""
    rows = reading.soa(current_user(request), theme=theme[:20], decision=decision)
    page = keyset_page(rows, reading.CONTROL_ORDER, cursor=cursor, size=_limit(limit))
    return {"items": [control_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/soa/export",
    summary="The statement of applicability as XLSX or PDF",
    response=errors(400, 403),
    openapi_extra=file_answer(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "The statement",
        200,
        "application/pdf",
    ),
)
def export_soa(
    request: HttpRequest,
    format: Literal["xlsx", "pdf"] = "xlsx",
    theme: TextLine = "",
    decision: Literal["", "applicable", "not_applicable", "open"] = "",
) -> HttpResponse | FileResponse:
    user = current_user(request)
    if format == "pdf":
        return pdf_response(
            exports.soa_pdf(user, theme=theme[:20], decision=decision), "statement-of-applicability.pdf"
        )
    response: FileResponse = exports.soa_xlsx(user, theme=theme[:20], decision=decision)
    return response


@router.put(
    "/soa/{control_id}",
    response={200: ControlOut, **errors(400, 403, 404, 409)},
    summary="Decide whether a control applies (a justification is required when it does not)",
)
def set_soa_line(request: HttpRequest, control_id: Id, body: ApplicabilityIn) -> dict[str, Any]:
    services.set_applicability(
        _control(request, control_id),
        actor=current_user(request),
        applicability=body.applicability,
        justification=body.justification,
        expected_version=body.version,
    )
    return control_out(_control(request, control_id))


# -- implementations ----------------------------------------------------------------------------------


def _links(request: HttpRequest, body: Any) -> dict[str, Any]:
    user = current_user(request)
    found = Lookup()
    owner = found.row(owner_choices(), body.owner_id, "owner_id")
    articles = [found.row(Article.objects.visible_to(user), pk, "article_ids") for pk in body.article_ids]
    series = [found.row(ActivitySeries.objects.visible_to(user), pk, "series_ids") for pk in body.series_ids]
    found.done()
    return {
        "status": body.status,
        "owner": owner,
        "description": body.description,
        "review_on": body.review_on,
        "articles": articles,
        "series": series,
    }


@router.get(
    "/implementations",
    response={200: ImplementationPage, **errors(400, 403, 404)},
    summary="Implementations (keyset pagination)",
)
def list_implementations(
    request: HttpRequest,
    control_id: Id | None = None,
    scope_ci_id: Id | None = None,
    review_overdue: bool = False,
    cursor: TextLine | None = None,
    limit: Int64 = 50,
) -> dict[str, Any]:
    """Filter by control, by scope CI, or to those past their review date."""
    user = current_user(request)
    control = _control(request, control_id) if control_id is not None else None
    rows = reading.implementations(user, control=control, scope_ci_id=scope_ci_id)
    today = _today()
    if review_overdue:
        rows = rows.review_overdue(today)
    page = keyset_page(rows, reading.IMPLEMENTATION_ORDER, cursor=cursor, size=_limit(limit))
    reading.prefetch_links(page.items)
    return {"items": [implementation_out(i, today) for i in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/implementations/{implementation_id}",
    response={200: ImplementationOut, **errors(403, 404)},
    summary="One implementation",
)
def get_implementation(request: HttpRequest, implementation_id: Id) -> dict[str, Any]:
    return _detail(implementation_id, request)


@router.post(
    "/implementations",
    response={201: ImplementationOut, **errors(400, 403, 404)},
    summary="Add an implementation",
)
def create_implementation(request: HttpRequest, body: ImplementationIn) -> Any:
    user = current_user(request)
    control = _control(request, body.control_id)
    scope = None
    if body.scope_ci_id is not None:
        scope = ConfigurationItem.objects.visible_to(user).filter(pk=body.scope_ci_id).first()
        if scope is None:
            message = _("Unknown %(field)s.") % {"field": "scope_ci_id"}
            raise DomainError(message, field_errors={"scope_ci_id": message})
    try:
        i = services.create_implementation(control, actor=user, scope_ci=scope, **_links(request, body))
    except DomainError as exc:
        names = {
            "scope_ci": "scope_ci_id",
            "owner": "owner_id",
            "articles": "article_ids",
            "series": "series_ids",
        }
        raise type(exc)(
            exc.message, field_errors={names.get(k, k): v for k, v in exc.field_errors.items()}
        ) from None
    return Answer(201, _detail(i.pk, request))


@router.put(
    "/implementations/{implementation_id}",
    response={200: ImplementationOut, **errors(400, 403, 404, 409)},
    summary="Change an implementation",
)
def update_implementation(
    request: HttpRequest, implementation_id: Id, body: ImplementationUpdateIn
) -> dict[str, Any]:
    i = _implementation(request, implementation_id)
    services.update_implementation(
        i, actor=current_user(request), expected_version=body.version, **_links(request, body)
    )
    return _detail(implementation_id, request)


@router.post(
    "/implementations/{implementation_id}/reviewed",
    response={200: ImplementationOut, **errors(400, 403, 404, 409)},
    summary="Record a review and the next review date",
)
def reviewed(request: HttpRequest, implementation_id: Id, body: ReviewedIn) -> dict[str, Any]:
    services.mark_reviewed(
        _implementation(request, implementation_id),
        actor=current_user(request),
        expected_version=body.version,
        next_review_on=body.next_review_on,
    )
    return _detail(implementation_id, request)


@router.get(
    "/implementations/{implementation_id}/evidence",
    response={200: SecurityEvidenceOut, **errors(403, 404)},
    summary="The evidence of an implementation: files, procedures, preventive activities",
)
def evidence(request: HttpRequest, implementation_id: Id) -> dict[str, Any]:
    user = current_user(request)
    (view,) = reading.with_evidence(user, [_implementation(request, implementation_id)], clock.now())
    return {
        "files": [file_out(f) for f in view.files],
        "articles": [{"id": a.pk, "name": a.title} for a in view.articles],
        "series": [
            {
                "series": {"id": e.series.pk, "name": e.series.name},
                "state": e.state,
                "last_done": e.last_done,
                "current_until": e.current_until,
            }
            for e in view.series
        ],
    }


@router.post(
    "/implementations/{implementation_id}/files",
    response={201: EvidenceFileOut, **errors(400, 403, 404, 409)},
    summary="Upload an evidence file",
)
def upload_file(request: HttpRequest, implementation_id: Id, file: File[UploadedFile]) -> Any:
    f = services.add_evidence_file(
        _implementation(request, implementation_id), actor=current_user(request), upload=file
    )
    return Answer(201, file_out(f))


def _file(request: HttpRequest, file_id: int) -> EvidenceFile:
    found = (
        EvidenceFile.objects.visible_to(current_user(request))
        .select_related("uploaded_by")
        .filter(pk=file_id)
        .first()
    )
    if found is None:
        raise NotFound(_("File not found."))
    return found


@router.get(
    "/evidence-files/{file_id}",
    summary="Download an evidence file",
    response=errors(403, 404),
    openapi_extra=file_answer("application/octet-stream", "The file"),
)
def download_file(request: HttpRequest, file_id: Id) -> FileResponse:
    f = _file(request, file_id)
    return download_response(f.file, filename=f.original_name)


@router.delete(
    "/evidence-files/{file_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Remove an evidence file",
)
def delete_file(request: HttpRequest, file_id: Id) -> Any:
    services.remove_evidence_file(_file(request, file_id), actor=current_user(request))
    return Answer(204, None)


# -- overview -----------------------------------------------------------------------------------------


def _maturity(m: overview.Maturity) -> dict[str, Any]:
    return {
        "label": m.label,
        "applicable": m.applicable,
        "implemented": m.implemented,
        "partly": m.partly,
        "implemented_pct": m.implemented_pct,
        "partly_pct": m.partly_pct,
    }


@router.get(
    "/overview",
    response={200: SecurityOverviewOut, **errors(403)},
    summary="Maturity per theme and per service; overdue reviews",
)
def get_overview(request: HttpRequest) -> dict[str, Any]:
    user = current_user(request)
    data = overview.dashboard_context(user)
    reading.prefetch_links(data["overdue"])
    today = _today()
    return {
        "themes": [_maturity(m) for m in data["themes"]],
        "cis": [_maturity(m) for m in data["cis"]],
        "overdue_count": data["overdue_count"],
        "overdue": [implementation_out(i, today) for i in data["overdue"]],
    }
