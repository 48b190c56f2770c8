"""Design documents: the section template per design kind, its history, and approval records.

A functional or technical design is an article (models/articles.py) with versions, drafts, review and
diff like any other; what it adds lives here. `DocumentTemplate` holds the ordered sections a new
design starts with (some mandatory: a version without them is not submitted or published).
`VersionApproval` records a decision on one version of any article (a reviewer's or the client's):
an approval belongs to that version only, so a newer version needs a new one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.history import HistoryRecord, HistoryRecordQuerySet

from .articles import ArticleVersion, Kind


class DocumentTemplateQuerySet(access.RoleQuerySet, models.QuerySet["DocumentTemplate"]):
    audience = access.Audience.STAFF


class DocumentTemplate(models.Model):
    """The sections a new design of one kind starts with; coordinators edit them."""

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, unique=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    objects = DocumentTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("design template")
        verbose_name_plural = _("design templates")
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class DocumentTemplateSection(models.Model):
    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="sections", verbose_name=_("template")
    )
    position = models.PositiveIntegerField(_("position"))
    heading_nl = models.CharField(_("heading (Dutch)"), max_length=200)
    heading_en = models.CharField(_("heading (English)"), max_length=200)
    guidance_nl = models.TextField(_("guidance (Dutch)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=False)

    class Meta:
        verbose_name = _("design template section")
        verbose_name_plural = _("design template sections")
        ordering = ["template", "position", "id"]

    def __str__(self) -> str:
        return self.heading

    @property
    def heading(self) -> str:
        """The heading in the reader's language."""
        english = (translation.get_language() or "").startswith("en")
        return (self.heading_en if english else self.heading_nl) or self.heading_nl or self.heading_en

    @property
    def guidance(self) -> str:
        english = (translation.get_language() or "").startswith("en")
        return (self.guidance_en if english else self.guidance_nl) or self.guidance_nl or self.guidance_en


class TemplateAction(models.TextChoices):
    CHANGED = "changed", _("Changed")


class DocumentTemplateHistoryEntry(HistoryRecord):
    """Who changed a design template's sections, when, old -> new."""

    subject_field = "template"
    field_labels = {"sections": _("sections")}

    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="history", verbose_name=_("template")
    )
    action = models.CharField(max_length=40, choices=TemplateAction.choices)

    objects = HistoryRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("design template history entry")
        verbose_name_plural = _("design template history")
        indexes = [models.Index(fields=["template", "at", "id"], name="kb_template_history_at")]


class ApprovalRole(models.TextChoices):
    REVIEWER = "reviewer", _("Reviewer")
    CLIENT = "client", _("Client")


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class VersionApprovalQuerySet(models.QuerySet["VersionApproval"]):
    def visible_to(self, user: Any) -> VersionApprovalQuerySet:
        """Staff: the approvals of the versions they may read. Everybody: their own decisions (a
        client sees theirs, never the reviewers')."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        mine = Q(approver=user)
        if access.is_staff(user):
            return self.filter(mine | Q(version__in=ArticleVersion.objects.visible_to(user)))
        return self.filter(mine)


class VersionApproval(models.Model):
    """A decision on one version of an article: who, in which role, approved or rejected, when."""

    version = models.ForeignKey(
        ArticleVersion, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("version")
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approver")
    )
    role = models.CharField(_("role"), max_length=20, choices=ApprovalRole.choices)
    decision = models.CharField(_("decision"), max_length=20, choices=ApprovalDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"))

    objects = VersionApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("version approval")
        verbose_name_plural = _("version approvals")
        ordering = ["version", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "approver", "role"], name="kb_approval_once"),
            models.CheckConstraint(
                condition=Q(role__in=["reviewer", "client"]), name="kb_approval_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["approved", "rejected"]), name="kb_approval_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.decision} ({self.role})"

    @property
    def approved(self) -> bool:
        return self.decision == ApprovalDecision.APPROVED
