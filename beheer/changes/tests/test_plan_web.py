"""The plan page, its forms and the plan API: wiring, permissions and field errors."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import User
from beheer.changes import services
from beheer.changes.models import ActivityDependency, ChangeActivity
from beheer.core import clock
from tests.helpers import client_for

from .helpers import fresh, make_change

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


def test_the_plan_page_shows_list_timeline_and_unplanned(
    operator: User, django_assert_max_num_queries: Any
) -> None:
    change = make_change(operator, coordinator=operator)
    start = clock.now() + timedelta(days=3)
    first = services.plan_activity(
        change,
        actor=operator,
        data=services.ActivityData(
            title="Kabels trekken", planned_start=start, planned_end=start + timedelta(hours=4)
        ),
    )
    for i in range(30):
        services.plan_activity(
            change,
            actor=operator,
            data=services.ActivityData(
                title=f"Stap {i}",
                planned_start=start + timedelta(hours=5 + i),
                planned_end=start + timedelta(hours=6 + i),
                depends_on=[first.pk],
            ),
        )
    services.plan_activity(change, actor=operator, data=services.ActivityData(title="Nog te plannen"))
    client = client_for(operator)
    with django_assert_max_num_queries(40):
        page = client.get(f"/changes/{change.pk}/plan/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert "<title" in html
    assert "<desc" in html
    assert html.count("data-bar=") == 31
    assert html.count("data-arrow") == 30
    assert "data-not-planned" in html
    assert 'data-tab="change-plan"' in html


def test_the_add_form_shows_field_errors_and_the_edit_form_saves(operator: User) -> None:
    change = make_change(operator, coordinator=operator)
    client = client_for(operator)
    response = client.post(
        f"/changes/{change.pk}/plan/activities/",
        {
            "title": "x",
            "estimate_minutes": 0,
            "people_count": 1,
            "planned_start": "2026-05-02T10:00",
            "planned_end": "2026-05-02T09:00",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    assert not ChangeActivity.objects.exists()
    a = services.plan_activity(change, actor=operator, data=services.ActivityData(title="A"))
    b = services.plan_activity(change, actor=operator, data=services.ActivityData(title="B"))
    response = client.post(
        f"/changes/{change.pk}/plan/activities/{b.pk}/",
        {
            "title": "B2",
            "estimate_minutes": 30,
            "people_count": 2,
            "means": "Ladder",
            "depends_on": [a.pk],
            "version": fresh(change).version,
        },
    )
    assert response.status_code == 302
    assert fresh(b).title == "B2"
    assert ActivityDependency.objects.filter(activity=b, depends_on=a).exists()
    assert client.get(f"/changes/{change.pk}/plan/activities/999999/").status_code == 404


def test_callers_and_strangers_see_no_plan_by_any_route(operator: User, caller: User) -> None:
    change = make_change(operator, client=caller)
    services.plan_activity(change, actor=operator, data=services.ActivityData(title="Geheim"))
    client = client_for(caller)
    assert client.get(f"/changes/{change.pk}/plan/").status_code in (302, 403, 404)
    assert client.get(f"{API}/change-plans/{change.pk}").status_code == 403
    assert client.get(f"{API}/changes-calendar?from=2026-01-01&to=2026-02-01").status_code == 403
    assert client.get("/changes/calendar/").status_code in (302, 403, 404)
    staff = client_for(operator)
    assert staff.get("/changes/999999/plan/").status_code == 404
    assert staff.get(f"{API}/change-plans/999999").status_code == 404


def test_the_plan_api_plans_edits_approves_and_refuses_loops(operator: User) -> None:
    change = make_change(operator, coordinator=operator)
    client = client_for(operator)
    a = _json(client, "post", f"{API}/change-plans/{change.pk}/activities", {"title": "A", "people_count": 2})
    assert a.status_code == 201, a.content
    b = _json(
        client,
        "post",
        f"{API}/change-plans/{change.pk}/activities",
        {"title": "B", "depends_on": [a.json()["id"]]},
    )
    assert b.json()["depends_on"] == [a.json()["id"]]
    loop = _json(
        client,
        "put",
        f"{API}/change-plans/{change.pk}/activities/{a.json()['id']}",
        {"title": "A", "depends_on": [b.json()["id"]], "version": fresh(change).version},
    )
    assert loop.status_code == 400
    assert "depends_on" in loop.json()["fields"]
    plan = _json(client, "post", f"{API}/change-plans/{change.pk}/approve", {"plan_version": 1})
    assert plan.status_code == 200
    assert plan.json()["approved"] is True
    assert (
        _json(client, "post", f"{API}/change-plans/{change.pk}/approve", {"plan_version": 7}).status_code
        == 409
    )
    bad = _json(
        client,
        "post",
        f"{API}/change-plans/{change.pk}/notices",
        {"subject": "x", "text": "y", "stakeholder_ids": [999]},
    )
    assert bad.status_code == 400
