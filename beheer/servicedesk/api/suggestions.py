"""JSON adapter for suggestions, article links, melding -> article and deflection figures.

Mounted under /api/v1/ (beheer/api.py). Operators get articles and similar solved meldingen; a caller
asking /suggestions gets published caller articles only (the portal variant), never a melding.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import NotFound, PermissionDenied
from beheer.core.schemas import Id, errors
from beheer.knowledge.models import Article
from beheer.knowledge.suggest import query_text, suggest_articles

from .. import services
from ..models import ArticleLink, Melding
from ..models.knowledge_links import related_to_article
from ..schemas import (
    ArticleLinkIn,
    DeflectionOut,
    MadeArticleOut,
    MeldingArticlesOut,
    RelatedOut,
    SuggestionParams,
    SuggestionsOut,
)
from ..suggestions import Suggestions, suggest

PUBLISHED_IN = "beheer.servicedesk.suggestion_api"  # the operation ids of before the move (beheer/api.py)
router = access.declare(Router(tags=["suggestions"]), access.SIGNED_IN)

RELATED_MAX = 100


def _melding(request: HttpRequest, pk: int) -> Melding:
    m = Melding.objects.visible_to(request.user).filter(pk=pk).first()
    if m is None:
        raise NotFound(_("Call not found."))
    return m


def _out(found: Suggestions) -> dict[str, Any]:
    return {
        "articles": [a.__dict__ for a in found.articles],
        "meldingen": [m.__dict__ for m in found.meldingen],
    }


def _ref(a: Article) -> dict[str, Any]:
    return {
        "id": a.pk,
        "reference": f"KB-{a.pk}",
        "title": a.title,
        "audience": a.audience,
        "status": a.status,
    }


def _suggestions_for(request: HttpRequest, brief: str, text: str) -> dict[str, Any]:
    user = current_user(request)
    if not user.is_staff_member:  # the portal variant: caller articles only, no meldingen
        articles = suggest_articles(query_text(brief, text), user, callers_only=True)
        return _out(Suggestions(query=brief, articles=articles))
    return _out(suggest(brief, text, user))


@router.get("/suggestions", response={200: SuggestionsOut, **errors(400)}, summary="Suggestions for a text")
def suggestions(request: HttpRequest, params: Query[SuggestionParams]) -> dict[str, Any]:
    """Articles (and, for operators, similar solved meldingen) for `text` or for brief description +
    request. Callers receive published caller articles only."""
    return _suggestions_for(request, params.brief_description or params.text, params.request)


@router.post(
    "/suggestions", response={200: SuggestionsOut, **errors(400)}, summary="Suggestions for a long text"
)
def suggestions_post(request: HttpRequest, payload: SuggestionParams) -> dict[str, Any]:
    return _suggestions_for(request, payload.brief_description or payload.text, payload.request)


@access.gate(access.OPERATORS_ONLY)
@router.get("/meldingen/{melding_id}/suggestions", response={200: SuggestionsOut, **errors(403, 404)})
def melding_suggestions(request: HttpRequest, melding_id: Id) -> dict[str, Any]:
    user = current_user(request)
    m = _melding(request, melding_id)
    return _out(suggest(m.brief_description, m.request, user, exclude_melding=m.pk))


def _articles(request: HttpRequest, m: Melding) -> dict[str, Any]:
    user = current_user(request)
    ids = ArticleLink.objects.visible_to(user).filter(melding=m).values("article_id")
    linked = Article.objects.visible_to(user).filter(pk__in=ids).order_by("-id")[:RELATED_MAX]
    solution = (
        Article.objects.visible_to(user).filter(pk=m.solution_article_id).first()
        if m.solution_article_id
        else None
    )
    return {"solution_article": _ref(solution) if solution else None, "linked": [_ref(a) for a in linked]}


@access.gate(access.OPERATORS_ONLY)
@router.get("/meldingen/{melding_id}/articles", response={200: MeldingArticlesOut, **errors(403, 404)})
def melding_articles(request: HttpRequest, melding_id: Id) -> dict[str, Any]:
    return _articles(request, _melding(request, melding_id))


@access.gate(access.OPERATORS_ONLY)
@router.post(
    "/meldingen/{melding_id}/articles",
    response={200: MeldingArticlesOut, **errors(400, 403, 404, 409)},
    summary="Link an article",
)
def link_article(request: HttpRequest, melding_id: Id, payload: ArticleLinkIn) -> dict[str, Any]:
    user = current_user(request)
    m = _melding(request, melding_id)
    services.link_article(m, article=services.visible_article(payload.article_id, user), actor=user)
    return _articles(request, m)


@access.gate(access.OPERATORS_ONLY)
@router.delete(
    "/meldingen/{melding_id}/articles/{article_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Unlink",
)
def unlink_article(request: HttpRequest, melding_id: Id, article_id: Id) -> Answer:
    user = current_user(request)
    m = _melding(request, melding_id)
    services.unlink_article(m, article=services.visible_article(article_id, user), actor=user)
    return Answer(204, None)


@access.gate(access.OPERATORS_ONLY)
@router.post(
    "/meldingen/{melding_id}/make-article",
    response={201: MadeArticleOut, **errors(400, 403, 404, 409)},
    summary="Melding -> draft",
)
def make_article(request: HttpRequest, melding_id: Id) -> Answer:
    """A draft solution article for operators from a resolved melding (title, request and solution)."""
    user = current_user(request)
    article = services.create_article_from_melding(_melding(request, melding_id), actor=user)
    return Answer(
        201,
        {"id": article.pk, "reference": f"KB-{article.pk}", "title": article.title, "status": article.status},
    )


@access.gate(access.OPERATORS_ONLY)
@router.get(
    "/knowledge/articles/{article_id}/meldingen",
    response={200: RelatedOut, **errors(403, 404)},
    summary="Related meldingen",
)
def related_meldingen(request: HttpRequest, article_id: Id) -> dict[str, Any]:
    """Meldingen resolved with the article or linked to it, newest first (at most 100, with the total)."""
    user = current_user(request)
    if not Article.objects.visible_to(user).filter(pk=article_id).exists():
        raise NotFound(_("Article not found."))
    qs = Melding.objects.visible_to(user).filter(related_to_article(article_id)).distinct()
    rows = list(qs.select_related("status").order_by("-id")[:RELATED_MAX])
    total = len(rows) if len(rows) < RELATED_MAX else qs.count()
    return {
        "total": total,
        "items": [
            {
                "id": m.pk,
                "number": m.number,
                "brief_description": m.brief_description,
                "status": m.status.kind,
                "resolved_with": m.solution_article_id == article_id,
                "resolved_at": m.resolved_at,
            }
            for m in rows
        ],
    }


@router.get(
    "/knowledge/deflection", response={200: DeflectionOut, **errors(403)}, summary="Portal deflection figures"
)
def deflection(request: HttpRequest, days: int = Query(30, ge=1, le=365)) -> dict[str, Any]:
    """Portal form sessions with suggestions shown, and how many ended without a call after the caller
    opened an article (coordinators)."""
    user = current_user(request)
    if not user.is_coordinator:
        raise PermissionDenied(_("Only coordinators and administrators may see these figures."))
    fig = services.deflection_figures(days=days)
    return {**fig.__dict__, "rate": fig.rate}
