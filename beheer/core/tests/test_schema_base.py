"""The project's Schema base: plain dicts skip django-ninja's getter and validate to the same result."""

from __future__ import annotations

from typing import Any

import pytest
from ninja.schema import DjangoGetter
from pydantic import ValidationError

from beheer.accounts.models import User
from beheer.core import schemas as core_schemas
from beheer.core.schemas import Schema
from beheer.servicedesk.api.common import LIST_RELATED, melding_out
from beheer.servicedesk.models import Melding
from beheer.servicedesk.schemas import MeldingPage


class Ref(Schema):
    id: int
    name: str


class Holder(Schema):
    ref: Ref | None
    names: list[str]
    count: int


class Strict(Schema):
    model_config = {"extra": "forbid"}
    id: int


@pytest.fixture
def getter_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each object django-ninja's getter is built for."""
    calls: list[Any] = []

    class Counting(DjangoGetter):
        def __init__(self, obj: Any, schema_cls: Any, context: Any = None) -> None:
            calls.append(obj)
            super().__init__(obj, schema_cls, context)

    monkeypatch.setattr(core_schemas, "DjangoGetter", Counting)
    return calls


def test_a_plain_dict_is_validated_without_the_getter(getter_calls: list[Any]) -> None:
    out = Holder.model_validate({"ref": {"id": 1, "name": "Eerste lijn"}, "names": ["a"], "count": 2})
    assert out.ref is not None
    assert out.ref.name == "Eerste lijn"
    assert out.names == ["a"]
    assert out.count == 2
    assert getter_calls == []


def test_a_model_instance_still_goes_through_the_getter(getter_calls: list[Any]) -> None:
    class Obj:
        id = 7
        name = "Tweede lijn"

    assert Ref.model_validate(Obj()).name == "Tweede lijn"
    assert len(getter_calls) == 1


@pytest.mark.django_db
def test_a_dict_with_a_queryset_or_callable_is_converted_as_before(getter_calls: list[Any]) -> None:
    User.objects.create(username="zeta")
    User.objects.create(username="alfa")
    names = User.objects.order_by("username").values_list("username", flat=True)
    out = Holder.model_validate({"ref": None, "names": names, "count": lambda: 3})
    assert out.names == ["alfa", "zeta"]  # the queryset was listed
    assert out.count == 3  # the callable was called
    assert len(getter_calls) == 1


def test_errors_and_extra_fields_are_refused_as_before() -> None:
    with pytest.raises(ValidationError) as err:
        Holder.model_validate({"ref": {"id": "x", "name": "n"}, "names": [], "count": 1})
    assert err.value.errors()[0]["loc"] == ("ref", "id")
    with pytest.raises(ValidationError) as err:
        Strict.model_validate({"id": 1, "other": 2})
    assert err.value.errors()[0]["type"] == "extra_forbidden"


@pytest.mark.django_db
def test_a_melding_page_validates_the_same_with_and_without_the_getter(
    melding: Melding, getter_calls: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    m = Melding.objects.select_related(*LIST_RELATED).get(pk=melding.pk)
    data = {"items": [melding_out(m)], "next_cursor": None}
    fast = MeldingPage.model_validate(data).model_dump(mode="json")
    assert getter_calls == []
    monkeypatch.setattr(core_schemas, "_plain", lambda values: False)  # django-ninja's way throughout
    slow = MeldingPage.model_validate(data).model_dump(mode="json")
    assert len(getter_calls) >= 5  # the page, the melding and each reference in it
    assert fast == slow
    assert fast["items"][0]["number"] == melding_out(m)["number"]
