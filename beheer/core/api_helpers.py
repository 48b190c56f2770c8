"""What the API modules of every app share: a row as a reference, and the row a request names.

- `ref(obj)`: `{id, name}` of a lookup row or a person, as the API shows a reference (None stays
  None). The name is the row's (localised) `name`, else its text.
- `get_row(model, pk, field)`: the row a request names by its key, or a `DomainError` on that
  field: "Required." when a required key is missing, "Unknown <field>." when there is no such row
  among `rows` (the rows the caller may choose, e.g. only operators). Small configuration tables are
  read from the per-process configuration cache (`cached=True`), so they cost no query.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from . import config_cache
from .errors import DomainError


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
