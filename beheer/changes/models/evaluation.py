"""The evaluation of a change: feedback asked of its stakeholders, findings and lessons learned,
follow-up actions (each may become a call, a change or a knowledge article draft) and the advice the
coordinator writes for the final report."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Avg, Count, Q
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.knowledge.models import Article
from beheer.servicedesk.models import Melding

SATISFACTION_MIN, SATISFACTION_MAX = 1, 5


class EvaluationQuerySet(models.QuerySet["Evaluation"]):
    def visible_to(self, user: Any) -> EvaluationQuerySet:
        """Staff only: the evaluation is internal work."""
        return self if access.is_staff(user) else self.none()


class Evaluation(models.Model):
    """One row per evaluated change: the advice of the final report, edited with a version."""

    change = models.OneToOneField("changes.Change", on_delete=models.CASCADE, related_name="evaluation")
    advice = models.TextField(_("advice"), blank=True)
    updated_at = models.DateTimeField(_("changed"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return str(self.change_id)


class FeedbackRequestQuerySet(models.QuerySet["FeedbackRequest"]):
    def visible_to(self, user: Any) -> FeedbackRequestQuerySet:
        """Staff see every request; a signed-in person the requests addressed to them (their own
        answer, nothing of the others); anonymous visitors none (the e-mail link finds its request
        by its token, in the service)."""
        if access.is_staff(user):
            return self
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(person_id=user.pk)

    def summary(self) -> dict[str, Any]:
        """How many were asked and answered, and the average satisfaction (None without answers)."""
        return self.aggregate(
            asked=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            average=Avg("satisfaction", filter=Q(answered_at__isnull=False)),
        )


class FeedbackRequest(models.Model):
    """Feedback asked of one stakeholder: a secret link (only its hash is kept) that works once and
    expires, and the answer: satisfaction 1-5, what went well, what could be better, and whether we
    may contact them."""

    change = models.ForeignKey("changes.Change", on_delete=models.CASCADE, related_name="feedback_requests")
    stakeholder = models.ForeignKey(
        "changes.Stakeholder", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    requested_at = models.DateTimeField(_("requested"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    went_well = models.TextField(_("what went well"), blank=True)
    could_be_better = models.TextField(_("what could be better"), blank=True)
    may_contact = models.BooleanField(_("may we contact you"), default=False)

    objects = FeedbackRequestQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("feedback request")
        verbose_name_plural = _("feedback requests")
        indexes = [
            models.Index(fields=["change", "id"], name="change_feedback_change"),
            models.Index(fields=["person", "-requested_at", "-id"], name="change_feedback_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=SATISFACTION_MIN, satisfaction__lte=SATISFACTION_MAX),
                name="change_feedback_satisfaction_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class FindingKind(models.TextChoices):
    FINDING = "finding", _("Finding")
    LESSON = "lesson", _("Lesson learned")


class FindingCategory(models.TextChoices):
    PLANNING = "planning", _("Planning")
    COMMUNICATION = "communication", _("Communication")
    TECHNOLOGY = "technology", _("Technology")
    SUPPLIER = "supplier", _("Supplier")
    BUDGET = "budget", _("Budget")
    OTHER = "other", _("Other")


class FindingQuerySet(models.QuerySet["Finding"]):
    def visible_to(self, user: Any) -> FindingQuerySet:
        return self if access.is_staff(user) else self.none()


class Finding(models.Model):
    """A finding of the evaluation, or a lesson learned for the next change."""

    change = models.ForeignKey("changes.Change", on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(
        _("kind"), max_length=10, choices=FindingKind.choices, default=FindingKind.FINDING
    )
    category = models.CharField(
        _("category"), max_length=20, choices=FindingCategory.choices, default=FindingCategory.OTHER
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("added"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [models.Index(fields=["change", "kind", "id"], name="change_finding_change")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FindingKind.values), name="change_finding_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=FindingCategory.values), name="change_finding_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class FollowUpTarget(models.TextChoices):
    MELDING = "melding", _("Call")
    CHANGE = "change", _("Change")
    ARTICLE = "article", _("Knowledge article")


class FollowUpQuerySet(models.QuerySet["FollowUp"]):
    def visible_to(self, user: Any) -> FollowUpQuerySet:
        return self if access.is_staff(user) else self.none()

    def with_targets(self) -> FollowUpQuerySet:
        return self.select_related("melding", "new_change", "article")


class FollowUp(models.Model):
    """An action that follows from the evaluation; converted once into a call, a new change or a
    knowledge article draft, which is linked here."""

    change = models.ForeignKey("changes.Change", on_delete=models.CASCADE, related_name="follow_ups")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("added"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    converted_to = models.CharField(
        _("converted to"), max_length=10, choices=FollowUpTarget.choices, blank=True, default=""
    )
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    melding = models.ForeignKey(
        Melding, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("call")
    )
    new_change = models.ForeignKey(
        "changes.Change",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new change"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("knowledge article"),
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        indexes = [models.Index(fields=["change", "id"], name="change_followup_change")]
        constraints = [
            models.CheckConstraint(
                condition=Q(converted_to="") | Q(converted_to__in=FollowUpTarget.values),
                name="change_followup_target_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title
