"""Loops over items that one bad item must not stop (house rule 12).

A background job that walks over rows (meldingen to escalate, occurrences to remind, checks to
sweep) runs each item in `isolated(...)`: a savepoint of its own, so a failing item is rolled
back alone; the failure is logged with the item's kind and id, counted for the periodic job that
is running (the scheduler records it on the job's `ScheduledRun`, where administrators see it),
and the loop goes on with the next item::

    for pk in ids:
        with isolated("melding", pk):
            escalate(pk)

Only `Exception` is caught: KeyboardInterrupt and SystemExit still stop the process.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from django.db import transaction

logger = logging.getLogger("beheer.loops")

ERROR_MAX = 2000


def describe(exc: BaseException) -> str:
    """A failure as one line for people: a domain rule's own message, else the kind of error."""
    from .errors import DomainError

    text = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
    return str(text).replace("\x00", "")[:ERROR_MAX]


@dataclass
class ItemFailure:
    kind: str
    key: Any
    error: str

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.error}"


@dataclass
class Failures:
    """The item failures of one run of a periodic job."""

    items: list[ItemFailure] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items)

    def summary(self) -> str:
        """The first failures, one per line (the full list is in the log)."""
        shown = [str(item) for item in self.items[:5]]
        if len(self.items) > len(shown):
            shown.append(f"... ({len(self.items) - len(shown)} more)")
        return "\n".join(shown)[:ERROR_MAX]


_current: ContextVar[Failures | None] = ContextVar("beheer_loop_failures", default=None)


def collect() -> tuple[Failures, Any]:
    """Start collecting item failures (the scheduler, around one job); returns them and a token
    for `stop_collecting`."""
    failures = Failures()
    return failures, _current.set(failures)


def stop_collecting(token: Any) -> None:
    _current.reset(token)


def record_failure(kind: str, key: Any, exc: BaseException) -> str:
    """Log a failed item and count it for the running job; returns its description."""
    error = describe(exc)
    logger.error("%s %s failed: %s", kind, key, error, exc_info=(type(exc), exc, exc.__traceback__))
    failures = _current.get()
    if failures is not None:
        failures.items.append(ItemFailure(kind, key, error))
    return error


class isolated:
    """Run the block in a savepoint (a transaction outside one); a failure is rolled back,
    recorded and swallowed. After the block, `failed` says whether it failed and `error` why.

    With `atomic=False` no transaction is opened: for a block that manages its own transactions
    and runs long (producing a report file), which on SQLite must not hold the write lock.
    """

    def __init__(self, kind: str, key: Any, *, atomic: bool = True) -> None:
        self.kind, self.key = kind, key
        self.failed = False
        self.error = ""
        self._atomic = transaction.atomic() if atomic else None

    def __enter__(self) -> isolated:
        if self._atomic is not None:
            self._atomic.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        try:
            if self._atomic is not None:
                self._atomic.__exit__(exc_type, exc, tb)  # commits, or rolls back to the savepoint
        except Exception as commit_error:  # the commit itself failed (a deferred constraint)
            exc = commit_error
        if exc is None:
            return False
        if not isinstance(exc, Exception):
            return False  # KeyboardInterrupt, SystemExit: not an item's fault
        self.failed = True
        self.error = record_failure(self.kind, self.key, exc)
        return True
