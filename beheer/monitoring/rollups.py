"""Roll-ups: time per state and latency figures per check per minute, hour and day. Pure logic.

From results to state intervals: a result holds from its moment until the next result of the
check, but at most `hold` (two intervals plus the timeout; a push check's interval plus its grace):
after that nobody knows, and the time is *unknown*. A failed result counts as down from the moment
it was recorded; this is *measured* availability, so the failures that the state machine is still
confirming (soft states) count too.

Each bucket holds seconds up, down, in maintenance and unknown, the number of outages that began in
it (a change from not-down to down outside maintenance), and the latency of the results recorded in
it: count, sum, maximum and a histogram over `LATENCY_BOUNDS`, which sums exactly from minutes to
hours to days. The 95th percentile read from the histogram is the upper bound of the bin holding
it (an upper estimate, good enough to compare with a latency norm).

Minute and hour buckets are aligned on UTC; day buckets start at local midnight (so a local month
is a whole number of day buckets, 23 and 25 hour days included). Availability over a period is
the sum of the buckets that make it up: whole days, then whole hours, then whole minutes, so any
period of whole minutes is exact (to floating-point rounding) while the minute buckets are kept.
See `decompose` for what happens with older periods.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .availability import Span, merge

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
LATENCY_BOUNDS = (10, 25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 30000)
BINS = len(LATENCY_BOUNDS) + 1  # the last bin: above 30 s


def floor_to(moment: datetime, step: timedelta) -> datetime:
    """`moment` rounded down to a multiple of `step` (minutes or hours) since the Unix epoch, UTC."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((moment - epoch) // step) * step


def ceil_to(moment: datetime, step: timedelta) -> datetime:
    floor = floor_to(moment, step)
    return floor if floor == moment else floor + step


def day_start(moment: datetime, tz: ZoneInfo) -> datetime:
    """The local midnight at or before `moment`, as a UTC instant."""
    local = moment.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def next_day(start: datetime, tz: ZoneInfo) -> datetime:
    """The local midnight after the one at `start` (23, 24 or 25 hours later)."""
    local = start.astimezone(tz).replace(tzinfo=None) + DAY
    return local.replace(tzinfo=tz).astimezone(UTC)


def day_ceil(moment: datetime, tz: ZoneInfo) -> datetime:
    start = day_start(moment, tz)
    return start if start == moment else next_day(start, tz)


def latency_bin(ms: int) -> int:
    return bisect.bisect_left(LATENCY_BOUNDS, ms)


@dataclass
class Totals:
    """Seconds per state and latency figures; add them up over buckets and checks."""

    up: float = 0.0
    down: float = 0.0
    maintenance: float = 0.0
    unknown: float = 0.0
    outages: int = 0
    latency_count: int = 0
    latency_sum: int = 0
    latency_max: int | None = None
    histogram: list[int] = field(default_factory=lambda: [0] * BINS)

    def add(self, other: Totals) -> None:
        self.up += other.up
        self.down += other.down
        self.maintenance += other.maintenance
        self.unknown += other.unknown
        self.outages += other.outages
        self.latency_count += other.latency_count
        self.latency_sum += other.latency_sum
        if other.latency_max is not None:
            self.latency_max = max(self.latency_max or 0, other.latency_max)
        for i, n in enumerate(other.histogram[:BINS]):
            self.histogram[i] += n

    def add_latency(self, ms: int) -> None:
        self.latency_count += 1
        self.latency_sum += ms
        self.latency_max = max(self.latency_max or 0, ms)
        self.histogram[latency_bin(ms)] += 1

    @property
    def empty(self) -> bool:
        return not (self.up or self.down or self.maintenance or self.latency_count or self.outages)

    @property
    def percent(self) -> float | None:
        """Up time as a percentage of up + down time (maintenance and unknown left out)."""
        measured = self.up + self.down
        return None if measured <= 0 else 100.0 * self.up / measured

    @property
    def latency_avg(self) -> float | None:
        return None if not self.latency_count else self.latency_sum / self.latency_count

    @property
    def latency_p95(self) -> int | None:
        """The upper bound of the histogram bin that holds the 95th percentile (None without data)."""
        if not self.latency_count:
            return None
        needed = 0.95 * self.latency_count
        seen = 0
        for i, n in enumerate(self.histogram):
            seen += n
            if seen >= needed:
                bound = LATENCY_BOUNDS[i] if i < len(LATENCY_BOUNDS) else None
                return min(bound, self.latency_max or bound) if bound is not None else self.latency_max
        return self.latency_max


