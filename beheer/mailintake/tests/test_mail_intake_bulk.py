"""1,000 varied messages through a real dovecot: the right meldingen and replies, none twice, none lost.

Phase one: new meldingen (generated in several charsets, HTML-only, with attachments and inline
images; and the corpus's readable messages), replies that answer earlier messages by In-Reply-To,
auto-replies, bulk mail, loops, our own messages, bounces, unreadable messages and one sender over the
rate limit. Phase two, once the melding numbers are known: replies by the number in the subject and
to our acknowledgements, operators answering by mail, auto-replies and bounces of our mail, and
messages delivered a second time. The expected outcome of every message is decided when it is made.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import pytest

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.mailintake import services as mail_intake
from beheer.mailintake.email_in.parse import ParsedMessage, parse_message
from beheer.mailintake.email_in.tests import conftest as imap_fixtures
from beheer.mailintake.email_in.tests.conftest import Mailbox as Account
from beheer.mailintake.models import DeadLetter, InboundMessage, Outcome
from beheer.mailintake.services import DUPLICATE
from beheer.notifications.models import OutgoingMessage
from beheer.servicedesk.models import Melding, Note
from tests.helpers import make_person
from tests.mailserver import DovecotServer
from tests.sample_files import PDF, PNG

from .mail_helpers import (
    CORPUS,
    OWN_ADDRESS,
    OWN_SITE,
    make_mailbox,
    message,
    new_account,
    uniquify,
)

TOTAL = 1000
RATE_LIMIT = 20
EXPECTED_CORPUS = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "iso-8859-15"]
TEXTS = [
    "De printer in lokaal 2.14 geeft een papierstoring — graag hulp.",
    "Mijn wachtwoord is verlopen en ik kan niet inloggen op het leerlingportaal.",
    "Het digibord in de aula geeft geen beeld; café-zaal ook niet. €15 kabel?",
    "Übung: die Tastatur reagiert nicht. Ça ne marche pas.",
]

mailserver = imap_fixtures.mailserver  # one dovecot shared by the whole test run


@pytest.fixture
def account(mailserver: DovecotServer) -> Account:
    return new_account(mailserver)


@pytest.fixture(autouse=True)
def _own_identity(settings: Any) -> None:
    settings.SITE_URL = OWN_SITE
    settings.DEFAULT_FROM_EMAIL = OWN_ADDRESS


class Plan:
    """Messages in delivery order with the outcome each must get."""

    def __init__(self) -> None:
        self.items: list[tuple[bytes, str]] = []
        self.new_per_sender: Counter[str] = Counter()
        self.keys: list[str] = []

    def add(self, raw: bytes, outcome: str) -> None:
        self.items.append((raw, outcome))

    def add_new(self, raw: bytes, sender: str) -> str:
        """A message that should become a new melding, unless its sender went over the rate limit."""
        if self.new_per_sender[sender] >= RATE_LIMIT:
            self.add(raw, Outcome.DEAD_LETTER)
            return Outcome.DEAD_LETTER
        self.new_per_sender[sender] += 1
        self.add(raw, Outcome.MELDING)
        return Outcome.MELDING


def _sender(raw: bytes) -> str:
    parsed = parse_message(
        raw, max_attachment_bytes=10**8, own_addresses={OWN_ADDRESS}, own_message_id_domain="beheer.example"
    )
    assert isinstance(parsed, ParsedMessage), parsed
    return parsed.sender


def _generated(n: int, *, sender: str, message_id: str) -> bytes:
    variant = n % 6
    text = f"{TEXTS[n % len(TEXTS)]} (#{n})"
    subject = f"Vraag {n}: {['printer', 'wifi', 'beamer', 'laptop'][n % 4]}"
    if variant == 0:
        return message(sender=sender, subject=subject, body=text, message_id=message_id)
    if variant == 1:
        return message(
            sender=sender, subject=subject, body=text, message_id=message_id, charset=CHARSETS[n % 4]
        )
    if variant == 2:
        return message(sender=sender, subject=subject, body=text, message_id=message_id, html=True)
    if variant == 3:
        return message(
            sender=sender,
            subject=subject,
            body=text,
            message_id=message_id,
            attachments=[(f"offerte-{n}.pdf", "application/pdf", PDF, None)],
        )
    if variant == 4:
        return message(
            sender=sender,
            subject=subject,
            body=text,
            message_id=message_id,
            html=True,
            attachments=[("image001.png", "image/png", PNG, f"img{n}@mail")],
        )
    return message(
        sender=f"=?utf-8?q?J=C3=B6rg_{n}?= <{sender}>",
        subject=f"=?iso-8859-1?q?Caf=E9_{n}?=",
        body=text,
        message_id=message_id,
        charset="iso-8859-1",
    )


def _deliver_and_poll(account: Account, box: Any, items: list[tuple[bytes, str]]) -> Counter[str]:
    for raw, _outcome in items:
        account.deliver(raw)
    counts: Counter[str] = Counter()
    for _round in range(10):  # bounded: each poll takes up to 500 messages
        report = mail_intake.poll_mailbox(box, max_messages=500, time_budget=600)
        assert report.error == "", report.error
        counts.update(report.counts)
        if report.processed == 0:
            break
        box.refresh_from_db()
    return counts


def test_a_thousand_varied_messages(account: Account, first_line: OperatorGroup, operator: User) -> None:
    box = make_mailbox(
        account.server,
        account.user,
        account.password,
        default_operator_group=first_line,
        rate_limit_count=RATE_LIMIT,
        rate_limit_minutes=60,
    )
    known = [make_person(Role.CALLER, email=f"person{i}@school.example") for i in range(40)]
    assert known

    # ---- phase one
    plan = Plan()
    generated: list[tuple[str, str, bytes]] = []  # (message id, sender, raw)
    for n in range(330):
        sender = f"person{n % 160}@school.example"  # a quarter are registered people
        message_id = f"gen-{n}@school.example"
        raw = _generated(n, sender=sender, message_id=message_id)
        plan.add_new(raw, sender)
        generated.append((message_id, sender, raw))
    corpus_new = [
        name
        for name, exp in sorted(EXPECTED_CORPUS.items())
        if exp["outcome"] == "new_or_reply" and exp["melding_number"] is None
    ]
    corpus_noise = [name for name, exp in sorted(EXPECTED_CORPUS.items()) if exp["outcome"] == "ignore"]
    seq = 0
    for copy in range(3):
        for name in corpus_new:
            seq += 1
            raw = uniquify((CORPUS / name).read_bytes(), seq)
            plan.add_new(raw, _sender(raw))
        for name in corpus_noise:
            seq += 1
            plan.add(uniquify((CORPUS / name).read_bytes(), seq), Outcome.IGNORED)
    broken_keys_expected = 0
    for n in range(5):
        for name in ("41_missing_from.eml", "42_from_without_address.eml"):
            seq += 1
            plan.add(uniquify((CORPUS / name).read_bytes(), seq), Outcome.DEAD_LETTER)
            broken_keys_expected += 1
        plan.add((CORPUS / "43_garbage_bytes.eml").read_bytes() + b"\xfe%d" % n, Outcome.DEAD_LETTER)
        broken_keys_expected += 1
    plan.add(b"", Outcome.DEAD_LETTER)  # an empty message, once
    broken_keys_expected += 1
    for n in range(RATE_LIMIT + 5):
        raw = message(sender="flood@spam.example", subject=f"Aanbieding {n}", message_id=f"flood-{n}@spam")
        plan.add_new(raw, "flood@spam.example")
    for n, (message_id, sender, _raw) in enumerate(generated[:150]):
        if plan.new_per_sender[sender] == 0:
            continue
        raw = message(
            sender=sender,
            subject=f"Re: vraag {n}",
            body=f"Aanvulling {n}\n\n> eerder",
            message_id=f"reply-{n}@school.example",
            in_reply_to=message_id,
        )
        plan.add(raw, Outcome.REPLY)
    phase_one = list(plan.items)
    started = time.monotonic()
    counts = _deliver_and_poll(account, box, phase_one)
    assert counts == Counter(outcome for _raw, outcome in phase_one), counts

    # ---- phase two: now the numbers and our acknowledgements exist
    second = Plan()
    by_key = dict(
        InboundMessage.objects.filter(outcome=Outcome.MELDING).values_list("message_key", "melding_id")
    )
    meldingen = {m.pk: m for m in Melding.objects.filter(pk__in=by_key.values())}
    acks = dict(
        OutgoingMessage.objects.filter(
            event="melding_registered", object_type="servicedesk.melding"
        ).values_list("object_id", "message_id")
    )
    targets = [(mid, sender, meldingen[by_key[mid]]) for mid, sender, _ in generated if mid in by_key]
    for n, (_mid, sender, m) in enumerate(targets[:150]):
        subject = f"RE: [{m.number}] aanvulling" if n % 2 else f"Antw: {m.number} nog steeds"
        second.add(
            message(
                sender=sender.upper(),
                subject=subject,
                body=f"Nog een vraag {n}",
                message_id=f"num-{n}@school.example",
            ),
            Outcome.REPLY,
        )
    with_ack = [(sender, m) for _mid, sender, m in targets if m.pk in acks]
    for n, (sender, m) in enumerate(with_ack[:100]):
        second.add(
            message(
                sender=sender,
                subject="Re: uw melding",
                body=f"Dank {n}",
                message_id=f"ack-{n}@s",
                in_reply_to=acks[m.pk].strip("<>"),
            ),
            Outcome.REPLY,
        )
    for n, (_sender_, m) in enumerate(with_ack[100:130]):
        second.add(
            message(
                sender=operator.email,
                subject=f"Re: [{m.number}]",
                body=f"Opgelost {n}",
                message_id=f"op-{n}@s",
                in_reply_to=acks[m.pk].strip("<>"),
            ),
            Outcome.REPLY,
        )
    bounced = []
    for n, (sender, m) in enumerate(with_ack[130:150]):
        second.add(
            message(
                sender=sender,
                subject="Afwezig",
                body="Ik ben met vakantie.",
                message_id=f"ooo-{n}@s",
                in_reply_to=acks[m.pk].strip("<>"),
                headers={"Auto-Submitted": "auto-replied"},
            ),
            Outcome.IGNORED,
        )
    for n, (_sender_, m) in enumerate(with_ack[150:170]):
        bounced.append(acks[m.pk])
        body = f"Delivery failed.\n\nMessage-ID: {acks[m.pk]}\nSubject: melding\n"
        second.add(
            message(
                sender="MAILER-DAEMON@mx.school.example",
                subject="Undeliverable",
                body=body,
                message_id=f"dsn-{n}@mx.school.example",
            ),
            Outcome.IGNORED,
        )
    for _mid, _sender_, raw in generated[: TOTAL - len(phase_one) - len(second.items)]:
        second.add(raw, DUPLICATE)
    phase_two = list(second.items)
    assert len(phase_one) + len(phase_two) == TOTAL
    assert Counter(o for _r, o in phase_two)[DUPLICATE] >= 20

    counts2 = _deliver_and_poll(account, box, phase_two)
    elapsed = time.monotonic() - started
    assert counts2 == Counter(outcome for _raw, outcome in phase_two), counts2

    # ---- the outcome, as a whole
    expected = Counter(o for _r, o in phase_one + phase_two)
    assert sum(expected.values()) == TOTAL
    assert Melding.objects.count() == expected[Outcome.MELDING]
    assert InboundMessage.objects.count() == TOTAL - expected[DUPLICATE]  # zero lost, zero twice
    assert (
        InboundMessage.objects.filter(outcome=Outcome.REPLY, note__isnull=False).count()
        == expected[Outcome.REPLY]
    )
    assert (
        Note.objects.filter(pk__in=InboundMessage.objects.values("note_id")).count()
        == expected[Outcome.REPLY]
    )
    assert (
        InboundMessage.objects.filter(outcome=Outcome.MELDING).values("melding_id").distinct().count()
        == (expected[Outcome.MELDING])
    )
    rate_limited = DeadLetter.objects.filter(reason=mail_intake.REASON_RATE_LIMITED).count()
    assert rate_limited == 5
    assert DeadLetter.objects.count() == broken_keys_expected + rate_limited == expected[Outcome.DEAD_LETTER]
    assert all(bytes(d.raw) or d.raw_size == 0 for d in DeadLetter.objects.all())
    assert OutgoingMessage.objects.filter(message_id__in=bounced, bounced_at__isnull=False).count() == 20
    # every message was acknowledged on the server: the inbox is empty, the folder holds them all
    assert account.server.folder_files(account.user) == []
    assert len(account.server.folder_files(account.user, "Beheer.Verwerkt")) == TOTAL
    print(f"\n{TOTAL} messages in {elapsed:.1f}s: {TOTAL / elapsed:.0f}/s")
