"""The runs and findings pages, a run's page, evidence, and who reaches what by each route."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from beheer.changes import services as change_services
from beheer.changes.models import ChangeActivity
from beheer.servicedesk.models import Melding
from beheer.testing.models import ResultEvidence, TestFinding, TestResult, TestRun
from beheer.testing.services import findings, runs
from tests.helpers import client_for

from .helpers import add_case, scene
from .test_runs import PNG, environment_of, result_of, scene_other

pytestmark = pytest.mark.django_db


def _world() -> Any:
    operator, client, change, reqs, plan = scene()
    a = add_case(plan, "Inloggen", requirements=[reqs[0]])
    b = add_case(plan, "Gastnetwerk", requirements=[reqs[1]])
    return operator, client, change, plan, a, b


def test_the_runs_page_lists_runs_with_counts_and_findings(django_assert_max_num_queries: Any) -> None:
    operator, _client, change, plan, a, b = _world()
    run = runs.start_run(plan, actor=operator, cases=[a, b])
    runs.record_result(result_of(run, a), actor=operator, expected_version=None, outcome="passed")
    runs.record_result(
        result_of(run, b), actor=operator, expected_version=None, outcome="failed", actual_result="Geen IP"
    )
    for n in range(3):  # more rows, no more queries
        runs.start_run(plan, actor=operator, cases=[a])
        findings.record_finding(plan, actor=operator, title=f"Bevinding {n}", severity="high")
    web = client_for(operator)
    with django_assert_max_num_queries(25):
        page = web.get(f"/changes/{change.pk}/tests/runs/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-tests-link="testing-runs"' in html
    assert f'data-run="{run.pk}"' in html
    assert "Gastnetwerk" in html
    assert 'data-severity="high"' in html
    assert "data-run-form" in html


def test_starting_a_run_and_recording_a_failed_result_through_the_pages() -> None:
    operator, _client, change, plan, _a, b = _world()
    env = environment_of(plan)
    web = client_for(operator)
    response = web.post(
        f"/changes/{change.pk}/tests/runs/new/",
        {"which": "pick", "cases": [b.pk], "environment": env.pk, "title": "Ronde 1"},
    )
    run = TestRun.objects.get(plan=plan)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/tests/runs/{run.pk}/")
    assert list(run.results.values_list("case_id", flat=True)) == [b.pk]
    page = web.get(f"/changes/{change.pk}/tests/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Open de instellingen" in page.content.decode()
    result = TestResult.objects.get(run=run)
    prefix = f"r{result.pk}"
    missing = web.post(
        f"/changes/{change.pk}/tests/results/{result.pk}/",
        {f"{prefix}-outcome": "failed", f"{prefix}-actual_result": "", f"{prefix}-version": 1},
    )
    assert missing.status_code == 302
    assert TestResult.objects.get(pk=result.pk).outcome == "not_run"
    web.post(
        f"/changes/{change.pk}/tests/results/{result.pk}/",
        {
            f"{prefix}-outcome": "failed",
            f"{prefix}-actual_result": "Geen IP-adres",
            f"{prefix}-minutes": "5",
            f"{prefix}-version": 1,
        },
    )
    assert TestResult.objects.get(pk=result.pk).outcome == "failed"
    assert TestFinding.objects.filter(result=result).exists()
    retest = web.post(f"/changes/{change.pk}/tests/runs/{run.pk}/retest/")
    assert retest.status_code == 302
    assert TestRun.objects.filter(retest_of=run).count() == 1


def test_picking_no_cases_shows_the_form_error() -> None:
    operator, _client, change, _plan, _a, _b = _world()
    page = client_for(operator).post(
        f"/changes/{change.pk}/tests/runs/new/", {"which": "pick"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    assert "Choose at least one test case." in page.content.decode()
    assert not TestRun.objects.exists()


def test_evidence_upload_download_and_a_bad_type() -> None:
    operator, _client, change, plan, a, _b = _world()
    run = runs.start_run(plan, actor=operator, cases=[a])
    result = result_of(run, a)
    web = client_for(operator)
    url = f"/changes/{change.pk}/tests/results/{result.pk}/evidence/"
    web.post(url, {"file": SimpleUploadedFile("scherm.png", PNG, "image/png")})
    bad = web.post(url, {"file": SimpleUploadedFile("foto.png", b"<script>x</script>", "image/png")})
    assert bad.status_code == 302
    evidence = ResultEvidence.objects.get(result=result)
    download = web.get(f"/changes/{change.pk}/tests/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    _op, _c, other_change, _r, _p = scene_other()
    assert web.get(f"/changes/{other_change.pk}/tests/evidence/{evidence.pk}/").status_code == 404


def test_a_caller_gets_nothing_by_any_route() -> None:
    operator, client, change, plan, a, _b = _world()
    run = runs.start_run(plan, actor=operator, cases=[a])
    result = result_of(run, a)
    evidence = runs.add_result_evidence(
        result, actor=operator, upload=SimpleUploadedFile("s.png", PNG, "image/png")
    )
    finding = findings.record_finding(plan, actor=operator, title="Traag")
    web = client_for(client)  # the change's own client, a caller
    base = f"/changes/{change.pk}/tests"
    for url in (
        f"{base}/runs/",
        f"{base}/runs/{run.pk}/",
        f"{base}/evidence/{evidence.pk}/",
        f"{base}/findings/{finding.pk}/edit/",
        f"{base}/matrix/",
        f"{base}/matrix.csv",
        f"{base}/matrix.xlsx",
    ):
        assert web.get(url).status_code in (403, 404), url
    for url in (
        f"{base}/runs/new/",
        f"{base}/results/{result.pk}/",
        f"{base}/runs/{run.pk}/finish/",
        f"{base}/findings/{finding.pk}/call/",
        f"{base}/findings/{finding.pk}/activity/",
    ):
        assert web.post(url, {"confirm": "on"}).status_code in (403, 404), url
    assert not Melding.objects.exists()
    assert TestRun.objects.get(pk=run.pk).is_open


def test_another_changes_rows_through_this_changes_url_are_404() -> None:
    operator, _client, change, plan, _a, _b = _world()
    other_op, _c, other_change, _r, other_plan = scene_other()
    foreign_case = add_case(other_plan, "Elders")
    foreign_run = runs.start_run(other_plan, actor=other_op, cases=[foreign_case])
    foreign_result = result_of(foreign_run, foreign_case)
    foreign_finding = findings.record_finding(other_plan, actor=other_op, title="Elders")
    web = client_for(operator)
    base = f"/changes/{change.pk}/tests"
    assert web.get(f"{base}/runs/{foreign_run.pk}/").status_code == 404
    posted = web.post(
        f"{base}/results/{foreign_result.pk}/",
        {f"r{foreign_result.pk}-outcome": "passed", f"r{foreign_result.pk}-version": 1},
    )
    assert posted.status_code == 404
    assert web.post(f"{base}/findings/{foreign_finding.pk}/call/", {"confirm": "on"}).status_code == 404
    assert web.get(f"{base}/findings/{foreign_finding.pk}/edit/").status_code == 404
    assert result_of(foreign_run, foreign_case).outcome == "not_run"
    del plan, other_change


def test_a_finding_becomes_a_call_and_an_activity_once_through_the_page() -> None:
    operator, _client, change, plan, _a, _b = _world()
    finding = findings.record_finding(plan, actor=operator, title="Dekking lokaal 2.14")
    web = client_for(operator)
    base = f"/changes/{change.pk}/tests/findings/{finding.pk}"
    web.post(f"{base}/call/")  # not confirmed
    assert not Melding.objects.exists()
    web.post(f"{base}/call/", {"confirm": "on"})
    again = web.post(f"{base}/call/", {"confirm": "on"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert Melding.objects.count() == 1
    assert "already has call" in again.content.decode()
    web.post(f"{base}/activity/", {"confirm": "on"})
    web.post(f"{base}/activity/", {"confirm": "on"})
    assert ChangeActivity.objects.filter(change=change).count() == 1
    page = web.get(f"/changes/{change.pk}/tests/runs/").content.decode()
    melding = Melding.objects.get()
    assert f"/meldingen/{melding.pk}/" in page
    assert f"/changes/{change.pk}/plan/" in page


def test_editing_a_finding_with_a_stale_version_says_so() -> None:
    operator, _client, change, plan, _a, _b = _world()
    finding = findings.record_finding(plan, actor=operator, title="Traag")
    web = client_for(operator)
    url = f"/changes/{change.pk}/tests/findings/{finding.pk}/edit/"
    assert web.get(url).status_code == 200
    ok = web.post(url, {"title": "Heel traag", "description": "", "severity": "low", "version": 1})
    assert ok.status_code == 302
    stale = web.post(url, {"title": "Oud", "description": "", "severity": "low", "version": 1})
    assert stale.status_code == 200
    assert TestFinding.objects.get(pk=finding.pk).title == "Heel traag"


def test_a_closed_change_shows_no_forms_and_refuses_posts() -> None:
    operator, _client, change, plan, a, _b = _world()
    run = runs.start_run(plan, actor=operator, cases=[a])
    change.refresh_from_db()
    change_services.cancel_change(change, actor=operator, expected_version=change.version)
    web = client_for(operator)
    html = web.get(f"/changes/{change.pk}/tests/runs/").content.decode()
    assert "data-read-only" in html
    assert "data-run-form" not in html
    assert "data-result-form" not in web.get(f"/changes/{change.pk}/tests/runs/{run.pk}/").content.decode()
    web.post(f"/changes/{change.pk}/tests/runs/{run.pk}/finish/")
    assert TestRun.objects.get(pk=run.pk).is_open
