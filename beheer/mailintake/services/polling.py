"""Reading the mailboxes: fetch new messages, record each through `intake.process_message`
(committed), then move or flag it on the server.

Each mailbox gets its share of the poll's time budget and a network timeout within it; one that
cannot be reached or refuses the sign-in gets its error recorded on its page, and the next mailbox
is read. Nothing is acknowledged on the server before it is recorded, so a crash means a re-read,
never a lost or duplicated melding.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from django.db import DatabaseError

from beheer.core import clock
from beheer.core.errors import DomainError

from ..email_in.imap import ImapClient, ImapError
from ..models import AfterProcessing, Mailbox
from .intake import (
    Identity,
    error_text,
    limits,
    own_identity,
    process_message,
    record_failure,
    record_oversized,
)
from .mailboxes import IMAP_MIN_TIMEOUT_SECONDS, IMAP_TIMEOUT_SECONDS, connect

logger = logging.getLogger(__name__)

PROCESSED_KEYWORD: Final = "$BeheerProcessed"
MAX_BATCH: Final = 500
TIME_BUDGET_SECONDS: Final = 50.0
MIN_MAILBOX_SECONDS: Final = 2.0  # the least time a mailbox gets, however many there are


@dataclass
class PollReport:
    counts: Counter[str] = field(default_factory=Counter)
    error: str = ""
    remaining: int = 0  # messages left for the next poll (batch size or time budget reached)

    @property
    def processed(self) -> int:
        return sum(self.counts.values())


def poll_mailbox(
    mailbox: Mailbox,
    *,
    max_messages: int = MAX_BATCH,
    time_budget: float = TIME_BUDGET_SECONDS,
    client: ImapClient | None = None,
) -> PollReport:
    """Read new messages, process each (committed), then move or flag it on the server.

    No new message is fetched once `time_budget` seconds have passed (the rest waits for the next
    poll; nothing is acknowledged before it is recorded, so nothing is lost or registered twice),
    and every network operation times out within the budget. Never raises: a failure is the
    report's error, recorded on the mailbox.
    """
    report = PollReport()
    started = time.monotonic()
    imap: ImapClient | None = client
    try:
        identity = own_identity()
        if imap is None:
            timeout = min(IMAP_TIMEOUT_SECONDS, max(IMAP_MIN_TIMEOUT_SECONDS, time_budget))
            imap = connect(mailbox, timeout=timeout)
        _read_messages(
            mailbox,
            imap,
            report,
            started=started,
            max_messages=max_messages,
            budget=time_budget,
            identity=identity,
        )
    except (ImapError, DomainError) as exc:
        report.error = str(exc)[:2000]
    except Exception as exc:  # anything else: recorded on the mailbox, the other mailboxes go on
        logger.exception("Polling mailbox %s failed", mailbox.pk)
        report.error = error_text(exc)
    finally:
        if client is None and imap is not None:
            imap.logout()
    try:
        _record_poll(mailbox, error=report.error)
    except DatabaseError:
        logger.exception("Could not record the poll of mailbox %s", mailbox.pk)
    return report


def _read_messages(
    mailbox: Mailbox,
    imap: ImapClient,
    report: PollReport,
    *,
    started: float,
    max_messages: int,
    budget: float,
    identity: Identity,
) -> None:
    move = mailbox.after_processing == AfterProcessing.MOVE
    if move:
        imap.ensure_folder(mailbox.processed_folder)
    after = mailbox.last_seen_uid if not move else 0
    state = imap.list_uids(mailbox.folder, unseen_only=False, after_uid=after)
    if state.uidvalidity != mailbox.uidvalidity:
        # The server renumbered the folder: remembered UIDs mean nothing, rescan it all (the unique
        # message key makes a re-read harmless).
        Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=state.uidvalidity, last_seen_uid=0)
        mailbox.uidvalidity, mailbox.last_seen_uid = state.uidvalidity, 0
        if after:
            state = imap.list_uids(mailbox.folder, unseen_only=False, after_uid=0)
    uids = state.uids
    # Sizes first: a message past the size limit is never downloaded, only its header section.
    largest = limits().max_message_bytes
    sizes = imap.sizes(uids[:max_messages])
    for index, uid in enumerate(uids):
        # The first message is always read, however slow the server was: every poll makes progress.
        if index >= max_messages or (index and time.monotonic() - started > budget):
            report.remaining = len(uids) - index
            break
        size = sizes.get(uid)
        if size is None:  # gone meanwhile (another poller moved it)
            continue
        oversized = size > largest
        raw = imap.fetch_header(uid) if oversized else imap.fetch(uid)
        if raw is None:
            continue
        try:
            if oversized:
                result = record_oversized(mailbox, raw, size=size, limit=largest, uid=uid)
            else:
                result = process_message(mailbox, raw, uid=uid, identity=identity)
        except Exception as exc:  # process_message could not even record it: try once more, alone
            logger.exception("Mail intake could not record message %s of mailbox %s", uid, mailbox.pk)
            result = record_failure(mailbox, raw, exc, uid=uid)  # raises: stop, read it again later
        if move:
            imap.move(uid, mailbox.processed_folder)
        else:
            _flag(imap, uid)
            Mailbox.objects.filter(pk=mailbox.pk, last_seen_uid__lt=uid).update(last_seen_uid=uid)
        report.counts[result.outcome] += 1


def wait_for_mail(mailbox: Mailbox, *, timeout: float) -> bool:
    """Wait up to `timeout` seconds with IMAP IDLE for a change in the mailbox's folder.

    True when the server reported one (poll now), False after the timeout. Without IDLE support, or
    when the connection fails, it sleeps the timeout and returns False (the caller polls as usual).
    """
    started = time.monotonic()
    try:
        imap = connect(mailbox)
        try:
            imap.select(mailbox.folder, readonly=True)
            if imap.supports_idle:
                return imap.idle(timeout)
        finally:
            imap.logout()
    except (ImapError, DomainError) as exc:
        logger.warning("IDLE on mailbox %s failed: %s", mailbox.name, exc)
    time.sleep(max(0.0, timeout - (time.monotonic() - started)))
    return False


def _flag(imap: ImapClient, uid: int) -> None:
    """Mark a processed message read, with our keyword when the server allows keywords."""
    try:
        imap.add_flags(uid, "\\Seen", PROCESSED_KEYWORD)
    except ImapError:  # no custom keywords on this server: \\Seen alone (the last UID is remembered)
        imap.add_flags(uid, "\\Seen")


def _record_poll(mailbox: Mailbox, *, error: str) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(last_poll_at=clock.now(), last_error=error)


def poll_mailboxes(*, time_budget: float = TIME_BUDGET_SECONDS) -> dict[str, PollReport]:
    """Poll every active mailbox once (the periodic job and `beheer poll_mail`).

    Each mailbox gets an equal share of what is left of `time_budget` (at least
    MIN_MAILBOX_SECONDS), so a mailbox that is slow, unreachable or full of mail cannot use up the
    time of the ones after it; time a mailbox leaves unused goes to the next. A mailbox's failure is
    recorded on it and the next one is read; mailboxes that failed last time are read last, and the
    longest unread first, so every mailbox gets its turn.
    """
    reports: dict[str, PollReport] = {}
    started = time.monotonic()
    boxes = list(Mailbox.objects.for_polling())
    for position, mailbox in enumerate(boxes):
        left = time_budget - (time.monotonic() - started)
        if left <= 0:
            break
        share = max(min(left, MIN_MAILBOX_SECONDS), left / (len(boxes) - position))
        reports[mailbox.name] = poll_mailbox(mailbox, time_budget=share)
    return reports
