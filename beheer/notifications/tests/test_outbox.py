"""The outbox against a real SMTP sink: enqueue in the caller's transaction, idempotency, languages,
preferences, retries with backoff, a sender stopped mid-send, TLS and AUTH, bounces."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.db import transaction

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.notifications import sending, services
from beheer.notifications.models import MessageStatus, NotificationPreference, OutgoingMessage
from tests.helpers import make_person

from .conftest import SMTP_PASSWORD, SMTP_USER, SmtpServer, configure

CONTEXT = {
    "melding_number": "M0000042",
    "brief_description": "Beamer werkt niet",
    "link_url": "https://beheer.example/portal/42/",
    "caller_name": "Anna Aanmelder",
}


def registered(recipients: list[Any], key: str = "melding:42:registered") -> list[int]:
    with transaction.atomic():
        return services.enqueue(
            "melding_registered",
            key=key,
            recipients=recipients,
            context=CONTEXT,
            object_ref=("servicedesk.melding", 42),
        )


def plain_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def later(minutes: float) -> Any:
    return clock.now() + timedelta(minutes=minutes)


@pytest.mark.django_db(transaction=True)
class TestEnqueueAndSend:
    def test_message_is_sent_after_commit_by_the_task(self, smtp: SmtpServer, mail_server: Any, caller: User):
        ids = registered([caller])
        assert len(ids) == 1
        # The test settings run tasks at once: the after-commit task delivered it already.
        assert len(smtp.sink.messages) == 1
        msg = OutgoingMessage.objects.get(pk=ids[0])
        assert msg.status == MessageStatus.SENT
        assert msg.attempts == 1
        assert msg.sent_at is not None
        received = smtp.sink.messages[0]
        assert received["To"] == caller.email
        assert received["Subject"] == "Je melding M0000042 is geregistreerd: Beamer werkt niet"
        assert received["Auto-Submitted"] == "auto-generated"
        assert received["Message-ID"] == msg.message_id
        assert "Servicedesk <servicedesk@school.example>" in received["From"]
        text = plain_text(received)
        assert "M0000042" in text
        assert received.get_body(("html",)) is not None
        assert msg.object_type == "servicedesk.melding"
        assert msg.object_id == 42

    def test_rollback_writes_nothing_and_sends_nothing(
        self, smtp: SmtpServer, mail_server: Any, caller: User
    ):
        class Boom(Exception):
            pass

        def change_that_fails() -> None:
            with transaction.atomic():
                services.enqueue(
                    "melding_registered",
                    key="melding:1:registered",
                    recipients=[caller],
                    context=CONTEXT,
                    object_ref=None,
                )
                assert OutgoingMessage.objects.count() == 1
                raise Boom

        with pytest.raises(Boom):
            change_that_fails()
        assert OutgoingMessage.objects.count() == 0
        services.send_due(now=later(1))
        assert smtp.sink.messages == []

    def test_with_database_tasks_the_worker_job_sends_and_nothing_else_is_queued(
        self, settings: Any, smtp: SmtpServer, mail_server: Any, caller: User
    ):
        from django_tasks_db.models import DBTaskResult

        from beheer.core import scheduler

        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        registered([caller])
        assert DBTaskResult.objects.count() == 0  # no task row: the request did one commit
        assert smtp.sink.messages == []  # nothing is sent by the request itself
        scheduler.autodiscover()
        job = scheduler.JOBS["notifications.send_due"]
        assert job.every.total_seconds() <= 5  # the worker finds it within seconds
        job.func()
        assert len(smtp.sink.messages) == 1

    def test_same_key_twice_makes_one_message(self, smtp: SmtpServer, mail_server: Any, caller: User):
        first = registered([caller])
        second = registered([caller])
        assert OutgoingMessage.objects.count() == 1
        assert first == [OutgoingMessage.objects.get().pk]
        assert second in ([], first)
        services.send_due(now=later(10))
        assert len(smtp.sink.messages) == 1

    def test_language_per_recipient(
        self, smtp: SmtpServer, mail_server: Any, caller: User, other_caller: User
    ):
        other_caller.language = "en"
        other_caller.save()
        registered([caller, other_caller, "extern@partner.example"])
        subjects = {str(m["To"]): str(m["Subject"]) for m in smtp.sink.messages}
        assert subjects[caller.email].startswith("Je melding M0000042")
        assert subjects[other_caller.email].startswith("Your call M0000042")
        assert subjects["extern@partner.example"].startswith("Je melding")  # the default language

    def test_localized_values_follow_the_language(
        self, smtp: SmtpServer, mail_server: Any, caller: User, other_caller: User
    ):
        other_caller.language = "en"
        other_caller.save()
        with transaction.atomic():
            services.enqueue(
                "status_changed",
                key="melding:42:status:3",
                recipients=[caller, other_caller],
                context={
                    **CONTEXT,
                    "status": {"nl": "In behandeling", "en": "In progress"},
                    "status_kind": "open",
                },
                object_ref=None,
            )
        nl = plain_text(smtp.sink.by_to(caller.email)[0])
        en = plain_text(smtp.sink.by_to(other_caller.email)[0])
        assert "is nu: In behandeling" in nl
        assert "is now: In progress" in en

    def test_thread_headers_are_kept(self, smtp: SmtpServer, mail_server: Any, caller: User):
        with transaction.atomic():
            services.enqueue(
                "operator_reply",
                key="melding:42:note:9",
                recipients=[caller],
                context={**CONTEXT, "operator_name": "Olga", "reply_text": "Probeer het nog eens."},
                object_ref=("servicedesk.melding", 42),
                thread_headers={"In-Reply-To": "<abc@mail.example>", "References": "<abc@mail.example>"},
            )
        received = smtp.sink.messages[0]
        assert received["In-Reply-To"] == "<abc@mail.example>"
        assert received["References"] == "<abc@mail.example>"

    def test_people_without_address_and_muted_events_are_skipped(
        self, smtp: SmtpServer, mail_server: Any, caller: User, other_caller: User
    ):
        nomail = make_person(Role.CALLER, email="")
        services.set_preferences(other_caller, preferences={"melding_registered": False}, actor=other_caller)
        ids = registered([caller, other_caller, nomail, "not an address"])
        assert len(ids) == 1
        assert [str(m["To"]) for m in smtp.sink.messages] == [caller.email]

    def test_duplicate_addresses_get_one_message(self, smtp: SmtpServer, mail_server: Any, caller: User):
        ids = registered([caller, caller.email.upper(), caller])
        assert len(ids) == 1

    def test_group_address_and_members(
        self,
        smtp: SmtpServer,
        mail_server: Any,
        first_line: OperatorGroup,
        operator: User,
        administrator: User,
    ):
        first_line.email = "servicedesk-team@school.example"
        first_line.save()
        with transaction.atomic():
            services.enqueue(
                "assigned_to_group",
                key="melding:42:group:1",
                recipients=[first_line],
                context={**CONTEXT, "operator_group": "Servicedesk", "priority": "P2", "assigned_by": "Cora"},
                object_ref=None,
            )
        assert [str(m["To"]) for m in smtp.sink.messages] == ["servicedesk-team@school.example"]
        services.configure_group(
            first_line, actor=administrator, email="", mail_group_address=False, mail_members=True
        )
        with transaction.atomic():
            services.enqueue(
                "assigned_to_group",
                key="melding:42:group:2",
                recipients=[first_line],
                context={**CONTEXT, "operator_group": "Servicedesk", "priority": "P2", "assigned_by": "Cora"},
                object_ref=None,
            )
        assert [str(m["To"]) for m in smtp.sink.messages][1:] == [operator.email]

    def test_unknown_event_is_refused(self, caller: User):
        with pytest.raises(DomainError), transaction.atomic():
            services.enqueue("nope", key="x", recipients=[caller], context={}, object_ref=None)

    def test_without_mail_server_messages_wait(self, smtp: SmtpServer, caller: User, administrator: User):
        ids = registered([caller])
        msg = OutgoingMessage.objects.get(pk=ids[0])
        assert msg.status == MessageStatus.PENDING
        assert msg.attempts == 0
        configure(smtp, administrator)
        assert services.send_due(now=later(1)) == {"sent": 1}
        assert len(smtp.sink.messages) == 1


@pytest.mark.django_db(transaction=True)
class TestRetries:
    def test_451_is_retried_with_backoff_then_sent(
        self, smtp_factory: Any, administrator: User, caller: User
    ):
        server = smtp_factory(fail_first=2)
        configure(server, administrator)
        start = clock.now()
        with clock.frozen(start):
            [pk] = registered([caller])
        msg = OutgoingMessage.objects.get(pk=pk)
        assert msg.status == MessageStatus.RETRYING
        assert msg.attempts == 1
        assert "451" in msg.last_error
        assert msg.next_attempt_at == start + timedelta(minutes=1)

        # not yet due: nothing happens
        assert services.send_due(now=start + timedelta(seconds=30)) == {}
        with clock.frozen(start + timedelta(minutes=1)):
            assert services.send_due() == {"retrying": 1}
        msg.refresh_from_db()
        assert msg.attempts == 2
        assert msg.next_attempt_at == start + timedelta(minutes=1) + timedelta(minutes=2)

        with clock.frozen(start + timedelta(minutes=3)):
            assert services.send_due() == {"sent": 1}
        msg.refresh_from_db()
        assert msg.status == MessageStatus.SENT
        assert msg.attempts == 3
        assert msg.last_error == ""
        assert server.sink.attempts == 3
        assert len(server.sink.messages) == 1

    def test_dead_after_max_attempts_and_retry_by_admin(
        self, smtp_factory: Any, administrator: User, caller: User, coordinator: User, settings: Any
    ):
        settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
        server = smtp_factory(fail_first=3)
        configure(server, administrator)
        [pk] = registered([caller])
        for minutes in (1, 3):
            with clock.frozen(clock.now() + timedelta(minutes=minutes)):
                services.send_due()
        msg = OutgoingMessage.objects.get(pk=pk)
        assert msg.status == MessageStatus.DEAD
        assert msg.attempts == 3
        assert server.sink.messages == []
        # more sweeps do not touch a dead message
        services.send_due(now=later(500))
        assert OutgoingMessage.objects.get(pk=pk).attempts == 3

        with pytest.raises(PermissionDenied):
            services.retry_message(msg, actor=coordinator)
        services.retry_message(msg, actor=administrator)  # the task sends it after the commit
        msg.refresh_from_db()
        assert msg.status == MessageStatus.SENT
        assert len(server.sink.messages) == 1
        with pytest.raises(Conflict):
            services.retry_message(msg, actor=administrator)

    def test_refused_recipient_is_dead_at_once(self, smtp: SmtpServer, mail_server: Any, caller: User):
        smtp.sink.refuse_with = "550 5.1.1 No such user"
        [pk] = registered([caller])
        msg = OutgoingMessage.objects.get(pk=pk)
        assert msg.status == MessageStatus.DEAD
        assert msg.attempts == 1
        assert "550" in msg.last_error

    def test_unreachable_server_is_retried(self, administrator: User, caller: User):
        from .conftest import free_port

        services.configure_mail_server(
            actor=administrator,
            host="127.0.0.1",
            port=free_port(),
            security="none",
            verify_certificate=True,
            username="",
            password=None,
            from_address="sd@school.example",
            from_name="",
            timeout=2,
            active=True,
        )
        [pk] = registered([caller])
        msg = OutgoingMessage.objects.get(pk=pk)
        assert msg.status == MessageStatus.RETRYING
        assert "Connection" in msg.last_error or "refused" in msg.last_error.lower()


@pytest.mark.django_db(transaction=True)
class TestStoppedSender:
    def test_row_left_sending_is_sent_once_after_the_lease(
        self, smtp: SmtpServer, administrator: User, caller: User
    ):
        [pk] = registered([caller])  # no mail server yet: pending
        configure(smtp, administrator)
        start = clock.now()
        token, rows = sending.claim(now=start, batch=10)
        assert [r.pk for r in rows] == [pk]
        # ... the worker is killed here: the row stays in "sending"
        msg = OutgoingMessage.objects.get(pk=pk)
        assert msg.status == MessageStatus.SENDING

        # within the lease nobody takes it
        assert services.send_due(now=start + sending.LEASE - timedelta(seconds=1)) == {}
        assert smtp.sink.messages == []

        # after the lease it is sent, once, however many sweeps run
        assert services.send_due(now=start + sending.LEASE + timedelta(seconds=1)) == {"sent": 1}
        assert services.send_due(now=start + sending.LEASE + timedelta(minutes=30)) == {}
        assert len(smtp.sink.messages) == 1
        msg.refresh_from_db()
        assert msg.status == MessageStatus.SENT
        assert msg.attempts == 2

        # the stopped sender coming back late cannot overwrite the outcome
        sending._finish(rows[0], token, now=start, error="late failure")
        msg.refresh_from_db()
        assert msg.status == MessageStatus.SENT
        assert msg.last_error == ""

    def test_two_claims_never_share_a_row(self, administrator: User, caller: User):
        registered([caller, "a@school.example", "b@school.example"])
        now = later(1)
        _t1, first = sending.claim(now=now, batch=2)
        _t2, second = sending.claim(now=now, batch=10)
        assert len(first) == 2
        assert len(second) == 1
        assert not {r.pk for r in first} & {r.pk for r in second}

    def test_abandoned_last_attempt_is_given_up(self, administrator: User, caller: User, settings: Any):
        settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
        [pk] = registered([caller])
        start = clock.now()
        sending.claim(now=start, batch=10)
        services.send_due(now=start + sending.LEASE + timedelta(seconds=1))
        msg = OutgoingMessage.objects.get(pk=pk)
        assert msg.status == MessageStatus.DEAD
        assert msg.last_error


@pytest.mark.django_db(transaction=True)
class TestTlsAndAuth:
    def test_starttls_with_auth(self, smtp_factory: Any, administrator: User, caller: User):
        server = smtp_factory(security="starttls", auth=True)
        configure(server, administrator, username=SMTP_USER, password=SMTP_PASSWORD)
        [pk] = registered([caller])
        assert OutgoingMessage.objects.get(pk=pk).status == MessageStatus.SENT
        assert len(server.sink.messages) == 1

    def test_wrong_password_is_retried_with_the_error(
        self, smtp_factory: Any, administrator: User, caller: User
    ):
        server = smtp_factory(security="starttls", auth=True)
        configure(server, administrator, username=SMTP_USER, password="wrong-password")
        [pk] = registered([caller])
        msg = OutgoingMessage.objects.get(pk=pk)
        assert msg.status == MessageStatus.RETRYING
        assert "535" in msg.last_error
        assert server.sink.messages == []

    def test_certificate_is_verified_by_default(
        self, smtp_factory: Any, administrator: User, caller: User, settings: Any
    ):
        server = smtp_factory(security="starttls")
        configure(server, administrator, verify_certificate=True)
        [pk] = registered([caller], key="k1")
        msg = OutgoingMessage.objects.get(pk=pk)
        assert msg.status == MessageStatus.RETRYING
        assert "CERTIFICATE_VERIFY_FAILED" in msg.last_error
        # trusting the certificate through BEHEER_SMTP_CA_FILE makes it work
        settings.SMTP_CA_FILE = str(server.cert_file)
        services.send_due(now=later(2))
        assert OutgoingMessage.objects.get(pk=pk).status == MessageStatus.SENT

    @pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
    def test_implicit_tls(self, smtp_factory: Any, administrator: User, caller: User, settings: Any):
        server = smtp_factory(security="tls", auth=True)
        settings.SMTP_CA_FILE = str(server.cert_file)
        configure(server, administrator, verify_certificate=True, username=SMTP_USER, password=SMTP_PASSWORD)
        [pk] = registered([caller])
        assert OutgoingMessage.objects.get(pk=pk).last_error == ""
        assert OutgoingMessage.objects.get(pk=pk).status == MessageStatus.SENT
        assert len(server.sink.messages) == 1

    def test_password_is_stored_encrypted(self, smtp: SmtpServer, administrator: User):
        server = configure(smtp, administrator, username=SMTP_USER, password=SMTP_PASSWORD)
        assert SMTP_PASSWORD not in server.password_encrypted
        assert sending.smtp_config(server).password == SMTP_PASSWORD
        # saving without a password keeps it
        server = configure(smtp, administrator, username=SMTP_USER, password=None)
        assert sending.smtp_config(server).password == SMTP_PASSWORD

    def test_test_email(self, smtp: SmtpServer, mail_server: Any, administrator: User, operator: User):
        services.send_test_email(actor=administrator, to="admin@school.example")
        assert [str(m["To"]) for m in smtp.sink.messages] == ["admin@school.example"]
        assert OutgoingMessage.objects.count() == 0
        with pytest.raises(PermissionDenied):
            services.send_test_email(actor=operator, to="admin@school.example")
        smtp.sink.refuse_with = "554 5.7.1 Rejected"
        with pytest.raises(DomainError) as exc:
            services.send_test_email(actor=administrator, to="admin@school.example")
        assert "554" in exc.value.message


@pytest.mark.django_db
class TestBouncesAndValidation:
    def test_record_bounce(self, caller: User):
        with transaction.atomic():
            [pk] = services.enqueue(
                "melding_registered", key="b:1", recipients=[caller], context=CONTEXT, object_ref=None
            )
        msg = OutgoingMessage.objects.get(pk=pk)
        found = services.record_bounce(msg.message_id.strip("<>"), detail="550 mailbox unavailable")
        assert found is not None
        assert found.pk == pk
        assert found.status == MessageStatus.DEAD
        assert found.bounced_at is not None
        assert "550 mailbox unavailable" in found.last_error
        assert services.record_bounce("<unknown@x>", detail="?") is None

    def test_mail_server_validation(self, administrator: User):
        with pytest.raises(DomainError) as exc:
            services.configure_mail_server(
                actor=administrator,
                host="bad host",
                port=0,
                security="ssl3",
                verify_certificate=True,
                username="",
                password=None,
                from_address="nope",
                from_name="",
                timeout=0,
                active=True,
            )
        assert set(exc.value.field_errors) == {"host", "port", "security", "from_address", "timeout"}

    def test_preferences_default_on(self, caller: User, other_caller: User, administrator: User):
        prefs = services.preferences_of(caller)
        assert all(prefs.values())
        services.set_preferences(caller, preferences={"operator_reply": False}, actor=caller)
        assert services.preferences_of(caller)["operator_reply"] is False
        assert NotificationPreference.objects.filter(user=caller).count() == 1
        with pytest.raises(PermissionDenied):
            services.set_preferences(caller, preferences={"operator_reply": True}, actor=other_caller)
        services.set_preferences(caller, preferences={"operator_reply": True}, actor=administrator)
        assert services.preferences_of(caller)["operator_reply"] is True
        with pytest.raises(DomainError):
            services.set_preferences(caller, preferences={"nope": True}, actor=caller)
