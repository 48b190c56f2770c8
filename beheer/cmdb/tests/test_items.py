"""Configuration items through the services: fields and custom attributes checked, every change in
the CI's history, who may do what, and what callers see."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from beheer.accounts.models import User
from beheer.cmdb import services
from beheer.cmdb.models import (
    AttributeKind,
    CiAction,
    CiAttributeValue,
    CiHistoryEntry,
    CiStatus,
    CiType,
    ConfigurationItem,
)
from beheer.core.errors import Conflict, DomainError, PermissionDenied

pytestmark = pytest.mark.django_db


def laptop_type(administrator: User) -> CiType:
    laptop = CiType.objects.get(code="laptop")
    no_choices: list[str] = []
    for code, kind, choices in (
        ("ram-gb", AttributeKind.NUMBER, no_choices),
        ("os", AttributeKind.CHOICE, ["Windows 11", "ChromeOS", "macOS"]),
        ("bought-with-grant", AttributeKind.BOOLEAN, no_choices),
        ("replaced-on", AttributeKind.DATE, no_choices),
        ("dock", AttributeKind.CI, no_choices),
        ("keeper", AttributeKind.PERSON, no_choices),
    ):
        services.save_attribute(
            None,
            actor=administrator,
            ci_type=laptop,
            data=services.AttributeData(code=code, label_nl=code, label_en=code, kind=kind, choices=choices),
        )
    return laptop


def test_the_shipped_types_are_there() -> None:
    codes = set(CiType.objects.filter(shipped=True).values_list("code", flat=True))
    assert {"service", "server", "switch", "access_point", "laptop", "network_link", "database"} <= codes


def test_a_ci_keeps_its_typed_attributes_and_refuses_bad_ones(administrator: User, operator: User) -> None:
    laptop = laptop_type(administrator)
    ci = services.create_item(
        actor=operator,
        data=services.ItemData(
            name="LT-0042",
            ci_type=laptop,
            asset_tag="HBC-0042",
            cost=Decimal("849.00"),
            attributes={
                "ram-gb": "16",
                "os": "Windows 11",
                "bought-with-grant": "ja",
                "replaced-on": "31-12-2026",
            },
        ),
    )
    values = {
        v.definition.code: v for v in CiAttributeValue.objects.filter(ci=ci).select_related("definition")
    }
    assert values["ram-gb"].number == Decimal("16")
    assert values["os"].text == "Windows 11"
    assert values["bought-with-grant"].flag is True
    assert values["replaced-on"].date == date(2026, 12, 31)
    with pytest.raises(DomainError) as refused:
        services.create_item(
            actor=operator,
            data=services.ItemData(
                name="LT-0043",
                ci_type=laptop,
                asset_tag="HBC-0042",
                attributes={
                    "ram-gb": "veel",
                    "os": "Linux",
                    "colour": "red",
                    "dock": "999999",
                    "keeper": "0",
                },
            ),
        )
    fields = refused.value.field_errors
    assert set(fields) == {
        "asset_tag",
        "attributes.ram-gb",
        "attributes.os",
        "attributes.colour",
        "attributes.dock",
        "attributes.keeper",
    }
    assert ConfigurationItem.objects.count() == 1  # nothing half-saved


def test_every_change_is_in_the_history_old_to_new(administrator: User, operator: User) -> None:
    laptop = laptop_type(administrator)
    ci = services.create_item(
        actor=operator, data=services.ItemData(name="LT-1", ci_type=laptop, attributes={"ram-gb": "8"})
    )
    ci = services.update_item(
        ci,
        actor=operator,
        expected_version=ci.version,
        data=services.ItemData(
            name="LT-1",
            ci_type=laptop,
            status=CiStatus.IN_REPAIR,
            users=[operator],
            attributes={"ram-gb": "16", "keeper": str(administrator.pk)},
        ),
    )
    rows = {(r.action, r.field): (r.old_value, r.new_value) for r in CiHistoryEntry.objects.filter(ci=ci)}
    assert (CiAction.CREATED, "") in rows
    assert rows[(CiAction.CHANGED, "status")] == ("in_use", "in_repair")
    assert rows[(CiAction.CHANGED, "attributes.ram-gb")] == ("8", "16")
    assert rows[(CiAction.CHANGED, "attributes.keeper")] == ("", str(administrator))
    assert rows[(CiAction.CHANGED, "users")] == ("", str(operator))
    with pytest.raises(Conflict):
        services.update_item(
            ci, actor=operator, expected_version=1, data=services.ItemData(name="LT-2", ci_type=laptop)
        )


def test_who_may_do_what(administrator: User, coordinator: User, operator: User, caller: User) -> None:
    server = CiType.objects.get(code="server")
    with pytest.raises(PermissionDenied):
        services.create_item(actor=caller, data=services.ItemData(name="srv", ci_type=server))
    with pytest.raises(PermissionDenied):
        services.save_type(None, actor=operator, data=services.TypeData(code="x", name_nl="X", name_en="X"))
    ci = services.create_item(actor=operator, data=services.ItemData(name="srv", ci_type=server))
    with pytest.raises(PermissionDenied):
        services.delete_item(ci, actor=operator, expected_version=ci.version)
    services.delete_item(ci, actor=coordinator, expected_version=ci.version)
    assert not ConfigurationItem.objects.exists()
    assert CiHistoryEntry.objects.filter(ci_name="srv", action=CiAction.DELETED).exists()
    with pytest.raises(DomainError):
        services.delete_type(server, actor=administrator)


def test_callers_see_only_their_own_cis(operator: User, caller: User, other_caller: User) -> None:
    laptop = CiType.objects.get(code="laptop")
    mine = services.create_item(
        actor=operator, data=services.ItemData(name="mine", ci_type=laptop, users=[caller])
    )
    owned = services.create_item(
        actor=operator, data=services.ItemData(name="owned", ci_type=laptop, owner=caller)
    )
    services.create_item(
        actor=operator, data=services.ItemData(name="theirs", ci_type=laptop, users=[other_caller])
    )
    assert set(ConfigurationItem.objects.visible_to(caller)) == {mine, owned}
    assert ConfigurationItem.objects.visible_to(operator).count() == 3
    assert not CiHistoryEntry.objects.visible_to(caller).exists()


def test_a_list_filters_on_a_custom_attribute_read_as_its_kind(administrator: User, operator: User) -> None:
    from beheer.cmdb.queries import ItemFilter, filter_items

    laptop = laptop_type(administrator)
    small = services.create_item(
        actor=operator, data=services.ItemData(name="a", ci_type=laptop, attributes={"ram-gb": "8"})
    )
    big = services.create_item(
        actor=operator,
        data=services.ItemData(name="b", ci_type=laptop, attributes={"ram-gb": "16", "os": "macOS"}),
    )
    visible = ConfigurationItem.objects.visible_to(operator)
    assert list(filter_items(visible, ItemFilter.from_query({"attr.ram-gb": "16,0"}))) == [big]
    assert list(filter_items(visible, ItemFilter.from_query({"attr.ram-gb": "8"}))) == [small]
    assert list(filter_items(visible, ItemFilter.from_query({"attr.os": "macOS", "q": "B"}))) == [big]
    with pytest.raises(DomainError) as refused:
        filter_items(
            visible, ItemFilter.from_query({"attr.ram-gb": "lots", "attr.nope": "1", "status": "gone"})
        )
    assert set(refused.value.field_errors) == {"attr.ram-gb", "attr.nope", "status"}


def test_a_deactivated_attribute_keeps_its_value_and_takes_no_new_one(
    administrator: User, operator: User
) -> None:
    laptop = laptop_type(administrator)
    ci = services.create_item(
        actor=operator, data=services.ItemData(name="LT-9", ci_type=laptop, attributes={"ram-gb": "8"})
    )
    ram = laptop.attributes.get(code="ram-gb")
    services.save_attribute(
        ram,
        actor=administrator,
        ci_type=laptop,
        data=services.AttributeData(
            code="ram-gb", label_nl="ram", label_en="ram", kind=AttributeKind.NUMBER, active=False
        ),
    )
    for sent in ({}, {"ram-gb": "32"}):
        ci = services.update_item(
            ci,
            actor=operator,
            expected_version=ci.version,
            data=services.ItemData(name="LT-9", ci_type=laptop, description=str(sent), attributes=sent),
        )
        assert CiAttributeValue.objects.get(ci=ci, definition=ram).number == Decimal("8")
