"""Configurable lookup values: statuses, call types, impact, urgency, priority, closure codes, categories."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup
from beheer.core.language import english_active
from beheer.core.models import LocalizedNameModel


class EntryType(models.TextChoices):
    """Wijze van binnenkomst."""

    PHONE = "phone", _("Phone")
    DESK = "desk", _("Desk")
    PORTAL = "portal", _("Self-service portal")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    MONITORING = "monitoring", _("Monitoring")
    PREVENTIVE = "preventive", _("Preventive activity")


class Line(models.TextChoices):
    FIRST = "first", _("First line")
    SECOND = "second", _("Second line")
    PARTIAL = "partial", _("Partial incident")


class StatusKind(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_KINDS = (StatusKind.NEW, StatusKind.OPEN, StatusKind.WAITING)


class Status(LocalizedNameModel):
    """A processing status; admins add their own, each belonging to one kind."""

    kind = models.CharField(_("kind"), max_length=10, choices=StatusKind.choices)
    pauses_sla = models.BooleanField(_("pauses SLA"), default=False)
    notify_caller = models.BooleanField(
        _("e-mail the caller"),
        default=False,
        help_text=_("The caller gets an e-mail when a call gets this status (e.g. waiting for caller)."),
    )
    asks_supplier = models.BooleanField(
        _("asks for the supplier"),
        default=False,
        help_text=_(
            "Choosing this status asks which supplier the call waits for (e.g. waiting for supplier)."
        ),
    )
    is_default = models.BooleanField(
        _("default for its kind"),
        default=False,
        help_text=_("Used when the system moves a call to this kind."),
    )
    allowed_next = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="allowed_previous",
        verbose_name=_("allowed next statuses"),
    )

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("status")
        verbose_name_plural = _("statuses")


class CallType(LocalizedNameModel):
    """Soort melding: incident, question, service request, complaint."""

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("call type")
        verbose_name_plural = _("call types")


class Impact(LocalizedNameModel):
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("1 is the highest impact."))

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("impact")
        verbose_name_plural = _("impacts")


class Urgency(LocalizedNameModel):
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("1 is the highest urgency."))

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("urgency")
        verbose_name_plural = _("urgencies")


class Priority(LocalizedNameModel):
    level = models.PositiveSmallIntegerField(
        _("level"), unique=True, help_text=_("1 is the highest priority.")
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution time allowed (minutes)"), help_text=_("Used to compute the target date.")
    )

    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.resolution_minutes)


class PriorityMatrixCell(models.Model):
    """Impact x urgency -> priority."""

    impact = models.ForeignKey(Impact, on_delete=models.CASCADE, related_name="+", verbose_name=_("impact"))
    urgency = models.ForeignKey(
        Urgency, on_delete=models.CASCADE, related_name="+", verbose_name=_("urgency")
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="+", verbose_name=_("priority")
    )

    class Meta:
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")
        constraints = [models.UniqueConstraint(fields=["impact", "urgency"], name="uniq_matrix_cell")]


class ClosureCode(LocalizedNameModel):
    class Meta(LocalizedNameModel.Meta):
        verbose_name = _("closure code")
        verbose_name_plural = _("closure codes")


class Category(models.Model):
    """A category, or a subcategory when it has a parent (two levels)."""

    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="uniq_category_name")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if english_active() and self.name_en else self.name


class ServicedeskSettings(models.Model):
    """Business settings of the servicedesk, edited by administrators (one row)."""

    reopen_days = models.PositiveSmallIntegerField(
        _("reopen period (days)"),
        default=14,
        help_text=_("A caller can reopen a resolved call this long."),
    )
    auto_close = models.BooleanField(
        _("close automatically"),
        default=True,
        help_text=_("Close resolved calls when the reopen period ends."),
    )
    default_first_line_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default first-line group"),
    )
    number_prefix = models.CharField(_("number prefix"), max_length=4, default="M")

    class Meta:
        verbose_name = _("servicedesk settings")
        verbose_name_plural = _("servicedesk settings")

    @classmethod
    def current(cls) -> ServicedeskSettings:
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls(pk=1)
