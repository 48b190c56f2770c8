"""Checks, their current state, their results and maintenance windows.

The arithmetic lives in pure modules (`states.py`, `windows.py`, `availability.py`, `guard.py`);
these models hold what an administrator configures and what the monitor records.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup, User
from beheer.servicedesk.models import Impact, Melding, Urgency

from . import states
from .windows import Window, WindowError


class CheckKind(models.TextChoices):
    HTTP = "http", _("HTTP(S)")
    TCP = "tcp", _("TCP connect")
    PING = "ping", _("Ping (ICMP)")
    DNS = "dns", _("DNS")
    TLS = "tls", _("TLS certificate")
    SNMP = "snmp", _("SNMP")
    PUSH = "push", _("Push / heartbeat")


class CheckQuerySet(models.QuerySet["Check"]):
    def visible_to(self, user: User) -> CheckQuerySet:
        """Operators, coordinators and administrators see checks; callers never do."""
        if getattr(user, "is_staff_member", False):
            return self
        return self.none()


class Check(models.Model):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=CheckKind.choices)
    target = models.CharField(_("target"), max_length=500, blank=True)
    host = models.CharField(
        _("host"), max_length=200, blank=True, help_text=_("The machine or service this check watches.")
    )
    interval_seconds = models.PositiveIntegerField(
        _("interval (seconds)"), default=60, validators=[MinValueValidator(10), MaxValueValidator(86400)]
    )
    timeout_seconds = models.PositiveIntegerField(
        _("timeout (seconds)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts before down"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    retry_interval_seconds = models.PositiveIntegerField(
        _("retry interval (seconds)"), default=10, validators=[MinValueValidator(5), MaxValueValidator(3600)]
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("depends on"),
        help_text=_("While that check is down, this check's failures open no meldingen."),
    )
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Comma-separated."))
    impact = models.ForeignKey(Impact, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    urgency = models.ForeignKey(Urgency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator group for meldingen"),
    )
    grace_seconds = models.PositiveIntegerField(
        _("grace (seconds)"),
        default=300,
        validators=[MaxValueValidator(7 * 86400)],
        help_text=_("Push checks: how late a ping may be before the check is down."),
    )
    push_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    options = models.JSONField(
        _("options"),
        default=dict,
        blank=True,
        help_text=_("Per-kind settings; secrets are stored encrypted."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    resolve_on_recovery = models.BooleanField(_("resolve the melding on recovery"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("check")
        verbose_name_plural = _("checks")

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [t.strip().lower() for t in self.tags.split(",") if t.strip()]

    def policy(self) -> states.Policy:
        # A late or failed push is a hard failure at once: the job itself already retried.
        return states.Policy(max_attempts=1 if self.kind == CheckKind.PUSH else self.max_attempts)


class CheckState(models.Model):
    """The check's current state (one row per check, locked while a result is recorded)."""

    check_obj = models.OneToOneField(Check, on_delete=models.CASCADE, primary_key=True, related_name="state")
    status = models.CharField(max_length=4, default="up")
    hard_status = models.CharField(max_length=4, default="up")
    attempt = models.PositiveSmallIntegerField(default=0)
    recent = models.JSONField(default=list)
    flapping = models.BooleanField(default=False)
    reported = models.CharField(max_length=4, default="up")
    last_result_at = models.DateTimeField(null=True, blank=True)
    hard_changed_at = models.DateTimeField(null=True, blank=True)
    melding = models.ForeignKey(Melding, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # scheduling: when the next probe is due, and which monitor process holds it until when
    next_due_at = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # what a probe keeps for the next one (an SNMP counter and when it was read)
    memo = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_due_at"], name="checkstate_due")]

    def as_state(self) -> states.State:
        return states.State(
            status=states.Status(self.status),
            hard_status=states.Status(self.hard_status),
            attempt=self.attempt,
            recent=tuple(bool(x) for x in self.recent),
            flapping=self.flapping,
            reported=states.Status(self.reported),
        )


class CheckResult(models.Model):
    check_obj = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="results")
    at = models.DateTimeField()
    ok = models.BooleanField()
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    in_maintenance = models.BooleanField(default=False)
    suppressed = models.BooleanField(default=False)  # a parent was down

    class Meta:
        indexes = [models.Index(fields=["check_obj", "-at"], name="result_check_at")]


class MaintenanceWindow(models.Model):
    name = models.CharField(_("name"), max_length=120)
    start = models.DateTimeField(_("first start (local time)"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(31 * 24 * 60)]
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Amsterdam")
    rule = models.CharField(
        _("recurrence (RRULE)"),
        max_length=500,
        blank=True,
        help_text=_("Empty for once; for example FREQ=WEEKLY;BYDAY=SU for every Sunday."),
    )
    checks = models.ManyToManyField(Check, blank=True, related_name="maintenance_windows")
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [t.strip().lower() for t in self.tags.split(",") if t.strip()]

    def window(self) -> Window | None:
        """The pure window, or None when the stored rule cannot be evaluated."""
        try:
            local = self.start.astimezone(ZoneInfo(self.time_zone)) if self.start.tzinfo else self.start
            return Window(
                start=local.replace(tzinfo=None),
                duration=timedelta(minutes=self.duration_minutes),
                time_zone=self.time_zone,
                rule=self.rule,
            )
        except (WindowError, ZoneInfoNotFoundError, ValueError):
            return None
