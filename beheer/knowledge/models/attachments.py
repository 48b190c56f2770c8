"""Files attached to a knowledge article: images shown in the text, documents to download.

An attachment belongs to the article, not to one of its versions, but it remembers the version that
was being written when it was added (the draft, else the published version): a file added to a version
for administrators only stays hidden from everybody else, also after the article is published more
widely. People who read drafts
(operators, coordinators, administrators) may download the other attachments of an article they may
read; the other readers only those added before the version they read was published, so a file
uploaded for a draft stays out of sight until that draft is published. Files are stored under a
random name and served only through permission-checked views.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core.files import INLINE_IMAGE_TYPES

from .articles import Article, ArticleVersion, audiences_for, reads_drafts


def knowledge_attachment_path(instance: ArticleAttachment, filename: str) -> str:
    return f"knowledge/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class ArticleAttachmentQuerySet(models.QuerySet["ArticleAttachment"]):
    def visible_to(self, user: Any) -> ArticleAttachmentQuerySet:
        """The attachments of the articles `user` may read (Article.visible_to), nothing else."""
        return self.filter(article__in=Article.objects.visible_to(user)).for_reader(user)

    def for_reader(self, user: Any) -> ArticleAttachmentQuerySet:
        """Without the attachments `user` may not see: those added to a version whose audience they do
        not belong to (a file added while the article was for administrators only stays theirs after
        the article is published more widely), and, for a reader who sees no drafts, those added
        after the article's current version was published (they belong to a draft)."""
        audiences = audiences_for(user)
        if audiences is None:
            return self
        if not audiences:
            return self.none()
        qs = self.filter(Q(version__isnull=True) | Q(version__audience__in=audiences))
        if reads_drafts(user):
            return qs
        return qs.filter(
            article__current_version__published_at__isnull=False,
            created_at__lte=models.F("article__current_version__published_at"),
        )


class ArticleAttachment(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("article")
    )
    file = models.FileField(upload_to=knowledge_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created"))
    # the version being written when the file was added (the draft, else the published version):
    # its audience limits who may see the file
    version = models.ForeignKey(
        ArticleVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added to version"),
    )

    objects = ArticleAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")
        indexes = [models.Index(fields=["article", "created_at"], name="kb_attachment_article_idx")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        """A raster image (type sniffed from the bytes at upload): shown inline and in the text."""
        return self.content_type in INLINE_IMAGE_TYPES

    @property
    def markdown(self) -> str:
        """The snippet that puts this attachment into the article text."""
        label = self.original_name.replace("[", "(").replace("]", ")")
        return f"{'!' if self.is_image else ''}[{label}](attachment:{self.pk})"
