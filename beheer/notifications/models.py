"""The outbox and the configuration of notifications: mail server, webhooks, templates, preferences."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import access

from .events import event_choices


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Failed, will retry")
    DEAD = "dead", _("Failed permanently")
    EXPIRED = "expired", _("Expired, not sent")
    DISCARDED = "discarded", _("Discarded")


# Rows a sender may claim: waiting (pending or retrying) or a send whose lease expired.
CLAIMABLE = (MessageStatus.PENDING, MessageStatus.RETRYING, MessageStatus.SENDING)
WAITING = CLAIMABLE  # not sent yet, and still to be sent
# What an administrator may discard in bulk: waiting (not in flight) or failed.
DISCARDABLE = (MessageStatus.PENDING, MessageStatus.RETRYING, MessageStatus.DEAD)


class OutgoingMessageQuerySet(access.RoleQuerySet, models.QuerySet["OutgoingMessage"]):
    audience = access.Audience.COORDINATOR  # the outbox; never callers

    def due(self, now: datetime) -> OutgoingMessageQuerySet:
        """Waiting rows whose time has come, and rows in "sending" whose lease ran out.

        For a row in "sending", next_attempt_at holds the end of the sender's lease.
        """
        return self.filter(status__in=CLAIMABLE, next_attempt_at__lte=now)

    def for_object(self, object_type: str, object_id: int) -> OutgoingMessageQuerySet:
        return self.filter(object_type=object_type, object_id=object_id)

    def for_list(self) -> OutgoingMessageQuerySet:
        return self.select_related("recipient_user").defer("body_text", "body_html", "headers")

    def expired_by(self, now: datetime) -> OutgoingMessageQuerySet:
        """Waiting rows past their time to live (a send in flight only once its lease ran out)."""
        waiting = Q(status__in=(MessageStatus.PENDING, MessageStatus.RETRYING))
        abandoned = Q(status=MessageStatus.SENDING, next_attempt_at__lte=now)
        return self.filter(waiting | abandoned, expires_at__lte=now)

    def discardable(
        self, *, status: str = "", event: str = "", created_before: datetime
    ) -> OutgoingMessageQuerySet:
        """What a bulk discard with these filters takes: waiting or failed rows, never in flight."""
        qs = self.filter(status__in=DISCARDABLE, created_at__lte=created_before)
        if status:
            qs = qs.filter(status=status)
        if event:
            qs = qs.filter(event=event)
        return qs


class OutgoingMessage(models.Model):
    """One message to one recipient over one channel, written in the transaction of the change."""

    key = models.CharField(_("key"), max_length=255)  # unique: see Meta (no LIKE index needed)
    event = models.CharField(_("event"), max_length=40, choices=event_choices())
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    recipient_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    webhook = models.ForeignKey(
        "WebhookEndpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("webhook"),
    )
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.BigIntegerField(_("object"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    # Not sent after this moment (the event's time to live); null: no limit.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # Written for a person (recipient_user): not sent once that person is removed or inactive.
    to_person = models.BooleanField(default=False)
    attachment_count = models.PositiveSmallIntegerField(_("attachments"), default=0)

    objects = OutgoingMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [models.UniqueConstraint(fields=["key"], name="outbox_unique_key")]
        indexes = [
            # the sender's claim query
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=Q(status__in=["pending", "retrying", "sending"]),
            ),
            # the outbox list, newest first, with or without a status filter
            models.Index(fields=["-created_at", "-id"], name="outbox_list"),
            models.Index(fields=["status", "-created_at", "-id"], name="outbox_status_list"),
            models.Index(fields=["object_type", "object_id"], name="outbox_object"),
            models.Index(fields=["message_id"], name="outbox_message_id"),
            # the expiry sweep
            models.Index(
                fields=["expires_at"],
                name="outbox_expiry",
                condition=Q(status__in=["pending", "retrying", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient}"

    @property
    def is_dead(self) -> bool:
        return self.status == MessageStatus.DEAD

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING


class OutgoingAttachment(models.Model):
    """A file sent with an e-mail message, stored with it in the same transaction (so a message
    and its files are written once, together); the total per message is bounded by the service."""

    message = models.ForeignKey(OutgoingMessage, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveSmallIntegerField()
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["message", "position"]
        constraints = [
            models.UniqueConstraint(fields=["message", "position"], name="outbox_attachment_position")
        ]

    def __str__(self) -> str:
        return self.filename


class EventSetting(models.Model):
    """An administrator's setting for one event: how long its messages may wait to be sent."""

    event = models.CharField(_("event"), max_length=40, choices=event_choices(), unique=True)
    ttl_hours = models.PositiveIntegerField(
        _("time to live (hours)"), help_text=_("0: messages of this kind never expire.")
    )
    updated_at = models.DateTimeField(_("changed"))
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("event setting")
        verbose_name_plural = _("event settings")

    def __str__(self) -> str:
        return f"{self.event}: {self.ttl_hours} h"


