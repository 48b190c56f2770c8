"""JSON adapter for the needs inventory of a change, mounted under /api/v1/changes (sub-routes of a
change: /{change_id}/needs, /stakeholders, /designs) for staff, and under /api/v1/portal/changes
(/{change_id}/needs) for the change's requester and client. Thin: look up through `visible_to`
(missing -> 404), call one service, serialise. Edits take the version the client read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import User
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import get_row, ref
from beheer.core.errors import NotFound
from beheer.core.schemas import Id, Int64, Schema, Text, errors
from beheer.knowledge.models import Article
from beheer.knowledge.rendering import render_markdown

from .. import services
from ..models import (
    Change,
    ChangeActivity,
    ChangeDesign,
    NeedsApproval,
    NeedsNote,
    OpenQuestion,
    PlanApproval,
    Requirement,
    Stakeholder,
)
from ..schemas_needs import (
    NeedsAnswerIn,
    NeedsCoverageOut,
    NeedsDesignLinkIn,
    NeedsDesignNewIn,
    NeedsDesignOut,
    NeedsNoteIn,
    NeedsNoteOut,
    NeedsNoteUpdateIn,
    NeedsOut,
    NeedsQuestionIn,
    NeedsQuestionOut,
    NeedsRequirementIn,
    NeedsRequirementOut,
    NeedsRequirementUpdateIn,
    NeedsStakeholderIn,
    NeedsStakeholderOut,
    PortalNeedsDecisionIn,
    PortalNeedsOut,
)
from ..services._base import plan_version
from ..traceability import (
    CoverageRow,
    DesignRow,
    NeedsStatus,
    coverage_rows,
    design_rows,
    needs_status,
    portal_needs,
)

router = access.declare(
    Router(tags=["changes"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("Changes are for operators.")),
)
portal_router = access.declare(Router(tags=["portal"]), access.SIGNED_IN)
MAX_ROWS = 500


def _change(request: HttpRequest, change_id: int) -> Change:
    found = (
        Change.objects.visible_to(current_user(request)).select_related("client").filter(pk=change_id).first()
    )
    if found is None:
        raise NotFound(_("Change not found."))
    return found


def _child(rows: Any, change: Change, pk: int, message: str) -> Any:
    found = rows.filter(change=change, pk=pk).first()
    if found is None:
        raise NotFound(message)
    found.change = change
    return found


def _stakeholder(request: HttpRequest, change: Change, pk: int | None, field: str) -> Stakeholder | None:
    rows = Stakeholder.objects.visible_to(current_user(request)).filter(change=change)
    return get_row(Stakeholder, pk, field, rows=rows)


def requirement_out(r: Requirement) -> dict[str, Any]:
    return {
        "id": r.pk,
        "code": r.code,
        "text": r.text,
        "priority": r.priority,
        "acceptance_criteria": r.acceptance_criteria,
        "source": ref(r.source),
        "status": r.status,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "version": r.version,
    }


def note_out(n: NeedsNote) -> dict[str, Any]:
    return {
        "id": n.pk,
        "held_on": n.held_on,
        "kind": n.kind,
        "participants": n.participants,
        "notes": n.notes,
        "notes_html": render_markdown(n.notes),
        "author": ref(n.author),
        "created_at": n.created_at,
        "version": n.version,
    }


def question_out(q: OpenQuestion) -> dict[str, Any]:
    return {
        "id": q.pk,
        "question": q.question,
        "asked_of": ref(q.asked_of),
        "answer": q.answer,
        "status": q.status,
        "created_at": q.created_at,
        "answered_at": q.answered_at,
        "version": q.version,
    }


def stakeholder_out(s: Stakeholder) -> dict[str, Any]:
    return {
        "id": s.pk,
        "person": ref(s.person),
        "name": s.name,
        "email": s.email,
        "role": s.role,
        "interest": s.interest,
        "added_at": s.added_at,
    }


def decision_out(a: NeedsApproval | None, current: int) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "id": a.pk,
        "needs_version": a.needs_version,
        "approver": ref(a.approver),
        "decision": a.decision,
        "comment": a.comment,
        "at": a.at,
        "outdated": a.needs_version != current,
    }


def design_out(d: DesignRow) -> dict[str, Any]:
    return {
        "id": d.link.pk,
        "article": ref(d.article, name=d.article.title),
        "kind": d.article.kind,
        "version_number": d.version.number if d.version else None,
        "version_state": d.version.state if d.version else None,
        "reviewed": d.reviewed,
        "client_decision": d.client_decision,
    }


def coverage_out(row: CoverageRow) -> dict[str, Any]:
    r = row.requirement
    return {
        "requirement": {"id": r.pk, "name": r.code},
        "code": r.code,
        "priority": r.priority,
        "covered": row.covered,
        "sections": [
            {
                "article": ref(s.article, name=s.article.title),
                "version_number": s.version_number,
                "heading": s.heading,
            }
            for s in row.sections
        ],
    }


def _requirements(request: HttpRequest, change: Change) -> list[Requirement]:
    return list(
        Requirement.objects.visible_to(current_user(request))
        .filter(change=change)
        .select_related("source")[:MAX_ROWS]
    )


@router.get("/{change_id}/needs", response={200: NeedsOut, **errors(403, 404)}, summary="A change's needs")
def get_needs(request: HttpRequest, change_id: Id) -> dict[str, Any]:
    """The needs version and the client's decisions, requirements, notes (Markdown and sanitised
    HTML), open questions, stakeholders and the linked designs with their review and client state."""
    user = current_user(request)
    change = _change(request, change_id)
    status: NeedsStatus = needs_status(change, user)
    decisions = list(
        NeedsApproval.objects.visible_to(user).filter(change=change).select_related("approver")[:50]
    )
    return {
        "version": status.version,
        "approved": status.approved,
        "latest_decision": decision_out(status.latest, status.version),
        "requirements": [requirement_out(r) for r in _requirements(request, change)],
        "notes": [
            note_out(n)
            for n in NeedsNote.objects.visible_to(user)
            .filter(change=change)
            .select_related("author")[:MAX_ROWS]
        ],
        "questions": [
            question_out(q)
            for q in OpenQuestion.objects.visible_to(user)
            .filter(change=change)
            .select_related("asked_of")[:MAX_ROWS]
        ],
        "stakeholders": [
            stakeholder_out(s)
            for s in Stakeholder.objects.visible_to(user).filter(change=change).select_related("person")
        ],
        "designs": [design_out(d) for d in design_rows(change, user)],
        "decisions": [decision_out(a, status.version) for a in decisions],
    }


# -- requirements ------------------------------------------------------------------------------------


@router.get(
    "/{change_id}/needs/requirements",
    response={200: list[NeedsRequirementOut], **errors(403, 404)},
    summary="A change's requirements, by code",
)
def list_requirements(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    return [requirement_out(r) for r in _requirements(request, _change(request, change_id))]


@router.post(
    "/{change_id}/needs/requirements",
    response={201: NeedsRequirementOut, **errors(400, 403, 404, 409)},
    summary="Add a requirement (the next code; the needs version goes up)",
)
def add_requirement(
    request: HttpRequest, change_id: Id, payload: NeedsRequirementIn
) -> Answer[dict[str, Any]]:
    change = _change(request, change_id)
    row = services.add_requirement(
        change,
        actor=current_user(request),
        text=payload.text,
        priority=payload.priority,
        acceptance_criteria=payload.acceptance_criteria,
        source=_stakeholder(request, change, payload.source_id, "source_id"),
    )
    return Answer(201, requirement_out(row))


@router.put(
    "/{change_id}/needs/requirements/{requirement_id}",
    response={200: NeedsRequirementOut, **errors(400, 403, 404, 409)},
    summary="Change or withdraw a requirement (the needs version goes up)",
)
def update_requirement(
    request: HttpRequest, change_id: Id, requirement_id: Id, payload: NeedsRequirementUpdateIn
) -> dict[str, Any]:
    change = _change(request, change_id)
    row = _child(
        Requirement.objects.visible_to(current_user(request)),
        change,
        requirement_id,
        _("Requirement not found."),
    )
    updated = services.update_requirement(
        row,
        actor=current_user(request),
        expected_version=payload.version,
        text=payload.text,
        priority=payload.priority,
        acceptance_criteria=payload.acceptance_criteria,
        source=_stakeholder(request, change, payload.source_id, "source_id"),
        status=payload.status,
    )
    return requirement_out(updated)


@router.delete(
    "/{change_id}/needs/requirements/{requirement_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Remove a requirement entered by mistake (its code is not reused)",
)
def delete_requirement(
    request: HttpRequest, change_id: Id, requirement_id: Id, version: Int64
) -> Answer[None]:
    change = _change(request, change_id)
    row = _child(
        Requirement.objects.visible_to(current_user(request)),
        change,
        requirement_id,
        _("Requirement not found."),
    )
    services.delete_requirement(row, actor=current_user(request), expected_version=version)
    return Answer(204, None)


@router.get(
    "/{change_id}/needs/traceability",
    response={200: list[NeedsCoverageOut], **errors(403, 404)},
    summary="Each active requirement with the design sections that name it",
)
def traceability(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    """`covered` is false when no section of the newest version of a linked design names the code."""
    change = _change(request, change_id)
    return [coverage_out(row) for row in coverage_rows(change, current_user(request))]


# -- notes -------------------------------------------------------------------------------------------


@router.post(
    "/{change_id}/needs/notes",
    response={201: NeedsNoteOut, **errors(400, 403, 404, 409)},
    summary="Add the notes of an interview, meeting or workshop",
)
def add_note(request: HttpRequest, change_id: Id, payload: NeedsNoteIn) -> Answer[dict[str, Any]]:
    row = services.add_needs_note(
        _change(request, change_id),
        actor=current_user(request),
        held_on=payload.held_on,
        kind=payload.kind,
        participants=payload.participants,
        notes=payload.notes,
    )
    return Answer(201, note_out(row))


@router.put(
    "/{change_id}/needs/notes/{note_id}",
    response={200: NeedsNoteOut, **errors(400, 403, 404, 409)},
    summary="Change notes",
)
def update_note(
    request: HttpRequest, change_id: Id, note_id: Id, payload: NeedsNoteUpdateIn
) -> dict[str, Any]:
    change = _change(request, change_id)
    row = _child(NeedsNote.objects.visible_to(current_user(request)), change, note_id, _("Note not found."))
    updated = services.update_needs_note(
        row,
        actor=current_user(request),
        expected_version=payload.version,
        held_on=payload.held_on,
        kind=payload.kind,
        participants=payload.participants,
        notes=payload.notes,
    )
    return note_out(updated)


@router.delete(
    "/{change_id}/needs/notes/{note_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Remove notes",
)
def delete_note(request: HttpRequest, change_id: Id, note_id: Id) -> Answer[None]:
    change = _change(request, change_id)
    row = _child(NeedsNote.objects.visible_to(current_user(request)), change, note_id, _("Note not found."))
    services.delete_needs_note(row, actor=current_user(request))
    return Answer(204, None)


# -- questions ---------------------------------------------------------------------------------------


@router.post(
    "/{change_id}/needs/questions",
    response={201: NeedsQuestionOut, **errors(400, 403, 404, 409)},
    summary="Ask an open question",
)
def ask_question(request: HttpRequest, change_id: Id, payload: NeedsQuestionIn) -> Answer[dict[str, Any]]:
    change = _change(request, change_id)
    row = services.ask_question(
        change,
        actor=current_user(request),
        question=payload.question,
        asked_of=_stakeholder(request, change, payload.asked_of_id, "asked_of_id"),
    )
    return Answer(201, question_out(row))


@router.put(
    "/{change_id}/needs/questions/{question_id}",
    response={200: NeedsQuestionOut, **errors(400, 403, 404, 409)},
    summary="Answer a question (an empty answer opens it again)",
)
def answer_question(
    request: HttpRequest, change_id: Id, question_id: Id, payload: NeedsAnswerIn
) -> dict[str, Any]:
    change = _change(request, change_id)
    row = _child(
        OpenQuestion.objects.visible_to(current_user(request)), change, question_id, _("Question not found.")
    )
    updated = services.answer_question(
        row, actor=current_user(request), expected_version=payload.version, answer=payload.answer
    )
    return question_out(updated)


@router.delete(
    "/{change_id}/needs/questions/{question_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Remove a question",
)
def delete_question(request: HttpRequest, change_id: Id, question_id: Id) -> Answer[None]:
    change = _change(request, change_id)
    row = _child(
        OpenQuestion.objects.visible_to(current_user(request)), change, question_id, _("Question not found.")
    )
    services.delete_question(row, actor=current_user(request))
    return Answer(204, None)


# -- stakeholders ------------------------------------------------------------------------------------


@router.get(
    "/{change_id}/stakeholders",
    response={200: list[NeedsStakeholderOut], **errors(403, 404)},
    summary="A change's stakeholders",
)
def list_stakeholders(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    change = _change(request, change_id)
    rows = (
        Stakeholder.objects.visible_to(current_user(request)).filter(change=change).select_related("person")
    )
    return [stakeholder_out(s) for s in rows]


@router.post(
    "/{change_id}/stakeholders",
    response={201: NeedsStakeholderOut, **errors(400, 403, 404, 409)},
    summary="Add a stakeholder: a person, or a name with an e-mail address",
)
def add_stakeholder(
    request: HttpRequest, change_id: Id, payload: NeedsStakeholderIn
) -> Answer[dict[str, Any]]:
    change = _change(request, change_id)
    row = services.add_stakeholder(
        change,
        actor=current_user(request),
        person=get_row(User, payload.person_id, "person_id"),
        name=payload.name,
        email=payload.email,
        role=payload.role,
        interest=payload.interest,
    )
    return Answer(201, stakeholder_out(row))


@router.delete(
    "/{change_id}/stakeholders/{stakeholder_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Remove a stakeholder",
)
def remove_stakeholder(request: HttpRequest, change_id: Id, stakeholder_id: Id) -> Answer[None]:
    change = _change(request, change_id)
    row = _child(
        Stakeholder.objects.visible_to(current_user(request)),
        change,
        stakeholder_id,
        _("Stakeholder not found."),
    )
    services.remove_stakeholder(row, actor=current_user(request))
    return Answer(204, None)


# -- designs -----------------------------------------------------------------------------------------


def _design_answer(request: HttpRequest, change: Change, link: ChangeDesign) -> dict[str, Any]:
    for row in design_rows(change, current_user(request)):
        if row.link.pk == link.pk:
            return design_out(row)
    raise NotFound(_("Design not found."))


@router.post(
    "/{change_id}/designs",
    response={201: NeedsDesignOut, **errors(400, 403, 404, 409)},
    summary="A new functional or technical design from its template, linked to the change",
)
def new_design(request: HttpRequest, change_id: Id, payload: NeedsDesignNewIn) -> Answer[dict[str, Any]]:
    change = _change(request, change_id)
    link = services.create_design(change, actor=current_user(request), kind=payload.kind, title=payload.title)
    return Answer(201, _design_answer(request, change, link))


@router.post(
    "/{change_id}/designs/link",
    response={201: NeedsDesignOut, **errors(400, 403, 404, 409)},
    summary="Link an existing design",
)
def link_design(request: HttpRequest, change_id: Id, payload: NeedsDesignLinkIn) -> Answer[dict[str, Any]]:
    change = _change(request, change_id)
    article = Article.objects.visible_to(current_user(request)).filter(pk=payload.article_id).first()
    if article is None:
        raise NotFound(_("Design not found."), field_errors={"article_id": _("Design not found.")})
    link = services.link_design(change, actor=current_user(request), article=article)
    return Answer(201, _design_answer(request, change, link))


@router.delete(
    "/{change_id}/designs/{link_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Unlink a design (it stays in the knowledge base)",
)
def unlink_design(request: HttpRequest, change_id: Id, link_id: Id) -> Answer[None]:
    change = _change(request, change_id)
    row = _child(
        ChangeDesign.objects.visible_to(current_user(request)), change, link_id, _("Design not found.")
    )
    services.unlink_design(row, actor=current_user(request))
    return Answer(204, None)


# -- the portal --------------------------------------------------------------------------------------


def _own(request: HttpRequest, change_id: int) -> Change:
    """One of the person's own changes (requested or client of; for staff too: the portal is theirs)."""
    user = current_user(request)
    found = Change.objects.filter(Q(requester_id=user.pk) | Q(client_id=user.pk), pk=change_id).first()
    if found is None:
        raise NotFound(_("Change not found."))
    return found


