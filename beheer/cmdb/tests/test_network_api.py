"""The network API: round trips, refusals with field messages, and who may use it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import User
from beheer.cmdb import services
from beheer.cmdb.models import CiHistoryEntry, CiType, ConfigurationItem
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
API = "/api/v1/cmdb/network"


def call(client: Client, method: str, url: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    response = getattr(client, method)(API + url, **kwargs)
    return response.status_code, (response.json() if response.content else None)


def make_ci(actor: User, name: str, code: str = "switch") -> ConfigurationItem:
    return services.create_item(
        actor=actor, data=services.ItemData(name=name, ci_type=CiType.objects.get(code=code))
    )


def test_interfaces_links_and_behind_round_trip(operator: User) -> None:
    client = client_for(operator)
    sw, srv = make_ci(operator, "sw01"), make_ci(operator, "srv01", "server")
    status, gi = call(
        client, "post", f"/items/{sw.pk}/interfaces", {"name": "Gi1/0/1", "mac_address": "AABB.CCDD.EEFF"}
    )
    assert status == 201
    assert gi["mac_address"] == "aa:bb:cc:dd:ee:ff"
    _, eth = call(client, "post", f"/items/{srv.pk}/interfaces", {"name": "eth0", "speed_mbit": 1000})
    status, body = call(client, "post", f"/items/{sw.pk}/interfaces", {"name": "Gi1/0/1"})
    assert status == 400
    assert "name" in body["fields"]
    status, link = call(
        client, "post", "/links", {"interface_id": gi["id"], "other_id": eth["id"], "label": "K1"}
    )
    assert status == 201
    assert link["b"]["ci"]["name"] == "srv01"
    status, body = call(client, "post", "/links", {"interface_id": gi["id"], "other_id": gi["id"]})
    assert status == 400
    assert "other_id" in body["fields"]
    status, body = call(client, "post", "/links", {"interface_id": gi["id"], "other_id": 987654})
    assert status == 400
    assert "other_id" in body["fields"]
    status, listed = call(client, "get", f"/items/{sw.pk}/interfaces")
    assert status == 200
    assert listed[0]["link"]["interface"]["name"] == "eth0"
    status, behind = call(client, "get", f"/interfaces/{gi['id']}/behind")
    assert status == 200
    assert [h["ci"]["name"] for h in behind["hops"]] == ["srv01"]
    status, body = call(client, "put", f"/interfaces/{gi['id']}", {"name": "Gi1/0/2"})
    assert status == 400
    assert "version" in body["fields"]
    status, changed = call(client, "put", f"/interfaces/{gi['id']}", {"name": "Gi1/0/2", "version": 1})
    assert status == 200
    assert changed["version"] == 2
    status, _ = call(client, "put", f"/interfaces/{gi['id']}", {"name": "Gi1/0/3", "version": 1})
    assert status == 409
    status, _ = call(client, "delete", f"/links/{link['id']}")
    assert status == 204
    status, _ = call(client, "delete", f"/interfaces/{gi['id']}")
    assert status == 204
    status, _ = call(client, "get", f"/interfaces/{gi['id']}")
    assert status == 404
    assert CiHistoryEntry.objects.filter(ci=sw, field="link").count() == 2


def test_vlans_prefixes_and_addresses_round_trip(operator: User) -> None:
    client = client_for(operator)
    status, vlan = call(client, "post", "/vlans", {"number": 20, "name": "leerlingen"})
    assert status == 201
    status, body = call(client, "post", "/vlans", {"number": 5000, "name": "te groot"})
    assert status == 400
    assert "number" in body["fields"]
    status, body = call(client, "post", "/prefixes", {"prefix": "10.20.0.1/22"})
    assert status == 400
    assert "10.20.0.0/22" in body["fields"]["prefix"]
    status, prefix = call(client, "post", "/prefixes", {"prefix": "10.20.0.0/29", "vlan_id": vlan["id"]})
    assert status == 201
    assert prefix["utilisation"] == {"used": 0, "usable": "6", "percent": 0.0}
    assert prefix["next_free"] == "10.20.0.1"
    status, address = call(
        client, "post", "/addresses", {"address": "10.20.0.1", "dns_name": "PC1.School.nl."}
    )
    assert status == 201
    assert address["prefix"]["name"] == "10.20.0.0/29"
    assert address["dns_name"] == "pc1.school.nl"
    status, body = call(client, "post", "/addresses", {"address": "10.20.0.1"})
    assert status == 400
    assert "address" in body["fields"]
    status, body = call(client, "post", "/addresses", {"address": "10.20.0.2", "interface_id": 987654})
    assert status == 400
    assert "interface_id" in body["fields"]
    _, detail = call(client, "get", f"/prefixes/{prefix['id']}")
    assert detail["next_free"] == "10.20.0.2"
    assert detail["utilisation"]["used"] == 1
    _, page = call(client, "get", "/prefixes")
    assert page["items"][0]["utilisation"]["used"] == 1
    _, inside = call(client, "get", f"/prefixes/{prefix['id']}/addresses")
    assert [a["address"] for a in inside["items"]] == ["10.20.0.1"]
    status, _ = call(client, "post", "/prefixes", {"prefix": "2001:db8::/64"})
    _, page = call(client, "get", "/prefixes")
    six = page["items"][-1]
    assert six["utilisation"]["percent"] is None
    assert six["utilisation"]["usable"] == str(2**64 - 1)
    status, _ = call(client, "delete", f"/addresses/{address['id']}?version=1")
    assert status == 204
    status, _ = call(client, "delete", f"/vlans/{vlan['id']}?version=9")
    assert status == 409


def test_callers_are_refused(caller: User, operator: User) -> None:
    client = client_for(caller)
    sw = make_ci(operator, "sw01")
    for method, url, body in (
        ("get", "/prefixes", None),
        ("get", f"/items/{sw.pk}/interfaces", None),
        ("post", "/vlans", {"number": 1, "name": "x"}),
    ):
        status, _ = call(client, method, url, body)
        assert status == 403
