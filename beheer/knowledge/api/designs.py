"""JSON adapter for design documents, under /api/v1/knowledge: the section templates (read by staff,
changed by coordinators, with history) and the decisions on an article's versions. Thin: look up
through visible_to (hidden -> 404), call one service, serialise."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.core import access, history
from beheer.core.access import current_user
from beheer.core.errors import NotFound
from beheer.core.schemas import HistoryRecordPage, Id, Int64, Schema, TextLine

from .. import services
from ..models import DocumentTemplate, DocumentTemplateHistoryEntry, VersionApproval
from ..queries import visible_version
from ..schemas import (
    KnowledgeApprovalIn,
    KnowledgeApprovalOut,
    KnowledgeTemplateIn,
    KnowledgeTemplateOut,
    errors,
)
from .articles import _visible

router = access.declare(Router(tags=["knowledge"]), access.STAFF_HIDDEN)


class KnowledgeTemplateHistoryParams(Schema):
    cursor: TextLine | None = None
    limit: Int64 = 50


def template_out(t: DocumentTemplate) -> dict[str, Any]:
    return {
        "id": t.pk,
        "kind": t.kind,
        "name": str(t),
        "sections": [
            {
                "position": s.position,
                "heading_nl": s.heading_nl,
                "heading_en": s.heading_en,
                "guidance_nl": s.guidance_nl,
                "guidance_en": s.guidance_en,
                "mandatory": s.mandatory,
            }
            for s in sorted(t.sections.all(), key=lambda s: (s.position, s.pk))
        ],
        "version": t.version,
        "updated_at": t.updated_at.isoformat() if t.updated_at else None,
    }


def _template(request: HttpRequest, pk: int) -> DocumentTemplate:
    found = (
        DocumentTemplate.objects.visible_to(request.user).prefetch_related("sections").filter(pk=pk).first()
    )
    if found is None:
        raise NotFound(_("Template not found."))
    return found


@router.get("/design-templates", response={200: list[KnowledgeTemplateOut], **errors(404)})
def list_design_templates(request: HttpRequest) -> list[dict[str, Any]]:
    rows = DocumentTemplate.objects.visible_to(request.user).prefetch_related("sections").order_by("kind")
    return [template_out(t) for t in rows]


@router.get("/design-templates/{design_template_id}", response={200: KnowledgeTemplateOut, **errors(404)})
def get_design_template(request: HttpRequest, design_template_id: Id) -> dict[str, Any]:
    return template_out(_template(request, design_template_id))


@access.gate(access.COORDINATORS)
@router.put(
    "/design-templates/{design_template_id}",
    response={200: KnowledgeTemplateOut, **errors(400, 403, 404, 409)},
)
def update_design_template(
    request: HttpRequest, design_template_id: Id, payload: KnowledgeTemplateIn
) -> dict[str, Any]:
    """Replace the template's sections (coordinators and administrators); send the version you read."""
    services.update_template(
        _template(request, design_template_id),
        actor=current_user(request),
        expected_version=payload.version,
        sections=[services.SectionData(**s.model_dump()) for s in payload.sections],
    )
    return template_out(_template(request, design_template_id))


@router.get(
    "/design-templates/{design_template_id}/history", response={200: HistoryRecordPage, **errors(400, 404)}
)
def design_template_history(
    request: HttpRequest, design_template_id: Id, params: Query[KnowledgeTemplateHistoryParams]
) -> dict[str, Any]:
    return history.subject_history_page(
        DocumentTemplateHistoryEntry,
        design_template_id,
        user=request.user,
        cursor=params.cursor,
        limit=params.limit,
        missing=_("Template not found."),
    )


# --------------------------------------------------------------------------------------------------
# decisions per version


def approval_out(a: VersionApproval) -> dict[str, Any]:
    return {
        "id": a.pk,
        "version": a.version.number,
        "approver": {"id": a.approver.pk, "name": str(a.approver)},
        "role": a.role,
        "decision": a.decision,
        "comment": a.comment,
        "at": a.at.isoformat(),
    }


def _version(request: HttpRequest, article_id: int, number: int) -> Any:
    version = visible_version(_visible(request, article_id), request.user, number)
    if version is None:
        raise NotFound(_("Version not found."))
    return version


@router.get(
    "/articles/{article_id}/versions/{number}/approvals",
    response={200: list[KnowledgeApprovalOut], **errors(404)},
)
def list_version_approvals(request: HttpRequest, article_id: Id, number: Id) -> list[dict[str, Any]]:
    version = _version(request, article_id, number)
    rows = VersionApproval.objects.visible_to(request.user).filter(version=version)
    return [approval_out(a) for a in rows.select_related("approver", "version").order_by("at", "id")]


@router.post(
    "/articles/{article_id}/versions/{number}/approvals",
    response={201: KnowledgeApprovalOut, **errors(400, 403, 404)},
)
def create_version_approval(
    request: HttpRequest, article_id: Id, number: Id, payload: KnowledgeApprovalIn
) -> Answer:
    """Record your decision on this version: as reviewer, or as the client named on the design."""
    approval = services.approve_version(
        _version(request, article_id, number),
        actor=current_user(request),
        role=payload.role,
        decision=payload.decision,
        comment=payload.comment,
    )
    return Answer(201, approval_out(approval))
