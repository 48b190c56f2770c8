"""The network screens: the CI page's section, interfaces, connecting, VLANs, prefixes, addresses."""

from __future__ import annotations

import pytest
from django.urls import reverse

from beheer.accounts.models import User
from beheer.cmdb import services
from beheer.cmdb.models import CiType, ConfigurationItem, Interface, IpAddress, Link, Prefix, Vlan
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def make_ci(actor: User, name: str, code: str = "switch") -> ConfigurationItem:
    return services.create_item(
        actor=actor, data=services.ItemData(name=name, ci_type=CiType.objects.get(code=code))
    )


def test_the_ci_page_lists_interfaces_and_an_operator_connects_them(operator: User) -> None:
    client = client_for(operator)
    sw, srv = make_ci(operator, "sw01"), make_ci(operator, "srv01", "server")
    response = client.post(
        reverse("cmdb-item-interface-add", args=[sw.pk]),
        {"name": "Gi1/0/1", "kind": "ethernet", "mac_address": "nonsense", "enabled": "on"},
    )
    assert response.status_code == 400
    assert "MAC" in response.content.decode()
    client.post(reverse("cmdb-item-interface-add", args=[sw.pk]), {"name": "Gi1/0/1", "kind": "ethernet"})
    client.post(reverse("cmdb-item-interface-add", args=[srv.pk]), {"name": "eth0", "kind": "ethernet"})
    gi = Interface.objects.get(ci=sw)
    response = client.post(
        reverse("cmdb-network-interface-connect", args=[gi.pk]),
        {"target": "srv01", "interface": "eth0", "kind": "cable", "label": "K1"},
    )
    assert response.status_code == 302
    assert Link.objects.count() == 1
    page = client.get(reverse("cmdb-item", args=[sw.pk])).content.decode()
    assert "data-ci-network" in page
    assert "srv01" in page
    detail = client.get(reverse("cmdb-network-interface", args=[gi.pk])).content.decode()
    assert 'data-hop="1"' in detail
    response = client.post(
        reverse("cmdb-network-interface-connect", args=[gi.pk]),
        {"target": "srv01", "interface": "eth9", "kind": "cable"},
    )
    assert response.status_code == 400


def test_vlans_prefixes_and_addresses_on_screen(operator: User) -> None:
    client = client_for(operator)
    response = client.post(reverse("cmdb-network-vlan-create"), {"number": "20", "name": "leerlingen"})
    assert response.status_code == 302
    vlan = Vlan.objects.get()
    response = client.post(
        reverse("cmdb-network-prefix-create"), {"network": "10.20.0.1/29", "vlan": vlan.pk}
    )
    assert response.status_code == 400
    assert "10.20.0.0/29" in response.content.decode()
    response = client.post(
        reverse("cmdb-network-prefix-create"), {"network": "10.20.0.0/29", "vlan": vlan.pk}
    )
    prefix = Prefix.objects.get()
    assert response["Location"] == reverse("cmdb-network-prefix", args=[prefix.pk])
    page = client.get(reverse("cmdb-network-prefix", args=[prefix.pk])).content.decode()
    assert "10.20.0.1" in page  # the next free address
    client.post(reverse("cmdb-network-address-add", args=[prefix.pk]), {"address": "10.20.0.1"})
    assert IpAddress.objects.get().prefix_id == prefix.pk
    response = client.post(reverse("cmdb-network-address-add", args=[prefix.pk]), {"address": "10.20.0.1"})
    assert response.status_code == 400
    listing = client.get(reverse("cmdb-network-prefixes")).content.decode()
    assert "1 / 6 (17%)" in listing
    assert "leerlingen" in client.get(reverse("cmdb-network-vlans")).content.decode()
    nav = client.get(reverse("cmdb-items")).content.decode()
    assert reverse("cmdb-network-prefixes") in nav


def test_callers_do_not_get_the_network_screens(caller: User, operator: User) -> None:
    client = client_for(caller)
    sw = make_ci(operator, "sw01")
    for url in (
        reverse("cmdb-network-prefixes"),
        reverse("cmdb-network-vlans"),
        reverse("cmdb-item-interface-add", args=[sw.pk]),
    ):
        assert client.get(url).status_code in (302, 403, 404)
    client.post(reverse("cmdb-network-vlan-create"), {"number": "20", "name": "x"})
    assert not Vlan.objects.exists()
