"""The runs, findings and traceability API: every operation, its refusals and its query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from beheer.changes import services as change_services
from beheer.changes.models import ChangeActivity
from beheer.servicedesk.models import Melding
from beheer.testing.models import TestFinding, TestResult, TestRun
from beheer.testing.services import findings, runs
from tests.helpers import client_for

from .helpers import add_case, scene
from .test_runs import PNG, environment_of, result_of, scene_other

pytestmark = pytest.mark.django_db

API = "/api/v1/testing"


def _json(client: Any, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def _world() -> Any:
    operator, client, change, reqs, plan = scene()
    a = add_case(plan, "Inloggen", requirements=[reqs[0]])
    b = add_case(plan, "Gastnetwerk", requirements=[reqs[1]])
    return operator, client, change, plan, a, b


def test_a_run_through_the_api_from_start_to_retest() -> None:
    operator, _client, change, plan, a, b = _world()
    env = environment_of(plan)
    api = client_for(operator)
    made = _json(api, "post", f"{API}/changes/{change.pk}/runs", {"environment_id": env.pk, "title": "R1"})
    assert made.status_code == 201, made.content
    run = made.json()
    assert run["not_run"] == 2
    assert run["environment"]["id"] == env.pk
    by_case = {r["case"]["id"]: r for r in run["results"]}
    failed = by_case[b.pk]
    refused = _json(api, "put", f"{API}/results/{failed['id']}", {"outcome": "failed", "version": 1})
    assert refused.status_code == 400
    assert "actual_result" in refused.json()["fields"]
    saved = _json(
        api,
        "put",
        f"{API}/results/{failed['id']}",
        {"outcome": "failed", "actual_result": "Geen IP", "minutes": 4, "version": 1},
    )
    assert saved.status_code == 200
    assert saved.json()["outcome"] == "failed"
    assert len(saved.json()["finding_ids"]) == 1
    stale = _json(api, "put", f"{API}/results/{failed['id']}", {"outcome": "passed", "version": 1})
    assert stale.status_code == 409
    upload = api.post(
        f"{API}/results/{by_case[a.pk]['id']}/evidence",
        {"file": SimpleUploadedFile("s.png", PNG, "image/png")},
    )
    assert upload.status_code == 201, upload.content
    download = api.get(upload.json()["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    bad = api.post(
        f"{API}/results/{by_case[a.pk]['id']}/evidence",
        {"file": SimpleUploadedFile("x.png", b"<html></html>", "image/png")},
    )
    assert bad.status_code == 400
    finished = _json(api, "post", f"{API}/runs/{run['id']}/finish")
    assert finished.status_code == 200
    assert finished.json()["status"] == "finished"
    assert _json(api, "post", f"{API}/runs/{run['id']}/finish").status_code == 400
    retest = _json(api, "post", f"{API}/runs/{run['id']}/retest")
    assert retest.status_code == 201
    assert retest.json()["retest_of"]["id"] == run["id"]
    assert [r["case"]["id"] for r in retest.json()["results"]] == [b.pk]
    detail = api.get(f"{API}/runs/{run['id']}")
    assert detail.json()["failed"] == 1  # the history stays


def test_bad_input_is_a_400_with_field_messages() -> None:
    operator, _client, change, plan, a, _b = _world()
    other_op, _c, _ch, _r, other_plan = scene_other()
    foreign = add_case(other_plan, "Elders")
    api = client_for(operator)
    bad_cases = _json(api, "post", f"{API}/changes/{change.pk}/runs", {"case_ids": [a.pk, foreign.pk]})
    assert bad_cases.status_code == 400
    assert "case_ids" in bad_cases.json()["fields"]
    empty = _json(api, "post", f"{API}/changes/{change.pk}/runs", {"case_ids": []})
    assert empty.status_code == 400
    stray = environment_of(other_plan, "elders-test")
    bad_env = _json(api, "post", f"{API}/changes/{change.pk}/runs", {"environment_id": stray.pk})
    assert bad_env.status_code == 400
    assert "environment" in bad_env.json()["fields"]
    bad_outcome = _json(api, "put", f"{API}/results/1", {"outcome": "maybe"})
    assert bad_outcome.status_code == 422
    assert not TestRun.objects.filter(plan=plan).exists()
    del other_op


def test_findings_through_the_api_and_once_to_a_call_and_an_activity() -> None:
    operator, _client, change, plan, a, _b = _world()
    api = client_for(operator)
    made = _json(api, "post", f"{API}/changes/{change.pk}/findings", {"title": "Traag", "severity": "high"})
    assert made.status_code == 201
    finding = made.json()
    assert finding["number"] == 1
    edited = _json(
        api,
        "put",
        f"{API}/findings/{finding['id']}",
        {"title": "Heel traag", "severity": "critical", "version": finding["version"]},
    )
    assert edited.status_code == 200
    assert edited.json()["severity"] == "critical"
    stale = _json(
        api, "put", f"{API}/findings/{finding['id']}", {"title": "x", "severity": "low", "version": 1}
    )
    assert stale.status_code == 409
    status = _json(api, "post", f"{API}/findings/{finding['id']}/status", {"status": "accepted"})
    assert status.json()["status"] == "accepted"
    call = _json(api, "post", f"{API}/findings/{finding['id']}/call")
    assert call.status_code == 200
    assert call.json()["melding"]["name"].startswith("M")
    again = _json(api, "post", f"{API}/findings/{finding['id']}/call")
    assert again.status_code == 409
    assert "already has call" in again.json()["detail"]
    activity = _json(api, "post", f"{API}/findings/{finding['id']}/activity")
    assert activity.status_code == 200
    assert _json(api, "post", f"{API}/findings/{finding['id']}/activity").status_code == 409
    assert Melding.objects.count() == 1
    assert ChangeActivity.objects.filter(change=change).count() == 1
    del plan, a


def test_lists_are_bounded_and_cost_a_fixed_number_of_queries(django_assert_max_num_queries: Any) -> None:
    operator, _client, change, plan, a, b = _world()
    for n in range(4):
        run = runs.start_run(plan, actor=operator, cases=[a, b])
        runs.record_result(
            result_of(run, a), actor=operator, expected_version=None, outcome="failed", actual_result=f"{n}"
        )
        runs.add_result_evidence(
            result_of(run, a), actor=operator, upload=SimpleUploadedFile(f"{n}.png", PNG, "image/png")
        )
    api = client_for(operator)
    with django_assert_max_num_queries(8):
        listed = api.get(f"{API}/changes/{change.pk}/runs")
    assert len(listed.json()) == 4
    with django_assert_max_num_queries(8):
        found = api.get(f"{API}/changes/{change.pk}/findings")
    assert len(found.json()) == 4
    with django_assert_max_num_queries(10):
        detail = api.get(f"{API}/runs/{run.pk}")
    assert len(detail.json()["results"]) == 2
    with django_assert_max_num_queries(12):
        matrix = api.get(f"{API}/changes/{change.pk}/matrix")
    rows = matrix.json()["rows"]
    assert rows[0]["outcome"] == "failed"
    assert rows[0]["run"]["id"] == run.pk
    assert matrix.json()["not_covered"] == 1


def test_a_caller_gets_nothing_from_the_api() -> None:
    operator, client, change, plan, a, _b = _world()
    run = runs.start_run(plan, actor=operator, cases=[a])
    result = result_of(run, a)
    evidence = runs.add_result_evidence(
        result, actor=operator, upload=SimpleUploadedFile("s.png", PNG, "image/png")
    )
    finding = findings.record_finding(plan, actor=operator, title="Traag")
    api = client_for(client)
    for url in (
        f"{API}/changes/{change.pk}/runs",
        f"{API}/runs/{run.pk}",
        f"{API}/evidence/{evidence.pk}",
        f"{API}/changes/{change.pk}/findings",
        f"{API}/changes/{change.pk}/matrix",
    ):
        assert api.get(url).status_code in (403, 404), url
    for method, url, body in (
        ("post", f"{API}/changes/{change.pk}/runs", {}),
        ("put", f"{API}/results/{result.pk}", {"outcome": "passed"}),
        ("post", f"{API}/runs/{run.pk}/finish", None),
        ("post", f"{API}/findings/{finding.pk}/call", None),
        ("post", f"{API}/findings/{finding.pk}/activity", None),
    ):
        assert _json(api, method, url, body).status_code in (403, 404), url
    assert TestResult.objects.get(pk=result.pk).outcome == "not_run"
    assert not Melding.objects.exists()
    assert TestFinding.objects.get(pk=finding.pk).activity_id is None


def test_a_closed_change_is_read_only_in_the_api() -> None:
    operator, _client, change, plan, a, _b = _world()
    run = runs.start_run(plan, actor=operator, cases=[a])
    change.refresh_from_db()
    change_services.cancel_change(change, actor=operator, expected_version=change.version)
    api = client_for(operator)
    result = result_of(run, a)
    refused = _json(api, "put", f"{API}/results/{result.pk}", {"outcome": "passed"})
    assert refused.status_code == 409
    assert _json(api, "post", f"{API}/changes/{change.pk}/findings", {"title": "x"}).status_code == 409
    assert api.get(f"{API}/runs/{run.pk}").status_code == 200
