"""Discovery's CMDB side: the plan (diff) of a device's reading against a CI's interfaces, and
applying it through the interface services, without a device (monitoring's tests read snmpd)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from beheer.accounts.models import User
from beheer.cmdb import services
from beheer.cmdb.models import CiHistoryEntry, CiType, ConfigurationItem, Interface, Link
from beheer.cmdb.services import FoundDevice, FoundInterface
from beheer.core.errors import Conflict, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def make_ci(actor: User, name: str = "sw01", code: str = "switch", **kw: Any) -> ConfigurationItem:
    return services.create_item(
        actor=actor, data=services.ItemData(name=name, ci_type=CiType.objects.get(code=code), **kw)
    )


def device(*rows: FoundInterface, **kw: Any) -> FoundDevice:
    return FoundDevice(name="sw01.school.nl", description="Switch OS 1.2", interfaces=rows, **kw)


GI1 = FoundInterface(1, "Gi1/0/1", "ethernet", 1000, "00:11:22:33:44:01", True, "uplink", True)
GI2 = FoundInterface(2, "Gi1/0/2", "ethernet", 1000, "00:11:22:33:44:02", False, "", False)
LO = FoundInterface(3, "lo", "virtual", 10)


def test_first_discovery_creates_every_interface_with_its_index_and_history(operator: User) -> None:
    ci = make_ci(operator)
    plan = services.plan_discovery(ci, device(GI1, GI2, LO))
    assert [r.name for r in plan.new] == ["Gi1/0/1", "Gi1/0/2", "lo"]
    assert (plan.changed, plan.gone, plan.unchanged) == ((), (), 0)
    result = services.apply_discovery(ci, device(GI1, GI2, LO), actor=operator)
    assert sorted(result.created) == ["Gi1/0/1", "Gi1/0/2", "lo"]
    gi1 = Interface.objects.get(ci=ci, name="Gi1/0/1")
    assert (gi1.if_index, gi1.speed_mbit, gi1.mac_address, gi1.enabled, gi1.description) == (
        1,
        1000,
        "00:11:22:33:44:01",
        True,
        "uplink",
    )
    assert Interface.objects.get(ci=ci, name="Gi1/0/2").enabled is False
    assert CiHistoryEntry.objects.filter(ci=ci, field="interface").count() == 3
    again = services.plan_discovery(ci, device(GI1, GI2, LO))
    assert (again.new, again.changed, again.unchanged) == ((), (), 3)


def test_a_changed_interface_shows_old_and_new_and_applying_updates_it(operator: User) -> None:
    ci = make_ci(operator)
    services.apply_discovery(ci, device(GI1, GI2), actor=operator)
    gi1 = Interface.objects.get(ci=ci, name="Gi1/0/1")
    data = services.InterfaceData(name="Gi1/0/1", kind="ethernet", speed_mbit=100, description="uplink")
    services.update_interface(gi1, actor=operator, data=data, expected_version=gi1.version)
    plan = services.plan_discovery(ci, device(GI1, GI2))
    assert plan.unchanged == 1
    [changed] = plan.changed
    # the edit emptied the MAC address too: an empty stored value is filled from the device
    assert {(c.field, c.old, c.new) for c in changed.changes} == {
        ("speed_mbit", "100 Mbit/s", "1000 Mbit/s"),
        ("mac_address", "—", "00:11:22:33:44:01"),
    }
    services.apply_discovery(ci, device(GI1, GI2), actor=operator, expected_basis=plan.basis)
    gi1.refresh_from_db()
    assert (gi1.speed_mbit, gi1.mac_address) == (1000, "00:11:22:33:44:01")
    trail = CiHistoryEntry.objects.filter(ci=ci, field="interface", old_value__contains="100 Mbit/s")
    assert [e.new_value for e in trail] == ["Gi1/0/1 (Ethernet, 1000 Mbit/s, 00:11:22:33:44:01)"]


def test_matching_by_index_follows_a_rename_and_by_name_adopts_a_manual_interface(operator: User) -> None:
    ci = make_ci(operator)
    manual = services.create_interface(
        ci,
        actor=operator,
        data=services.InterfaceData(
            name="Gi1/0/2", kind="fibre", mac_address="", description="to lokaal 2.14"
        ),
    )
    services.apply_discovery(ci, device(GI1, GI2), actor=operator)
    manual.refresh_from_db()
    # matched by name: one interface, the index stored, fibre kept (the device says "ethernet" for
    # fibre ports too), the description kept (the device has none), the MAC filled
    assert Interface.objects.filter(ci=ci).count() == 2
    assert (manual.if_index, manual.kind, manual.description, manual.mac_address) == (
        2,
        "fibre",
        "to lokaal 2.14",
        "00:11:22:33:44:02",
    )
    renamed = FoundInterface(2, "GigabitEthernet1/0/2", "ethernet", 1000, "00:11:22:33:44:02", False)
    plan = services.plan_discovery(ci, device(GI1, renamed))
    assert [(c.field, c.old, c.new) for c in plan.changed[0].changes] == [
        ("name", "Gi1/0/2", "GigabitEthernet1/0/2")
    ]
    services.apply_discovery(ci, device(GI1, renamed), actor=operator)
    manual.refresh_from_db()
    assert manual.name == "GigabitEthernet1/0/2"


def test_gone_interfaces_change_only_when_ticked_and_a_linked_one_is_never_removed(operator: User) -> None:
    ci = make_ci(operator)
    other_ci = make_ci(operator, "srv01", "server")
    services.apply_discovery(ci, device(GI1, GI2, LO), actor=operator)
    gi1, gi2, lo = (Interface.objects.get(ci=ci, name=n) for n in ("Gi1/0/1", "Gi1/0/2", "lo"))
    eth0 = services.create_interface(other_ci, actor=operator, data=services.InterfaceData(name="eth0"))
    services.connect(gi1, actor=operator, other=eth0)
    plan = services.plan_discovery(ci, device())
    assert {(g.name, g.linked) for g in plan.gone} == {("Gi1/0/1", True), ("Gi1/0/2", False), ("lo", False)}
    services.apply_discovery(ci, device(), actor=operator)  # nothing ticked: nothing happens
    assert Interface.objects.filter(ci=ci).count() == 3
    result = services.apply_discovery(
        ci, device(), actor=operator, remove=[gi1.pk, gi2.pk, eth0.pk], disable=[lo.pk]
    )
    assert result.removed == ["Gi1/0/2"]
    assert result.kept_linked == ["Gi1/0/1"]
    assert sorted(result.disabled) == ["Gi1/0/1", "lo"]
    gi1.refresh_from_db()
    assert gi1.enabled is False
    assert Link.objects.filter(a_interface=gi1).exists()
    assert not Interface.objects.filter(pk=gi2.pk).exists()
    # another CI's interface named among the gone ones is left alone
    eth0.refresh_from_db()
    assert eth0.enabled is True


def test_bad_rows_are_skipped_and_one_refusal_never_stops_the_others(operator: User) -> None:
    ci = make_ci(operator)
    services.create_interface(ci, actor=operator, data=services.InterfaceData(name="taken"))
    services.create_interface(ci, actor=operator, data=services.InterfaceData(name="old-name"))
    Interface.objects.filter(ci=ci, name="old-name").update(if_index=7)
    hostile = device(
        FoundInterface(0, "no index"),
        FoundInterface(4, ""),
        FoundInterface(5, "x" * 500 + "\x00\x1b[31m", speed_mbit=-5, mac_address="nonsense"),
        FoundInterface(5, "index twice"),
        FoundInterface(6, "dup"),
        FoundInterface(8, "dup"),
        FoundInterface(7, "taken"),  # the device renamed index 7 to a name another interface has
        GI1,
    )
    plan = services.plan_discovery(ci, hostile)
    assert len(plan.skipped) == 4
    result = services.apply_discovery(ci, hostile, actor=operator)
    assert [name for name, _reason in result.failed] == ["old-name"]
    assert "already has an interface with this name" in result.failed[0][1]
    long = Interface.objects.get(ci=ci, if_index=5)
    assert (len(long.name), long.speed_mbit, long.mac_address) == (64, None, "")
    assert "\x00" not in long.name
    assert set(result.created) == {long.name, "dup", "Gi1/0/1"}


def test_a_plan_made_before_a_change_is_refused(operator: User) -> None:
    ci = make_ci(operator)
    plan = services.plan_discovery(ci, device(GI1))
    services.create_interface(ci, actor=operator, data=services.InterfaceData(name="eth9"))
    with pytest.raises(Conflict):
        services.apply_discovery(ci, device(GI1), actor=operator, expected_basis=plan.basis)
    assert not Interface.objects.filter(ci=ci, name="Gi1/0/1").exists()


def test_the_ci_empty_fields_are_filled_only_when_asked(operator: User) -> None:
    ci = make_ci(operator, description="Kept by hand")
    plan = services.plan_discovery(ci, device(GI1))
    assert [(c.field, c.new) for c in plan.item_changes] == [("host_name", "sw01.school.nl")]
    services.apply_discovery(ci, device(GI1), actor=operator)
    ci.refresh_from_db()
    assert ci.host_name == ""
    result = services.apply_discovery(ci, device(GI1), actor=operator, fill_item=True)
    ci.refresh_from_db()
    assert (result.item_changed, ci.host_name, ci.description) == (
        ["host_name"],
        "sw01.school.nl",
        "Kept by hand",
    )
    assert CiHistoryEntry.objects.filter(ci=ci, field="host_name", new_value="sw01.school.nl").exists()


def test_a_caller_cannot_apply_a_discovery(operator: User, caller: User) -> None:
    ci = make_ci(operator)
    with pytest.raises(PermissionDenied):
        services.apply_discovery(ci, device(GI1), actor=caller)
    assert not Interface.objects.filter(ci=ci).exists()


def test_a_reading_kept_as_json_comes_back_the_same_and_garbage_is_refused() -> None:
    from beheer.core.errors import DomainError

    found = device(GI1, LO, truncated=True)
    assert FoundDevice.from_json(found.to_json()) == found
    with pytest.raises(DomainError):
        FoundDevice.from_json({"interfaces": [{"nonsense": 1}]})
