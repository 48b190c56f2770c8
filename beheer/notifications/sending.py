"""Delivering the outbox: claim due rows, send them outside any transaction, record the outcome.

A claim is a conditional UPDATE (status -> sending, attempts + 1, a lease in next_attempt_at and a
random claim token) of rows that are still due; on PostgreSQL the candidates are first locked with
SELECT ... FOR UPDATE SKIP LOCKED, so concurrent workers take different rows without waiting. Only the
holder of the claim token may record the outcome, so a sender that outlived its lease cannot overwrite
a later attempt. A row left in "sending" (its worker stopped mid-send) becomes due again when the lease
ends and is sent once more; it keeps its Message-ID, so a receiver can recognise the repeat.

A message past its time to live (`expires_at`) is never claimed: `expire_due` marks it expired with
the reason. A message for a person who has since been removed or made inactive is not sent either.
Every message is handled on its own: whatever goes wrong with one (its content, its recipient, the
transport, even recording its outcome) is recorded on it where possible and logged, and the next
one is sent. A message counts as sent only when the transport accepted it.
Import these functions from `services`.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from beheer.core import clock

from . import crypto, transports
from .models import Channel, MailServer, MessageStatus, OutgoingAttachment, OutgoingMessage

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BATCH = 50
MAX_ROUNDS = 20
ERROR_LENGTH = 2000


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 8))


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, ... minutes after the first, second, third ... failed attempt; at most 2 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 120))


def active_mail_server() -> MailServer | None:
    server = MailServer.objects.filter(pk=1).first()
    return server if server is not None and server.active and server.host else None


def smtp_config(server: MailServer) -> transports.SmtpConfig:
    return transports.SmtpConfig(
        host=server.host,
        port=server.port,
        security=server.security,
        username=server.username,
        password=crypto.decrypt(server.password_encrypted),
        timeout=server.timeout,
        verify_certificate=server.verify_certificate,
    )


def _bury_abandoned(now: datetime) -> None:
    """A row whose last allowed attempt never reported back is given up."""
    OutgoingMessage.objects.filter(
        status=MessageStatus.SENDING, next_attempt_at__lte=now, attempts__gte=max_attempts()
    ).update(
        status=MessageStatus.DEAD,
        claim_token="",
        last_error=_("The sender stopped during the last allowed attempt."),
    )


def expire_due(now: datetime | None = None) -> int:
    """Mark waiting messages past their time to live as expired (never sent); returns how many."""
    now = now or clock.now()
    count = OutgoingMessage.objects.expired_by(now).update(
        status=MessageStatus.EXPIRED,
        claim_token="",
        last_error=_("Not sent: it waited longer than messages of this kind may (its time to live)."),
    )
    if count:
        logger.info("Outbox: %d messages expired unsent", count)
    return count


def _not_expired(now: datetime) -> Q:
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now)


def claim(
    *, now: datetime, batch: int, ids: list[int] | None = None, email: bool = True
) -> tuple[str, list[OutgoingMessage]]:
    """Claim up to `batch` due rows (of `ids`, if given); returns the claim token and the rows."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        qs = OutgoingMessage.objects.due(now).filter(_not_expired(now), attempts__lt=max_attempts())
        if not email:
            qs = qs.exclude(channel=Channel.EMAIL)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        qs = qs.order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        pks = list(qs.values_list("pk", flat=True)[:batch])
        if not pks:
            return token, []
        OutgoingMessage.objects.filter(pk__in=pks).due(now).filter(_not_expired(now)).update(
            status=MessageStatus.SENDING,
            claim_token=token,
            attempts=F("attempts") + 1,
            next_attempt_at=now + LEASE,
        )
    rows = list(
        OutgoingMessage.objects.filter(claim_token=token, status=MessageStatus.SENDING)
        .select_related("webhook", "recipient_user")
        .order_by("id")
    )
    return token, rows


def _finish(
    msg: OutgoingMessage, token: str, *, now: datetime, error: str = "", permanent: bool = False
) -> str:
    mine = OutgoingMessage.objects.filter(pk=msg.pk, claim_token=token, status=MessageStatus.SENDING)
    if not error:
        mine.update(status=MessageStatus.SENT, sent_at=now, last_error="", claim_token="")
        return MessageStatus.SENT
    error = error.replace("\x00", "")[:ERROR_LENGTH]  # PostgreSQL refuses NUL in text
    if permanent or msg.attempts >= max_attempts():
        mine.update(status=MessageStatus.DEAD, last_error=error, claim_token="")
        return MessageStatus.DEAD
    mine.update(
        status=MessageStatus.RETRYING,
        next_attempt_at=now + backoff(msg.attempts),
        last_error=error,
        claim_token="",
    )
    return MessageStatus.RETRYING


def _check_recipient(msg: OutgoingMessage) -> None:
    """A message written for a person goes only to a person who still exists and is active."""
    if not msg.to_person:
        return
    if msg.recipient_user is None:
        raise transports.PermanentError(_("The recipient has been removed; the message is not sent."))
    if not msg.recipient_user.is_active:
        raise transports.PermanentError(_("The recipient is no longer active; the message is not sent."))


