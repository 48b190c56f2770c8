"""Mail intake: messages become meldingen, replies, ignored or dead letters, exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.mailintake import services as mail_intake
from beheer.mailintake.email_in.tests import conftest as imap_fixtures
from beheer.mailintake.email_in.tests.conftest import Mailbox as Account
from beheer.mailintake.models import (
    AfterProcessing,
    DeadLetter,
    DeadLetterStatus,
    InboundMessage,
    Mailbox,
    MailRule,
    Outcome,
    RuleField,
)
from beheer.mailintake.services import DUPLICATE, mailboxes, process_message
from beheer.notifications.models import MessageStatus, OutgoingMessage
from beheer.servicedesk import services
from beheer.servicedesk.models import (
    Attachment,
    Category,
    EntryType,
    Melding,
    Note,
    StatusKind,
    Visibility,
)
from tests.helpers import make_person
from tests.mailserver import DovecotServer
from tests.sample_files import PDF, PNG

from .mail_helpers import CORPUS, OWN_ADDRESS, OWN_SITE, make_mailbox, new_account
from .mail_helpers import message as mail

mailserver = imap_fixtures.mailserver  # one dovecot shared by the whole test run


@pytest.fixture
def account(mailserver: DovecotServer) -> Account:
    return new_account(mailserver)


@pytest.fixture(autouse=True)
def _own_identity(settings: Any) -> None:
    settings.SITE_URL = OWN_SITE
    settings.DEFAULT_FROM_EMAIL = OWN_ADDRESS


@pytest.fixture
def box(first_line: OperatorGroup) -> Mailbox:
    return Mailbox.objects.create(
        name="Servicedesk", host="127.0.0.1", username="intake", default_operator_group=first_line
    )


def inbound(key: str) -> InboundMessage:
    return InboundMessage.objects.get(message_key=key)


def made(result: mail_intake.Result) -> Melding:
    assert result.melding_id is not None, result
    return Melding.objects.get(pk=result.melding_id)


def ack_message_id(melding: Melding) -> str:
    row = OutgoingMessage.objects.filter(object_type="servicedesk.melding", object_id=melding.pk).first()
    assert row is not None, "the caller got no acknowledgement"
    return row.message_id.strip("<>")


# --- new meldingen ---------------------------------------------------------------------------------


def test_unknown_sender_becomes_an_unregistered_caller(box: Mailbox, first_line: OperatorGroup) -> None:
    raw = mail(
        sender="Piet Onbekend <piet@elders.example>",
        subject="Wifi lokaal 3 valt weg",
        body="Sinds vanochtend geen wifi.",
        message_id="new-1@elders.example",
    )
    result = process_message(box, raw, uid=7)
    assert result.outcome == Outcome.MELDING
    m = made(result)
    assert m.caller_id is None
    assert (m.caller_name, m.caller_email) == ("Piet Onbekend", "piet@elders.example")
    assert m.entry_type == EntryType.EMAIL
    assert m.brief_description == "Wifi lokaal 3 valt weg"
    assert "geen wifi" in m.request
    assert m.operator_group == first_line
    assert m.created_by is not None
    assert m.created_by.username == mail_intake.INTAKE_USERNAME
    assert not m.created_by.has_usable_password()
    row = inbound("new-1@elders.example")
    assert (row.outcome, row.melding_id, row.uid, row.sender) == (
        Outcome.MELDING,
        m.pk,
        7,
        "piet@elders.example",
    )
    ack_message_id(m)  # the unregistered caller is told the number


def test_known_address_is_the_caller_and_the_same_message_is_registered_once(
    box: Mailbox, caller: User
) -> None:
    raw = mail(sender=f"Anna <{caller.email.upper()}>", subject="Beamer", message_id="once@school.example")
    first = process_message(box, raw)
    second = process_message(box, raw)
    assert first.outcome == Outcome.MELDING
    assert second.outcome == DUPLICATE
    assert Melding.objects.count() == 1
    assert Melding.objects.get().caller == caller
    assert InboundMessage.objects.count() == 1


def test_a_message_without_message_id_is_keyed_by_its_bytes(box: Mailbox) -> None:
    raw = (CORPUS / "38_no_message_id.eml").read_bytes()
    assert process_message(box, raw).outcome == Outcome.MELDING
    assert process_message(box, raw).outcome == DUPLICATE
    assert process_message(box, raw + b"\n").outcome == Outcome.MELDING  # other bytes, another message
    assert InboundMessage.objects.filter(message_key__startswith="sha256:").count() == 2


def test_subject_without_text_and_empty_subject(box: Mailbox) -> None:
    result = process_message(box, mail(sender="a@b.example", subject="", body="\n\nEerste regel\nmeer"))
    assert made(result).brief_description == "Eerste regel"
    long = "x" * 200
    result = process_message(box, mail(sender="a@b.example", subject=long, message_id="long@b.example"))
    assert len(made(result).brief_description) == 80


def test_rules_route_by_domain_and_subject(box: Mailbox, administrator: User, db: Any) -> None:
    onderwijs = Category.objects.create(name="Onderwijs", name_en="Education")
    netwerk = Category.objects.create(name="Netwerk", name_en="Network")
    mailboxes.add_mail_rule(
        box,
        actor=administrator,
        match_field=RuleField.SUBJECT,
        pattern=r"\bwifi\b",
        category=netwerk,
        order=1,
    )
    mailboxes.add_mail_rule(
        box,
        actor=administrator,
        match_field=RuleField.DOMAIN,
        pattern="@lyceum.example",
        category=onderwijs,
        order=2,
    )
    a = process_message(box, mail(sender="x@lyceum.example", subject="WIFI stuk", message_id="r1@x"))
    b = process_message(box, mail(sender="x@lyceum.example", subject="Printer", message_id="r2@x"))
    c = process_message(box, mail(sender="x@elders.example", subject="Printer", message_id="r3@x"))
    assert made(a).category == netwerk
    assert made(b).category == onderwijs
    assert made(c).category is None


@pytest.mark.parametrize(
    ("field", "pattern"),
    [
        ("subject", "(a+)+$"),
        ("subject", "(unclosed"),
        ("subject", r"(a)\1"),
        ("sender", "nodomain"),
        ("subject", "x" * 201),
        ("nonsense", "x"),
    ],
)
def test_bad_rules_are_refused(box: Mailbox, administrator: User, field: str, pattern: str) -> None:
    with pytest.raises(DomainError) as info:
        mailboxes.add_mail_rule(
            box,
            actor=administrator,
            match_field=field,
            pattern=pattern,
            category=None,
            operator_group=box.default_operator_group,
        )
    assert info.value.field_errors
    assert MailRule.objects.count() == 0


def test_attachments_inline_images_and_a_disguised_executable(box: Mailbox) -> None:
    raw = mail(
        sender="a@b.example",
        subject="Bijlagen",
        message_id="att@b.example",
        attachments=[
            ("offerte.pdf", "application/pdf", PDF, None),
            ("image001.png", "image/png", PNG, "img1@b"),
            ("factuur.pdf", "application/pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64, None),
        ],
    )
    result = process_message(box, raw)
    m = made(result)
    names = sorted(Attachment.objects.filter(melding=m).values_list("original_name", flat=True))
    assert names == ["image001.png", "offerte.pdf"]
    assert all(a.visible_to_caller for a in Attachment.objects.filter(melding=m))
    note = Note.objects.get(melding=m)
    assert note.visibility == Visibility.INTERNAL
    assert "factuur.pdf" in note.text


# --- replies ---------------------------------------------------------------------------------------


def test_caller_reply_by_subject_number(box: Mailbox, melding: Melding, caller: User) -> None:
    raw = mail(
        sender=caller.email,
        subject=f"RE: [{melding.number}] Printer",
        message_id="re1@school.example",
        body="Hij doet het weer niet.\n\n> oude tekst\n> meer",
    )
    result = process_message(box, raw)
    assert (result.outcome, result.melding_id) == (Outcome.REPLY, melding.pk)
    note = Note.objects.get(melding=melding)
    assert (note.author, note.visibility) == (caller, Visibility.CALLER)
    assert "weer niet" in note.text
    assert "oude tekst" not in note.text
    assert inbound("re1@school.example").note_id == note.pk


def test_unregistered_caller_reply_by_in_reply_to_our_acknowledgement(box: Mailbox, operator: User) -> None:
    first = process_message(box, mail(sender="piet@elders.example", subject="Scherm", message_id="s1@elders"))
    m = made(first)
    waiting = services.default_status(StatusKind.WAITING)
    Melding.objects.filter(pk=m.pk).update(status=waiting)
    reply = mail(
        sender="Piet <PIET@elders.example>",
        subject="Re: uw melding",
        message_id="s2@elders",
        in_reply_to=ack_message_id(m),
        body="Het is model X200.",
    )
    result = process_message(box, reply)
    assert (result.outcome, result.melding_id) == (Outcome.REPLY, m.pk)
    note = Note.objects.get(melding=m)
    assert (note.author_id, note.visibility, note.text) == (None, Visibility.CALLER, "Het is model X200.")
    m.refresh_from_db()
    assert m.status.kind == StatusKind.OPEN  # the caller answered: back with the desk
    # a later mail that answers the caller's own message threads too (by its Message-ID)
    third = mail(
        sender="piet@elders.example", subject="nog iets", message_id="s3@elders", in_reply_to="s2@elders"
    )
    assert process_message(box, third).melding_id == m.pk


def test_operator_reply_by_mail_reaches_the_caller(box: Mailbox, melding: Melding, operator: User) -> None:
    raw = mail(
        sender=operator.email,
        subject=f"Re: {melding.number}",
        message_id="op@school.example",
        in_reply_to=ack_message_id(melding),
        body="Ik kom er om 14:00 naar kijken.",
    )
    result = process_message(box, raw)
    assert result.outcome == Outcome.REPLY
    note = Note.objects.get(melding=melding)
    assert (note.author, note.visibility) == (operator, Visibility.CALLER)
    assert OutgoingMessage.objects.filter(event="operator_reply", object_id=melding.pk).exists()


def test_a_stranger_cannot_add_to_somebody_elses_melding(
    box: Mailbox, melding: Melding, caller: User
) -> None:
    raw = mail(
        sender="mallory@evil.example",
        subject=f"[{melding.number}] lees mee",
        message_id="evil@evil.example",
        attachments=[("x.pdf", "application/pdf", PDF, None)],
    )
    result = process_message(box, raw)
    assert (result.outcome, result.melding_id) == (Outcome.REPLY, melding.pk)
    notes = Note.objects.filter(melding=melding)
    assert {n.visibility for n in notes} == {Visibility.INTERNAL}
    assert "mallory@evil.example" in notes.first().text  # type: ignore[union-attr]
    assert not Note.objects.visible_to(caller).filter(melding=melding).exists()
    assert not Attachment.objects.visible_to(caller).filter(melding=melding).exists()


def test_reply_to_a_closed_melding_opens_a_linked_one(
    box: Mailbox, melding: Melding, caller: User, operator: User
) -> None:
    Melding.objects.filter(pk=melding.pk).update(closed_at=melding.created_at, is_open=False)
    raw = mail(sender=caller.email, subject=f"Re: [{melding.number}]", message_id="late@school.example")
    result = process_message(box, raw)
    assert result.outcome == Outcome.MELDING
    assert result.melding_id != melding.pk
    assert made(result).caller == caller
    raw = mail(sender=operator.email, subject=f"Re: [{melding.number}]", message_id="late-op@school.example")
    assert process_message(box, raw).outcome == Outcome.DEAD_LETTER
    assert DeadLetter.objects.get().reason == mail_intake.REASON_CLOSED


# --- noise -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "26_auto_submitted_out_of_office.eml",
        "28_precedence_bulk.eml",
        "33_own_message_from.eml",
        "34_own_message_id.eml",
        "35_loop_x_loop.eml",
        "37_read_receipt_mdn.eml",
    ],
)
def test_noise_is_ignored(box: Mailbox, name: str) -> None:
    result = process_message(box, (CORPUS / name).read_bytes())
    assert result.outcome == Outcome.IGNORED
    assert Melding.objects.count() == 0
    assert DeadLetter.objects.count() == 0
    assert InboundMessage.objects.get().ignore_reason


def test_a_bounce_is_recorded_against_the_notification(box: Mailbox) -> None:
    first = process_message(box, mail(sender="weg@elders.example", subject="Vraag", message_id="q@elders"))
    ack = OutgoingMessage.objects.get(object_id=first.melding_id)
    bounce = mail(
        sender="MAILER-DAEMON@mx.elders.example",
        subject="Undelivered Mail Returned to Sender",
        message_id="dsn-1@mx.elders.example",
        body=f"Failed.\n\nMessage-ID: {ack.message_id}\n",
    )
    result = process_message(box, bounce)
    assert result.outcome == Outcome.IGNORED
    ack.refresh_from_db()
    assert ack.status == MessageStatus.DEAD
    assert ack.bounced_at is not None
    assert Melding.objects.count() == 1


def test_rate_limit_per_sender_holds_further_meldingen(box: Mailbox, operator: User) -> None:
    Mailbox.objects.filter(pk=box.pk).update(rate_limit_count=2, rate_limit_minutes=10)
    box.refresh_from_db()
    outcomes = [
        process_message(
            box, mail(sender="flood@x.example", subject=f"Spam {n}", message_id=f"f{n}@x")
        ).outcome
        for n in range(4)
    ]
    assert outcomes == [Outcome.MELDING, Outcome.MELDING, Outcome.DEAD_LETTER, Outcome.DEAD_LETTER]
    assert set(DeadLetter.objects.values_list("reason", flat=True)) == {mail_intake.REASON_RATE_LIMITED}
    # a person decides it is real: retrying skips the rate limit
    result = mail_intake.retry_dead_letter(DeadLetter.objects.order_by("id").first(), actor=operator)  # type: ignore[arg-type]
    assert result.outcome == Outcome.MELDING
    assert Melding.objects.count() == 3


# --- dead letters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["41_missing_from.eml", "42_from_without_address.eml", "43_garbage_bytes.eml", "44_empty.eml"]
)
def test_unreadable_messages_become_dead_letters_with_the_raw_source(box: Mailbox, name: str) -> None:
    raw = (CORPUS / name).read_bytes()
    result = process_message(box, raw)
    assert result.outcome == Outcome.DEAD_LETTER
    dl = DeadLetter.objects.get()
    assert bytes(dl.raw) == raw
    assert dl.raw_size == len(raw)
    assert dl.status == DeadLetterStatus.OPEN
    assert dl.reason
    assert dl.detail
    assert process_message(box, raw).outcome == DUPLICATE
    assert DeadLetter.objects.count() == 1
    assert Melding.objects.count() == 0


def test_retry_convert_and_discard(box: Mailbox, operator: User, coordinator: User, caller: User) -> None:
    for name in ("41_missing_from.eml", "43_garbage_bytes.eml"):
        process_message(box, (CORPUS / name).read_bytes())
    missing_from, garbage = DeadLetter.objects.order_by("id")
    with pytest.raises(DomainError):
        mail_intake.retry_dead_letter(missing_from, actor=operator)
    assert DeadLetter.objects.get(pk=missing_from.pk).status == DeadLetterStatus.OPEN

    with pytest.raises(PermissionDenied):
        mail_intake.convert_dead_letter_to_melding(missing_from, brief_description="x", actor=caller)
    with pytest.raises(DomainError):
        mail_intake.convert_dead_letter_to_melding(missing_from, brief_description="", actor=operator)
    m = mail_intake.convert_dead_letter_to_melding(
        missing_from, brief_description="Mail zonder afzender", actor=operator
    )
    assert m.entry_type == EntryType.EMAIL
    assert m.caller_name
    missing_from.refresh_from_db()
    assert (missing_from.status, missing_from.melding, missing_from.resolved_by) == (
        DeadLetterStatus.CONVERTED,
        m,
        operator,
    )
    with pytest.raises(Conflict):
        mail_intake.discard_dead_letter(missing_from, actor=coordinator)

    with pytest.raises(PermissionDenied):
        mail_intake.discard_dead_letter(garbage, actor=operator)
    mail_intake.discard_dead_letter(garbage, actor=coordinator)
    assert DeadLetter.objects.get(pk=garbage.pk).status == DeadLetterStatus.DISCARDED
    assert list(DeadLetter.objects.visible_to(caller)) == []
    assert DeadLetter.objects.visible_to(operator).count() == 2


def test_a_failing_service_rule_is_a_dead_letter_not_an_error(
    box: Mailbox, second_line: OperatorGroup
) -> None:
    Mailbox.objects.filter(pk=box.pk).update(default_operator_group=second_line)  # not first line
    box.refresh_from_db()
    result = process_message(box, mail(sender="a@b.example", subject="x", message_id="rej@b"))
    assert result.outcome == Outcome.DEAD_LETTER
    dl = DeadLetter.objects.get()
    assert dl.reason == mail_intake.REASON_REJECTED
    assert "eerstelijns" in dl.detail or "first-line" in dl.detail
    assert Melding.objects.count() == 0
    assert InboundMessage.objects.get().outcome == Outcome.DEAD_LETTER


def test_query_count_of_a_new_melding_is_bounded(box: Mailbox) -> None:
    process_message(box, mail(sender="warm@b.example", subject="warm", message_id="warm@b"))
    with CaptureQueriesContext(connection) as ctx:
        process_message(box, mail(sender="a@b.example", subject="x", message_id="count@b"))
    assert len(ctx.captured_queries) <= 40, [q["sql"][:120] for q in ctx.captured_queries]


# --- polling a real IMAP server --------------------------------------------------------------------


def test_poll_moves_processed_messages(account: Account, first_line: OperatorGroup) -> None:
    box = make_mailbox(account.server, account.user, account.password, default_operator_group=first_line)
    for n in range(3):
        account.deliver(mail(sender=f"p{n}@school.example", subject=f"Vraag {n}", message_id=f"poll-{n}@s"))
    report = mail_intake.poll_mailbox(box)
    assert report.error == ""
    assert report.counts == {Outcome.MELDING: 3}
    assert Melding.objects.count() == 3
    assert account.server.folder_files(account.user) == []
    assert len(account.server.folder_files(account.user, "Beheer.Verwerkt")) == 3
    box.refresh_from_db()
    assert box.last_poll_at is not None
    assert box.last_error == ""
    assert box.uidvalidity
    assert mail_intake.poll_mailbox(box).processed == 0


def test_crash_after_commit_before_move_is_a_harmless_reread(
    account: Account, first_line: OperatorGroup
) -> None:
    box = make_mailbox(account.server, account.user, account.password, default_operator_group=first_line)
    raw = mail(sender="p@school.example", subject="Eén keer", message_id="crash@s")
    account.deliver(raw)
    process_message(box, raw.replace(b"\r\n", b"\n"))  # committed, then "the worker died" before the move
    report = mail_intake.poll_mailbox(box)
    assert report.counts == {DUPLICATE: 1}
    assert Melding.objects.count() == 1
    assert account.server.folder_files(account.user) == []


def test_flag_mode_remembers_the_last_uid_and_rescans_after_uidvalidity_changes(
    account: Account, first_line: OperatorGroup
) -> None:
    box = make_mailbox(account.server, account.user, account.password, after_processing=AfterProcessing.FLAG)
    account.deliver(mail(sender="p@school.example", subject="Een", message_id="flag-1@s"))
    account.deliver(mail(sender="p@school.example", subject="Twee", message_id="flag-2@s"))
    assert mail_intake.poll_mailbox(box).counts == {Outcome.MELDING: 2}
    box.refresh_from_db()
    assert box.last_seen_uid == 2
    assert len(account.server.folder_files(account.user)) == 2  # still there, flagged
    imap = mailboxes.connect(box)
    try:
        imap.select("INBOX", readonly=True)
        assert {"\\Seen", mail_intake.PROCESSED_KEYWORD} <= imap.flags(1)
    finally:
        imap.logout()
    account.deliver(mail(sender="p@school.example", subject="Drie", message_id="flag-3@s"))
    assert mail_intake.poll_mailbox(box).counts == {Outcome.MELDING: 1}
    # the server renumbered the folder: everything is read again, and recognised
    Mailbox.objects.filter(pk=box.pk).update(uidvalidity=1)
    box.refresh_from_db()
    assert mail_intake.poll_mailbox(box).counts == {DUPLICATE: 3}
    assert Melding.objects.count() == 3


def test_poll_records_a_connection_error(account: Account, db: Any) -> None:
    box = make_mailbox(account.server, account.user, "wrong-password")
    report = mail_intake.poll_mailbox(box)
    assert report.error
    assert report.processed == 0
    box.refresh_from_db()
    assert box.last_error == report.error


def test_check_connection_needs_an_administrator(
    account: Account, administrator: User, operator: User
) -> None:
    box = make_mailbox(account.server, account.user, account.password)
    account.deliver(mail(sender="p@school.example", subject="x", message_id="cc@s"))
    assert mailboxes.check_connection(box, actor=administrator) == 1
    with pytest.raises(PermissionDenied):
        mailboxes.check_connection(box, actor=operator)
    Mailbox.objects.filter(pk=box.pk).update(port=1)
    box.refresh_from_db()
    with pytest.raises(DomainError):
        mailboxes.check_connection(box, actor=administrator)


def test_configure_mailbox_validates_and_encrypts(
    administrator: User, operator: User, second_line: OperatorGroup
) -> None:
    base: dict[str, Any] = {
        "name": "Helpdesk",
        "host": "imap.school.example",
        "port": 993,
        "security": "tls",
        "username": "helpdesk@school.example",
        "auth": "password",
        "secret": "geheim",
    }
    with pytest.raises(PermissionDenied):
        mailboxes.configure_mailbox(None, actor=operator, **base)
    with pytest.raises(DomainError) as info:
        mailboxes.configure_mailbox(None, actor=administrator, **(base | {"port": 0, "auth": "x"}))
    assert {"port", "auth"} <= set(info.value.field_errors)
    with pytest.raises(DomainError) as info:
        mailboxes.configure_mailbox(None, actor=administrator, **base, default_operator_group=second_line)
    assert "default_operator_group" in info.value.field_errors
    box = mailboxes.configure_mailbox(None, actor=administrator, **base)
    assert box.secret_encrypted
    assert "geheim" not in box.secret_encrypted
    again = mailboxes.configure_mailbox(
        box, actor=administrator, **(base | {"secret": None}), expected_version=box.version
    )
    assert again.secret_encrypted == box.secret_encrypted
    assert again.version == 2
    with pytest.raises(Conflict):
        mailboxes.configure_mailbox(box, actor=administrator, **base, expected_version=1)


def test_intake_actor_is_made_once(db: Any) -> None:
    a = mail_intake.intake_actor()
    b = mail_intake.intake_actor()
    assert a.pk == b.pk
    assert a.role == Role.OPERATOR
    assert not a.has_usable_password()
    assert User.objects.filter(username=mail_intake.INTAKE_USERNAME).count() == 1


def test_operator_person_may_also_be_a_caller_of_a_new_melding(box: Mailbox) -> None:
    op = make_person(Role.OPERATOR, email="olga@school.example")
    result = process_message(box, mail(sender="olga@school.example", subject="Mijn laptop", message_id="o@s"))
    assert made(result).caller == op


def test_the_same_message_in_two_mailboxes_is_one_melding(box: Mailbox, first_line: OperatorGroup) -> None:
    other = Mailbox.objects.create(
        name="ICT", host="127.0.0.1", username="ict", default_operator_group=first_line
    )
    raw = mail(sender="a@b.example", subject="Aan beide adressen", message_id="both@b.example")
    assert process_message(box, raw).outcome == Outcome.MELDING
    assert process_message(other, raw).outcome == DUPLICATE
    assert Melding.objects.count() == 1


def test_the_periodic_job_polls_active_mailboxes(account: Account, first_line: OperatorGroup) -> None:
    from beheer.core.scheduler import JOBS
    from beheer.mailintake import periodic as mail_periodic

    assert JOBS["mailintake.poll_mailboxes"].func is mail_periodic.poll_mailboxes
    make_mailbox(account.server, account.user, account.password, default_operator_group=first_line)
    make_mailbox(account.server, account.user, "wrong", name="Uit", active=False)
    account.deliver(mail(sender="p@school.example", subject="Periodiek", message_id="periodic@s"))
    assert mail_periodic.poll_mailboxes() == 1
    assert Melding.objects.get().brief_description == "Periodiek"


def test_poll_mail_command(account: Account, first_line: OperatorGroup) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    make_mailbox(account.server, account.user, account.password, default_operator_group=first_line)
    for n in range(3):
        account.deliver(mail(sender=f"c{n}@school.example", subject=f"Commando {n}", message_id=f"cmd-{n}@s"))
    out = StringIO()
    call_command("poll_mail", "--once", "--batch", "2", stdout=out)
    assert Melding.objects.count() == 3
    assert "melding=2" in out.getvalue()
    assert "melding=1" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("poll_mail", "--once", "--mailbox", "bestaat niet")


def test_wait_for_mail_returns_when_a_message_arrives(account: Account, first_line: OperatorGroup) -> None:
    import threading
    import time

    box = make_mailbox(account.server, account.user, account.password)
    timer = threading.Timer(
        0.5, lambda: account.deliver(mail(sender="p@school.example", subject="Nu", message_id="idle@s"))
    )
    started = time.monotonic()
    timer.start()
    try:
        assert mail_intake.wait_for_mail(box, timeout=20) is True
    finally:
        timer.cancel()
    assert time.monotonic() - started < 15
    assert mail_intake.wait_for_mail(box, timeout=0.3) is False
