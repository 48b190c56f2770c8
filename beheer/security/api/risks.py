"""JSON adapter for risks and classification under /api/v1/security (staff): the CIA classification
of CIs with the suggestion inherited through the CMDB, the risk matrix settings, the risk register
with its heat map and exports. Thin: look up through `visible_to` (missing -> 404), call one
service, serialise. Edits take the version the client read."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, history
from beheer.core.access import current_user
from beheer.core.api_helpers import Lookup, ref
from beheer.core.errors import DomainError, NotFound
from beheer.core.pagination import keyset_page
from beheer.core.schemas import HistoryRecordPage, Id, Int64, TextLine, errors, file_answer

from ..models import (
    CIA_FIELDS,
    Classification,
    ClassificationHistoryEntry,
    Control,
    Risk,
    RiskHistoryEntry,
    RiskMatrixHistoryEntry,
    RiskSettings,
    ScaleLevel,
)
from ..schemas_risks import (
    SecurityClassificationIn,
    SecurityClassificationListParams,
    SecurityClassificationOut,
    SecurityClassificationPage,
    SecurityHeatMapOut,
    SecurityMatrixIn,
    SecurityMatrixOut,
    SecurityRiskIn,
    SecurityRiskListParams,
    SecurityRiskOut,
    SecurityRiskPage,
    SecurityRiskUpdateIn,
    SecuritySuggestionOut,
    SecurityVersionIn,
)
from ..services import risks as services
from ..services.risks import exports, queries
from ..services.risks.inherit import Suggestion

router = access.declare(Router(tags=["security"]), access.STAFF)


# -- serialising ------------------------------------------------------------------------------------


def suggestion_out(suggestion: Suggestion) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for aspect in CIA_FIELDS:
        source = suggestion.sources.get(aspect)
        out[aspect] = (
            None
            if source is None
            else {
                "value": suggestion.values[aspect],
                "source": {"id": source.ci_id, "name": source.name},
                "depth": source.depth,
            }
        )
    return out


def own_out(own: Classification | None) -> dict[str, Any] | None:
    if own is None:
        return None
    return {
        "availability": own.availability,
        "integrity": own.integrity,
        "confidentiality": own.confidentiality,
        "code": own.code,
        "justification": own.justification,
        "classified_by": ref(own.classified_by),
        "classified_at": own.classified_at,
        "version": own.version,
    }


def row_out(row: queries.ClassificationRow) -> dict[str, Any]:
    return {
        "ci": ref(row.ci),
        "ci_kind": row.ci.ci_type.kind,
        "own": own_out(row.own),
        "suggested": suggestion_out(row.suggestion),
        "below_suggestion": row.below_suggestion,
    }


def risk_out(risk: Risk, settings: RiskSettings) -> dict[str, Any]:
    return {
        "id": risk.pk,
        "number": risk.code,
        "title": risk.title,
        "threat": risk.threat,
        "vulnerability": risk.vulnerability,
        "cis": [ref(ci) for ci in sorted(risk.cis.all(), key=lambda c: (c.name, c.pk))],
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "inherent_score": risk.inherent_score,
        "inherent_band": settings.band_of(risk.inherent_score),
        "treatment": risk.treatment,
        "treatment_plan": risk.treatment_plan,
        "controls": [ref(c, name=str(c)) for c in sorted(risk.controls.all(), key=lambda c: c.sort_key)],
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "residual_score": risk.residual_score,
        "residual_band": settings.band_of(risk.residual_score),
        "owner": ref(risk.owner),
        "review_date": risk.review_date,
        "status": risk.status,
        "acceptance_reason": risk.acceptance_reason,
        "accepted_by": ref(risk.accepted_by),
        "accepted_at": risk.accepted_at,
        "created_at": risk.created_at,
        "updated_at": risk.updated_at,
        "version": risk.version,
    }


def matrix_out() -> dict[str, Any]:
    settings = services.current_settings()
    return {
        "medium_from": settings.medium_from,
        "high_from": settings.high_from,
        "critical_from": settings.critical_from,
        "levels": [
            {
                "axis": lv.axis,
                "value": lv.value,
                "name": lv.name,
                "name_nl": lv.name_nl,
                "name_en": lv.name_en,
            }
            for lv in ScaleLevel.objects.order_by("axis", "value")
        ],
        "cells": [
            {"likelihood": c.likelihood, "impact": c.impact, "score": c.score, "band": c.band}
            for row in services.cells(settings)
            for c in row
        ],
        "version": settings.version,
    }


# -- lookups ----------------------------------------------------------------------------------------


def _ci(request: HttpRequest, ci_id: int) -> ConfigurationItem:
    found = (
        ConfigurationItem.objects.visible_to(current_user(request))
        .select_related("ci_type")
        .filter(pk=ci_id)
        .first()
    )
    if found is None:
        raise NotFound(_("Configuration item not found."))
    return found


def _risk(request: HttpRequest, risk_id: int) -> Risk:
    found = (
        Risk.objects.visible_to(current_user(request))
        .select_related("owner", "accepted_by")
        .prefetch_related("cis", "controls")
        .filter(pk=risk_id)
        .first()
    )
    if found is None:
        raise NotFound(_("Risk not found."))
    return found


def _data(request: HttpRequest, payload: SecurityRiskIn) -> services.RiskData:
    look = Lookup()
    owner = look.row(User.objects.filter(is_active=True), payload.owner_id, "owner_id")
    cis = look.many(ConfigurationItem, payload.ci_ids, "ci_ids")
    controls = look.many(Control, payload.control_ids, "control_ids")
    look.done()
    return services.RiskData(
        title=payload.title,
        likelihood=payload.likelihood,
        impact=payload.impact,
        threat=payload.threat,
        vulnerability=payload.vulnerability,
        cis=cis,
        treatment=payload.treatment,
        treatment_plan=payload.treatment_plan,
        controls=controls,
        residual_likelihood=payload.residual_likelihood,
        residual_impact=payload.residual_impact,
        owner=owner,
        review_date=payload.review_date,
        status=payload.status,
        acceptance_reason=payload.acceptance_reason,
    )


def _renamed(exc: DomainError) -> DomainError:
    """The service's field errors under the names of the request's fields."""
    names = {"owner": "owner_id", "cis": "ci_ids", "controls": "control_ids"}
    return type(exc)(exc.message, field_errors={names.get(k, k): v for k, v in exc.field_errors.items()})


# -- classification ---------------------------------------------------------------------------------


@router.get(
    "/classifications",
    response={200: SecurityClassificationPage, **errors(400, 403)},
    summary="CIs with their own and suggested CIA classification",
)
def list_classifications(
    request: HttpRequest, params: Query[SecurityClassificationListParams]
) -> dict[str, Any]:
    """Services and applications by default (`scope=all`: every CI in use), by name; each with its
    own classification and the one suggested by the classified CIs that rest on it."""
    flt = queries.ClassificationFilter(scope=params.scope, state=params.state, q=params.q)
    rows = queries.classification_cis(current_user(request), flt)
    page = keyset_page(rows, queries.CI_ORDER, cursor=params.cursor, size=params.limit)
    return {
        "items": [row_out(r) for r in queries.classification_rows(page.items)],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/classifications/{ci_id}",
    response={200: SecurityClassificationOut, **errors(403, 404)},
    summary="A CI's CIA classification and suggestion",
)
def get_classification(request: HttpRequest, ci_id: Id) -> dict[str, Any]:
    return row_out(queries.classification_row(_ci(request, ci_id)))


@router.get(
    "/classifications/{ci_id}/suggestion",
    response={200: SecuritySuggestionOut, **errors(403, 404)},
    summary="The classification suggested for a CI, inherited from the classified CIs resting on it",
)
def get_suggestion(request: HttpRequest, ci_id: Id) -> dict[str, Any]:
    return suggestion_out(services.suggestion_for(_ci(request, ci_id).pk))


@router.put(
    "/classifications/{ci_id}",
    response={200: SecurityClassificationOut, **errors(400, 403, 404, 409)},
    summary="Classify a CI (security officers, coordinators, administrators)",
)
def put_classification(request: HttpRequest, ci_id: Id, payload: SecurityClassificationIn) -> dict[str, Any]:
    """Send the version you read when the CI has a classification already."""
    ci = _ci(request, ci_id)
    services.classify(
        ci,
        actor=current_user(request),
        availability=payload.availability,
        integrity=payload.integrity,
        confidentiality=payload.confidentiality,
        justification=payload.justification,
        expected_version=payload.version,
    )
    return row_out(queries.classification_row(ci))


@router.post(
    "/classifications/{ci_id}/adopt",
    response={200: SecurityClassificationOut, **errors(400, 403, 404, 409)},
    summary="Adopt the suggested classification",
)
def adopt(request: HttpRequest, ci_id: Id, payload: SecurityVersionIn) -> dict[str, Any]:
    """Each aspect takes the suggested value where that is higher than the CI's own."""
    ci = _ci(request, ci_id)
    services.adopt_suggestion(ci, actor=current_user(request), expected_version=payload.version)
    return row_out(queries.classification_row(ci))


