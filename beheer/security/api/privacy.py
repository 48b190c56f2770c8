"""The privacy API (AVG), staff under /api/v1/security: the register of processing activities (with
its history), retention periods and runs of the anonymisation job, and the requests of the people
concerned (find, export as JSON or PDF, anonymise). Thin: look up through `visible_to` (missing ->
404), call one service, serialise. Writes are for privacy officers and administrators (403)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status as Answer

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import Lookup, ref
from beheer.core.errors import NotFound
from beheer.core.history import subject_history_page
from beheer.core.pagination import keyset_page
from beheer.core.pdf import PDF, pdf_response
from beheer.core.schemas import HistoryRecordPage, Id, Int64, TextLine, errors, file_answer

from .. import access as security_access
from ..models import (
    AnonymisationRun,
    Control,
    PersonRequest,
    ProcessingActivity,
    ProcessingHistoryEntry,
    RetentionKind,
)
from ..schemas_privacy import (
    ActivityActiveIn,
    ActivityIn,
    ActivityOut,
    ActivityPage,
    ActivityUpdateIn,
    EraseIn,
    ExportIn,
    PersonDataOut,
    PersonRequestOut,
    PersonRequestPage,
    PrivacyPersonOut,
    RetentionIn,
    RetentionOut,
    RunOut,
    RunPage,
)
from ..services import privacy as services
from ..views.privacy import ACTIVITY_ORDER, REQUEST_ORDER, RUN_ORDER

router = access.declare(Router(tags=["security"]), access.STAFF)
LIMIT_MAX = 200


def _limit(limit: int) -> int:
    return max(1, min(limit, LIMIT_MAX))


def _activity(request: HttpRequest, activity_id: int) -> ProcessingActivity:
    found = ProcessingActivity.objects.visible_to(current_user(request)).filter(pk=activity_id).first()
    if found is None:
        raise NotFound(_("Processing activity not found."))
    return found


def _person(request: HttpRequest, person_id: int) -> User:
    found = User.objects.visible_to(current_user(request)).filter(pk=person_id).first()
    if found is None:
        raise NotFound(_("Person not found."))
    return found


def activity_out(a: ProcessingActivity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "purpose": a.purpose,
        "legal_basis": a.legal_basis,
        "legal_basis_note": a.legal_basis_note,
        "people_categories": a.people_categories,
        "data_categories": a.data_categories,
        "special_categories": a.special_categories,
        "recipients": a.recipients,
        "transfer_outside_eu": a.transfer_outside_eu,
        "transfer_safeguards": a.transfer_safeguards,
        "retention": a.retention,
        "applications": [{"id": ci.pk, "name": ci.name} for ci in a.applications.all()],
        "measures": [{"id": c.pk, "name": f"{c.number} {c.title}"} for c in a.measures.all()],
        "owner": ref(a.owner),
        "review_date": a.review_date,
        "active": a.active,
        "updated_at": a.updated_at,
        "version": a.version,
    }


def _data(request: HttpRequest, payload: ActivityIn) -> services.ActivityData:
    user = current_user(request)
    lookup = Lookup()
    owner = lookup.row(User.objects.filter(is_active=True), payload.owner_id, "owner_id")
    applications = lookup.many(ConfigurationItem, payload.application_ids, "application_ids")
    measures = lookup.many(Control, payload.measure_ids, "measure_ids")
    lookup.done()
    visible = set(
        ConfigurationItem.objects.visible_to(user)
        .filter(pk__in=[c.pk for c in applications])
        .values_list("pk", flat=True)
    )
    if len(visible) != len(applications):
        lookup.problems["application_ids"] = _("Unknown application_ids.")
        lookup.done()
    return services.ActivityData(
        name=payload.name,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        legal_basis_note=payload.legal_basis_note,
        people_categories=payload.people_categories,
        data_categories=payload.data_categories,
        special_categories=payload.special_categories,
        recipients=payload.recipients,
        transfer_outside_eu=payload.transfer_outside_eu,
        transfer_safeguards=payload.transfer_safeguards,
        retention=payload.retention,
        owner=owner,
        review_date=payload.review_date,
        applications=tuple(applications),
        measures=tuple(measures),
    )


def _fresh(activity: ProcessingActivity) -> ProcessingActivity:
    return (
        ProcessingActivity.objects.select_related("owner")
        .prefetch_related("applications", "measures")
        .get(pk=activity.pk)
    )


@router.get(
    "/privacy/processing",
    response={200: ActivityPage, **errors(400, 403)},
    summary="The register of processing activities (keyset pagination)",
)
def list_activities(
    request: HttpRequest, cursor: TextLine | None = None, limit: Int64 = 50, archived: bool = False
) -> dict[str, Any]:
    """By name; `archived` also lists archived activities. Pass `next_cursor` as `cursor`."""
    rows = ProcessingActivity.objects.visible_to(current_user(request)).select_related("owner")
    if not archived:
        rows = rows.filter(active=True)
    page = keyset_page(
        rows.prefetch_related("applications", "measures"), ACTIVITY_ORDER, cursor=cursor, size=_limit(limit)
    )
    return {"items": [activity_out(a) for a in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/privacy/processing",
    response={201: ActivityOut, **errors(400, 403)},
    summary="Add a processing activity (privacy officers and administrators)",
)
def create_activity(request: HttpRequest, payload: ActivityIn) -> Answer[dict[str, Any]]:
    activity = services.create_activity(_data(request, payload), actor=current_user(request))
    return Answer(201, activity_out(_fresh(activity)))


@router.get(
    "/privacy/processing/{activity_id}",
    response={200: ActivityOut, **errors(403, 404)},
    summary="One processing activity",
)
def get_activity(request: HttpRequest, activity_id: Id) -> dict[str, Any]:
    return activity_out(_fresh(_activity(request, activity_id)))


@router.put(
    "/privacy/processing/{activity_id}",
    response={200: ActivityOut, **errors(400, 403, 404, 409)},
    summary="Change a processing activity (send the version you read)",
)
def update_activity(request: HttpRequest, activity_id: Id, payload: ActivityUpdateIn) -> dict[str, Any]:
    activity = _activity(request, activity_id)
    saved = services.update_activity(
        activity, actor=current_user(request), expected_version=payload.version, data=_data(request, payload)
    )
    return activity_out(_fresh(saved))


@router.post(
    "/privacy/processing/{activity_id}/active",
    response={200: ActivityOut, **errors(400, 403, 404, 409)},
    summary="Archive a processing activity, or restore it",
)
def set_active(request: HttpRequest, activity_id: Id, payload: ActivityActiveIn) -> dict[str, Any]:
    activity = _activity(request, activity_id)
    saved = services.set_activity_active(
        activity, actor=current_user(request), expected_version=payload.version, active=payload.active
    )
    return activity_out(_fresh(saved))


@router.get(
    "/privacy/processing/{activity_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="A processing activity's history, newest first (keyset pagination)",
)
def activity_history(
    request: HttpRequest, activity_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    return subject_history_page(
        ProcessingHistoryEntry,
        activity_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("Processing activity not found."),
    )


def retention_out(setting: Any) -> dict[str, Any]:
    return {
        "kind": setting.kind,
        "label": str(RetentionKind(setting.kind).label),
        "months": setting.months,
        "version": setting.version,
    }


@router.get(
    "/privacy/retention", response={200: list[RetentionOut], **errors(403)}, summary="The retention periods"
)
def list_retention(request: HttpRequest) -> list[dict[str, Any]]:
    """A period per kind of record in months; `null` is kept forever; version 0 is the default
    nobody changed yet."""
    return [retention_out(s) for s in services.settings_rows()]


@router.put(
    "/privacy/retention/{kind}",
    response={200: RetentionOut, **errors(400, 403, 404, 409)},
    summary="Set a retention period (privacy officers and administrators)",
)
def set_retention(request: HttpRequest, kind: TextLine, payload: RetentionIn) -> dict[str, Any]:
    if kind not in RetentionKind.values:
        raise NotFound(_("Unknown kind of record."))
    setting = services.set_retention(
        kind, actor=current_user(request), expected_version=payload.version, months=payload.months
    )
    return retention_out(setting)


def run_out(run: AnonymisationRun) -> dict[str, Any]:
    return {
        name: getattr(run, name)
        for name in (
            "id",
            "trigger",
            "started_at",
            "finished_at",
            "complete",
            "meldingen",
            "messages",
            "monitoring_results",
            "sign_ins",
            "failures",
            "failure_detail",
        )
    }


@router.get(
    "/privacy/retention-runs",
    response={200: RunPage, **errors(400, 403)},
    summary="The runs of the anonymisation job, newest first (keyset pagination)",
)
def list_runs(request: HttpRequest, cursor: TextLine | None = None, limit: Int64 = 50) -> dict[str, Any]:
    rows = AnonymisationRun.objects.visible_to(current_user(request))
    page = keyset_page(rows, RUN_ORDER, cursor=cursor, size=_limit(limit))
    return {"items": [run_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/privacy/retention-runs",
    response={201: RunOut, **errors(403)},
    summary="Apply the retention periods now (privacy officers and administrators)",
)
def start_run(request: HttpRequest) -> Answer[dict[str, Any]]:
    return Answer(201, run_out(services.run_retention(actor=current_user(request))))


def person_out(p: User) -> dict[str, Any]:
    return {"id": p.pk, "name": str(p), "username": p.username, "email": p.email, "is_active": p.is_active}


@router.get(
    "/privacy/people",
    response={200: list[PrivacyPersonOut], **errors(400, 403)},
    summary="Find a person by name, username or e-mail (privacy officers and administrators)",
)
def find_people(request: HttpRequest, q: TextLine = "") -> list[dict[str, Any]]:
    return [person_out(p) for p in services.find_people(current_user(request), q[:100])]


def request_out(r: PersonRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "person": ref(r.person),
        "reference": r.reference,
        "done_at": r.done_at,
        "done_by": ref(r.done_by),
        "meldingen": r.meldingen,
    }


@router.get(
    "/privacy/requests",
    response={200: PersonRequestPage, **errors(400, 403)},
    summary="The requests of people concerned that were carried out, newest first",
)
def list_requests(request: HttpRequest, cursor: TextLine | None = None, limit: Int64 = 50) -> dict[str, Any]:
    rows = PersonRequest.objects.visible_to(current_user(request)).select_related("person", "done_by")
    page = keyset_page(rows, REQUEST_ORDER, cursor=cursor, size=_limit(limit))
    return {"items": [request_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/privacy/people/{person_id}/export",
    response={200: PersonDataOut, **errors(400, 403, 404)},
    summary="Export everything Beheer holds about a person (right of access)",
    openapi_extra=file_answer("application/json", "The data, as JSON or (format pdf) a PDF", 200, PDF),
)
def export_person(request: HttpRequest, person_id: Id, payload: ExportIn) -> Any:
    """Recorded as a request carried out (who, when, `reference`)."""
    person = _person(request, person_id)
    data = services.export_person(person, actor=current_user(request), reference=payload.reference)
    if payload.format == "pdf":
        return pdf_response(services.person_pdf(data), f"persoonsgegevens-{person.pk}.pdf")
    return {"data": data}


@router.post(
    "/privacy/people/{person_id}/anonymise",
    response={201: PersonRequestOut, **errors(400, 403, 404)},
    summary="Anonymise a person on request (right to erasure); cannot be undone",
)
def erase_person(request: HttpRequest, person_id: Id, payload: EraseIn) -> Answer[dict[str, Any]]:
    """`confirm` repeats the person's username. Their calls lose their personal data, the person
    is anonymised and deactivated, and the request is recorded (not what was removed)."""
    person = _person(request, person_id)
    security_access.ensure_privacy_manager(current_user(request))
    record = services.erase_person(
        person, actor=current_user(request), reference=payload.reference, confirm=payload.confirm
    )
    return Answer(201, request_out(record))
