"""Preventive activities (beheeractiviteiten): recurring series of planned work and their occurrences.

A series (backup check, restore test, patch round, ...) has a recurrence rule, a checklist template,
an operator group and/or an assignee and the configuration items it concerns (`cis`, their names
kept in `linked_objects`). The periodic job
creates its occurrences ahead of time; each occurrence ends done, skipped or done with an anomaly.
Each occurrence also knows when its reminder is due (`remind_at`) and how far its people have been
told (`notice`, see `services.reminders`).

Who sees what (`visible_to`): callers nothing; coordinators and administrators every series and
occurrence; an operator the series of their operator groups, the series assigned to them and the
series that belong to nobody (no group and no assignee), with their occurrences.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import access
from beheer.core.timezones import installation_time_zone
from beheer.servicedesk.models import Melding


class ActivityKind(models.TextChoices):
    BACKUP_CHECK = "backup_check", _("Backup check")
    RESTORE_TEST = "restore_test", _("Restore test")
    PATCH_ROUND = "patch_round", _("Patch round")
    UPS_TEST = "ups_test", _("UPS test")
    LICENCE_COUNT = "licence_count", _("Licence count")
    ACCESS_REVIEW = "access_review", _("Access review")
    OTHER = "other", _("Other")


class OccurrenceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    ANOMALY = "anomaly", _("Done with anomaly")


def _staff_condition(user: Any, prefix: str = "") -> Q | None:
    """The series an operator may see (None: all of them, for coordinators and administrators)."""
    if access.is_coordinator(user):
        return None
    return (
        Q(**{f"{prefix}operator_group__isnull": True, f"{prefix}assignee__isnull": True})
        | Q(**{f"{prefix}operator_group__in": OperatorGroup.objects.filter(members=user).values("pk")})
        | Q(**{f"{prefix}assignee": user})
    )


class SeriesQuerySet(models.QuerySet["ActivitySeries"]):
    def visible_to(self, user: Any) -> SeriesQuerySet:
        if user is None or not access.is_staff(user):
            return self.none()
        condition = _staff_condition(user)
        return self if condition is None else self.filter(condition)

    def for_list(self) -> SeriesQuerySet:
        return self.select_related("operator_group", "assignee")


class ActivitySeries(models.Model):
    """Beheeractiviteit: recurring planned work with a checklist."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    description = models.TextField(_("description"), blank=True)
    checklist = models.JSONField(_("checklist"), default=list, blank=True)  # ordered item texts
    rule = models.CharField(_("recurrence rule"), max_length=500)  # RRULE body, e.g. FREQ=WEEKLY;BYDAY=MO
    start_date = models.DateField(_("start date"))
    start_time = models.TimeField(_("time"))
    time_zone = models.CharField(_("time zone"), max_length=64, default=installation_time_zone)
    lead_days = models.PositiveSmallIntegerField(_("create ahead (days)"), default=30)
    grace_hours = models.PositiveIntegerField(_("due after (hours)"), default=24)
    # The reminder that an occurrence is due goes out this long before its planned time (0: at it).
    remind_hours = models.PositiveIntegerField(_("remind before (hours)"), default=0)
    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator group"),
    )
    assignee = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("assignee")
    )
    # The configuration items this concerns: the truth. `linked_objects` keeps their names (written by
    # the services in step with `cis`; before the CMDB it was free text) for readers of the old field.
    cis = models.ManyToManyField(
        "cmdb.ConfigurationItem",
        blank=True,
        related_name="activity_series",
        verbose_name=_("configuration items"),
    )
    linked_objects = models.JSONField(_("linked objects"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Occurrences planned before this moment are never created (set on creation and on a rule change).
    generate_from = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = SeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("preventive activity")
        verbose_name_plural = _("preventive activities")
        indexes = [models.Index(fields=["active", "name", "id"], name="ops_series_active_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def local_start(self) -> datetime:
        return datetime.combine(self.start_date, self.start_time)


class Notice(models.IntegerChoices):
    """How far the people of an occurrence have been told about it (it only moves forward)."""

    NONE = 0, _("Not yet told")
    DUE = 1, _("Told it is due")
    OVERDUE = 2, _("Told it is overdue")


class OccurrenceQuerySet(models.QuerySet["Occurrence"]):
    def visible_to(self, user: Any) -> OccurrenceQuerySet:
        if user is None or not access.is_staff(user):
            return self.none()
        condition = _staff_condition(user, "series__")
        return self if condition is None else self.filter(condition)

    def for_list(self) -> OccurrenceQuerySet:
        return self.select_related("series", "series__operator_group", "series__assignee")

    def overdue(self, now: datetime) -> OccurrenceQuerySet:
        return self.filter(status=OccurrenceStatus.OPEN, due_at__lt=now)


class Occurrence(models.Model):
    """One planned execution of a series: open until done, skipped or done with an anomaly."""

    series = models.ForeignKey(ActivitySeries, on_delete=models.CASCADE, related_name="occurrences")
    planned_at = models.DateTimeField(_("planned"))  # the rule's instant: with series, the unique key
    due_at = models.DateTimeField(_("due"))  # planned_at + the series' grace hours
    remind_at = models.DateTimeField(_("reminder"))  # planned_at - the series' remind hours
    # Which message went out (or is no longer to go out): set by `services.reminders`, never back.
    notice = models.PositiveSmallIntegerField(choices=Notice.choices, default=Notice.NONE)
    status = models.CharField(
        _("status"), max_length=10, choices=OccurrenceStatus.choices, default=OccurrenceStatus.OPEN
    )
    # [{"item": text, "done": bool, "remark": text}], the series' checklist copied at creation
    checklist_results = models.JSONField(default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    melding = models.ForeignKey(
        Melding, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("call")
    )
    time_spent_minutes = models.PositiveIntegerField(_("time spent (minutes)"), default=0)
    completed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "planned_at"], name="ops_occurrence_unique"),
        ]
        indexes = [
            models.Index(fields=["due_at", "id"], name="ops_occ_due"),
            models.Index(
                fields=["due_at", "id"],
                name="ops_occ_open_due",
                condition=Q(status="open"),
            ),
            # the reminder job: open occurrences whose people have not been told yet
            models.Index(
                fields=["remind_at", "id"],
                name="ops_occ_remind",
                condition=Q(status="open", notice=0),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="ops_occ_overdue_notice",
                condition=Q(status="open", notice__lt=2),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series.name} {self.planned_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status == OccurrenceStatus.OPEN

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.due_at < now


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def visible_to(self, user: Any) -> EvidenceQuerySet:
        return self.filter(occurrence__in=Occurrence.objects.visible_to(user).values("pk"))


class Evidence(models.Model):
    """Bewijs: a file showing the work was done (a screenshot of a restore, a signed list)."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["occurrence", "created_at"], name="ops_evidence_occ")]


LOG_ACTIONS = {
    "created": _("created"),
    "changed": _("changed"),
    "deactivated": _("stopped"),
    "activated": _("restarted"),
    "checklist": _("checklist saved"),
    "done": _("done"),
    "skipped": _("skipped"),
    "anomaly": _("anomaly reported"),
    "time": _("time recorded"),
    "cis": _("configuration items changed"),
    "evidence": _("evidence added"),
    "due_notice": _("reminder queued for sending"),
    "overdue_notice": _("overdue notice queued for sending"),
}


class LogEntry(models.Model):
    """The audit trail of a series and its occurrences, written by the services (who, what, when)."""

    series = models.ForeignKey(ActivitySeries, on_delete=models.CASCADE, related_name="log")
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, null=True, related_name="log")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    detail = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["series", "at", "id"], name="ops_log_series"),
            models.Index(fields=["occurrence", "at", "id"], name="ops_log_occurrence"),
        ]

    @property
    def action_label(self) -> str:
        return str(LOG_ACTIONS.get(self.action, self.action))
