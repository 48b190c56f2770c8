"""Checks every app's services share: a text within its limits, and a row re-read under a lock at
the version the editor saw.

- `checked_text`: a text a service stores (a title, a reason, a solution): NUL characters and
  surrounding white space removed, required when asked, at most `max_length` characters; otherwise a
  `DomainError` naming the field, so a form shows it next to the field and the API as a field error.
- `locked`: the row re-read with `SELECT ... FOR UPDATE` of its own table only (`of=("self",)`), so
  rows joined for reading (`select_related`) are not locked with it.
- `locked_at`: both in one: the row under its lock at the version the editor saw, `NotFound` when it
  is gone.
- `check_version`: the optimistic version check of records people edit: the version read with the
  form or by the API client must still be the current one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from .errors import Conflict, DomainError, NotFound

TEXT_MAX = 100_000

M = TypeVar("M", bound=models.Model)


def checked_text(
    value: str | None, *, field: str, label: str, required: bool = False, max_length: int = TEXT_MAX
) -> str:
    """`value` without NUL characters and surrounding white space, checked against its limits."""
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise DomainError(
            _("%(label)s is required.") % {"label": label}, field_errors={field: _("Required.")}
        )
    if len(value) > max_length:
        message = _("%(label)s may be at most %(max)d characters.") % {"label": label, "max": max_length}
        raise DomainError(message, field_errors={field: message})
    return value


def locked(rows: models.QuerySet[M], pk: Any) -> M | None:
    """The row `pk` of `rows` re-read under a row lock of its own table, or None when it is not there
    (deleted meanwhile, or not in `rows`: not visible to the actor)."""
    return rows.select_for_update(of=("self",)).filter(pk=pk).first()


def check_version(current: int, expected: int | None, message: str) -> None:
    """Refuse with `Conflict(message)` when the editor saw another version; None checks nothing."""
    if expected is not None and current != expected:
        raise Conflict(message)


def locked_at(rows: models.QuerySet[M], pk: Any, expected: int | None, *, missing: str, changed: str) -> M:
    """The row `pk` of `rows` under its row lock, checked against the version the editor saw:
    `NotFound(missing)` when it is gone, `Conflict(changed)` when somebody else saved first."""
    current = locked(rows, pk)
    if current is None:
        raise NotFound(missing)
    check_version(current.version, expected, changed)  # type: ignore[attr-defined]
    return current