class OutboxDiscardQuerySet(access.RoleQuerySet, models.QuerySet["OutboxDiscard"]):
    audience = access.Audience.COORDINATOR


class OutboxDiscard(models.Model):
    """One bulk discard of outbox messages: who, when, which filter, how many."""

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    actor_name = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("when"))
    status = models.CharField(_("status"), max_length=10, blank=True)
    event = models.CharField(_("event"), max_length=40, blank=True)
    created_before = models.DateTimeField(_("created before"))
    count = models.PositiveIntegerField(_("messages"))

    objects = OutboxDiscardQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox discard")
        verbose_name_plural = _("outbox discards")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.count} by {self.actor_name}"


class Security(models.TextChoices):
    NONE = "none", _("None (plain SMTP)")
    STARTTLS = "starttls", _("STARTTLS")
    TLS = "tls", _("TLS (implicit, SMTPS)")


class MailServer(models.Model):
    """The outgoing mail server: one row (id 1), edited by administrators."""

    host = models.CharField(_("host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=587)
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    verify_certificate = models.BooleanField(_("verify the server certificate"), default=True)
    username = models.CharField(_("user name"), max_length=255, blank=True)
    password_encrypted = models.TextField(blank=True)
    from_address = models.EmailField(_("from address"))
    from_name = models.CharField(_("from name"), max_length=100, blank=True)
    timeout = models.PositiveIntegerField(_("timeout (seconds)"), default=30)
    active = models.BooleanField(_("send e-mail"), default=True)
    updated_at = models.DateTimeField(_("changed"), null=True, blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("mail server")
        verbose_name_plural = _("mail server")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="mail_server_singleton")]

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def has_password(self) -> bool:
        return bool(self.password_encrypted)


class WebhookEndpointQuerySet(access.RoleQuerySet, models.QuerySet["WebhookEndpoint"]):
    audience = access.Audience.ADMINISTRATOR

    def subscribed(self, event: str) -> list[WebhookEndpoint]:
        return [e for e in self.filter(active=True).order_by("id") if event in (e.events or [])]


class WebhookEndpoint(models.Model):
    """A URL that receives a signed JSON POST for the events it subscribes to."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret_encrypted = models.TextField(blank=True)
    events = models.JSONField(_("events"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class NotificationTemplate(models.Model):
    """An administrator's override of the built-in text of one event in one language."""

    event = models.CharField(_("event"), max_length=40, choices=event_choices())
    language = models.CharField(
        _("language"), max_length=5, choices=[("nl", "Nederlands"), ("en", "English")]
    )
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("text"))
    body_html = models.TextField(_("HTML (optional)"), blank=True)
    updated_at = models.DateTimeField(_("changed"))
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["event", "language"]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        constraints = [
            models.UniqueConstraint(fields=["event", "language"], name="uniq_template_event_language")
        ]

    def __str__(self) -> str:
        return f"{self.event} ({self.language})"


class NotificationPreference(models.Model):
    """A person's choice for one event; no row means: on."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    event = models.CharField(_("event"), max_length=40, choices=event_choices())
    enabled = models.BooleanField(_("send"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="uniq_preference_user_event")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event}={self.enabled}"


class GroupNotificationSetting(models.Model):
    """How an operator group hears of calls assigned to it: a group address and/or each member."""

    group = models.OneToOneField(
        OperatorGroup, on_delete=models.CASCADE, related_name="notification_setting", verbose_name=_("group")
    )
    email = models.EmailField(
        _("group e-mail address"),
        blank=True,
        help_text=_("Leave empty to use the e-mail address of the operator group, if any."),
    )
    mail_group_address = models.BooleanField(_("mail the group address"), default=True)
    mail_members = models.BooleanField(
        _("mail every member"),
        default=False,
        help_text=_("Members can still turn this off on their own notification settings."),
    )

    class Meta:
        verbose_name = _("group notification setting")
        verbose_name_plural = _("group notification settings")

    def __str__(self) -> str:
        return str(self.group)