def portal_needs_out(request: HttpRequest, change: Change) -> dict[str, Any]:
    needs = portal_needs(change, current_user(request))
    return {
        "version": needs.status.version,
        "requirements": [
            {
                "code": r.code,
                "text": r.text,
                "priority": r.priority,
                "acceptance_criteria": r.acceptance_criteria,
            }
            for r in needs.requirements
        ],
        "questions": [
            {"id": q.pk, "question": q.question, "answer": q.answer, "status": q.status}
            for q in needs.questions
        ],
        "designs_waiting": [
            {
                "version_id": v.pk,
                "title": v.title,
                "kind": v.article.kind,
                "number": v.number,
                "url": reverse("portal-design", args=[v.pk]),
            }
            for v in needs.designs
        ],
        "can_decide": needs.can_decide,
        "my_decision": decision_out(needs.my_decision, needs.status.version),
    }


@portal_router.get(
    "/{change_id}/needs",
    response={200: PortalNeedsOut, **errors(403, 404)},
    summary="The needs of your change",
)
def portal_get_needs(request: HttpRequest, change_id: Id) -> dict[str, Any]:
    """The active requirements, the questions asked of you and the designs waiting for your
    approval; nothing internal."""
    return portal_needs_out(request, _own(request, change_id))


@portal_router.post(
    "/{change_id}/needs/decision",
    response={200: PortalNeedsOut, **errors(400, 403, 404, 409)},
    summary="Approve or reject the needs and the work planning (the client only)",
)
def portal_decide_needs(
    request: HttpRequest, change_id: Id, payload: PortalNeedsDecisionIn
) -> dict[str, Any]:
    """Send the needs version you read: 409 when the needs changed since. A rejection needs a comment."""
    change = _own(request, change_id)
    services.decide_needs(
        change,
        actor=current_user(request),
        needs_version=payload.needs_version,
        approve=payload.decision == "approve",
        comment=payload.comment,
    )
    return portal_needs_out(request, _own(request, change_id))


