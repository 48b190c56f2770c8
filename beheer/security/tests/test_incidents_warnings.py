"""Warnings before a reporting deadline passes: to every security officer, once per incident,
deadline and level, without any content of the melding; one broken incident never stops the job."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from beheer.accounts.models import User
from beheer.core import clock
from beheer.notifications.models import OutgoingMessage
from beheer.security.models import DeadlineNotice
from beheer.security.services import incidents, incidents_warnings
from tests.helpers import run_job

from .incident_helpers import data_of, declared, new_melding, officer

pytestmark = pytest.mark.django_db

SECRET = "Cijferlijst klas 3B van Fatima el Amrani"


def _messages(event: str) -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(event=event).order_by("id"))


def test_near_then_passed_each_once_to_every_security_officer(operator: User) -> None:
    first, second = officer(), officer()
    melding = new_melding(operator, text=SECRET)
    incident = declared(operator, melding=melding, breach=True, hours_ago=60)  # 12 of 72 h left
    assert incidents_warnings.send_deadline_warnings() == 1
    assert incidents_warnings.send_deadline_warnings() == 0  # once
    near = _messages("security_deadline_near")
    assert {m.recipient_user_id for m in near} == {first.pk, second.pk}
    for m in near:
        text = f"{m.subject}\n{m.body_text}\n{m.body_html}"
        assert incident.number in text
        assert SECRET not in text
        assert "3B" not in text
        assert melding.number not in text
    later = clock.now() + timedelta(hours=13)
    assert incidents_warnings.send_deadline_warnings(now=later) == 1
    assert incidents_warnings.send_deadline_warnings(now=later) == 0
    passed = _messages("security_deadline_passed")
    assert {m.recipient_user_id for m in passed} == {first.pk, second.pk}
    assert DeadlineNotice.objects.get(incident=incident, deadline="ap_report").level == 2


def test_found_already_passed_only_the_passed_warning(operator: User) -> None:
    officer()
    declared(operator, breach=True, hours_ago=80)
    assert incidents_warnings.send_deadline_warnings() == 1
    assert _messages("security_deadline_near") == []
    assert len(_messages("security_deadline_passed")) == 1


def test_a_met_deadline_is_not_warned_about(operator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True, hours_ago=70)
    incidents.record_report(incident, actor=so, kind="ap_report", made_at=clock.now())
    assert incidents_warnings.send_deadline_warnings() == 0
    assert not OutgoingMessage.objects.filter(event__startswith="security_").exists()


def test_nothing_early_in_the_period(operator: User) -> None:
    officer()
    declared(operator, significant=True, hours_ago=1)
    assert incidents_warnings.send_deadline_warnings() == 0


def test_one_broken_incident_never_stops_the_job(operator: User, monkeypatch: Any) -> None:
    officer()
    broken = declared(operator, breach=True, hours_ago=80)
    fine = declared(operator, breach=True, hours_ago=80)
    real = incidents_warnings.message_context

    def failing(incident: Any, deadline: Any, now: Any) -> Any:
        if incident.pk == broken.pk:
            raise RuntimeError("kapot")
        return real(incident, deadline, now)

    monkeypatch.setattr(incidents_warnings, "message_context", failing)
    run = run_job("security.incident_deadlines")
    assert run.failed_items == 1
    notices = DeadlineNotice.objects.filter(level=2)
    assert list(notices.values_list("incident_id", flat=True)) == [fine.pk]  # the broken one rolled back
    assert len(_messages("security_deadline_passed")) == 1
    monkeypatch.setattr(incidents_warnings, "message_context", real)
    assert incidents_warnings.send_deadline_warnings() == 1  # tried again next run


def test_the_people_concerned_due_now_are_warned_about_once(operator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True, hours_ago=1)
    incidents.edit_incident(
        incident,
        actor=so,
        expected_version=incident.version,
        data=data_of(incident, high_risk=True),
    )
    assert incidents_warnings.send_deadline_warnings() == 1  # the people's notice; the AP's not yet near
    near = _messages("security_deadline_near")
    assert len(near) == 1
    assert "without undue delay" in near[0].body_text or "zonder onredelijke vertraging" in near[0].body_text
    assert incidents_warnings.send_deadline_warnings(now=clock.now() + timedelta(days=3)) == 1  # AP passed
    assert _messages("security_deadline_near") == near  # the people's notice never "passes"
