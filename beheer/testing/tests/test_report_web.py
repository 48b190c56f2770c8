"""The test report page, its PDF and the advice form: who sees what, the empty state, field
errors, a stale version, a closed change and a bounded number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import Role
from beheer.changes.models import Change, ChangeStatus
from beheer.testing.models import TestingHistoryEntry, TestPlan
from tests.helpers import client_for

from .helpers import make_change, make_person, scene
from .test_report import pdf_text, plan_with_runs

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_counts_and_the_advice_form(django_assert_max_num_queries: Any) -> None:
    operator, _client, change, _reqs, _plan, _cases = plan_with_runs()
    web = client_for(operator)
    with django_assert_max_num_queries(30):
        page = web.get(f"/changes/{change.pk}/tests/report/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-passed="2" data-failed="0" data-blocked="1" data-not-run="1" data-rate="50"' in html
    assert "2 of 4 active cases passed (50%); 0 failed, 1 blocked, 1 not run." in html
    assert "Not covered" in html
    assert 'data-tests-link="testing-report"' in html
    assert "data-advice-form" in html
    assert f'href="/changes/{change.pk}/tests/report.pdf"' in html
    pdf = web.get(f"/changes/{change.pk}/tests/report.pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "2 of 4 active cases passed (50%)" in " ".join(pdf_text(pdf.content).split())
    final = web.get(f"/changes/{change.pk}/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-section="tests"' in final
    assert "2 of 4 active cases passed (50%)" in final


def test_a_change_without_a_plan_shows_an_empty_state_and_gets_none() -> None:
    operator = make_person(Role.OPERATOR, username="tester")
    change = make_change(operator, title="Nog niet getest")
    web = client_for(operator)
    page = web.get(f"/changes/{change.pk}/tests/report/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "data-no-plan" in page.content.decode()
    assert web.get(f"/changes/{change.pk}/tests/report.pdf").status_code == 404
    assert web.post(f"/changes/{change.pk}/tests/advice/", {"advice": "go", "version": 1}).status_code == 404
    assert not TestPlan.objects.filter(change=change).exists()


def test_the_advice_form_saves_refuses_bad_input_and_a_stale_version() -> None:
    operator, _client, change, _reqs, plan = scene()
    web = client_for(operator)
    url = f"/changes/{change.pk}/tests/advice/"
    missing = web.post(
        url, {"advice": "no_go", "text": "", "version": plan.version}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert missing.status_code == 200
    assert "Say which conditions apply" in missing.content.decode()
    unknown = web.post(url, {"advice": "maybe", "version": plan.version}, HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.status_code == 200
    assert "has-error" in unknown.content.decode()
    saved = web.post(
        url,
        {"advice": "conditions", "text": "Eerst roaming", "version": plan.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert saved.status_code == 302
    plan.refresh_from_db()
    assert (plan.advice, plan.advice_text, plan.advised_by_id) == ("conditions", "Eerst roaming", operator.pk)
    stale = web.post(
        url, {"advice": "go", "text": "", "version": plan.version - 1}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert stale.status_code == 200
    assert "Somebody else changed this test plan" in stale.content.decode()
    plan.refresh_from_db()
    assert plan.advice == "conditions"
    page = web.get(f"/changes/{change.pk}/tests/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Go with conditions" in page
    assert "Eerst roaming" in page


def test_a_closed_change_is_read_only() -> None:
    operator, _client, change, _reqs, plan = scene()
    Change.objects.filter(pk=change.pk).update(status=ChangeStatus.CLOSED)
    web = client_for(operator)
    page = web.get(f"/changes/{change.pk}/tests/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-read-only" in page
    assert "data-advice-form" not in page
    refused = web.post(
        f"/changes/{change.pk}/tests/advice/",
        {"advice": "go", "version": plan.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 200
    assert "is closed" in refused.content.decode()
    plan.refresh_from_db()
    assert plan.advice == ""
    assert not TestingHistoryEntry.objects.filter(plan=plan, action="advice").exists()


def test_callers_and_anonymous_visitors_get_nothing() -> None:
    _operator, client, change, _reqs, plan = scene()
    for user in (client, make_person(Role.CALLER, username="buiten")):
        web = client_for(user)
        for url in (f"/changes/{change.pk}/tests/report/", f"/changes/{change.pk}/tests/report.pdf"):
            assert web.get(url).status_code in (403, 404)
        posted = web.post(f"/changes/{change.pk}/tests/advice/", {"advice": "go", "version": plan.version})
        assert posted.status_code in (403, 404)
    assert Client().get(f"/changes/{change.pk}/tests/report.pdf").status_code == 302
    plan.refresh_from_db()
    assert plan.advice == ""


def test_an_unknown_change_is_404() -> None:
    operator, *_rest = scene()
    assert client_for(operator).get("/changes/999999/tests/report/").status_code == 404