@router.delete(
    "/classifications/{ci_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Remove a CI's classification",
)
def delete_classification(request: HttpRequest, ci_id: Id, version: Int64 | None = None) -> Answer[None]:
    services.remove_classification(_ci(request, ci_id), actor=current_user(request), expected_version=version)
    return Answer(204, None)


@router.get(
    "/classifications/{ci_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="The trail of a CI's classification",
)
def classification_history(
    request: HttpRequest, ci_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    return history.subject_history_page(
        ClassificationHistoryEntry,
        ci_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("Configuration item not found."),
    )


# -- the matrix -------------------------------------------------------------------------------------


@router.get(
    "/risk-matrix", response={200: SecurityMatrixOut, **errors(403)}, summary="The risk matrix settings"
)
def get_matrix(request: HttpRequest) -> dict[str, Any]:
    """The names of the likelihood and impact levels, where the bands start and every cell's band."""
    return matrix_out()


@router.put(
    "/risk-matrix",
    response={200: SecurityMatrixOut, **errors(400, 403, 409)},
    summary="Change the risk matrix (coordinators, administrators)",
)
def put_matrix(request: HttpRequest, payload: SecurityMatrixIn) -> dict[str, Any]:
    services.change_matrix(
        services.current_settings(),
        actor=current_user(request),
        medium_from=payload.medium_from,
        high_from=payload.high_from,
        critical_from=payload.critical_from,
        names={(lv.axis, lv.value): (lv.name_nl, lv.name_en) for lv in payload.levels},
        expected_version=payload.version,
    )
    return matrix_out()


@router.get(
    "/risk-matrix/history",
    response={200: HistoryRecordPage, **errors(400, 403)},
    summary="The trail of the risk matrix",
)
def matrix_history(request: HttpRequest, cursor: TextLine | None = None, limit: Int64 = 50) -> dict[str, Any]:
    rows = RiskMatrixHistoryEntry.objects.visible_to(current_user(request))
    return history.history_page(rows, cursor=cursor, size=max(1, min(limit, history.PAGE_LIMIT_MAX)))


# -- risks ------------------------------------------------------------------------------------------


def _filtered(request: HttpRequest, params: SecurityRiskListParams) -> Any:
    flt = queries.RiskFilter(
        status=params.status,
        band=params.band,
        owner=params.owner_id,
        ci=params.ci_id,
        control=params.control_id,
        overdue=params.overdue,
        q=params.q,
    )
    return queries.filter_risks(Risk.objects.visible_to(current_user(request)), flt)


@router.get("/risks", response={200: SecurityRiskPage, **errors(400, 403)}, summary="The risk register")
def list_risks(request: HttpRequest, params: Query[SecurityRiskListParams]) -> dict[str, Any]:
    """Newest first; filters on status (`current`: not closed), band of the inherent risk, owner,
    CI, control, overdue for review and a text (title or RSK-number)."""
    rows = _filtered(request, params).select_related("owner", "accepted_by")
    page = keyset_page(rows, queries.RISK_ORDER, cursor=params.cursor, size=params.limit)
    queries.risk_page_prefetch(page)
    settings = services.current_settings()
    return {"items": [risk_out(r, settings) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/risks/heat-map",
    response={200: SecurityHeatMapOut, **errors(400, 403)},
    summary="How many risks sit in each cell of the matrix",
)
def risk_heat_map(request: HttpRequest, params: Query[SecurityRiskListParams]) -> dict[str, Any]:
    """The filtered risks (default: all) by likelihood x impact, inherent and residual."""
    heat = queries.heat_map(_filtered(request, params))
    return {
        "cells": [
            {
                **{k: cell[k] for k in ("impact", "score", "band")},
                "likelihood": row["likelihood"],
                "inherent": cell["count"],
                "residual": heat.residual[(row["likelihood"], cell["impact"])],
            }
            for row in heat.grid("inherent")
            for cell in row["cells"]
        ],
        "total": heat.total,
    }


@router.get(
    "/risks/export.csv",
    summary="Export the filtered risk register as CSV (streamed)",
    response=errors(400, 403),
    openapi_extra=file_answer("text/csv", "The risks as CSV"),
)
def export_csv(request: HttpRequest, params: Query[SecurityRiskListParams]) -> StreamingHttpResponse:
    return exports.csv_response(_filtered(request, params))


@router.get(
    "/risks/export.xlsx",
    summary="Export the filtered risk register as XLSX",
    response=errors(400, 403),
    openapi_extra=file_answer(exports.XLSX, "The risks as XLSX"),
)
def export_xlsx(request: HttpRequest, params: Query[SecurityRiskListParams]) -> FileResponse:
    return exports.xlsx_response(_filtered(request, params))


@router.post("/risks", response={201: SecurityRiskOut, **errors(400, 403)}, summary="Register a risk")
def create_risk(request: HttpRequest, payload: SecurityRiskIn) -> Answer[dict[str, Any]]:
    """Accepting a high or critical risk takes a security officer, coordinator or administrator and a
    reason (`acceptance_reason`)."""
    data = _data(request, payload)
    try:
        risk = services.register_risk(actor=current_user(request), data=data)
    except DomainError as exc:
        raise _renamed(exc) from exc
    return Answer(201, risk_out(_risk(request, risk.pk), services.current_settings()))


@router.get("/risks/{risk_id}", response={200: SecurityRiskOut, **errors(403, 404)}, summary="A risk")
def get_risk(request: HttpRequest, risk_id: Id) -> dict[str, Any]:
    return risk_out(_risk(request, risk_id), services.current_settings())


@router.put(
    "/risks/{risk_id}",
    response={200: SecurityRiskOut, **errors(400, 403, 404, 409)},
    summary="Change a risk (send the version you read)",
)
def put_risk(request: HttpRequest, risk_id: Id, payload: SecurityRiskUpdateIn) -> dict[str, Any]:
    risk = _risk(request, risk_id)
    data = _data(request, payload)
    try:
        services.change_risk(risk, actor=current_user(request), data=data, expected_version=payload.version)
    except DomainError as exc:
        raise _renamed(exc) from exc
    return risk_out(_risk(request, risk_id), services.current_settings())


@router.get(
    "/risks/{risk_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="The trail of a risk",
)
def risk_history(
    request: HttpRequest, risk_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    return history.subject_history_page(
        RiskHistoryEntry,
        risk_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("Risk not found."),
    )
