"""Approval: who approves a change of each kind, by which rule, and their decisions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup
from beheer.core import access

from .. import workflow
from .changes import Change, ChangeKind


class DecisionRule(models.TextChoices):
    ALL = workflow.ALL, _("All approvers")
    ANY = workflow.ANY, _("Any approver")
    MAJORITY = workflow.MAJORITY, _("A majority")


class Vote(models.TextChoices):
    OPEN = "", _("Waiting")
    APPROVED = workflow.APPROVED, _("Approved")
    REJECTED = workflow.REJECTED, _("Rejected")


class ApprovalRuleQuerySet(access.RoleQuerySet, models.QuerySet["ApprovalRule"]):
    audience = access.Audience.STAFF


class ApprovalRule(models.Model):
    """Who approves a change of one kind: an operator group (the CAB) and/or the owners of the
    services the change affects (found through the CMDB's impact analysis), and by which rule."""

    kind = models.CharField(_("kind of change"), max_length=10, choices=ChangeKind.choices, unique=True)
    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approving group (CAB)"),
    )
    service_owners = models.BooleanField(_("owners of the affected services approve"), default=True)
    rule = models.CharField(
        _("decision rule"), max_length=10, choices=DecisionRule.choices, default=DecisionRule.ALL
    )
    version = models.PositiveIntegerField(default=1)

    objects = ApprovalRuleQuerySet.as_manager()

    class Meta:
        ordering = ["kind"]
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class ChangeApprovalQuerySet(models.QuerySet["ChangeApproval"]):
    def visible_to(self, user: Any) -> ChangeApprovalQuerySet:
        """Staff see every approval; anybody else only the ones asked of them."""
        if access.is_staff(user):
            return self
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(approver_id=user.pk)


class ChangeApproval(models.Model):
    """One approver's decision in one approval round of a change."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="approvals")
    round = models.PositiveIntegerField(_("round"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("approver")
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Vote.choices, default="", blank=True)
    comment = models.TextField(_("comment"), blank=True)
    retroactive = models.BooleanField(_("afterwards"), default=False)
    requested_at = models.DateTimeField(_("requested"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ChangeApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["round", "id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(fields=["change", "round", "approver"], name="uniq_change_approver"),
            models.CheckConstraint(condition=Q(decision__in=Vote.values), name="change_vote_valid"),
        ]
        indexes = [models.Index(fields=["approver", "decision", "id"], name="change_approval_todo")]

    def __str__(self) -> str:
        return f"{self.change_id}/{self.round}: {self.approver_id}"
