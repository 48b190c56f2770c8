"""Licences and contracts through the API and the screens: CRUD, assignments, compliance, field
errors as 400s, stale versions as 409s, callers refused, operators allowed, and the CI page's
section."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import User
from beheer.cmdb import services
from beheer.cmdb.models import CiType, ConfigurationItem, Contract, Licence, LicenceAssignment, Supplier
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

API = "/api/v1/cmdb"


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url)
    return call(url, data=json.dumps(body), content_type="application/json")


def _server(actor: User, name: str) -> ConfigurationItem:
    server = CiType.objects.get(code="server")
    return services.create_item(actor=actor, data=services.ItemData(name=name, ci_type=server))


def test_licence_api_crud_assignments_and_compliance(operator: User, caller: User) -> None:
    api = client_for(operator)
    hv01 = _server(operator, "hv01")
    body = {"product": "Veeam", "licence_model": "per_device", "entitlements": 1, "start_date": "2026-01-01"}
    created = _json(api, "post", f"{API}/licences", body)
    assert created.status_code == 201, created.content
    licence = created.json()
    assert licence["compliance"]["state"] == "over"
    pk = licence["id"]

    bad = _json(api, "post", f"{API}/licences", {**body, "supplier_id": 999999, "entitlements": None})
    assert bad.status_code == 400
    assert "supplier_id" in bad.json()["fields"]

    wrong = _json(api, "post", f"{API}/licences/{pk}/assignments", {"person_id": caller.pk})
    assert wrong.status_code == 400
    assert "person_id" in wrong.json()["fields"]
    assigned = _json(api, "post", f"{API}/licences/{pk}/assignments", {"ci_id": hv01.pk})
    assert assigned.status_code == 201
    hv02 = _server(operator, "hv02")
    assert _json(api, "post", f"{API}/licences/{pk}/assignments", {"ci_id": hv02.pk}).status_code == 201
    assert api.get(f"{API}/licences/{pk}").json()["compliance"]["state"] == "under"
    assert api.get(f"{API}/licences/compliance").json() == {"licences": 1, "ok": 0, "over": 0, "under": 1}
    listed = api.get(f"{API}/licences").json()["items"]
    assert [(i["product"], i["assigned"], i["state"]) for i in listed] == [("Veeam", 2, "under")]
    rows = api.get(f"{API}/licences/{pk}/assignments").json()
    assert [r["ci"]["name"] for r in rows] == ["hv01", "hv02"]
    removed = api.delete(f"{API}/licences/{pk}/assignments/{rows[0]['id']}")
    assert removed.status_code == 204

    stale = _json(api, "put", f"{API}/licences/{pk}", {**body, "product": "Veeam B&R", "version": 99})
    assert stale.status_code == 409
    changed = _json(api, "put", f"{API}/licences/{pk}", {**body, "product": "Veeam B&R", "version": 1})
    assert changed.status_code == 200
    assert changed.json()["product"] == "Veeam B&R"
    history = api.get(f"{API}/licences/{pk}/history").json()["items"]
    assert any(row["field"] == "product" for row in history)
    assert api.delete(f"{API}/licences/{pk}?version=2").status_code == 204
    assert not Licence.objects.exists()


def test_contract_api_crud(operator: User) -> None:
    api = client_for(operator)
    dell = Supplier.objects.create(name="Dell")
    hv01 = _server(operator, "hv01")
    body = {
        "title": "Dell ProSupport",
        "supplier_id": dell.pk,
        "kind": "support",
        "start_date": "2025-01-01",
        "end_date": "2027-01-01",
        "notice_days": 31,
        "covered_ci_ids": [hv01.pk],
    }
    created = _json(api, "post", f"{API}/contracts", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["notice_date"] == "2026-12-01"
    assert [c["name"] for c in data["covered_cis"]] == ["hv01"]
    bad = _json(
        api, "post", f"{API}/contracts", {**body, "covered_ci_ids": [999999], "end_date": "2024-01-01"}
    )
    assert bad.status_code == 400
    assert "covered_ci_ids" in bad.json()["fields"]
    wrong_dates = _json(api, "post", f"{API}/contracts", {**body, "end_date": "2024-01-01"})
    assert wrong_dates.status_code == 400
    assert "end_date" in wrong_dates.json()["fields"]
    pk = data["id"]
    assert _json(api, "put", f"{API}/contracts/{pk}", {**body, "version": 5}).status_code == 409
    changed = _json(api, "put", f"{API}/contracts/{pk}", {**body, "notice_days": 0, "version": 1})
    assert changed.json()["notice_date"] == "2027-01-01"
    assert [c["id"] for c in api.get(f"{API}/contracts?sort=title").json()["items"]] == [pk]
    assert api.get(f"{API}/contracts/{pk}/history").status_code == 200
    assert api.delete(f"{API}/contracts/{pk}?version=2").status_code == 204
    assert not Contract.objects.exists()


def test_callers_are_refused_everywhere(caller: User, operator: User) -> None:
    licence = services.create_licence(
        actor=operator,
        data=services.LicenceData(
            product="M365", licence_model="per_user", start_date=date(2026, 1, 1), entitlements=5
        ),
    )
    api = client_for(caller)
    assert api.get(f"{API}/licences").status_code == 403
    assert api.get(f"{API}/contracts").status_code == 403
    assert (
        _json(api, "post", f"{API}/licences/{licence.pk}/assignments", {"person_id": caller.pk}).status_code
        == 403
    )
    web = Client()
    web.force_login(caller)
    for url in ("/cmdb/licences/", f"/cmdb/licences/{licence.pk}/", "/cmdb/contracts/"):
        assert web.get(url).status_code in (302, 403, 404)
    assert not LicenceAssignment.objects.exists()


def test_screens_list_show_and_manage_licences_and_contracts(operator: User, caller: User) -> None:
    web = Client(HTTP_ACCEPT_LANGUAGE="en")  # the messages below are read in English
    web.force_login(operator)
    hv01 = _server(operator, "hv01")
    dell = Supplier.objects.create(name="Dell", contact_person="Dirk", email="support@dell.example")

    form = {
        "product": "Veeam",
        "licence_model": "per_device",
        "entitlements": "2",
        "start_date": "2026-01-01",
        "expiry_date": "2027-01-01",
        "remind_days": "60",
    }
    bad = web.post("/cmdb/licences/new/", {**form, "entitlements": "", "expiry_date": "2025-01-01"})
    assert bad.status_code == 200
    assert "The licence cannot expire before it starts." in bad.content.decode()
    saved = web.post("/cmdb/licences/new/", form)
    assert saved.status_code == 302
    licence = Licence.objects.get()
    page = web.post(f"/cmdb/licences/{licence.pk}/assignments/add/", {"ci": "hv01"}, follow=True)
    assert page.status_code == 200
    assert LicenceAssignment.objects.filter(licence=licence, ci=hv01).exists()
    refused = web.post(f"/cmdb/licences/{licence.pk}/assignments/add/", {"person": caller.pk}, follow=True)
    assert "A per-device licence is assigned to configuration items." in refused.content.decode()
    listing = web.get("/cmdb/licences/").content.decode()
    assert 'data-state="over"' in listing
    assert "Veeam" in listing
    detail = web.get(f"/cmdb/licences/{licence.pk}/").content.decode()
    assert "hv01" in detail
    assignment = LicenceAssignment.objects.get()
    assert web.post(f"/cmdb/licences/{licence.pk}/assignments/{assignment.pk}/remove/").status_code == 302
    assert not LicenceAssignment.objects.exists()

    contract_form = {
        "title": "Dell ProSupport",
        "supplier": dell.pk,
        "kind": "support",
        "start_date": "2025-01-01",
        "end_date": "2027-01-01",
        "notice_days": "31",
        "covered_cis": [hv01.pk],
        "remind_days": "60",
    }
    assert web.post("/cmdb/contracts/new/", contract_form).status_code == 302
    contract = Contract.objects.get()
    assert contract.notice_date == date(2026, 12, 1)
    shown = web.get(f"/cmdb/contracts/{contract.pk}/").content.decode()
    assert "Dirk" in shown
    assert f'data-covered="{hv01.pk}"' in shown
    assert "Dell ProSupport" in web.get("/cmdb/contracts/?sort=title").content.decode()
    edit = web.get(f"/cmdb/contracts/{contract.pk}/edit/")
    assert edit.status_code == 200
    stale = web.post(f"/cmdb/contracts/{contract.pk}/edit/", {**contract_form, "version": "7"})
    assert "Somebody else changed this contract" in stale.content.decode()

    services.assign_licence(licence, actor=operator, ci=hv01)
    ci_page = web.get(f"/cmdb/{hv01.pk}/").content.decode()
    assert "data-ci-licences" in ci_page
    assert "Dell ProSupport" in ci_page
    assert "Veeam" in ci_page

    removed = web.post(f"/cmdb/licences/{licence.pk}/delete/", {"confirm": "on", "version": licence.version})
    assert removed.status_code == 302
    assert not Licence.objects.exists()
