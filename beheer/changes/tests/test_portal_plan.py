"""The client of a change sees its plan in the portal (titles and dates, nothing internal) and
approves the version they read; nobody else sees it or approves it, by the page or the API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from beheer.accounts.models import Role, User
from beheer.changes import services
from beheer.changes.models import Change, ChangeActivity, PlanApproval
from beheer.core import clock
from tests.helpers import client_for, make_person

from .helpers import fresh, make_change

pytestmark = pytest.mark.django_db
API = "/api/v1/portal/changes"


def _planned(operator: User, client: User) -> tuple[Change, ChangeActivity]:
    change = make_change(operator, client=client, coordinator=operator)
    start = clock.now() + timedelta(days=3)
    step = services.add_activity(
        change,
        actor=operator,
        title="Access points ophangen",
        assignee=operator,
        estimate_minutes=240,
        planned_start=start,
        planned_end=start + timedelta(hours=4),
    )
    return fresh(change), step


def test_the_client_sees_the_plan_without_internals_and_approves_it_once() -> None:
    operator = make_person(Role.OPERATOR, first_name="Geheime", last_name="Monteur")
    client = make_person(Role.CALLER)
    change, _step = _planned(operator, client)
    browser = client_for(client)
    page = browser.get(f"/portal/changes/{change.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Access points ophangen" in html
    assert "data-plan-approval" in html
    assert "Geheime Monteur" not in html  # no assignee in the portal
    # without the confirmation nothing is recorded
    missing = browser.post(
        f"/portal/changes/{change.pk}/plan/", {"plan_version": 1}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert missing.status_code == 400
    assert "Confirm your decision." in missing.content.decode()
    assert not PlanApproval.objects.exists()
    done = browser.post(
        f"/portal/changes/{change.pk}/plan/", {"plan_version": 1, "confirm": "1", "comment": "Akkoord"}
    )
    assert done.status_code == 302
    approval = PlanApproval.objects.get()
    assert approval.approved_by == client
    assert approval.plan_version == 1
    again = browser.get(f"/portal/changes/{change.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-plan-approved" in again
    assert "data-plan-approval " not in again


def test_the_api_shows_and_approves_the_version_read_and_refuses_a_stale_one() -> None:
    operator = make_person(Role.OPERATOR)
    client = make_person(Role.CALLER)
    change, _step = _planned(operator, client)
    api = client_for(client)
    shown = api.get(f"{API}/{change.pk}/plan")
    assert shown.status_code == 200
    body = shown.json()
    assert body["plan_version"] == 1
    assert body["can_approve"] is True
    assert set(body["activities"][0]) == {"title", "planned_start", "planned_end", "done"}
    stale = api.post(
        f"{API}/{change.pk}/plan/approve", json.dumps({"plan_version": 7}), content_type="application/json"
    )
    assert stale.status_code == 409
    bad = api.post(
        f"{API}/{change.pk}/plan/approve", json.dumps({"plan_version": 0}), content_type="application/json"
    )
    assert bad.status_code in (400, 422)
    ok = api.post(
        f"{API}/{change.pk}/plan/approve", json.dumps({"plan_version": 1}), content_type="application/json"
    )
    assert ok.status_code == 200
    assert ok.json()["approved_by"] == str(client)


def test_a_requester_or_stranger_neither_sees_nor_approves_the_plan() -> None:
    operator = make_person(Role.OPERATOR)
    client = make_person(Role.CALLER)
    requester = make_person(Role.CALLER)
    stranger = make_person(Role.CALLER)
    change, _step = _planned(operator, client)
    change.requester = requester
    change.save(update_fields=["requester"])
    own_page = client_for(requester).get(f"/portal/changes/{change.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert own_page.status_code == 200
    assert "Access points ophangen" not in own_page.content.decode()
    for person in (requester, stranger):
        browser = client_for(person)
        assert browser.get(f"{API}/{change.pk}/plan").status_code == 404
        posted = browser.post(f"/portal/changes/{change.pk}/plan/", {"plan_version": 1, "confirm": "1"})
        assert posted.status_code == 404
        api = browser.post(
            f"{API}/{change.pk}/plan/approve",
            json.dumps({"plan_version": 1}),
            content_type="application/json",
        )
        assert api.status_code == 404
    assert client_for(stranger).get(f"/portal/changes/{change.pk}/").status_code == 404
    assert not PlanApproval.objects.exists()


def test_the_forward_schedule_refuses_far_off_dates_with_a_message_and_the_page_falls_back() -> None:
    operator = make_person(Role.OPERATOR)
    api = client_for(operator)
    far = api.get("/api/v1/changes-calendar?from=0363-11-02&to=0363-12-02", HTTP_ACCEPT_LANGUAGE="en")
    assert far.status_code == 400
    assert "from" in far.json()["fields"]
    assert api.get("/api/v1/changes-calendar").status_code == 200  # the coming month by default
    for view in ("week", "month", "list"):
        page = api.get(f"/changes/calendar/?view={view}&from=0001-01-01&to=9999-12-31")
        assert page.status_code == 200
