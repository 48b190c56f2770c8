"""The current time, overridable for one block (demo data with a realistic past, tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_frozen: ContextVar[datetime | None] = ContextVar("beheer_frozen_now", default=None)


def now() -> datetime:
    return _frozen.get() or timezone.now()


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    token = _frozen.set(at)
    try:
        yield
    finally:
        _frozen.reset(token)
