"""A short-lived, per-process cache for small configuration tables.

Registering a melding needs the default status, the priority matrix, the SLA policies, their
targets and calendars: a dozen tiny reads that hardly ever change. Each process keeps them for
`BEHEER_CONFIG_CACHE_SECONDS` (default 10 s); a change in the configuration screens clears the
cache of the process that made it, and reaches the other processes within that time. With 0 (the
test settings) nothing is cached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")

_lock = threading.Lock()
_entries: dict[Any, tuple[float, Any]] = {}


def enabled() -> bool:
    """Whether configuration is cached (not with BEHEER_CONFIG_CACHE_SECONDS=0, as in the tests)."""
    return float(getattr(settings, "CONFIG_CACHE_SECONDS", 0)) > 0


def cached(key: Any, load: Callable[[], T]) -> T:
    """The cached value for `key`, loading it with `load()` when absent or expired."""
    ttl = float(getattr(settings, "CONFIG_CACHE_SECONDS", 0))
    if ttl <= 0:
        return load()
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]  # type: ignore[no-any-return,unused-ignore]
    value = load()
    with _lock:
        _entries[key] = (now + ttl, value)
    return value


def clear() -> None:
    """Forget everything (called after a configuration change in this process)."""
    with _lock:
        _entries.clear()


def row(model: type[T], pk: Any) -> T | None:
    """One row of a small configuration table by primary key (None when it does not exist).

    The whole table is kept per process; a key that is not in the cached copy is looked up in the
    database, so a row added a moment ago in another process is found at once. Only for small
    tables (categories, impacts, urgencies, call types, operator groups, departments, branches,
    suppliers: tens to a few thousand rows).
    """
    manager = model._default_manager  # type: ignore[attr-defined]
    if float(getattr(settings, "CONFIG_CACHE_SECONDS", 0)) <= 0:
        return manager.filter(pk=pk).first()
    rows: dict[Any, T] = cached(("rows", model._meta.label), lambda: {r.pk: r for r in manager.all()})  # type: ignore[attr-defined]
    found = rows.get(pk)
    if found is None:
        found = manager.filter(pk=pk).first()
        if found is not None:
            with _lock:
                rows[pk] = found
    return found
