"""Discovery over SNMP against Debian's snmpd on a loopback port (as the SNMP check tests): the
reading, the screens (read, diff, apply) and the API, the errors people see, and who may use it.

snmpd shows the machine's own interfaces through IF-MIB: `lo` is always among them (ifIndex 1,
softwareLoopback, 10 Mbit/s); what else there is depends on the machine."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from beheer.accounts.models import User
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import CiType, ConfigurationItem, Interface, Link
from beheer.core.errors import DomainError
from beheer.core.outbound import NetworkPolicy
from beheer.monitoring import discovery, services
from beheer.monitoring.options import SnmpOptions, parse
from tests.helpers import client_for as signed_in

from .servers import (
    SNMP_AUTH_KEY,
    SNMP_COMMUNITY,
    SNMP_PRIV_KEY,
    SNMP_USER,
    SnmpAgent,
    _free_udp_port,
    snmpd_binary,
)

pytestmark = pytest.mark.django_db

V3 = {
    "version": "3",
    "username": SNMP_USER,
    "auth_protocol": "SHA",
    "auth_key": SNMP_AUTH_KEY,
    "priv_protocol": "AES",
    "priv_key": SNMP_PRIV_KEY,
}


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpAgent]:
    binary = snmpd_binary()
    if binary is None:
        if os.environ.get("BEHEER_REQUIRE_SNMPD"):
            pytest.fail("BEHEER_REQUIRE_SNMPD is set but snmpd is not installed (apt-get install snmpd)")
        pytest.skip("snmpd is not installed (apt-get install snmpd); CI sets BEHEER_REQUIRE_SNMPD")
    server = SnmpAgent(binary, tmp_path_factory.mktemp("snmpd-discovery"))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def make_ci(actor: User, name: str = "sw01", code: str = "switch", **kw: Any) -> ConfigurationItem:
    return cmdb.create_item(
        actor=actor, data=cmdb.ItemData(name=name, ci_type=CiType.objects.get(code=code), **kw)
    )


def client_for(user: User) -> Any:
    client = signed_in(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page(response: Any) -> str:
    return response.content.decode()


def read_on_screen(client: Any, ci: ConfigurationItem, data: dict[str, str]) -> Any:
    return client.post(reverse("monitoring:discovery", args=[ci.pk]), data)


def test_reading_snmpd_gives_its_system_group_and_loopback_interface(agent: SnmpAgent) -> None:
    options = parse("snmp", {"community": SNMP_COMMUNITY, "oid": "1.3.6.1.2.1.1.5.0"})
    assert isinstance(options, SnmpOptions)
    target = discovery.Target("127.0.0.1", agent.port, options)
    found = discovery.read(target, policy=NetworkPolicy())
    assert found.location == "Beheer test rack"
    assert found.object_id.startswith("1.3.6.1.4.1.8072")  # net-snmp
    lo = next(row for row in found.interfaces if row.name == "lo")
    assert (lo.if_index, lo.kind, lo.speed_mbit, lo.mac_address, lo.enabled) == (1, "virtual", 10, "", True)
    assert not found.truncated
    few = asyncio.run(discovery.read_device(target, NetworkPolicy(), max_rows=1))
    assert [row.name for row in few.interfaces] == ["lo"]
    assert few.truncated == (len(found.interfaces) > 1)


def test_an_operator_reads_sees_the_diff_and_applies_it_on_screen(agent: SnmpAgent, operator: User) -> None:
    client = client_for(operator)
    ci = make_ci(operator)
    detail = page(client.get(reverse("cmdb-item", args=[ci.pk])))
    assert "data-ci-discovery" in detail
    response = read_on_screen(
        client, ci, {"address": f"127.0.0.1:{agent.port}", "version": "2c", "community": SNMP_COMMUNITY}
    )
    assert response.status_code == 302
    assert "?reading=" in response["Location"]
    # the reading is kept in the session, the community is not
    assert SNMP_COMMUNITY not in json.dumps(dict(client.session.items()))
    diff = client.get(response["Location"])
    assert diff.status_code == 200
    assert 'data-new="lo"' in page(diff)
    assert SNMP_COMMUNITY not in page(diff)
    token = response["Location"].split("reading=")[1]
    basis = cmdb.plan_discovery(ci, _kept(client, token)).basis
    applied = client.post(
        reverse("monitoring:discovery-apply", args=[ci.pk]),
        {"token": token, "basis": basis, "gone_action": "disable"},
    )
    assert applied.status_code == 302
    assert applied["Location"] == reverse("cmdb-item", args=[ci.pk]) + "#ci-network"
    lo = Interface.objects.get(ci=ci, name="lo")
    assert (lo.if_index, lo.kind, lo.speed_mbit) == (1, "virtual", 10)
    # the token is used up: applying again sends the person back to read the device
    again = client.post(reverse("monitoring:discovery-apply", args=[ci.pk]), {"token": token, "basis": basis})
    assert again.status_code == 302
    assert again["Location"] == reverse("monitoring:discovery", args=[ci.pk])

    # second discovery after a change by hand: the diff shows it and applying restores the device's
    data = cmdb.InterfaceData(name="lo", kind="virtual", speed_mbit=1000)
    cmdb.update_interface(lo, actor=operator, data=data, expected_version=lo.version)
    response = read_on_screen(
        client, ci, {"address": f"127.0.0.1:{agent.port}", "version": "2c", "community": SNMP_COMMUNITY}
    )
    diff = page(client.get(response["Location"]))
    assert 'data-changed="lo" data-field="speed_mbit"' in diff
    assert "1000 Mbit/s" in diff
    token = response["Location"].split("reading=")[1]
    basis = cmdb.plan_discovery(ci, _kept(client, token)).basis
    client.post(
        reverse("monitoring:discovery-apply", args=[ci.pk]),
        {"token": token, "basis": basis, "gone_action": "disable"},
    )
    lo.refresh_from_db()
    assert lo.speed_mbit == 10


def _kept(client: Any, token: str) -> cmdb.FoundDevice:
    return cmdb.FoundDevice.from_json(client.session["monitoring.discovery"][token]["found"])


def test_an_interface_with_a_link_that_left_the_device_is_disabled_never_removed(
    agent: SnmpAgent, operator: User
) -> None:
    client = client_for(operator)
    ci = make_ci(operator)
    server = make_ci(operator, "srv01", "server")
    old = cmdb.create_interface(ci, actor=operator, data=cmdb.InterfaceData(name="Gi9/9"))
    spare = cmdb.create_interface(ci, actor=operator, data=cmdb.InterfaceData(name="Gi9/8"))
    eth0 = cmdb.create_interface(server, actor=operator, data=cmdb.InterfaceData(name="eth0"))
    cmdb.connect(old, actor=operator, other=eth0)
    response = read_on_screen(
        client, ci, {"address": f"127.0.0.1:{agent.port}", "version": "2c", "community": SNMP_COMMUNITY}
    )
    diff = page(client.get(response["Location"]))
    assert 'data-gone="Gi9/9"' in diff
    assert "linked: never removed" in diff
    token = response["Location"].split("reading=")[1]
    basis = cmdb.plan_discovery(ci, _kept(client, token)).basis
    applied = client.post(
        reverse("monitoring:discovery-apply", args=[ci.pk]),
        {"token": token, "basis": basis, "gone": [old.pk, spare.pk], "gone_action": "remove"},
        follow=True,
    )
    assert "these were disabled instead: Gi9/9" in page(applied)
    old.refresh_from_db()
    assert old.enabled is False
    assert Link.objects.filter(a_interface=old).exists()
    assert not Interface.objects.filter(pk=spare.pk).exists()


def test_v3_credentials_and_a_check_prefilling_the_form_without_its_secrets(
    agent: SnmpAgent, operator: User
) -> None:
    client = client_for(operator)
    ci = make_ci(operator)
    services.create_check(
        actor=operator,
        data=services.CheckData(
            name="sw01 snmp",
            kind="snmp",
            target=f"127.0.0.1:{agent.port}",
            ci=ci,
            options={**V3, "oid": "1.3.6.1.2.1.1.5.0"},
        ),
    )
    form = page(client.get(reverse("monitoring:discovery", args=[ci.pk])))
    assert f'value="127.0.0.1:{agent.port}"' in form
    assert f'value="{SNMP_USER}"' in form
    assert SNMP_AUTH_KEY not in form
    assert SNMP_PRIV_KEY not in form
    assert "sw01 snmp" in form  # "leave empty to use the one stored with the check"
    # the keys left empty: the check's are used
    posted = {k: v for k, v in V3.items() if k not in ("auth_key", "priv_key")}
    response = read_on_screen(client, ci, {"address": f"127.0.0.1:{agent.port}", **posted})
    assert response.status_code == 302
    # a wrong key: a clear message, no error page, and the keys not shown back
    response = read_on_screen(
        client, ci, {"address": f"127.0.0.1:{agent.port}", **V3, "auth_key": "wrong-pass-123"}
    )
    assert response.status_code == 400
    assert "refused the SNMPv3 credentials" in page(response)
    assert "wrong-pass-123" not in page(response)


def test_a_refused_address_and_a_silent_port_are_clear_messages(agent: SnmpAgent, operator: User) -> None:
    client = client_for(operator)
    ci = make_ci(operator)
    response = read_on_screen(
        client, ci, {"address": "169.254.169.254", "version": "2c", "community": SNMP_COMMUNITY}
    )
    assert response.status_code == 400
    assert "Beheer may not connect to this address" in page(response)
    api = client.post(
        f"/api/v1/monitoring/discovery/{ci.pk}",
        {"address": f"127.0.0.1:{_free_udp_port()}", "community": SNMP_COMMUNITY, "timeout_seconds": 1},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "did not answer within 1 seconds" in api.json()["detail"]
    with pytest.raises(DomainError) as refused:
        discovery.target_for(ci, {"address": "nonsense:port:x", "version": "3"})
    assert set(refused.value.field_errors) >= {"address", "username"}


def test_the_api_answers_the_diff_and_applies_it(agent: SnmpAgent, operator: User) -> None:
    client = client_for(operator)
    ci = make_ci(operator, host_name="")
    url = f"/api/v1/monitoring/discovery/{ci.pk}"
    body = {"address": f"127.0.0.1:{agent.port}", **V3}
    answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    diff = answer.json()
    assert diff["device"]["location"] == "Beheer test rack"
    assert "lo" in [row["name"] for row in diff["new"]]
    assert diff["applied"] is None
    assert not Interface.objects.filter(ci=ci).exists()
    answer = client.post(url, {**body, "apply": True, "fill_item": True}, content_type="application/json")
    assert "lo" in answer.json()["applied"]["created"]
    assert answer.json()["applied"]["item_changed"] == ["host_name", "description"]
    ci.refresh_from_db()
    assert ci.host_name
    assert Interface.objects.filter(ci=ci, name="lo", if_index=1).exists()
    stale = client.post(
        url, {**body, "apply": True, "expected_basis": diff["basis"]}, content_type="application/json"
    )
    assert stale.status_code == 409
    missing = client.post(
        f"/api/v1/monitoring/discovery/{ci.pk + 1000}", body, content_type="application/json"
    )
    assert missing.status_code == 404


def test_callers_never_reach_discovery_and_see_no_button(operator: User, caller: User) -> None:
    ci = make_ci(operator, owner=caller)
    service = make_ci(operator, "Magister", "service")
    staff = client_for(operator)
    assert "data-ci-discovery" not in page(staff.get(reverse("cmdb-item", args=[service.pk])))
    client = client_for(caller)
    assert client.get(reverse("monitoring:discovery", args=[ci.pk])).status_code == 403
    assert client.post(reverse("monitoring:discovery-apply", args=[ci.pk]), {"token": "x"}).status_code == 403
    api = client.post(
        f"/api/v1/monitoring/discovery/{ci.pk}", {"community": "x"}, content_type="application/json"
    )
    assert api.status_code == 403
    assert not Interface.objects.filter(ci=ci).exists()
    anonymous = client_for(caller)
    anonymous.logout()
    assert anonymous.get(reverse("monitoring:discovery", args=[ci.pk])).status_code == 302
    # a CI staff may not see answers as a missing one; an unknown reading token is no error page
    assert staff.get(reverse("monitoring:discovery", args=[ci.pk + 1000])).status_code == 404
    gone = staff.get(reverse("monitoring:discovery", args=[ci.pk]) + "?reading=nonsense")
    assert gone.status_code == 302


def test_a_row_of_the_interface_table_in_the_cmdb_terms() -> None:
    from pysnmp.proto.rfc1902 import Gauge32, Integer, OctetString

    fibre_port = discovery._interface(
        10101,
        {
            "descr": OctetString(b"GigabitEthernet1/0/1"),
            "name": OctetString(b"Gi1/0/1"),
            "alias": OctetString("naar lokaal 2.14 \u00e9".encode()),
            "type": Integer(6),
            "speed": Gauge32(4294967295),  # past 4 Gbit/s ifSpeed is stuck at its maximum
            "high_speed": Gauge32(10000),
            "phys": OctetString(b"\x00\x11\x22\x33\x44\x55"),
            "admin": Integer(2),
            "oper": Integer(2),
        },
    )
    assert fibre_port == cmdb.FoundInterface(
        10101, "Gi1/0/1", "ethernet", 10000, "00:11:22:33:44:55", False, "naar lokaal 2.14 \u00e9", False
    )
    # no ifXTable: ifDescr names it, ifSpeed in bit/s gives the speed; odd values are dropped
    old = discovery._interface(
        3,
        {
            "descr": OctetString(b"eth0"),
            "type": Integer(161),
            "speed": Gauge32(100_000_000),
            "phys": OctetString(b"\x00\x00\x00\x00\x00\x00"),
            "admin": OctetString(b"garbage"),
        },
    )
    assert (old.name, old.kind, old.speed_mbit, old.mac_address, old.enabled, old.operational) == (
        "eth0",
        "lag",
        100,
        "",
        True,
        None,
    )
    assert discovery._interface(4, {"type": Integer(999)}).kind == "other"
