"""Delivering the outbox: claim due rows, send them outside any transaction, record the outcome.

A claim is a conditional UPDATE (status -> sending, attempts + 1, a lease in next_attempt_at and a
random claim token) of rows that are still due; on PostgreSQL the candidates are first locked with
SELECT ... FOR UPDATE SKIP LOCKED, so concurrent workers take different rows without waiting. Only the
holder of the claim token may record the outcome, so a sender that outlived its lease cannot overwrite
a later attempt. A row left in "sending" (its worker stopped mid-send) becomes due again when the lease
ends and is sent once more; it keeps its Message-ID, so a receiver can recognise the repeat.
Import these functions from `services`.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from beheer.core import clock

from . import crypto, transports
from .models import Channel, MailServer, MessageStatus, OutgoingMessage

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


def claim(
    *, now: datetime, batch: int, ids: list[int] | None = None, email: bool = True
) -> tuple[str, list[OutgoingMessage]]:
    """Claim up to `batch` due rows (of `ids`, if given); returns the claim token and the rows."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        qs = OutgoingMessage.objects.due(now).filter(attempts__lt=max_attempts())
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
        OutgoingMessage.objects.filter(pk__in=pks).due(now).update(
            status=MessageStatus.SENDING,
            claim_token=token,
            attempts=F("attempts") + 1,
            next_attempt_at=now + LEASE,
        )
    rows = list(
        OutgoingMessage.objects.filter(claim_token=token, status=MessageStatus.SENDING)
        .select_related("webhook")
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
    error = error[:ERROR_LENGTH]
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


def _deliver(msg: OutgoingMessage, server: MailServer | None, config: transports.SmtpConfig | None) -> None:
    if msg.channel == Channel.EMAIL:
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
    for msg in rows:
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
        status = _finish(msg, token, now=clock.now(), error=error, permanent=permanent)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome


def send_messages(message_ids: list[int]) -> dict[str, int]:
    """Send these messages if they are still due (the task after a commit); safe to run twice."""
    if not message_ids:
        return {}
    server = active_mail_server()
    token, rows = claim(now=clock.now(), batch=len(message_ids), ids=message_ids, email=server is not None)
    return _send_claimed(token, rows, server)


def send_due(now: datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Send every due message, `batch` at a time (the periodic safety net); safe to run anywhere."""
    now = now or clock.now()
    _bury_abandoned(now)
    server = active_mail_server()
    total: dict[str, int] = {}
    for _round in range(MAX_ROUNDS):
        token, rows = claim(now=now, batch=batch, email=server is not None)
        for status, count in _send_claimed(token, rows, server).items():
            total[status] = total.get(status, 0) + count
        if len(rows) < batch:
            break
    return total
