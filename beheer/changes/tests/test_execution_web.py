"""The execution page and its API: wiring, confirmation steps, downloads, field errors, and that a
caller or a missing row gets nothing by any route."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from beheer.accounts.models import User
from beheer.changes import services
from beheer.changes.models import ChangeDocument, CmdbUpdate, InstallationLogEntry
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import AttributeKind, CiType, ConfigurationItem
from tests.helpers import client_for

from .helpers import make_change, make_ci

pytestmark = pytest.mark.django_db
API = "/api/v1/change-execution"
EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json", **EN)


@pytest.fixture
def world(operator: User, administrator: User) -> dict[str, Any]:
    cmdb.save_attribute(
        None,
        actor=administrator,
        ci_type=CiType.objects.get(code="access_point"),
        data=cmdb.AttributeData(
            code="firmware", label_nl="Firmware", label_en="Firmware", kind=AttributeKind.TEXT
        ),
    )
    change = make_change(operator, title="Wifi pilot gebouw B")
    first = services.add_activity(change, actor=operator, title="Access point ophangen")
    second = services.add_activity(change, actor=operator, title="Dekking meten")
    ap = make_ci(operator, "ap-b.01", "access_point", attributes={"firmware": "6.5.55"})
    return {"change": change, "first": first, "second": second, "ap": ap}


def test_the_page_shows_states_and_the_tab(
    operator: User, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    change = world["change"]
    services.decide_deviation(world["second"], actor=operator, decision="rework", deviation="Meter kapot")
    services.add_log_entry(change, actor=operator, text="Kabels getrokken", activity=world["first"])
    services.propose_attribute_change(
        world["first"], actor=operator, ci=world["ap"], field="firmware", value="7.0"
    )
    client = client_for(operator)
    with django_assert_max_num_queries(40):
        page = client.get(f"/changes/{change.pk}/execution/", **EN)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/changes/{change.pk}/execution/"' in html
    assert 'data-state="deviating"' in html
    assert 'data-decision="rework"' in html
    assert "Kabels getrokken" in html
    assert "data-confirm" in html  # marking done applies the proposed update: confirm first
    overview = client.get(f"/changes/{change.pk}/", **EN).content.decode()
    assert f"/changes/{change.pk}/execution/" in overview


def test_a_caller_and_a_missing_change_get_nothing(
    caller: User, operator: User, world: dict[str, Any]
) -> None:
    change = world["change"]
    doc = services.upload_document(change, actor=operator, upload=SimpleUploadedFile("a.txt", b"geheim"))
    update = services.propose_attribute_change(
        world["first"], actor=operator, ci=world["ap"], field="status", value="in_repair"
    )
    client = client_for(caller)
    for url in (
        f"/changes/{change.pk}/execution/",
        f"/changes/{change.pk}/documents/{doc.pk}/",
        f"/changes/{change.pk}/documents/{doc.pk}/delete/",
        f"{API}/{change.pk}/activities",
        f"{API}/{change.pk}/log",
        f"{API}/{change.pk}/documents",
        f"{API}/documents/{doc.pk}/download",
        f"{API}/{change.pk}/cmdb-updates",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"geheim" not in b"".join(getattr(response, "streaming_content", [response.content]))
    for url in (
        f"/changes/{change.pk}/execution/log/",
        f"/changes/{change.pk}/execution/activities/{world['first'].pk}/done/",
        f"/changes/{change.pk}/cmdb-updates/{update.pk}/withdraw/",
    ):
        assert client.post(url, {"text": "x"}).status_code in (403, 404), url
    assert client.delete(f"{API}/documents/{doc.pk}").status_code in (403, 404)
    assert ChangeDocument.objects.count() == 1
    assert CmdbUpdate.objects.get(pk=update.pk).status == "proposed"
    staff = client_for(operator)
    assert staff.get("/changes/999999/execution/").status_code == 404
    assert staff.get(f"/changes/{change.pk}/documents/999999/").status_code == 404
    assert staff.get(f"{API}/999999/activities").status_code == 404
    assert staff.get(f"{API}/documents/999999/download").status_code == 404
    other = make_change(operator, title="Andere wijziging")
    assert staff.get(f"/changes/{other.pk}/documents/{doc.pk}/").status_code == 404


def test_log_deviation_and_done_through_the_page(operator: User, world: dict[str, Any]) -> None:
    change, first = world["change"], world["first"]
    client = client_for(operator)
    base = f"/changes/{change.pk}"
    assert (
        client.post(f"{base}/execution/log/", {"text": "Rek 2 geplaatst", "activity": first.pk}).status_code
        == 302
    )
    assert client.post(f"{base}/execution/log/", {"text": ""}).status_code == 302
    assert InstallationLogEntry.objects.filter(change=change).count() == 1
    response = client.post(
        f"{base}/execution/activities/{world['second'].pk}/deviation/",
        {"deviation": "Meter kapot", "decision": "accept", "explanation": "Volgende week"},
    )
    assert response.status_code == 302
    world["second"].refresh_from_db()
    assert world["second"].deviation_decision == "accept"
    response = client.post(
        f"{base}/cmdb-updates/attribute/",
        {"activity": first.pk, "ci": "ap-b.01", "field": "firmware", "value": "7.0.23"},
    )
    assert response.status_code == 302
    bad = client.post(
        f"{base}/cmdb-updates/attribute/",
        {"activity": first.pk, "ci": "ap-b.01", "field": "kleur", "value": "wit"},
        follow=True,
        **EN,
    )
    assert "has no attribute kleur" in bad.content.decode()
    response = client.post(
        f"{base}/cmdb-updates/new-ci/",
        {
            "activity": first.pk,
            "name": "ap-b.02",
            "ci_type": CiType.objects.get(code="access_point").pk,
            "attributes": "firmware=7.0.23",
        },
    )
    assert response.status_code == 302
    client.post(f"{base}/execution/activities/{first.pk}/done/")
    assert CmdbUpdate.objects.filter(change=change, status="applied").count() == 2
    assert ConfigurationItem.objects.filter(name="ap-b.02").exists()


def test_documents_download_safely_and_delete_after_confirmation(
    operator: User, world: dict[str, Any]
) -> None:
    change = world["change"]
    client = client_for(operator)
    upload = SimpleUploadedFile(
        "rapport.html", b"<html><script>alert(1)</script></html>", content_type="text/html"
    )
    assert (
        client.post(f"/changes/{change.pk}/documents/", {"file": upload, "note": "Meetrapport"}).status_code
        == 302
    )
    doc = ChangeDocument.objects.get(change=change)
    response = client.get(f"/changes/{change.pk}/documents/{doc.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    confirm = client.get(f"/changes/{change.pk}/documents/{doc.pk}/delete/", **EN)
    assert "rapport.html" in confirm.content.decode()
    client.post(f"/changes/{change.pk}/documents/{doc.pk}/delete/", {})
    assert ChangeDocument.objects.filter(pk=doc.pk).exists()
    client.post(f"/changes/{change.pk}/documents/{doc.pk}/delete/", {"confirm": "on"})
    assert not ChangeDocument.objects.filter(pk=doc.pk).exists()


def test_the_api_log_is_newest_first_in_keyset_pages(operator: User, world: dict[str, Any]) -> None:
    change = world["change"]
    client = client_for(operator)
    for n in range(55):
        services.add_log_entry(change, actor=operator, text=f"Regel {n}")
    created = _json(
        client, "post", f"{API}/{change.pk}/log", {"text": "Correctie", "activity_id": world["first"].pk}
    )
    assert created.status_code == 201
    assert created.json()["activity"]["id"] == world["first"].pk
    bad = _json(client, "post", f"{API}/{change.pk}/log", {"text": "x", "activity_id": 999999})
    assert bad.status_code == 400
    assert "activity_id" in bad.json()["fields"]
    first = client.get(f"{API}/{change.pk}/log").json()
    assert first["items"][0]["text"] == "Correctie"
    assert len(first["items"]) == 50
    rest = client.get(f"{API}/{change.pk}/log", {"cursor": first["next_cursor"]}).json()
    assert len(rest["items"]) == 6
    assert rest["next_cursor"] is None
    assert rest["items"][-1]["text"] == "Regel 0"
    assert client.get(f"{API}/{change.pk}/log", {"cursor": "nonsense"}).status_code == 400


def test_the_api_proposes_applies_and_reports_field_errors(operator: User, world: dict[str, Any]) -> None:
    change, first = world["change"], world["first"]
    client = client_for(operator)
    url = f"{API}/{change.pk}/cmdb-updates"
    ap_type = CiType.objects.get(code="access_point").pk
    unknown_type = _json(
        client, "post", url, {"kind": "new_ci", "activity_id": first.pk, "name": "ap", "type_id": 999999}
    )
    assert unknown_type.status_code == 400
    assert "type_id" in unknown_type.json()["fields"]
    unknown_attr = _json(
        client,
        "post",
        url,
        {
            "kind": "new_ci",
            "activity_id": first.pk,
            "name": "ap",
            "type_id": ap_type,
            "attributes": {"kleur": "wit"},
        },
    )
    assert unknown_attr.status_code == 400
    assert "attributes.kleur" in unknown_attr.json()["fields"]
    unknown_ci = _json(
        client,
        "post",
        url,
        {"kind": "attribute", "activity_id": first.pk, "ci_id": 999999, "field": "status", "value": "in_use"},
    )
    assert unknown_ci.status_code == 400
    assert "ci_id" in unknown_ci.json()["fields"]
    new = _json(
        client,
        "post",
        url,
        {
            "kind": "new_ci",
            "activity_id": first.pk,
            "name": "ap-b.02",
            "type_id": ap_type,
            "attributes": {"firmware": "7.0.23"},
        },
    )
    assert new.status_code == 201, new.json()
    switch = make_ci(operator, "sw-b.01", "switch")
    relation = _json(
        client,
        "post",
        url,
        {
            "kind": "relation",
            "activity_id": first.pk,
            "relation_kind": "connected_to",
            "source_update_id": new.json()["id"],
            "target_ci_id": switch.pk,
        },
    )
    assert relation.status_code == 201, relation.json()
    changed = _json(
        client,
        "post",
        url,
        {
            "kind": "attribute",
            "activity_id": first.pk,
            "ci_id": world["ap"].pk,
            "field": "firmware",
            "value": "7.0.23",
        },
    )
    assert changed.json()["old_value"] == "6.5.55"
    done = _json(client, "post", f"{API}/{change.pk}/activities/{first.pk}/done")
    assert done.status_code == 200
    assert done.json()["state"] == "done"
    listed = client.get(url).json()
    assert [u["status"] for u in listed] == ["applied", "applied", "applied"]
    assert listed[0]["result_ci"]["name"] == "ap-b.02"
    gone = client.delete(f"{API}/cmdb-updates/{listed[0]['id']}")
    assert gone.status_code == 400
    decided = _json(
        client,
        "post",
        f"{API}/{change.pk}/activities/{world['second'].pk}/deviation",
        {"decision": "roll_back", "deviation": "Dekking onvoldoende", "explanation": "Oude AP terug"},
    )
    assert decided.json()["state"] == "deviating"
    assert decided.json()["deviation_decision"] == "roll_back"
    activities = client.get(f"{API}/{change.pk}/activities").json()
    assert len(activities[0]["cmdb_updates"]) == 3


def test_the_api_documents(operator: User, world: dict[str, Any]) -> None:
    change = world["change"]
    client = client_for(operator)
    upload = SimpleUploadedFile("plattegrond.pdf", b"%PDF-1.4 plattegrond", content_type="application/pdf")
    created = client.post(f"{API}/{change.pk}/documents", {"file": upload, "note": "Gebouw B"})
    assert created.status_code == 201, created.content
    body = created.json()
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    empty = client.post(f"{API}/{change.pk}/documents", {"file": SimpleUploadedFile("leeg.txt", b"")})
    assert empty.status_code == 400
    assert "file" in empty.json()["fields"]
    assert [d["id"] for d in client.get(f"{API}/{change.pk}/documents").json()] == [body["id"]]
    assert client.delete(f"{API}/documents/{body['id']}").status_code == 204
    assert client.delete(f"{API}/documents/{body['id']}").status_code == 404


def test_the_openapi_document_lists_the_routes(operator: User) -> None:
    paths = client_for(operator).get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/change-execution/{change_id}/cmdb-updates" in paths
    assert "/api/v1/change-execution/documents/{document_id}/download" in paths
