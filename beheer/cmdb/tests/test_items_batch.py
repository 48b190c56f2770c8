"""New CIs in bulk (`services.create_items`, what an import uses): the same checks and messages as
`create_item`, one "created" history row per CI, asset tags unique within the batch, a number of
queries that does not grow with the batch, and a concurrent asset tag refused, not a crash."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from beheer.accounts.models import User
from beheer.cmdb import services
from beheer.cmdb.models import CiAction, CiAttributeValue, CiHistoryEntry, ConfigurationItem
from beheer.cmdb.services import items as item_services
from beheer.core.errors import DomainError, PermissionDenied

from .test_items import laptop_type

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def bad_rows(laptop: Any, administrator: User) -> list[services.ItemData]:
    return [
        services.ItemData(
            name="LT-0043",
            ci_type=laptop,
            asset_tag="HBC-0042",
            attributes={"ram-gb": "veel", "os": "Linux", "colour": "red", "dock": "999999", "keeper": "0"},
        ),
        services.ItemData(name=" ", ci_type=laptop, status="lost", cost=Decimal("-1"), asset_tag="x" * 61),
        services.ItemData(name="LT-9", ci_type=laptop, attributes={"keeper": str(administrator.pk + 999)}),
    ]


def test_a_batch_refuses_what_create_item_refuses_with_the_same_messages(
    administrator: User, operator: User
) -> None:
    laptop = laptop_type(administrator)
    services.create_item(
        actor=operator, data=services.ItemData(name="LT-0042", ci_type=laptop, asset_tag="HBC-0042")
    )
    rows = bad_rows(laptop, administrator)
    one_by_one = []
    for data in rows:
        with pytest.raises(DomainError) as refused:
            services.create_item(actor=operator, data=data)
        one_by_one.append(list(refused.value.field_errors.items()))
    results = services.create_items(
        actor=operator, rows=[*rows, services.ItemData(name="LT-1", ci_type=laptop)]
    )
    in_bulk = [list(r.field_errors.items()) for r in results[:3] if isinstance(r, DomainError)]
    assert in_bulk == one_by_one  # the same fields, messages and order
    assert "asset_tag" in dict(in_bulk[0])
    assert "attributes.keeper" in dict(in_bulk[2])
    assert isinstance(results[3], ConfigurationItem)
    assert results[3].name == "LT-1"
    assert ConfigurationItem.objects.count() == 2  # the refused rows wrote nothing


def test_every_new_ci_gets_its_values_users_and_one_created_row(administrator: User, operator: User) -> None:
    laptop = laptop_type(administrator)
    rows = [
        services.ItemData(
            name=f"LT-{i}",
            ci_type=laptop,
            asset_tag=f"A-{i}",
            users=[operator, operator],
            cost=Decimal("849.5"),
            attributes={"ram-gb": "16", "os": "macOS", "keeper": str(administrator.pk), "dock": ""},
        )
        for i in range(3)
    ]
    made = services.create_items(actor=operator, rows=rows)
    assert all(isinstance(ci, ConfigurationItem) and ci.pk for ci in made)
    for ci in made:
        assert isinstance(ci, ConfigurationItem)
        ci.refresh_from_db()
        assert ci.cost == Decimal("849.50")
        assert ci.created_by == operator
        assert ci.version == 1
        assert list(ci.users.all()) == [operator]
        values = {
            v.definition.code: v for v in CiAttributeValue.objects.filter(ci=ci).select_related("definition")
        }
        assert set(values) == {"ram-gb", "os", "keeper"}
        assert values["ram-gb"].number == Decimal("16")
        assert values["keeper"].ref_person_id == administrator.pk
        history = list(CiHistoryEntry.objects.filter(ci=ci))
        assert [(h.action, h.field, h.ci_name, h.actor_id) for h in history] == [
            (CiAction.CREATED, "", ci.name, operator.pk)
        ]


def test_an_asset_tag_is_unique_within_the_batch(administrator: User, operator: User) -> None:
    laptop = laptop_type(administrator)
    results = services.create_items(
        actor=operator,
        rows=[
            services.ItemData(name="bad", ci_type=laptop, asset_tag="T-1", attributes={"ram-gb": "veel"}),
            services.ItemData(name="first", ci_type=laptop, asset_tag="T-1"),
            services.ItemData(name="second", ci_type=laptop, asset_tag=" T-1 ", attributes={"ram-gb": "x"}),
        ],
    )
    assert isinstance(results[0], DomainError)  # refused, so it does not take the tag
    assert isinstance(results[1], ConfigurationItem)
    assert results[1].asset_tag == "T-1"
    assert isinstance(results[2], DomainError)
    # the tag's message comes before the attributes', as create_item lists them
    assert list(results[2].field_errors) == ["asset_tag", "attributes.ram-gb"]
    assert results[2].field_errors["asset_tag"] == "Another configuration item has this asset tag."
    assert list(ConfigurationItem.objects.values_list("name", flat=True)) == ["first"]


def test_the_queries_do_not_grow_with_the_batch(administrator: User, operator: User) -> None:
    laptop = laptop_type(administrator)

    def queries(count: int, prefix: str) -> list[str]:
        rows = [
            services.ItemData(
                name=f"{prefix}{i}",
                ci_type=laptop,
                asset_tag=f"{prefix}{i}",
                users=[operator],
                attributes={"ram-gb": "8", "keeper": str(administrator.pk)},
            )
            for i in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            made = services.create_items(actor=operator, rows=rows)
        assert all(isinstance(ci, ConfigurationItem) for ci in made)
        return [q["sql"] for q in captured.captured_queries]

    ten, forty, hundred = queries(10, "a"), queries(40, "b"), queries(100, "c")
    assert len(ten) == len(forty) <= 12

    # SQLite splits a bulk INSERT after 999 parameters (about 47 CIs a statement); nothing else grows
    def others(sql: list[str]) -> int:
        return sum(1 for q in sql if not q.startswith("INSERT"))

    assert others(hundred) == others(ten)
    assert len(hundred) - len(ten) <= (4 if connection.vendor == "sqlite" else 0)
    assert ConfigurationItem.objects.count() == 150


def test_a_concurrent_asset_tag_refuses_that_row_only(
    administrator: User, operator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = laptop_type(administrator)
    real_inspect = item_services._inspect

    def inspect_then_race(*args: Any, **kwargs: Any) -> Any:
        checked = real_inspect(*args, **kwargs)
        if (
            checked.values["name"] == "mine"
            and not ConfigurationItem.objects.filter(asset_tag="R-1").exists()
        ):
            now = item_services.clock.now()  # somebody else takes the tag after the check
            ConfigurationItem.objects.create(
                name="theirs", ci_type=laptop, asset_tag="R-1", created_at=now, updated_at=now
            )
        return checked

    monkeypatch.setattr(item_services, "_inspect", inspect_then_race)
    results = services.create_items(
        actor=operator,
        rows=[
            services.ItemData(name="mine", ci_type=laptop, asset_tag="R-1"),
            services.ItemData(name="other", ci_type=laptop, asset_tag="R-2"),
        ],
    )
    assert isinstance(results[0], DomainError)
    assert results[0].field_errors == {"asset_tag": "Another configuration item has this asset tag."}
    assert isinstance(results[1], ConfigurationItem)
    assert sorted(ConfigurationItem.objects.values_list("name", flat=True)) == ["other", "theirs"]
    assert CiHistoryEntry.objects.filter(ci__name="other", action=CiAction.CREATED).count() == 1


def test_callers_may_not_create_in_bulk(administrator: User, caller: User) -> None:
    laptop = laptop_type(administrator)
    with pytest.raises(PermissionDenied):
        services.create_items(actor=caller, rows=[services.ItemData(name="x", ci_type=laptop)])
    assert services.create_items(actor=administrator, rows=[]) == []
