"""The evaluation API: staff routes with field errors and 404s, the portal's own feedback, the PDF."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import Role, User
from beheer.changes import services
from beheer.changes.models import Change, FeedbackRequest
from tests.helpers import client_for, make_person

from .helpers import fresh
from .test_evaluation import evaluated_change

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="en")
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_staff_run_the_evaluation_through_the_api(
    operator: User, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    change = evaluated_change(operator, coordinator)
    teacher = make_person(Role.CALLER)
    people = [services.add_stakeholder(change, actor=operator, person=teacher)]
    people += [
        services.add_stakeholder(change, actor=operator, name=f"Ouder {n}", email=f"ouder{n}@thuis.test")
        for n in range(3)
    ]
    client = client_for(operator)
    base = f"{API}/change-evaluation/{change.pk}"
    made = _json(client, "post", f"{base}/feedback-requests", {"stakeholder_ids": [p.pk for p in people]})
    assert made.status_code == 201, made.content
    assert len(made.json()) == 4
    with django_assert_max_num_queries(8):
        listing = _json(client, "get", f"{base}/feedback-requests")
    assert len(listing.json()["items"]) == 4
    bad = _json(client, "post", f"{base}/feedback-requests", {"stakeholder_ids": [999999]})
    assert bad.status_code == 400
    assert "stakeholder_ids" in bad.json()["fields"]
    finding = _json(
        client, "post", f"{base}/findings", {"kind": "lesson", "category": "planning", "text": "Ruimer"}
    )
    assert finding.status_code == 201
    assert _json(client, "post", f"{base}/findings", {"text": ""}).status_code == 400
    assert _json(client, "post", f"{base}/findings", {"kind": "x", "text": "y"}).status_code == 422
    assert [f["kind"] for f in _json(client, "get", f"{base}/findings?kind=lesson").json()] == ["lesson"]
    follow_up = _json(client, "post", f"{base}/follow-ups", {"title": "Handleiding"}).json()
    url = f"{base}/follow-ups/{follow_up['id']}/convert"
    converted = _json(client, "post", url, {"to": "change"})
    assert converted.status_code == 200
    assert converted.json()["new_change"]["name"].startswith("W")
    assert _json(client, "post", url, {"to": "melding"}).status_code == 409
    assert _json(client, "post", f"{base}/follow-ups/999999/convert", {"to": "melding"}).status_code == 404
    advice = _json(client, "put", f"{base}/advice", {"advice": "Plan ruimer", "version": 0})
    assert advice.json()["version"] == 1
    assert _json(client, "put", f"{base}/advice", {"advice": "Anders", "version": 0}).status_code == 409
    assert _json(client, "delete", f"{base}/findings/{finding.json()['id']}").status_code == 204
    pdf = client.get(f"{base}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert _json(client, "get", f"{API}/change-evaluation/999999").status_code == 404


def test_the_portal_api_shows_and_answers_only_ones_own_feedback(
    operator: User, coordinator: User, caller: User
) -> None:
    change = evaluated_change(operator, coordinator)
    teacher = make_person(Role.CALLER)
    row = services.add_stakeholder(change, actor=operator, person=teacher)
    (request,) = services.request_feedback(fresh(change), actor=operator, stakeholders=[row])
    mine = client_for(teacher)
    assert [r["id"] for r in _json(mine, "get", f"{API}/portal/change-feedback").json()] == [request.pk]
    other = client_for(caller)
    assert _json(other, "get", f"{API}/portal/change-feedback").json() == []
    url = f"{API}/portal/change-feedback/{request.pk}/answer"
    assert _json(other, "post", url, {"satisfaction": 5}).status_code == 404
    assert _json(mine, "post", url, {"satisfaction": 6}).status_code == 422
    answered = _json(mine, "post", url, {"satisfaction": 4, "went_well": "Prima"})
    assert answered.status_code == 200
    assert answered.json()["open"] is False
    assert _json(mine, "post", url, {"satisfaction": 1}).status_code == 409
    assert fresh(request).satisfaction == 4


def test_callers_get_nothing_from_the_staff_api(operator: User, coordinator: User, caller: User) -> None:
    change = evaluated_change(operator, coordinator)
    Change.objects.filter(pk=change.pk).update(client=caller)
    client = client_for(caller)
    base = f"{API}/change-evaluation/{change.pk}"
    for url in (
        base,
        f"{base}/feedback-requests",
        f"{base}/findings",
        f"{base}/follow-ups",
        f"{base}/report.pdf",
    ):
        assert client.get(url).status_code == 403
    assert _json(client, "post", f"{base}/findings", {"text": "x"}).status_code == 403
    assert Client().get(base).status_code == 401
    assert not FeedbackRequest.objects.exists()
