"""The risks and classification API: wiring, permissions (callers 404/403, operators who are not
officers refused classification and matrix writes), field errors, versions, exports, query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import Role
from beheer.security.models import Classification, Risk
from beheer.security.services import risks as services
from tests.helpers import client_for, make_person

from .risks_helpers import controls, make_ci, officer, relate, school

pytestmark = pytest.mark.django_db
API = "/api/v1/security"


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="en")
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_classify_suggest_and_adopt_through_the_api() -> None:
    sec = officer()
    cis = school(sec)
    api = client_for(sec)
    body = {"availability": 2, "integrity": 3, "confidentiality": 3, "justification": "Leerlingdossiers"}
    put = _json(api, "put", f"{API}/classifications/{cis['magister'].pk}", body)
    assert put.status_code == 200, put.content
    assert put.json()["own"]["code"] == "2-3-3"
    stale = _json(
        api, "put", f"{API}/classifications/{cis['magister'].pk}", {**body, "availability": 3, "version": 5}
    )
    assert stale.status_code == 409
    bad = _json(api, "put", f"{API}/classifications/{cis['magister'].pk}", {**body, "availability": 7})
    assert bad.status_code == 422
    suggestion = _json(api, "get", f"{API}/classifications/{cis['host'].pk}/suggestion").json()
    assert suggestion["confidentiality"]["value"] == 3
    assert suggestion["confidentiality"]["source"]["name"] == "Magister"
    adopted = _json(api, "post", f"{API}/classifications/{cis['host'].pk}/adopt", {})
    assert adopted.status_code == 200, adopted.content
    assert adopted.json()["own"]["code"] == "2-3-3"
    assert adopted.json()["below_suggestion"] is False
    again = _json(api, "post", f"{API}/classifications/{cis['host'].pk}/adopt", {"version": 1})
    assert again.status_code == 400
    trail = _json(api, "get", f"{API}/classifications/{cis['host'].pk}/history").json()
    assert {row["action"] for row in trail["items"]} == {"adopted"}
    gone = _json(api, "delete", f"{API}/classifications/{cis['host'].pk}?version=1")
    assert gone.status_code == 204
    assert _json(api, "get", f"{API}/classifications/999999").status_code == 404


def test_the_classification_list_shows_own_and_suggested(django_assert_max_num_queries: Any) -> None:
    sec = officer()
    cis = school(sec)
    services.classify(
        cis["magister"], actor=sec, availability=2, integrity=2, confidentiality=3, justification=""
    )
    api = client_for(sec)
    with django_assert_max_num_queries(8):
        page = _json(api, "get", f"{API}/classifications?scope=all&limit=50").json()
    rows = {r["ci"]["name"]: r for r in page["items"]}
    assert rows["Magister"]["own"]["code"] == "2-2-3"
    assert rows["hv02"]["own"] is None
    assert rows["hv02"]["suggested"]["confidentiality"]["value"] == 3
    assert rows["hv02"]["below_suggestion"] is True
    main = _json(api, "get", f"{API}/classifications").json()
    assert "hv02" not in {r["ci"]["name"] for r in main["items"]}  # services and applications only
    unclassified = _json(api, "get", f"{API}/classifications?state=unclassified").json()
    assert "Magister" not in {r["ci"]["name"] for r in unclassified["items"]}
    for n in range(12):  # more classified services resting on the host cost no more queries
        extra = make_ci(sec, f"Dienst {n}", "service")
        relate(sec, extra, "runs_on", cis["host"])
        services.classify(extra, actor=sec, availability=1, integrity=1, confidentiality=1, justification="")
    with django_assert_max_num_queries(8):
        _json(api, "get", f"{API}/classifications?scope=all&limit=50")


def test_an_operator_reads_but_may_not_classify_or_change_the_matrix() -> None:
    operator = make_person(Role.OPERATOR)
    cis = school(operator)
    api = client_for(operator)
    assert _json(api, "get", f"{API}/classifications").status_code == 200
    body = {"availability": 2, "integrity": 3, "confidentiality": 3}
    assert _json(api, "put", f"{API}/classifications/{cis['wifi'].pk}", body).status_code == 403
    assert not Classification.objects.exists()
    matrix = _json(api, "get", f"{API}/risk-matrix").json()
    assert len(matrix["levels"]) == 10
    assert len(matrix["cells"]) == 25
    put = _json(
        api,
        "put",
        f"{API}/risk-matrix",
        {"medium_from": 4, "high_from": 8, "critical_from": 15, "version": 1},
    )
    assert put.status_code == 403
    coordinator = client_for(make_person(Role.COORDINATOR))
    ok = _json(
        coordinator,
        "put",
        f"{API}/risk-matrix",
        {
            "medium_from": 4,
            "high_from": 8,
            "critical_from": 15,
            "levels": [
                {"axis": "likelihood", "value": 5, "name_nl": "Vrijwel zeker", "name_en": "Almost certain"}
            ],
            "version": 1,
        },
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == 2
    bad = _json(
        coordinator,
        "put",
        f"{API}/risk-matrix",
        {"medium_from": 9, "high_from": 8, "critical_from": 15, "version": 2},
    )
    assert bad.status_code == 400
    assert "high_from" in bad.json()["fields"]
    assert _json(coordinator, "get", f"{API}/risk-matrix/history").json()["items"]


def test_callers_get_nothing() -> None:
    sec = officer()
    cis = school(sec)
    risk = services.register_risk(actor=sec, data=services.RiskData(title="Phishing", likelihood=4, impact=4))
    caller = client_for(make_person(Role.CALLER, username="leerling"))
    for url in (
        f"{API}/classifications",
        f"{API}/classifications/{cis['magister'].pk}",
        f"{API}/risks",
        f"{API}/risks/{risk.pk}",
        f"{API}/risk-matrix",
        f"{API}/risks/export.csv",
    ):
        answer = _json(caller, "get", url)
        assert answer.status_code in (403, 404), url
        assert b"Phishing" not in answer.content
    assert _json(
        caller, "post", f"{API}/risks", {"title": "x", "likelihood": 1, "impact": 1}
    ).status_code in (403, 404)


def test_risks_through_the_api(django_assert_max_num_queries: Any) -> None:
    sec = officer()
    cis = school(sec)
    backup, malware = controls("8.13", "8.7")
    api = client_for(sec)
    body = {
        "title": "Ransomware op de bestandsserver",
        "threat": "Versleuteling door criminelen",
        "ci_ids": [cis["host"].pk],
        "likelihood": 3,
        "impact": 5,
        "treatment": "reduce",
        "control_ids": [backup.pk, malware.pk],
        "residual_likelihood": 2,
        "residual_impact": 3,
        "owner_id": sec.pk,
        "review_date": "2020-01-31",
        "status": "treated",
    }
    made = _json(api, "post", f"{API}/risks", body)
    assert made.status_code == 201, made.content
    out = made.json()
    assert out["number"] == "RSK-1"
    assert (out["inherent_score"], out["inherent_band"], out["residual_band"]) == (15, "high", "medium")
    assert [c["name"].split()[0] for c in out["controls"]] == ["8.7", "8.13"]
    unknown = _json(api, "post", f"{API}/risks", {**body, "control_ids": [999999], "owner_id": 999999})
    assert unknown.status_code == 400
    assert {"control_ids", "owner_id"} <= set(unknown.json()["fields"])
    too_high = _json(api, "post", f"{API}/risks", {**body, "residual_likelihood": 5, "residual_impact": 5})
    assert too_high.status_code == 400
    assert Risk.objects.count() == 1
    put = _json(api, "put", f"{API}/risks/{out['id']}", {**body, "title": "Ransomware (fs01)", "version": 1})
    assert put.status_code == 200, put.content
    assert _json(api, "put", f"{API}/risks/{out['id']}", {**body, "version": 1}).status_code == 409
    history = _json(api, "get", f"{API}/risks/{out['id']}/history").json()
    assert any(row["field"] == "title" for row in history["items"])
    for n in range(6):
        services.register_risk(
            actor=sec,
            data=services.RiskData(
                title=f"Risico {n}", likelihood=2, impact=2, cis=[cis["ap"]], controls=[backup]
            ),
        )
    with django_assert_max_num_queries(8):
        page = _json(api, "get", f"{API}/risks?limit=50").json()
    assert len(page["items"]) == 7
    overdue = _json(api, "get", f"{API}/risks?overdue=true").json()
    assert [r["number"] for r in overdue["items"]] == ["RSK-1"]
    high = _json(api, "get", f"{API}/risks?band=high&q=rsk-1").json()
    assert [r["number"] for r in high["items"]] == ["RSK-1"]
    heat = _json(api, "get", f"{API}/risks/heat-map").json()
    assert heat["total"] == 7
    cell = {(c["likelihood"], c["impact"]): c for c in heat["cells"]}
    assert cell[(2, 2)]["inherent"] == 6
    assert cell[(3, 5)]["inherent"] == 1
    assert cell[(2, 3)]["residual"] == 1


def test_operators_may_not_accept_a_high_risk_through_the_api() -> None:
    operator = make_person(Role.OPERATOR)
    api = client_for(operator)
    body = {
        "title": "Verouderde switches",
        "likelihood": 4,
        "impact": 4,
        "treatment": "accept",
        "status": "accepted",
    }
    assert (
        _json(api, "post", f"{API}/risks", {**body, "acceptance_reason": "Vervanging in 2027"}).status_code
        == 403
    )
    assert _json(api, "post", f"{API}/risks", {**body, "likelihood": 1}).status_code == 201


def test_the_exports_stream_the_register() -> None:
    sec = officer()
    school(sec)
    services.register_risk(actor=sec, data=services.RiskData(title='=HYPERLINK("x")', likelihood=2, impact=3))
    api = client_for(sec)
    csv = _json(api, "get", f"{API}/risks/export.csv")
    assert csv.status_code == 200
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "RSK-1" in text
    assert "'=HYPERLINK" in text  # neutralised
    xlsx = _json(api, "get", f"{API}/risks/export.xlsx")
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"
