"""The outbox keeps going and stays honest: one bad message never stops the others, stale messages
expire instead of going out late, administrators discard a backlog in bulk, and the dashboard says
what waits. Against a real SMTP sink (aiosmtpd on loopback)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils.translation import gettext

from beheer.accounts.models import Role, User
from beheer.core import clock
from beheer.core.errors import DomainError, PermissionDenied
from beheer.notifications import services
from beheer.notifications.models import (
    EventSetting,
    MessageStatus,
    OutboxDiscard,
    OutgoingMessage,
)
from tests.faults import failing_write
from tests.helpers import client_for, make_person

from .conftest import SmtpServer, configure

CONTEXT = {
    "melding_number": "M0000042",
    "brief_description": "Beamer werkt niet",
    "link_url": "https://beheer.example/portal/42/",
    "caller_name": "Anna Aanmelder",
}


def enqueue(event: str, recipients: list[Any], key: str, context: dict[str, Any] | None = None) -> list[int]:
    with transaction.atomic():
        return services.enqueue(
            event,
            key=key,
            recipients=recipients,
            context=context or CONTEXT,
            object_ref=("servicedesk.melding", 42),
        )


def status_of(pk: int) -> str:
    return OutgoingMessage.objects.get(pk=pk).status


def english(user: User) -> Client:
    """A signed-in client that reads the pages in English (the person's language wins)."""
    User.objects.filter(pk=user.pk).update(language="en")
    return client_for(user)


# --- one bad message, the others go on -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_message_that_cannot_be_rendered_is_recorded_and_the_others_are_sent(
    smtp: SmtpServer, mail_server: Any, coordinator: User
) -> None:
    recipients = [
        services.Recipient("een@school.example", language="en"),
        services.Recipient("twee@school.example", language="nl"),
        services.Recipient("drie@school.example", language="en"),
    ]
    # The Dutch text is too long to render (bad data); the English one is fine.
    context = {**CONTEXT, "brief_description": {"nl": "x" * 200_000, "en": "Projector is broken"}}
    ids = enqueue("melding_registered", recipients, "melding:42:bad-data", context)

    assert len(ids) == 3
    assert sorted(str(m["To"]) for m in smtp.sink.messages) == ["drie@school.example", "een@school.example"]
    bad = OutgoingMessage.objects.get(recipient="twee@school.example")
    assert bad.status == MessageStatus.DEAD
    assert "too long" in bad.last_error or "te lang" in bad.last_error
    assert {status_of(pk) for pk in ids if pk != bad.pk} == {MessageStatus.SENT}
    # the error is shown in the outbox screen and the API
    client = client_for(coordinator)
    assert bad.last_error[:40] in client.get("/notifications/outbox/?status=dead").content.decode()
    api = client.get(f"/api/v1/notifications/outbox/{bad.pk}").json()
    assert (api["status"], api["last_error"]) == ("dead", bad.last_error)


@pytest.mark.django_db(transaction=True)
def test_a_removed_or_inactive_recipient_is_not_mailed_and_the_others_are(
    smtp: SmtpServer, administrator: User
) -> None:
    people = [make_person(Role.CALLER, email=f"p{n}@school.example") for n in range(4)]
    ids = enqueue("melding_registered", people, "melding:42:people")  # no mail server yet: queued
    assert {status_of(pk) for pk in ids} == {MessageStatus.PENDING}
    removed, inactive = people[1], people[2]
    User.objects.filter(pk=removed.pk).delete()
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    configure(smtp, administrator)

    assert services.send_due() == {"sent": 2, "dead": 2}

    assert sorted(str(m["To"]) for m in smtp.sink.messages) == ["p0@school.example", "p3@school.example"]
    reasons = {  # worded in the language the sender runs in (the site's)
        "p1@school.example": gettext("The recipient has been removed; the message is not sent."),
        "p2@school.example": gettext("The recipient is no longer active; the message is not sent."),
    }
    for address, reason in reasons.items():
        msg = OutgoingMessage.objects.get(recipient=address)
        assert (msg.status, msg.last_error) == (MessageStatus.DEAD, reason)


