"""The test plan API: the plan, environments and their preparation, cases and the library; field
errors, versions, 403 for callers and 404 for what does not exist."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import User
from beheer.core import clock
from beheer.operations.models import Occurrence
from beheer.testing.models import StandardTestCase, TestCase
from beheer.testing.services import plans
from tests.helpers import client_for

from .helpers import add_case, scene
from .test_plans import env_ci, scene_other

pytestmark = pytest.mark.django_db
API = "/api/v1/testing"


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="en")
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_the_plan_and_its_cases_through_the_api(django_assert_max_num_queries: Any) -> None:
    operator, _client, change, reqs, plan = scene()
    api = client_for(operator)
    got = _json(api, "get", f"{API}/changes/{change.pk}/plan")
    assert got.status_code == 200, got.content
    assert got.json()["version"] == 1
    body = {
        "scope": "Wifi gebouw B",
        "entry_criteria": "Controller staat",
        "exit_criteria": "Alles groen",
        "test_types": ["functional", "security"],
        "version": 1,
    }
    put = _json(api, "put", f"{API}/changes/{change.pk}/plan", body)
    assert put.status_code == 200, put.content
    assert put.json()["test_types"] == ["functional", "security"]
    assert _json(api, "put", f"{API}/changes/{change.pk}/plan", body).status_code == 409  # stale version
    bad_types = _json(
        api, "put", f"{API}/changes/{change.pk}/plan", {**body, "version": 2, "test_types": ["x"]}
    )
    assert bad_types.status_code == 400
    assert "test_types" in bad_types.json()["fields"]

    case_body = {
        "title": "Inloggen op het wifi",
        "test_type": "functional",
        "steps": [{"action": "Kies het netwerk", "expected": "Inlogscherm"}],
        "requirement_ids": [reqs[0].pk, reqs[1].pk],
    }
    made = _json(api, "post", f"{API}/changes/{change.pk}/cases", case_body)
    assert made.status_code == 201, made.content
    case = made.json()
    assert case["code"] == "TC-1"
    assert [r["name"] for r in case["requirements"]] == ["REQ-1", "REQ-2"]

    bad_steps = _json(
        api,
        "post",
        f"{API}/changes/{change.pk}/cases",
        {**case_body, "steps": [{"action": "", "expected": "x"}]},
    )
    assert bad_steps.status_code == 400
    assert "steps" in bad_steps.json()["fields"]
    too_many = _json(
        api, "post", f"{API}/changes/{change.pk}/cases", {**case_body, "steps": [{"action": "a"}] * 51}
    )
    assert too_many.status_code == 422
    _o, _c, _other, other_reqs, _p = scene_other()
    foreign = _json(
        api, "post", f"{API}/changes/{change.pk}/cases", {**case_body, "requirement_ids": [other_reqs[0].pk]}
    )
    assert foreign.status_code == 400
    assert "requirement_ids" in foreign.json()["fields"]
    assert TestCase.objects.filter(plan=plan).count() == 1

    for n in range(5):
        add_case(plan, f"Geval {n}", requirements=reqs)
    with django_assert_max_num_queries(8):
        listing = _json(api, "get", f"{API}/changes/{change.pk}/cases")
    assert [c["code"] for c in listing.json()] == [f"TC-{n}" for n in range(1, 7)]

    update = {**case_body, "title": "Inloggen met schoolaccount", "version": 1}
    put_case = _json(api, "put", f"{API}/cases/{case['id']}", update)
    assert put_case.status_code == 200, put_case.content
    assert put_case.json()["version"] == 2
    assert _json(api, "put", f"{API}/cases/{case['id']}", update).status_code == 409
    withdrawn = _json(api, "post", f"{API}/cases/{case['id']}/withdraw")
    assert withdrawn.json()["withdrawn"] is True
    refused = _json(
        api, "put", f"{API}/cases/{case['id']}", {**update, "version": withdrawn.json()["version"]}
    )
    assert refused.status_code == 409
    assert TestCase.objects.get(pk=case["id"]).title == "Inloggen met schoolaccount"
    assert _json(api, "get", f"{API}/cases/999999").status_code == 404
    assert _json(api, "get", f"{API}/changes/999999/plan").status_code == 404


def test_environments_and_their_preparation(coordinator: User) -> None:
    operator, _client, change, _reqs, plan = scene()
    ci = env_ci(operator, "wifi-test")
    prod = env_ci(operator, "wifi-prod", "production")
    api = client_for(operator)
    url = f"{API}/changes/{change.pk}/environments"
    wrong = _json(api, "post", url, {"ci_id": prod.pk, "purpose": "test"})
    assert wrong.status_code == 400
    assert "ci_id" in wrong.json()["fields"]
    assert _json(api, "post", url, {"ci_id": 999999, "purpose": "test"}).status_code == 400
    added = _json(api, "post", url, {"ci_id": ci.pk, "purpose": "test"})
    assert added.status_code == 201, added.content
    env_id = added.json()["id"]
    prep_url = f"{API}/environments/{env_id}/preparation"
    when = (clock.now() + timedelta(days=2)).isoformat()
    body = {
        "checklist": ["Testdata laden", "Accounts maken"],
        "planned_for": when,
        "assignee_id": operator.pk,
    }
    assert _json(api, "post", prep_url, body).status_code == 403  # operators do not plan activities
    boss = client_for(coordinator)
    past = _json(
        boss, "post", prep_url, {**body, "planned_for": (clock.now() - timedelta(days=1)).isoformat()}
    )
    assert past.status_code == 400
    assert "planned_for" in past.json()["fields"]
    prepared = _json(boss, "post", prep_url, body)
    assert prepared.status_code == 201, prepared.content
    occurrences = list(Occurrence.objects.filter(series_id=prepared.json()["id"]))
    assert len(occurrences) == 1
    assert prepared.json()["occurrence_id"] == occurrences[0].pk
    assert [i["item"] for i in occurrences[0].checklist_results] == ["Testdata laden", "Accounts maken"]
    assert list(occurrences[0].series.cis.all()) == [ci]
    listed = _json(api, "get", url).json()
    assert listed[0]["preparation"]["items"] == 2
    assert listed[0]["preparation"]["items_done"] == 0
    assert listed[0]["preparation"]["status"] == "open"
    assert _json(api, "delete", f"{API}/environments/{env_id}").status_code == 204
    assert _json(api, "delete", f"{API}/environments/{env_id}").status_code == 404
    assert plan.environments.count() == 0


def test_the_library_and_copying(coordinator: User, django_assert_max_num_queries: Any) -> None:
    operator, _client, change, reqs, _plan = scene()
    api = client_for(operator)
    body = {
        "title": "Print naar de nieuwe printer",
        "test_type": "functional",
        "steps": [{"action": "Print"}],
    }
    made = _json(api, "post", f"{API}/library", body)
    assert made.status_code == 201, made.content
    std_id = made.json()["id"]
    assert _json(api, "post", f"{API}/library", {**body, "title": " "}).status_code == 400
    for n in range(4):
        plans.create_standard_case(actor=operator, title=f"Standaard {n}", test_type="regression")
    with django_assert_max_num_queries(6):
        page = _json(api, "get", f"{API}/library?limit=3")
    assert len(page.json()["items"]) == 3
    assert page.json()["next_cursor"]
    assert [c["title"] for c in _json(api, "get", f"{API}/library?q=printer").json()["items"]] == [
        "Print naar de nieuwe printer"
    ]
    put = _json(api, "put", f"{API}/library/{std_id}", {**body, "title": "Print in kleur", "version": 1})
    assert put.status_code == 200
    assert _json(api, "put", f"{API}/library/{std_id}", {**body, "version": 1}).status_code == 409

    copy_url = f"{API}/changes/{change.pk}/cases/copy"
    copied = _json(api, "post", copy_url, {"standard_case_ids": [std_id], "requirement_ids": [reqs[2].pk]})
    assert copied.status_code == 201, copied.content
    assert copied.json()[0]["title"] == "Print in kleur"
    assert copied.json()[0]["requirements"][0]["name"] == "REQ-3"
    assert _json(api, "post", copy_url, {"standard_case_ids": [999999]}).status_code == 400

    assert _json(api, "post", f"{API}/library/{std_id}/active", {"active": False}).status_code == 403
    archived = _json(client_for(coordinator), "post", f"{API}/library/{std_id}/active", {"active": False})
    assert archived.json()["active"] is False
    refused = _json(api, "post", copy_url, {"standard_case_ids": [std_id]})
    assert refused.status_code == 400
    assert "standard_case_ids" in refused.json()["fields"]
    assert StandardTestCase.objects.get(pk=std_id).version == 3


def test_a_caller_gets_403_everywhere(caller: User) -> None:
    operator, _client, change, _reqs, plan = scene()
    case = add_case(plan, "Inloggen")
    ci = env_ci(operator, "wifi-test")
    env = plans.add_environment(plan, actor=operator, ci=ci, purpose="test")
    std = plans.create_standard_case(actor=operator, title="Inloggen", test_type="functional")
    for client in (client_for(caller), client_for(_client)):
        calls = [
            ("get", f"{API}/changes/{change.pk}/plan", None),
            ("put", f"{API}/changes/{change.pk}/plan", {"version": 1}),
            ("get", f"{API}/changes/{change.pk}/environments", None),
            ("post", f"{API}/changes/{change.pk}/environments", {"ci_id": ci.pk, "purpose": "test"}),
            ("delete", f"{API}/environments/{env.pk}", None),
            (
                "post",
                f"{API}/environments/{env.pk}/preparation",
                {"checklist": ["x"], "planned_for": "2030-01-01T10:00:00Z"},
            ),
            ("get", f"{API}/changes/{change.pk}/cases", None),
            ("post", f"{API}/changes/{change.pk}/cases", {"title": "x", "test_type": "functional"}),
            ("get", f"{API}/cases/{case.pk}", None),
            ("put", f"{API}/cases/{case.pk}", {"title": "x", "test_type": "functional", "version": 1}),
            ("post", f"{API}/cases/{case.pk}/withdraw", None),
            ("post", f"{API}/changes/{change.pk}/cases/copy", {"standard_case_ids": [std.pk]}),
            ("get", f"{API}/library", None),
            ("post", f"{API}/library", {"title": "x", "test_type": "functional"}),
            ("get", f"{API}/library/{std.pk}", None),
            ("put", f"{API}/library/{std.pk}", {"title": "x", "test_type": "functional", "version": 1}),
            ("post", f"{API}/library/{std.pk}/active", {"active": False}),
        ]
        for method, url, body in calls:
            answer = _json(
                client,
                method,
                url,
                body if body is not None else ({} if method != "get" and method != "delete" else None),
            )
            assert answer.status_code == 403, (method, url, answer.status_code)
    assert not TestCase.objects.filter(withdrawn=True).exists()
    assert plan.environments.count() == 1
