"""Test runs (testruns): each run records, per case, passed, failed or blocked with the actual
result, the time it took and evidence files. A re-test after a fix is a new run (`retest_of`), so
the history of every case stays. A failed case gives a finding (bevinding), which may become a call
or an activity of the change with one click."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.cmdb.models import ConfigurationItem
from beheer.servicedesk.models import Melding

from .plans import StaffQuerySet, TestCase, TestPlan


class RunStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    FINISHED = "finished", _("Finished")


class Outcome(models.TextChoices):
    NOT_RUN = "not_run", _("Not run")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    BLOCKED = "blocked", _("Blocked")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    ACCEPTED = "accepted", _("Accepted")  # known and accepted, for example a condition of the advice


class TestRun(models.Model):
    """One round of testing in one environment: run n of the plan, open until finished."""

    __test__ = False

    plan = models.ForeignKey(TestPlan, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    environment = models.ForeignKey(
        ConfigurationItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("environment"),
    )
    retest_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("re-test of"),
    )
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.OPEN)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tester"),
    )
    version = models.PositiveIntegerField(default=1)

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["number", "id"]
        verbose_name = _("test run")
        verbose_name_plural = _("test runs")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="uniq_testrun_number"),
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="testrun_status_valid"),
        ]

    def __str__(self) -> str:
        return str(_("Run %(number)s") % {"number": self.number})

    @property
    def is_open(self) -> bool:
        return self.status == RunStatus.OPEN


class TestResult(models.Model):
    """The outcome of one case in one run."""

    __test__ = False

    run = models.ForeignKey(TestRun, on_delete=models.CASCADE, related_name="results")
    case = models.ForeignKey(TestCase, on_delete=models.CASCADE, related_name="results")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.NOT_RUN)
    actual_result = models.TextField(_("actual result"), blank=True)
    minutes = models.PositiveIntegerField(_("time (minutes)"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carried out by"),
    )
    executed_at = models.DateTimeField(_("carried out"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["case__number", "id"]
        verbose_name = _("test result")
        verbose_name_plural = _("test results")
        constraints = [
            models.UniqueConstraint(fields=["run", "case"], name="uniq_testresult_case"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="testresult_outcome_valid"),
        ]
        # the last result of a case (the traceability matrix, the report)
        indexes = [models.Index(fields=["case", "run"], name="testresult_case_run")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.case_id}: {self.outcome}"


def evidence_path(instance: Any, filename: str) -> str:
    return f"testing/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}"


class ResultEvidence(models.Model):
    """A file showing what a case gave: a screenshot, an export, a log."""

    result = models.ForeignKey(TestResult, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        indexes = [models.Index(fields=["result", "uploaded_at"], name="testresult_evidence_at")]

    def __str__(self) -> str:
        return self.original_name


class TestFinding(models.Model):
    """A finding (bevinding): what a failed case, a tester or a user in an acceptance session found,
    with its severity; it may become a call or an activity of the change (once each)."""

    __test__ = False

    plan = models.ForeignKey(TestPlan, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    result = models.ForeignKey(
        TestResult, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    participant_case = models.ForeignKey(
        "testing.ParticipantCase", on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    melding = models.ForeignKey(
        Melding, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("call")
    )
    activity = models.ForeignKey(
        "changes.ChangeActivity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("activity"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["number", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="uniq_testfinding_number"),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="testfinding_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FindingStatus.values), name="testfinding_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["plan", "status", "number"], name="testfinding_plan_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == FindingStatus.OPEN
