"""Change requests by e-mail: the kind this app registers with the mail intake (`mailintake.extensions`).

A mailbox set to register change requests (`Mailbox.registers == "change_request"`) turns each new
message into a change request (`services.submit_change_request_from_mail`). A reply on a change, from
any mailbox, is kept in the change's history (`services.record_mail_on_change`) and registers
nothing. A reply is recognised, nearest first, by its headers (it answers mail we sent about the
change, or the message the change came from), else by the change's number in the subject: in
brackets ("[W0000012]", as our acknowledgement writes it) anywhere, or bare ("W0000012") after a
reply prefix ("Re:", "Antw:"). A bare number in a new message ("broken since W0000012") is no reply.
A number of a change that does not exist is no reply either.
"""

from __future__ import annotations

import re
from typing import Final

from django.utils.translation import gettext_lazy as _

from beheer.mailintake import extensions
from beheer.mailintake.models import InboundMessage
from beheer.mailintake.services import intake_actor
from beheer.notifications.models import OutgoingMessage

from . import services
from .models import Change

CHANGE_REQUEST: Final = "change_request"
OBJECT_TYPE: Final = "changes.change"

_BRACKETED = re.compile(r"\[\s*W\s*-?\s*(\d{1,12})\s*\]", re.IGNORECASE)
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|antw|aw|sv|vs|fw|fwd|doorst)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
_BARE = re.compile(r"(?<![\w-])W(\d{7,12})(?![\w-])", re.IGNORECASE)


def change_number_in(subject: str) -> int | None:
    """The change number a subject refers to as a reply: '[W0000012]' anywhere, or 'W0000012'
    in a subject that starts with a reply prefix; None otherwise."""
    subject = (subject or "")[:1000]
    match = _BRACKETED.search(subject)
    if match is None and _REPLY_PREFIX.match(subject):
        match = _BARE.search(subject)
    return int(match.group(1)) if match is not None else None


def _by_headers(thread_ids: tuple[str, ...]) -> int | None:
    if not thread_ids:
        return None
    sent = dict(
        OutgoingMessage.objects.filter(
            message_id__in=[f"<{ref}>" for ref in thread_ids], object_type=OBJECT_TYPE
        ).values_list("message_id", "object_id")
    )
    received = dict(
        InboundMessage.objects.filter(message_key__in=thread_ids, object_type=OBJECT_TYPE).values_list(
            "message_key", "object_id"
        )
    )
    for ref in thread_ids:  # nearest first
        pk = received.get(ref) or sent.get(f"<{ref}>")
        if pk:
            return int(pk)
    return None


def target(message: extensions.IntakeMessage) -> Change | None:
    """The change `message` answers, or None."""
    for pk in (_by_headers(message.thread_ids), change_number_in(message.subject)):
        if pk is not None:
            found = Change.objects.filter(pk=pk).first()
            if found is not None:
                return found
    return None


def register(message: extensions.IntakeMessage) -> extensions.Handled:
    change = services.submit_change_request_from_mail(
        actor=intake_actor(),
        sender=message.sender,
        sender_name=message.sender_name,
        requester=message.person,
        subject=message.subject,
        text=message.body_text,
        message_id=message.message_id,
    )
    return extensions.Handled(OBJECT_TYPE, change.pk)


def reply(message: extensions.IntakeMessage) -> extensions.Handled | None:
    change = target(message)
    if change is None:
        return None
    services.record_mail_on_change(
        change,
        actor=intake_actor(),
        person=message.person,
        sender=message.sender,
        sender_name=message.sender_name,
        subject=message.subject,
        text=message.text,
    )
    return extensions.Handled(OBJECT_TYPE, change.pk)


KIND = extensions.IntakeKind(CHANGE_REQUEST, _("Change requests"), register=register, reply=reply)
