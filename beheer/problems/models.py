"""Problems (probleembeheer): the cause behind one or more meldingen, its analysis and known error.

A problem is for operators only: `Problem.objects.visible_to(user)` is empty for callers, and nothing
about a problem is shown in the portal, the caller's API, caller e-mails or the caller's search.

The models came from the servicedesk and keep its tables (`db_table`). The link from a melding to its
problem is owned here (`ProblemMelding`); the servicedesk knows nothing of problems and shows the link
through the extension points it offers (`beheer.servicedesk.extensions`), registered in `apps.py`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core.history import HistoryRecord
from beheer.core.language import english_active
from beheer.core.search import matching_ids
from beheer.servicedesk.models import Impact, Melding, Priority, Urgency


class ProblemStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ANALYSING = "analysing", _("Analysing")
    KNOWN_ERROR = "known_error", _("Known error")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_PROBLEM_STATUSES = (ProblemStatus.REGISTERED, ProblemStatus.ANALYSING, ProblemStatus.KNOWN_ERROR)


def can_see_problems(user: Any) -> bool:
    """Operators, coordinators and administrators see every problem; nobody else sees any."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_staff_member)


class ProblemQuerySet(models.QuerySet["Problem"]):
    def visible_to(self, user: Any) -> ProblemQuerySet:
        """Every problem for those who `can_see_problems`; none for anyone else."""
        return self if can_see_problems(user) else self.none()

    def search(self, text: str) -> ProblemQuerySet:
        ids = matching_ids("problem", text)
        if ids is None:
            return self
        return self.filter(pk__in=ids)

    def for_list(self) -> ProblemQuerySet:
        return self.select_related("priority", "operator_group", "operator")


class Problem(models.Model):
    """The (unknown) cause of one or more meldingen: analysed, worked around, then solved."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.REGISTERED
    )
    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("operator group"),
    )
    operator = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_problems",
        verbose_name=_("operator"),
    )
    impact = models.ForeignKey(Impact, on_delete=models.PROTECT, related_name="+", verbose_name=_("impact"))
    urgency = models.ForeignKey(
        Urgency, on_delete=models.PROTECT, related_name="+", verbose_name=_("urgency")
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="+", verbose_name=_("priority")
    )
    root_cause = models.TextField(_("root-cause analysis"), blank=True)
    workaround = models.TextField(_("workaround"), blank=True)
    known_error_article = models.ForeignKey(
        "knowledge.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("known-error article"),
    )
    solution = models.TextField(_("solution"), blank=True)
    created_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered"))
    updated_at = models.DateTimeField(_("last change"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        db_table = "servicedesk_problem"
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="p_updated"),
            models.Index(fields=["status", "-updated_at", "-id"], name="p_status_updated"),
            models.Index(fields=["operator_group", "-updated_at", "-id"], name="p_group_updated"),
            models.Index(fields=["operator", "-updated_at", "-id"], name="p_operator_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ProblemStatus.values), name="problem_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return format_problem_number(self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PROBLEM_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status == ProblemStatus.CLOSED


def format_problem_number(pk: int | None) -> str:
    return f"P{pk:07d}" if pk else "P-"


def parse_problem_number(text: str) -> int | None:
    """'P0000012', 'p12' or '12' -> 12."""
    raw = (text or "").strip().upper().removeprefix("P").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


class ProblemHistoryQuerySet(models.QuerySet["ProblemHistoryEntry"]):
    def visible_to(self, user: Any) -> ProblemHistoryQuerySet:
        return self.filter(problem__in=Problem.objects.visible_to(user))


class ProblemHistoryEntry(HistoryRecord):
    """Who changed what on a problem, when, old -> new; written by the problem services.

    `old_value`/`new_value` hold the text as shown in Dutch, the `_en` columns as shown in English."""

    subject_field = "problem"

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="history")
    old_value_en = models.TextField(blank=True)  # as shown in English
    new_value_en = models.TextField(blank=True)

    objects = ProblemHistoryQuerySet.as_manager()

    class Meta:
        db_table = "servicedesk_problemhistoryentry"
        indexes = [models.Index(fields=["problem", "at", "id"], name="p_history_at")]

    @property
    def old_display(self) -> str:
        return self.old_value_en if english_active() else self.old_value

    @property
    def new_display(self) -> str:
        return self.new_value_en if english_active() else self.new_value


class ProblemMeldingQuerySet(models.QuerySet["ProblemMelding"]):
    def visible_to(self, user: Any) -> ProblemMeldingQuerySet:
        return self.filter(problem__in=Problem.objects.visible_to(user))


class ProblemMelding(models.Model):
    """A melding's problem: at most one per melding, written only by `link_melding`/`unlink_melding`.

    The link lives here rather than as a column on the melding, so the servicedesk never needs to know
    about problems; the melding is the primary key, so reading a melding's link is one index lookup."""

    melding = models.OneToOneField(
        Melding,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="problem_link",
        verbose_name=_("call"),
    )
    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="melding_links", verbose_name=_("problem")
    )
    linked_at = models.DateTimeField(_("linked"))
    linked_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked by"),
    )

    objects = ProblemMeldingQuerySet.as_manager()

    class Meta:
        verbose_name = _("problem link")
        verbose_name_plural = _("problem links")

    def __str__(self) -> str:
        return f"{format_problem_number(self.problem_id)} - {self.melding_id}"
