"""The CMDB's REST API: types and attributes, CIs with typed custom attributes, relations, impact and
history, who may do what, and a list whose cost does not grow with its rows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import Branch, Location, User
from beheer.cmdb import services
from beheer.cmdb.models import CiType, ConfigurationItem, Relation, Supplier
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

API = "/api/v1/cmdb"
KINDS = {
    "ram-gb": ("number", []),
    "os": ("choice", ["Windows 11", "ChromeOS"]),
    "grant": ("boolean", []),
    "replaced-on": ("date", []),
    "dock": ("ci", []),
    "keeper": ("person", []),
    "note": ("text", []),
}


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url)
    return call(url, data=json.dumps(body), content_type="application/json")


def _laptop_with_attributes(admin: Client) -> CiType:
    laptop = CiType.objects.get(code="laptop")
    for code, (kind, choices) in KINDS.items():
        body = {"code": code, "label_nl": code, "label_en": code, "kind": kind, "choices": choices}
        response = _json(admin, "post", f"{API}/types/{laptop.pk}/attributes", body)
        assert response.status_code == 201, response.content
    return laptop


def _item(operator: User, name: str, ci_type: CiType | None = None, **attrs: Any) -> ConfigurationItem:
    ci_type = ci_type or CiType.objects.get(code="server")
    data = services.ItemData(name=name, ci_type=ci_type, attributes=attrs)
    return services.create_item(actor=operator, data=data)


def test_a_ci_round_trip_with_every_kind_of_attribute(
    administrator: User, operator: User, coordinator: User, caller: User
) -> None:
    admin = client_for(administrator)
    laptop = _laptop_with_attributes(admin)
    dock = _item(operator, "Dock 7")
    branch = Branch.objects.create(name="Hoofdgebouw", city="Utrecht")
    location = Location.objects.create(branch=branch, name="Lokaal 12")
    supplier = Supplier.objects.create(name="Dell")
    body: dict[str, Any] = {
        "name": "LT-0042",
        "type_id": laptop.pk,
        "owner_id": caller.pk,
        "user_ids": [caller.pk, operator.pk],
        "branch_id": branch.pk,
        "location_id": location.pk,
        "supplier_id": supplier.pk,
        "asset_tag": "HBC-0042",
        "cost": "849.00",
        "purchase_date": "2025-01-10",
        "attributes": {
            "ram-gb": 16,
            "os": "Windows 11",
            "grant": True,
            "replaced-on": "2026-03-01",
            "dock": dock.pk,
            "keeper": operator.pk,
            "note": "Sticker op de achterkant",
        },
    }
    client = client_for(operator)
    created = _json(client, "post", f"{API}/items", body)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]

    read = client.get(f"{API}/items/{pk}").json()
    assert read["type"] == {"id": laptop.pk, "name": laptop.name}
    assert read["owner"]["id"] == caller.pk
    assert {u["id"] for u in read["users"]} == {caller.pk, operator.pk}
    assert read["location"]["id"] == location.pk
    assert read["supplier"]["name"] == "Dell"
    assert read["attributes"] == {
        "ram-gb": 16,
        "os": "Windows 11",
        "grant": True,
        "replaced-on": "2026-03-01",
        "dock": {"id": dock.pk, "name": "Dock 7"},
        "keeper": {"id": operator.pk, "name": str(operator)},
        "note": "Sticker op de achterkant",
    }
    assert read["version"] == 1

    changed = {**body, "version": 1, "attributes": {**body["attributes"], "ram-gb": 12.5, "grant": None}}
    updated = _json(client, "put", f"{API}/items/{pk}", changed)
    assert updated.status_code == 200, updated.content
    assert updated.json()["attributes"]["ram-gb"] == 12.5
    assert "grant" not in updated.json()["attributes"]
    assert updated.json()["version"] == 2

    history = client.get(f"{API}/items/{pk}/history").json()
    assert {"attributes.ram-gb", "attributes.grant"} <= {row["field"] for row in history["items"]}

    assert client.delete(f"{API}/items/{pk}").status_code == 403  # an operator retires, not removes
    assert ConfigurationItem.objects.filter(pk=pk).exists()
    assert client_for(coordinator).delete(f"{API}/items/{pk}?version=2").status_code == 204
    assert client.get(f"{API}/items/{pk}").status_code == 404


def test_bad_input_is_a_400_per_field_and_saves_nothing(administrator: User, operator: User) -> None:
    laptop = _laptop_with_attributes(client_for(administrator))
    client = client_for(operator)
    body: dict[str, Any] = {
        "name": "LT-1",
        "type_id": laptop.pk,
        "owner_id": 987654,
        "attributes": {"ram-gb": "veel", "os": "Linux", "nope": 1},
    }
    response = _json(client, "post", f"{API}/items", body)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"owner_id"}

    response = _json(client, "post", f"{API}/items", {**body, "owner_id": None})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"attributes.ram-gb", "attributes.os", "attributes.nope"}

    response = _json(client, "post", f"{API}/items", {"name": "X", "type_id": 987654})
    assert response.status_code == 400
    assert "type_id" in response.json()["fields"]

    response = _json(
        client, "post", f"{API}/items", {**body, "owner_id": None, "attributes": {"dock": 987654}}
    )
    assert response.json()["fields"] == {"attributes.dock": response.json()["fields"]["attributes.dock"]}
    assert ConfigurationItem.objects.count() == 0


def test_a_stale_version_is_a_409(operator: User) -> None:
    ci = _item(operator, "srv01")
    client = client_for(operator)
    body = {"name": "srv01", "type_id": ci.ci_type_id, "version": 1}
    assert _json(client, "put", f"{API}/items/{ci.pk}", {**body, "name": "srv02"}).status_code == 200
    stale = _json(client, "put", f"{API}/items/{ci.pk}", {**body, "name": "srv03"})
    assert stale.status_code == 409
    assert (
        _json(client, "put", f"{API}/items/{ci.pk}", {"name": "srv04", "type_id": ci.ci_type_id}).status_code
        == 400
    )
    ci.refresh_from_db()
    assert ci.name == "srv02"


def test_the_list_filters_on_a_custom_attribute(administrator: User, operator: User) -> None:
    laptop = _laptop_with_attributes(client_for(administrator))
    _item(operator, "LT-A", laptop, **{"ram-gb": 16})
    _item(operator, "LT-B", laptop, **{"ram-gb": 8})
    _item(operator, "srv01")
    client = client_for(operator)
    found = client.get(f"{API}/items", {"attr.ram-gb": "16,0"}).json()
    assert [i["name"] for i in found["items"]] == ["LT-A"]
    assert found["items"][0]["attributes"] == {"ram-gb": 16}
    assert [i["name"] for i in client.get(f"{API}/items", {"type": laptop.pk}).json()["items"]] == [
        "LT-A",
        "LT-B",
    ]
    bad = client.get(f"{API}/items", {"attr.ram-gb": "veel"})
    assert bad.status_code == 400
    assert "attr.ram-gb" in bad.json()["fields"]
    assert client.get(f"{API}/items", {"attr.onbekend": "1"}).status_code == 400
    assert client.get(f"{API}/items", {"cursor": "rommel"}).status_code == 400


def test_the_list_pages_by_name_with_a_cursor(operator: User) -> None:
    for name in ("e", "b", "d", "a", "c"):
        _item(operator, f"srv-{name}")
    client = client_for(operator)
    names: list[str] = []
    cursor = None
    for _ in range(5):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/items", params).json()
        names += [i["name"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == ["srv-a", "srv-b", "srv-c", "srv-d", "srv-e"]
    assert cursor is None


def test_relations_both_ways_and_the_impact(operator: User, caller: User) -> None:
    server = _item(operator, "srv01")
    app = _item(operator, "Leerlingportaal", CiType.objects.get(code="service"))
    laptop = _item(operator, "LT-9")
    services.update_item(
        laptop,
        actor=operator,
        data=services.ItemData(name="LT-9", ci_type=laptop.ci_type, users=[caller]),
        expected_version=None,
    )
    client = client_for(operator)
    made = _json(
        client, "post", f"{API}/items/{app.pk}/relations", {"target_id": server.pk, "kind": "runs_on"}
    )
    assert made.status_code == 201, made.content
    assert made.json()["other"] == {"id": server.pk, "name": "srv01"}
    _json(client, "post", f"{API}/items/{laptop.pk}/relations", {"target_id": app.pk, "kind": "depends_on"})
    twice = _json(
        client, "post", f"{API}/items/{app.pk}/relations", {"target_id": server.pk, "kind": "runs_on"}
    )
    assert twice.status_code == 400
    assert "target_id" in twice.json()["fields"]
    unknown = _json(
        client, "post", f"{API}/items/{app.pk}/relations", {"target_id": 987654, "kind": "runs_on"}
    )
    assert unknown.status_code == 400
    assert "target_id" in unknown.json()["fields"]

    on_server = client.get(f"{API}/items/{server.pk}/relations").json()
    assert [(r["direction"], r["kind"], r["other"]["id"]) for r in on_server] == [("in", "runs_on", app.pk)]
    assert on_server[0]["label"] == on_server[0]["reverse_label"]

    up = client.get(f"{API}/items/{server.pk}/impact?direction=up").json()
    assert up["count"] == 2
    assert up["service_count"] == 1
    assert [i["name"] for i in up["items"]] == ["Leerlingportaal", "LT-9"]
    assert up["items"][0]["kind"] == "service"
    assert up["items"][0]["type"] == "service"
    assert up["people_count"] == 1
    assert up["people"][0]["id"] == caller.pk
    down = client.get(f"{API}/items/{laptop.pk}/impact?direction=down").json()
    assert down["count"] == 2
    assert down["people"] == []
    assert client.get(f"{API}/items/{server.pk}/impact?direction=sideways").status_code == 422

    relation = Relation.objects.get(source=app, target=server)
    assert client.delete(f"{API}/relations/{relation.pk}").status_code == 204
    assert client.delete(f"{API}/relations/{relation.pk}").status_code == 404
    assert client.get(f"{API}/items/{server.pk}/relations").json() == []


def test_who_may_do_what(administrator: User, coordinator: User, operator: User, caller: User) -> None:
    ci = _item(operator, "srv01")
    services.update_item(
        ci,
        actor=operator,
        data=services.ItemData(name="srv01", ci_type=ci.ci_type, owner=caller),
        expected_version=None,
    )
    type_body = {"code": "plotter", "name_nl": "Plotter", "name_en": "Plotter", "kind": "hardware"}
    anonymous = Client()
    assert anonymous.get(f"{API}/items").status_code == 401
    assert anonymous.get(f"{API}/types").status_code == 401
    own = client_for(caller)  # even the owner of the CI: the API is for staff
    for url in (f"{API}/items", f"{API}/types", f"{API}/items/{ci.pk}", f"{API}/items/{ci.pk}/impact"):
        assert own.get(url).status_code == 403
    assert own.get(f"{API}/items/987654").content == own.get(f"{API}/items/{ci.pk}").content

    op = client_for(operator)
    assert op.get(f"{API}/types").status_code == 200
    assert _json(op, "post", f"{API}/types", type_body).status_code == 403
    laptop = CiType.objects.get(code="laptop")
    attribute = {"code": "x", "label_nl": "x", "label_en": "x", "kind": "text"}
    assert _json(op, "post", f"{API}/types/{laptop.pk}/attributes", attribute).status_code == 403
    assert op.delete(f"{API}/items/{ci.pk}").status_code == 403
    assert op.get(f"{API}/items/987654").status_code == 404

    coord = client_for(coordinator)
    assert _json(coord, "post", f"{API}/types", type_body).status_code == 403

    admin = client_for(administrator)
    made = _json(admin, "post", f"{API}/types", type_body)
    assert made.status_code == 201, made.content
    type_id = made.json()["id"]
    renamed = _json(
        admin, "put", f"{API}/types/{type_id}", {**type_body, "name_en": "Plotters", "version": 1}
    )
    assert renamed.status_code == 200
    assert renamed.json()["version"] == 2
    stale = _json(admin, "put", f"{API}/types/{type_id}", {**type_body, "version": 1})
    assert stale.status_code == 409
    listed = {t["code"]: t for t in op.get(f"{API}/types").json()}
    assert listed["plotter"]["name_en"] == "Plotters"
    assert listed["laptop"]["shipped"] is True
    attr = _json(admin, "post", f"{API}/types/{type_id}/attributes", attribute)
    assert attr.status_code == 201
    attr_url = f"{API}/types/{type_id}/attributes/{attr.json()['id']}"
    changed = _json(admin, "put", attr_url, {**attribute, "required": True, "version": 1})
    assert changed.status_code == 200
    assert changed.json()["required"] is True
    listed = {t["code"]: t for t in op.get(f"{API}/types").json()}
    assert [(a["code"], a["kind"], a["required"]) for a in listed["plotter"]["attributes"]] == [
        ("x", "text", True)
    ]
    assert admin.delete(attr_url).status_code == 204
    assert admin.delete(f"{API}/types/{laptop.pk}").status_code == 400  # shipped
    assert admin.delete(f"{API}/types/{type_id}").status_code == 204
    assert admin.delete(f"{API}/types/{type_id}").status_code == 404
    assert admin.delete(f"{API}/items/{ci.pk}").status_code == 204


def test_the_list_costs_the_same_queries_for_3_and_for_30_cis(administrator: User, operator: User) -> None:
    laptop = _laptop_with_attributes(client_for(administrator))
    dock = _item(operator, "Dock")

    def add(n: int) -> None:
        for i in range(n):
            _item(
                operator,
                f"LT-{ConfigurationItem.objects.count():03d}-{i}",
                laptop,
                **{"ram-gb": 8, "dock": dock.pk, "keeper": operator.pk, "os": "ChromeOS"},
            )

    client = client_for(operator)

    def measure() -> tuple[int, int]:
        client.get(f"{API}/items?limit=200")  # the session and caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{API}/items?limit=200")
        assert response.status_code == 200
        return len(queries), len(response.json()["items"])

    add(3)
    small, shown_small = measure()
    add(27)
    large, shown_large = measure()
    assert (shown_small, shown_large) == (4, 31)
    assert small == large
