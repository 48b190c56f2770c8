"""The knowledge base: articles with versions, audiences, categories and tags.

An article's content lives in its versions. `current_version` is the published one (what readers see);
`draft_version` is the pending change (being edited or waiting for review). The article mirrors the
title, tags and audience of its published version (or of its draft while it was never published), so
lists and the permission filter need no join.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core import access, search
from beheer.core.models import LocalizedNameModel


class Kind(models.TextChoices):
    SOLUTION = "solution", _("Solution")
    KNOWN_ERROR = "known_error", _("Known error")
    INSTRUCTION = "instruction", _("User instruction")
    PROCEDURE_SECURITY = "procedure_security", _("Procedure: security")
    PROCEDURE_MAINTENANCE = "procedure_maintenance", _("Procedure: maintenance")
    PROCEDURE_BACKUP = "procedure_backup", _("Procedure: backup")
    PROCEDURE_OTHER = "procedure_other", _("Procedure: other")
    SYSTEM_DOC = "system_doc", _("System documentation")
    FUNCTIONAL_DESIGN = "functional_design", _("Functional design")
    TECHNICAL_DESIGN = "technical_design", _("Technical design")


class Audience(models.TextChoices):
    CALLERS = "callers", _("Callers (portal)")
    OPERATORS = "operators", _("Operators")
    ADMINISTRATORS = "administrators", _("Administrators only")


# Kinds that announce new versions to subscribers and may require a read acknowledgement.
NOTICE_KINDS = frozenset(
    {
        Kind.INSTRUCTION,
        Kind.PROCEDURE_SECURITY,
        Kind.PROCEDURE_MAINTENANCE,
        Kind.PROCEDURE_BACKUP,
        Kind.PROCEDURE_OTHER,
    }
)


# Design documents: for operators (never callers), built from a section template, approved per
# version by reviewers and by the client named on the article (models/designs.py).
DESIGN_KINDS = frozenset({Kind.FUNCTIONAL_DESIGN, Kind.TECHNICAL_DESIGN})


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class KnowledgeCategory(LocalizedNameModel):
    """A node in the knowledge category tree."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")

    def path(self) -> str:
        names: list[str] = []
        node: KnowledgeCategory | None = self
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))


class KindSetting(models.Model):
    """Per article kind: must a second person approve a change before it is published?"""

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, unique=True)
    review_required = models.BooleanField(_("review required"), default=False)

    class Meta:
        verbose_name = _("knowledge kind setting")
        verbose_name_plural = _("knowledge kind settings")

    def __str__(self) -> str:
        return str(self.get_kind_display())


def audiences_for(user: Any) -> list[str] | None:
    """The audiences `user` may read; None means all (administrators)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_administrator:
        return None
    if user.is_staff_member:
        return [Audience.CALLERS, Audience.OPERATORS]
    return [Audience.CALLERS]


def reads_drafts(user: Any) -> bool:
    """Operators, coordinators and administrators read drafts (of the articles they may read)."""
    audiences = audiences_for(user)
    return audiences is None or (bool(audiences) and bool(access.is_staff(user)))


class ArticleQuerySet(models.QuerySet["Article"]):
    def visible_to(self, user: Any) -> ArticleQuerySet:
        """Callers: published caller articles. Operators and coordinators: drafts and published
        articles for callers and operators. Administrators: everything, archived included."""
        audiences = audiences_for(user)
        if audiences is None:
            return self
        if not audiences:
            return self.none()
        if reads_drafts(user):
            return self.filter(
                audience__in=audiences, status__in=[ArticleStatus.DRAFT, ArticleStatus.PUBLISHED]
            )
        return self.filter(audience=Audience.CALLERS, status=ArticleStatus.PUBLISHED)

    def search(self, text: str) -> ArticleQuerySet:
        ids = search.matching_ids("article", text)
        if ids is None:
            return self
        return self.filter(id__in=ids)

    def for_list(self) -> ArticleQuerySet:
        return self.select_related("category", "owner", "client")

    def stale(self, today: date) -> ArticleQuerySet:
        """Published articles whose review date has come (kb_article_stale_idx)."""
        return self.filter(status=ArticleStatus.PUBLISHED, next_review_on__lte=today)

    def review_order(self, user: Any) -> ArticleQuerySet:
        """The user's own articles first, then the longest overdue (for short review lists)."""
        mine = models.Case(
            models.When(owner_id=getattr(user, "pk", None), then=models.Value(0)),
            default=models.Value(1),
            output_field=models.IntegerField(),
        )
        return self.annotate(review_mine=mine).order_by("review_mine", "next_review_on", "id")


