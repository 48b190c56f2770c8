"""The needs inventory of a change (behoefte-inventarisatie): interview and meeting notes, the
requirements (REQ-1, REQ-2, ... per change, MoSCoW), the open questions, the client's approval of a
needs version, and the design documents (knowledge articles) linked to the change.

Every change to the requirements raises the change's needs version (`NeedsInventory.version`); the
client approves the needs at one version, so an approval of an older version is outdated.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.knowledge.models import Article


def _own_changes(user: Any) -> Q:
    """The changes `user` requested or is the client of (the portal's changes)."""
    return Q(change__requester_id=user.pk) | Q(change__client_id=user.pk)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class NeedsInventoryQuerySet(models.QuerySet["NeedsInventory"]):
    def visible_to(self, user: Any) -> NeedsInventoryQuerySet:
        """Staff: every inventory; the requester and the client: their change's (its version)."""
        if access.is_staff(user):
            return self
        if not _signed_in(user):
            return self.none()
        return self.filter(_own_changes(user))


class NeedsInventory(models.Model):
    """Per change: the needs version and the next requirement number (codes are never reused)."""

    change = models.OneToOneField("changes.Change", on_delete=models.CASCADE, related_name="needs")
    version = models.PositiveIntegerField(_("needs version"), default=0)
    next_number = models.PositiveIntegerField(default=1)

    objects = NeedsInventoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("needs inventory")
        verbose_name_plural = _("needs inventories")

    def __str__(self) -> str:
        return f"{self.change_id}: {self.version}"


class MoSCoW(models.TextChoices):
    MUST = "must", _("Must have")
    SHOULD = "should", _("Should have")
    COULD = "could", _("Could have")
    WONT = "wont", _("Won't have (this time)")


class RequirementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RequirementQuerySet(models.QuerySet["Requirement"]):
    def visible_to(self, user: Any) -> RequirementQuerySet:
        """Staff: every requirement; the requester and the client of a change: its active
        requirements (the portal shows them); anybody else none."""
        if access.is_staff(user):
            return self
        if not _signed_in(user):
            return self.none()
        return self.filter(_own_changes(user), status=RequirementStatus.ACTIVE)


class Requirement(models.Model):
    """One requirement (eis) of a change: REQ-n, its text, MoSCoW priority and acceptance criteria."""

    change = models.ForeignKey("changes.Change", on_delete=models.CASCADE, related_name="requirements")
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("requirement"))
    priority = models.CharField(_("priority (MoSCoW)"), max_length=10, choices=MoSCoW.choices)
    acceptance_criteria = models.TextField(_("acceptance criteria"), blank=True)
    source = models.ForeignKey(
        "changes.Stakeholder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequirementStatus.choices, default=RequirementStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("registered"))
    updated_at = models.DateTimeField(_("changed"))
    version = models.PositiveIntegerField(default=1)

    objects = RequirementQuerySet.as_manager()

    class Meta:
        ordering = ["number", "id"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(fields=["change", "number"], name="uniq_change_requirement_number"),
            models.CheckConstraint(condition=Q(priority__in=MoSCoW.values), name="change_requirement_moscow"),
            models.CheckConstraint(
                condition=Q(status__in=RequirementStatus.values), name="change_requirement_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"

    @property
    def code(self) -> str:
        return format_requirement_code(self.number)

    @property
    def active(self) -> bool:
        return self.status == RequirementStatus.ACTIVE


def format_requirement_code(number: int) -> str:
    return f"REQ-{number}"


class NoteKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    MEETING = "meeting", _("Meeting")
    WORKSHOP = "workshop", _("Workshop")


class NeedsNoteQuerySet(models.QuerySet["NeedsNote"]):
    def visible_to(self, user: Any) -> NeedsNoteQuerySet:
        """Staff only: notes of interviews and meetings are internal."""
        return self if access.is_staff(user) else self.none()


class NeedsNote(models.Model):
    """The notes of one interview, meeting or workshop of the needs inventory (Markdown)."""

    change = models.ForeignKey("changes.Change", on_delete=models.CASCADE, related_name="needs_notes")
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=NoteKind.choices, default=NoteKind.INTERVIEW)
    participants = models.CharField(_("participants"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("registered"))
    version = models.PositiveIntegerField(default=1)

    objects = NeedsNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("needs note")
        verbose_name_plural = _("needs notes")
        indexes = [models.Index(fields=["change", "-held_on", "-id"], name="change_needs_note_order")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NoteKind.values), name="change_needs_note_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}"


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")


class OpenQuestionQuerySet(models.QuerySet["OpenQuestion"]):
    def visible_to(self, user: Any) -> OpenQuestionQuerySet:
        """Staff: every question; anybody else: the questions asked of them on their own changes."""
        if access.is_staff(user):
            return self
        if not _signed_in(user):
            return self.none()
        return self.filter(_own_changes(user), asked_of__person_id=user.pk)


class OpenQuestion(models.Model):
    """A question of the needs inventory, asked of a stakeholder, open until it is answered."""

    change = models.ForeignKey("changes.Change", on_delete=models.CASCADE, related_name="open_questions")
    question = models.TextField(_("question"))
    asked_of = models.ForeignKey(
        "changes.Stakeholder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked of"),
    )
    answer = models.TextField(_("answer"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    created_at = models.DateTimeField(_("asked"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = OpenQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("open question")
        verbose_name_plural = _("open questions")
        indexes = [models.Index(fields=["change", "status", "id"], name="change_question_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=QuestionStatus.values), name="change_question_status"
            ),
        ]

    def __str__(self) -> str:
        return self.question[:80]


class NeedsDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class NeedsApprovalQuerySet(models.QuerySet["NeedsApproval"]):
    def visible_to(self, user: Any) -> NeedsApprovalQuerySet:
        """Staff: every decision; the requester and the client: the decisions on their change."""
        if access.is_staff(user):
            return self
        if not _signed_in(user):
            return self.none()
        return self.filter(_own_changes(user))


class NeedsApproval(models.Model):
    """The client's decision on the needs and the work planning of a change at one needs version."""

    change = models.ForeignKey("changes.Change", on_delete=models.CASCADE, related_name="needs_approvals")
    needs_version = models.PositiveIntegerField(_("needs version"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision = models.CharField(_("decision"), max_length=10, choices=NeedsDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("decided"))

    objects = NeedsApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("needs approval")
        verbose_name_plural = _("needs approvals")
        indexes = [models.Index(fields=["change", "-at", "-id"], name="change_needs_approval_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["change", "needs_version", "approver"], name="uniq_change_needs_decision"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=NeedsDecision.values), name="change_needs_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.change_id} v{self.needs_version}: {self.decision}"

    @property
    def approved(self) -> bool:
        return self.decision == NeedsDecision.APPROVED


class ChangeDesignQuerySet(models.QuerySet["ChangeDesign"]):
    def visible_to(self, user: Any) -> ChangeDesignQuerySet:
        """Staff: every link; the client of a change: its links (the portal shows only the design
        versions waiting for their decision, through the knowledge base's `for_client`)."""
        if access.is_staff(user):
            return self
        if not _signed_in(user):
            return self.none()
        return self.filter(change__client_id=user.pk)


class ChangeDesign(models.Model):
    """A design document (functional or technical design, a knowledge article) of a change."""

    change = models.ForeignKey("changes.Change", on_delete=models.CASCADE, related_name="design_links")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="change_designs", verbose_name=_("design")
    )
    linked_at = models.DateTimeField(_("linked"))
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ChangeDesignQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("design of a change")
        verbose_name_plural = _("designs of changes")
        constraints = [models.UniqueConstraint(fields=["change", "article"], name="uniq_change_design")]
        indexes = [models.Index(fields=["article", "change"], name="change_design_by_article")]

    def __str__(self) -> str:
        return f"{self.change_id}: {self.article_id}"


def needs_approved(change: Any) -> bool:
    """True when the change has no active requirements, or its client approved the current needs
    version (the workflow's `needs_client_approval` rule reads this)."""
    if change.pk is None:
        return True
    if not Requirement.objects.filter(change_id=change.pk, status=RequirementStatus.ACTIVE).exists():
        return True
    if change.client_id is None:
        return False
    version = NeedsInventory.objects.filter(change_id=change.pk).values_list("version", flat=True).first()
    latest = (
        NeedsApproval.objects.filter(change_id=change.pk, needs_version=version or 0)
        .filter(approver_id=change.client_id)
        .order_by("-at", "-id")
        .first()
    )
    return latest is not None and latest.approved
