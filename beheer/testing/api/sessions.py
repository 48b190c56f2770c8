"""JSON adapter for acceptance sessions: staff plan them, add the users and their cases, invite,
advise and cancel (/api/v1/testing); invited users carry out their own cases and answer, the change's
client reads every result and signs off (/api/v1/portal/acceptance)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status as Answer

from beheer.accounts.models import User
from beheer.changes.models import Change
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import version_sent
from beheer.core.errors import DomainError, NotFound
from beheer.core.schemas import Id, errors
from beheer.knowledge.models import Article

from ..models import AcceptanceSession, ParticipantCase, SessionParticipant, TestCase
from ..schemas_sessions import (
    AcceptancePortalAnswerIn,
    AcceptancePortalCaseOut,
    AcceptancePortalCompleteIn,
    AcceptancePortalResultsOut,
    AcceptancePortalSessionOut,
    AcceptancePortalSignOffIn,
    AcceptancePortalStepsIn,
    AcceptanceSessionAdviceIn,
    AcceptanceSessionCasesIn,
    AcceptanceSessionDetailOut,
    AcceptanceSessionIn,
    AcceptanceSessionInviteOut,
    AcceptanceSessionOut,
    AcceptanceSessionParticipantIn,
    AcceptanceSessionParticipantOut,
    AcceptanceSessionUpdateIn,
)
from ..services import _base
from ..services import sessions as services
from ..views.portal import my_sessions, own_case, portal_session, steps_of

router = access.declare(Router(tags=["testing"]), access.STAFF)

portal_router = access.declare(Router(tags=["portal"]), access.SIGNED_IN)

MAX_ROWS = 200


def _ref(pk: int, name: str) -> dict[str, Any]:
    return {"id": pk, "name": name}


def session_out(s: AcceptanceSession) -> dict[str, Any]:
    change = s.plan.change
    return {
        "id": s.pk,
        "change": _ref(change.pk, f"{change.number} {change.title}"),
        "title": s.title,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "place": s.place,
        "online_link": s.online_link,
        "introduction": s.introduction,
        "instructions": [_ref(a.pk, a.title) for a in s.instructions.all()],
        "status": s.status,
        "invited_at": s.invited_at,
        "advice": s.advice,
        "advice_text": s.advice_text,
        "advised_at": s.advised_at,
        "sign_off": s.sign_off,
        "sign_off_comment": s.sign_off_comment,
        "signed_off_by": _ref(s.signed_off_by.pk, str(s.signed_off_by)) if s.signed_off_by else None,
        "signed_off_at": s.signed_off_at,
        "version": s.version,
    }


def case_out(pc: ParticipantCase) -> dict[str, Any]:
    return {
        "id": pc.pk,
        "case_id": pc.case_id,
        "code": pc.case.code,
        "title": pc.case.title,
        "outcome": pc.outcome,
        "remark": pc.remark,
        "steps": list(pc.steps or []),
        "started_at": pc.started_at,
        "completed_at": pc.completed_at,
        "version": pc.version,
    }


def participant_out(p: SessionParticipant) -> dict[str, Any]:
    return {
        "id": p.pk,
        "person": _ref(p.person.pk, str(p.person)),
        "invited_at": p.invited_at,
        "could_work": p.could_work,
        "could_work_remark": p.could_work_remark,
        "answered_at": p.answered_at,
        "cases": [case_out(pc) for pc in p.cases.all()],
    }


def _sessions(request: HttpRequest) -> Any:
    return (
        AcceptanceSession.objects.visible_to(current_user(request))
        .select_related("plan__change", "signed_off_by")
        .prefetch_related(Prefetch("instructions", queryset=Article.objects.order_by("title", "id")))
    )


def _session(request: HttpRequest, session_id: int) -> AcceptanceSession:
    found = _sessions(request).filter(pk=session_id).first()
    if found is None:
        raise NotFound(_("Acceptance session not found."))
    return found


def _detail(request: HttpRequest, session_id: int) -> dict[str, Any]:
    session = _session(request, session_id)
    participants = (
        SessionParticipant.objects.visible_to(current_user(request))
        .filter(session=session)
        .select_related("person")
        .prefetch_related(Prefetch("cases", queryset=ParticipantCase.objects.select_related("case")))
        .order_by("id")[: services.MAX_PARTICIPANTS]
    )
    return {**session_out(session), "participants": [participant_out(p) for p in participants]}


def _change(request: HttpRequest, change_id: int) -> Change:
    found = Change.objects.visible_to(current_user(request)).filter(pk=change_id).first()
    if found is None:
        raise NotFound(_("Change not found."))
    return found


def _articles(ids: list[int]) -> list[Article]:
    rows = list(Article.objects.filter(pk__in=set(ids)))
    if len(rows) != len(set(ids)):
        message = _("Unknown knowledge article.")
        raise DomainError(message, field_errors={"instruction_ids": message})
    return rows


def _test_cases(session: AcceptanceSession, ids: list[int]) -> list[TestCase]:
    rows = list(TestCase.objects.filter(plan_id=session.plan_id, pk__in=set(ids)))
    if len(rows) != len(set(ids)):
        message = _("Choose active test cases of this test plan.")
        raise DomainError(message, field_errors={"case_ids": message})
    return rows


def _participant(request: HttpRequest, participant_id: int) -> SessionParticipant:
    found = (
        SessionParticipant.objects.visible_to(current_user(request))
        .filter(pk=participant_id)
        .select_related("session__plan__change")
        .first()
    )
    if found is None:
        raise NotFound(_("Participant not found."))
    return found


@router.get(
    "/changes/{change_id}/sessions",
    response={200: list[AcceptanceSessionOut], **errors(403, 404)},
    summary="The acceptance sessions of a change (latest 200)",
)
def list_sessions(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    change = _change(request, change_id)
    rows = _sessions(request).filter(plan__change=change).order_by("-starts_at", "-id")[:MAX_ROWS]
    return [session_out(s) for s in rows]


@router.post(
    "/changes/{change_id}/sessions",
    response={201: AcceptanceSessionDetailOut, **errors(400, 403, 404, 409)},
    summary="Plan an acceptance session",
)
def create_session(
    request: HttpRequest, change_id: Id, payload: AcceptanceSessionIn
) -> Answer[dict[str, Any]]:
    user = current_user(request)
    plan = _base.plan_of(_change(request, change_id), actor=user)
    session = services.create_session(
        plan,
        actor=user,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=payload.place,
        online_link=payload.online_link,
        introduction=payload.introduction,
        instructions=_articles(payload.instruction_ids),
    )
    return Answer(201, _detail(request, session.pk))


@router.get(
    "/sessions/{session_id}",
    response={200: AcceptanceSessionDetailOut, **errors(403, 404)},
    summary="An acceptance session with its users, their cases and results",
)
def get_session(request: HttpRequest, session_id: Id) -> dict[str, Any]:
    return _detail(request, session_id)


@router.put(
    "/sessions/{session_id}",
    response={200: AcceptanceSessionDetailOut, **errors(400, 403, 404, 409)},
    summary="Change an acceptance session",
)
def update_session(
    request: HttpRequest, session_id: Id, payload: AcceptanceSessionUpdateIn
) -> dict[str, Any]:
    session = _session(request, session_id)
    services.update_session(
        session,
        actor=current_user(request),
        expected_version=version_sent(payload.version),
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=payload.place,
        online_link=payload.online_link,
        introduction=payload.introduction,
        instructions=_articles(payload.instruction_ids),
    )
    return _detail(request, session_id)


@router.post(
    "/sessions/{session_id}/participants",
    response={201: AcceptanceSessionParticipantOut, **errors(400, 403, 404, 409)},
    summary="Add a user with the cases they carry out",
)
def add_participant(
    request: HttpRequest, session_id: Id, payload: AcceptanceSessionParticipantIn
) -> Answer[dict[str, Any]]:
    session = _session(request, session_id)
    person = User.objects.filter(pk=payload.person_id, is_active=True).first()
    if person is None:
        message = _("Choose an active user.")
        raise DomainError(message, field_errors={"person_id": message})
    row = services.add_participant(
        session, actor=current_user(request), person=person, cases=_test_cases(session, payload.case_ids)
    )
    return Answer(201, participant_out(_participant(request, row.pk)))


@router.put(
    "/participants/{participant_id}/cases",
    response={200: AcceptanceSessionParticipantOut, **errors(400, 403, 404, 409)},
    summary="The cases a user carries out",
)
def set_cases(request: HttpRequest, participant_id: Id, payload: AcceptanceSessionCasesIn) -> dict[str, Any]:
    participant = _participant(request, participant_id)
    services.set_participant_cases(
        participant, actor=current_user(request), cases=_test_cases(participant.session, payload.case_ids)
    )
    return participant_out(_participant(request, participant_id))


@router.delete(
    "/participants/{participant_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Take a user out of the session",
)
def remove_participant(request: HttpRequest, participant_id: Id) -> Answer[None]:
    services.remove_participant(_participant(request, participant_id), actor=current_user(request))
    return Answer(204, None)


@router.post(
    "/sessions/{session_id}/invite",
    response={200: AcceptanceSessionInviteOut, **errors(400, 403, 404, 409)},
    summary="Mail the users not invited yet",
)
def invite(request: HttpRequest, session_id: Id) -> dict[str, Any]:
    return {"invited": services.invite(_session(request, session_id), actor=current_user(request))}


@router.post(
    "/sessions/{session_id}/advice",
    response={200: AcceptanceSessionDetailOut, **errors(400, 403, 404, 409)},
    summary="Give the acceptance advice (the client is asked to sign off)",
)
def advise(request: HttpRequest, session_id: Id, payload: AcceptanceSessionAdviceIn) -> dict[str, Any]:
    services.give_session_advice(
        _session(request, session_id),
        actor=current_user(request),
        expected_version=version_sent(payload.version),
        advice=payload.advice,
        text=payload.text,
    )
    return _detail(request, session_id)


@router.post(
    "/sessions/{session_id}/cancel",
    response={200: AcceptanceSessionDetailOut, **errors(403, 404, 409)},
    summary="Cancel an acceptance session",
)
def cancel(request: HttpRequest, session_id: Id) -> dict[str, Any]:
    services.cancel_session(_session(request, session_id), actor=current_user(request))
    return _detail(request, session_id)


# -- the portal ---------------------------------------------------------------------------------------


def _portal_session(request: HttpRequest, session_id: int) -> AcceptanceSession:
    found = portal_session(current_user(request), session_id)
    if found is None:
        raise NotFound(_("Acceptance session not found."))
    return found


def portal_session_out(request: HttpRequest, s: AcceptanceSession) -> dict[str, Any]:
    user = current_user(request)
    change = s.plan.change
    mine = SessionParticipant.objects.filter(session=s, person_id=user.pk).first()
    is_client = change.client_id == user.pk
    return {
        "id": s.pk,
        "change": _ref(change.pk, f"{change.number} {change.title}"),
        "title": s.title,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "place": s.place,
        "online_link": s.online_link,
        "introduction": s.introduction,
        "organiser": str(s.created_by) if s.created_by else "",
        "instructions": [_ref(a.pk, a.title) for a in s.instructions.order_by("title", "id")],
        "status": s.status,
        "is_client": is_client,
        "could_work": mine.could_work if mine else None,
        "advice": s.advice if is_client else None,
        "sign_off": s.sign_off,
        "signed_off_at": s.signed_off_at,
    }


def portal_case_out(pc: ParticipantCase) -> dict[str, Any]:
    return {
        "id": pc.pk,
        "title": pc.case.title,
        "preconditions": pc.case.preconditions,
        "outcome": pc.outcome,
        "remark": pc.remark,
        "steps": [
            {
                "action": s["action"],
                "expected": s["expected"],
                "done": s["done"],
                "ok": s["ok"],
                "remark": s["remark"],
            }
            for s in steps_of(pc)
        ],
        "screenshots": [_ref(s.pk, s.original_name) for s in pc.screenshots.all()[:20]],
        "version": pc.version,
    }


def _own_case(request: HttpRequest, session_id: int, pc_id: int) -> ParticipantCase:
    session = _portal_session(request, session_id)
    found = own_case(current_user(request), session.pk, pc_id)
    if found is None:
        raise NotFound(_("Test case not found."))
    return found


@portal_router.get(
    "", response={200: list[AcceptancePortalSessionOut], **errors(403)}, summary="Your acceptance sessions"
)
def my_session_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = current_user(request)
    rows = (
        AcceptanceSession.objects.filter(pk__in=my_sessions(user).values("pk"))
        .select_related("plan__change", "created_by")
        .order_by("-starts_at", "-id")[:100]
    )
    return [portal_session_out(request, s) for s in rows]


@portal_router.get(
    "/{session_id}",
    response={200: AcceptancePortalSessionOut, **errors(403, 404)},
    summary="One of your sessions",
)
def my_session(request: HttpRequest, session_id: Id) -> dict[str, Any]:
    return portal_session_out(request, _portal_session(request, session_id))


@portal_router.get(
    "/{session_id}/cases",
    response={200: list[AcceptancePortalCaseOut], **errors(403, 404)},
    summary="Your own cases of the session",
)
def my_cases(request: HttpRequest, session_id: Id) -> list[dict[str, Any]]:
    session = _portal_session(request, session_id)
    rows = (
        ParticipantCase.objects.own(current_user(request))
        .filter(participant__session=session)
        .select_related("case")
        .prefetch_related("screenshots")[: services.MAX_CASES]
    )
    return [portal_case_out(pc) for pc in rows]


@portal_router.get(
    "/{session_id}/cases/{pc_id}",
    response={200: AcceptancePortalCaseOut, **errors(403, 404)},
    summary="One of your cases",
)
def my_case(request: HttpRequest, session_id: Id, pc_id: Id) -> dict[str, Any]:
    return portal_case_out(_own_case(request, session_id, pc_id))


@portal_router.put(
    "/{session_id}/cases/{pc_id}/steps",
    response={200: AcceptancePortalCaseOut, **errors(400, 403, 404, 409)},
    summary="Your marks on every step of a case",
)
def save_steps(
    request: HttpRequest, session_id: Id, pc_id: Id, payload: AcceptancePortalStepsIn
) -> dict[str, Any]:
    pc = _own_case(request, session_id, pc_id)
    services.save_steps(
        pc,
        actor=current_user(request),
        expected_version=version_sent(payload.version),
        steps=[services.StepAnswer(done=s.done, ok=s.ok, remark=s.remark) for s in payload.steps],
    )
    return portal_case_out(_own_case(request, session_id, pc_id))


@portal_router.post(
    "/{session_id}/cases/{pc_id}/complete",
    response={200: AcceptancePortalCaseOut, **errors(400, 403, 404, 409)},
    summary="Your result of a case (a failed or blocked one needs a remark)",
)
def complete(
    request: HttpRequest, session_id: Id, pc_id: Id, payload: AcceptancePortalCompleteIn
) -> dict[str, Any]:
    pc = _own_case(request, session_id, pc_id)
    services.complete_case(
        pc,
        actor=current_user(request),
        expected_version=version_sent(payload.version),
        outcome=payload.outcome,
        remark=payload.remark,
    )
    return portal_case_out(_own_case(request, session_id, pc_id))


@portal_router.post(
    "/{session_id}/answer",
    response={200: AcceptancePortalSessionOut, **errors(400, 403, 404, 409)},
    summary="Could you work with the new part?",
)
def answer(request: HttpRequest, session_id: Id, payload: AcceptancePortalAnswerIn) -> dict[str, Any]:
    session = _portal_session(request, session_id)
    mine = SessionParticipant.objects.filter(session=session, person_id=current_user(request).pk).first()
    if mine is None:
        raise NotFound(_("Acceptance session not found."))
    services.answer_could_work(
        mine, actor=current_user(request), answer=payload.answer, remark=payload.remark
    )
    return portal_session_out(request, _portal_session(request, session_id))


@portal_router.post(
    "/{session_id}/sign-off",
    response={200: AcceptancePortalSessionOut, **errors(400, 403, 404, 409)},
    summary="Sign the acceptance off (the change's client only)",
)
def sign_off(request: HttpRequest, session_id: Id, payload: AcceptancePortalSignOffIn) -> dict[str, Any]:
    session = _portal_session(request, session_id)
    services.sign_off(
        session, actor=current_user(request), decision=payload.decision, comment=payload.comment
    )
    return portal_session_out(request, _portal_session(request, session_id))


@portal_router.get(
    "/{session_id}/results",
    response={200: AcceptancePortalResultsOut, **errors(403, 404)},
    summary="Every user's results, the findings' titles and the advice (the change's client only)",
)
def results(request: HttpRequest, session_id: Id) -> dict[str, Any]:
    session = _portal_session(request, session_id)
    if session.plan.change.client_id != current_user(request).pk:
        raise NotFound(_("Acceptance session not found."))
    found = services.session_results(session)
    out = []
    for row in found.rows:
        for participant, cell in zip(found.participants, row.cells, strict=True):
            if cell is not None:
                out.append(
                    {
                        "participant": _ref(participant.pk, str(participant.person)),
                        "case": _ref(row.case.pk, row.case.title),
                        "outcome": cell.outcome,
                        "remark": cell.remark,
                    }
                )
    return {
        "results": out,
        "could_work": [
            {"participant": str(p.person), "answer": p.could_work, "remark": p.could_work_remark}
            for p in found.participants
        ],
        "findings": [f.title for f in found.findings],
        "advice": session.advice,
        "advice_text": session.advice_text,
    }
