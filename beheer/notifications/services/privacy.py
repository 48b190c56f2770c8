"""Removing personal data from the outbox (AVG), for the security app's retention job and erasure
requests: the messages about given objects, or to given addresses, keep their event, status and
times (the counts stay) but lose what names the person."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

from django.db.models import Q

from ..models import OutgoingMessage


def redact_messages(
    *,
    object_type: str,
    object_ids: Sequence[int],
    recipients: Iterable[str],
    recipient_user_ids: Sequence[int] = (),
    redact: Callable[[int | None], Callable[[str], str]],
) -> int:
    """Messages about the objects `object_ids` of `object_type`, or to one of `recipients` (e-mail
    addresses) or `recipient_user_ids`: subject and texts cleaned with `redact(object_id)`, the
    recipient's address and the headers removed when it is one of `recipients` or the person.
    Returns the number of messages changed."""
    addresses = {r.strip().lower() for r in recipients if r}
    condition = Q(object_type=object_type, object_id__in=list(object_ids)) if object_ids else Q(pk__in=[])
    if addresses:
        condition |= Q(recipient__in=addresses)
        for address in addresses:
            condition |= Q(recipient__iexact=address)
    if recipient_user_ids:
        condition |= Q(recipient_user_id__in=list(recipient_user_ids))
    changed: list[OutgoingMessage] = []
    rows = OutgoingMessage.objects.filter(condition).values_list(
        "pk",
        "key",
        "object_type",
        "object_id",
        "recipient",
        "recipient_user_id",
        "subject",
        "body_text",
        "body_html",
    )
    people = set(recipient_user_ids)
    for pk, key, kind, object_id, recipient, user_id, subject, text, html in rows.iterator(chunk_size=500):
        clean = redact(object_id if kind == object_type else None)
        to_person = (
            recipient.lower() in addresses
            or (user_id is not None and user_id in people)
            or clean(recipient) != recipient
        )
        if clean(key) != key or any(a in key.lower() for a in addresses | _addresses(recipient, to_person)):
            key = "anon:" + hashlib.sha256(key.encode()).hexdigest()
        new = OutgoingMessage(
            pk=pk,
            key=key,
            recipient="" if to_person else recipient,
            subject=clean(subject)[:255],
            body_text=clean(text),
            body_html=clean(html),
            headers={},
        )
        changed.append(new)
    if changed:
        OutgoingMessage.objects.bulk_update(
            changed, ["key", "recipient", "subject", "body_text", "body_html", "headers"], batch_size=200
        )
    return len(changed)


def _addresses(recipient: str, to_person: bool) -> set[str]:
    """The message's own address when it is the person's (a key names its recipient)."""
    return {recipient.strip().lower()} if to_person and recipient.strip() else set()
