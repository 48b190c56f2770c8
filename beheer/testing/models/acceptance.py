"""Acceptance sessions (acceptatiesessies, P1-K1-W2): users of the school carry out standard test
activities of the change in the portal, learn to use the new part and say whether they can work
with it; the client signs the session off.

Who sees what:
- staff see every session and every result;
- an invited user (a participant) sees the sessions they are invited to and only their own cases
  and results, never another participant's, never the plan's internal parts (runs, findings);
- the change's client sees the sessions of their change with every participant's results (the
  result they sign off);
- anonymous visitors see nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.knowledge.models import Article

from .plans import TestCase, TestPlan
from .runs import Outcome


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")  # being prepared; the users have not been invited yet
    INVITED = "invited", _("Users invited")
    SIGNED_OFF = "signed_off", _("Signed off")
    CANCELLED = "cancelled", _("Cancelled")


class SignOff(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    CONDITIONS = "conditions", _("Accepted with conditions")
    REJECTED = "rejected", _("Not accepted")


class CouldWork(models.TextChoices):
    YES = "yes", _("Yes")
    WITH_HELP = "with_help", _("Yes, with some help")
    NO = "no", _("No")


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


class SessionQuerySet(models.QuerySet["AcceptanceSession"]):
    def visible_to(self, user: Any) -> SessionQuerySet:
        if access.is_staff(user):
            return self
        if not _signed_in(user):
            return self.none()
        return self.filter(Q(participants__person_id=user.pk) | Q(plan__change__client_id=user.pk)).distinct()


class AcceptanceSession(models.Model):
    """One acceptance session of a change: when and where (or the online link), the users invited,
    the cases each carries out, the instructions they read first, the advice and the sign-off."""

    plan = models.ForeignKey(TestPlan, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    introduction = models.TextField(_("introduction for the users"), blank=True)
    instructions = models.ManyToManyField(
        Article, related_name="+", blank=True, verbose_name=_("user instructions")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    advice = models.CharField(_("acceptance advice"), max_length=12, choices=SignOff.choices, blank=True)
    advice_text = models.TextField(_("advice explained"), blank=True)
    advised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    advised_at = models.DateTimeField(_("advised"), null=True, blank=True)
    sign_off = models.CharField(_("sign-off"), max_length=12, choices=SignOff.choices, blank=True)
    sign_off_comment = models.TextField(_("comment"), blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registered"))
    updated_at = models.DateTimeField(_("changed"))
    version = models.PositiveIntegerField(default=1)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("acceptance session")
        verbose_name_plural = _("acceptance sessions")
        indexes = [models.Index(fields=["plan", "starts_at", "id"], name="acc_session_plan_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values), name="acc_session_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(sign_off__in=["", *SignOff.values]), name="acc_session_signoff_valid"
            ),
            models.CheckConstraint(
                condition=Q(advice__in=["", *SignOff.values]), name="acc_session_advice_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ParticipantQuerySet(models.QuerySet["SessionParticipant"]):
    def visible_to(self, user: Any) -> ParticipantQuerySet:
        if access.is_staff(user):
            return self
        if not _signed_in(user):
            return self.none()
        return self.filter(Q(person_id=user.pk) | Q(session__plan__change__client_id=user.pk))


class SessionParticipant(models.Model):
    """An invited user and their answer to the short question: could you work with the new part?"""

    session = models.ForeignKey(AcceptanceSession, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    could_work = models.CharField(
        _("could work with it"), max_length=10, choices=CouldWork.choices, blank=True
    )
    could_work_remark = models.TextField(_("remark"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    added_at = models.DateTimeField(_("added"))
    version = models.PositiveIntegerField(default=1)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="uniq_acc_participant"),
            models.CheckConstraint(
                condition=Q(could_work__in=["", *CouldWork.values]), name="acc_participant_could_valid"
            ),
        ]
        indexes = [models.Index(fields=["person", "session"], name="acc_participant_person")]

    def __str__(self) -> str:
        return str(self.person_id)


class ParticipantCaseQuerySet(models.QuerySet["ParticipantCase"]):
    def visible_to(self, user: Any) -> ParticipantCaseQuerySet:
        if access.is_staff(user):
            return self
        if not _signed_in(user):
            return self.none()
        return self.filter(
            Q(participant__person_id=user.pk) | Q(participant__session__plan__change__client_id=user.pk)
        )

    def own(self, user: Any) -> ParticipantCaseQuerySet:
        """Only the cases `user` carries out themselves (what the portal's step-by-step page edits)."""
        if not _signed_in(user):
            return self.none()
        return self.filter(participant__person_id=user.pk)


class ParticipantCase(models.Model):
    """A case one participant carries out: each step marked as it goes (done, and as expected or
    not, with a remark), the outcome and a remark, and screenshots."""

    participant = models.ForeignKey(SessionParticipant, on_delete=models.CASCADE, related_name="cases")
    case = models.ForeignKey(
        TestCase, on_delete=models.PROTECT, related_name="+", verbose_name=_("test case")
    )
    # [{"done": bool, "ok": bool | None, "remark": str}], one per step of the case
    steps = models.JSONField(default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.NOT_RUN)
    remark = models.TextField(_("remark"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ParticipantCaseQuerySet.as_manager()

    class Meta:
        ordering = ["case__number", "id"]
        verbose_name = _("case of a participant")
        verbose_name_plural = _("cases of participants")
        constraints = [
            models.UniqueConstraint(fields=["participant", "case"], name="uniq_acc_participant_case"),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="acc_case_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}/{self.case_id}"


def screenshot_path(instance: Any, filename: str) -> str:
    return f"acceptance/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}"


class ScreenshotQuerySet(models.QuerySet["ParticipantScreenshot"]):
    def visible_to(self, user: Any) -> ScreenshotQuerySet:
        return self.filter(participant_case__in=ParticipantCase.objects.visible_to(user).values("pk"))


class ParticipantScreenshot(models.Model):
    """A screenshot (or other file) a user added to a case they carried out."""

    participant_case = models.ForeignKey(
        ParticipantCase, on_delete=models.CASCADE, related_name="screenshots"
    )
    file = models.FileField(upload_to=screenshot_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded"))

    objects = ScreenshotQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")
        indexes = [models.Index(fields=["participant_case", "uploaded_at"], name="acc_screenshot_at")]

    def __str__(self) -> str:
        return self.original_name
