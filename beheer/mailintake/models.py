"""The e-mail channel: mailboxes polled over IMAP, routing rules, received messages, dead letters.

`InboundMessage` is the exactly-once record: one row per message key (the Message-ID, or a hash of the
raw bytes when there is none), unique over all mailboxes, written in the same transaction as the
melding or reply the message becomes and committed before the message is moved or flagged on the
server. A re-read after a crash finds the row and does nothing but acknowledge the message again.

The tables keep the names they had when these models lived in the servicedesk (`db_table`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import access
from beheer.core.history import SubjectHistoryRecord, render, subject_index, subject_key
from beheer.servicedesk.models import CallType, Category, Melding, Note

from . import extensions

MAX_RAW_BYTES = 25 * 1024 * 1024  # raw source kept for a dead letter; longer sources are cut
RULE_PATTERN_MAX = 200


class MailSecurity(models.TextChoices):
    TLS = "tls", _("TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")


class MailAuth(models.TextChoices):
    PASSWORD = "password", _("User name and password")
    XOAUTH2 = "xoauth2", _("OAuth 2.0 (Microsoft 365, Google Workspace)")


class AfterProcessing(models.TextChoices):
    MOVE = "move", _("Move to a folder")
    FLAG = "flag", _("Mark as read and flag")


class MailboxQuerySet(access.RoleQuerySet, models.QuerySet["Mailbox"]):
    audience = access.Audience.ADMINISTRATOR  # mailboxes hold credentials

    def active(self) -> MailboxQuerySet:
        return self.filter(active=True)

    def for_polling(self) -> MailboxQuerySet:
        """Active mailboxes in the order a poll reads them: the ones that worked last time first
        (a server that is down or hangs goes last), and among those the longest unread first."""
        failing = models.Case(
            models.When(last_error="", then=models.Value(0)),
            default=models.Value(1),
            output_field=models.IntegerField(),
        )
        return self.active().order_by(failing, models.F("last_poll_at").asc(nulls_first=True), "id")


class Mailbox(models.Model):
    """One IMAP account whose messages become meldingen (or replies on them)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=MailSecurity.choices, default=MailSecurity.TLS
    )
    ca_certificate = models.TextField(
        _("trusted CA certificate (PEM)"),
        blank=True,
        help_text=_("Only for a server with a certificate from a private CA; leave empty otherwise."),
    )
    username = models.CharField(_("user name"), max_length=255)
    auth = models.CharField(_("sign-in"), max_length=10, choices=MailAuth.choices, default=MailAuth.PASSWORD)
    # Password, or for XOAUTH2 the refresh token; both encrypted (notifications.crypto).
    secret_encrypted = models.TextField(blank=True)
    oauth_client_id = models.CharField(_("OAuth client ID"), max_length=255, blank=True)
    oauth_client_secret_encrypted = models.TextField(blank=True)
    oauth_token_url = models.URLField(_("OAuth token endpoint"), max_length=500, blank=True)
    oauth_scope = models.CharField(_("OAuth scope"), max_length=500, blank=True)
    access_token_encrypted = models.TextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)

    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    after_processing = models.CharField(
        _("after processing"), max_length=10, choices=AfterProcessing.choices, default=AfterProcessing.MOVE
    )
    processed_folder = models.CharField(_("folder for processed messages"), max_length=200, default="Beheer")

    default_call_type = models.ForeignKey(
        CallType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("call type"),
    )
    default_category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    default_operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator group"),
    )
    rate_limit_count = models.PositiveIntegerField(
        _("new calls per sender"),
        default=20,
        help_text=_("More new calls than this from one address within the period go to the dead letters."),
    )
    rate_limit_minutes = models.PositiveIntegerField(_("period (minutes)"), default=60)
    # What a new message becomes: "melding", or the code of a kind another app registers
    # (`extensions`, e.g. "change_request"); not a choices field, since the kinds live above.
    registers = models.CharField(
        _("registers"),
        max_length=30,
        default="melding",
        help_text=_("What a new message in this mailbox becomes."),
    )
    active = models.BooleanField(_("active"), default=True)

    last_poll_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_seen_uid = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = MailboxQuerySet.as_manager()

    class Meta:
        db_table = "servicedesk_mailbox"
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)

    @property
    def registers_label(self) -> str:
        """What this mailbox registers, in the reader's language (calls, change requests)."""
        return extensions.kind_label(self.registers)


class MailboxAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    ACTIVATED = "activated", _("Activated")
    DEACTIVATED = "deactivated", _("Deactivated")
    RULE_ADDED = "rule_added", _("Rule added")
    RULE_REMOVED = "rule_removed", _("Rule removed")
    DELETED = "deleted", _("Deleted")


class MailboxHistoryEntry(SubjectHistoryRecord):
    """Who created, changed or removed a mailbox or its rules, when, old -> new (`core.history`);
    written by the mailbox services in the transaction of the change. The mailbox's name is kept, so
    the trail of a removed mailbox still says whose it was. The password, refresh token and client
    secret are never stored, only that they changed; a rule is stored as JSON of codes and names and
    shown in words."""

    subject_field = "mailbox"
    subject_name_field = "mailbox_name"
    orphans_audience = access.Audience.ADMINISTRATOR  # who may see mailboxes at all
    value_words = {
        "rule": lambda value: rule_in_words(value),  # defined below
        "registers": lambda value: extensions.kind_label(value),
    }
    field_labels = {
        "secret": _("password or refresh token"),
        "oauth_client_secret": _("OAuth client secret"),
        "rule": _("rule"),
    }

    mailbox = subject_key(Mailbox, _("mailbox"))
    mailbox_name = models.CharField(_("mailbox"), max_length=100)
    action = models.CharField(max_length=40, choices=MailboxAction.choices)

    class Meta:
        verbose_name = _("mailbox history entry")
        verbose_name_plural = _("mailbox history")
        indexes = [subject_index("mailbox", "mailbox_history_at")]


def rule_history_value(rule: MailRule) -> dict[str, Any]:
    """A rule as its history row keeps it: the codes, and its category and group by their names in
    the installation's language (a dict, stored as JSON by `core.history.render`)."""
    return {
        "order": rule.order,
        "match_field": rule.match_field,
        "pattern": rule.pattern,
        "category": render(rule.category),
        "operator_group": render(rule.operator_group),
    }


def rule_in_words(value: str) -> str:
    """A rule from its history row in the reader's language: "Sender address: a@b -> Hardware,
    Servicedesk (order 10)"; a value that is no such rule as stored."""
    try:
        data = json.loads(value)
        label = RuleField(data["match_field"]).label
        targets = [str(data[key]) for key in ("category", "operator_group") if data.get(key)]
        order = int(data["order"])
    except (ValueError, KeyError, TypeError):
        return value
    text = f"{label}: {data.get('pattern', '')}"
    if targets:
        text += " \u2192 " + ", ".join(targets)
    return text + " " + str(_("(order %(order)d)") % {"order": order})


class RuleField(models.TextChoices):
    SENDER = "sender", _("Sender address")
    DOMAIN = "domain", _("Sender domain")
    SUBJECT = "subject", _("Subject (regular expression)")


