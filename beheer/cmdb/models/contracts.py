"""Supplier contracts: maintenance, support, leases and subscriptions, with their notice period
(the notice date is the end date minus the notice period) and the CIs they cover.

`reminded_for` keeps the notice date a reminder was sent for, so it goes once per deadline.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.history import SubjectHistoryRecord, subject_index, subject_key

from . import ConfigurationItem, Supplier
from .licences import DEFAULT_REMIND_DAYS


class ContractKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("Maintenance")
    SUPPORT = "support", _("Support")
    LEASE = "lease", _("Lease")
    SUBSCRIPTION = "subscription", _("Subscription")


class ContractQuerySet(access.RoleQuerySet, models.QuerySet["Contract"]):
    audience = access.Audience.STAFF


class Contract(models.Model):
    """Contract with a supplier."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("supplier")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContractKind.choices)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    title = models.CharField(_("title"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    notice_days = models.PositiveIntegerField(_("notice period (days)"), default=0)
    notice_date = models.DateField(_("notice date"), editable=False)
    auto_renewal = models.BooleanField(_("automatic renewal"), default=False)
    response_time = models.CharField(_("response time"), max_length=120, blank=True)
    contacts = models.TextField(_("contacts"), blank=True)
    covered_cis = models.ManyToManyField(
        ConfigurationItem, blank=True, related_name="contracts", verbose_name=_("covered configuration items")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    remind_days = models.PositiveIntegerField(
        _("remind days before notice date"), default=DEFAULT_REMIND_DAYS
    )
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("changed"))

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["notice_date", "id"]
        indexes = [
            models.Index(fields=["notice_date", "id"], name="cmdb_contract_notice"),
            models.Index(fields=["title", "id"], name="cmdb_contract_title"),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def notice_of(end_date: date, notice_days: int) -> date:
        return end_date - timedelta(days=notice_days)


class ContractAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    REMINDED = "reminded", _("Reminder sent")
    DELETED = "deleted", _("Deleted")


class ContractHistoryEntry(SubjectHistoryRecord):
    """Who created, changed or removed a contract, when, old -> new."""

    subject_field = "contract"
    subject_name_field = "contract_title"
    subject_name_attr = "title"
    orphans_audience = access.Audience.STAFF
    field_labels = {"covered_cis": _("covered configuration items")}

    contract = subject_key(Contract, _("contract"))
    contract_title = models.CharField(_("contract"), max_length=200)
    action = models.CharField(max_length=40, choices=ContractAction.choices)

    class Meta:
        verbose_name = _("contract history entry")
        verbose_name_plural = _("contract history")
        indexes = [subject_index("contract", "cmdb_contract_history_at")]