@pytest.mark.django_db(transaction=True)
def test_a_database_error_on_one_message_does_not_stop_the_send_loop(
    smtp: SmtpServer, administrator: User
) -> None:
    ids = [
        enqueue("melding_registered", [f"{name}@school.example"], f"melding:{n}:db")[0]
        for n, name in enumerate(["een", "boom", "drie"])
    ]
    configure(smtp, administrator)
    boom = {"recipient": "boom@school.example", "status": "sent"}
    with failing_write(OutgoingMessage, boom, on="UPDATE") as error:
        outcome = services.send_due()

    assert outcome == {"sent": 2, "unrecorded": 1}
    assert status_of(ids[0]) == status_of(ids[2]) == MessageStatus.SENT
    stuck = OutgoingMessage.objects.get(pk=ids[1])
    assert stuck.status == MessageStatus.SENDING  # its lease runs out, then it is tried again
    assert error in stuck.last_error


@pytest.mark.django_db(transaction=True)
def test_a_transport_error_on_one_message_does_not_stop_the_others(
    smtp: SmtpServer, mail_server: Any
) -> None:
    # aiosmtpd refuses one recipient at DATA time when asked to; here: an address the sink refuses
    ids = [
        enqueue("melding_registered", [f"{name}@school.example"], f"melding:{n}:smtp")[0]
        for n, name in enumerate(["een", "twee"])
    ]
    assert {status_of(pk) for pk in ids} == {MessageStatus.SENT}
    smtp.sink.refuse_with = "550 5.7.1 Refused"
    [refused] = enqueue("melding_registered", ["drie@school.example"], "melding:3:smtp")
    smtp.sink.refuse_with = ""
    [after] = enqueue("melding_registered", ["vier@school.example"], "melding:4:smtp")
    assert status_of(refused) == MessageStatus.DEAD
    assert "550" in OutgoingMessage.objects.get(pk=refused).last_error
    assert status_of(after) == MessageStatus.SENT


# --- time to live ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_stale_messages_expire_instead_of_going_out_late(
    smtp: SmtpServer, administrator: User, caller: User, coordinator: User
) -> None:
    start = clock.now()
    with clock.frozen(start):  # no mail server: everything waits
        [warning] = enqueue("sla_breached", [caller], "melding:42:breach", {**CONTEXT, "target_date": "x"})
        [ack] = enqueue("melding_registered", [caller], "melding:42:ack")
    assert OutgoingMessage.objects.get(pk=warning).expires_at == start + timedelta(hours=4)
    assert OutgoingMessage.objects.get(pk=ack).expires_at == start + timedelta(hours=72)
    page = english(coordinator).get("/notifications/outbox/").content.decode()
    assert "Queued" in page  # not "sent": nothing is

    configure(smtp, administrator)  # the mail server comes five hours later
    with clock.frozen(start + timedelta(hours=5)):
        assert services.send_due() == {"expired": 1, "sent": 1}

    expired = OutgoingMessage.objects.get(pk=warning)
    assert expired.status == MessageStatus.EXPIRED
    assert expired.sent_at is None
    assert expired.last_error
    assert [str(m["To"]) for m in smtp.sink.messages] == [caller.email]
    assert "breach" not in str(smtp.sink.messages[0]["X-Beheer-Event"])
    # visible and filterable, in the screen and the API
    client = english(coordinator)
    listing = client.get("/notifications/outbox/?status=expired").content.decode()
    assert f"/notifications/outbox/{warning}/" in listing
    assert f"/notifications/outbox/{ack}/" not in listing
    assert "Expired, not sent" in listing
    api = client.get("/api/v1/notifications/outbox?status=expired").json()
    assert [m["id"] for m in api["items"]] == [warning]
    assert api["items"][0]["expires_at"]
    # later sweeps leave it alone
    with clock.frozen(start + timedelta(hours=50)):
        assert services.send_due() == {}


