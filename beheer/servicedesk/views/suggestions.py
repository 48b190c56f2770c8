"""Suggestions while registering and handling a melding, resolving with an article, linking
articles, melding -> draft article, and the portal's deflection panel.

Thin adapters over beheer.knowledge.suggest (read-only) and the services; every panel is an HTMX
partial that is also a plain page without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.htmx import is_htmx
from beheer.knowledge.models import Article
from beheer.knowledge.suggest import query_text, suggest_articles

from .. import services
from ..actions import make_form
from ..models import ArticleLink, Melding, StatusKind
from ..models.knowledge_links import related_to_article
from ..suggestions import Suggestions, suggest
from ..suggestions.support import TOKEN_FIELD
from .meldingen import _melding_for, _render_detail

ACCESS = access.STAFF

FIELD_MAX = 5000  # characters read from each text parameter; the rest is ignored
RELATED_SHOWN = 50
LINKED_SHOWN = 50


def _text(request: HttpRequest, name: str) -> str:
    return (request.GET.get(name) or "")[:FIELD_MAX]


def _article_id(value: Any) -> int | None:
    """'12', 'KB-12' or 'kb12' -> 12."""
    raw = str(value or "").strip().upper().removeprefix("KB").strip(" -")
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def _linked(melding: Melding, user: Any) -> list[Article]:
    ids = ArticleLink.objects.visible_to(user).filter(melding=melding).values("article_id")
    return list(Article.objects.visible_to(user).filter(pk__in=ids).order_by("-id")[:LINKED_SHOWN])


def _panel(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render(request, "servicedesk/_suggestions.html", context)


@require_GET
def suggestion_panel(request: HttpRequest) -> HttpResponse:
    """The panel on the new-melding form: suggestions for what the operator typed so far."""
    user = current_user(request)
    found = suggest(_text(request, "brief_description"), _text(request, "request"), user)
    return _panel(request, {"s": found, "m": None})


@require_GET
def melding_suggestion_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel on the melding page: suggestions for the melding, its linked articles, actions."""
    return _melding_panel(request, _melding_for(current_user(request), pk))


def _melding_panel(request: HttpRequest, melding: Melding) -> HttpResponse:
    user = current_user(request)
    found = suggest(melding.brief_description, melding.request, user, exclude_melding=melding.pk)
    can_resolve = melding.is_open and melding.closed_at is None
    linked = _linked(melding, user)
    context = {
        "s": found,
        "m": melding,
        "can_resolve": can_resolve,
        "can_make_article": bool(melding.solution) and melding.resolved_at is not None,
        "linked": linked,
        "linked_ids": {a.pk for a in linked},
        "solution_article": Article.objects.visible_to(user).filter(pk=melding.solution_article_id).first()
        if melding.solution_article_id
        else None,
    }
    return _panel(request, context)


@require_GET
def melding_resolve_with(request: HttpRequest, pk: int) -> HttpResponse:
    """'Resolve with this article' / 'Use this solution': the melding page with the resolve form
    open and filled in; the operator still confirms."""
    user = current_user(request)
    melding = _melding_for(user, pk)
    if not melding.is_open or melding.closed_at is not None or melding.status.kind == StatusKind.RESOLVED:
        messages.error(request, _("This call is already resolved."))
        return redirect("melding-detail", pk=melding.pk)
    initial: dict[str, Any] = {}
    article_id, other_id = _article_id(request.GET.get("article")), request.GET.get("melding", "")
    if article_id is not None:
        article = Article.objects.visible_to(user).filter(pk=article_id).first()
        if article is None:
            raise Http404(_("Article not found."))
        # neutral text: the service adds the reference only when the caller may read the article
        initial = {"article": article.pk, "solution": _("Solved following the knowledge base.")}
    elif other_id.isdigit() and len(other_id) <= 12:
        other = (
            Melding.objects.visible_to(user)
            .filter(pk=int(other_id), is_open=False)
            .exclude(solution="")
            .only("id", "solution", "solution_article_id")
            .first()
        )
        if other is None:
            raise Http404(_("Call not found."))
        initial = {"solution": other.solution}
    else:
        raise Http404(_("Choose an article or a call."))
    form = make_form("resolve", melding, user)
    form.initial.update(initial)
    return _render_detail(request, melding, bound={"resolve": form})


