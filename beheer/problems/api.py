"""JSON adapter over the problem services, mounted under /api/v1/problems. Operators only: anyone else
gets 403 on every endpoint. Thin: authenticate, parse, call one service, serialise."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup, User
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import act, get_row, ref
from beheer.core.errors import DomainError, NotFound
from beheer.core.pagination import keyset_page
from beheer.core.schemas import Id, errors
from beheer.knowledge.models import Article
from beheer.servicedesk.models import Impact, Melding, Urgency

from . import services
from .models import Problem, ProblemHistoryEntry, ProblemStatus
from .queries import ORDER, filter_problems, open_counts
from .schemas import (
    HistoryOut,
    LinkArticleIn,
    LinkMeldingIn,
    ProblemArticleIn,
    ProblemAssignIn,
    ProblemCreate,
    ProblemDetailOut,
    ProblemListParams,
    ProblemPage,
    ProblemReopenIn,
    ProblemResolveIn,
    ProblemUpdate,
    ProblemVersionIn,
    ResolveOut,
)

router = access.declare(Router(tags=["problems"]), access.OPERATORS_ONLY)
MAX_ID = 2**63 - 1


# --------------------------------------------------------------------------------------------------
# helpers


def _operator(pk: int | None) -> User | None:
    return get_row(User, pk, "operator_id", rows=User.objects.operators())


def _problem(request: HttpRequest, problem_id: int) -> Problem:
    user = current_user(request)
    problem = (
        Problem.objects.visible_to(user)
        .select_related("impact", "urgency", "priority", "operator_group", "operator")
        .filter(pk=problem_id if 1 <= problem_id <= MAX_ID else 0)
        .first()
    )
    if problem is None:
        raise NotFound(_("Problem not found."))
    return problem


def _melding(request: HttpRequest, melding_id: int) -> Melding:
    pk = melding_id if 1 <= melding_id <= MAX_ID else 0
    melding = Melding.objects.visible_to(request.user).filter(pk=pk).first()
    if melding is None:
        message = _("Call not found.")
        raise NotFound(message, field_errors={"melding_id": message})
    return melding


def problem_out(p: Problem, counts: tuple[int, int]) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "title": p.title,
        "status": p.status,
        "priority": {**(ref(p.priority) or {}), "level": p.priority.level},
        "operator_group": ref(p.operator_group),
        "operator": ref(p.operator),
        "open_meldingen": counts[0],
        "linked_meldingen": counts[1],
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "version": p.version,
    }


def _detail(request: HttpRequest, problem_id: int) -> dict[str, Any]:
    p = _problem(request, problem_id)
    linked = list(
        Melding.objects.visible_to(request.user)
        .filter(problem_link__problem=p)
        .select_related("status")
        .order_by("id")[:500]
    )
    counts = (sum(1 for m in linked if m.is_open), len(linked))
    return {
        **problem_out(p, counts),
        "description": p.description,
        "impact": ref(p.impact),
        "urgency": ref(p.urgency),
        "root_cause": p.root_cause,
        "workaround": p.workaround,
        "solution": p.solution,
        "known_error_article_id": p.known_error_article_id,
        "resolved_at": p.resolved_at,
        "closed_at": p.closed_at,
        "meldingen": [
            {
                "id": m.pk,
                "number": m.number,
                "brief_description": m.brief_description,
                "status": ref(m.status),
                "is_open": m.is_open,
            }
            for m in linked
        ],
    }


CHANGED = {200: ProblemDetailOut, **errors(400, 403, 404, 409)}


def _act(
    request: HttpRequest, problem: Problem, service: Any, version: int | None, /, **fields: Any
) -> dict[str, Any]:
    """`service` on the problem with the version the client read; the problem's detail after it."""
    act(request, problem, service, version, **fields)
    return _detail(request, problem.pk)


# --------------------------------------------------------------------------------------------------
# endpoints


