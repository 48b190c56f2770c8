"""Changes (wijzigingen) and projects, the CIs a change affects and their history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.core.history import HistoryRecordQuerySet, SubjectHistoryRecord, subject_index, subject_key
from beheer.servicedesk.models import Melding

from .. import workflow
from .base import Phase, RiskLevel
from .templates import ChangeTemplate


class ChangeKind(models.TextChoices):
    STANDARD = workflow.STANDARD, _("Standard")
    NORMAL = workflow.NORMAL, _("Normal")
    EMERGENCY = workflow.EMERGENCY, _("Emergency")


class ChangeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class ApprovalStatus(models.TextChoices):
    NOT_ASKED = workflow.NOT_ASKED, _("Not asked")
    PENDING = workflow.PENDING, _("Pending")
    GRANTED = workflow.GRANTED, _("Granted")
    REJECTED = workflow.REJECTED, _("Rejected")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


def _own(user: Any) -> Q:
    return Q(requester_id=user.pk) | Q(client_id=user.pk)


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: Any) -> ProjectQuerySet:
        """Staff see every project; nobody else (a client sees their changes in the portal)."""
        return self if access.is_staff(user) else self.none()


class Project(models.Model):
    """A project groups changes that share a goal, a plan and a budget."""

    name = models.CharField(_("name"), max_length=200)
    goal = models.TextField(_("goal"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    budget = models.DecimalField(_("budget"), max_digits=12, decimal_places=2, null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("changed"))

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [models.Index(fields=["name", "id"], name="change_project_name")]

    def __str__(self) -> str:
        return self.name


class ChangeQuerySet(models.QuerySet["Change"]):
    def visible_to(self, user: Any) -> ChangeQuerySet:
        """Staff see every change; a signed-in person the changes they requested or are the client
        of (in the portal, with phase and status only); anonymous visitors none."""
        if access.is_staff(user):
            return self
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(_own(user))

    def for_list(self) -> ChangeQuerySet:
        return self.select_related("phase", "coordinator", "risk_level", "project")


class Change(models.Model):
    """Wijziging: one alteration of the school's IT, from the request to its evaluation."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices, default=ChangeKind.NORMAL)
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.OPEN
    )
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+", verbose_name=_("phase"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requester"),
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("change coordinator"),
    )
    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator group"),
    )
    origin_melding = models.ForeignKey(
        Melding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from call"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("project"),
    )
    template = models.ForeignKey(
        ChangeTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("template"),
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), null=True, blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"), null=True, blank=True)
    risk_level = models.ForeignKey(
        RiskLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk"),
    )
    rollback_plan = models.TextField(_("rollback plan"), blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    approval_status = models.CharField(
        _("approval"), max_length=10, choices=ApprovalStatus.choices, default="", blank=True
    )
    approval_round = models.PositiveIntegerField(default=0)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_afterwards = models.BooleanField(_("approved afterwards"), default=False)
    evaluated_at = models.DateTimeField(_("evaluation started"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered"))
    updated_at = models.DateTimeField(_("changed"))
    version = models.PositiveIntegerField(default=1)

    objects = ChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="change_updated"),
            models.Index(fields=["status", "-updated_at", "-id"], name="change_status_updated"),
            models.Index(fields=["phase", "-updated_at", "-id"], name="change_phase_updated"),
            models.Index(fields=["coordinator", "-updated_at", "-id"], name="change_coord_updated"),
            models.Index(fields=["project", "-updated_at", "-id"], name="change_project_updated"),
            models.Index(fields=["requester", "-updated_at", "-id"], name="change_requester_updated"),
            models.Index(fields=["client", "-updated_at", "-id"], name="change_client_updated"),
            models.Index(fields=["status", "planned_start", "id"], name="change_status_planned"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ChangeKind.values), name="change_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ChangeStatus.values), name="change_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return format_change_number(self.pk)

    @property
    def is_open(self) -> bool:
        return self.status == ChangeStatus.OPEN


def format_change_number(pk: int | None) -> str:
    return f"W{pk:07d}" if pk else "W-"


def parse_change_number(text: str) -> int | None:
    """'W0000012', 'w12' or '12' -> 12."""
    raw = (text or "").strip().upper().removeprefix("W").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


class ChangeCiQuerySet(models.QuerySet["ChangeCi"]):
    def visible_to(self, user: Any) -> ChangeCiQuerySet:
        return self if access.is_staff(user) else self.none()


class ChangeCi(models.Model):
    """A configuration item the change affects."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="ci_links")
    ci = models.ForeignKey(
        ConfigurationItem, on_delete=models.CASCADE, related_name="change_links", verbose_name=_("CI")
    )
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ChangeCiQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["change", "ci"], name="uniq_change_ci")]
        indexes = [models.Index(fields=["ci", "change"], name="change_ci_by_ci")]

    def __str__(self) -> str:
        return f"{self.change_id}: {self.ci_id}"


class ChangeAction(models.TextChoices):
    CREATED = "created", _("Registered")
    CHANGED = "changed", _("Changed")
    MOVED = "moved", _("Phase changed")
    CI_ADDED = "ci_added", _("CI added")
    CI_REMOVED = "ci_removed", _("CI removed")
    APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    APPROVAL_DECIDED = "approval_decided", _("Approval decided")
    ACTIVITY_ADDED = "activity_added", _("Activity added")
    ACTIVITY_DONE = "activity_done", _("Activity done")
    DEVIATION = "deviation", _("Deviation noted")
    CANCELLED = "cancelled", _("Cancelled")
    STAKEHOLDER_ADDED = "stakeholder_added", _("Stakeholder added")
    STAKEHOLDER_REMOVED = "stakeholder_removed", _("Stakeholder removed")
    REQUIREMENT_ADDED = "requirement_added", _("Requirement added")
    REQUIREMENT_CHANGED = "requirement_changed", _("Requirement changed")
    REQUIREMENT_REMOVED = "requirement_removed", _("Requirement removed")
    NEEDS_NOTE_ADDED = "needs_note_added", _("Needs note added")
    NEEDS_NOTE_CHANGED = "needs_note_changed", _("Needs note changed")
    NEEDS_NOTE_REMOVED = "needs_note_removed", _("Needs note removed")
    QUESTION_ASKED = "question_asked", _("Question asked")
    QUESTION_ANSWERED = "question_answered", _("Question answered")
    QUESTION_REMOVED = "question_removed", _("Question removed")
    NEEDS_APPROVED = "needs_approved", _("Needs approved by the client")
    NEEDS_REJECTED = "needs_rejected", _("Needs rejected by the client")
    DESIGN_LINKED = "design_linked", _("Design linked")
    DESIGN_UNLINKED = "design_unlinked", _("Design unlinked")
    DEVIATION_DECIDED = "deviation_decided", _("Deviation decided")
    DOCUMENT_ADDED = "document_added", _("Document added")
    DOCUMENT_DELETED = "document_deleted", _("Document deleted")
    CMDB_PROPOSED = "cmdb_proposed", _("CMDB update proposed")
    CMDB_WITHDRAWN = "cmdb_withdrawn", _("CMDB update withdrawn")
    CMDB_APPLIED = "cmdb_applied", _("CMDB update applied")
    CMDB_FAILED = "cmdb_failed", _("CMDB update failed")
    FEEDBACK_REQUESTED = "feedback_requested", _("Feedback requested")
    FEEDBACK_ANSWERED = "feedback_answered", _("Feedback answered")
    FINDING_ADDED = "finding_added", _("Finding added")
    FINDING_REMOVED = "finding_removed", _("Finding removed")
    FOLLOW_UP_ADDED = "follow_up_added", _("Follow-up action added")
    FOLLOW_UP_CONVERTED = "follow_up_converted", _("Follow-up action converted")
    ADVICE_CHANGED = "advice_changed", _("Advice changed")
    MAIL_RECEIVED = "mail_received", _("E-mail received")
    ACTIVITY_CHANGED = "activity_changed", _("Activity changed")
    PLAN_APPROVED = "plan_approved", _("Plan approved")
    PLAN_NOTICE = "plan_notice", _("Stakeholders informed")
    MAINTENANCE_WINDOW = "maintenance_window", _("Maintenance window")


class StaffHistoryQuerySet(HistoryRecordQuerySet[Any]):
    def visible_to(self, user: Any) -> StaffHistoryQuerySet:
        """Staff only: the trail names people and internal work."""
        return self if access.is_staff(user) else self.none()


class ChangeHistoryEntry(SubjectHistoryRecord):
    """Every step of a change: who did what, when, old -> new."""

    subject_field = "change"
    subject_name_field = "change_name"
    subject_name_attr = "title"
    orphans_audience = access.Audience.STAFF
    field_labels = {
        "cis": _("configuration items"),
        "activity": _("activity"),
        "approval": _("approval"),
        "stakeholders": _("stakeholders"),
        "requirements": _("requirements"),
        "needs_notes": _("needs notes"),
        "questions": _("open questions"),
        "needs": _("needs"),
        "designs": _("designs"),
        "documents": _("documents"),
        "cmdb": _("CMDB"),
        "feedback": _("feedback"),
        "findings": _("findings"),
        "follow_ups": _("follow-up actions"),
        "advice": _("advice"),
        "mail": _("e-mail"),
        "plan": _("plan"),
        "maintenance_window": _("maintenance window"),
    }

    change = subject_key(Change, _("change"))
    change_name = models.CharField(_("change"), max_length=200)
    action = models.CharField(max_length=40, choices=ChangeAction.choices)

    objects = StaffHistoryQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("change history entry")
        verbose_name_plural = _("change history")
        indexes = [subject_index("change", "change_history_at")]


class ProjectAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")


class ProjectHistoryEntry(SubjectHistoryRecord):
    subject_field = "project"
    subject_name_field = "project_name"
    orphans_audience = access.Audience.STAFF

    project = subject_key(Project, _("project"))
    project_name = models.CharField(_("project"), max_length=200)
    action = models.CharField(max_length=40, choices=ProjectAction.choices)

    objects = StaffHistoryQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("project history entry")
        verbose_name_plural = _("project history")
        indexes = [subject_index("project", "change_project_history_at")]
