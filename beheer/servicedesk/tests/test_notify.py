"""The servicedesk's e-mails: which event reaches whom, once, in their language, through a real SMTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from beheer.accounts.models import Role, User
from beheer.cmdb.models import Supplier
from beheer.core.clock import frozen
from beheer.notifications.models import MessageStatus, OutgoingMessage

# Real SMTP server fixtures (aiosmtpd on 127.0.0.1) from the notifications tests.
from beheer.notifications.tests.conftest import (  # noqa: F401
    SmtpServer,
    certificate,
    mail_server,
    smtp,
    smtp_factory,
)
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, Impact, Status, Urgency, Visibility
from tests.helpers import make_person, restore_default_configuration

AMS = ZoneInfo("Europe/Amsterdam")


def at(h: int, mi: int = 0) -> datetime:
    return datetime(2026, 11, 30, h, mi, tzinfo=AMS)  # a Monday


def outbox(event: str | None = None) -> list[OutgoingMessage]:
    qs = OutgoingMessage.objects.order_by("id")
    return list(qs.filter(event=event) if event else qs)


def register(actor: User, caller: User | None, group: Any, **kwargs: Any) -> Any:
    return services.open_melding(
        actor=actor,
        brief_description="Beamer lokaal 2.14 doet het niet",
        entry_type=EntryType.PHONE,
        caller=caller,
        operator_group=group,
        **kwargs,
    )


@pytest.mark.django_db
def test_the_caller_gets_an_acknowledgement_with_the_number(operator, caller, first_line):
    m = register(operator, caller, first_line)
    [msg] = outbox("melding_registered")
    assert msg.recipient == caller.email
    assert m.number in msg.subject
    assert f"/portal/{m.pk}/" in msg.body_text
    assert msg.object_type == "servicedesk.melding"
    assert msg.object_id == m.pk


@pytest.mark.django_db
def test_an_unregistered_caller_is_mailed_at_the_address_left_and_nobody_without_one(operator, first_line):
    register(operator, None, first_line, caller_name="Gast", caller_email="gast@example.org")
    register(operator, None, first_line, caller_name="Gast zonder adres")
    assert [m.recipient for m in outbox("melding_registered")] == ["gast@example.org"]


@pytest.mark.django_db
def test_replies_reach_the_caller_internal_notes_do_not(operator, caller, first_line):
    m = register(operator, caller, first_line)
    services.add_note(m, text="Intern: lamp vervangen?", visibility=Visibility.INTERNAL, actor=operator)
    assert outbox("operator_reply") == []
    services.add_note(m, text="We komen om 14:00 kijken.", visibility=Visibility.CALLER, actor=operator)
    [msg] = outbox("operator_reply")
    assert "We komen om 14:00 kijken." in msg.body_text
    assert "Intern" not in msg.body_text
    services.add_note(m, text="Dank u!", visibility=Visibility.CALLER, actor=caller)  # the caller's own
    assert len(outbox("operator_reply")) == 1


@pytest.mark.django_db
def test_waiting_for_the_caller_and_resolved_are_mailed_other_statuses_not(operator, caller, first_line):
    m = register(operator, caller, first_line)
    m = services.change_status(
        m, status=Status.objects.get(code="in_progress"), actor=operator, expected_version=m.version
    )
    assert outbox("status_changed") == []
    m = services.change_status(
        m, status=Status.objects.get(code="waiting_caller"), actor=operator, expected_version=m.version
    )
    m = services.change_status(
        m, status=Status.objects.get(code="in_progress"), actor=operator, expected_version=m.version
    )
    services.resolve_melding(m, solution="Lamp vervangen.", actor=operator, expected_version=m.version)
    waiting, resolved = outbox("status_changed")
    assert "We wachten op je reactie" in waiting.subject
    assert "is afgemeld" in resolved.subject
    assert "Lamp vervangen." in resolved.body_text


@pytest.mark.django_db
def test_a_status_can_be_set_to_mail_the_caller(operator, caller, first_line):
    Status.objects.filter(code="waiting_supplier").update(notify_caller=True)
    m = register(operator, caller, first_line)
    services.change_status(
        m,
        status=Status.objects.get(code="waiting_supplier"),
        supplier=Supplier.objects.create(name="Leverancier"),
        actor=operator,
        expected_version=m.version,
    )
    [msg] = outbox("status_changed")
    assert "Wachten op leverancier" in msg.body_text


@pytest.mark.django_db
def test_callers_get_mail_in_their_own_language(operator, first_line):
    english = make_person(Role.CALLER, language="en")
    register(operator, english, first_line)
    [msg] = outbox("melding_registered")
    assert msg.language == "en"
    assert msg.subject.startswith("Your call")


@pytest.mark.django_db
def test_a_partial_incident_does_not_mail_the_caller(operator, caller, first_line, second_line):
    m = register(operator, caller, first_line)
    before = len(outbox())
    services.create_partial(m, brief_description="Lamp bestellen", operator_group=second_line, actor=operator)
    assert [msg.event for msg in outbox()[before:]] == []


@pytest.mark.django_db
def test_assignment_mails_the_new_operator_but_not_who_took_it(operator, specialist, caller, first_line):
    m = register(operator, caller, first_line)
    m = services.assign_melding(
        m, operator_group=first_line, operator=operator, actor=operator, expected_version=m.version
    )
    assert outbox("assigned_to_you") == []  # took it themself
    first_line.members.add(specialist)
    services.assign_melding(
        m, operator_group=first_line, operator=specialist, actor=operator, expected_version=m.version
    )
    [msg] = outbox("assigned_to_you")
    assert msg.recipient == specialist.email
    assert f"/meldingen/{m.pk}/" in msg.body_text


@pytest.mark.django_db
def test_an_escalation_to_a_group_with_a_mailbox_mails_the_group(operator, caller, first_line, second_line):
    second_line.email = "systeembeheer@school.example"
    second_line.save()
    m = register(operator, caller, first_line)
    services.escalate_melding(
        m, to_group=second_line, reason="Hardware", actor=operator, expected_version=m.version
    )
    [msg] = outbox("assigned_to_group")
    assert msg.recipient == "systeembeheer@school.example"


@pytest.mark.django_db
def test_sla_escalations_mail_the_operator_and_the_coordinator_once(operator, caller, first_line):
    boss = make_person(Role.COORDINATOR, email="coordinator@school.example")
    first_line.coordinator = boss
    first_line.save()
    with frozen(at(9)):
        m = register(
            operator,
            caller,
            first_line,
            operator=operator,
            impact=Impact.objects.get(code="organisation"),
            urgency=Urgency.objects.get(code="cannot_work"),
        )
    assert services.sweep_sla(now=at(11)) >= 1  # response (30 business minutes) breached
    breached = outbox("sla_breached")
    assert sorted(msg.recipient for msg in breached) == sorted([operator.email, boss.email])
    assert all(m.number in msg.subject for msg in breached)
    services.sweep_sla(now=at(11, 5))
    assert len(outbox("sla_breached")) == 2  # recorded once, mailed once


@pytest.mark.django_db(transaction=True)
def test_the_acknowledgement_arrives_at_a_real_mail_server(
    smtp: SmtpServer,  # noqa: F811
    mail_server: Any,  # noqa: F811
    operator,
    caller,
    first_line,
):
    restore_default_configuration()
    m = register(operator, caller, first_line)
    msg = OutgoingMessage.objects.get(event="melding_registered")
    assert msg.status == MessageStatus.SENT
    [received] = smtp.sink.messages
    assert received["To"] == caller.email
    assert m.number in received["Subject"]


@pytest.mark.django_db
def test_the_melding_page_lists_its_e_mails(operator, coordinator, caller, first_line):
    from tests.helpers import client_for

    m = register(operator, caller, first_line)
    page = client_for(operator).get(f"/meldingen/{m.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "E-mails" in page
    assert caller.email in page
    msg = OutgoingMessage.objects.get(event="melding_registered")
    assert f"/notifications/outbox/{msg.pk}/" not in page  # message bodies are for coordinators
    page = client_for(coordinator).get(f"/meldingen/{m.pk}/").content.decode()
    assert f"/notifications/outbox/{msg.pk}/" in page
