"""The security API of security incidents (staff, /api/v1/security): incidents, their reports and
history, who may work on them, and the breach register with its CSV and XLSX files.

Every row is read through `visible_to`: an incident the reader may not see answers 404, like one that
does not exist. Every read of an incident's detail is written to its melding's read log. Writes go
through `security.services.incidents`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import User
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import DomainError, NotFound
from beheer.core.history import subject_history_page
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import HistoryRecordPage, Id, errors, file_answer
from beheer.servicedesk.models import Melding, MeldingAccess

from ..models import IncidentHistoryEntry, IncidentReport, ReportKind, SecurityIncident
from ..schemas_incidents import (
    AccessIn,
    AccessOut,
    BreachExportParams,
    BreachPage,
    BreachParams,
    CursorParams,
    IncidentDeclareIn,
    IncidentDetailOut,
    IncidentIn,
    IncidentPage,
    ReportIn,
    ReportOut,
)
from ..services import incidents as services
from ..services import incidents_export as exports

router = access.declare(Router(tags=["security"]), access.STAFF)

ORDER = (SortKey("aware_at", descending=True), SortKey("id", descending=True))


def _person(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def _incident(request: HttpRequest, pk: int) -> SecurityIncident:
    found = (
        SecurityIncident.objects.visible_to(current_user(request))
        .select_related("melding", "declared_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("Security incident not found."))
    return found


def incident_out(i: SecurityIncident) -> dict[str, Any]:
    return {
        "id": i.pk,
        "number": i.number,
        "melding": {"id": i.melding_id, "name": i.melding.number},
        "title": i.title,
        "aware_at": i.aware_at,
        "significant": i.significant,
        "breach": i.breach,
        "status": i.status,
        "clocks_open": i.clocks_open,
        "version": i.version,
    }


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    incident = _incident(request, pk)
    services.log_read(incident, reader=current_user(request), route=request.path)
    now = clock.now()
    items = []
    for d in services.deadlines_of(incident):
        left = d.left(now)
        items.append(
            {
                "kind": d.kind,
                "label": str(ReportKind(d.kind).label),
                "due": d.due,
                "immediate": d.immediate,
                "met_at": d.met_at,
                "passed": d.passed(now),
                "seconds_left": int(left.total_seconds()) if left is not None and not d.met else None,
            }
        )
    return {
        **incident_out(incident),
        "csirt_name": incident.csirt_name,
        "unlikely_risk": incident.unlikely_risk,
        "unlikely_risk_reason": incident.unlikely_risk_reason,
        "high_risk": incident.high_risk,
        "nature": incident.nature,
        "data_categories": incident.data_categories,
        "people_categories": incident.people_categories,
        "people_count": incident.people_count,
        "records_count": incident.records_count,
        "consequences": incident.consequences,
        "measures": incident.measures,
        "contact": incident.contact,
        "handled_at": incident.handled_at,
        "declared_at": incident.declared_at,
        "declared_by": _person(incident.declared_by),
        "deadlines": items,
    }


# -- incidents -------------------------------------------------------------------------------------


@router.get(
    "/incidents",
    response={200: IncidentPage, **errors(400, 403)},
    summary="Security incidents, latest awareness first",
)
def list_incidents(request: HttpRequest, params: Query[CursorParams]) -> dict[str, Any]:
    """Security officers see every incident; other operators those they were given access to."""
    rows = SecurityIncident.objects.visible_to(current_user(request)).select_related("melding")
    page = keyset_page(rows, ORDER, cursor=params.cursor, size=params.limit)
    return {"items": [incident_out(i) for i in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/incidents",
    response={201: IncidentDetailOut, **errors(400, 403, 404)},
    summary="Make a call a security incident",
)
def declare_incident(request: HttpRequest, payload: IncidentDeclareIn) -> Answer[dict[str, Any]]:
    """After this only security officers and the people working on it (you and the call's
    operator, and whom a security officer adds) see the call. Declaring a call that is one already
    answers its incident."""
    user = current_user(request)
    melding = Melding.objects.visible_to(user).filter(pk=payload.melding_id).first()
    if melding is None:
        message = _("Call not found.")
        raise DomainError(message, field_errors={"melding_id": message})
    incident = services.declare_incident(
        melding, actor=user, aware_at=payload.aware_at, significant=payload.significant, breach=payload.breach
    )
    return Answer(201, _detail(request, incident.pk))


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentDetailOut, **errors(403, 404)},
    summary="A security incident with its deadlines",
)
def get_incident(request: HttpRequest, incident_id: Id) -> dict[str, Any]:
    return _detail(request, incident_id)


@router.put(
    "/incidents/{incident_id}",
    response={200: IncidentDetailOut, **errors(400, 403, 404, 409)},
    summary="Change a security incident (security officers)",
)
def edit_incident(request: HttpRequest, incident_id: Id, payload: IncidentIn) -> dict[str, Any]:
    """Breach facts are kept only for a breach; "unlikely to pose a risk" needs its reason and
    excludes "high risk". 409 when somebody else saved first."""
    incident = _incident(request, incident_id)
    data = payload.model_dump()
    version = data.pop("version")
    services.edit_incident(
        incident, actor=current_user(request), expected_version=version, data=services.IncidentData(**data)
    )
    return _detail(request, incident_id)


@router.get(
    "/incidents/{incident_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="The history of a security incident, newest first",
)
def incident_history(request: HttpRequest, incident_id: Id, params: Query[CursorParams]) -> dict[str, Any]:
    return subject_history_page(
        IncidentHistoryEntry,
        incident_id,
        user=current_user(request),
        cursor=params.cursor,
        limit=params.limit,
        missing=_("Security incident not found."),
    )


# -- reports ---------------------------------------------------------------------------------------


def report_out(r: IncidentReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "made_at": r.made_at,
        "recipient": r.recipient,
        "reference": r.reference,
        "note": r.note,
        "made_by": _person(r.made_by),
        "recorded_at": r.recorded_at,
    }


@router.get(
    "/incidents/{incident_id}/reports",
    response={200: list[ReportOut], **errors(403, 404)},
    summary="The reports made about a security incident",
)
def list_reports(request: HttpRequest, incident_id: Id) -> list[dict[str, Any]]:
    incident = _incident(request, incident_id)
    rows = (
        IncidentReport.objects.visible_to(current_user(request))
        .filter(incident=incident)
        .select_related("made_by")
        .order_by("made_at", "id")[:200]
    )
    return [report_out(r) for r in rows]


@router.post(
    "/incidents/{incident_id}/reports",
    response={201: ReportOut, **errors(400, 403, 404, 409)},
    summary="Record a report made (security officers)",
)
def record_report(request: HttpRequest, incident_id: Id, payload: ReportIn) -> Answer[dict[str, Any]]:
    """A deadline is met when its report is recorded. Each kind once (409 for a second), except
    progress reports; only kinds that fit the incident (400)."""
    report = services.record_report(
        _incident(request, incident_id),
        actor=current_user(request),
        kind=payload.kind,
        made_at=payload.made_at,
        recipient=payload.recipient,
        reference=payload.reference,
        note=payload.note,
    )
    return Answer(201, report_out(IncidentReport.objects.select_related("made_by").get(pk=report.pk)))


# -- access ----------------------------------------------------------------------------------------


def _grants(incident: SecurityIncident) -> list[dict[str, Any]]:
    rows = (
        MeldingAccess.objects.filter(melding_id=incident.melding_id)
        .select_related("person", "granted_by")
        .order_by("granted_at", "id")[:500]
    )
    return [
        {"person": _person(g.person), "granted_at": g.granted_at, "granted_by": _person(g.granted_by)}
        for g in rows
    ]


@router.get(
    "/incidents/{incident_id}/access",
    response={200: list[AccessOut], **errors(403, 404)},
    summary="Who works on a security incident, besides the security officers",
)
def list_access(request: HttpRequest, incident_id: Id) -> list[dict[str, Any]]:
    return _grants(_incident(request, incident_id))


@router.post(
    "/incidents/{incident_id}/access",
    response={201: list[AccessOut], **errors(400, 403, 404)},
    summary="Let an operator work on a security incident (security officers)",
)
def grant_access(request: HttpRequest, incident_id: Id, payload: AccessIn) -> Answer[list[dict[str, Any]]]:
    incident = _incident(request, incident_id)
    person = User.objects.operators().filter(pk=payload.person_id).first()
    if person is None:
        message = _("Choose an operator.")
        raise DomainError(message, field_errors={"person_id": message})
    services.grant_access(incident, person=person, actor=current_user(request))
    return Answer(201, _grants(incident))


@router.delete(
    "/incidents/{incident_id}/access/{person_id}",
    response={200: list[AccessOut], **errors(403, 404)},
    summary="Take an operator's access to a security incident away (security officers)",
)
def revoke_access(request: HttpRequest, incident_id: Id, person_id: Id) -> list[dict[str, Any]]:
    incident = _incident(request, incident_id)
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("Person not found."))
    services.revoke_access(incident, person=person, actor=current_user(request))
    return _grants(incident)


# -- the breach register ---------------------------------------------------------------------------


def _breach_rows(request: HttpRequest, params: BreachParams | BreachExportParams) -> Any:
    return SecurityIncident.objects.register_visible_to(current_user(request)).breach_filter(
        reported=params.reported or "", status=params.status or "", since=params.since, until=params.until
    )


@router.get(
    "/breaches",
    response={200: BreachPage, **errors(400, 403)},
    summary="The breach register (security and privacy officers)",
)
def list_breaches(request: HttpRequest, params: Query[BreachParams]) -> dict[str, Any]:
    """Every personal-data breach with the AVG's facts and its reports; empty for anybody but
    security officers and privacy officers."""
    page = keyset_page(_breach_rows(request, params), ORDER, cursor=params.cursor, size=params.limit)
    made: dict[tuple[int, str], IncidentReport] = {}
    for r in IncidentReport.objects.filter(
        incident__in=[i.pk for i in page.items], kind__in=[ReportKind.AP_REPORT, ReportKind.PEOPLE_NOTICE]
    ):
        made[(r.incident_id, r.kind)] = r
    items = []
    for i in page.items:
        ap = made.get((i.pk, ReportKind.AP_REPORT))
        told = made.get((i.pk, ReportKind.PEOPLE_NOTICE))
        items.append(
            {
                "id": i.pk,
                "number": i.number,
                "title": i.title,
                "aware_at": i.aware_at,
                "status": i.status,
                "nature": i.nature,
                "data_categories": i.data_categories,
                "people_categories": i.people_categories,
                "people_count": i.people_count,
                "records_count": i.records_count,
                "consequences": i.consequences,
                "measures": i.measures,
                "contact": i.contact,
                "unlikely_risk": i.unlikely_risk,
                "unlikely_risk_reason": i.unlikely_risk_reason,
                "high_risk": i.high_risk,
                "ap_reported_at": ap.made_at if ap else None,
                "ap_reference": ap.reference if ap else "",
                "people_told_at": told.made_at if told else None,
            }
        )
    return {"items": items, "next_cursor": page.next_cursor}


@router.get(
    "/breaches/export",
    response=errors(400, 403),
    summary="The breach register as CSV or XLSX (security and privacy officers)",
    openapi_extra=file_answer("text/csv", "The register, as a download", 200, exports.XLSX),
)
def export_breaches(request: HttpRequest, params: Query[BreachExportParams]) -> HttpResponseBase:
    rows = _breach_rows(request, params)
    return exports.breaches_xlsx(rows) if params.format == "xlsx" else exports.breaches_csv(rows)
