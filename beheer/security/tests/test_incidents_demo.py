"""The demo's breach: closed, reported to the AP within 72 hours, the people told, the call closed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from beheer.accounts import services as accounts
from beheer.accounts.models import Role, User
from beheer.core import clock
from beheer.security.demo import Cast
from beheer.security.demo import incidents as demo
from beheer.security.models import IncidentReport, IncidentStatus, SecurityIncident
from beheer.security.services import incidents
from tests.helpers import make_person

pytestmark = pytest.mark.django_db


def test_the_demo_breach(operator: User, coordinator: User, administrator: User) -> None:
    specialist = make_person(Role.OPERATOR)
    accounts.set_officer_marks(specialist, security_officer=True, privacy_officer=False, actor=administrator)
    specialist.refresh_from_db()
    callers = [make_person(Role.CALLER) for _ in range(3)]
    now = clock.now()
    demo.create(
        Cast(
            administrator=administrator,
            coordinator=coordinator,
            security_officer=specialist,
            privacy_officer=coordinator,
            desk=operator,
            callers=callers,
            now=now,
        )
    )
    incident = SecurityIncident.objects.select_related("melding").get()
    assert incident.breach
    assert incident.status == IncidentStatus.CLOSED
    assert timedelta(days=20) < now - incident.aware_at < timedelta(days=22)
    assert incident.melding.restricted
    assert not incident.melding.is_open
    ap = IncidentReport.objects.get(incident=incident, kind="ap_report")
    assert ap.made_at - incident.aware_at < timedelta(hours=72)
    assert ap.reference
    assert IncidentReport.objects.filter(incident=incident, kind="people_notice").exists()
    assert all(d.met for d in incidents.deadlines_of(incident))
    assert not incident.clocks_open
