"""Service levels: business calendars, SLA policies with targets per priority, OLAs per group.

The arithmetic (business time, pauses, deadlines, states) lives in `servicedesk/sla.py` without the
ORM; these models hold the configuration an administrator edits, and build that module's Calendar.
`MeldingOla` rows are derived data: each can be recomputed from the melding's history.
"""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import Branch, Department, OperatorGroup
from beheer.core.timezones import installation_time_zone

from .lookups import CallType, Category, Priority

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class SchoolRegion(models.TextChoices):
    NONE = "", _("No school holidays")
    NORTH = "Noord", _("Region North")
    MIDDLE = "Midden", _("Region Middle")
    SOUTH = "Zuid", _("Region South")


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value}) from exc


class BusinessCalendar(models.Model):
    """Servicevenster: when the SLA clock runs."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=installation_time_zone, validators=[validate_time_zone]
    )
    always_open = models.BooleanField(
        _("24x7"), default=False, help_text=_("Every hour counts; opening hours and holidays are ignored.")
    )
    public_holidays = models.BooleanField(_("closed on Dutch public holidays"), default=True)
    liberation_day_every_year = models.BooleanField(
        _("Liberation Day every year"),
        default=False,
        help_text=_("Closed on 5 May every year instead of only every fifth year (2025, 2030, ...)."),
    )
    school_holidays_region = models.CharField(
        _("closed in the school holidays of"), max_length=10, choices=SchoolRegion.choices, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")) | Q(end=time(0)), name="hours_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{dict(WEEKDAYS)[self.weekday]} {self.start:%H:%M}-{self.end:%H:%M}"


class ClosingDay(models.Model):
    """An extra day the desk is closed: a study day, a bridge day, a CAO holiday."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closing_days")
    date = models.DateField(_("date"))
    name = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="uniq_closing_day")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


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
