"""The configuration items an article documents (system documentation, procedures for a server).

A link table owned by knowledge, which sits above the CMDB: the CMDB never learns of articles; its
CI page shows them through the section knowledge registers in `cmdb.extensions`. Readers see the
links of the articles they may read (`Article.objects.visible_to`), nothing else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.cmdb.models import ConfigurationItem
from beheer.core import access

from .articles import Article

MAX_CIS = 200  # configuration items one article documents


class ArticleCiQuerySet(models.QuerySet["ArticleCi"]):
    def visible_to(self, user: Any) -> ArticleCiQuerySet:
        """The links of the articles `user` may read; staff only (callers never see CIs here)."""
        if not access.is_staff(user):
            return self.none()
        return self.filter(article__in=Article.objects.visible_to(user))


class ArticleCi(models.Model):
    """One article documents one configuration item."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="ci_links", verbose_name=_("article")
    )
    ci = models.ForeignKey(
        ConfigurationItem,
        on_delete=models.CASCADE,
        related_name="article_links",
        verbose_name=_("configuration item"),
    )
    linked_at = models.DateTimeField(_("linked"))
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ArticleCiQuerySet.as_manager()

    class Meta:
        verbose_name = _("documented configuration item")
        verbose_name_plural = _("documented configuration items")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["article", "ci"], name="uniq_kb_article_ci")]
        indexes = [models.Index(fields=["ci", "article"], name="kb_article_ci_by_ci")]

    def __str__(self) -> str:
        return f"{self.article}: {self.ci}"
