"""The security incident API: every operation, its refusals (404 for whoever may not see an
incident, 403 for writes of non-officers, 400 with field messages) and a query count."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from beheer.accounts.models import Role, User
from beheer.core import clock
from beheer.security.models import IncidentReport, SecurityIncident
from beheer.security.services import incidents
from beheer.servicedesk.models import RestrictedRead
from tests.helpers import client_for, make_person

from .incident_helpers import declared, new_melding, officer

pytestmark = pytest.mark.django_db

API = "/api/v1/security"


def _json(client: Any, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_declare_edit_report_and_read_through_the_api(operator: User) -> None:
    so = officer()
    melding = new_melding(operator)
    made = _json(client_for(operator), "post", f"{API}/incidents", {"melding_id": melding.pk, "breach": True})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["breach"] is True
    assert [d["kind"] for d in body["deadlines"]] == ["ap_report"]
    assert body["deadlines"][0]["seconds_left"] > 71 * 3600
    pk = body["id"]
    api = client_for(so)
    detail = api.get(f"{API}/incidents/{pk}").json()
    payload = {k: detail[k] for k in ("version", "title", "aware_at", "status", "significant", "breach")}
    payload.update(nature="Mail naar verkeerde ouders", people_count=28, high_risk=True)
    saved = _json(api, "put", f"{API}/incidents/{pk}", payload)
    assert saved.status_code == 200, saved.content
    assert [d["kind"] for d in saved.json()["deadlines"]] == ["ap_report", "people_notice"]
    stale = _json(api, "put", f"{API}/incidents/{pk}", payload)
    assert stale.status_code == 409
    report = _json(
        api,
        "post",
        f"{API}/incidents/{pk}/reports",
        {"kind": "ap_report", "made_at": clock.now().isoformat(), "reference": "M-2026-77"},
    )
    assert report.status_code == 201, report.content
    assert report.json()["recipient"] == "Autoriteit Persoonsgegevens"
    again = _json(
        api,
        "post",
        f"{API}/incidents/{pk}/reports",
        {"kind": "ap_report", "made_at": clock.now().isoformat()},
    )
    assert again.status_code == 409
    assert [r["kind"] for r in api.get(f"{API}/incidents/{pk}/reports").json()] == ["ap_report"]
    history = api.get(f"{API}/incidents/{pk}/history").json()
    assert {row["action"] for row in history["items"]} >= {"declared", "changed", "reported"}
    assert RestrictedRead.objects.filter(melding=melding, reader=so).exists()


def test_bad_input_gives_field_messages(operator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True)
    api = client_for(so)
    detail = api.get(f"{API}/incidents/{incident.pk}").json()
    payload = {k: detail[k] for k in ("version", "title", "aware_at", "status", "significant", "breach")}
    payload["unlikely_risk"] = True
    refused = _json(api, "put", f"{API}/incidents/{incident.pk}", payload)
    assert refused.status_code == 400
    assert "unlikely_risk_reason" in refused.json()["fields"]
    future = (clock.now() + timedelta(days=1)).isoformat()
    wrong = _json(
        api, "post", f"{API}/incidents/{incident.pk}/reports", {"kind": "ap_report", "made_at": future}
    )
    assert wrong.status_code == 400
    assert "made_at" in wrong.json()["fields"]
    unfit = _json(
        api,
        "post",
        f"{API}/incidents/{incident.pk}/reports",
        {"kind": "early_warning", "made_at": clock.now().isoformat()},
    )
    assert unfit.status_code == 400
    naive = _json(client_for(operator), "post", f"{API}/incidents", {"melding_id": 999999999})
    assert naive.status_code == 400
    assert "melding_id" in naive.json()["fields"]
    assert not IncidentReport.objects.exists()


def test_who_may_not_see_it_gets_404(operator: User, coordinator: User, administrator: User) -> None:
    incident = declared(operator, significant=True)
    plain = make_person(Role.OPERATOR)
    privacy = officer(security=False, privacy=True)
    for person in (plain, coordinator, administrator, privacy):
        api = client_for(person)
        for url in (
            f"{API}/incidents/{incident.pk}",
            f"{API}/incidents/{incident.pk}/reports",
            f"{API}/incidents/{incident.pk}/history",
            f"{API}/incidents/{incident.pk}/access",
        ):
            assert api.get(url).status_code == 404, (person, url)
        assert api.get(f"{API}/incidents").json()["items"] == []
    caller = client_for(make_person(Role.CALLER))
    assert caller.get(f"{API}/incidents/{incident.pk}").status_code in (403, 404)
    assert caller.get(f"{API}/incidents").status_code in (403, 404)


def test_writes_of_non_officers_are_refused(operator: User, coordinator: User) -> None:
    incident = declared(operator, breach=True)
    api = client_for(operator)  # has access (declared it), is no security officer
    detail = api.get(f"{API}/incidents/{incident.pk}").json()
    payload = {k: detail[k] for k in ("version", "title", "aware_at", "status", "significant", "breach")}
    assert _json(api, "put", f"{API}/incidents/{incident.pk}", payload).status_code == 403
    report = {"kind": "ap_report", "made_at": clock.now().isoformat()}
    assert _json(api, "post", f"{API}/incidents/{incident.pk}/reports", report).status_code == 403
    grant = _json(api, "post", f"{API}/incidents/{incident.pk}/access", {"person_id": coordinator.pk})
    assert grant.status_code == 403
    assert not SecurityIncident.objects.visible_to(coordinator).exists()


def test_access_through_the_api(operator: User, coordinator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True)
    api = client_for(so)
    granted = _json(api, "post", f"{API}/incidents/{incident.pk}/access", {"person_id": coordinator.pk})
    assert granted.status_code == 201
    assert coordinator.pk in {g["person"]["id"] for g in granted.json()}
    assert client_for(coordinator).get(f"{API}/incidents/{incident.pk}").status_code == 200
    revoked = api.delete(f"{API}/incidents/{incident.pk}/access/{coordinator.pk}")
    assert revoked.status_code == 200
    assert client_for(coordinator).get(f"{API}/incidents/{incident.pk}").status_code == 404


def test_the_breach_register_for_officers_with_filters_and_files(operator: User) -> None:
    so = officer()
    privacy = officer(security=False, privacy=True)
    reported = declared(operator, breach=True, hours_ago=10)
    incidents.record_report(reported, actor=so, kind="ap_report", made_at=clock.now(), reference="AP-1")
    open_one = declared(operator, breach=True, hours_ago=2)
    declared(operator, significant=True)  # no breach: not in the register
    api = client_for(privacy)
    page = api.get(f"{API}/breaches").json()
    assert [i["id"] for i in page["items"]] == [open_one.pk, reported.pk]
    assert page["items"][1]["ap_reference"] == "AP-1"
    assert [i["id"] for i in api.get(f"{API}/breaches?reported=no").json()["items"]] == [open_one.pk]
    assert [i["id"] for i in api.get(f"{API}/breaches?reported=yes").json()["items"]] == [reported.pk]
    csv = api.get(f"{API}/breaches/export?format=csv")
    assert csv.status_code == 200
    text = csv.getvalue().decode("utf-8-sig")
    assert reported.number in text
    assert "AP-1" in text
    xlsx = api.get(f"{API}/breaches/export?format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for(operator).get(f"{API}/breaches").json()["items"] == []
    plain_csv = client_for(operator).get(f"{API}/breaches/export")
    assert reported.number not in plain_csv.getvalue().decode("utf-8-sig")


def test_the_lists_read_a_fixed_number_of_queries(operator: User, django_assert_max_num_queries: Any) -> None:
    so = officer()
    for _ in range(6):
        declared(operator, breach=True)
    api = client_for(so)
    api.get(f"{API}/incidents")  # warm the session
    with django_assert_max_num_queries(8):
        assert len(api.get(f"{API}/incidents").json()["items"]) == 6
    with django_assert_max_num_queries(8):
        assert len(api.get(f"{API}/breaches").json()["items"]) == 6
