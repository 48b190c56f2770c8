"""The network through its services and reads: interfaces, links, VLANs, prefixes and addresses."""

from __future__ import annotations

import pytest

from beheer.accounts.models import User
from beheer.cmdb import network, services
from beheer.cmdb.models import CiHistoryEntry, CiType, ConfigurationItem, Interface, IpAddress, Link, Prefix
from beheer.core.errors import Conflict, DomainError, PermissionDenied

pytestmark = pytest.mark.django_db


def ci(actor: User, name: str, code: str = "switch") -> ConfigurationItem:
    return services.create_item(
        actor=actor, data=services.ItemData(name=name, ci_type=CiType.objects.get(code=code))
    )


def port(actor: User, item: ConfigurationItem, name: str, **kw: object) -> Interface:
    return services.create_interface(item, actor=actor, data=services.InterfaceData(name=name, **kw))  # type: ignore[arg-type]


def prefix(actor: User, text: str) -> Prefix:
    return services.save_prefix(None, actor=actor, data=services.PrefixData(prefix=text))


def address(actor: User, text: str, interface: Interface | None = None) -> IpAddress:
    return services.save_address(
        None, actor=actor, data=services.AddressData(address=text, interface=interface)
    )


@pytest.mark.parametrize(
    "raw", ["AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff", "AABBCCDDEEFF", " aa:bb:cc:dd:ee:ff "]
)
def test_a_mac_address_is_normalised(operator: User, raw: str) -> None:
    sw = ci(operator, "sw01")
    assert port(operator, sw, "Gi1/0/1", mac_address=raw).mac_address == "aa:bb:cc:dd:ee:ff"


@pytest.mark.parametrize("raw", ["aa:bb:cc:dd:ee", "zz:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff:00"])
def test_a_malformed_mac_address_is_refused(operator: User, raw: str) -> None:
    sw = ci(operator, "sw01")
    with pytest.raises(DomainError) as exc:
        port(operator, sw, "Gi1/0/1", mac_address=raw)
    assert "mac_address" in exc.value.field_errors
    assert not Interface.objects.exists()


def test_interfaces_are_unique_per_ci_and_in_its_history(operator: User) -> None:
    sw, other = ci(operator, "sw01"), ci(operator, "sw02")
    gi = port(operator, sw, "Gi1/0/12", speed_mbit=1000)
    port(operator, other, "Gi1/0/12")  # another CI may use the name
    with pytest.raises(DomainError) as exc:
        port(operator, sw, "Gi1/0/12")
    assert "name" in exc.value.field_errors
    data = services.InterfaceData(name="Gi1/0/12", speed_mbit=10000, kind="fibre")
    gi = services.update_interface(gi, actor=operator, data=data, expected_version=1)
    assert gi.version == 2
    with pytest.raises(Conflict):
        services.update_interface(gi, actor=operator, data=data, expected_version=1)
    rows = list(CiHistoryEntry.objects.filter(ci=sw, field="interface").order_by("id"))
    assert [r.new_value for r in rows] == [
        "Gi1/0/12 (Ethernet, 1000 Mbit/s)",
        "Gi1/0/12 (Glasvezel, 10000 Mbit/s)",  # in the installation's language
    ]
    assert rows[1].old_value == "Gi1/0/12 (Ethernet, 1000 Mbit/s)"


def test_a_caller_may_not_keep_the_network(caller: User, operator: User) -> None:
    sw = ci(operator, "sw01")
    with pytest.raises(PermissionDenied):
        port(caller, sw, "Gi1")
    with pytest.raises(PermissionDenied):
        prefix(caller, "10.0.0.0/24")


def test_links_join_two_free_interfaces_and_both_histories_say_so(operator: User) -> None:
    sw, ap = ci(operator, "sw01"), ci(operator, "ap01", "access_point")
    a, b, c = port(operator, sw, "Gi1"), port(operator, ap, "eth0"), port(operator, sw, "Gi2")
    with pytest.raises(DomainError) as exc:
        services.connect(a, actor=operator, other=a)
    assert "other" in exc.value.field_errors
    link = services.connect(a, actor=operator, other=b, label="K-101")
    for first, second in ((c, b), (b, c), (a, c)):
        with pytest.raises(DomainError):
            services.connect(first, actor=operator, other=second)
    assert Link.objects.count() == 1
    assert CiHistoryEntry.objects.filter(
        ci=ap, field="link", new_value="sw01 Gi1 - ap01 eth0 (K-101)"
    ).exists()
    assert CiHistoryEntry.objects.filter(ci=sw, field="link").count() == 1
    services.disconnect(link, actor=operator)
    assert CiHistoryEntry.objects.filter(ci=sw, field="link", old_value__startswith="sw01 Gi1").exists()
    services.connect(c, actor=operator, other=b)  # free again


def test_removing_an_interface_removes_its_link_and_keeps_its_addresses(operator: User) -> None:
    sw, srv = ci(operator, "sw01"), ci(operator, "srv01", "server")
    a, b = port(operator, sw, "Gi1"), port(operator, srv, "eth0")
    services.connect(a, actor=operator, other=b)
    ip = address(operator, "10.0.0.5", b)
    services.delete_interface(b, actor=operator)
    assert not Link.objects.exists()
    ip.refresh_from_db()
    assert ip.interface_id is None
    assert CiHistoryEntry.objects.filter(ci=srv, field="address", old_value="10.0.0.5 eth0").exists()


