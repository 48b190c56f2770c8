"""What every part of the notifications services shares: recipients and files, the checks of an
actor, an event, a language and an address, message ids, and starting the sending after a commit."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import access
from beheer.core.errors import DomainError, PermissionDenied

from ..events import DEFAULT_LANGUAGE, EVENTS, LANGUAGES, Event

logger = logging.getLogger(__name__)
ObjectRef = tuple[str, int]


@dataclass(frozen=True)
class Recipient:
    """An address that is not (or not only) a person: a group mailbox, an external address."""

    address: str
    language: str = DEFAULT_LANGUAGE
    name: str = ""
    user: User | None = None


RecipientSpec = User | OperatorGroup | Recipient | str


@dataclass(frozen=True)
class OutgoingFile:
    """A file to send with an e-mail message (stored with it; see `max_attachment_bytes`)."""

    filename: str
    content_type: str
    content: bytes


def max_attachment_bytes() -> int:
    """The most one message may carry in attachments, together."""
    return int(getattr(settings, "NOTIFICATIONS_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))


def _require_admin(actor: User | None) -> None:
    if actor is None or not access.is_administrator(actor):
        raise PermissionDenied(_("Only administrators can change notification settings."))


def _event(code: str) -> Event:
    event = EVENTS.get(code)
    if event is None:
        raise DomainError(
            _("Unknown event “%(code)s”.") % {"code": code}, field_errors={"event": _("Unknown event.")}
        )
    return event


def _language(value: str | None) -> str:
    value = (value or "")[:2]
    if value in LANGUAGES:
        return value
    default = str(settings.LANGUAGE_CODE)[:2]
    return default if default in LANGUAGES else DEFAULT_LANGUAGE


def _valid_address(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return "\n" not in address and "\r" not in address


def _message_id() -> str:
    host = urlsplit(str(getattr(settings, "SITE_URL", ""))).hostname or "beheer.invalid"
    return f"<beheer.{uuid.uuid4().hex}@{host}>"


def _tasks_share_the_database() -> bool:
    """True when queued tasks are rows in this database (the production set-up)."""
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    from ..tasks import send_pending

    return isinstance(task_backends[send_pending.backend], DatabaseBackend)


def _send_after_commit(ids: list[int]) -> None:
    if not ids:
        return
    from ..tasks import send_pending

    if _tasks_share_the_database():
        # The worker runs `send_due` every few seconds and finds the committed rows itself: no task
        # row, so registering a melding costs no extra insert and no extra commit.
        return

    def start() -> None:
        try:
            send_pending.enqueue(ids)
        except Exception:  # the periodic job sends them within a minute
            logger.exception("Could not queue the sending of messages %s", ids)

    transaction.on_commit(start)