@pytest.mark.django_db(transaction=True)
def test_administrators_change_the_time_to_live_and_waiting_messages_follow(
    administrator: User, coordinator: User, caller: User
) -> None:
    [pk] = enqueue("melding_registered", [caller], "melding:42:ttl")
    created = OutgoingMessage.objects.get(pk=pk).created_at
    assert services.ttl_hours("melding_registered") == 72
    with pytest.raises(PermissionDenied):
        services.set_ttl_hours(actor=coordinator, hours={"melding_registered": 1})
    with pytest.raises(DomainError):
        services.set_ttl_hours(actor=administrator, hours={"melding_registered": -1})

    admin = english(administrator)
    form = {code: str(hours) for code, hours in services.ttl_settings().items()}
    assert admin.get("/notifications/time-to-live/").status_code == 200
    response = admin.post("/notifications/time-to-live/", {**form, "melding_registered": "2"})
    assert response.status_code == 302
    assert EventSetting.objects.get(event="melding_registered").ttl_hours == 2
    assert services.ttl_hours("melding_registered") == 2
    assert OutgoingMessage.objects.get(pk=pk).expires_at == created + timedelta(hours=2)
    # 0: no limit
    api = admin.put(
        "/api/v1/notifications/time-to-live",
        {"hours": {"melding_registered": 0}},
        content_type="application/json",
    )
    assert api.status_code == 200
    assert api.json()["hours"]["melding_registered"] == 0
    assert OutgoingMessage.objects.get(pk=pk).expires_at is None
    assert client_for(coordinator).get("/notifications/time-to-live/").status_code == 403
    assert client_for(coordinator).get("/api/v1/notifications/time-to-live").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_backlog_from_before_the_upgrade_gets_a_time_to_live(caller: User) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("beheer.notifications.migrations.0007_outbox_expiry_discard_attachments")
    [pk] = enqueue("sla_at_risk", [caller], "melding:42:old", {**CONTEXT, "target_date": "x"})
    OutgoingMessage.objects.filter(pk=pk).update(expires_at=None, to_person=False)
    migration.limit_waiting_messages(apps, None)
    msg = OutgoingMessage.objects.get(pk=pk)
    assert msg.expires_at == msg.created_at + timedelta(hours=4)
    assert msg.to_person


# --- bulk discard ----------------------------------------------------------------------------------


@pytest.fixture
def backlog(db: Any, caller: User) -> dict[str, int]:
    """Messages in every state: two queued, one retrying, one failed, one sent, one in flight."""
    ids = {
        name: enqueue("melding_registered", [f"{name}@school.example"], f"melding:{n}:backlog")[0]
        for n, name in enumerate(["queued1", "queued2", "retrying", "failed", "sent", "sending"])
    }
    OutgoingMessage.objects.filter(pk=ids["retrying"]).update(status=MessageStatus.RETRYING, attempts=1)
    OutgoingMessage.objects.filter(pk=ids["failed"]).update(status=MessageStatus.DEAD, attempts=8)
    OutgoingMessage.objects.filter(pk=ids["sent"]).update(status=MessageStatus.SENT, sent_at=clock.now())
    OutgoingMessage.objects.filter(pk=ids["sending"]).update(status=MessageStatus.SENDING, claim_token="t")
    return ids


def test_discard_takes_waiting_and_failed_messages_written_before_the_count(
    backlog: dict[str, int], administrator: User, coordinator: User, caller: User
) -> None:
    shown_at = clock.now()
    filters = services.DiscardFilter()
    assert services.discard_candidates(filters, created_before=shown_at).count() == 4
    with pytest.raises(PermissionDenied):
        services.discard_messages(filters, actor=coordinator, created_before=shown_at)
    [late] = enqueue("melding_registered", ["late@school.example"], "melding:9:late")
    OutgoingMessage.objects.filter(pk=late).update(created_at=shown_at + timedelta(seconds=1))

    record = services.discard_messages(filters, actor=administrator, created_before=shown_at)

    assert record.count == 4
    assert (record.actor, record.created_before) == (administrator, shown_at)
    statuses = {name: status_of(pk) for name, pk in backlog.items()}
    assert statuses == {
        "queued1": "discarded",
        "queued2": "discarded",
        "retrying": "discarded",
        "failed": "discarded",
        "sent": "sent",
        "sending": "sending",  # in flight: left alone
    }
    assert status_of(late) == MessageStatus.PENDING  # written after the count was shown
    assert administrator.get_full_name() in OutgoingMessage.objects.get(pk=backlog["queued1"]).last_error
    # by status, event and age
    later = shown_at + timedelta(seconds=5)
    assert (
        services.discard_candidates(services.DiscardFilter(status="pending"), created_before=later).count()
        == 1
    )
    assert (
        services.discard_candidates(
            services.DiscardFilter(event="sla_breached"), created_before=later
        ).count()
        == 0
    )
    assert (
        services.discard_candidates(services.DiscardFilter(older_than_hours=1), created_before=later).count()
        == 0
    )
    with pytest.raises(DomainError):
        services.discard_candidates(services.DiscardFilter(status="sent"))


