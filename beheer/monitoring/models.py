"""Checks, their current state, their results and maintenance windows.

The arithmetic lives in pure modules (`states.py`, `windows.py`, `availability.py`);
these models hold what an administrator configures and what the monitor records.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup, User
from beheer.calendars.windows import Window, WindowError
from beheer.core import access
from beheer.core.history import SubjectHistoryRecord, subject_index, subject_key
from beheer.core.recurrence import describe
from beheer.core.timezones import installation_time_zone
from beheer.servicedesk.models import Impact, Melding, Urgency

from . import states


class CheckKind(models.TextChoices):
    HTTP = "http", _("HTTP(S)")
    TCP = "tcp", _("TCP connect")
    PING = "ping", _("Ping (ICMP)")
    DNS = "dns", _("DNS")
    TLS = "tls", _("TLS certificate")
    SNMP = "snmp", _("SNMP")
    PUSH = "push", _("Push / heartbeat")


class CheckQuerySet(access.RoleQuerySet, models.QuerySet["Check"]):
    audience = access.Audience.STAFF  # operators, coordinators and administrators; never callers


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
        help_text=_("While that check is down, this check's failures open no calls."),
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
        verbose_name=_("operator group for calls"),
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
    resolve_on_recovery = models.BooleanField(_("resolve the call on recovery"), default=True)
    # quality norm: what the availability report compares against
    availability_target = models.DecimalField(
        _("availability target (%)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("99.9"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("The share of measured time (maintenance excluded) the check should be up."),
    )
    latency_target_ms = models.PositiveIntegerField(
        _("latency target (ms)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600000)],
        help_text=_("The 95th percentile response time should stay at or below this; empty for none."),
    )
    active = models.BooleanField(_("active"), default=True)
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checks",
        verbose_name=_("configuration item"),
        help_text=_("The configuration item this check watches."),
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        indexes = [models.Index(fields=["name", "id"], name="check_name_id")]  # the list's keyset order

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
    # why the last result could not be recorded as it should (a melding the servicedesk refused,
    # a value the database would not store), and when; cleared by the next clean recording
    error = models.CharField(max_length=500, blank=True, default="")
    error_at = models.DateTimeField(null=True, blank=True)

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


class MaintenanceWindowQuerySet(access.RoleQuerySet, models.QuerySet["MaintenanceWindow"]):
    audience = access.Audience.STAFF


class MaintenanceWindow(models.Model):
    name = models.CharField(_("name"), max_length=120)
    start = models.DateTimeField(_("first start (local time)"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(31 * 24 * 60)]
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=installation_time_zone)
    rule = models.CharField(
        _("recurrence (RRULE)"),
        max_length=500,
        blank=True,
        help_text=_("Empty for once; for example FREQ=WEEKLY;BYDAY=SU for every Sunday."),
    )
    checks = models.ManyToManyField(Check, blank=True, related_name="maintenance_windows")
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    hosts = models.CharField(
        _("hosts"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated: every check whose host is one of these is in maintenance."),
    )
    cis = models.ManyToManyField(
        "cmdb.ConfigurationItem",
        blank=True,
        related_name="maintenance_windows",
        verbose_name=_("configuration items"),
    )
    include_dependants = models.BooleanField(
        _("include what rests on them"),
        default=False,
        help_text=_("Also the checks of every configuration item that rests on these."),
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = MaintenanceWindowQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        indexes = [models.Index(fields=["name", "id"], name="mwindow_name_id")]

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [t.strip().lower() for t in self.tags.split(",") if t.strip()]

    @property
    def host_list(self) -> list[str]:
        return [h.strip().lower() for h in self.hosts.split(",") if h.strip()]

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


class CheckAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    PARENT_DELETED = "parent_deleted", _("The check it depended on was deleted")
    DELETED = "deleted", _("Deleted")


class WindowAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    ENDED_EARLY = "ended_early", _("Ended early")
    CANCELLED = "cancelled", _("Cancelled")
    OCCURRENCE_ENDED = "occurrence_ended", _("This occurrence ended early")
    CHECK_DELETED = "check_deleted", _("A check it covered was deleted")
    DELETED = "deleted", _("Deleted")


class CheckHistoryEntry(SubjectHistoryRecord):
    """Who changed a check, when, old -> new (`core.history`); written by the check services in the
    transaction of the change. The check's name is kept, so the trail of a deleted check still says
    whose it was; secret option values are never stored, only that they changed."""

    subject_field = "check_obj"
    subject_name_field = "check_name"
    orphans_audience = access.Audience.STAFF  # who may see checks at all

    check_obj = subject_key(Check, _("check"))
    check_name = models.CharField(_("check"), max_length=120)
    action = models.CharField(max_length=40, choices=CheckAction.choices)
    field = models.CharField(max_length=200, blank=True)  # options.headers.<name> can be long

    class Meta:
        verbose_name = _("check history entry")
        verbose_name_plural = _("check history")
        indexes = [subject_index("check_obj", "check_history_at")]


class MaintenanceWindowHistoryEntry(SubjectHistoryRecord):
    """Who scheduled, changed, ended or deleted a maintenance window, when, old -> new; written by
    the window services in the transaction of the change. The window's name is kept."""

    subject_field = "window"
    subject_name_field = "window_name"
    orphans_audience = access.Audience.STAFF  # who may see windows at all
    value_words = {"rule": describe}  # a rule in words, never raw

    window = subject_key(MaintenanceWindow, _("maintenance window"))
    window_name = models.CharField(_("maintenance window"), max_length=120)
    action = models.CharField(max_length=40, choices=WindowAction.choices)

    class Meta:
        verbose_name = _("maintenance window history entry")
        verbose_name_plural = _("maintenance window history")
        indexes = [subject_index("window", "mwindow_history_at")]


