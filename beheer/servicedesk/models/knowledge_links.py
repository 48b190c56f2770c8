"""Links between meldingen and knowledge articles (besides the article a melding was resolved with)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from beheer.accounts.models import User
from beheer.core import access

from .melding import Melding


class ArticleLinkQuerySet(models.QuerySet["ArticleLink"]):
    def visible_to(self, user: Any) -> ArticleLinkQuerySet:
        """Links are operator information: a link is visible when its melding is and the user is staff."""
        if user is None or not access.is_staff(user) or not user.is_active:
            return self.none()
        return self.filter(melding__in=Melding.objects.visible_to(user))


class ArticleLink(models.Model):
    """An operator linked a knowledge article to a melding ("related"), without resolving with it."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey("knowledge.Article", on_delete=models.CASCADE, related_name="melding_links")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()

    objects = ArticleLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["melding", "article"], name="uniq_melding_article_link"),
        ]
        indexes = [models.Index(fields=["article", "-melding"], name="article_link_article")]

    def __str__(self) -> str:
        return f"{self.melding_id} -> {self.article_id}"


def related_to_article(article_id: int) -> Q:
    """Meldingen resolved with the article or linked to it."""
    return Q(solution_article_id=article_id) | Q(article_links__article_id=article_id)
