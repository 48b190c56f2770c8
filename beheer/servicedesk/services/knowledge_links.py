"""Meldingen and knowledge articles: link, unlink, the article reference in a solution text, and a
draft article made from a solved melding."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, clock
from beheer.core.access import ensure_staff
from beheer.core.errors import DomainError, NotFound, PermissionDenied
from beheer.knowledge import services as knowledge
from beheer.knowledge.models import Article, ArticleStatus, Audience, Kind

from ..models import ArticleLink, Melding
from ._base import (
    _ensure_visible,
    record_history,
)


def visible_article(pk: int, actor: User) -> Article:
    """The article if `actor` may read it; otherwise NotFound (never a hint that it exists)."""
    article = Article.objects.visible_to(actor).filter(pk=pk).first()
    if article is None:
        message = _("Article not found.")
        raise NotFound(message, field_errors={"article": message})
    return article


def is_caller_visible(article: Article) -> bool:
    """Would a caller find this article in the portal? (published, for callers)."""
    return article.audience == Audience.CALLERS and article.status == ArticleStatus.PUBLISHED


def article_reference_text(article: Article, melding: Melding) -> str:
    """'See knowledge article KB-12: <title> (<portal address>)' in the caller's language, or "" when
    the caller may not read the article (its title must never reach the caller)."""
    if not is_caller_visible(article):
        return ""
    language = (melding.caller.language if melding.caller_id and melding.caller else "") or "nl"
    url = str(settings.SITE_URL).rstrip("/") + reverse("portal-knowledge-detail", args=[article.pk])
    with translation.override(language):
        return _("See knowledge article %(reference)s: %(title)s (%(url)s)") % {
            "reference": f"KB-{article.pk}",
            "title": article.title,
            "url": url,
        }


@transaction.atomic
def link_article(melding: Melding, *, article: Article, actor: User) -> ArticleLink:
    """Link an article to a melding ("related"), without resolving; a second link is a no-op."""
    ensure_staff(actor)
    _ensure_visible(melding, actor)
    article = visible_article(article.pk, actor)
    link, created = ArticleLink.objects.get_or_create(
        melding=melding, article=article, defaults={"created_by": actor, "created_at": clock.now()}
    )
    if created:
        record_history(melding, actor, "article_linked", now=clock.now(), new=f"KB-{article.pk}")
    return link


@transaction.atomic
def unlink_article(melding: Melding, *, article: Article, actor: User) -> None:
    ensure_staff(actor)
    _ensure_visible(melding, actor)
    deleted, _rows = ArticleLink.objects.filter(melding=melding, article_id=article.pk).delete()
    if deleted:
        record_history(melding, actor, "article_unlinked", now=clock.now(), old=f"KB-{article.pk}")


@transaction.atomic
def create_article_from_melding(melding: Melding, *, actor: User) -> Article:
    """A draft solution article for operators from a solved melding: title = brief description, text
    = request and solution (escaped Markdown); the melding is linked to the new article."""
    if not access.is_staff(actor):
        raise PermissionDenied(_("Only operators may edit knowledge articles."))
    m = Melding.objects.visible_to(actor).filter(pk=melding.pk).first()
    if m is None:
        raise NotFound(_("Call not found."))
    if not m.solution.strip() or m.resolved_at is None:
        raise DomainError(_("Only a resolved call with a solution can become an article."))
    article = knowledge.create_article(
        actor=actor,
        title=m.brief_description,
        body=knowledge.article_body_from(m.request, m.solution),
        kind=Kind.SOLUTION,
        audience=Audience.OPERATORS,
        change_note=_("Made from call %(number)s") % {"number": m.number},
    )
    link_article(m, article=article, actor=actor)
    return article