def test_discard_screen_shows_the_count_and_needs_confirmation(
    backlog: dict[str, int], administrator: User, coordinator: User
) -> None:
    admin = english(administrator)
    outbox = admin.get("/notifications/outbox/").content.decode()
    assert "/notifications/outbox/discard/" in outbox
    page = admin.get("/notifications/outbox/discard/?status=&event=&older_than_hours=0").content.decode()
    assert 'data-discard-count="4"' in page
    assert "4 messages match" in page
    shown_at = clock.now().isoformat()
    # without ticking the box nothing happens
    refused = admin.post("/notifications/outbox/discard/", {"status": "", "created_before": shown_at})
    assert refused.status_code == 302
    assert not OutboxDiscard.objects.exists()
    done = admin.post(
        "/notifications/outbox/discard/",
        {"status": "dead", "event": "", "older_than_hours": "0", "created_before": shown_at, "confirm": "on"},
    )
    assert done.status_code == 302
    assert status_of(backlog["failed"]) == MessageStatus.DISCARDED
    assert status_of(backlog["queued1"]) == MessageStatus.PENDING
    record = OutboxDiscard.objects.get()
    assert (record.count, record.status, record.actor_id) == (1, "dead", administrator.pk)
    assert administrator.get_full_name() in admin.get("/notifications/outbox/discard/").content.decode()
    # coordinators see the outbox but cannot discard
    coord = client_for(coordinator)
    assert coord.get("/notifications/outbox/discard/").status_code == 403
    assert "/notifications/outbox/discard/" not in coord.get("/notifications/outbox/").content.decode()


def test_discard_api(backlog: dict[str, int], administrator: User, coordinator: User) -> None:
    admin = client_for(administrator)
    preview = admin.get("/api/v1/notifications/outbox/discard?status=pending").json()
    assert preview["count"] == 2
    assert client_for(coordinator).get("/api/v1/notifications/outbox/discard").status_code == 403
    forbidden = client_for(coordinator).post(
        "/api/v1/notifications/outbox/discard",
        {"status": "pending", "created_before": preview["created_before"]},
        content_type="application/json",
    )
    assert forbidden.status_code == 403
    bad = admin.post(
        "/api/v1/notifications/outbox/discard",
        {"status": "sent", "created_before": preview["created_before"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    done = admin.post(
        "/api/v1/notifications/outbox/discard",
        {"status": "pending", "created_before": preview["created_before"]},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["count"] == 2
    assert done.json()["actor_id"] == administrator.pk
    assert status_of(backlog["queued1"]) == status_of(backlog["queued2"]) == MessageStatus.DISCARDED
    assert status_of(backlog["retrying"]) == MessageStatus.RETRYING


# --- the dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_counts_what_waits_failed_and_expired(
    backlog: dict[str, int], coordinator: User, administrator: User, operator: User
) -> None:
    OutgoingMessage.objects.filter(pk=backlog["queued2"]).update(status=MessageStatus.EXPIRED)
    summary = services.outbox_summary()
    assert (summary.waiting, summary.failed, summary.expired) == (3, 1, 1)  # queued, retrying, in flight
    assert not summary.mail_server_configured

    page = english(coordinator).get("/dashboard/").content.decode()
    assert 'data-outbox-waiting="3"' in page
    assert 'data-outbox-failed="1"' in page
    assert 'data-outbox-expired="1"' in page
    assert "No mail server is configured: 3 messages are waiting" in page
    assert "/notifications/outbox/discard/" not in page  # the bulk discard is for administrators
    admin_page = client_for(administrator).get("/dashboard/").content.decode()
    assert "/notifications/outbox/discard/" in admin_page
    assert "/notifications/mail-server/" in admin_page
    assert "data-outbox-waiting" not in client_for(operator).get("/dashboard/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_has_no_warning_with_a_mail_server(
    smtp: SmtpServer, mail_server: Any, coordinator: User
) -> None:
    page = english(coordinator).get("/dashboard/").content.decode()
    assert 'data-outbox-waiting="0"' in page
    assert "No mail server is configured" not in page