def spans_from_results(
    results: Sequence[tuple[datetime, bool]], *, hold: timedelta, until: datetime
) -> list[Span]:
    """State intervals from results sorted by time (see the module docstring)."""
    spans: list[Span] = []
    for i, (moment, ok) in enumerate(results):
        end = moment + hold
        if i + 1 < len(results):
            end = min(end, results[i + 1][0])
        end = min(end, until)
        if end > moment:
            if spans and spans[-1].up == ok and spans[-1].end == moment:
                spans[-1] = Span(spans[-1].start, end, ok)  # one span per run of equal results
            else:
                spans.append(Span(moment, end, ok))
    return spans


def distribute(
    spans: Iterable[Span],
    maintenance: Iterable[tuple[datetime, datetime]],
    *,
    start: datetime,
    end: datetime,
    step: timedelta,
) -> list[Totals]:
    """Per bucket of `step` in [start, end): seconds up, down, in maintenance and unknown, and the
    outages that began there. `start` and `end` are multiples of `step` apart; spans do not overlap.
    """
    count = (end - start) // step
    buckets = [Totals() for _ in range(count)]
    if count <= 0:
        return buckets
    ordered = sorted((s for s in spans if s.end > start and s.start < end), key=lambda s: s.start)
    windows = merge((max(s, start), min(e, end)) for s, e in maintenance if e > start and s < end)
    cuts = {start, end}
    cuts.update(start + i * step for i in range(1, count))
    for s in ordered:
        cuts.update(c for c in (s.start, s.end) if start < c < end)
    for ws, we in windows:
        cuts.update(c for c in (ws, we) if start < c < end)
    points = sorted(cuts)
    si = wi = 0
    for a, b in itertools.pairwise(points):
        while si < len(ordered) and ordered[si].end <= a:
            si += 1
        while wi < len(windows) and windows[wi][1] <= a:
            wi += 1
        seconds = (b - a).total_seconds()
        bucket = buckets[(a - start) // step]
        if wi < len(windows) and windows[wi][0] <= a:
            bucket.maintenance += seconds
        elif si < len(ordered) and ordered[si].start <= a:
            state = ordered[si].up
            if state is True:
                bucket.up += seconds
            elif state is False:
                bucket.down += seconds
            else:
                bucket.unknown += seconds
        else:
            bucket.unknown += seconds
    previous: Span | None = None
    for s in ordered:
        began = s.up is False and not (previous and previous.up is False and previous.end == s.start)
        if began and start <= s.start < end and not any(ws <= s.start < we for ws, we in windows):
            buckets[(s.start - start) // step].outages += 1
        previous = s
    return buckets


# --------------------------------------------------------------------------------------------------
# periods -> buckets

Piece = tuple[str, datetime, datetime]  # (bucket, first bucket start, end): buckets starting in it


def decompose(
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    *,
    minutes_since: datetime | None = None,
    hours_since: datetime | None = None,
) -> list[Piece]:
    """The buckets that make up [start, end) (both whole minutes): whole local days, then whole
    hours, then minutes at the edges.

    Minute buckets older than `minutes_since` and hour buckets older than `hours_since` may be gone
    (retention): such an edge is widened to the enclosing hour, or the enclosing day, so an old
    period is rounded outward to whole hours or days.
    """
    if end <= start:
        return []
    pieces: list[Piece] = []
    d0 = day_ceil(start, tz)
    d1 = day_start(end, tz)
    edges: list[tuple[datetime, datetime]]
    if d0 < d1:
        pieces.append(("day", d0, d1))
        edges = [(start, d0), (d1, end)]
    else:
        edges = [(start, end)]
    for s, e in edges:
        if e <= s:
            continue
        h0, h1 = ceil_to(s, HOUR), floor_to(e, HOUR)
        minutes = [(s, h0), (h1, e)] if h0 < h1 else [(s, e)]
        hours = [(h0, h1)] if h0 < h1 else []
        for ms, me in minutes:
            if me <= ms:
                continue
            if minutes_since is not None and ms < minutes_since:
                hours.append((floor_to(ms, HOUR), ceil_to(me, HOUR)))
            else:
                pieces.append(("minute", ms, me))
        for hs, he in merge(hours):
            if hours_since is not None and hs < hours_since:
                pieces.append(("day", day_start(hs, tz), day_ceil(he, tz)))
            else:
                pieces.append(("hour", hs, he))
    # widened pieces may now cover the same days: keep each day once
    days = merge((s, e) for b, s, e in pieces if b == "day")
    rest = [p for p in pieces if p[0] != "day" and not any(ds <= p[1] < de for ds, de in days)]
    return [("day", s, e) for s, e in days] + rest
