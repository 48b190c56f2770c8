"""Keyset pagination: cursors, the 'after' condition and every mix of directions."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from itertools import product

import pytest
from django.utils import timezone

from beheer.accounts.models import LoginFailure
from beheer.core.errors import DomainError
from beheer.core.pagination import SortKey, after, decode_cursor, encode_cursor, keyset_page, order_by_args


@pytest.fixture
def rows(db):
    base = timezone.now().replace(microsecond=123456)
    made = []
    for i in range(17):
        # few distinct values so ties are everywhere; id breaks them
        made.append(
            LoginFailure.objects.create(
                username=f"u{i % 3}", address=f"a{i % 2}", at=base + timedelta(seconds=i % 4)
            )
        )
    return made


def _sort_key(order):
    def key(obj):
        parts = []
        for k in order:
            value = getattr(obj, k.field)
            if hasattr(value, "timestamp"):
                value = value.timestamp()
            if isinstance(value, str):
                value = tuple(-ord(c) for c in value) if k.descending else tuple(ord(c) for c in value)
            elif k.descending:
                value = -value
            parts.append(value)
        return parts

    return key


def walk(order, size):
    qs = LoginFailure.objects.all()
    seen, cursor = [], None
    for _ in range(100):
        page = keyset_page(qs, order, cursor=cursor, size=size)
        assert len(page.items) <= size
        seen += [r.pk for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("did not terminate")


@pytest.mark.parametrize(("first_desc", "second_desc", "id_desc"), list(product([False, True], repeat=3)))
@pytest.mark.parametrize("size", [1, 4, 17, 50])
def test_walk_every_direction_mix(rows, first_desc, second_desc, id_desc, size):
    order = [SortKey("at", first_desc), SortKey("username", second_desc), SortKey("id", id_desc)]
    seen = walk(order, size)
    assert len(seen) == len(set(seen)) == 17
    assert seen == [r.pk for r in sorted(rows, key=_sort_key(order))]
    assert seen == list(LoginFailure.objects.order_by(*order_by_args(order)).values_list("pk", flat=True))


def test_cursor_round_trip(rows):
    order = [SortKey("at", True), SortKey("username"), SortKey("id")]
    obj = rows[5]
    cursor = encode_cursor(obj, order)
    assert "=" not in cursor
    values = decode_cursor(LoginFailure, cursor, order)
    assert values == [obj.at, obj.username, obj.pk]
    assert values[0].tzinfo is not None


def test_after_condition(rows):
    order = [SortKey("at"), SortKey("id")]
    pivot = sorted(rows, key=lambda r: (r.at, r.pk))[6]
    later = set(LoginFailure.objects.filter(after(order, [pivot.at, pivot.pk])).values_list("pk", flat=True))
    expected = {r.pk for r in rows if (r.at, r.pk) > (pivot.at, pivot.pk)}
    assert later == expected
    desc = [SortKey("at", True), SortKey("id", True)]
    earlier = set(LoginFailure.objects.filter(after(desc, [pivot.at, pivot.pk])).values_list("pk", flat=True))
    assert earlier == {r.pk for r in rows if (r.at, r.pk) < (pivot.at, pivot.pk)}


def test_page_boundaries(rows):
    order = [SortKey("id")]
    page = keyset_page(LoginFailure.objects.all(), order, cursor=None, size=17)
    assert len(page.items) == 17
    assert page.next_cursor is None
    page = keyset_page(LoginFailure.objects.all(), order, cursor=None, size=16)
    assert page.next_cursor is not None
    last = keyset_page(LoginFailure.objects.all(), order, cursor=page.next_cursor, size=16)
    assert [r.pk for r in last.items] == [max(r.pk for r in rows)]
    assert last.next_cursor is None


def test_cursor_keeps_permission_filter(rows):
    order = [SortKey("id")]
    qs = LoginFailure.objects.filter(username="u1")
    first = keyset_page(qs, order, cursor=None, size=2)
    second = keyset_page(qs, order, cursor=first.next_cursor, size=100)
    assert {r.username for r in first.items + second.items} == {"u1"}


def _raw(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "a",
        "garbage",
        _raw([]),
        _raw([1]),
        _raw({"a": 1}),
        _raw([1, 2, 3]),
        _raw(["x", "y"]),
        _raw([None, 1]),
        _raw([{"dt": None}, 1]),
        _raw([{"dt": "yesterday"}, 1]),
        _raw([{"dt": "2024-01-01"}, "x"]),
        _raw([{"dt": "2024-01-01T00:00:00+00:00"}, 10**30]),
        _raw([[1], 1]),
        "\x00",
        "W" * 10_000,
    ],
)
def test_invalid_cursor(rows, cursor):
    order = [SortKey("at"), SortKey("id")]
    with pytest.raises(DomainError) as exc:
        keyset_page(LoginFailure.objects.all(), order, cursor=cursor, size=5)
    assert "cursor" in exc.value.field_errors