class AlertSource(models.Model):
    """A system that posts Prometheus Alertmanager webhooks to Beheer (its URL token is the key)."""

    name = models.CharField(_("name"), max_length=120)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator group"),
    )
    impact = models.ForeignKey(Impact, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    urgency = models.ForeignKey(Urgency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolve_on_resolved = models.BooleanField(_("resolve the call when the alert is resolved"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("alert source (Alertmanager)")
        verbose_name_plural = _("alert sources (Alertmanager)")

    def __str__(self) -> str:
        return self.name


class ReceivedAlert(models.Model):
    """One alert of a source, by fingerprint: the melding it opened and its last known status."""

    source = models.ForeignKey(AlertSource, on_delete=models.CASCADE, related_name="alerts")
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10)
    title = models.CharField(max_length=200)
    labels = models.JSONField(default=dict)
    melding = models.ForeignKey(Melding, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    first_received_at = models.DateTimeField()
    last_received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "fingerprint"], name="received_alert_unique"),
        ]


class Bucket(models.TextChoices):
    MINUTE = "minute", _("minute")
    HOUR = "hour", _("hour")
    DAY = "day", _("day")


class CheckRollup(models.Model):
    """Time per state and latency figures of one check in one minute, hour or (local) day.

    Filled by `services.roll_up`; see `rollups.py` for the arithmetic and `queries.py` for the retention.
    """

    check_obj = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="rollups")
    bucket = models.CharField(max_length=6, choices=Bucket.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    up_seconds = models.FloatField(default=0)
    down_seconds = models.FloatField(default=0)
    maintenance_seconds = models.FloatField(default=0)
    unknown_seconds = models.FloatField(default=0)
    outages = models.PositiveIntegerField(default=0)  # up -> down transitions that started here
    latency_count = models.PositiveIntegerField(default=0)
    latency_sum = models.BigIntegerField(default=0)
    latency_max = models.PositiveIntegerField(null=True, blank=True)
    latency_histogram = models.JSONField(default=list)  # counts per rollups.LATENCY_BOUNDS bin
    closed = models.BooleanField(default=False)  # closed buckets are final

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["check_obj", "bucket", "start"], name="uniq_rollup_bucket")
        ]
        indexes = [models.Index(fields=["bucket", "start"], name="rollup_bucket_start")]


class RollupProgress(models.Model):
    """One row per bucket size: everything before `closed_until` is rolled up and final."""

    bucket = models.CharField(max_length=6, choices=Bucket.choices, primary_key=True)
    closed_until = models.DateTimeField()


class StatusPage(models.Model):
    """A public status page (no login) for a service: chosen checks under public names only."""

    slug = models.SlugField(
        _("address"), max_length=60, unique=True, help_text=_("The page is /status/<address>/.")
    )
    title = models.CharField(_("title"), max_length=120)
    introduction = models.TextField(_("introduction"), blank=True, max_length=2000)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("public status page")
        verbose_name_plural = _("public status pages")

    def __str__(self) -> str:
        return self.title


class StatusPageEntry(models.Model):
    page = models.ForeignKey(StatusPage, on_delete=models.CASCADE, related_name="entries")
    check_obj = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="+", verbose_name=_("check"))
    public_name = models.CharField(
        _("public name"), max_length=120, help_text=_("What visitors see instead of the check's own name.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("service on the page")
        verbose_name_plural = _("services on the page")
        constraints = [models.UniqueConstraint(fields=["page", "check_obj"], name="uniq_statuspage_check")]

    def __str__(self) -> str:
        return self.public_name
