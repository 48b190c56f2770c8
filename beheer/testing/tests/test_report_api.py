"""The test report API: the content, the PDF and the advice, with 403/404 for callers, field errors,
a stale version, a closed change and a bounded number of queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import Role
from beheer.changes.models import Change, ChangeStatus
from tests.helpers import client_for

from .helpers import make_change, make_person, scene
from .test_report import plan_with_runs

pytestmark = pytest.mark.django_db
API = "/api/v1/testing"


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="en")
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_the_report_as_json_and_pdf(django_assert_max_num_queries: Any) -> None:
    operator, _client, change, _reqs, _plan, _cases = plan_with_runs()
    api = client_for(operator)
    with django_assert_max_num_queries(16):
        answer = _json(api, "get", f"{API}/changes/{change.pk}/report")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["totals"] == {"passed": 2, "failed": 0, "blocked": 1, "not_run": 1, "total": 4, "rate": 50}
    assert [(r["number"], r["retest_of"]) for r in body["runs"]] == [(1, None), (2, 1)]
    assert [(q["code"], q["covered"]) for q in body["requirements"]] == [
        ("REQ-1", True),
        ("REQ-2", True),
        ("REQ-3", False),
    ]
    assert body["open_by_severity"] == {"critical": 0, "high": 0, "medium": 0, "low": 0}
    assert body["advice"] is None
    pdf = api.get(f"{API}/changes/{change.pk}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_the_advice_through_the_api() -> None:
    operator, _client, change, _reqs, plan = scene()
    api = client_for(operator)
    url = f"{API}/changes/{change.pk}/advice"
    missing = _json(api, "put", url, {"advice": "no_go", "text": " ", "version": plan.version})
    assert missing.status_code == 400
    assert "text" in missing.json()["fields"]
    unknown = _json(api, "put", url, {"advice": "perhaps", "version": plan.version})
    assert unknown.status_code == 400
    assert "advice" in unknown.json()["fields"]
    assert _json(api, "put", url, {"advice": "go"}).status_code == 422  # no version
    given = _json(
        api, "put", url, {"advice": "no_go", "text": "Dekking onvoldoende", "version": plan.version}
    )
    assert given.status_code == 200, given.content
    assert given.json()["advice"]["advice"] == "no_go"
    assert given.json()["version"] == plan.version + 1
    assert _json(api, "put", url, {"advice": "go", "version": plan.version}).status_code == 409
    Change.objects.filter(pk=change.pk).update(status=ChangeStatus.CLOSED)
    closed = _json(api, "put", url, {"advice": "go", "version": plan.version + 1})
    assert closed.status_code == 409
    plan.refresh_from_db()
    assert plan.advice == "no_go"


def test_callers_get_403_and_unknown_or_planless_changes_404() -> None:
    operator, client, change, _reqs, plan = scene()
    for user in (client, make_person(Role.CALLER, username="buiten")):
        api = client_for(user)
        assert _json(api, "get", f"{API}/changes/{change.pk}/report").status_code == 403
        assert api.get(f"{API}/changes/{change.pk}/report.pdf").status_code == 403
        put = _json(
            api, "put", f"{API}/changes/{change.pk}/advice", {"advice": "go", "version": plan.version}
        )
        assert put.status_code == 403
    assert Client().get(f"{API}/changes/{change.pk}/report").status_code == 401
    staff = client_for(operator)
    assert _json(staff, "get", f"{API}/changes/999999/report").status_code == 404
    bare = make_change(operator, title="Zonder plan")
    assert _json(staff, "get", f"{API}/changes/{bare.pk}/report").status_code == 404
    assert staff.get(f"{API}/changes/{bare.pk}/report.pdf").status_code == 404
    put = _json(staff, "put", f"{API}/changes/{bare.pk}/advice", {"advice": "go", "version": 1})
    assert put.status_code == 404
    plan.refresh_from_db()
    assert plan.advice == ""
