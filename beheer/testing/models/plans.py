"""A change's test plan (testplan), the environments it uses (OTAP) with their preparation
checklist, the library of standard test cases and the plan's own test cases.

Who sees what: the whole plan is internal work, read by staff only. A caller reads only what an
acceptance session gives them (`acceptance.py`), never the plan itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.operations.models import ActivitySeries

CASE_PREFIX = "TC"


class TestType(models.TextChoices):
    FUNCTIONAL = "functional", _("Functional")
    REGRESSION = "regression", _("Regression")
    SECURITY = "security", _("Security")
    PERFORMANCE = "performance", _("Performance")
    ACCEPTANCE = "acceptance", _("Acceptance")


class Advice(models.TextChoices):
    GO = "go", _("Go")
    GO_WITH_CONDITIONS = "conditions", _("Go with conditions")
    NO_GO = "no_go", _("No-go")


class EnvironmentPurpose(models.TextChoices):
    TEST = "test", _("Test")
    ACCEPTANCE = "acceptance", _("Acceptance")


class StaffQuerySet(access.RoleQuerySet, models.QuerySet[Any]):
    """Staff only: test plans, cases, runs and findings are internal work."""

    audience = access.Audience.STAFF


class TestPlan(models.Model):
    """One per change: what is tested (scope), where (its environments), when testing may start and
    when it is done (entry and exit criteria), which kinds of tests, and the tester's advice."""

    __test__ = False  # not a pytest class

    change = models.OneToOneField(
        "changes.Change", on_delete=models.CASCADE, related_name="test_plan", verbose_name=_("change")
    )
    scope = models.TextField(_("scope"), blank=True)
    entry_criteria = models.TextField(_("entry criteria"), blank=True)
    exit_criteria = models.TextField(_("exit criteria"), blank=True)
    test_types = models.JSONField(_("test types"), default=list, blank=True)  # TestType codes, in order
    advice = models.CharField(_("advice"), max_length=12, choices=Advice.choices, blank=True)
    advice_text = models.TextField(_("advice explained"), blank=True)
    advised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("advised by"),
    )
    advised_at = models.DateTimeField(_("advised"), null=True, blank=True)
    # Counters of the numbers handed out (TC-n, run n, finding n): a number is never reused.
    case_counter = models.PositiveIntegerField(default=0)
    run_counter = models.PositiveIntegerField(default=0)
    finding_counter = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"))
    updated_at = models.DateTimeField(_("changed"))
    version = models.PositiveIntegerField(default=1)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("test plan")
        verbose_name_plural = _("test plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(advice__in=["", *Advice.values]), name="testplan_advice_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.history_name

    @property
    def history_name(self) -> str:
        """The name the trail keeps: the change's number and title."""
        return f"{self.change.number} {self.change.title}"[:200]


class PlanEnvironment(models.Model):
    """An environment (a CI of the test or acceptance environment) a plan uses, and the preventive
    activity whose checklist prepares it (one occurrence: its checklist, evidence and time are the
    preventive activities' own)."""

    plan = models.ForeignKey(TestPlan, on_delete=models.CASCADE, related_name="environments")
    ci = models.ForeignKey(
        ConfigurationItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("environment")
    )
    purpose = models.CharField(_("used for"), max_length=12, choices=EnvironmentPurpose.choices)
    preparation = models.ForeignKey(
        ActivitySeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("preparation"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added"))

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["purpose", "id"]
        verbose_name = _("test environment")
        verbose_name_plural = _("test environments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "ci"], name="uniq_testplan_environment"),
        ]

    def __str__(self) -> str:
        return str(self.ci_id)


class StandardTestCase(models.Model):
    """A case of the reusable library ("log in with the new account", "print to the new printer")
    that plans copy; a copy does not change when the library's case does."""

    title = models.CharField(_("title"), max_length=200)
    test_type = models.CharField(_("test type"), max_length=12, choices=TestType.choices)
    preconditions = models.TextField(_("preconditions"), blank=True)
    steps = models.JSONField(_("steps"), default=list, blank=True)  # [{"action": str, "expected": str}]
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"))
    updated_at = models.DateTimeField(_("changed"))
    version = models.PositiveIntegerField(default=1)

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("standard test case")
        verbose_name_plural = _("standard test cases")
        indexes = [models.Index(fields=["active", "title", "id"], name="std_testcase_title")]
        constraints = [
            models.CheckConstraint(
                condition=Q(test_type__in=TestType.values), name="std_testcase_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


def format_case_code(number: int) -> str:
    return f"{CASE_PREFIX}-{number}"


class TestCase(models.Model):
    """A test case (testgeval) of a plan: TC-n, its steps with what each should give, and the
    requirements of the change it shows to be met. A withdrawn case stays with its results."""

    __test__ = False

    plan = models.ForeignKey(TestPlan, on_delete=models.CASCADE, related_name="cases")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    test_type = models.CharField(_("test type"), max_length=12, choices=TestType.choices)
    preconditions = models.TextField(_("preconditions"), blank=True)
    steps = models.JSONField(_("steps"), default=list, blank=True)  # [{"action": str, "expected": str}]
    requirements = models.ManyToManyField(
        "changes.Requirement", related_name="test_cases", blank=True, verbose_name=_("requirements")
    )
    standard_case = models.ForeignKey(
        StandardTestCase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    created_at = models.DateTimeField(_("registered"))
    updated_at = models.DateTimeField(_("changed"))
    version = models.PositiveIntegerField(default=1)

    objects = StaffQuerySet.as_manager()

    class Meta:
        ordering = ["number", "id"]
        verbose_name = _("test case")
        verbose_name_plural = _("test cases")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="uniq_testcase_number"),
            models.CheckConstraint(condition=Q(test_type__in=TestType.values), name="testcase_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return format_case_code(self.number)
