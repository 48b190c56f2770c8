"""Scheduled management reports and their stored runs (the only rows the reports app writes)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import User


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly (the previous week, on Monday morning)")
    MONTHLY = "monthly", _("Monthly (the previous month, on the first day)")


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (XLSX)")
    PDF = "pdf", _("PDF")


CONTENT_TYPES: dict[str, str] = {
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.PDF: "application/pdf",
}


class ScheduledReportQuerySet(models.QuerySet["ScheduledReport"]):
    def visible_to(self, user: Any) -> ScheduledReportQuerySet:
        """Administrators see every schedule; a coordinator sees their own."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self
        if user.is_coordinator:
            return self.filter(owner=user)
        return self.none()

    def due(self, now: Any) -> ScheduledReportQuerySet:
        return self.filter(active=True, next_run_at__lte=now)


class ScheduledReport(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=100)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    file_format = models.CharField(
        _("format"), max_length=4, choices=ReportFormat.choices, default=ReportFormat.XLSX
    )
    next_run_at = models.DateTimeField(_("next run"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))
    email_file = models.BooleanField(
        _("attach the report to the e-mail"),
        default=False,
        help_text=_("The e-mail that announces each report carries the file (up to the size limit)."),
    )

    objects = ScheduledReportQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        indexes = [models.Index(fields=["next_run_at"], name="report_due", condition=Q(active=True))]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def run_path(instance: ReportRun, filename: str) -> str:
    return f"reports/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.{instance.file_format}"


class ReportRunQuerySet(models.QuerySet["ReportRun"]):
    def visible_to(self, user: Any) -> ReportRunQuerySet:
        return self.filter(scheduled_report__in=ScheduledReport.objects.visible_to(user))


class ReportRun(models.Model):
    """One produced report: the XLSX or PDF file is stored under MEDIA_ROOT/reports and served by a
    checked view."""

    scheduled_report = models.ForeignKey(ScheduledReport, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    created_at = models.DateTimeField(_("created"))
    file = models.FileField(upload_to=run_path, max_length=200, blank=True)
    file_format = models.CharField(
        _("format"), max_length=4, choices=ReportFormat.choices, default=ReportFormat.XLSX
    )
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices)
    error = models.TextField(blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-id"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        constraints = [
            models.UniqueConstraint(
                fields=["scheduled_report", "period_start"], name="uniq_report_run_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheduled_report} {self.period_start}–{self.period_end}"

    @property
    def filename(self) -> str:
        return f"report-{self.period_start:%Y%m%d}-{self.period_end:%Y%m%d}.{self.file_format}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.file_format, "application/octet-stream")
