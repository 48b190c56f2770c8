"""The operators' acceptance session pages: plan, add users, invite, advice, and who may open them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from beheer.core import clock
from beheer.notifications.models import OutgoingMessage
from beheer.testing.models import AcceptanceSession, SessionParticipant, SessionStatus
from tests.helpers import client_for

from .helpers import add_case, scene
from .test_sessions import acc

pytestmark = pytest.mark.django_db


def test_operator_plans_adds_and_invites(django_assert_max_num_queries: Any) -> None:
    operator, client_user, change, _r, plan = scene()
    case = add_case(plan, "Inloggen")
    web = client_for(operator)
    assert web.get(reverse("testing-sessions", args=[change.pk])).status_code == 200
    start = (clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    bad = web.post(reverse("testing-session-create", args=[change.pk]), {"title": "", "starts_at": start})
    assert bad.status_code == 400
    made = web.post(
        reverse("testing-session-create", args=[change.pk]),
        {"title": "Wifi-test", "starts_at": start, "place": "Aula"},
    )
    session = AcceptanceSession.objects.get(plan=plan)
    assert made.status_code == 302
    web.post(
        reverse("testing-session-participant-add", args=[change.pk, session.pk]),
        {"person": client_user.pk, "cases": [case.pk]},
    )
    assert SessionParticipant.objects.filter(session=session, person=client_user).exists()
    web.post(reverse("testing-session-invite", args=[change.pk, session.pk]))
    session.refresh_from_db()
    assert session.status == SessionStatus.INVITED
    assert OutgoingMessage.objects.filter(event="acceptance_invitation").count() == 1
    with django_assert_max_num_queries(40):
        page = web.get(reverse("testing-session", args=[change.pk, session.pk]))
    assert page.status_code == 200
    assert b"data-results" in page.content
    web.post(
        reverse("testing-session-advice", args=[change.pk, session.pk]),
        {"advice": "accepted", "text": "", "version": session.version},
    )
    session.refresh_from_db()
    assert session.advice == "accepted"


def test_callers_cannot_open_the_operator_pages() -> None:
    a = acc()
    for user in (a.anna, a.client):
        web = client_for(user)
        assert web.get(reverse("testing-session", args=[a.change.pk, a.session.pk])).status_code in (
            302,
            403,
            404,
        )
        web.post(reverse("testing-session-cancel", args=[a.change.pk, a.session.pk]))
    a.session.refresh_from_db()
    assert a.session.status == SessionStatus.INVITED
