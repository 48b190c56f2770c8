"""JSON adapter over the operations services, under /api/v1/operations. Thin: look up through
visible_to (hidden -> 404), call one service, serialise. Staff only: callers get 403."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.api_helpers import act, find
from beheer.core.errors import NotFound
from beheer.core.files import download_response
from beheer.core.pagination import keyset_page
from beheer.core.schemas import Id, errors, file_answer
from beheer.servicedesk.models import Melding

from . import services
from .models import ActivitySeries, Evidence, Occurrence
from .queries import (
    OCCURRENCE_ORDER,
    SERIES_ORDER,
    OccurrenceFilter,
    filter_occurrences,
    visible_occurrence,
    visible_series,
)
from .schemas import (
    AnomalyIn,
    AnswerIn,
    ChecklistIn,
    CompleteIn,
    EvidenceOut,
    OccurrenceListParams,
    OccurrenceOut,
    OccurrencePage,
    OccurrenceTimeIn,
    RecurrencePreviewIn,
    SeriesIn,
    SeriesListParams,
    SeriesOut,
    SeriesPage,
    SeriesUpdate,
    SeriesVersionIn,
    SkipIn,
)

router = access.declare(
    Router(tags=["operations"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("Preventive activities are for operators.")),
)


# --------------------------------------------------------------------------------------------------
# schemas (shape only; the services check the rules)


# --------------------------------------------------------------------------------------------------
# helpers


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.get_full_name() or user.username} if user is not None else None


def series_out(s: ActivitySeries) -> dict[str, Any]:
    """A series as the API shows it: its CIs (prefetched for a list) and their names."""
    group = s.operator_group
    cis = sorted(s.cis.all(), key=lambda ci: (ci.name, ci.pk))
    return {
        "id": s.pk,
        "name": s.name,
        "kind": s.kind,
        "description": s.description,
        "checklist": list(s.checklist),
        "rule": s.rule,
        "start_date": s.start_date,
        "start_time": s.start_time,
        "time_zone": s.time_zone,
        "lead_days": s.lead_days,
        "grace_hours": s.grace_hours,
        "remind_hours": s.remind_hours,
        "operator_group": {"id": group.pk, "name": group.name} if group is not None else None,
        "assignee": _person(s.assignee),
        "cis": [{"id": ci.pk, "name": ci.name} for ci in cis],
        "linked_objects": [ci.name for ci in cis],
        "active": s.active,
        "version": s.version,
    }


def occurrence_out(o: Occurrence, now: datetime) -> dict[str, Any]:
    return {
        "id": o.pk,
        "series": {"id": o.series.pk, "name": o.series.name},
        "planned_at": o.planned_at,
        "due_at": o.due_at,
        "remind_at": o.remind_at,
        "overdue": o.is_overdue(now),
        "status": o.status,
        "checklist": [
            {"item": str(r.get("item", "")), "done": bool(r.get("done")), "remark": str(r.get("remark", ""))}
            for r in o.checklist_results
        ],
        "reason": o.reason,
        "melding": {"id": o.melding_id, "name": Melding(pk=o.melding_id).number} if o.melding_id else None,
        "time_spent_minutes": o.time_spent_minutes,
        "completed_by": _person(o.completed_by) if o.completed_by_id else None,
        "completed_at": o.completed_at,
        "version": o.version,
    }


def _group(pk: int | None) -> OperatorGroup | None:
    message = _("Operator group not found.")
    return find(OperatorGroup.objects.all(), pk, "operator_group_id", message, field_message=_("Not found."))


def _assignee(pk: int | None) -> User | None:
    message = _("Operator not found.")
    return find(User.objects.operators(), pk, "assignee_id", message, field_message=_("Not found."))


def _cis(payload: SeriesIn, user: User) -> list[ConfigurationItem]:
    """The CIs a client sent: `ci_ids` when given, else the names of `linked_objects` (each exactly
    one CI by name or host name); a 400 on that field names the unknown ones."""
    if payload.ci_ids is not None:
        return services.cis_by_ids(payload.ci_ids, actor=user, field="ci_ids")
    if payload.linked_objects is not None:
        return services.cis_by_names(payload.linked_objects, actor=user, field="linked_objects")
    return []


def _series_args(payload: SeriesIn, user: User) -> dict[str, Any]:
    return {
        "name": payload.name,
        "kind": payload.kind,
        "rule": payload.rule,
        "start_date": payload.start_date,
        "start_time": payload.start_time,
        "time_zone": payload.time_zone,
        "description": payload.description,
        "checklist": payload.checklist,
        "lead_days": payload.lead_days,
        "grace_hours": payload.grace_hours,
        "remind_hours": payload.remind_hours,
        "operator_group": _group(payload.operator_group_id),
        "assignee": _assignee(payload.assignee_id),
        "cis": _cis(payload, user),
    }


def _answers(results: list[AnswerIn] | None) -> list[services.ChecklistAnswer] | None:
    if results is None:
        return None
    return [services.ChecklistAnswer(done=r.done, remark=r.remark) for r in results]


def _occurrence(request: HttpRequest, pk: int) -> Occurrence:
    return visible_occurrence(current_user(request), pk)


def _reloaded(request: HttpRequest, o: Occurrence) -> dict[str, Any]:
    return occurrence_out(visible_occurrence(request.user, o.pk), clock.now())


SERIES_CHANGED = {200: SeriesOut, **errors(400, 403, 404, 409)}
OCCURRENCE_CHANGED = {200: OccurrenceOut, **errors(400, 403, 404, 409)}


def _series(request: HttpRequest, pk: int) -> ActivitySeries:
    return visible_series(current_user(request), pk)


def _change_series(
    request: HttpRequest, series: ActivitySeries, service: Any, version: int | None, /, **fields: Any
) -> dict[str, Any]:
    """`service` on the series with the version the client read; the series after it."""
    return series_out(_series(request, act(request, series, service, version, **fields).pk))


def _change_occurrence(
    request: HttpRequest, occurrence: Occurrence, service: Any, version: int | None, /, **fields: Any
) -> dict[str, Any]:
    """`service` on the occurrence with the version the client read; the occurrence after it."""
    return _reloaded(request, act(request, occurrence, service, version, **fields))


# --------------------------------------------------------------------------------------------------
# series


@router.get("/series", response={200: SeriesPage, **errors(400, 403)}, summary="Preventive activity series")
def list_series(request: HttpRequest, params: Query[SeriesListParams]) -> dict[str, Any]:
    qs = ActivitySeries.objects.visible_to(current_user(request)).for_list()
    if params.active is not None:
        qs = qs.filter(active=params.active)
    if params.kind:
        qs = qs.filter(kind=params.kind)
    page = keyset_page(qs, SERIES_ORDER, cursor=params.cursor, size=params.size)
    prefetch_related_objects(page.items, "cis")  # one query for the page's CIs
    return {"items": [series_out(s) for s in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/series", response={201: SeriesOut, **errors(400, 403, 404)}, summary="Create a series (coordinators)"
)
def create_series(request: HttpRequest, payload: SeriesIn) -> Any:
    user = current_user(request)
    s = services.create_series(actor=user, **_series_args(payload, user))
    return Answer(201, series_out(visible_series(request.user, s.pk)))


@router.post(
    "/series/preview",
    response={200: list[datetime], **errors(400, 403)},
    summary="The next five dates of a rule",
)
def preview(request: HttpRequest, payload: RecurrencePreviewIn) -> list[datetime]:
    return services.preview_dates(
        rule=payload.rule,
        start_date=payload.start_date,
        start_time=payload.start_time,
        time_zone=payload.time_zone,
    )


@router.get("/series/{series_id}", response={200: SeriesOut, **errors(403, 404)})
def get_series(request: HttpRequest, series_id: Id) -> dict[str, Any]:
    return series_out(_series(request, series_id))


@router.put("/series/{series_id}", response=SERIES_CHANGED, summary="Change a series (coordinators)")
def update_series(request: HttpRequest, series_id: Id, payload: SeriesUpdate) -> dict[str, Any]:
    series = _series(request, series_id)
    return _change_series(
        request,
        series,
        services.update_series,
        payload.version,
        **_series_args(payload, current_user(request)),
    )


@router.post("/series/{series_id}/deactivate", response=SERIES_CHANGED)
def deactivate_series(request: HttpRequest, series_id: Id, payload: SeriesVersionIn) -> dict[str, Any]:
    return _change_series(request, _series(request, series_id), services.deactivate_series, payload.version)


@router.post("/series/{series_id}/activate", response=SERIES_CHANGED)
def activate_series(request: HttpRequest, series_id: Id, payload: SeriesVersionIn) -> dict[str, Any]:
    return _change_series(request, _series(request, series_id), services.activate_series, payload.version)


# --------------------------------------------------------------------------------------------------
# occurrences


@router.get(
    "/occurrences", response={200: OccurrencePage, **errors(400, 403)}, summary="Occurrences, by due time"
)
def list_occurrences(request: HttpRequest, params: Query[OccurrenceListParams]) -> dict[str, Any]:
    user = current_user(request)
    now = clock.now()
    f = OccurrenceFilter(
        scope=params.scope,
        status=params.status,
        operator_group=params.operator_group,
        assignee=params.assignee,
        series=params.series,
        overdue=params.overdue,
    )
    qs = filter_occurrences(user, f, now=now).for_list().select_related("completed_by")
    page = keyset_page(qs, OCCURRENCE_ORDER, cursor=params.cursor, size=params.size)
    return {"items": [occurrence_out(o, now) for o in page.items], "next_cursor": page.next_cursor}


@router.get("/occurrences/{occurrence_id}", response={200: OccurrenceOut, **errors(403, 404)})
def get_occurrence(request: HttpRequest, occurrence_id: Id) -> dict[str, Any]:
    return occurrence_out(_occurrence(request, occurrence_id), clock.now())


@router.post("/occurrences/{occurrence_id}/checklist", response=OCCURRENCE_CHANGED)
def save_checklist(request: HttpRequest, occurrence_id: Id, payload: ChecklistIn) -> dict[str, Any]:
    occurrence = _occurrence(request, occurrence_id)
    results = _answers(payload.results) or []
    return _change_occurrence(request, occurrence, services.save_checklist, payload.version, results=results)


@router.post("/occurrences/{occurrence_id}/complete", response=OCCURRENCE_CHANGED, summary="Done")
def complete(request: HttpRequest, occurrence_id: Id, payload: CompleteIn) -> dict[str, Any]:
    return _change_occurrence(
        request,
        _occurrence(request, occurrence_id),
        services.complete_occurrence,
        payload.version,
        results=_answers(payload.results),
        remark=payload.remark,
        minutes=payload.minutes,
    )


@router.post(
    "/occurrences/{occurrence_id}/skip", response=OCCURRENCE_CHANGED, summary="Skipped (reason required)"
)
def skip(request: HttpRequest, occurrence_id: Id, payload: SkipIn) -> dict[str, Any]:
    occurrence = _occurrence(request, occurrence_id)
    return _change_occurrence(
        request, occurrence, services.skip_occurrence, payload.version, reason=payload.reason
    )


@router.post(
    "/occurrences/{occurrence_id}/anomaly",
    response=OCCURRENCE_CHANGED,
    summary="Done with an anomaly (reason required): opens a melding",
)
def anomaly(request: HttpRequest, occurrence_id: Id, payload: AnomalyIn) -> dict[str, Any]:
    return _change_occurrence(
        request,
        _occurrence(request, occurrence_id),
        services.report_anomaly,
        payload.version,
        reason=payload.reason,
        results=_answers(payload.results),
        minutes=payload.minutes,
    )


@router.post("/occurrences/{occurrence_id}/time", response=OCCURRENCE_CHANGED, summary="Add time spent")
def add_time(request: HttpRequest, occurrence_id: Id, payload: OccurrenceTimeIn) -> dict[str, Any]:
    o = services.record_time(
        _occurrence(request, occurrence_id), minutes=payload.minutes, actor=current_user(request)
    )
    return _reloaded(request, o)


def evidence_out(e: Evidence) -> dict[str, Any]:
    return {
        "id": e.pk,
        "original_name": e.original_name,
        "content_type": e.content_type,
        "size": e.size,
        "created_at": e.created_at,
    }


@router.get("/occurrences/{occurrence_id}/evidence", response={200: list[EvidenceOut], **errors(403, 404)})
def list_evidence(request: HttpRequest, occurrence_id: Id) -> list[dict[str, Any]]:
    o = _occurrence(request, occurrence_id)
    return [evidence_out(e) for e in Evidence.objects.filter(occurrence=o).order_by("created_at", "pk")[:500]]


@router.post(
    "/occurrences/{occurrence_id}/evidence", response={201: EvidenceOut, **errors(400, 403, 404, 409)}
)
def upload_evidence(request: HttpRequest, occurrence_id: Id, file: File[UploadedFile]) -> Any:
    e = services.add_evidence(_occurrence(request, occurrence_id), upload=file, actor=current_user(request))
    return Answer(201, evidence_out(e))


@router.get(
    "/evidence/{evidence_id}",
    summary="Download evidence",
    response=errors(403, 404),
    openapi_extra=file_answer("*/*", "The file, with the type sniffed when it was uploaded"),
)
def download_evidence(request: HttpRequest, evidence_id: Id) -> FileResponse:
    e = Evidence.objects.visible_to(current_user(request)).filter(pk=evidence_id).first()
    if e is None:
        raise NotFound(_("Evidence not found."))
    return download_response(e.file, filename=e.original_name)
