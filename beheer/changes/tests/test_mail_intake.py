"""Change requests by e-mail: a mailbox that registers change requests, replies as history notes,
exactly once, isolated failures; against the test dovecot where the mailbox is read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from beheer.accounts.models import User
from beheer.changes import mail_intake as change_intake
from beheer.changes import services
from beheer.changes.models import Change, ChangeAction, ChangeHistoryEntry
from beheer.core.errors import DomainError
from beheer.mailintake import extensions
from beheer.mailintake import services as mail_intake
from beheer.mailintake.email_in.tests import conftest as imap_fixtures
from beheer.mailintake.email_in.tests.conftest import Mailbox as Account
from beheer.mailintake.models import DeadLetter, InboundMessage, Mailbox, MailboxHistoryEntry, Outcome
from beheer.mailintake.services import DUPLICATE, process_message
from beheer.mailintake.tests.mail_helpers import OWN_ADDRESS, OWN_SITE, make_mailbox, new_account
from beheer.mailintake.tests.mail_helpers import message as mail
from beheer.notifications.models import OutgoingMessage
from beheer.servicedesk.models import Melding
from tests.helpers import client_for
from tests.mailserver import DovecotServer

pytestmark = pytest.mark.django_db

mailserver = imap_fixtures.mailserver  # one dovecot shared by the whole test run


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    settings.SITE_URL = OWN_SITE
    settings.DEFAULT_FROM_EMAIL = OWN_ADDRESS
    with translation.override("en"):
        yield


@pytest.fixture
def box(db: Any) -> Mailbox:
    return Mailbox.objects.create(
        name="Wijzigingen", host="127.0.0.1", username="wijzigingen", registers=change_intake.CHANGE_REQUEST
    )


@pytest.fixture
def desk(first_line: Any) -> Mailbox:
    return Mailbox.objects.create(
        name="Servicedesk", host="127.0.0.1", username="servicedesk", default_operator_group=first_line
    )


def made(result: mail_intake.Result) -> Change:
    assert result.inbound_id is not None, result
    row = InboundMessage.objects.get(pk=result.inbound_id)
    assert row.object_type == "changes.change", row.outcome
    assert row.object_id is not None
    return Change.objects.get(pk=row.object_id)


def ack(change: Change) -> OutgoingMessage:
    return OutgoingMessage.objects.get(event="change_request_received", object_id=change.pk)


def notes(change: Change) -> list[ChangeHistoryEntry]:
    return list(
        ChangeHistoryEntry.objects.filter(change=change, action=ChangeAction.MAIL_RECEIVED).order_by("id")
    )


def test_the_change_kind_is_registered_for_mailboxes() -> None:
    assert extensions.kind(change_intake.CHANGE_REQUEST) is change_intake.KIND
    assert (change_intake.CHANGE_REQUEST, "Change requests") in [
        (code, str(label)) for code, label in extensions.kind_choices()
    ]


def test_a_known_sender_requests_a_change_once_and_hears_its_number(box: Mailbox, caller: User) -> None:
    raw = mail(
        sender=f"Anna <{caller.email.upper()}>",
        subject="Extra access point in lokaal 2.14",
        body="Graag een extra access point, de wifi is te zwak.",
        message_id="req-1@school.example",
    )
    first = process_message(box, raw, uid=3)
    assert first.outcome == Outcome.OTHER_NEW
    assert process_message(box, raw).outcome == DUPLICATE
    change = made(first)
    assert Change.objects.count() == 1
    assert Melding.objects.count() == 0
    assert (change.title, change.requester, change.client) == (
        "Extra access point in lokaal 2.14",
        caller,
        caller,
    )
    assert "te zwak" in change.description
    assert change.phase.code == "request"
    assert change.created_by is not None
    assert change.created_by.username == mail_intake.INTAKE_USERNAME
    message = ack(change)
    assert message.recipient_user == caller
    assert f"[{change.number}]" in message.subject
    assert message.headers.get("In-Reply-To") == "<req-1@school.example>"
    assert InboundMessage.objects.get().outcome == Outcome.OTHER_NEW


def test_an_unknown_sender_is_named_in_the_description_and_told_by_address(box: Mailbox) -> None:
    raw = mail(sender="Piet Onbekend <piet@elders.example>", subject="Nieuwe printer", message_id="u@elders")
    change = made(process_message(box, raw))
    assert change.requester_id is None
    assert change.client_id is None
    assert "Piet Onbekend <piet@elders.example>" in change.description
    assert "Het werkt niet" in change.description
    message = ack(change)
    assert (message.recipient, message.recipient_user) == ("piet@elders.example", None)
    assert "portal" not in message.body_text
    assert "Piet Onbekend" in message.body_text


def test_a_reply_by_number_is_a_history_note_not_a_new_change(box: Mailbox, caller: User) -> None:
    change = made(process_message(box, mail(sender=caller.email, subject="Beamer", message_id="b1@s")))
    version = change.version
    reply = mail(
        sender=caller.email,
        subject=f"Re: Je wijzigingsaanvraag is geregistreerd [{change.number}]: Beamer",
        body="Het gaat om lokaal 1.07.",
        message_id="b2@s",
    )
    result = process_message(box, reply)
    assert result.outcome == Outcome.OTHER_REPLY
    assert Change.objects.count() == 1
    (note,) = notes(change)
    assert note.actor == caller
    assert "lokaal 1.07" in note.detail
    assert caller.email in note.detail
    change.refresh_from_db()
    assert change.version == version  # an operator's open form stays valid
    assert list(ChangeHistoryEntry.objects.visible_to(caller)) == []  # the trail is staff-only


def test_a_reply_to_the_acknowledgement_in_the_service_desk_mailbox_reaches_the_change(
    box: Mailbox, desk: Mailbox
) -> None:
    change = made(
        process_message(box, mail(sender="piet@elders.example", subject="Scanner", message_id="c1@e"))
    )
    reply = mail(
        sender="piet@elders.example",
        subject="Re: uw verzoek",
        body="Het is de scanner bij de administratie.",
        message_id="c2@e",
        in_reply_to=ack(change).message_id.strip("<>"),
    )
    result = process_message(desk, reply)
    assert result.outcome == Outcome.OTHER_REPLY
    assert Melding.objects.count() == 0
    (note,) = notes(change)
    assert note.actor is not None
    assert note.actor.username == mail_intake.INTAKE_USERNAME
    # a later mail that answers the sender's own first message threads too
    third = mail(sender="piet@elders.example", subject="nog iets", message_id="c3@e", in_reply_to="c1@e")
    assert process_message(desk, third).outcome == Outcome.OTHER_REPLY
    assert len(notes(change)) == 2


def test_a_bare_change_number_in_a_new_call_stays_a_call(desk: Mailbox, operator: User) -> None:
    from .helpers import make_change

    change = make_change(operator)
    result = process_message(
        desk, mail(sender="a@school.example", subject=f"Wifi stuk sinds {change.number}", message_id="n1@s")
    )
    assert result.outcome == Outcome.MELDING
    assert notes(change) == []
    # a reply prefix or brackets make it a reply; a number of no change does not
    assert change_intake.change_number_in(f"Antw: RE: {change.number} planning") == change.pk
    assert change_intake.change_number_in(f"vraag over [{change.number}]") == change.pk
    result = process_message(
        desk, mail(sender="a@school.example", subject="Re: [W9999999] x", message_id="n2@s")
    )
    assert result.outcome == Outcome.MELDING


def test_a_closed_change_still_keeps_the_mail(box: Mailbox, operator: User) -> None:
    change = made(process_message(box, mail(sender="a@school.example", subject="Oud", message_id="o1@s")))
    services.cancel_change(change, actor=operator, expected_version=change.version, reason="dubbel")
    result = process_message(
        box, mail(sender="a@school.example", subject=f"[{change.number}]", message_id="o2@s")
    )
    assert result.outcome == Outcome.OTHER_REPLY
    assert len(notes(change)) == 1


def test_rate_limit_holds_further_change_requests(box: Mailbox) -> None:
    Mailbox.objects.filter(pk=box.pk).update(rate_limit_count=2, rate_limit_minutes=60)
    box.refresh_from_db()
    outcomes = [
        process_message(
            box, mail(sender="spam@x.example", subject=f"Verzoek {n}", message_id=f"r{n}@x")
        ).outcome
        for n in range(3)
    ]
    assert outcomes == [Outcome.OTHER_NEW, Outcome.OTHER_NEW, Outcome.DEAD_LETTER]
    assert DeadLetter.objects.get().reason == mail_intake.REASON_RATE_LIMITED
    assert Change.objects.count() == 2


def test_a_mailbox_of_an_unknown_kind_keeps_its_mail_as_dead_letters(box: Mailbox) -> None:
    Mailbox.objects.filter(pk=box.pk).update(registers="vanished")
    box.refresh_from_db()
    result = process_message(box, mail(sender="a@school.example", subject="x", message_id="k1@s"))
    assert result.outcome == Outcome.DEAD_LETTER
    letter = DeadLetter.objects.get()
    assert (letter.reason, "vanished" in letter.detail) == (mail_intake.REASON_REJECTED, True)
    assert Change.objects.count() == 0


def test_a_dead_letter_of_a_change_mailbox_is_retried_as_a_change_request(
    box: Mailbox, operator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> Change:
        raise DomainError("tijdelijk stuk")

    monkeypatch.setattr(services, "submit_change_request_from_mail", broken)
    assert process_message(
        box, mail(sender="a@school.example", subject="Later", message_id="d1@s")
    ).outcome == (Outcome.DEAD_LETTER)
    monkeypatch.undo()
    letter = DeadLetter.objects.get()
    assert letter.detail == "tijdelijk stuk"
    mail_intake.retry_dead_letter(letter, actor=operator)
    assert Change.objects.get().title == "Later"
    assert InboundMessage.objects.get().outcome == Outcome.OTHER_NEW


def test_the_mailbox_setting_is_checked_and_in_its_history(administrator: User) -> None:
    fields: dict[str, Any] = {
        "actor": administrator,
        "name": "Wijzigingen",
        "host": "imap.school.example",
        "port": 993,
        "security": "tls",
        "username": "wijzigingen@school.example",
        "auth": "password",
        "secret": "geheim",
    }
    with pytest.raises(DomainError) as caught:
        mail_intake.configure_mailbox(None, registers="nonsense", **fields)
    assert "registers" in caught.value.field_errors
    box = mail_intake.configure_mailbox(None, **fields)
    assert box.registers == extensions.MELDING
    box = mail_intake.configure_mailbox(
        box,
        registers=change_intake.CHANGE_REQUEST,
        expected_version=box.version,
        **{**fields, "secret": None},
    )
    assert box.registers == change_intake.CHANGE_REQUEST
    row = MailboxHistoryEntry.objects.get(mailbox=box, field="registers")
    shown = [MailboxHistoryEntry.display_value("registers", v) for v in (row.old_value, row.new_value)]
    assert shown == ["Calls", "Change requests"]


def test_the_mailbox_screens_offer_and_show_the_kind(administrator: User, box: Mailbox) -> None:
    client = client_for(administrator)
    form = client.get("/mail/mailboxes/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="change_request"' in form
    listed = client.get("/mail/mailboxes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Change requests" in listed


# --- against the test dovecot ---------------------------------------------------------------------


@pytest.fixture
def account(mailserver: DovecotServer) -> Account:
    return new_account(mailserver)


def test_poll_registers_change_requests_once_and_one_broken_message_does_not_stop_it(
    account: Account, caller: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = make_mailbox(account.server, account.user, account.password, registers=change_intake.CHANGE_REQUEST)
    real = services.submit_change_request_from_mail

    def sometimes_broken(**kwargs: Any) -> Change:
        if "kapot" in kwargs["subject"]:
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(services, "submit_change_request_from_mail", sometimes_broken)
    account.deliver(mail(sender=caller.email, subject="Digibord lokaal 3", message_id="p1@s"))
    account.deliver(mail(sender="x@elders.example", subject="Dit is kapot", message_id="p2@s"))
    account.deliver(mail(sender="y@elders.example", subject="Nieuwe laptops", message_id="p3@s"))
    report = mail_intake.poll_mailbox(box)
    assert report.error == ""
    assert report.counts == {Outcome.OTHER_NEW: 2, Outcome.DEAD_LETTER: 1}
    assert sorted(Change.objects.values_list("title", flat=True)) == ["Digibord lokaal 3", "Nieuwe laptops"]
    assert "boom" in DeadLetter.objects.get().detail
    assert account.server.folder_files(account.user) == []  # every message acknowledged
    # the same message delivered again is acknowledged, not registered twice
    account.deliver(mail(sender=caller.email, subject="Digibord lokaal 3", message_id="p1@s"))
    box.refresh_from_db()
    assert mail_intake.poll_mailbox(box).counts == {DUPLICATE: 1}
    assert Change.objects.count() == 2
