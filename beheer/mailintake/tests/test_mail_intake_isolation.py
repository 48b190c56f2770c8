"""The intake against a real dovecot: a hostile message, a message whose processing fails and a
mailbox that cannot be read each stay on their own; the other messages and mailboxes go on."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from beheer.accounts.models import OperatorGroup, User
from beheer.core.errors import DomainError
from beheer.mailintake import services as mail_intake
from beheer.mailintake.email_in.imap import ImapClient
from beheer.mailintake.email_in.tests import conftest as imap_fixtures
from beheer.mailintake.email_in.tests.conftest import Mailbox as Account
from beheer.mailintake.models import DeadLetter, InboundMessage, Mailbox, Outcome
from beheer.servicedesk.models import Melding
from tests.faults import failing_write
from tests.helpers import client_for
from tests.mailserver import DovecotServer

from .mail_helpers import OWN_ADDRESS, OWN_SITE, make_mailbox, new_account
from .mail_helpers import message as mail

mailserver = imap_fixtures.mailserver  # one dovecot shared by the whole test run


@pytest.fixture
def account(mailserver: DovecotServer) -> Account:
    return new_account(mailserver)


@pytest.fixture(autouse=True)
def _own_identity(settings: Any) -> None:
    settings.SITE_URL = OWN_SITE
    settings.DEFAULT_FROM_EMAIL = OWN_ADDRESS


def nested_html_message(depth: int, message_id: str) -> bytes:
    """An HTML-only message whose body is `depth` nested <div>s (no login needed to send it)."""
    body = "<div>" * depth + "Help" + "</div>" * depth
    return (
        "From: stranger@elders.example\r\nTo: servicedesk@beheer.example\r\n"
        f"Subject: Nested\r\nMessage-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n" + body + "\r\n"
    ).encode()


def test_a_hostile_message_between_two_good_ones(
    account: Account, first_line: OperatorGroup, operator: User
) -> None:
    box = make_mailbox(account.server, account.user, account.password, default_operator_group=first_line)
    account.deliver(mail(sender="een@school.example", subject="Eerste", message_id="good-1@s"))
    account.deliver(nested_html_message(10_000, "hostile@s"))
    account.deliver(mail(sender="twee@school.example", subject="Tweede", message_id="good-2@s"))

    report = mail_intake.poll_mailbox(box, time_budget=60)

    assert report.error == ""
    assert report.counts == {Outcome.MELDING: 2, Outcome.DEAD_LETTER: 1}
    assert sorted(Melding.objects.values_list("brief_description", flat=True)) == ["Eerste", "Tweede"]
    dead = DeadLetter.objects.get()
    assert (dead.reason, dead.subject, dead.sender) == ("html-too-deep", "Nested", "stranger@elders.example")
    assert "250" in dead.detail
    assert InboundMessage.objects.get(message_key="hostile@s").outcome == Outcome.DEAD_LETTER
    assert account.server.folder_files(account.user) == []  # all three acknowledged

    page = client_for(operator).get(reverse("mail-dead-letter", args=[dead.pk]))
    with translation.override(page["Content-Language"]):
        label = dead.reason_label
    assert label != dead.reason
    assert label in page.content.decode()
    listing = client_for(operator).get(reverse("mail-dead-letters")).content.decode()
    assert label in listing
    api = client_for(operator).get(f"/api/v1/mail/dead-letters/{dead.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert api.json()["reason"] == "html-too-deep"
    assert api.json()["reason_label"]


def test_a_message_whose_processing_fails_is_a_dead_letter_and_the_others_go_on(
    account: Account, first_line: OperatorGroup
) -> None:
    box = make_mailbox(account.server, account.user, account.password, default_operator_group=first_line)
    account.deliver(mail(sender="een@school.example", subject="Eerste", message_id="f-1@s"))
    account.deliver(mail(sender="boom@school.example", subject="BOOM", message_id="f-2@s"))
    account.deliver(mail(sender="twee@school.example", subject="Tweede", message_id="f-3@s"))

    with failing_write(Melding, {"brief_description": "BOOM"}) as error:
        report = mail_intake.poll_mailbox(box, time_budget=60)

    assert report.error == ""
    assert report.counts == {Outcome.MELDING: 2, Outcome.DEAD_LETTER: 1}
    assert sorted(Melding.objects.values_list("brief_description", flat=True)) == ["Eerste", "Tweede"]
    dead = DeadLetter.objects.get()
    assert dead.reason == mail_intake.REASON_ERROR
    assert error in dead.detail
    assert dead.sender == "boom@school.example"
    assert account.server.folder_files(account.user) == []
    # A person can process it once the cause is gone.
    assert mail_intake.poll_mailbox(box).processed == 0


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A server on loopback that accepts connections and never says a word (a hung mail server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once it is closed


def test_one_mailbox_that_cannot_be_read_does_not_stop_the_others(
    account: Account, first_line: OperatorGroup, silent_server: int, administrator: User
) -> None:
    hung = make_mailbox(account.server, "hung", "x", name="Hangt", port=silent_server)
    down = make_mailbox(account.server, "down", "x", name="Uit", port=_closed_port())
    good = make_mailbox(
        account.server, account.user, account.password, name="Goed", default_operator_group=first_line
    )
    # Last: dovecot slows down every login from an address after a refused one.
    refused = make_mailbox(account.server, account.user, "wrong-password", name="Fout wachtwoord")
    assert [hung.pk, down.pk, good.pk, refused.pk] == sorted([hung.pk, down.pk, good.pk, refused.pk])
    account.deliver(mail(sender="p@school.example", subject="Komt binnen", message_id="iso-1@s"))

    reports = mail_intake.poll_mailboxes(time_budget=10)

    assert reports["Goed"].error == ""
    assert reports["Goed"].counts == {Outcome.MELDING: 1}
    assert Melding.objects.get().brief_description == "Komt binnen"
    for box in (hung, down, refused):
        assert reports[box.name].error
        box.refresh_from_db()
        assert box.last_error == reports[box.name].error
        assert box.last_poll_at is not None
        page = client_for(administrator).get(reverse("mail-mailbox-edit", args=[box.pk])).content.decode()
        assert escape(box.last_error) in page
    good.refresh_from_db()
    assert good.last_error == ""
    # next time the mailboxes that failed are read last, so the good one is never held up again
    assert Mailbox.objects.for_polling().values_list("name", flat=True)[0] == "Goed"


def test_a_spent_time_budget_leaves_the_rest_for_the_next_poll(
    account: Account, first_line: OperatorGroup
) -> None:
    box = make_mailbox(account.server, account.user, account.password, default_operator_group=first_line)
    for n in range(3):
        account.deliver(
            mail(sender=f"b{n}@school.example", subject=f"Budget {n}", message_id=f"budget-{n}@s")
        )

    first = mail_intake.poll_mailbox(box, time_budget=0)  # spent at once: one message, for progress

    assert (first.counts, first.remaining) == ({Outcome.MELDING: 1}, 2)
    assert len(account.server.folder_files(account.user)) == 2  # the rest waits on the server
    box.refresh_from_db()
    second = mail_intake.poll_mailbox(box, time_budget=60)
    assert (second.counts, second.remaining) == ({Outcome.MELDING: 2}, 0)
    assert sorted(Melding.objects.values_list("brief_description", flat=True)) == [
        "Budget 0",
        "Budget 1",
        "Budget 2",
    ]
    assert account.server.folder_files(account.user) == []


def test_a_message_past_the_size_limit_is_never_downloaded(
    account: Account, first_line: OperatorGroup, operator: User, settings: Any, monkeypatch: Any
) -> None:
    """The size is asked first: an oversized message costs its header section only, becomes a dead
    letter that gives its real size, and cannot be retried from the part that was kept."""
    settings.MAIL_MAX_MESSAGE_BYTES = 50_000
    box = make_mailbox(account.server, account.user, account.password, default_operator_group=first_line)
    account.deliver(mail(sender="een@school.example", subject="Eerste", message_id="small-1@s"))
    big = mail(sender="groot@school.example", subject="Scan van 200 pagina's", message_id="big@s")
    big = big.rstrip(b"\r\n") + b"\r\n" + (b"A" * 76 + b"\r\n") * 2_000  # about 156 kB
    account.deliver(big)
    account.deliver(mail(sender="twee@school.example", subject="Tweede", message_id="small-2@s"))
    downloaded: list[int] = []
    whole = ImapClient.fetch

    def counting_fetch(self: Any, uid: int) -> bytes | None:
        raw = whole(self, uid)
        downloaded.append(len(raw or b""))
        return raw

    monkeypatch.setattr(ImapClient, "fetch", counting_fetch)

    report = mail_intake.poll_mailbox(box, time_budget=60)

    assert report.counts == {Outcome.MELDING: 2, Outcome.DEAD_LETTER: 1}
    assert len(downloaded) == 2
    assert max(downloaded) < 50_000
    dead = DeadLetter.objects.get()
    assert (dead.reason, dead.sender, dead.subject) == (
        "too-large",
        "groot@school.example",
        "Scan van 200 pagina's",
    )
    assert dead.raw_size > 150_000
    assert dead.truncated
    assert len(bytes(dead.raw)) < 5_000  # the header section
    assert "156" in dead.detail  # the real size
    assert "header" in dead.detail or "kopregels" in dead.detail  # in the installation's language
    assert account.server.folder_files(account.user) == []  # acknowledged like the others
    with pytest.raises(DomainError):
        mail_intake.retry_dead_letter(dead, actor=operator)
    # read again (another poll): nothing new, no second dead letter
    assert mail_intake.poll_mailbox(box, time_budget=60).counts == {}
