"""Removing personal data from the mail intake's records (AVG), called by the security app's
retention job and erasure requests inside their transactions.

The message key stays (it keeps the intake exactly-once); a key that holds a removed e-mail address
becomes its hash, which no future message can collide with."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime

from django.db.models import Q

from beheer.servicedesk.models import Note

from ..models import DeadLetter, InboundMessage


def _hashed_key(key: str) -> str:
    return "anon:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def anonymise_messages(
    *,
    melding_ids: Sequence[int],
    note_ids: Sequence[int],
    redact: Callable[[int], Callable[[str], str]],
    emails: Callable[[int], frozenset[str]],
) -> int:
    """The received messages that became the meldingen `melding_ids` or their notes `note_ids`, and
    the dead letters turned into those meldingen: sender gone, subject cleaned (`redact(melding_id)`),
    raw source of a dead letter removed. Returns the number of rows changed."""
    if not melding_ids and not note_ids:
        return 0
    changed = 0
    rows = InboundMessage.objects.filter(Q(melding_id__in=melding_ids) | Q(note_id__in=note_ids))
    note_melding = {}
    if note_ids:
        note_melding = dict(Note.objects.filter(pk__in=note_ids).values_list("pk", "melding_id"))
    updates: list[InboundMessage] = []
    for pk, melding_id, note_id, key, sender, subject in rows.values_list(
        "pk", "melding_id", "note_id", "message_key", "sender", "subject"
    ):
        owner = melding_id or note_melding.get(note_id)
        if owner is None:
            continue
        addresses = emails(owner)
        new_key = _hashed_key(key) if any(a and a in key.lower() for a in addresses) else key
        new_subject = redact(owner)(subject)
        if (new_key, new_subject, "") != (key, subject, sender):
            updates.append(InboundMessage(pk=pk, message_key=new_key, sender="", subject=new_subject))
    if updates:
        InboundMessage.objects.bulk_update(updates, ["message_key", "sender", "subject"], batch_size=500)
    changed += len(updates)
    letters = DeadLetter.objects.filter(melding_id__in=melding_ids)
    for pk, melding_id, subject, detail in letters.values_list("pk", "melding_id", "subject", "detail"):
        clean = redact(melding_id)
        changed += DeadLetter.objects.filter(pk=pk).update(
            raw=b"", sender="", subject=clean(subject)[:255], detail=clean(detail)
        )
    return changed


def expire_messages(*, before: datetime, batch: int = 2000) -> int:
    """Received messages and dead letters older than `before`: sender and subject emptied, the raw
    source of a dead letter removed. At most `batch` rows of each per call (the caller repeats until
    it returns 0); each call is short, so a stopped job loses nothing."""
    ids = list(
        InboundMessage.objects.filter(received_at__lt=before)
        .exclude(sender="", subject="")
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    done = InboundMessage.objects.filter(pk__in=ids).update(sender="", subject="") if ids else 0
    letters = list(
        DeadLetter.objects.filter(created_at__lt=before)
        .exclude(sender="", subject="", raw_size=0)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    if letters:
        done += DeadLetter.objects.filter(pk__in=letters).update(
            raw=b"", raw_size=0, sender="", subject="", detail=""
        )
    return done