class Article(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.SOLUTION)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.OPERATORS
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        KnowledgeCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("category"),
    )
    tags = models.CharField(_("tags"), max_length=400, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_articles",
        verbose_name=_("owner"),
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="design_articles",
        verbose_name=_("client"),
        help_text=_("Design documents: the person who approves each version for the client."),
    )
    review_interval_days = models.PositiveIntegerField(_("review interval (days)"), default=365)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    last_reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last reviewed by"),
    )
    # the review date the owner was last reminded of: one reminder per due date
    review_reminded_for = models.DateField(null=True, blank=True)
    requires_acknowledgement = models.BooleanField(_("requires read acknowledgement"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    current_version = models.ForeignKey(
        "ArticleVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    draft_version = models.ForeignKey(
        "ArticleVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "audience", "-updated_at", "-id"], name="kb_article_list_idx"),
            models.Index(fields=["-updated_at", "-id"], name="kb_article_updated_idx"),
            models.Index(fields=["kind", "-updated_at"], name="kb_article_kind_idx"),
            models.Index(fields=["next_review_on"], name="kb_article_review_idx"),
            # stale(): status = published and next_review_on <= today, oldest first (a partial index
            # would not do: SQLite cannot match its condition against a bound parameter)
            models.Index(fields=["status", "next_review_on", "id"], name="kb_article_stale_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "archived"]), name="kb_article_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    @property
    def is_archived(self) -> bool:
        return self.status == ArticleStatus.ARCHIVED

    @property
    def sends_notices(self) -> bool:
        """Procedures and user instructions announce new versions to their subscribers."""
        return self.kind in NOTICE_KINDS

    @property
    def is_design(self) -> bool:
        return self.kind in DESIGN_KINDS

    @property
    def acknowledgement_required(self) -> bool:
        return self.requires_acknowledgement and self.kind in NOTICE_KINDS

    def is_stale(self, today: date) -> bool:
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.next_review_on is not None
            and self.next_review_on <= today
        )


class ArticleVersionQuerySet(models.QuerySet["ArticleVersion"]):
    def visible_to(self, user: Any) -> ArticleVersionQuerySet:
        """The versions `user` may read: of an article they may read (Article.visible_to), and with
        an audience of the version's own that they belong to, so an administrators-only draft or
        earlier version stays hidden after the article is published for a wider audience. Readers
        who see no drafts get published versions only."""
        audiences = audiences_for(user)
        if audiences is None:
            return self
        if not audiences:
            return self.none()
        qs = self.filter(article__in=Article.objects.visible_to(user), audience__in=audiences)
        if not reads_drafts(user):
            qs = qs.filter(state=VersionState.PUBLISHED)
        return qs

    def for_client(self, user: Any) -> ArticleVersionQuerySet:
        """The design versions `user` sees as the client named on the article, whatever their role:
        those waiting for a decision (submitted for review or published) and those they decided
        on. Nothing else of the knowledge base opens by this route."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        from .designs import ApprovalRole, VersionApproval  # designs builds on this module

        decided = VersionApproval.objects.filter(approver=user, role=ApprovalRole.CLIENT).values("version_id")
        return self.filter(
            article__client=user,
            article__kind__in=DESIGN_KINDS,
            article__status__in=[ArticleStatus.DRAFT, ArticleStatus.PUBLISHED],
        ).filter(Q(state__in=[VersionState.REVIEW, VersionState.PUBLISHED]) | Q(pk__in=decided))


class ArticleVersion(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    state = models.CharField(
        _("state"), max_length=20, choices=VersionState.choices, default=VersionState.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    tags = models.CharField(_("tags"), max_length=400, blank=True)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    change_note = models.CharField(_("change note"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )

    objects = ArticleVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]
