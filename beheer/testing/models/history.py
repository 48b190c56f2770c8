"""The trail of a test plan: every step of the testing of a change (who, what, when, old -> new),
written by the services."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.history import HistoryRecordQuerySet, SubjectHistoryRecord, subject_index, subject_key

from .plans import TestPlan


class TestingAction(models.TextChoices):
    CREATED = "created", _("Test plan created")
    CHANGED = "changed", _("Test plan changed")
    ENVIRONMENT = "environment", _("Environment changed")
    CASE_ADDED = "case_added", _("Test case added")
    CASE_CHANGED = "case_changed", _("Test case changed")
    CASE_WITHDRAWN = "case_withdrawn", _("Test case withdrawn")
    RUN_STARTED = "run_started", _("Test run started")
    RESULT = "result", _("Result recorded")
    RUN_FINISHED = "run_finished", _("Test run finished")
    FINDING = "finding", _("Finding recorded")
    FINDING_CHANGED = "finding_changed", _("Finding changed")
    ADVICE = "advice", _("Advice given")
    SESSION = "session", _("Acceptance session changed")
    INVITED = "invited", _("Users invited")
    SIGNED_OFF = "signed_off", _("Signed off by the client")


class TestingHistoryQuerySet(HistoryRecordQuerySet["TestingHistoryEntry"]):
    def visible_to(self, user: object) -> TestingHistoryQuerySet:
        """Staff only: the trail names people and internal work."""
        return self if access.is_staff(user) else self.none()


class TestingHistoryEntry(SubjectHistoryRecord):
    """Every step of a test plan."""

    __test__ = False

    subject_field = "plan"
    subject_name_field = "plan_name"
    subject_name_attr = "history_name"
    orphans_audience = access.Audience.STAFF
    field_labels = {
        "cases": _("test cases"),
        "runs": _("test runs"),
        "findings": _("findings"),
        "environments": _("environments"),
        "sessions": _("acceptance sessions"),
        "advice": _("advice"),
    }

    plan = subject_key(TestPlan, _("test plan"))
    plan_name = models.CharField(_("test plan"), max_length=200)
    action = models.CharField(max_length=40, choices=TestingAction.choices)

    objects = TestingHistoryQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("test history entry")
        verbose_name_plural = _("test history")
        indexes = [subject_index("plan", "testing_history_at")]
