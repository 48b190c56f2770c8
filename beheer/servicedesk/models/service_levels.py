"""Service levels: SLA policies with targets per priority, OLAs per group.

The arithmetic lives without the ORM in `calendars/business_time.py` (business time) and
`servicedesk/sla/clock.py` (pauses, deadlines, states); these models hold the configuration an
administrator edits. The business calendars they count in are the calendars app's.
`MeldingOla` rows are derived data: each can be recomputed from the melding's history.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import Branch, Department, OperatorGroup
from beheer.calendars.models import BusinessCalendar
from beheer.calendars.models import validate_time_zone as validate_time_zone  # named by migrations 0005, 0017

from .lookups import CallType, Category, Priority


class SlaPolicyQuerySet(models.QuerySet["SlaPolicy"]):
    def active(self) -> SlaPolicyQuerySet:
        return self.filter(active=True)


class SlaPolicy(models.Model):
    """Dienstverleningsovereenkomst: targets per priority for meldingen matching its conditions.

    The first active policy (lowest order) whose conditions all match applies; an empty condition
    matches everything.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("business calendar"),
    )
    order = models.PositiveIntegerField(
        _("order"), default=100, help_text=_("Lower numbers are tried first.")
    )
    active = models.BooleanField(_("active"), default=True)
    at_risk_percent = models.PositiveSmallIntegerField(
        _("at risk from (percentage of the target)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    call_types = models.ManyToManyField(CallType, blank=True, related_name="+", verbose_name=_("call types"))
    categories = models.ManyToManyField(Category, blank=True, related_name="+", verbose_name=_("categories"))
    departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("departments")
    )
    branches = models.ManyToManyField(Branch, blank=True, related_name="+", verbose_name=_("branches"))
    escalation_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("second-line group for escalation"),
        help_text=_("Where a first-line call goes when it breaches, if escalation is switched on."),
    )
    escalate_on_breach = models.BooleanField(_("escalate to the second line on breach"), default=False)
    raise_priority_on_breach = models.BooleanField(_("raise the priority on breach"), default=False)

    objects = SlaPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.ForeignKey(
        Priority, on_delete=models.CASCADE, related_name="+", verbose_name=_("priority")
    )
    response_minutes = models.PositiveIntegerField(
        _("response within (business minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(_("resolution within (business minutes)"))
    update_minutes = models.PositiveIntegerField(
        _("update the caller every (business minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Optional: how often the caller must get a reply or a status change."),
    )

    class Meta:
        ordering = ["policy", "priority__level"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [models.UniqueConstraint(fields=["policy", "priority"], name="uniq_sla_target")]

    def __str__(self) -> str:
        return f"{self.policy} / {self.priority}"


class SlaMetric(models.TextChoices):
    RESPONSE = "response", _("Response")
    RESOLUTION = "resolution", _("Resolution")
    UPDATE = "update", _("Update to the caller")


class SlaEscalationKind(models.TextChoices):
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")


def escalation_reason(metric: str, kind: str) -> Any:
    """Why the SLA sweep wrote a history entry, in the reader's language (None for an unknown pair)."""
    reasons: dict[tuple[str, str], Any] = {
        (SlaMetric.RESOLUTION, SlaEscalationKind.AT_RISK): _("The resolution time is at risk."),
        (SlaMetric.RESOLUTION, SlaEscalationKind.BREACHED): _("The resolution time has been exceeded."),
        (SlaMetric.RESPONSE, SlaEscalationKind.BREACHED): _("The response time has been exceeded."),
        (SlaMetric.UPDATE, SlaEscalationKind.AT_RISK): _("The caller is due for an update."),
        (SlaMetric.UPDATE, SlaEscalationKind.BREACHED): _("The caller has not had an update in time."),
    }
    return reasons.get((metric, kind))


class SlaEscalation(models.Model):
    """One escalation of one melding; the unique constraint makes the periodic sweep escalate once."""

    melding = models.ForeignKey("Melding", on_delete=models.CASCADE, related_name="sla_escalations")
    metric = models.CharField(max_length=12, choices=SlaMetric.choices)
    kind = models.CharField(max_length=10, choices=SlaEscalationKind.choices)
    at = models.DateTimeField()
    actions = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["melding", "metric", "kind"], name="uniq_sla_escalation"),
        ]


class OlaTargetQuerySet(models.QuerySet["OlaTarget"]):
    def active(self) -> OlaTargetQuerySet:
        return self.filter(active=True)


class OlaTarget(models.Model):
    """Operational level agreement: how long a melding may stay with one operator group.

    A row without a priority applies to every priority that has no row of its own for the group.
    The clock counts business minutes in which the group held the melding (pauses excluded).
    """

    operator_group = models.ForeignKey(
        OperatorGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("operator group")
    )
    priority = models.ForeignKey(
        Priority,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("priority"),
        help_text=_("Empty: every priority without a target of its own."),
    )
    minutes = models.PositiveIntegerField(
        _("may stay with the group for (business minutes)"), validators=[MinValueValidator(1)]
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("business calendar"),
        help_text=_("Empty: the calendar of the SLA policy that applies to the call."),
    )
    at_risk_percent = models.PositiveSmallIntegerField(
        _("at risk from (percentage of the target)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    active = models.BooleanField(_("active"), default=True)

    objects = OlaTargetQuerySet.as_manager()

    class Meta:
        ordering = ["operator_group__name", "priority__level"]
        verbose_name = _("OLA target")
        verbose_name_plural = _("OLA targets")
        constraints = [
            models.UniqueConstraint(
                fields=["operator_group", "priority"],
                condition=Q(priority__isnull=False),
                name="uniq_ola_group_priority",
            ),
            models.UniqueConstraint(
                fields=["operator_group"], condition=Q(priority__isnull=True), name="uniq_ola_group_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operator_group} / {self.priority or _('every priority')}"


class MeldingOla(models.Model):
    """One operator group's OLA figures for one melding, derived from the melding's history.

    Written only by `services.service_level.refresh_olas`, which recomputes the row from scratch;
    reports aggregate these rows. `stopped_at` is set while the group does not hold the melding (it
    handed it over, or the melding was resolved); `met` is decided once the clock stopped or the
    target was exceeded.
    """

    melding = models.ForeignKey("Melding", on_delete=models.CASCADE, related_name="olas")
    operator_group = models.ForeignKey(OperatorGroup, on_delete=models.PROTECT, related_name="+")
    target_minutes = models.PositiveIntegerField()
    elapsed_minutes = models.PositiveIntegerField()
    first_assigned_at = models.DateTimeField()
    due = models.DateTimeField(null=True, blank=True)
    risk_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    met = models.BooleanField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["melding", "operator_group"], name="uniq_melding_ola"),
        ]
        indexes = [
            models.Index(fields=["operator_group", "stopped_at"], name="ola_group_stopped"),
        ]


class ServiceLevelSubject(models.TextChoices):
    CALENDAR = "calendar", _("Business calendar")
    POLICY = "policy", _("SLA policy")
    OLA = "ola", _("OLA target")


class ServiceLevelChange(models.Model):
    """History of the service-level configuration: who changed what, when, old -> new.

    Written by `services.sla_config` only; the rows keep the subject's name so they survive a delete.
    """

    subject = models.CharField(max_length=10, choices=ServiceLevelSubject.choices)
    subject_id = models.PositiveIntegerField()
    subject_name = models.CharField(max_length=200)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=20)  # created, changed, archived, restored, deleted
    field = models.CharField(max_length=60, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject", "subject_id", "at"], name="sl_change_subject")]
