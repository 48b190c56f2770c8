"""Small builders for the knowledge tests."""

from __future__ import annotations

from typing import Any

from beheer.accounts.models import User
from beheer.knowledge import services
from beheer.knowledge.models import Article


def published(author: User, *, title: str, body: str = "", **kwargs: Any) -> Article:
    article = services.create_article(actor=author, title=title, body=body, **kwargs)
    return services.publish(article, actor=author, expected_version=article.version)


def refreshed(article: Article) -> Any:
    """The article re-read with its versions (typed loosely: tests read the optional versions directly)."""
    return Article.objects.select_related("current_version", "draft_version").get(pk=article.pk)
