"""The risks and classification pages: wiring, permissions (callers 404, operators read but do not
classify), form errors instead of 500s, adoption in one click, the dashboard section and the CI page
panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from beheer.accounts.models import Role
from beheer.security.models import Classification, Risk, RiskStatus
from beheer.security.services import risks as services
from tests.helpers import client_for, make_person

from .risks_helpers import controls, officer, school

pytestmark = pytest.mark.django_db


def test_callers_never_see_the_pages() -> None:
    sec = officer()
    cis = school(sec)
    risk = services.register_risk(
        actor=sec, data=services.RiskData(title="Geheim risico", likelihood=2, impact=2)
    )
    caller = client_for(make_person(Role.CALLER))
    for url in (
        "/security/classification/",
        f"/security/classification/{cis['magister'].pk}/",
        "/security/risks/",
        f"/security/risks/{risk.pk}/",
        "/security/risks/matrix/",
        "/security/risks/export.csv",
    ):
        answer = caller.get(url)
        assert answer.status_code in (403, 404), url
        assert b"Geheim risico" not in answer.content


def test_the_classification_page_and_one_click_adoption(django_assert_max_num_queries: Any) -> None:
    sec = officer()
    cis = school(sec)
    services.classify(
        cis["magister"], actor=sec, availability=2, integrity=2, confidentiality=3, justification=""
    )
    web = client_for(sec)
    with django_assert_max_num_queries(20):
        page = web.get("/security/classification/?scope=all")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-ci="{cis["host"].pk}" data-below-suggestion' in body
    adopt = web.post(
        f"/security/classification/{cis['host'].pk}/adopt/",
        {"version": "", "next": "/security/classification/"},
    )
    assert adopt.status_code == 302
    assert adopt["Location"] == "/security/classification/"
    assert Classification.objects.get(ci=cis["host"]).code == "2-2-3"
    evil = web.post(f"/security/classification/{cis['vm'].pk}/adopt/", {"next": "https://evil.example/"})
    assert evil["Location"] == f"/security/classification/{cis['vm'].pk}/"


def test_the_classification_form() -> None:
    sec = officer()
    cis = school(sec)
    web = client_for(sec)
    url = f"/security/classification/{cis['wifi'].pk}/"
    assert web.get(url).status_code == 200
    bad = web.post(url, {"availability": "9", "integrity": "1", "confidentiality": "1"})
    assert bad.status_code == 200
    assert not Classification.objects.exists()
    ok = web.post(
        url, {"availability": "2", "integrity": "1", "confidentiality": "1", "justification": "Toetsen"}
    )
    assert ok.status_code == 302
    stale = web.post(url, {"availability": "3", "integrity": "1", "confidentiality": "1", "version": "7"})
    assert stale.status_code == 200
    assert b"Somebody else changed" in stale.content or b"iemand anders" in stale.content.lower()
    assert Classification.objects.get(ci=cis["wifi"]).availability == 2
    operator = client_for(make_person(Role.OPERATOR))
    assert operator.get(url).status_code == 200
    refused = operator.post(
        url, {"availability": "1", "integrity": "1", "confidentiality": "1", "version": "1"}
    )
    assert refused.status_code == 200
    assert Classification.objects.get(ci=cis["wifi"]).availability == 2


def test_register_and_edit_a_risk_on_the_pages(django_assert_max_num_queries: Any) -> None:
    sec = officer()
    cis = school(sec)
    (backup,) = controls("8.13")
    web = client_for(sec)
    assert web.get("/security/risks/new/").status_code == 200
    form = {
        "title": "Ransomware op fs01",
        "likelihood": "3",
        "impact": "5",
        "cis": [str(cis["host"].pk)],
        "controls": [str(backup.pk)],
        "treatment": "reduce",
        "residual_likelihood": "2",
        "residual_impact": "3",
        "owner": str(sec.pk),
        "status": "treated",
    }
    made = web.post("/security/risks/new/", form)
    assert made.status_code == 302, made.content
    risk = Risk.objects.get()
    assert risk.residual_score == 6
    detail = web.get(f"/security/risks/{risk.pk}/")
    assert b"RSK-1" in detail.content
    bad = web.post(
        "/security/risks/new/", {**form, "cis": ["99999999999999999999999"], "residual_likelihood": "5"}
    )
    assert bad.status_code == 200
    assert Risk.objects.count() == 1
    edit = web.post(
        f"/security/risks/{risk.pk}/edit/", {**form, "title": "Ransomware (fs01)", "version": "1"}
    )
    assert edit.status_code == 302
    risk.refresh_from_db()
    assert risk.title == "Ransomware (fs01)"
    operator = client_for(make_person(Role.OPERATOR))
    refused = operator.post(
        f"/security/risks/{risk.pk}/edit/",
        {
            **form,
            "likelihood": "4",
            "impact": "5",
            "treatment": "accept",
            "status": "accepted",
            "residual_likelihood": "",  # judged on the inherent 20: critical
            "residual_impact": "",
            "version": "2",
            "acceptance_reason": "Geen budget",
        },
    )
    assert refused.status_code == 200
    risk.refresh_from_db()
    assert risk.status == RiskStatus.TREATED
    for n in range(8):
        services.register_risk(
            actor=sec, data=services.RiskData(title=f"Risico {n}", likelihood=1 + n % 5, impact=2, owner=sec)
        )
    with django_assert_max_num_queries(20):
        listing = web.get("/security/risks/?status=current")
    assert listing.status_code == 200
    assert listing.content.count(b"data-risk=") == 9
    assert b'data-heat-map="inherent"' in listing.content
    csv = web.get("/security/risks/export.csv?band=high")
    assert b"RSK-1" in b"".join(csv.streaming_content)  # type: ignore[attr-defined]
    assert web.get("/security/risks/export.xlsx").status_code == 200


def test_the_matrix_page() -> None:
    operator = client_for(make_person(Role.OPERATOR))
    page = operator.get("/security/risks/matrix/")
    assert page.status_code == 200
    assert b"data-matrix-form" not in page.content
    coordinator = client_for(make_person(Role.COORDINATOR))
    form = {"medium_from": "4", "high_from": "9", "critical_from": "15", "version": "1"}
    for axis in ("likelihood", "impact"):
        for n in range(1, 6):
            form[f"{axis}_{n}_nl"] = f"Niveau {n}"
            form[f"{axis}_{n}_en"] = f"Level {n}"
    assert coordinator.post("/security/risks/matrix/", form).status_code == 302
    assert services.current_settings().medium_from == 4
    bad = coordinator.post("/security/risks/matrix/", {**form, "medium_from": "12", "version": "2"})
    assert bad.status_code == 200
    assert services.current_settings().medium_from == 4
    refused = operator.post("/security/risks/matrix/", {**form, "medium_from": "3", "version": "2"})
    assert refused.status_code == 200
    assert services.current_settings().medium_from == 4


def test_the_dashboard_and_the_ci_page_show_risks_and_classification() -> None:
    from datetime import timedelta

    from beheer.core import clock

    sec = officer()
    cis = school(sec)
    services.classify(
        cis["magister"], actor=sec, availability=2, integrity=2, confidentiality=3, justification=""
    )
    services.register_risk(
        actor=sec,
        data=services.RiskData(
            title="Datalek Magister",
            likelihood=3,
            impact=4,
            cis=[cis["host"]],
            review_date=clock.now().date() - timedelta(days=2),
        ),
    )
    web = client_for(sec)
    dashboard = web.get("/security/").content.decode()
    assert "data-security-risks-section" in dashboard
    assert "Datalek Magister" in dashboard  # overdue for review
    ci_page = web.get(reverse("cmdb-item", args=[cis["host"].pk]))
    assert ci_page.status_code == 200
    assert b"data-ci-classification" in ci_page.content
    assert b"RSK-1" in ci_page.content
