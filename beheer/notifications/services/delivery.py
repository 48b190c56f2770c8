"""Delivery outcomes: a failed message sent again, waiting and failed messages discarded in bulk,
bounces, and the outbox's counts for the dashboard."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError

from ..events import EVENTS
from ..models import DISCARDABLE as _DISCARDABLE
from ..models import WAITING, MessageStatus, OutboxDiscard, OutgoingMessage
from ..sending import active_mail_server
from ._base import _require_admin, _send_after_commit

logger = logging.getLogger(__name__)


@transaction.atomic
def retry_message(message: OutgoingMessage, *, actor: User) -> OutgoingMessage:
    """Send a message that failed permanently once more (administrators)."""
    _require_admin(actor)
    changed = OutgoingMessage.objects.filter(pk=message.pk, status=MessageStatus.DEAD).update(
        status=MessageStatus.PENDING,
        attempts=0,
        next_attempt_at=clock.now(),
        claim_token="",
        last_error="",
        bounced_at=None,
    )
    if not changed:
        raise Conflict(_("Only a message that failed permanently can be retried."))
    logger.info("Message %s queued again by %s", message.pk, actor.pk)
    _send_after_commit([message.pk])
    message.refresh_from_db()
    return message


@dataclass(frozen=True)
class DiscardFilter:
    """Which messages a bulk discard takes: a status among the discardable ones (or all of them),
    an event (or all), and created before a moment (the moment the count was shown, and the age)."""

    status: str = ""
    event: str = ""
    older_than_hours: int = 0


def discard_candidates(filters: DiscardFilter, *, created_before: datetime | None = None) -> Any:
    """The messages `discard_messages` would take now (a QuerySet); raises DomainError for a
    status or event that cannot be discarded."""
    errors: dict[str, str] = {}
    if filters.status and filters.status not in (s.value for s in _DISCARDABLE):
        errors["status"] = _("Only queued, retrying or failed messages can be discarded.")
    if filters.event and filters.event not in EVENTS:
        errors["event"] = _("Unknown event.")
    if not 0 <= filters.older_than_hours <= 100_000:
        errors["older_than_hours"] = _("Out of range.")
    if errors:
        raise DomainError(_("The filter is not valid."), field_errors=errors)
    moment = created_before or clock.now()
    if filters.older_than_hours:
        moment = min(moment, clock.now() - timedelta(hours=filters.older_than_hours))
    return OutgoingMessage.objects.discardable(
        status=filters.status, event=filters.event, created_before=moment
    )


@transaction.atomic
def discard_messages(filters: DiscardFilter, *, actor: User, created_before: datetime) -> OutboxDiscard:
    """Discard, in one go, the waiting and failed messages that match (administrators): they are
    never sent. `created_before` is the moment the administrator saw the count, so messages
    written since are left alone. A message being sent at this moment is not taken. Recorded with
    who, when, the filter and how many."""
    _require_admin(actor)
    now = clock.now()
    who = actor.get_full_name() or actor.username
    count = discard_candidates(filters, created_before=created_before).update(
        status=MessageStatus.DISCARDED,
        claim_token="",
        last_error=(
            _("Discarded by %(name)s on %(when)s.")
            % {"name": who, "when": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}
        ),
    )
    record = OutboxDiscard.objects.create(
        actor=actor,
        actor_name=who[:150],
        created_at=now,
        status=filters.status,
        event=filters.event,
        created_before=created_before,
        count=count,
    )
    logger.info("%d outbox messages discarded by %s (discard %s)", count, actor.pk, record.pk)
    return record


@dataclass(frozen=True)
class OutboxSummary:
    """What the dashboard says about the outbox: waiting now, failed and expired in the last days."""

    waiting: int
    failed: int
    expired: int
    days: int
    mail_server_configured: bool
    oldest_waiting: datetime | None

    @property
    def needs_attention(self) -> bool:
        return bool(self.failed or self.expired or (self.waiting and not self.mail_server_configured))


def outbox_summary(*, days: int = 7) -> OutboxSummary:
    """Counts by state; each count is read from an index (status and creation time), never a scan
    of the whole outbox."""
    since = clock.now() - timedelta(days=days)
    messages = OutgoingMessage.objects
    waiting = messages.filter(status__in=WAITING)
    count = waiting.count()
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first() if count else None
    return OutboxSummary(
        waiting=count,
        failed=messages.filter(status=MessageStatus.DEAD, created_at__gte=since).count(),
        expired=messages.filter(status=MessageStatus.EXPIRED, created_at__gte=since).count(),
        days=days,
        mail_server_configured=active_mail_server() is not None,
        oldest_waiting=oldest,
    )


@transaction.atomic
def record_bounce(message_id: str, *, detail: str) -> OutgoingMessage | None:
    """A delivery failure report (bounce) came back for `message_id`; None if it is not ours."""
    value = message_id.strip()
    if value and not value.startswith("<"):
        value = f"<{value}>"
    message = OutgoingMessage.objects.select_for_update().filter(message_id=value).first()
    if message is None:
        return None
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.DEAD,
        bounced_at=clock.now(),
        last_error=(_("Bounced: %(detail)s") % {"detail": detail.strip()})[:2000],
        claim_token="",
    )
    message.refresh_from_db()
    return message


def redact_messages(object_ref: tuple[str, int], *, texts: dict[str, tuple[str, str]]) -> int:
    """Replace the subject and text of every message about `object_ref` (sent or waiting) with
    `texts[language] = (subject, body)`: for an object whose content may no longer be read by the
    people who see the outbox (a call that became a security incident). A waiting message leaves
    with the new text. Returns how many messages were redacted. Call inside the caller's
    transaction."""
    object_type, object_id = object_ref
    about = OutgoingMessage.objects.filter(object_type=object_type, object_id=object_id)
    done = 0
    fallback = texts.get("nl") or next(iter(texts.values()))
    for language in {*texts, ""}:
        subject, body = texts.get(language, fallback)
        rows = about.exclude(language__in=list(texts)) if language == "" else about.filter(language=language)
        done += rows.update(subject=subject[:255], body_text=body, body_html="")
    return done
