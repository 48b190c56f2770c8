"""Software licences: what the school bought (a product, a licence model, how many), from whom,
until when, and to which CIs or people each licence is assigned.

A licence's compliance compares its entitlements with its assignments (`services.licences.compliance`):
more assigned than entitled is under-licensed, fewer is over-licensed (unused), a site licence has no
limit. `reminded_for` keeps the expiry date a reminder was sent for, so it goes once per deadline.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.history import SubjectHistoryRecord, subject_index, subject_key

from . import ConfigurationItem, Supplier

DEFAULT_REMIND_DAYS = 60


class LicenceModel(models.TextChoices):
    PER_DEVICE = "per_device", _("Per device")
    PER_USER = "per_user", _("Per user")
    CONCURRENT = "concurrent", _("Concurrent")
    SITE = "site", _("Site licence")
    SUBSCRIPTION = "subscription", _("Subscription")


class LicenceQuerySet(access.RoleQuerySet, models.QuerySet["Licence"]):
    audience = access.Audience.STAFF


class Licence(models.Model):
    """Licentie: a product the school may use, on the terms of its licence model."""

    product = models.CharField(_("product"), max_length=200)
    application = models.ForeignKey(
        ConfigurationItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="licences",
        verbose_name=_("application"),
    )
    licence_model = models.CharField(_("licence model"), max_length=20, choices=LicenceModel.choices)
    entitlements = models.PositiveIntegerField(
        _("entitlements"), null=True, blank=True, help_text=_("Empty for a site licence: no limit.")
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="licences",
        verbose_name=_("supplier"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    start_date = models.DateField(_("start date"))
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    reference = models.CharField(_("order or contract reference"), max_length=80, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    remind_days = models.PositiveIntegerField(_("remind days before expiry"), default=DEFAULT_REMIND_DAYS)
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("changed"))

    objects = LicenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["product", "id"]
        indexes = [
            models.Index(fields=["product", "id"], name="cmdb_licence_product"),
            models.Index(fields=["expiry_date", "id"], name="cmdb_licence_expiry"),
        ]

    def __str__(self) -> str:
        return self.product

    @property
    def unlimited(self) -> bool:
        return self.licence_model == LicenceModel.SITE


class LicenceAssignmentQuerySet(access.RoleQuerySet, models.QuerySet["LicenceAssignment"]):
    audience = access.Audience.STAFF


class LicenceAssignment(models.Model):
    """One licence used by one CI or one person (exactly one of the two)."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="assignments")
    ci = models.ForeignKey(
        ConfigurationItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="licence_assignments",
        verbose_name=_("configuration item"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="licence_assignments",
        verbose_name=_("person"),
    )
    assigned_at = models.DateTimeField(_("assigned"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = LicenceAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(ci__isnull=False) & Q(person__isnull=True))
                | (Q(ci__isnull=True) & Q(person__isnull=False)),
                name="cmdb_licence_assignment_one_end",
            ),
            models.UniqueConstraint(
                fields=["licence", "ci"], condition=Q(ci__isnull=False), name="uniq_cmdb_licence_ci"
            ),
            models.UniqueConstraint(
                fields=["licence", "person"],
                condition=Q(person__isnull=False),
                name="uniq_cmdb_licence_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence}: {self.ci or self.person}"

    @property
    def holder(self) -> Any:
        return self.ci if self.ci_id is not None else self.person


class LicenceAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    ASSIGNED = "assigned", _("Assigned")
    UNASSIGNED = "unassigned", _("Assignment removed")
    REMINDED = "reminded", _("Reminder sent")
    FILE_UPLOADED = "file_uploaded", _("File uploaded")
    FILE_DELETED = "file_deleted", _("File version deleted")
    DELETED = "deleted", _("Deleted")


class LicenceHistoryEntry(SubjectHistoryRecord):
    """Who created, changed, assigned or removed a licence, when, old -> new."""

    subject_field = "licence"
    subject_name_field = "licence_name"
    subject_name_attr = "product"
    orphans_audience = access.Audience.STAFF
    field_labels = {"assignment": _("assignment"), "file": _("file")}

    licence = subject_key(Licence, _("licence"))
    licence_name = models.CharField(_("licence"), max_length=200)
    action = models.CharField(max_length=40, choices=LicenceAction.choices)

    class Meta:
        verbose_name = _("licence history entry")
        verbose_name_plural = _("licence history")
        indexes = [subject_index("licence", "cmdb_licence_history_at")]
