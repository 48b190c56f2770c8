"""Meldingen from mailboxes: each received message becomes a melding, a reply, ignored, or a dead letter.

Exactly once. `process_message` first inserts an `InboundMessage` row with the message key (the
Message-ID, or a hash of the raw bytes) under a unique constraint, then in the same transaction
writes the melding or reply. `polling.poll_mailbox` moves or flags a message on the server only after
that transaction committed. A crash before the commit leaves the message unacknowledged and nothing
written: it is read again. A crash after the commit but before the move makes the next poll read it
again, find the key and only acknowledge it. So no message is lost and none is registered twice.

Who acts. Meldingen from mail are registered by a built-in person, "E-mail intake" (username
`beheer-mail-intake`, an operator without a usable password that cannot sign in), created on first
use. It sets the caller (a known person by address, or an unregistered caller with name and address),
the mailbox's category, operator group and call type, or those of the first matching rule. Replies:

- from the melding's caller: a reply by the caller (as that person when registered);
- from an operator (an active staff member with that address): a reply by that operator, visible to
  the caller (the operator answered a notification by e-mail);
- from anybody else: an internal note with the sender, never shown to the caller;
- to a closed melding: a new melding, linked to the closed one (an operator's mail to a closed
  melding goes to the dead letters instead).

Bounded work and isolated failures. A message past a size or complexity limit (`email_in.parse.Limits`:
its size, lines, MIME parts, and the size, depth, elements and attributes of its HTML) is a dead
letter with a reason that says which limit, before any costly step. A message whose processing
raises anything (a bug, a database error on that message) is a dead letter with the error; only
when even the dead letter cannot be written does the poll of that mailbox stop, leaving the
message on the server for the next poll (`polling.py` reads the mailboxes).

Other kinds. A mailbox may register another kind of request than meldingen (`Mailbox.registers`,
the kinds an app above registers in `extensions`: change requests). Each new message there goes to
that kind; a reply on one of its records (its number in the subject, or the headers of its mail) is
taken from any mailbox, in a melding mailbox only when the message answers no melding. The
exactly-once claim, the rate limit, the noise filter and the dead letters are the same; the
`InboundMessage` row keeps the record it became (`object_type`, `object_id`).

Noise: auto-replies, bulk mail, loops and our own messages are ignored; a bounce is recorded against
the notification that bounced. Rate limit: when one address already had `rate_limit_count` new
meldingen within `rate_limit_minutes` (per mailbox settings, 0 switches it off), further new meldingen
from it go to the dead letters with reason "rate-limited", where a person can still turn them into a
melding. Replies are never rate-limited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from beheer.accounts import services as accounts
from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.notifications import services as notification_services
from beheer.notifications.models import MailServer, OutgoingMessage
from beheer.servicedesk.models import Category, EntryType, Melding, Note, Visibility
from beheer.servicedesk.services import (
    BRIEF_MAX,
    TEXT_MAX,
    add_attachment,
    add_note,
    add_unregistered_caller_reply,
    link_to_closed_melding,
    open_melding,
)

from .. import extensions
from ..email_in import parse as email_parse
from ..email_in.parse import BOUNCE, ParsedMessage, ParseFailure, parse_message
from ..models import (
    MAX_RAW_BYTES,
    DeadLetter,
    DeadLetterStatus,
    InboundMessage,
    Mailbox,
    MailRule,
    Outcome,
)

logger = logging.getLogger(__name__)

INTAKE_USERNAME: Final = "beheer-mail-intake"
DUPLICATE: Final = "duplicate"

# Dead-letter reasons besides the parser's (empty, no-headers, no-sender, unreadable).
REASON_RATE_LIMITED: Final = "rate-limited"
REASON_REJECTED: Final = "rejected"  # a rule of the servicedesk refused it (the detail says which)
REASON_CLOSED: Final = "melding-closed"
REASON_ERROR: Final = "error"

MAX_THREAD_IDS: Final = 50


@dataclass(frozen=True)
class Result:
    outcome: str  # an Outcome value, or DUPLICATE
    inbound_id: int | None = None
    melding_id: int | None = None


# --------------------------------------------------------------------------------------------------
# who acts, what is ours


def intake_actor() -> User:
    """The built-in operator that registers meldingen from mail; it cannot sign in."""
    return accounts.service_user(INTAKE_USERNAME, first_name="E-mail", last_name="intake")


@dataclass(frozen=True)
class Identity:
    """What identifies our own mail: the addresses we send from and the Message-ID domain."""

    addresses: frozenset[str]
    message_id_domain: str | None


def own_identity() -> Identity:
    addresses = {str(settings.DEFAULT_FROM_EMAIL).strip().lower()}
    server = MailServer.objects.filter(pk=1).only("from_address").first()
    if server is not None and server.from_address:
        addresses.add(server.from_address.strip().lower())
    for username in Mailbox.objects.values_list("username", flat=True):
        if "@" in username:
            addresses.add(username.strip().lower())
    domain = urlsplit(str(getattr(settings, "SITE_URL", ""))).hostname
    return Identity(frozenset(a for a in addresses if a), domain.lower() if domain else None)


def limits() -> email_parse.Limits:
    """The parser's limits; a message may be as large as two attachments of the largest size,
    unless the administrator set a size (BEHEER_MAIL_MAX_MESSAGE_MB)."""
    largest = 2 * int(settings.MAX_ATTACHMENT_BYTES) + 10 * 1024 * 1024
    default = email_parse.DEFAULT_LIMITS
    configured = int(getattr(settings, "MAIL_MAX_MESSAGE_BYTES", 0) or 0)
    return email_parse.Limits(
        max_message_bytes=configured or max(default.max_message_bytes, largest),
        max_lines=default.max_lines,
        max_mime_parts=default.max_mime_parts,
        max_multiparts=default.max_multiparts,
        max_html_chars=default.max_html_chars,
        max_html_depth=default.max_html_depth,
        max_html_elements=default.max_html_elements,
        max_html_attributes=default.max_html_attributes,
    )


def parse(raw: bytes, *, identity: Identity | None = None) -> ParsedMessage | ParseFailure:
    identity = identity or own_identity()
    return parse_message(
        raw,
        max_attachment_bytes=int(settings.MAX_ATTACHMENT_BYTES),
        own_addresses=identity.addresses,
        own_message_id_domain=identity.message_id_domain,
        limits=limits(),
    )


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def failure_detail(failure: ParseFailure) -> str:
    """What a person reads on the dead letter: for a limit, which one and by how much."""
    templates = {
        email_parse.FAILURE_TOO_LARGE: _(
            "The message is %(found)s bytes; at most %(limit)s bytes are accepted."
        ),
        email_parse.FAILURE_TOO_MANY_LINES: _(
            "The message has %(found)s lines; at most %(limit)s are accepted."
        ),
        email_parse.FAILURE_TOO_MANY_PARTS: _(
            "The message has %(found)s MIME parts; at most %(limit)s are accepted."
        ),
        email_parse.FAILURE_MIME_TOO_NESTED: _(
            "The message has %(found)s multipart sections; at most %(limit)s are accepted."
        ),
        email_parse.FAILURE_HTML_TOO_LARGE: _(
            "The HTML text has %(found)s characters; at most %(limit)s are accepted."
        ),
        email_parse.FAILURE_HTML_TOO_DEEP: _(
            "The HTML is nested more than %(limit)s elements deep; it was not processed further."
        ),
        email_parse.FAILURE_HTML_TOO_MANY_ELEMENTS: _(
            "The HTML has more than %(limit)s elements; it was not processed further."
        ),
        email_parse.FAILURE_HTML_TOO_MANY_ATTRIBUTES: _(
            "An HTML element has %(found)s attributes; at most %(limit)s are accepted."
        ),
    }
    template = templates.get(failure.reason)
    if template is None:
        return failure.detail
    return template % {"found": _number(failure.found), "limit": _number(failure.limit)}


# --------------------------------------------------------------------------------------------------
# one message


def process_message(
    mailbox: Mailbox,
    raw: bytes,
    *,
    uid: int | None = None,
    identity: Identity | None = None,
    now: datetime | None = None,
) -> Result:
    """Record one message exactly once and turn it into a melding, a reply, ignored or a dead letter.

    Commits before it returns; a message already recorded (by key) returns DUPLICATE and changes
    nothing. Whatever goes wrong while the message is processed makes it a dead letter with the
    error; only an error while recording it (the database is unreachable, say) propagates, and the
    message stays on the server to be read again.
    """
    try:
        parsed = parse(raw, identity=identity)
    except Exception as exc:  # the parser never raises; reading our own identity might
        logger.exception("Parsing a message failed")
        parsed = ParseFailure(email_parse.FAILURE_UNREADABLE, error_text(exc), _safe_key(raw))
    now = now or clock.now()
    sender, subject = parsed.sender, parsed.subject
    with transaction.atomic():
        inbound = _claim(mailbox, parsed.message_key, uid=uid, now=now, sender=sender, subject=subject)
        if inbound is None:
            return Result(DUPLICATE)
        if isinstance(parsed, ParseFailure):
            detail = failure_detail(parsed)
            _dead_letter(mailbox, raw, inbound, reason=parsed.reason, detail=detail, now=now)
            return Result(Outcome.DEAD_LETTER, inbound.pk)
        try:
            with transaction.atomic():
                return _apply(mailbox, parsed, inbound, now=now, check_rate=True)
        except _DeadLetter as exc:
            _dead_letter(mailbox, raw, inbound, reason=exc.reason, detail=exc.detail, now=now)
        except DomainError as exc:
            _dead_letter(mailbox, raw, inbound, reason=REASON_REJECTED, detail=exc.message, now=now)
        except Exception as exc:  # a bug or a database error on this message: keep it for a person
            logger.exception("Mail intake failed on %s", parsed.message_key)
            _dead_letter(mailbox, raw, inbound, reason=REASON_ERROR, detail=error_text(exc), now=now)
        return Result(Outcome.DEAD_LETTER, inbound.pk)


def record_oversized(
    mailbox: Mailbox, header: bytes, *, size: int, limit: int, uid: int | None = None
) -> Result:
    """A message larger than the limit, known by its size and header section only (the body was
    never downloaded): a dead letter that says so, exactly once (by key)."""
    key, sender, subject = email_parse.header_facts(header)
    failure = ParseFailure(
        email_parse.FAILURE_TOO_LARGE,
        f"{email_parse.FAILURE_TOO_LARGE}: {size} > {limit}",
        key,
        limit=limit,
        found=size,
        sender=sender,
        subject=subject,
    )
    now = clock.now()
    with transaction.atomic():
        inbound = _claim(mailbox, key, uid=uid, now=now, sender=sender, subject=subject)
        if inbound is None:
            return Result(DUPLICATE)
        detail = failure_detail(failure) + " " + str(_("Only its header section was read."))
        letter = _dead_letter(mailbox, header, inbound, reason=failure.reason, detail=detail, now=now)
        DeadLetter.objects.filter(pk=letter.pk).update(raw_size=size, truncated=True)
    return Result(Outcome.DEAD_LETTER, inbound.pk)


def _claim(
    mailbox: Mailbox | None, key: str, *, uid: int | None, now: datetime, sender: str = "", subject: str = ""
) -> InboundMessage | None:
    """Record that a message was received, once per key (the exactly-once guard): the new row,
    counted as a dead letter until its outcome is written in the caller's transaction; None when the
    key was recorded before."""
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                mailbox=mailbox,
                message_key=key,
                uid=uid,
                received_at=now,
                sender=sender[:254],
                subject=subject[:255],
                outcome=Outcome.DEAD_LETTER,
            )
    except IntegrityError:
        return None


def error_text(exc: BaseException) -> str:
    return (f"{type(exc).__name__}: {exc}".replace("\x00", ""))[:2000]


def _safe_key(raw: bytes) -> str:
    """The message key from the headers alone (the Message-ID), else a hash of the bytes."""
    try:
        return email_parse.header_key(raw)
    except Exception:  # hostile headers: the bytes identify the message
        return email_parse.hash_key(raw)


def record_failure(
    mailbox: Mailbox | None, raw: bytes, exc: BaseException, *, uid: int | None = None
) -> Result:
    """A message whose processing raised outside `process_message`'s own handling: a dead letter
    in a transaction of its own, exactly once (by key). Raises when even that cannot be written."""
    now = clock.now()
    with transaction.atomic():
        inbound = _claim(mailbox, _safe_key(raw), uid=uid, now=now)
        if inbound is None:
            return Result(DUPLICATE)
        _dead_letter(mailbox, raw, inbound, reason=REASON_ERROR, detail=error_text(exc), now=now)
    return Result(Outcome.DEAD_LETTER, inbound.pk)


class _DeadLetter(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _dead_letter(
    mailbox: Mailbox | None, raw: bytes, inbound: InboundMessage, *, reason: str, detail: str, now: datetime
) -> DeadLetter:
    InboundMessage.objects.filter(pk=inbound.pk).update(outcome=Outcome.DEAD_LETTER, ignore_reason=reason)
    return DeadLetter.objects.create(
        mailbox=mailbox,
        inbound=inbound,
        raw=bytes(raw[:MAX_RAW_BYTES]),
        raw_size=len(raw),
        truncated=len(raw) > MAX_RAW_BYTES,
        sender=inbound.sender,
        subject=inbound.subject,
        reason=reason[:40],
        detail=detail[:5000],
        created_at=now,
    )


def _apply(
    mailbox: Mailbox | None,
    parsed: ParsedMessage,
    inbound: InboundMessage,
    *,
    now: datetime,
    check_rate: bool,
) -> Result:
    """Decide and write; raises _DeadLetter or DomainError to send the message to the dead letters."""
    if parsed.ignore_reason:
        if parsed.ignore_reason == BOUNCE and parsed.bounce_message_id:
            detail = parsed.subject or parsed.reply_text[:200]
            notification_services.record_bounce(parsed.bounce_message_id, detail=detail)
        InboundMessage.objects.filter(pk=inbound.pk).update(
            outcome=Outcome.IGNORED, ignore_reason=parsed.ignore_reason[:40]
        )
        return Result(Outcome.IGNORED, inbound.pk)

    person = _person_for(parsed.sender)
    registers = mailbox.registers if mailbox is not None else extensions.MELDING
    if registers != extensions.MELDING:
        return _other_kind(mailbox, registers, parsed, inbound, person, now=now, check_rate=check_rate)
    melding = _thread_target(parsed, person)
    if melding is not None and melding.closed_at is not None:
        if person is not None and person.is_staff_member:
            raise _DeadLetter(
                REASON_CLOSED,
                _("Call %(number)s is closed; an operator's mail cannot be added to it.")
                % {"number": melding.number},
            )
        new = _new_melding(mailbox, parsed, person, now=now, check_rate=check_rate)
        link_to_closed_melding(new, closed=melding, actor=intake_actor(), now=now)
        return _done(inbound, Outcome.MELDING, new, None)
    if melding is not None:
        note = _reply(melding, parsed, person, now=now)
        actor, visible = _attachment_actor(melding, parsed, person)
        _store_attachments(melding, parsed, actor=actor, visible=visible)
        return _done(inbound, Outcome.REPLY, melding, note)
    for other in extensions.kinds():  # a reply on a change request, say, that reached this mailbox
        handled = other.reply(_intake_message(mailbox, parsed, person, now=now))
        if handled is not None:
            return _done_other(inbound, Outcome.OTHER_REPLY, handled)
    new = _new_melding(mailbox, parsed, person, now=now, check_rate=check_rate)
    return _done(inbound, Outcome.MELDING, new, None)


def _other_kind(
    mailbox: Mailbox | None,
    code: str,
    parsed: ParsedMessage,
    inbound: InboundMessage,
    person: User | None,
    *,
    now: datetime,
    check_rate: bool,
) -> Result:
    """A message in a mailbox that registers another kind (`extensions`): a reply on one of its
    records, else a new one (rate-limited like new meldingen)."""
    kind = extensions.kind(code)
    if kind is None:
        raise _DeadLetter(
            REASON_REJECTED,
            _("This mailbox registers %(kind)s, which this installation does not know.") % {"kind": code},
        )
    message = _intake_message(mailbox, parsed, person, now=now)
    handled = kind.reply(message)
    if handled is not None:
        return _done_other(inbound, Outcome.OTHER_REPLY, handled)
    if check_rate:
        _check_rate(mailbox, parsed.sender, now=now)
    return _done_other(inbound, Outcome.OTHER_NEW, kind.register(message))


def _intake_message(
    mailbox: Mailbox | None, parsed: ParsedMessage, person: User | None, *, now: datetime
) -> extensions.IntakeMessage:
    return extensions.IntakeMessage(
        message_key=parsed.message_key,
        message_id=parsed.message_id,
        thread_ids=tuple(parsed.thread_ids[:MAX_THREAD_IDS]),
        sender=parsed.sender,
        sender_name=parsed.sender_name,
        subject=parsed.subject,
        text=_message_text(parsed),
        body_text=(parsed.body_text or "").replace("\x00", "")[:TEXT_MAX],
        person=person,
        mailbox_name=mailbox.name if mailbox is not None else "",
        received_at=now,
    )


def _done_other(inbound: InboundMessage, outcome: str, handled: extensions.Handled) -> Result:
    InboundMessage.objects.filter(pk=inbound.pk).update(
        outcome=outcome, object_type=handled.object_type[:40], object_id=handled.object_id, ignore_reason=""
    )
    return Result(outcome, inbound.pk)


def _done(inbound: InboundMessage, outcome: str, melding: Melding, note: Note | None) -> Result:
    InboundMessage.objects.filter(pk=inbound.pk).update(
        outcome=outcome, melding=melding, note=note, ignore_reason=""
    )
    return Result(outcome, inbound.pk, melding.pk)


def _person_for(address: str) -> User | None:
    if not address:
        return None
    return User.objects.filter(email__iexact=address, is_active=True).order_by("id").first()


def _thread_target(parsed: ParsedMessage, person: User | None) -> Melding | None:
    """The melding a message answers: by its headers (mail we sent or received), then by the subject."""
    found: Melding | None = None
    ids = list(parsed.thread_ids[:MAX_THREAD_IDS])
    if ids:
        received = dict(
            InboundMessage.objects.filter(message_key__in=ids, melding__isnull=False).values_list(
                "message_key", "melding_id"
            )
        )
        sent = dict(
            OutgoingMessage.objects.filter(
                message_id__in=[f"<{ref}>" for ref in ids], object_type="servicedesk.melding"
            ).values_list("message_id", "object_id")
        )
        for ref in ids:  # nearest first
            pk = received.get(ref) or sent.get(f"<{ref}>")
            if pk:
                found = Melding.objects.filter(pk=pk).first()
                if found is not None:
                    break
    if found is None and parsed.melding_number:
        found = Melding.objects.filter(pk=parsed.melding_number).first()
    if found is not None and found.parent_id is not None and not (person and person.is_staff_member):
        found = Melding.objects.filter(pk=found.parent_id).first()  # callers never see partials
    return found


def _is_caller(melding: Melding, address: str, person: User | None) -> bool:
    if person is not None and melding.caller_id == person.pk:
        return True
    if melding.caller_id is None and melding.caller_email:
        return melding.caller_email.strip().lower() == address
    return False


def _message_text(parsed: ParsedMessage) -> str:
    text = (parsed.reply_text or parsed.body_text or "").replace("\x00", "").strip()
    return text[:TEXT_MAX] or _("(The e-mail has no text.)")


def _reply(melding: Melding, parsed: ParsedMessage, person: User | None, *, now: datetime) -> Note:
    text = _message_text(parsed)
    if person is not None and person.is_staff_member:
        return add_note(melding, text=text, visibility=Visibility.CALLER, actor=person)
    if _is_caller(melding, parsed.sender, person):
        if person is not None:
            return add_note(melding, text=text, visibility=Visibility.CALLER, actor=person)
        return add_unregistered_caller_reply(melding, text=text, address=parsed.sender, now=now)
    who = f"{parsed.sender_name} <{parsed.sender}>" if parsed.sender_name else parsed.sender
    note_text = _("E-mail from %(sender)s (not the caller):") % {"sender": who} + "\n\n" + text
    return add_note(melding, text=note_text[:TEXT_MAX], visibility=Visibility.INTERNAL, actor=intake_actor())


def _routing(mailbox: Mailbox | None, parsed: ParsedMessage) -> tuple[Category | None, OperatorGroup | None]:
    category = mailbox.default_category if mailbox else None
    group = mailbox.default_operator_group if mailbox else None
    if mailbox is not None:
        for rule in MailRule.objects.filter(mailbox=mailbox).select_related("category", "operator_group"):
            if rule.matches(sender=parsed.sender, subject=parsed.subject):
                category = rule.category or category
                group = rule.operator_group or group
                break
    return category, group


def _check_rate(mailbox: Mailbox | None, sender: str, *, now: datetime) -> None:
    if mailbox is None or not mailbox.rate_limit_count or not mailbox.rate_limit_minutes:
        return
    since = now - timedelta(minutes=mailbox.rate_limit_minutes)
    recent = InboundMessage.objects.filter(
        sender=sender[:254], outcome__in=(Outcome.MELDING, Outcome.OTHER_NEW), received_at__gte=since
    ).count()
    if recent >= mailbox.rate_limit_count:
        raise _DeadLetter(
            REASON_RATE_LIMITED,
            _("%(sender)s sent %(count)d new calls within %(minutes)d minutes.")
            % {"sender": sender, "count": recent, "minutes": mailbox.rate_limit_minutes},
        )


def _brief(parsed: ParsedMessage) -> str:
    brief = " ".join(parsed.subject.split())
    if not brief:
        first = next((line.strip() for line in parsed.body_text.splitlines() if line.strip()), "")
        brief = first or _("E-mail without subject")
    return brief[:BRIEF_MAX]


def _new_melding(
    mailbox: Mailbox | None, parsed: ParsedMessage, person: User | None, *, now: datetime, check_rate: bool
) -> Melding:
    if check_rate:
        _check_rate(mailbox, parsed.sender, now=now)
    category, group = _routing(mailbox, parsed)
    actor = intake_actor()
    melding = open_melding(
        actor=actor,
        brief_description=_brief(parsed),
        request=(parsed.body_text or "").replace("\x00", "")[:TEXT_MAX],
        entry_type=EntryType.EMAIL,
        call_type=mailbox.default_call_type if mailbox else None,
        caller=person,
        caller_name="" if person else (parsed.sender_name or parsed.sender)[:150],
        caller_email="" if person else parsed.sender[:254],
        category=category,
        operator_group=group,
        now=now,
    )
    _store_attachments(melding, parsed, actor=actor, visible=True)
    return melding


def _attachment_actor(melding: Melding, parsed: ParsedMessage, person: User | None) -> tuple[User, bool]:
    """Who adds a reply's attachments, and whether the caller may see them (not a stranger's)."""
    if person is not None and (person.is_staff_member or _is_caller(melding, parsed.sender, person)):
        return person, True
    return intake_actor(), _is_caller(melding, parsed.sender, None)


def _store_attachments(melding: Melding, parsed: ParsedMessage, *, actor: User, visible: bool) -> None:
    """Attachments and inline images; what cannot be stored is listed in an internal note."""
    skipped: list[str] = []
    for attachment in parsed.attachments:
        if attachment.size == 0:
            skipped.append(_("%(name)s: empty") % {"name": attachment.filename})
            continue
        if attachment.type_mismatch:
            skipped.append(
                _("%(name)s: the content is %(type)s, not what the name says")
                % {"name": attachment.filename, "type": attachment.sniffed_type}
            )
            continue
        upload = SimpleUploadedFile(attachment.filename, attachment.content, attachment.sniffed_type)
        try:
            add_attachment(melding, upload=upload, actor=actor, visible_to_caller=visible)
        except DomainError as exc:
            if "file" not in exc.field_errors:
                raise
            # the shared upload check refused the file (a program, an image that is none): noted
            skipped.append(f"{attachment.filename}: {exc.message}")
    for skip in parsed.skipped_attachments:
        skipped.append(f"{skip.filename}: {skip.reason}")
    if skipped:
        text = _("Not stored from the e-mail:") + "\n" + "\n".join(f"- {line}" for line in skipped[:100])
        add_note(melding, text=text[:TEXT_MAX], visibility=Visibility.INTERNAL, actor=intake_actor())


# --------------------------------------------------------------------------------------------------
# dead letters


def _lock_open(dead_letter: DeadLetter) -> DeadLetter:
    fresh = (
        DeadLetter.objects.select_for_update(of=("self",))
        .select_related("mailbox", "inbound")
        .get(pk=dead_letter.pk)
    )
    if fresh.status != DeadLetterStatus.OPEN:
        raise Conflict(_("This dead letter was already handled."))
    return fresh


def _resolve(dl: DeadLetter, *, status: str, actor: User, melding: Melding | None) -> None:
    dl.status = status
    dl.resolved_at = clock.now()
    dl.resolved_by = actor
    dl.melding = melding
    dl.save(update_fields=["status", "resolved_at", "resolved_by", "melding"])


@transaction.atomic
def retry_dead_letter(dead_letter: DeadLetter, *, actor: User) -> Result:
    """Process the kept message again (after a fix, or a rate limit a person lifts); operators."""
    if not actor.is_staff_member:
        raise PermissionDenied(_("Only operators may do this."))
    dl = _lock_open(dead_letter)
    if dl.truncated:
        raise DomainError(
            _("Only part of this message was kept (it was too large), so it cannot be processed again.")
        )
    raw = bytes(dl.raw)
    parsed = parse(raw)
    if isinstance(parsed, ParseFailure):
        detail = failure_detail(parsed)
        raise DomainError(_("The message still cannot be read: %(detail)s") % {"detail": detail})
    inbound = dl.inbound
    if inbound is None:
        inbound = InboundMessage.objects.create(
            mailbox=dl.mailbox,
            message_key=f"retry:{dl.pk}",
            received_at=clock.now(),
            outcome=Outcome.DEAD_LETTER,
        )
    try:
        result = _apply(dl.mailbox, parsed, inbound, now=clock.now(), check_rate=False)
    except _DeadLetter as exc:
        raise DomainError(exc.detail) from exc
    melding = Melding.objects.filter(pk=result.melding_id).first() if result.melding_id else None
    _resolve(dl, status=DeadLetterStatus.RETRIED, actor=actor, melding=melding)
    return result


@transaction.atomic
def convert_dead_letter_to_melding(
    dead_letter: DeadLetter, *, brief_description: str, actor: User
) -> Melding:
    """An operator registers the message as a melding by hand (the raw text becomes the request)."""
    if not actor.is_staff_member:
        raise PermissionDenied(_("Only operators may do this."))
    dl = _lock_open(dead_letter)
    raw = bytes(dl.raw)
    parsed = parse(raw)
    if isinstance(parsed, ParsedMessage):
        person = _person_for(parsed.sender)
        request = parsed.body_text or raw.decode("utf-8", "replace")
        name, address = parsed.sender_name or parsed.sender, parsed.sender
    else:
        person = _person_for(dl.sender)
        request = raw.decode("utf-8", "replace")
        name, address = dl.sender or _("Unknown sender"), dl.sender
    melding = open_melding(
        actor=actor,
        brief_description=brief_description,
        request=request.replace("\x00", "")[:TEXT_MAX],
        entry_type=EntryType.EMAIL,
        call_type=dl.mailbox.default_call_type if dl.mailbox else None,
        caller=person,
        caller_name="" if person else name[:150],
        caller_email="" if person else address[:254],
        category=dl.mailbox.default_category if dl.mailbox else None,
        operator_group=dl.mailbox.default_operator_group if dl.mailbox else None,
    )
    if isinstance(parsed, ParsedMessage):
        _store_attachments(melding, parsed, actor=actor, visible=True)
    if dl.inbound_id:
        InboundMessage.objects.filter(pk=dl.inbound_id).update(melding=melding)
    _resolve(dl, status=DeadLetterStatus.CONVERTED, actor=actor, melding=melding)
    return melding


@transaction.atomic
def discard_dead_letter(dead_letter: DeadLetter, *, actor: User) -> None:
    """Coordinators and administrators throw a dead letter away (it stays listed as discarded)."""
    if not actor.is_coordinator:
        raise PermissionDenied(_("Only coordinators and administrators may discard dead letters."))
    dl = _lock_open(dead_letter)
    _resolve(dl, status=DeadLetterStatus.DISCARDED, actor=actor, melding=None)