def _attach(email: Any, msg: OutgoingMessage) -> None:
    for attachment in OutgoingAttachment.objects.filter(message_id=msg.pk).order_by("position"):
        maintype, _slash, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            bytes(attachment.content),
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )


def _deliver(msg: OutgoingMessage, server: MailServer | None, config: transports.SmtpConfig | None) -> None:
    if msg.channel == Channel.EMAIL:
        _check_recipient(msg)
        if server is None or config is None:
            raise transports.TransientError(_("No mail server is configured."))
        email = transports.build_email(
            from_address=server.from_address,
            from_name=server.from_name,
            to=msg.recipient,
            subject=msg.subject,
            body_text=msg.body_text,
            body_html=msg.body_html,
            headers={str(k): str(v) for k, v in (msg.headers or {}).items()},
        )
        if msg.attachment_count:
            _attach(email, msg)
        transports.send_email(config, email)
        return
    endpoint = msg.webhook
    if endpoint is None or not endpoint.active:
        raise transports.PermanentError(_("The webhook has been removed or switched off."))
    payload: dict[str, Any] = json.loads(msg.body_text or "{}")
    transports.post_webhook(
        url=endpoint.url,
        secret=crypto.decrypt(endpoint.secret_encrypted),
        event=msg.event,
        delivery=msg.key,
        payload=payload,
    )


def _send_claimed(token: str, rows: list[OutgoingMessage], server: MailServer | None) -> dict[str, int]:
    outcome: dict[str, int] = {}
    config: transports.SmtpConfig | None = None
    config_error = ""
    if server is not None and any(m.channel == Channel.EMAIL for m in rows):
        try:
            config = smtp_config(server)
        except crypto.UnreadableSecret as exc:
            config_error = exc.message
        except Exception as exc:  # a configuration the transport cannot use: every e-mail waits
            logger.exception("The mail server configuration cannot be used")
            config_error = str(exc) or type(exc).__name__
    for msg in rows:
        status = _send_one(msg, token, server, config, config_error)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome


def _send_one(
    msg: OutgoingMessage,
    token: str,
    server: MailServer | None,
    config: transports.SmtpConfig | None,
    config_error: str,
) -> str:
    """Deliver one claimed message and record the outcome; never raises (the next one goes on)."""
    error, permanent = "", False
    try:
        if msg.channel == Channel.EMAIL and config_error:
            raise transports.TransientError(config_error)
        _deliver(msg, server, config)
    except transports.PermanentError as exc:
        error, permanent = str(exc), True
    except crypto.UnreadableSecret as exc:
        error = exc.message
    except Exception as exc:  # a transient error, or a bug: retried later, recorded on the row
        if not isinstance(exc, transports.TransientError):
            logger.exception("Sending message %s failed", msg.pk)
        error = str(exc) or type(exc).__name__
    try:
        with transaction.atomic():  # a savepoint: an error here leaves any outer transaction usable
            return _finish(msg, token, now=clock.now(), error=error, permanent=permanent)
    except DatabaseError as exc:
        # The outcome cannot be written to this row. Leave it to its lease (it is tried again then,
        # with the same Message-ID) and record what happened if the row takes that at least.
        logger.exception("Recording the outcome of message %s failed", msg.pk)
        note = _("The outcome could not be recorded: %(error)s") % {"error": exc}
        try:
            with transaction.atomic():
                OutgoingMessage.objects.filter(pk=msg.pk, claim_token=token).update(
                    last_error=note.replace("\x00", "")[:ERROR_LENGTH]
                )
        except DatabaseError:
            logger.exception("Recording the error of message %s failed too", msg.pk)
        return "unrecorded"


def send_messages(message_ids: list[int]) -> dict[str, int]:
    """Send these messages if they are still due (the task after a commit); safe to run twice."""
    if not message_ids:
        return {}
    server = active_mail_server()
    token, rows = claim(now=clock.now(), batch=len(message_ids), ids=message_ids, email=server is not None)
    return _send_claimed(token, rows, server)


def send_due(now: datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Send every due message, `batch` at a time (the periodic safety net); safe to run anywhere.
    Expired messages are marked first, so they are never sent."""
    now = now or clock.now()
    _bury_abandoned(now)
    total: dict[str, int] = {}
    expired = expire_due(now)
    if expired:
        total[MessageStatus.EXPIRED] = expired
    server = active_mail_server()
    for _round in range(MAX_ROUNDS):
        token, rows = claim(now=now, batch=batch, email=server is not None)
        for status, count in _send_claimed(token, rows, server).items():
            total[status] = total.get(status, 0) + count
        if len(rows) < batch:
            break
    if any(total.values()):
        logger.info("Outbox: %s", ", ".join(f"{count} {status}" for status, count in sorted(total.items())))
    return total
