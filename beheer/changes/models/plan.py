"""The implementation plan of a change: the order of its activities, the plan's version and its
approvals, the notices to its stakeholders, and the maintenance window it keeps in monitoring."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from beheer.core import access

from .changes import Change
from .stakeholders import Stakeholder
from .templates import ChangeActivity


class StaffOnlyQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: Any) -> Any:
        """Staff only: the plan is internal work."""
        return self if access.is_staff(user) else self.none()


class ChangePlan(models.Model):
    """The plan's version (it goes up when activities or dates change after an approval, so the
    approval is outdated) and the maintenance window kept in step with the change."""

    change = models.OneToOneField(Change, on_delete=models.CASCADE, primary_key=True, related_name="plan")
    version = models.PositiveIntegerField(_("plan version"), default=1)
    maintenance_window = models.ForeignKey(
        "monitoring.MaintenanceWindow",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("maintenance window"),
    )

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("implementation plan")
        verbose_name_plural = _("implementation plans")

    def __str__(self) -> str:
        return f"{self.change_id} v{self.version}"


class ActivityDependency(models.Model):
    """`activity` starts after `depends_on` (both of the same change)."""

    activity = models.ForeignKey(ChangeActivity, on_delete=models.CASCADE, related_name="dependencies")
    depends_on = models.ForeignKey(
        ChangeActivity, on_delete=models.CASCADE, related_name="dependants", verbose_name=_("depends on")
    )

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("activity dependency")
        verbose_name_plural = _("activity dependencies")
        constraints = [
            models.UniqueConstraint(fields=["activity", "depends_on"], name="uniq_change_activity_dep"),
            models.CheckConstraint(
                condition=~Q(activity=F("depends_on")), name="change_activity_dep_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} -> {self.depends_on_id}"


class PlanApprovalQuerySet(models.QuerySet["PlanApproval"]):
    def visible_to(self, user: Any) -> PlanApprovalQuerySet:
        """Staff see every plan approval; a client the ones of their own changes."""
        if access.is_staff(user):
            return self
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(change__client_id=user.pk)


class PlanApproval(models.Model):
    """The change coordinator or the client approved one version of the plan."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="plan_approvals")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"))
    plan_version = models.PositiveIntegerField(_("plan version"))
    comment = models.TextField(_("comment"), blank=True)

    objects = PlanApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["-approved_at", "-id"]
        verbose_name = _("plan approval")
        verbose_name_plural = _("plan approvals")
        indexes = [models.Index(fields=["change", "plan_version"], name="change_plan_approval")]

    def __str__(self) -> str:
        return f"{self.change_id} v{self.plan_version}"


class PlanNotice(models.Model):
    """A notice to the stakeholders about the planned work, optionally with a user instruction
    from the knowledge base that they confirm reading there."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="plan_notices")
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    article = models.ForeignKey(
        "knowledge.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user instruction"),
    )
    article_version = models.PositiveIntegerField(null=True, blank=True)  # the number sent
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"))

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("stakeholder notice")
        verbose_name_plural = _("stakeholder notices")
        indexes = [models.Index(fields=["change", "-sent_at", "-id"], name="change_plan_notice")]

    def __str__(self) -> str:
        return self.subject


class PlanNoticeRecipient(models.Model):
    """One stakeholder a notice went to, and when."""

    notice = models.ForeignKey(PlanNotice, on_delete=models.CASCADE, related_name="recipients")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.SET_NULL, null=True, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("e-mail address"), max_length=254, blank=True)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)  # no address: not
    subscribed = models.BooleanField(default=False)  # to the article's read acknowledgement

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")

    def __str__(self) -> str:
        return self.name
