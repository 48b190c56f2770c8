"""Extension points for apps above the mail intake: other kinds of requests by e-mail.

The mail intake registers meldingen through the servicedesk. An app above it (changes registers
change requests) may register an intake *kind* here from its `AppConfig.ready()`; the mail intake
reads only this registry and never imports that app.

- A mailbox registers one kind (`Mailbox.registers`): "melding" (the default, the servicedesk) or
  the code of a registered kind. Every new message in a mailbox of another kind goes to that kind's
  `register`, which writes its record (a change request) and returns what it wrote.
- A reply on a record of a kind (`reply`), recognised by the kind itself (its number in the
  subject, or the headers of its own mail), is taken from any mailbox: the acknowledgement of a
  change request is answered to the address it came from, which may be the service desk's mailbox.
  In a melding mailbox a reply on a melding goes first; only a message that answers no melding is
  offered to the kinds, before it would become a new melding.

Both run inside the intake's transaction, after the message was claimed (exactly once, by key);
they raise `DomainError` to send the message to the dead letters with their message, and anything
else makes it a dead letter with the error. They must not commit or send anything themselves: mail
goes through the outbox in the same transaction.

Registering the same code twice replaces the earlier entry (tests and reloads stay idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MELDING: Final = "melding"  # the built-in kind: the servicedesk's meldingen


@dataclass(frozen=True)
class IntakeMessage:
    """What a kind's handler reads of one received message."""

    message_key: str
    message_id: str | None  # without angle brackets
    thread_ids: tuple[str, ...]  # Message-IDs this message answers, nearest first
    sender: str  # lower-case address
    sender_name: str
    subject: str
    text: str  # the new text of a reply (quoted text cut), or the whole body
    body_text: str
    person: Any  # the active person with the sender's address, or None
    mailbox_name: str
    received_at: datetime


@dataclass(frozen=True)
class Handled:
    """What a kind's handler wrote: the record (`object_type` as "app.model", its id)."""

    object_type: str
    object_id: int


@dataclass(frozen=True)
class IntakeKind:
    code: str  # stored on the mailbox; at most 30 characters
    label: Promise | str  # shown where a mailbox is configured
    register: Callable[[IntakeMessage], Handled]
    reply: Callable[[IntakeMessage], Handled | None]  # None: not a reply on one of its records


_KINDS: dict[str, IntakeKind] = {}


def register_kind(kind: IntakeKind) -> None:
    if kind.code == MELDING or not 0 < len(kind.code) <= 30:
        raise ValueError(f"invalid intake kind code: {kind.code!r}")
    _KINDS[kind.code] = kind


def kind(code: str) -> IntakeKind | None:
    return _KINDS.get(code)


def kinds() -> list[IntakeKind]:
    """The registered kinds, in the order they were registered."""
    return list(_KINDS.values())


def kind_choices() -> list[tuple[str, Promise | str]]:
    """What a mailbox can register: meldingen, then the registered kinds."""
    return [(MELDING, _("Calls")), *((k.code, k.label) for k in _KINDS.values())]


def kind_label(code: str) -> str:
    return str(dict(kind_choices()).get(code, code))
