"""Availability over a period, from state intervals, without the time in maintenance. Pure logic.

Availability is computed from how long a check was up or down, not from how many results said so:
results come at uneven moments (retries come faster than the interval), so counting samples would
give a failing check's retries too much weight. Time inside a maintenance window counts neither as
up nor as down, and time without any known state (before the first result, a gap while the monitor
was stopped) is *unknown*, excluded unless the caller chooses to count it as down.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from beheer.calendars.windows import Window


@dataclass(frozen=True)
class Span:
    """The check was `up` (True), down (False) or unknown (None) from `start` until `end`."""

    start: datetime
    end: datetime
    up: bool | None


@dataclass(frozen=True)
class Availability:
    up: timedelta
    down: timedelta
    unknown: timedelta
    maintenance: timedelta

    @property
    def percent(self) -> float | None:
        """Up time as a percentage of up + down time; None when neither was measured."""
        measured = self.up + self.down
        if measured <= timedelta(0):
            return None
        return 100 * (self.up / measured)


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Overlapping or touching intervals joined, sorted; empty ones dropped."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> timedelta:
    return max(timedelta(0), min(a[1], b[1]) - max(a[0], b[0]))


def maintenance_intervals(
    windows: Iterable[Window], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The occurrences of the windows that overlap [start, end), merged and clipped to it."""
    found: list[tuple[datetime, datetime]] = []
    for window in windows:
        current = window.occurrence_at(start)
        if current is not None:
            found.append(current)
        moment = start
        while True:
            begins = window.next_start(moment)
            if begins is None or begins >= end:
                break
            found.append((begins, begins + window.duration))
            moment = begins
    return [(max(s, start), min(e, end)) for s, e in merge(found) if e > start and s < end]


def availability(
    spans: Iterable[Span],
    *,
    start: datetime,
    end: datetime,
    maintenance: Iterable[tuple[datetime, datetime]] = (),
    unknown_is_down: bool = False,
) -> Availability:
    """Up, down, unknown and maintenance time in [start, end).

    Spans must not overlap each other (a check has one state at a time); they may come in any order
    and extend beyond the period. Time no span covers is unknown. Maintenance takes precedence over
    every state.
    """
    if end <= start:
        raise ValueError("the period must end after it starts")
    period = (start, end)
    windows = merge((max(s, start), min(e, end)) for s, e in maintenance)
    in_maintenance = sum((_overlap(w, period) for w in windows), timedelta(0))
    totals = {True: timedelta(0), False: timedelta(0), None: timedelta(0)}
    for span in spans:
        piece = (max(span.start, start), min(span.end, end))
        if piece[1] <= piece[0]:
            continue
        length = piece[1] - piece[0] - sum((_overlap(piece, w) for w in windows), timedelta(0))
        totals[span.up] += length
    covered = totals[True] + totals[False] + totals[None]
    unknown = (end - start) - in_maintenance - covered + totals[None]
    down = totals[False]
    if unknown_is_down:
        down, unknown = down + unknown, timedelta(0)
    return Availability(up=totals[True], down=down, unknown=unknown, maintenance=in_maintenance)