class MailRule(models.Model):
    """Routes a new melding from a mailbox: the first matching rule (by order) sets category and group."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveIntegerField(_("order"), default=10)
    match_field = models.CharField(_("match on"), max_length=10, choices=RuleField.choices)
    pattern = models.CharField(_("value"), max_length=RULE_PATTERN_MAX)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    operator_group = models.ForeignKey(
        OperatorGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator group"),
    )

    class Meta:
        db_table = "servicedesk_mailrule"
        ordering = ["mailbox", "order", "id"]
        indexes = [models.Index(fields=["mailbox", "order"], name="mailrule_mailbox_order")]

    def __str__(self) -> str:
        return f"{self.get_match_field_display()}: {self.pattern}"

    def matches(self, *, sender: str, subject: str) -> bool:
        sender = sender.lower()
        if self.match_field == RuleField.SENDER:
            return sender == self.pattern.strip().lower()
        if self.match_field == RuleField.DOMAIN:
            domain = self.pattern.strip().lower().lstrip("@")
            return sender.rsplit("@", 1)[-1] == domain
        try:
            return re.search(self.pattern, subject[:1000], re.IGNORECASE) is not None
        except re.error:
            return False


class Outcome(models.TextChoices):
    MELDING = "melding", _("New call")
    REPLY = "reply", _("Reply on a call")
    IGNORED = "ignored", _("Ignored")
    DEAD_LETTER = "dead_letter", _("Dead letter")
    OTHER_NEW = "other_new", _("New request of another kind")
    OTHER_REPLY = "other_reply", _("Reply on a request of another kind")


class InboundMessage(models.Model):
    """One received message, recorded once (the message key is unique) before it is acknowledged."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, related_name="+")
    message_key = models.CharField(max_length=255)
    uid = models.BigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField()
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    melding = models.ForeignKey(Melding, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ignore_reason = models.CharField(max_length=40, blank=True)
    # The record of another kind the message became or answered (`extensions`), e.g. a change.
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        db_table = "servicedesk_inboundmessage"
        constraints = [models.UniqueConstraint(fields=["message_key"], name="uniq_inbound_message_key")]
        indexes = [
            models.Index(fields=["sender", "outcome", "received_at"], name="inbound_sender_rate"),
            models.Index(fields=["melding"], name="inbound_melding"),
            models.Index(fields=["object_type", "object_id"], name="inbound_object"),
        ]


class DeadLetterStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RETRIED = "retried", _("Retried")
    CONVERTED = "converted", _("Turned into a call")
    DISCARDED = "discarded", _("Discarded")


# Why a message is a dead letter: the parser's reasons, its limits and the intake's own reasons.
DEAD_LETTER_REASONS: dict[str, Any] = {
    "empty": _("Empty message"),
    "no-headers": _("Not an e-mail message"),
    "no-sender": _("No sender address"),
    "unreadable": _("Cannot be read"),
    "too-large": _("Message too large"),
    "too-many-lines": _("Message has too many lines"),
    "mime-too-many-parts": _("Message has too many parts"),
    "mime-too-nested": _("Message has too many nested parts"),
    "html-too-large": _("HTML text too large"),
    "html-too-deep": _("HTML nested too deeply"),
    "html-too-many-elements": _("HTML has too many elements"),
    "html-too-many-attributes": _("HTML element has too many attributes"),
    "rate-limited": _("Too many new calls from this sender"),
    "rejected": _("Refused by a rule of the service desk"),
    "melding-closed": _("The call is closed"),
    "error": _("Processing failed"),
}


class DeadLetterQuerySet(access.RoleQuerySet, models.QuerySet["DeadLetter"]):
    audience = access.Audience.STAFF  # never callers: the raw source is private

    def open(self) -> DeadLetterQuerySet:
        return self.filter(status=DeadLetterStatus.OPEN)


class DeadLetter(models.Model):
    """A message that could not become a melding or reply; kept with its raw source for a person."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, related_name="+")
    inbound = models.OneToOneField(
        InboundMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="dead_letter"
    )
    raw = models.BinaryField()
    raw_size = models.PositiveBigIntegerField(default=0)
    truncated = models.BooleanField(default=False)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    reason = models.CharField(_("reason"), max_length=40)
    detail = models.TextField(_("detail"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeadLetterStatus.choices, default=DeadLetterStatus.OPEN
    )
    created_at = models.DateTimeField(_("received"))
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    melding = models.ForeignKey(Melding, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = DeadLetterQuerySet.as_manager()

    class Meta:
        db_table = "servicedesk_deadletter"
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")
        indexes = [models.Index(fields=["status", "created_at", "id"], name="deadletter_status_created")]

    def __str__(self) -> str:
        return f"{self.reason}: {self.subject or self.sender}"

    @property
    def reason_label(self) -> str:
        """The reason in words, in the reader's language (the code itself when it is unknown)."""
        label = DEAD_LETTER_REASONS.get(self.reason)
        return str(label) if label is not None else self.reason
