"""Every write of the notifications app.

Domain services call `enqueue` inside their own transaction: the outbox rows are written with the
change that causes them, or not at all. After the commit a task sends them; the periodic job
`notifications.send_due` is the safety net. The notifications app never calls back into a domain app.

Every message gets the time to live of its event (`ttl_hours`, editable by administrators): one
still waiting after it is marked expired, never sent. A message that cannot be written for one
recipient (its text does not render) is stored as failed with the error; the others go out.

The package by topic: `outbox` (`enqueue`, recipients), `ttl` (times to live), `delivery` (retry,
bulk discard, bounces, the dashboard's counts), `mail_server`, `message_templates`, `webhooks`,
`preferences`; shared helpers in `_base`; the sending itself is `notifications.sending`. Import
from `beheer.notifications.services`.
"""

from __future__ import annotations

from beheer.core.errors import DomainError

from ..sending import active_mail_server, expire_due, send_due, send_messages, smtp_config
from . import privacy  # removing personal data (AVG): privacy.redact_messages
from ._base import ObjectRef, OutgoingFile, Recipient, RecipientSpec, max_attachment_bytes
from .delivery import (
    DiscardFilter,
    OutboxSummary,
    discard_candidates,
    discard_messages,
    outbox_summary,
    record_bounce,
    redact_messages,
    retry_message,
)
from .mail_server import configure_mail_server, send_test_email
from .message_templates import (
    check_template,
    preview_template,
    reset_template,
    save_template,
    template_source,
)
from .outbox import enqueue, escalation_recipients
from .preferences import configure_group, preferences_of, set_preferences
from .ttl import set_ttl_hours, ttl_hours, ttl_settings
from .webhooks import create_webhook, delete_webhook, update_webhook

__all__ = [
    "DiscardFilter",
    "DomainError",
    "ObjectRef",
    "OutboxSummary",
    "OutgoingFile",
    "Recipient",
    "RecipientSpec",
    "active_mail_server",
    "check_template",
    "configure_group",
    "configure_mail_server",
    "create_webhook",
    "delete_webhook",
    "discard_candidates",
    "discard_messages",
    "enqueue",
    "escalation_recipients",
    "expire_due",
    "max_attachment_bytes",
    "outbox_summary",
    "preferences_of",
    "preview_template",
    "privacy",
    "record_bounce",
    "redact_messages",
    "reset_template",
    "retry_message",
    "save_template",
    "send_due",
    "send_messages",
    "send_test_email",
    "set_preferences",
    "set_ttl_hours",
    "smtp_config",
    "template_source",
    "ttl_hours",
    "ttl_settings",
    "update_webhook",
]
