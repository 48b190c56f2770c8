"""The measures register's pages and API: wiring, permissions, bad input, exports, query counts."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from beheer.accounts.models import User
from beheer.core import clock
from beheer.security.models import ApplicabilityStatement, Control, EvidenceFile, Implementation
from beheer.security.services import measures as services
from beheer.security.services.measures.catalogue import read_data
from tests.helpers import client_for

from .test_measures_support import control, procedure, service_ci, shipped, weekly_series

pytestmark = pytest.mark.django_db
API = "/api/v1/security"


def _content(response: Any) -> bytes:
    """The body of a streamed (file) response."""
    return b"".join(response.streaming_content)


def _json(client: Client, method: str, url: str, body: object) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


# -- pages --------------------------------------------------------------------------------------------


def test_pages_are_for_staff_only(operator: User, caller: User, coordinator: User) -> None:
    impl = services.create_implementation(control("8.13"), actor=coordinator)
    urls = [
        reverse("security-controls"),
        reverse("security-control", args=[impl.control_id]),
        reverse("security-soa"),
        reverse("security-catalogues"),
        reverse("security-dashboard"),
        reverse("security-implementation-edit", args=[impl.pk]),
    ]
    staff, other = client_for(operator), client_for(caller)
    for url in urls:
        assert staff.get(url).status_code == 200, url
        assert other.get(url).status_code == 404, url
    assert Client().get(urls[0]).status_code == 302


def test_control_list_filters_and_reads_few_queries(
    operator: User, coordinator: User, django_assert_max_num_queries: object
) -> None:
    services.create_implementation(control("5.1"), actor=coordinator)
    client = client_for(operator)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        page = client.get(reverse("security-controls"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-control="5.1"' in body
    assert next(c for c in page.context["page"].items if c.number == "5.1").implementation_count == 1
    assert page.context["next_url"]  # 130 controls, 50 per page
    second = client.get(reverse("security-controls") + page.context["next_url"])
    assert second.context["page"].items[0].sort_key > page.context["page"].items[-1].sort_key
    people = client.get(reverse("security-controls"), {"theme": "people"}).context["page"].items
    assert {c.theme for c in people} == {"people"}
    found = client.get(reverse("security-controls"), {"q": "8.13"}).context["page"].items
    assert [c.number for c in found][:2] == ["8.13", "8.13.01"]
    assert found[0].implementation_count == 0


def test_control_page_shows_implementations_with_evidence_state(coordinator: User) -> None:
    series = weekly_series(coordinator)
    article = procedure(coordinator)
    impl = services.create_implementation(
        control("8.13"),
        actor=coordinator,
        status="implemented",
        articles=[article],
        series=[series],
        review_on=timezone.localdate(clock.now()) - timedelta(days=1),
    )
    page = client_for(coordinator).get(reverse("security-control", args=[impl.control_id]))
    body = page.content.decode()
    assert f'data-implementation="{impl.pk}"' in body
    assert 'data-series-evidence="none"' in body
    assert article.title in body
    assert "review-overdue" in body
    assert 'id="history"' in body


def test_own_control_pages(coordinator: User, operator: User) -> None:
    client = client_for(coordinator)
    response = client.post(reverse("security-own-control-new"), {"title_nl": "Camera's", "title_en": ""})
    own = Control.objects.get(number="EIG-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("security-control", args=[own.pk])
    bad = client.post(reverse("security-own-control-new"), {"title_nl": ""})
    assert bad.status_code == 400
    assert client_for(operator).get(reverse("security-own-control-new")).status_code == 404
    refused = client_for(operator).post(reverse("security-own-control-new"), {"title_nl": "Ik niet"})
    assert refused.status_code == 400
    assert "beveiligingsfunctionarissen" in refused.content.decode()  # the refusal, in Dutch
    edit = client.post(
        reverse("security-own-control-edit", args=[own.pk]), {"title_nl": "Camera's plein", "version": 1}
    )
    assert edit.status_code == 302
    assert client.get(reverse("security-own-control-edit", args=[control("5.1").pk])).status_code == 404


def test_soa_inline_editing_with_htmx(coordinator: User, operator: User) -> None:
    client = client_for(coordinator)
    c = control("8.4")
    url = reverse("security-soa-line", args=[c.pk])
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert f'data-soa-edit="{c.number}"' in form.content.decode()
    missing = client.post(
        url, {"applicability": "not_applicable", "justification": "", "version": 0}, HTTP_HX_REQUEST="true"
    )
    assert "Say why" in missing.content.decode() or "justification" in missing.content.decode()
    assert not ApplicabilityStatement.objects.filter(control=c).exists()
    saved = client.post(
        url,
        {"applicability": "not_applicable", "justification": "Geen code", "version": 0},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    assert f'data-soa-line="{c.number}"' in saved.content.decode()
    assert ApplicabilityStatement.objects.get(control=c).justification == "Geen code"
    # an operator who is no officer is refused, nothing changes
    refused = client_for(operator).post(
        url, {"applicability": "applicable", "justification": "", "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert "beveiligingsfunctionarissen" in refused.content.decode()  # the refusal, in Dutch
    assert ApplicabilityStatement.objects.get(control=c).applicability == "not_applicable"
    page = client.get(reverse("security-soa"), {"decision": "not_applicable"})
    assert [x.number for x in page.context["page"].items] == ["8.4"]


def test_soa_exports_open(coordinator: User) -> None:
    services.set_applicability(
        control("8.4"),
        actor=coordinator,
        applicability="not_applicable",
        justification="Geen eigen code",
        expected_version=0,
    )
    client = client_for(coordinator)
    xlsx = client.get(reverse("security-soa-xlsx"))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(_content(xlsx))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + Control.objects.filter(catalogue=shipped()).count()
    line = next(r for r in rows if r[0] == "8.4")
    assert line[4] == "Geen eigen code"
    pdf = client.get(reverse("security-soa-pdf"), {"theme": "technological"})
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Geen eigen code" in text
    assert "5.15" not in text  # filtered to the technological theme


def test_evidence_upload_and_download_are_permission_checked(
    coordinator: User, operator: User, caller: User
) -> None:
    impl = services.create_implementation(control("8.13"), actor=coordinator)
    client = client_for(coordinator)
    response = client.post(
        reverse("security-evidence-upload", args=[impl.pk]),
        {"file": SimpleUploadedFile("verslag.txt", b"Geslaagd")},
    )
    assert response.status_code == 302
    stored = EvidenceFile.objects.get()
    download = client_for(operator).get(reverse("security-evidence-download", args=[stored.pk]))
    assert download.status_code == 200
    assert _content(download) == b"Geslaagd"
    assert download["Content-Security-Policy"].startswith("default-src 'none'")
    assert client_for(caller).get(reverse("security-evidence-download", args=[stored.pk])).status_code == 404
    # an operator who neither owns it nor manages the register cannot add or remove files
    client_for(operator).post(reverse("security-evidence-delete", args=[stored.pk]))
    assert EvidenceFile.objects.filter(pk=stored.pk).exists()


def test_dashboard_section(coordinator: User) -> None:
    services.create_implementation(control("8.13"), actor=coordinator, status="implemented")
    body = client_for(coordinator).get(reverse("security-dashboard")).content.decode()
    assert 'data-security-section="measures"' in body
    assert 'data-maturity="themes"' in body


def test_make_current_from_the_catalogue_page(coordinator: User, operator: User) -> None:
    second = services.load_catalogue(read_data(), actor=coordinator, code="tweede-versie")
    client_for(operator).post(reverse("security-catalogue-current", args=[second.pk]))
    second.refresh_from_db()
    assert not second.current
    client_for(coordinator).post(reverse("security-catalogue-current", args=[second.pk]))
    second.refresh_from_db()
    assert second.current


# -- API ----------------------------------------------------------------------------------------------


def test_api_controls_keyset_pages_and_query_count(
    operator: User, django_assert_max_num_queries: object
) -> None:
    client = client_for(operator)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        first = client.get(f"{API}/controls", {"limit": 100}).json()
    assert len(first["items"]) == 100
    assert {c["implementation_count"] for c in first["items"]} == {0}
    rest = client.get(f"{API}/controls", {"limit": 100, "cursor": first["next_cursor"]}).json()
    numbers = [c["number"] for c in first["items"] + rest["items"]]
    assert len(numbers) == len(set(numbers)) == Control.objects.filter(catalogue=shipped()).count()
    assert rest["next_cursor"] is None
    assert client.get(f"{API}/controls", {"cursor": "nonsense"}).status_code == 400
    assert client.get(f"{API}/controls", {"limit": 0}).status_code == 400


def test_api_is_refused_to_callers(caller: User) -> None:
    client = client_for(caller)
    for url in (
        f"{API}/controls",
        f"{API}/soa",
        f"{API}/implementations",
        f"{API}/catalogues",
        f"{API}/overview",
    ):
        assert client.get(url).status_code in (403, 404), url


def test_api_soa_line_rules(coordinator: User, operator: User) -> None:
    c = control("8.4")
    client = client_for(coordinator)
    bad = _json(
        client,
        "put",
        f"{API}/soa/{c.pk}",
        {"applicability": "not_applicable", "justification": "", "version": 0},
    )
    assert bad.status_code == 400
    assert "justification" in bad.json()["fields"]
    ok = _json(
        client,
        "put",
        f"{API}/soa/{c.pk}",
        {"applicability": "not_applicable", "justification": "Geen", "version": 0},
    )
    assert ok.status_code == 200
    assert ok.json()["statement"]["version"] == 1
    stale = _json(client, "put", f"{API}/soa/{c.pk}", {"applicability": "applicable", "version": 0})
    assert stale.status_code == 409
    refused = _json(
        client_for(operator), "put", f"{API}/soa/{c.pk}", {"applicability": "applicable", "version": 1}
    )
    assert refused.status_code == 403
    shown = client.get(f"{API}/soa", {"decision": "not_applicable"}).json()["items"]
    assert [x["number"] for x in shown] == ["8.4"]
    export = client.get(f"{API}/soa/export", {"format": "xlsx"})
    assert export.status_code == 200
    assert load_workbook(io.BytesIO(_content(export))).active.max_row > 90
    history = client.get(f"{API}/controls/{c.pk}/history").json()["items"]
    assert {h["field"] for h in history} >= {"applicability", "justification"}


def test_api_implementations(
    coordinator: User, operator: User, django_assert_max_num_queries: object
) -> None:
    client = client_for(coordinator)
    magister = service_ci(coordinator)
    series = weekly_series(coordinator)
    body = {
        "control_id": control("8.13").pk,
        "scope_ci_id": magister.pk,
        "status": "partly",
        "owner_id": operator.pk,
        "description": "SaaS",
        "series_ids": [series.pk],
    }
    made = _json(client, "post", f"{API}/implementations", body)
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["scope_ci"]["id"] == magister.pk
    assert data["series_ids"] == [series.pk]
    again = _json(client, "post", f"{API}/implementations", body)
    assert again.status_code == 400
    assert "scope_ci_id" in again.json()["fields"]
    unknown = _json(
        client, "post", f"{API}/implementations", {**body, "scope_ci_id": None, "owner_id": 987654}
    )
    assert unknown.status_code == 400
    assert "owner_id" in unknown.json()["fields"]
    assert Implementation.objects.count() == 1
    refused = _json(
        client_for(operator), "post", f"{API}/implementations", {**body, "control_id": control("5.1").pk}
    )
    assert refused.status_code == 403
    assert _json(Client(), "post", f"{API}/implementations", body).status_code == 401
    impl_id = data["id"]
    update = {
        "status": "implemented",
        "owner_id": operator.pk,
        "description": "SaaS, getest",
        "series_ids": [series.pk],
        "version": data["version"],
    }
    changed = _json(client_for(operator), "put", f"{API}/implementations/{impl_id}", update)
    assert changed.status_code == 200
    assert changed.json()["status"] == "implemented"
    stale = _json(client, "put", f"{API}/implementations/{impl_id}", update)
    assert stale.status_code == 409
    uploaded = client.post(
        f"{API}/implementations/{impl_id}/files", {"file": SimpleUploadedFile("a.txt", b"bewijs")}
    )
    assert uploaded.status_code == 201
    evidence = client.get(f"{API}/implementations/{impl_id}/evidence").json()
    assert evidence["files"][0]["name"] == "a.txt"
    assert evidence["series"][0]["state"] == "none"
    file_id = evidence["files"][0]["id"]
    assert _content(client.get(f"{API}/evidence-files/{file_id}")) == b"bewijs"
    for number in ("5.15", "8.8", "5.24"):
        services.create_implementation(
            control(number), actor=coordinator, articles=[procedure(coordinator, number)]
        )
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        listed = client.get(f"{API}/implementations", {"limit": 2})
    page = listed.json()
    assert len(page["items"]) == 2
    assert page["next_cursor"]
    reviewed = _json(
        client,
        "post",
        f"{API}/implementations/{impl_id}/reviewed",
        {"next_review_on": str(timezone.localdate(clock.now()) - timedelta(days=1))},
    )
    assert reviewed.status_code == 400
    assert "next_review_on" in reviewed.json()["fields"]
    assert client.delete(f"{API}/evidence-files/{file_id}").status_code == 204
    assert client.get(f"{API}/overview").json()["themes"][0]["applicable"] == 37


def test_api_catalogue_load_is_idempotent_and_own_controls(coordinator: User, operator: User) -> None:
    client = client_for(coordinator)
    data = read_data()
    body = {k: data[k] for k in ("name_nl", "name_en", "version_label")} | {
        "code": "iso-copy",
        "controls": [
            {k: v for k, v in c.items() if k in ("number", "theme", "title_nl", "title_en", "parent")}
            for c in data["controls"]
        ],
    }
    first = _json(client, "post", f"{API}/catalogues", body)
    assert first.status_code == 201, first.content
    assert first.json()["control_count"] == len(data["controls"])
    second = _json(client, "post", f"{API}/catalogues", body)
    assert second.json()["id"] == first.json()["id"]
    assert _json(client_for(operator), "post", f"{API}/catalogues", {**body, "code": "x"}).status_code == 403
    made = _json(client, "post", f"{API}/controls", {"title_nl": "Eigen maatregel"})
    assert made.status_code == 201
    assert made.json()["number"] == "EIG-1"
    archived = _json(
        client, "post", f"{API}/controls/{made.json()['id']}/active", {"active": False, "version": 1}
    )
    assert archived.json()["active"] is False
    catalogue_edit = _json(
        client, "put", f"{API}/controls/{control('5.1').pk}", {"title_nl": "x", "version": 1}
    )
    assert catalogue_edit.status_code == 400
