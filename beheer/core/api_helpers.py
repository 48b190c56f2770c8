"""What the API modules of every app share: a row as a reference, and the row a request names.

- `ref(obj)`: `{id, name}` of a lookup row or a person, as the API shows a reference (None stays
  None). The name is the row's (localised) `name`, else its text.
- `get_row(model, pk, field)`: the row a request names by its key, or a `DomainError` on that
  field: "Required." when a required key is missing, "Unknown <field>." when there is no such row
  among `rows` (the rows the caller may choose, e.g. only operators). Small configuration tables are
  read from the per-process configuration cache (`cached=True`), so they cost no query.
- `Lookup`: the rows one request names by several keys, every key checked before one `DomainError`
  names all the bad ones (`row`, `many`, then `done()`).
- `find(rows, pk, field, message)`: the same for a row a route needs to exist, answered with 404:
  None when no key was given, else the row of `rows` or `NotFound(message)` on that field.
- `act(request, obj, service, version, **fields)`: the one call an API route that changes a record
  makes: `service(obj, actor=<the signed-in user>, expected_version=version, **fields)`. The route
  looks `obj` up through `visible_to` first (hidden -> 404), so that check comes before the fields'
  own lookups, and serialises what the service returns.
- `version_sent(version)`: the version an edit must send (the one the client read); a missing one
  is a field error, not a silent overwrite.
- `ConfigRows`: one kind of configuration row (a business calendar, an SLA policy) as the
  coordinators' API lists, reads and changes it: a keyset page by name, one row or 404, a service on
  one row and the row read again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from . import config_cache
from .access import current_user
from .errors import DomainError, NotFound
from .pagination import SortKey, keyset_page

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)


def ref(obj: Any, *, name: Any = None) -> dict[str, Any] | None:
    """`{id, name}` of `obj`; `name` overrides the row's own (e.g. a category with its parent)."""
    if obj is None:
        return None
    label = name if name is not None else getattr(obj, "name", None)
    return {"id": obj.pk, "name": str(label if label is not None else obj)}


def get_row(
    model: type[models.Model],
    pk: int | None,
    field: str,
    *,
    required: bool = False,
    rows: Any = None,
    cached: bool = False,
) -> Any:
    """The row `pk` of `model` (of `rows` when given; from the configuration cache when `cached` and
    no `rows`), None when no key was given and none is required; otherwise a field error."""
    if pk is None:
        if required:
            raise DomainError(_("This field is required."), field_errors={field: _("Required.")})
        return None
    if rows is None and cached:
        obj = config_cache.row(model, pk)
    else:
        obj = (rows if rows is not None else model._default_manager).filter(pk=pk).first()
    if obj is None:
        message = _("Unknown %(field)s.") % {"field": field}
        raise DomainError(message, field_errors={field: message})
    return obj


class Lookup:
    """The rows a request names by its keys: each `row(...)`/`many(...)` is checked, the problems
    collected, and `done()` raises one `DomainError` with every bad field (or nothing)."""

    def __init__(self) -> None:
        self.problems: dict[str, str] = {}

    def row(self, rows: Any, pk: int | None, field: str, *, required: bool = False) -> Any:
        """`get_row` of a model or a queryset (the rows the person may choose); None on a problem."""
        model = rows.model if isinstance(rows, models.QuerySet) else rows
        chosen = rows if isinstance(rows, models.QuerySet) else None
        try:
            return get_row(model, pk, field, required=required, rows=chosen)
        except DomainError as exc:
            self.problems.update(exc.field_errors)
            return None

    def many(self, model: type[M], pks: Any, field: str) -> list[M]:
        """The rows of every key in `pks` (in key order); unknown keys are one problem on `field`."""
        wanted = set(pks or ())
        found = list(model._default_manager.filter(pk__in=wanted).order_by("pk")) if wanted else []
        if len(found) != len(wanted):
            self.problems[field] = _("Unknown %(field)s.") % {"field": field}
        return found

    def done(self) -> None:
        if self.problems:
            raise DomainError(_("Check the highlighted fields."), field_errors=dict(self.problems))


def version_sent(version: int | None) -> int:
    """The version an edit sent, or a `DomainError` on `version` when it sent none."""
    if version is None:
        raise DomainError(_("Send the version you read."), field_errors={"version": _("Required.")})
    return version


def find(
    rows: models.QuerySet[M], pk: int | None, field: str, message: str, *, field_message: str = ""
) -> M | None:
    """The row `pk` of `rows`, None when no key was given; otherwise a 404 on `field` (with
    `field_message` there, else `message`)."""
    if pk is None:
        return None
    row = rows.filter(pk=pk).first()
    if row is None:
        raise NotFound(message, field_errors={field: field_message or message})
    return row


def act(
    request: HttpRequest, obj: Any, service: Callable[..., T], version: int | None, /, **fields: Any
) -> T:
    """`service(obj, **fields)` as the request's user, with the version the client read."""
    return service(obj, actor=current_user(request), expected_version=version, **fields)


@dataclass(frozen=True)
class ConfigRows(Generic[M]):
    """How the API shows one kind of configuration row: `out` serialises a row read with `prefetch`;
    `not_found` is the 404's message."""

    model: type[M]
    out: Callable[[M], dict[str, Any]]
    not_found: str | Promise
    prefetch: tuple[str, ...] = ()
    order: tuple[SortKey, ...] = (SortKey("name"), SortKey("id"))

    def get(self, pk: int) -> M:
        row = self.model._default_manager.prefetch_related(*self.prefetch).filter(pk=pk).first()
        if row is None:
            raise NotFound(str(self.not_found))
        return row

    def detail(self, pk: int) -> dict[str, Any]:
        return self.out(self.get(pk))

    def page(self, *, cursor: str | None, limit: int) -> dict[str, Any]:
        """A keyset page of at most `limit` rows (1 to 200)."""
        rows = self.model._default_manager.all()
        page = keyset_page(rows, self.order, cursor=cursor, size=max(1, min(limit, 200)))
        prefetch_related_objects(page.items, *self.prefetch)
        return {"items": [self.out(row) for row in page.items], "next_cursor": page.next_cursor}

    def change(self, pk: int, service: Callable[..., Any], /, **fields: Any) -> dict[str, Any]:
        """`service(row, **fields)` on the row `pk`, then that row as it is now."""
        service(self.get(pk), **fields)
        return self.detail(pk)
