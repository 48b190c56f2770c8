"""A small discrete-event loop: the demo's work happens in the order it would have happened.

Every app's `demo.py` contributes processes; the demo app starts them all on one timeline and runs it.

A process is a generator that yields the moment it wants to act next; the loop resumes the process
with the clock frozen at that moment (`core.clock.frozen`), so every service it calls writes history,
SLA clocks and search documents as if it ran then. Processes run in time order across the whole demo
(a melding registered on Monday is handled before one registered on Tuesday), and nothing after `now`
happens: a process whose next moment lies in the future simply stops there, which is how open work
stays open.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Generator
from datetime import datetime

from beheer.core import clock
from beheer.core.errors import DomainError

Process = Generator[datetime, None, None]


class Timeline:
    def __init__(self, *, now: datetime) -> None:
        self.now = now
        self.steps = 0
        self.failures: list[str] = []
        self._queue: list[tuple[datetime, int, Process]] = []
        self._order = itertools.count()

    def start(self, process: Process) -> None:
        """Schedule a process at the first moment it yields (it must do nothing before that)."""
        try:
            first = next(process)
        except StopIteration:
            return
        heapq.heappush(self._queue, (first, next(self._order), process))

    def run(self) -> None:
        """Run every step up to `now`, in time order; a step that a service refuses ends its process."""
        while self._queue and self._queue[0][0] <= self.now:
            at, order, process = heapq.heappop(self._queue)
            try:
                with clock.frozen(at):
                    following = process.send(None)
            except StopIteration:
                continue
            except DomainError as exc:
                self.failures.append(f"{at:%Y-%m-%d %H:%M}: {exc.message}")
                continue
            finally:
                self.steps += 1
            heapq.heappush(self._queue, (max(following, at), order, process))