def _back(request: HttpRequest, melding: Melding) -> HttpResponseBase:
    if is_htmx(request):
        return _melding_panel(request, melding)
    return redirect("melding-detail", pk=melding.pk)


@require_POST
def melding_link_article(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = current_user(request)
    melding = _melding_for(user, pk)
    article_id = _article_id(request.POST.get("article"))
    try:
        if article_id is None:
            raise DomainError(_("Enter an article number such as KB-12."))
        services.link_article(melding, article=services.visible_article(article_id, user), actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The article has been linked."))
    return _back(request, melding)


@require_POST
def melding_unlink_article(request: HttpRequest, pk: int, article_pk: int) -> HttpResponseBase:
    user = current_user(request)
    melding = _melding_for(user, pk)
    article = Article.objects.visible_to(user).filter(pk=article_pk).first()
    if article is None:
        raise Http404(_("Article not found."))
    try:
        services.unlink_article(melding, article=article, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The link has been removed."))
    return _back(request, melding)


@require_POST
def melding_make_article(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Melding -> draft article in one step, then its edit page."""
    user = current_user(request)
    melding = _melding_for(user, pk)
    try:
        article = services.create_article_from_melding(melding, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("melding-detail", pk=melding.pk)
    messages.success(request, _("A draft article has been made from this call; check and publish it."))
    url = reverse("knowledge-edit", args=[article.pk])
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_GET
def article_related_meldingen(request: HttpRequest, pk: int) -> HttpResponse:
    """The article page's 'Related meldingen': resolved with it or linked to it (capped, with a count)."""
    user = current_user(request)
    article = Article.objects.visible_to(user).filter(pk=pk).first()
    if article is None:
        raise Http404(_("Article not found."))
    qs = Melding.objects.visible_to(user).filter(related_to_article(article.pk)).distinct()
    rows = list(qs.select_related("status").order_by("-id")[:RELATED_SHOWN])
    total = len(rows) if len(rows) < RELATED_SHOWN else qs.count()
    return render(
        request,
        "servicedesk/_related_meldingen.html",
        {"article": article, "rows": rows, "total": total, "capped": total > len(rows)},
    )


# --------------------------------------------------------------------------------------------------
# portal: deflection


@access.gate(access.SIGNED_IN)
@require_GET
def portal_suggestion_panel(request: HttpRequest) -> HttpResponse:
    """Matching caller articles while the caller types; the first showing per form session is recorded."""
    user = current_user(request)
    text = query_text(_text(request, "brief_description"), _text(request, "request"))
    articles = suggest_articles(text, user, callers_only=True)
    token = request.GET.get(TOKEN_FIELD, "")
    if articles and services.valid_deflection_token(token):
        services.record_shown(token, user=user, query=text, article_ids=[a.id for a in articles])
    found = Suggestions(query=text.strip(), articles=articles)
    context = {"s": found, "token": token if services.valid_deflection_token(token) else ""}
    return render(request, "servicedesk/_portal_suggestions.html", context)


@access.gate(access.SIGNED_IN)
@require_GET
def portal_suggestion_open(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The tracking link of a suggested article: record the click, then show the portal article."""
    user = current_user(request)
    if not Article.objects.visible_to(user).filter(pk=pk).exists():
        raise Http404(_("Article not found."))
    services.record_click(request.GET.get("token", ""), user=user, article_id=pk)
    return redirect("portal-knowledge-detail", pk=pk)


@access.gate(access.Gate(access.Audience.COORDINATOR, message=gettext_lazy("This page is for coordinators.")))
@require_GET
def deflection_figure(request: HttpRequest) -> HttpResponse:
    """The coordinators' deflection figure (knowledge start page)."""
    return render(request, "servicedesk/_deflection_figure.html", {"fig": services.deflection_figures()})
