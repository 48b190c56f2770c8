"""Keyset (cursor) pagination: every page costs the same, however deep.

The ordering is a list of local, non-null fields ending in the primary key. The cursor carries the
sort values of the last row of the previous page; the next page starts strictly after it. A redundant
range condition on the first field lets the database start the index scan at the right place.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, Generic, TypeVar

from django.contrib import messages
from django.db import connections, models
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .errors import DomainError

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None
    is_first: bool = True  # no cursor was given: the list starts here


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def encode_cursor(obj: models.Model, order: Sequence[SortKey]) -> str:
    values = [_encode_value(getattr(obj, key.field)) for key in order]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(model: type[models.Model], cursor: str, order: Sequence[SortKey]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(order):
            raise ValueError("length")
        result = []
        for key, value in zip(order, values, strict=True):
            field = model._meta.get_field(key.field)
            if isinstance(value, dict):
                value = value.get("dt")
            converted = field.to_python(value)  # type: ignore[union-attr]
            if converted is None:
                raise ValueError("null")
            if isinstance(converted, int) and not -(2**63) <= converted < 2**63:
                raise ValueError("out of range")
            result.append(converted)
        return result
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, Exception) as exc:
        raise DomainError(_("Invalid cursor."), field_errors={"cursor": _("Invalid cursor.")}) from exc


def order_by_args(order: Sequence[SortKey]) -> list[str]:
    return [("-" if k.descending else "") + k.field for k in order]


def after(order: Sequence[SortKey], values: Sequence[Any]) -> Q:
    """The condition 'strictly after `values` in `order`' as lexicographic OR-of-ANDs."""
    condition = Q()
    for i, key in enumerate(order):
        term = Q(**{f"{order[j].field}": values[j] for j in range(i)})
        op = "lt" if key.descending else "gt"
        term &= Q(**{f"{key.field}__{op}": values[i]})
        condition |= term
    first = order[0]
    lead = Q(**{f"{first.field}__{'lte' if first.descending else 'gte'}": values[0]})
    return lead & condition


def open_range(queryset: models.QuerySet[Any], order: Sequence[SortKey]) -> Q:
    """An always-true range on the first sort field, for the first page.

    Without any condition on the sorted table, SQLite's planner may put the small lookup tables of a
    select_related() first and build an automatic index over the whole table on every request; a range
    on the leading sort column makes it walk the matching index instead. A no-op on PostgreSQL.
    """
    first = order[0]
    kind = queryset.model._meta.get_field(first.field).get_internal_type()
    if kind == "DateTimeField":
        bound: Any = datetime(9999, 12, 30, tzinfo=UTC) if first.descending else datetime(1, 1, 2, tzinfo=UTC)
    elif kind.endswith(("IntegerField", "AutoField")):
        # the backend's own range: Django drops an out-of-range comparison altogether
        low, high = connections[queryset.db].ops.integer_field_range(kind)
        bound = high if first.descending else low
    else:
        return Q()
    return Q(**{f"{first.field}__{'lte' if first.descending else 'gte'}": bound})


def _sorted_keys(rows: list[tuple[Any, ...]], order: Sequence[SortKey]) -> list[tuple[Any, ...]]:
    """(pk, *sort values) rows in `order`: one stable sort per key, last key first."""
    for position in range(len(order), 0, -1):
        rows.sort(key=itemgetter(position), reverse=order[position - 1].descending)
    return rows


def keyset_page(
    queryset: models.QuerySet[M],
    order: Sequence[SortKey],
    *,
    cursor: str | None,
    size: int,
    parts: Sequence[tuple[models.QuerySet[M], bool]] | None = None,
) -> Page[M]:
    """One page of `queryset` in `order`, starting after `cursor`.

    Two steps: first the keys of the page from the filtered, ordered rows (narrow: no joins), then the
    rows themselves with their select_related joins by primary key. The database then sorts or walks
    only the key columns, however many rows match a filter such as a search, and joins just the page.

    `parts` (each a queryset and whether it is bounded) gives the keys as a union: the page is the
    first `size` of the parts' pages merged. A bounded part is known to hold few rows (an id list
    read from a search index): its sort values are read without ORDER BY or LIMIT, so the database
    looks the ids up by primary key instead of walking a sort index in the hope of meeting them, and
    sorted here (the order's fields are numbers and dates, which sort the same in Python). The rows
    are then read with `queryset`'s select_related."""
    values = decode_cursor(queryset.model, cursor, order) if cursor else None
    if parts is None:
        keys = list(_page_query(queryset, order, values).values_list("pk", flat=True)[: size + 1])
    else:
        fields = [key.field for key in order]
        found: dict[Any, tuple[Any, ...]] = {}
        for part, bounded in parts:
            if bounded:
                qs = part.order_by() if values is None else part.order_by().filter(after(order, values))
                rows = list(qs.values_list("pk", *fields))
            else:
                rows = list(_page_query(part, order, values).values_list("pk", *fields)[: size + 1])
            found.update((row[0], row) for row in rows)
        keys = [row[0] for row in _sorted_keys(list(found.values()), order)[: size + 1]]
    if not keys:
        return Page(items=[], next_cursor=None, is_first=not cursor)
    fetch = queryset.model._default_manager.filter(pk__in=keys[:size])
    fetch.query.select_related = queryset.query.select_related
    by_pk = {row.pk: row for row in fetch}
    rows = [by_pk[pk] for pk in keys[:size] if pk in by_pk]
    next_cursor = encode_cursor(rows[-1], order) if len(keys) > size and rows else None
    return Page(items=rows, next_cursor=next_cursor, is_first=not cursor)


def _page_query(queryset: models.QuerySet[M], order: Sequence[SortKey], values: list[Any] | None) -> Any:
    qs = queryset.order_by(*order_by_args(order))
    return qs.filter(open_range(queryset, order) if values is None else after(order, values))


def page_for_request(
    request: HttpRequest, queryset: models.QuerySet[M], order: Sequence[SortKey], *, size: int
) -> Page[M]:
    """The page a list view shows: after the request's `cursor`, or the first page with a message
    when the cursor is invalid (an old bookmark, a hand-edited URL)."""
    return read_page(request, lambda cursor: keyset_page(queryset, order, cursor=cursor, size=size))


def read_page(request: HttpRequest, read: Callable[[str | None], Page[M]]) -> Page[M]:
    """`read` the page after the request's `cursor`; the first page, with a message, when the cursor
    is invalid."""
    cursor = request.GET.get("cursor") or None
    try:
        return read(cursor)
    except DomainError as exc:
        messages.error(request, exc.message)
        return read(None)