def test_vlan_numbers_are_checked(operator: User) -> None:
    vlan = services.save_vlan(None, actor=operator, data=services.VlanData(number=20, name="leerlingen"))
    for number in (0, 4095):
        with pytest.raises(DomainError) as exc:
            services.save_vlan(None, actor=operator, data=services.VlanData(number=number, name="x"))
        assert "number" in exc.value.field_errors
    with pytest.raises(DomainError):
        services.save_vlan(None, actor=operator, data=services.VlanData(number=20, name="dubbel"))
    changed = services.save_vlan(
        vlan, actor=operator, data=services.VlanData(number=21, name="leerlingen"), expected_version=1
    )
    assert (changed.number, changed.version) == (21, 2)


@pytest.mark.parametrize(
    ("raw", "field_text"),
    [
        ("10.0.0.1/24", "10.0.0.0/24"),
        ("2001:db8::1/64", "2001:db8::/64"),
        ("10.0.0.0", ""),
        ("nonsense/8", ""),
    ],
)
def test_a_prefix_with_host_bits_or_malformed_is_refused(operator: User, raw: str, field_text: str) -> None:
    with pytest.raises(DomainError) as exc:
        prefix(operator, raw)
    assert field_text in exc.value.field_errors["prefix"]
    assert not Prefix.objects.exists()


def test_prefixes_are_canonical_and_unique(operator: User) -> None:
    assert prefix(operator, "2001:DB8:0:0::/64").prefix == "2001:db8::/64"
    with pytest.raises(DomainError):
        prefix(operator, "2001:db8::/64")


def test_an_address_is_unique_and_gets_its_most_specific_prefix(operator: User) -> None:
    wide = prefix(operator, "10.20.0.0/16")
    early = address(operator, "10.20.1.7")
    assert early.prefix_id == wide.pk
    narrow = prefix(operator, "10.20.1.0/24")  # claims the address
    early.refresh_from_db()
    assert early.prefix_id == narrow.pk
    assert address(operator, "10.20.2.9").prefix_id == wide.pk
    assert address(operator, "192.168.1.1").prefix_id is None
    with pytest.raises(DomainError) as exc:
        address(operator, "10.20.1.7")
    assert "address" in exc.value.field_errors
    with pytest.raises(DomainError):
        address(operator, "10.20.1.300")
    services.delete_prefix(narrow, actor=operator)
    early.refresh_from_db()
    assert early.prefix_id == wide.pk


def test_utilisation_and_next_free_of_a_29(operator: User) -> None:
    p29 = prefix(operator, "192.168.5.0/29")
    assert network.next_free(p29) == "192.168.5.1"
    for host in (1, 2, 4):
        address(operator, f"192.168.5.{host}")
    use = network.utilisation(p29)
    assert (use.used, use.usable) == (3, 6)
    assert use.percent == pytest.approx(50.0)
    assert network.next_free(p29) == "192.168.5.3"
    for host in (3, 5, 6):
        address(operator, f"192.168.5.{host}")
    assert network.next_free(p29) is None  # .7 is the broadcast address
    assert network.utilisation(p29).percent == pytest.approx(100.0)


def test_utilisation_and_next_free_of_an_ipv6_64(operator: User) -> None:
    p64 = prefix(operator, "2001:db8:1::/64")
    address(operator, "2001:db8:1::1")
    address(operator, "2001:db8:1::2")
    use = network.utilisation(p64)
    assert use.used == 2
    assert use.percent is None
    assert use.text == "2"
    assert network.next_free(p64) == "2001:db8:1::3"
    assert network.used_counts([p64.pk]) == {p64.pk: 2}


def test_behind_the_port_follows_links_and_survives_a_cycle(operator: User) -> None:
    core, access_sw, ap, srv = (
        ci(operator, "core"),
        ci(operator, "access"),
        ci(operator, "ap", "access_point"),
        ci(operator, "srv", "server"),
    )
    core_up, core_down, core_loop = (port(operator, core, n) for n in ("Gi1", "Gi2", "Gi3"))
    acc_up, acc_ap, acc_loop = (port(operator, access_sw, n) for n in ("Gi1", "Gi2", "Gi3"))
    ap_eth = port(operator, ap, "eth0")
    srv_eth = port(operator, srv, "eth0")
    services.connect(core_down, actor=operator, other=acc_up)
    services.connect(acc_ap, actor=operator, other=ap_eth)
    services.connect(core_loop, actor=operator, other=acc_loop)  # a loop back to core
    services.connect(core_up, actor=operator, other=srv_eth)
    found = network.behind(core_down, depth=5)
    assert [(h.depth, h.ci.name, h.to_interface.name) for h in found.hops] == [
        (1, "access", "Gi1"),
        (2, "ap", "eth0"),
    ]
    assert not found.truncated
    from_server = network.behind(srv_eth, depth=2)
    names = [h.ci.name for h in from_server.hops]
    assert names[0] == "core"
    assert names.count("access") == 1  # reached twice (Gi2 and Gi3), entered once
    assert "ap" not in names
    assert from_server.truncated
    assert network.behind(port(operator, ap, "eth1")).hops == []


def test_history_speaks_the_installation_language_whoever_writes(operator: User) -> None:
    from django.utils import translation

    sw, ap = ci(operator, "sw01"), ci(operator, "ap01", code="access_point")
    with translation.override("en"):  # an operator who reads English makes the changes
        port(operator, sw, "Gi1/0/3", kind="fibre", enabled=False)
        services.add_relation(ap, actor=operator, target=sw, kind="connected_to")
    texts = set(CiHistoryEntry.objects.filter(ci=sw).values_list("new_value", flat=True))
    assert "Gi1/0/3 (Glasvezel, uitgeschakeld)" in texts
    assert any(t.startswith("ap01 ") and "sw01" in t and "connected" not in t for t in texts), texts
