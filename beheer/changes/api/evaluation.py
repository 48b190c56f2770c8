"""JSON adapter for the evaluation of a change: feedback requests, findings and lessons, follow-up
actions and their conversion, the advice and the final report (staff, /api/v1/change-evaluation);
and the feedback asked of the signed-in person (/api/v1/portal/change-feedback)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router
from ninja.responses import Status as Answer

from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.api_helpers import ref
from beheer.core.errors import DomainError, NotFound
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import Id, TextLine, errors

from .. import services
from ..models import Change, FeedbackRequest, Finding, FollowUp, Stakeholder
from ..schemas_evaluation import (
    ChangeAdviceIn,
    ChangeEvaluationOut,
    ChangeFeedbackAnswerIn,
    ChangeFeedbackRequestIn,
    ChangeFeedbackRequestOut,
    ChangeFeedbackRequestPage,
    ChangeFindingIn,
    ChangeFindingOut,
    ChangeFollowUpConvertIn,
    ChangeFollowUpIn,
    ChangeFollowUpOut,
    ChangeMyFeedbackOut,
    FindingKindIn,
)
from ..services import evaluation as ev
from ..services import report

router = access.declare(
    Router(tags=["changes"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("Changes are for operators.")),
)
portal_router = access.declare(Router(tags=["portal"]), access.SIGNED_IN)

MAX_ROWS = 200
PAGE_SIZE = 50


def _change(request: HttpRequest, pk: int) -> Change:
    found = Change.objects.visible_to(current_user(request)).select_related("phase").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Change not found."))
    return found


def request_out(r: FeedbackRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "stakeholder_id": r.stakeholder_id,
        "person": ref(r.person),
        "name": r.name,
        "requested_at": r.requested_at,
        "expires_at": r.expires_at,
        "answered_at": r.answered_at,
        "satisfaction": r.satisfaction,
        "went_well": r.went_well,
        "could_be_better": r.could_be_better,
        "may_contact": r.may_contact,
    }


def finding_out(f: Finding) -> dict[str, Any]:
    return {
        "id": f.pk,
        "kind": f.kind,
        "category": f.category,
        "text": f.text,
        "created_at": f.created_at,
        "created_by": ref(f.created_by),
    }


def follow_up_out(f: FollowUp) -> dict[str, Any]:
    return {
        "id": f.pk,
        "title": f.title,
        "description": f.description,
        "converted_to": f.converted_to,
        "converted_at": f.converted_at,
        "melding": ref(f.melding, name=f.melding.number) if f.melding else None,
        "new_change": ref(f.new_change, name=f.new_change.number) if f.new_change else None,
        "article": {"id": f.article_id, "name": f"KB-{f.article_id}"} if f.article_id else None,
    }


def _findings(request: HttpRequest, change: Change, kind: str | None = None) -> list[Finding]:
    rows = (
        Finding.objects.visible_to(current_user(request)).filter(change=change).select_related("created_by")
    )
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("id")[:MAX_ROWS])


def _follow_ups(request: HttpRequest, change: Change) -> list[FollowUp]:
    rows = FollowUp.objects.visible_to(current_user(request)).filter(change=change).with_targets()
    return list(rows.order_by("id")[:MAX_ROWS])


@router.get(
    "/{change_id}", response={200: ChangeEvaluationOut, **errors(403, 404)}, summary="A change's evaluation"
)
def get_evaluation(request: HttpRequest, change_id: Id) -> dict[str, Any]:
    """The feedback summary, the findings and lessons, the follow-up actions and the advice with
    its version (0 before anybody wrote one)."""
    change = _change(request, change_id)
    row = ev.evaluation_of(change)
    return {
        "change": {"id": change.pk, "name": f"{change.number} {change.title}"},
        "can_evaluate": ev.can_evaluate(change),
        "advice": row.advice if row else "",
        "version": row.version if row else 0,
        "summary": FeedbackRequest.objects.visible_to(current_user(request)).filter(change=change).summary(),
        "findings": [finding_out(f) for f in _findings(request, change)],
        "follow_ups": [follow_up_out(f) for f in _follow_ups(request, change)],
    }


@router.get(
    "/{change_id}/feedback-requests",
    response={200: ChangeFeedbackRequestPage, **errors(400, 403, 404)},
    summary="Feedback requests and their answers, oldest first",
)
def list_feedback_requests(
    request: HttpRequest, change_id: Id, cursor: TextLine | None = None
) -> dict[str, Any]:
    change = _change(request, change_id)
    rows = (
        FeedbackRequest.objects.visible_to(current_user(request))
        .filter(change=change)
        .select_related("person")
    )
    page = keyset_page(rows, (SortKey("id"),), cursor=cursor, size=PAGE_SIZE)
    return {"items": [request_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/{change_id}/feedback-requests",
    response={201: list[ChangeFeedbackRequestOut], **errors(400, 403, 404, 409)},
    summary="Ask stakeholders for feedback",
)
def request_feedback(
    request: HttpRequest, change_id: Id, payload: ChangeFeedbackRequestIn
) -> Answer[list[dict[str, Any]]]:
    """One request per stakeholder, each mailed a personal link; a stakeholder with an open request
    is skipped (the answer lists the requests made)."""
    change = _change(request, change_id)
    ids = set(payload.stakeholder_ids)
    rows = list(Stakeholder.objects.visible_to(current_user(request)).filter(change=change, pk__in=ids))
    if len(rows) != len(ids):
        message = _("Choose stakeholders of this change.")
        raise DomainError(message, field_errors={"stakeholder_ids": message})
    made = services.request_feedback(change, actor=current_user(request), stakeholders=rows)
    return Answer(201, [request_out(r) for r in made])


@router.get(
    "/{change_id}/findings",
    response={200: list[ChangeFindingOut], **errors(403, 404)},
    summary="Findings and lessons learned (kind=finding or lesson)",
)
def list_findings(
    request: HttpRequest, change_id: Id, kind: FindingKindIn | None = None
) -> list[dict[str, Any]]:
    return [finding_out(f) for f in _findings(request, _change(request, change_id), kind)]


@router.post(
    "/{change_id}/findings",
    response={201: ChangeFindingOut, **errors(400, 403, 404, 409)},
    summary="Add a finding or a lesson learned",
)
def add_finding(request: HttpRequest, change_id: Id, payload: ChangeFindingIn) -> Answer[dict[str, Any]]:
    finding = services.add_finding(
        _change(request, change_id),
        actor=current_user(request),
        kind=payload.kind,
        category=payload.category,
        text=payload.text,
    )
    return Answer(201, finding_out(finding))


@router.delete(
    "/{change_id}/findings/{finding_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Remove a finding or lesson",
)
def remove_finding(request: HttpRequest, change_id: Id, finding_id: Id) -> Answer[None]:
    change = _change(request, change_id)
    finding = Finding.objects.visible_to(current_user(request)).filter(change=change, pk=finding_id).first()
    if finding is None:
        raise NotFound(_("Finding not found."))
    finding.change = change
    services.remove_finding(finding, actor=current_user(request))
    return Answer(204, None)


@router.get(
    "/{change_id}/follow-ups",
    response={200: list[ChangeFollowUpOut], **errors(403, 404)},
    summary="Follow-up actions",
)
def list_follow_ups(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    return [follow_up_out(f) for f in _follow_ups(request, _change(request, change_id))]


@router.post(
    "/{change_id}/follow-ups",
    response={201: ChangeFollowUpOut, **errors(400, 403, 404, 409)},
    summary="Add a follow-up action",
)
def add_follow_up(request: HttpRequest, change_id: Id, payload: ChangeFollowUpIn) -> Answer[dict[str, Any]]:
    row = services.add_follow_up(
        _change(request, change_id),
        actor=current_user(request),
        title=payload.title,
        description=payload.description,
    )
    return Answer(201, follow_up_out(row))


@router.post(
    "/{change_id}/follow-ups/{follow_up_id}/convert",
    response={200: ChangeFollowUpOut, **errors(400, 403, 404, 409)},
    summary="Turn a follow-up action into a call, a change or a knowledge article draft (once)",
)
def convert_follow_up(
    request: HttpRequest, change_id: Id, follow_up_id: Id, payload: ChangeFollowUpConvertIn
) -> dict[str, Any]:
    """409 when the follow-up action has already been converted."""
    change = _change(request, change_id)
    row = FollowUp.objects.visible_to(current_user(request)).filter(change=change, pk=follow_up_id).first()
    if row is None:
        raise NotFound(_("Follow-up action not found."))
    row.change = change
    done = services.convert_follow_up(row, actor=current_user(request), to=payload.to)
    return follow_up_out(FollowUp.objects.with_targets().get(pk=done.pk))


@router.put(
    "/{change_id}/advice",
    response={200: ChangeEvaluationOut, **errors(400, 403, 404, 409)},
    summary="Write the advice of the final report",
)
def set_advice(request: HttpRequest, change_id: Id, payload: ChangeAdviceIn) -> dict[str, Any]:
    """Send the version of the evaluation you read (0 when there was none); 409 when somebody else
    saved in the meantime."""
    change = _change(request, change_id)
    services.set_advice(
        change, actor=current_user(request), advice=payload.advice, expected_version=payload.version
    )
    return get_evaluation(request, change_id)


@router.get(
    "/{change_id}/report.pdf",
    response={200: None, **errors(403, 404)},
    summary="The final report as a PDF",
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def report_pdf(request: HttpRequest, change_id: Id) -> HttpResponse:
    change = _change(request, change_id)
    content = report.final_report(change, user=current_user(request), generated=clock.now())
    response = HttpResponse(report.report_pdf(content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{change.number}-final-report.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# -- the portal: feedback asked of the signed-in person -----------------------------------------------


def _mine(request: HttpRequest) -> Any:
    user = current_user(request)
    return FeedbackRequest.objects.visible_to(user).filter(person_id=user.pk).select_related("change")


def my_feedback_out(r: FeedbackRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "change": {"id": r.change.pk, "name": f"{r.change.number} {r.change.title}"},
        "requested_at": r.requested_at,
        "expires_at": r.expires_at,
        "answered_at": r.answered_at,
        "open": r.answered_at is None and not ev.is_expired(r),
        "satisfaction": r.satisfaction,
        "went_well": r.went_well,
        "could_be_better": r.could_be_better,
        "may_contact": r.may_contact,
    }


@portal_router.get(
    "", response={200: list[ChangeMyFeedbackOut], **errors(403)}, summary="Feedback asked of you (latest 100)"
)
def my_feedback(request: HttpRequest) -> list[dict[str, Any]]:
    return [my_feedback_out(r) for r in _mine(request).order_by("-requested_at", "-id")[:100]]


@portal_router.post(
    "/{request_id}/answer",
    response={200: ChangeMyFeedbackOut, **errors(400, 403, 404, 409)},
    summary="Give your feedback (once)",
)
def answer(request: HttpRequest, request_id: Id, payload: ChangeFeedbackAnswerIn) -> dict[str, Any]:
    found = _mine(request).filter(pk=request_id).first()
    if found is None:
        raise NotFound(_("Feedback request not found."))
    services.answer_feedback(
        found,
        actor=current_user(request),
        satisfaction=payload.satisfaction,
        went_well=payload.went_well,
        could_be_better=payload.could_be_better,
        may_contact=payload.may_contact,
    )
    return my_feedback_out(_mine(request).get(pk=request_id))
