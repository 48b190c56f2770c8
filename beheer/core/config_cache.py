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
