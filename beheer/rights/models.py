"""The access rights register (toegangsrechten): who holds which right on which application or
service CI, requested under which melding, approved by the system owner, granted and revoked by
staff; the access policy per CI (its approver and known rights); periodic review campaigns.

A right moves requested -> approved (or rejected) -> granted -> revoked or expired
(`workflow.py`); every step is in its history (`AccessRightHistoryEntry`). Who approves a CI's
rights is its policy's approver, else the CI's owner (`services.approver_of`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.core.history import SubjectHistoryRecord, subject_index, subject_key
from beheer.servicedesk.models import Melding

# The CI kinds whose access is registered: applications (software) and services.
RIGHT_CI_KINDS = ("software", "service")
# The CI kinds on which anybody signed in may request a right for themselves: applications.
CALLER_CI_KINDS = ("software",)


class AccessPolicyQuerySet(access.RoleQuerySet, models.QuerySet["AccessPolicy"]):
    audience = access.Audience.STAFF


class AccessPolicy(models.Model):
    """Per CI: who approves requests for its rights (empty: the CI's owner) and the rights it knows."""

    ci = models.OneToOneField(
        ConfigurationItem,
        on_delete=models.CASCADE,
        related_name="access_policy",
        verbose_name=_("configuration item"),
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("access approver"),
    )
    known_rights = models.TextField(_("known rights"), blank=True, help_text=_("One right per line."))
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("changed"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AccessPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("access policy")
        verbose_name_plural = _("access policies")

    def __str__(self) -> str:
        return str(self.ci)

    @property
    def rights(self) -> list[str]:
        return rights_list(self.known_rights)


def rights_list(text: str) -> list[str]:
    """The known rights of a policy's text, one per line, without blanks or repeats."""
    return list(dict.fromkeys(line.strip() for line in (text or "").splitlines() if line.strip()))


class RightStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    GRANTED = "granted", _("Granted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


# A person holds a right on a CI at most once while it is requested, approved or granted.
LIVE_STATUSES = (RightStatus.REQUESTED, RightStatus.APPROVED, RightStatus.GRANTED)


class AccessRightQuerySet(models.QuerySet["AccessRight"]):
    def visible_to(self, user: Any) -> AccessRightQuerySet:
        """Staff see every right; anybody else their own rights and requests, and the rights on the
        CIs whose access they approve (policy approver, else the CI's owner)."""
        if access.is_staff(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(person_id=user.pk) | approver_condition(user.pk))

    def live(self) -> AccessRightQuerySet:
        return self.filter(status__in=LIVE_STATUSES)


def approver_condition(user_id: int, prefix: str = "ci__") -> Q:
    """The rights (or rows with a CI at `prefix`) on the CIs whose approver `user_id` is."""
    return Q(**{f"{prefix}access_policy__approver_id": user_id}) | (
        Q(**{f"{prefix}owner_id": user_id}) & Q(**{f"{prefix}access_policy__approver__isnull": True})
    )


class AccessRight(models.Model):
    """Toegangsrecht: one person's right on one application or service CI, from request to end."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_rights",
        verbose_name=_("person"),
    )
    ci = models.ForeignKey(
        ConfigurationItem,
        on_delete=models.CASCADE,
        related_name="access_rights",
        verbose_name=_("configuration item"),
    )
    right = models.CharField(_("right"), max_length=80)
    status = models.CharField(
        _("status"), max_length=10, choices=RightStatus.choices, default=RightStatus.REQUESTED
    )
    melding = models.ForeignKey(
        Melding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("call"),
    )
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    reason = models.TextField(_("reason for the request"), blank=True)
    requested_at = models.DateTimeField(_("requested"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    granted_at = models.DateTimeField(_("granted"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    ended_at = models.DateTimeField(_("revoked or expired"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("changed"))

    objects = AccessRightQuerySet.as_manager()

    class Meta:
        verbose_name = _("access right")
        verbose_name_plural = _("access rights")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "id"], name="rights_status"),
            models.Index(fields=["person", "status"], name="rights_person_status"),
            models.Index(fields=["ci", "status"], name="rights_ci_status"),
            models.Index(fields=["status", "valid_until"], name="rights_valid_until"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "ci", "right"],
                condition=Q(status__in=["requested", "approved", "granted"]),
                name="uniq_rights_live_right",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.right} ({self.ci})"

    @property
    def title(self) -> str:
        return str(self)


class RightAction(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    GRANTED = "granted", _("Granted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    CONFIRMED = "confirmed", _("Confirmed in a review")


class AccessRightHistoryEntry(SubjectHistoryRecord):
    """Each step of a right: who requested, approved, rejected, granted, revoked it, when and why."""

    subject_field = "access_right"
    subject_name_field = "right_name"
    subject_name_attr = "title"
    orphans_audience = access.Audience.STAFF

    access_right = subject_key(AccessRight, _("access right"))
    right_name = models.CharField(_("access right"), max_length=300)
    action = models.CharField(max_length=40, choices=RightAction.choices)

    class Meta:
        verbose_name = _("access right history entry")
        verbose_name_plural = _("access right history")
        indexes = [subject_index("access_right", "rights_history_at")]


# --------------------------------------------------------------------------------------------------
# review campaigns


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ReviewCampaignQuerySet(access.RoleQuerySet, models.QuerySet["ReviewCampaign"]):
    audience = access.Audience.STAFF


class ReviewCampaign(models.Model):
    """A periodic review: every granted right in scope, one item each, confirmed or revoked by the
    CI's approver before the deadline."""

    name = models.CharField(_("name"), max_length=120)
    deadline = models.DateField(_("deadline"))
    all_cis = models.BooleanField(_("all configuration items"), default=True)
    cis = models.ManyToManyField(
        ConfigurationItem, blank=True, related_name="+", verbose_name=_("configuration items")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    created_at = models.DateTimeField(_("started"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ReviewCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("review campaign")
        verbose_name_plural = _("review campaigns")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name


class ReviewOutcome(models.TextChoices):
    OPEN = "open", _("Not reviewed")
    CONFIRMED = "confirmed", _("Confirmed")
    REVOKED = "revoked", _("Revoked")


class ReviewItemQuerySet(models.QuerySet["ReviewItem"]):
    def visible_to(self, user: Any) -> ReviewItemQuerySet:
        """Staff see every item; anybody else the items they review."""
        if access.is_staff(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(reviewer_id=user.pk)


class ReviewItem(models.Model):
    """One granted right in a campaign, as it was when the campaign started, and its outcome."""

    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="items")
    access_right = models.ForeignKey(
        AccessRight, on_delete=models.SET_NULL, null=True, related_name="review_items"
    )
    ci = models.ForeignKey(ConfigurationItem, on_delete=models.SET_NULL, null=True, related_name="+")
    ci_name = models.CharField(_("configuration item"), max_length=200)
    person_name = models.CharField(_("person"), max_length=200)
    right = models.CharField(_("right"), max_length=80)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    reviewer_name = models.CharField(_("reviewer"), max_length=200, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ReviewOutcome.choices, default=ReviewOutcome.OPEN
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    objects = ReviewItemQuerySet.as_manager()

    class Meta:
        ordering = ["ci_name", "person_name", "id"]
        indexes = [
            models.Index(fields=["campaign", "reviewer", "outcome"], name="rights_item_reviewer"),
            models.Index(fields=["campaign", "ci_name", "person_name", "id"], name="rights_item_order"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "access_right"], name="uniq_rights_item_right"),
        ]

    def __str__(self) -> str:
        return f"{self.person_name}: {self.right} ({self.ci_name})"


class ReviewReminder(models.Model):
    """A reminder sent to a reviewer for a campaign on a day: at most one each (the unique key is
    taken in the transaction that writes the outbox rows)."""

    campaign = models.ForeignKey(ReviewCampaign, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    open_items = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "reviewer", "day"], name="uniq_rights_reminder_day")
        ]
