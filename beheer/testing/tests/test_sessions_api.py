"""The acceptance session API: staff routes, the portal's own cases (404 for another user's), the
client's results and sign-off, field errors instead of 500s."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from beheer.core import clock
from beheer.testing.models import AcceptanceSession
from tests.helpers import client_for

from .helpers import add_case, make_person, scene
from .test_sessions import acc, pc_of

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="en")
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_staff_plan_and_invite(django_assert_max_num_queries: Any) -> None:
    operator, client_user, change, _r, plan = scene()
    case = add_case(plan, "Inloggen")
    api = client_for(operator)
    start = (clock.now() + timedelta(days=1)).isoformat()
    bad = _json(
        api,
        "post",
        f"{API}/testing/changes/{change.pk}/sessions",
        {"title": "S", "starts_at": start, "online_link": "nope"},
    )
    assert bad.status_code == 400
    assert "online_link" in bad.json()["fields"]
    made = _json(
        api, "post", f"{API}/testing/changes/{change.pk}/sessions", {"title": "S", "starts_at": start}
    )
    assert made.status_code == 201
    sid = made.json()["id"]
    added = _json(
        api,
        "post",
        f"{API}/testing/sessions/{sid}/participants",
        {"person_id": client_user.pk, "case_ids": [case.pk]},
    )
    assert added.status_code == 201
    assert _json(api, "post", f"{API}/testing/sessions/{sid}/invite").json() == {"invited": 1}
    with django_assert_max_num_queries(15):
        listed = _json(api, "get", f"{API}/testing/changes/{change.pk}/sessions")
    assert [s["id"] for s in listed.json()] == [sid]
    stale = _json(
        api, "put", f"{API}/testing/sessions/{sid}", {"title": "T", "starts_at": start, "version": 1}
    )
    assert stale.status_code == 409
    assert _json(client_for(client_user), "get", f"{API}/testing/sessions/{sid}").status_code == 403


def test_portal_own_cases_only_and_client_sign_off(django_assert_max_num_queries: Any) -> None:
    a = acc()
    anna = client_for(a.anna)
    base = f"{API}/portal/acceptance"
    with django_assert_max_num_queries(20):
        mine = _json(anna, "get", f"{base}/{a.session.pk}/cases")
    assert {c["id"] for c in mine.json()} == {pc_of(a, a.anna, c).pk for c in a.cases[:2]}
    theirs = pc_of(a, a.bob, a.cases[2])
    assert _json(anna, "get", f"{base}/{a.session.pk}/cases/{theirs.pk}").status_code == 404
    steps = {"steps": [{"done": True, "ok": True}, {"done": True, "ok": None}], "version": theirs.version}
    assert _json(anna, "put", f"{base}/{a.session.pk}/cases/{theirs.pk}/steps", steps).status_code == 404
    own = pc_of(a, a.anna, a.cases[0])
    saved = _json(
        anna, "put", f"{base}/{a.session.pk}/cases/{own.pk}/steps", {**steps, "version": own.version}
    )
    assert saved.status_code == 200
    assert saved.json()["steps"][0]["done"] is True
    short = _json(
        anna,
        "put",
        f"{base}/{a.session.pk}/cases/{own.pk}/steps",
        {"steps": [], "version": saved.json()["version"]},
    )
    assert short.status_code == 400
    failed = _json(
        anna,
        "post",
        f"{base}/{a.session.pk}/cases/{own.pk}/complete",
        {"outcome": "failed", "remark": "Kapot", "version": saved.json()["version"]},
    )
    assert failed.status_code == 200
    assert failed.json()["outcome"] == "failed"
    assert _json(anna, "get", f"{base}/{a.session.pk}/results").status_code == 404
    stranger = client_for(make_person())
    assert _json(stranger, "get", f"{base}/{a.session.pk}").status_code == 404
    assert _json(stranger, "get", base).json() == []
    client = client_for(a.client)
    results = _json(client, "get", f"{base}/{a.session.pk}/results").json()
    assert any(r["outcome"] == "failed" for r in results["results"])
    assert results["findings"]
    assert _json(anna, "post", f"{base}/{a.session.pk}/sign-off", {"decision": "accepted"}).status_code == 403
    signed = _json(client, "post", f"{base}/{a.session.pk}/sign-off", {"decision": "accepted"})
    assert signed.status_code == 200
    assert signed.json()["sign_off"] == "accepted"
    assert AcceptanceSession.objects.get(pk=a.session.pk).signed_off_by_id == a.client.pk