class PortalPlanActivityOut(Schema):
    title: str
    planned_start: datetime | None
    planned_end: datetime | None
    done: bool


class PortalPlanOut(Schema):
    plan_version: int
    activities: list[PortalPlanActivityOut]
    approved_at: datetime | None
    approved_by: str | None
    can_approve: bool


class PortalPlanApproveIn(Schema):
    plan_version: int = Field(ge=1, le=2**31 - 1, description="The plan version you read")
    comment: Text = Field("", max_length=4000)


def _client_change(request: HttpRequest, change_id: int) -> Change:
    """A change whose client is the signed-in person (the plan is for the client to approve)."""
    found = Change.objects.filter(client_id=current_user(request).pk, pk=change_id).first()
    if found is None:
        raise NotFound(_("Change not found."))
    return found


def portal_plan_out(request: HttpRequest, change: Change) -> dict[str, Any]:
    user = current_user(request)
    version = plan_version(change)
    rows = list(
        ChangeActivity.objects.planned_for_client(user)
        .filter(change=change)
        .order_by("planned_start", "order", "id")[:MAX_ROWS]
    )
    approval = (
        PlanApproval.objects.filter(change=change, plan_version=version)
        .select_related("approved_by")
        .order_by("-approved_at")
        .first()
    )
    return {
        "plan_version": version,
        "activities": [
            {
                "title": a.title,
                "planned_start": a.planned_start,
                "planned_end": a.planned_end,
                "done": bool(a.done_at),
            }
            for a in rows
        ],
        "approved_at": approval.approved_at if approval else None,
        "approved_by": str(approval.approved_by) if approval and approval.approved_by else None,
        "can_approve": approval is None and bool(rows) and change.status == "open",
    }


@portal_router.get(
    "/{change_id}/plan",
    response={200: PortalPlanOut, **errors(403, 404)},
    summary="The plan of the change you are the client of",
)
def portal_get_plan(request: HttpRequest, change_id: Id) -> dict[str, Any]:
    """The activities with their dates and whether this version of the plan is approved; nothing
    internal (no assignees, estimates or means)."""
    return portal_plan_out(request, _client_change(request, change_id))


@portal_router.post(
    "/{change_id}/plan/approve",
    response={200: PortalPlanOut, **errors(400, 403, 404, 409)},
    summary="Approve the plan (the client only)",
)
def portal_approve_plan(request: HttpRequest, change_id: Id, payload: PortalPlanApproveIn) -> dict[str, Any]:
    """Send the plan version you read: 409 when the plan changed since."""
    change = _client_change(request, change_id)
    services.approve_plan(
        change,
        actor=current_user(request),
        expected_plan_version=payload.plan_version,
        comment=payload.comment,
    )
    return portal_plan_out(request, change)
