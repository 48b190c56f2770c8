"""Standard changes: templates with their activities, and the activities of a change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup
from beheer.core import access


class ChangeTemplateQuerySet(access.RoleQuerySet, models.QuerySet["ChangeTemplate"]):
    audience = access.Audience.STAFF

    def active(self) -> ChangeTemplateQuerySet:
        return self.filter(active=True)


class ChangeTemplate(models.Model):
    """A standard change (standaardwijziging): pre-approved work that expands into its activities."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator group"),
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    objects = ChangeTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("change template")
        verbose_name_plural = _("change templates")

    def __str__(self) -> str:
        return self.name


class TemplateActivity(models.Model):
    template = models.ForeignKey(ChangeTemplate, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("title"), max_length=200)
    estimate_minutes = models.PositiveIntegerField(_("estimate (minutes)"), default=0)
    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator group"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("template activity")
        verbose_name_plural = _("template activities")

    def __str__(self) -> str:
        return self.title


class DeviationDecision(models.TextChoices):
    """What is done about an activity's deviation (the execution page decides it)."""

    ACCEPT = "accept", _("Accept the deviation")
    REWORK = "rework", _("Rework")
    ROLL_BACK = "roll_back", _("Roll back")


class ChangeActivityQuerySet(models.QuerySet["ChangeActivity"]):
    def visible_to(self, user: Any) -> ChangeActivityQuerySet:
        """Staff only: activities are internal work."""
        return self if access.is_staff(user) else self.none()

    def planned_for_client(self, user: Any) -> ChangeActivityQuerySet:
        """What the portal shows the client of a change of its plan: the activities of the changes
        they are the client of (titles and dates only; the portal reads no other field)."""
        if access.is_staff(user):
            return self
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(change__client_id=user.pk)


class ChangeActivity(models.Model):
    """One piece of work of a change: who does it, how long it should take, when, and whether it is
    done (or deviated from, with the reason)."""

    change = models.ForeignKey("changes.Change", on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("title"), max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator group"),
    )
    estimate_minutes = models.PositiveIntegerField(_("estimate (minutes)"), default=0)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    deviation = models.TextField(_("deviation"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    deviation_decision = models.CharField(
        _("decision"), max_length=10, choices=DeviationDecision.choices, blank=True
    )
    deviation_decision_text = models.TextField(_("decision explained"), blank=True)
    deviation_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    deviation_decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    people_count = models.PositiveSmallIntegerField(_("people"), default=1)
    means = models.TextField(_("means"), blank=True, help_text=_("Tools, materials, rooms, access."))

    objects = ChangeActivityQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["change", "order", "id"], name="change_activity_order")]

    def __str__(self) -> str:
        return self.title

    @property
    def settled(self) -> bool:
        """Done, or a deviation noted: it no longer blocks evaluation."""
        return self.done_at is not None or bool(self.deviation)