@router.get("", response={200: ProblemPage, **errors(400, 403)}, summary="List problems (keyset pagination)")
def list_problems(request: HttpRequest, params: Query[ProblemListParams]) -> dict[str, Any]:
    user = current_user(request)
    if not 1 <= params.limit <= 200:
        raise DomainError(_("limit must be between 1 and 200."), field_errors={"limit": _("Out of range.")})
    if params.status not in ("", "all", *ProblemStatus.values):
        raise DomainError(_("Unknown status."), field_errors={"status": _("Unknown status.")})
    qs = filter_problems(Problem.objects.visible_to(user), params.dict()).for_list()
    page = keyset_page(qs, ORDER, cursor=params.cursor, size=params.limit)
    counts = open_counts([p.pk for p in page.items])
    return {
        "items": [problem_out(p, counts.get(p.pk, (0, 0))) for p in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post("", response={201: ProblemDetailOut, **errors(400, 403, 404)}, summary="Register a problem")
def create_problem(request: HttpRequest, payload: ProblemCreate) -> Any:
    user = current_user(request)
    p = services.open_problem(
        actor=user,
        title=payload.title,
        description=payload.description,
        impact=get_row(Impact, payload.impact_id, "impact_id", cached=True),
        urgency=get_row(Urgency, payload.urgency_id, "urgency_id", cached=True),
        operator_group=get_row(OperatorGroup, payload.operator_group_id, "operator_group_id", cached=True),
        operator=_operator(payload.operator_id),
        root_cause=payload.root_cause,
        workaround=payload.workaround,
    )
    return Answer(201, _detail(request, p.pk))


@router.get("/{problem_id}", response={200: ProblemDetailOut, **errors(403, 404)})
def get_problem(request: HttpRequest, problem_id: Id) -> dict[str, Any]:
    return _detail(request, problem_id)


@router.put("/{problem_id}", response=CHANGED, summary="Edit text and classification")
def update_problem(request: HttpRequest, problem_id: Id, payload: ProblemUpdate) -> dict[str, Any]:
    return _act(
        request,
        _problem(request, problem_id),
        services.edit_problem,
        payload.version,
        title=payload.title,
        description=payload.description,
        impact=get_row(Impact, payload.impact_id, "impact_id", required=True, cached=True),
        urgency=get_row(Urgency, payload.urgency_id, "urgency_id", required=True, cached=True),
        root_cause=payload.root_cause,
        workaround=payload.workaround,
    )


@router.post("/{problem_id}/assign", response=CHANGED)
def assign(request: HttpRequest, problem_id: Id, payload: ProblemAssignIn) -> dict[str, Any]:
    return _act(
        request,
        _problem(request, problem_id),
        services.assign_problem,
        payload.version,
        operator_group=get_row(OperatorGroup, payload.operator_group_id, "operator_group_id", cached=True),
        operator=_operator(payload.operator_id),
    )


@router.post("/{problem_id}/analyse", response=CHANGED, summary="Registered -> analysing")
def analyse(request: HttpRequest, problem_id: Id, payload: ProblemVersionIn) -> dict[str, Any]:
    return _act(request, _problem(request, problem_id), services.analyse_problem, payload.version)


@router.post("/{problem_id}/known-error", response=CHANGED, summary="Set known error (needs a workaround)")
def known_error(request: HttpRequest, problem_id: Id, payload: ProblemVersionIn) -> dict[str, Any]:
    return _act(request, _problem(request, problem_id), services.mark_known_error, payload.version)


@router.post(
    "/{problem_id}/resolve",
    response={200: ResolveOut, **errors(400, 403, 404, 409)},
    summary="Resolve the problem and (some of) its linked meldingen; safe to repeat",
)
def resolve(request: HttpRequest, problem_id: Id, payload: ProblemResolveIn) -> dict[str, Any]:
    result = act(
        request,
        _problem(request, problem_id),
        services.resolve_problem,
        payload.version,
        solution=payload.solution,
        resolve_meldingen=payload.resolve_melding_ids,
        note_others=payload.note_others,
    )
    return {
        "problem": _detail(request, problem_id),
        "outcomes": [
            {"melding_id": o.melding_id, "number": o.number, "outcome": o.outcome, "message": o.message}
            for o in result.outcomes
        ],
    }


@router.post("/{problem_id}/close", response=CHANGED, summary="Resolved -> closed (coordinators)")
def close(request: HttpRequest, problem_id: Id, payload: ProblemVersionIn) -> dict[str, Any]:
    return _act(request, _problem(request, problem_id), services.close_problem, payload.version)


@router.post("/{problem_id}/reopen", response=CHANGED, summary="Resolved -> analysing")
def reopen(request: HttpRequest, problem_id: Id, payload: ProblemReopenIn) -> dict[str, Any]:
    problem = _problem(request, problem_id)
    return _act(request, problem, services.reopen_problem, payload.version, reason=payload.reason)


@router.post("/{problem_id}/meldingen", response=CHANGED, summary="Link a melding")
def link_melding(request: HttpRequest, problem_id: Id, payload: LinkMeldingIn) -> dict[str, Any]:
    p = _problem(request, problem_id)
    services.link_melding(p, melding=_melding(request, payload.melding_id), actor=current_user(request))
    return _detail(request, problem_id)


@router.delete("/{problem_id}/meldingen/{melding_id}", response=CHANGED, summary="Unlink a melding")
def unlink_melding(request: HttpRequest, problem_id: Id, melding_id: Id) -> dict[str, Any]:
    p = _problem(request, problem_id)
    services.unlink_melding(p, melding=_melding(request, melding_id), actor=current_user(request))
    return _detail(request, problem_id)


@router.post(
    "/{problem_id}/known-error-article",
    response={201: ProblemDetailOut, **errors(400, 403, 404, 409)},
    summary="Create a draft known-error article from the workaround and link it",
)
def create_article(request: HttpRequest, problem_id: Id, payload: ProblemArticleIn) -> Any:
    act(
        request,
        _problem(request, problem_id),
        services.create_known_error_article,
        payload.version,
        title=payload.title,
        audience=payload.audience,
    )
    return Answer(201, _detail(request, problem_id))


@router.put(
    "/{problem_id}/known-error-article",
    response=CHANGED,
    summary="Link an existing article as the known-error article (null: unlink)",
)
def link_article(request: HttpRequest, problem_id: Id, payload: LinkArticleIn) -> dict[str, Any]:
    user = current_user(request)
    article = None
    if payload.article_id is not None:
        article = Article.objects.visible_to(user).filter(pk=payload.article_id).first()
        if article is None:
            message = _("Article not found.")
            raise DomainError(message, field_errors={"article_id": message})
    return _act(
        request,
        _problem(request, problem_id),
        services.link_known_error_article,
        payload.version,
        article=article,
    )


@router.get("/{problem_id}/history", response={200: list[HistoryOut], **errors(403, 404)})
def history(request: HttpRequest, problem_id: Id) -> list[dict[str, Any]]:
    p = _problem(request, problem_id)
    rows = (
        ProblemHistoryEntry.objects.visible_to(request.user)
        .filter(problem=p)
        .select_related("actor")
        .order_by("at", "id")[:2000]
    )
    return [
        {
            "id": h.pk,
            "at": h.at,
            "actor": ref(h.actor),
            "action": h.action,
            "field": h.field,
            "old_value": h.old_display,
            "new_value": h.new_display,
            "detail": h.detail,
        }
        for h in rows
    ]
