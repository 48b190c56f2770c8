"""Business-time arithmetic and the SLA clock, without the ORM.

A :class:`Calendar` says when the service desk is open: opening intervals per weekday in local
wall-clock time, a set of closed local dates (holidays, extra closing days) and a time zone. All
arithmetic happens on UTC instants; the zone is only used to decide which instants fall inside the
opening hours. The rule is simple and exact, also around daylight-saving changes:

    an instant is open when its local wall-clock time, on a date that is not closed, lies in one of
    that weekday's intervals ``[start, end)`` (an end of ``time(0)`` means 24:00).

So 08:00-17:00 is always 9 real hours, 00:00-24:00 is 23 or 25 real hours on the switch days, and
an interval such as 01:00-04:00 is 2 real hours on the spring switch (02:00-03:00 does not exist)
and 4 real hours on the autumn switch (02:00-03:00 happens twice, both count).

Every datetime argument must be timezone-aware (``ValueError`` otherwise); the zone of the argument
does not matter, only the instant. Returned datetimes are in UTC. (Datetimes that share one
``ZoneInfo`` compare and subtract by wall-clock time, ignoring ``fold``, which is wrong across the
autumn switch; UTC results avoid that trap. Convert for display only.)

The clock replay (:func:`read_clock`) turns a melding's history into SLA figures; see its docstring
for the event rules. :func:`first_response` is the response clock.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import holidays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

#: How far ahead ``add``/``next_open`` search before giving up (a calendar whose every day is closed).
HORIZON = timedelta(days=3660)

Interval = tuple[datetime, datetime]

_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_TINY = timedelta(microseconds=1)
# A UTC window that surely holds every instant of a local date, for UTC offsets in [-14h, +14h].
_BEFORE = timedelta(hours=15)
_AFTER = timedelta(hours=15)


# --------------------------------------------------------------------------------------------------
# Time-zone helpers (cached per zone and per year / day)
# --------------------------------------------------------------------------------------------------


def _utc(value: datetime, name: str = "datetime") -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got the naive value {value.isoformat()}")
    return value.astimezone(UTC)


def _offset(tz: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None
    return offset


@functools.lru_cache(maxsize=256)
def _transitions(tz: ZoneInfo, year: int) -> tuple[tuple[datetime, timedelta], ...]:
    """UTC-offset changes in ``[1 Jan year, 1 Jan year+1)`` UTC: (instant, offset from then on).

    Found by probing once a day and bisecting to the second; assumes a zone never changes its
    offset twice within 24 hours (true for every zone in the tz database this century).
    """
    first = datetime(year, 1, 1, tzinfo=UTC)
    days = (datetime(year + 1, 1, 1, tzinfo=UTC) - first).days
    probes = [_offset(tz, first + k * _DAY) for k in range(days + 1)]
    found: list[tuple[datetime, timedelta]] = []
    for k in range(days):
        if probes[k] == probes[k + 1]:
            continue
        base = first + k * _DAY
        low, high = 0, 86400  # offset at base+low is the old one, at base+high the new one
        while high - low > 1:
            middle = (low + high) // 2
            if _offset(tz, base + timedelta(seconds=middle)) == probes[k]:
                low = middle
            else:
                high = middle
        found.append((base + timedelta(seconds=high), probes[k + 1]))
    return tuple(found)


@functools.lru_cache(maxsize=256)
def _irregular_days(tz: ZoneInfo, year: int) -> tuple[date, ...]:
    """Sorted local dates of ``year`` whose UTC window holds an offset change (computed exactly)."""
    days: set[date] = set()
    for y in (year - 1, year, year + 1):
        for instant, _ in _transitions(tz, y):
            for k in (-2, -1, 0, 1):
                day = instant.date() + k * _DAY
                if day.year == year:
                    days.add(day)
    return tuple(sorted(days))


def _window(day: date) -> tuple[datetime, datetime]:
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return midnight - _BEFORE, midnight + _DAY + _AFTER


@functools.lru_cache(maxsize=4096)
def _segments(tz: ZoneInfo, day: date) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """The UTC window of a local date cut into pieces of constant UTC offset."""
    low, high = _window(day)
    cuts = [
        (instant, offset)
        for year in {low.year, high.year}
        for instant, offset in _transitions(tz, year)
        if low < instant < high
    ]
    cuts.sort()
    segments: list[tuple[datetime, datetime, timedelta]] = []
    begin, offset = low, _offset(tz, low)
    for instant, new_offset in cuts:
        segments.append((begin, instant, offset))
        begin, offset = instant, new_offset
    segments.append((begin, high, offset))
    return tuple(segments)


def _is_regular(tz: ZoneInfo, day: date) -> bool:
    """True when no offset change lies near ``day``: its opening intervals are plain shifts to UTC."""
    days = _irregular_days(tz, day.year)
    i = bisect.bisect_left(days, day)
    return not (i < len(days) and days[i] == day)


def _next_irregular(tz: ZoneInfo, day: date) -> date:
    for year in range(day.year, day.year + 12):
        days = _irregular_days(tz, year)
        i = bisect.bisect_left(days, day)
        if i < len(days):
            return days[i]
    return day + 2 * HORIZON


def _wall(value: time) -> timedelta:
    return timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )


# --------------------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """When the desk is open. Build it with keywords; the constructor validates and normalises.

    ``hours`` maps a weekday (0 = Monday ... 6 = Sunday) to that day's opening intervals
    ``(start, end)`` in local wall-clock time, sorted and non-overlapping (touching is allowed). An
    end of ``time(0)`` means midnight at the end of the day (24:00). ``closed`` holds local dates on
    which the desk is closed all day. With ``always_open`` every instant counts (24x7, no
    holidays): ``hours`` and ``closed`` are then ignored.
    """

    hours: Mapping[int, Sequence[tuple[time, time]]] = field(default_factory=dict)
    closed: frozenset[date] = frozenset()
    tz: ZoneInfo = AMSTERDAM
    always_open: bool = False
    # Derived, filled in by __post_init__.
    _spans: tuple[tuple[tuple[timedelta, timedelta], ...], ...] = field(init=False, repr=False, compare=False)
    _per_day: tuple[timedelta, ...] = field(init=False, repr=False, compare=False)
    _per_week: timedelta = field(init=False, repr=False, compare=False)
    _closed_sorted: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.tz, ZoneInfo):
            raise ValueError("tz must be a zoneinfo.ZoneInfo")
        spans: list[tuple[tuple[timedelta, timedelta], ...]] = [() for _ in range(7)]
        normalised: dict[int, tuple[tuple[time, time], ...]] = {}
        for weekday, intervals in self.hours.items():
            if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
                raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
            spans[weekday] = _validate_day(weekday, intervals)
            normalised[weekday] = tuple((start, end) for start, end in intervals)
        closed = frozenset(self.closed)
        for day in closed:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(f"closed days must be dates, got {day!r}")
        object.__setattr__(self, "hours", normalised)
        object.__setattr__(self, "closed", closed)
        object.__setattr__(self, "_spans", tuple(spans))
        per_day = tuple(sum((end - start for start, end in day), _ZERO) for day in spans)
        object.__setattr__(self, "_per_day", per_day)
        object.__setattr__(self, "_per_week", sum(per_day, _ZERO))
        object.__setattr__(self, "_closed_sorted", tuple(sorted(closed)))

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.hours.items())), self.closed, self.tz, self.always_open))

    @classmethod
    def weekly(
        cls,
        intervals: Sequence[tuple[time, time]],
        *,
        days: Iterable[int] = range(5),
        closed: Iterable[date] = (),
        tz: ZoneInfo = AMSTERDAM,
    ) -> Calendar:
        """The same intervals on each of ``days`` (default Monday to Friday)."""
        return cls(hours={day: tuple(intervals) for day in days}, closed=frozenset(closed), tz=tz)

    @property
    def has_hours(self) -> bool:
        return self.always_open or self._per_week > _ZERO

    @property
    def hours_per_week(self) -> timedelta:
        """Opening time in an ordinary week (no closed days, no daylight-saving change)."""
        return _WEEK if self.always_open else self._per_week

    # ---------------------------------------------------------------------------------------------
    # Queries
    # ---------------------------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        instant = _utc(at, "at")
        if self.always_open:
            return True
        local = instant.astimezone(self.tz)
        if local.date() in self.closed:
            return False
        wall = _wall(local.time())
        return any(start <= wall < end for start, end in self._spans[local.weekday()])

    def intervals_on(self, day: date) -> list[Interval]:
        """The open UTC intervals of a local date, sorted, disjoint and not touching."""
        if self.always_open:
            return _local_pieces(self.tz, day, ((_ZERO, _DAY),))
        if day in self.closed:
            return []
        return self._pieces(day)

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself when open, otherwise the next opening instant (in UTC)."""
        return self._advance(_utc(at, "at"), _ZERO)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of business time has passed since ``start`` (in UTC).

        Counting begins at ``start`` or, when the desk is closed then, at the next opening. A deadline
        that ends exactly at a closing time is that closing time (not the next opening). A duration
        of zero gives :meth:`next_open`.
        """
        if not isinstance(duration, timedelta):
            raise TypeError("duration must be a timedelta")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        return self._advance(_utc(start, "start"), duration)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time in ``[start, end)``; zero when ``end <= start``."""
        low, high = _utc(start, "start"), _utc(end, "end")
        if high <= low:
            return _ZERO
        if self.always_open:
            return high - low
        if self._per_week == _ZERO:
            return _ZERO
        first, last = self._local_date(low), self._local_date(high)
        total = _ZERO
        day = first - _DAY
        while day <= last + _DAY:
            if first + 2 * _DAY <= day <= last - 2 * _DAY and _is_regular(self.tz, day):
                # Every instant of this local date lies inside [low, high).
                stop = min(self._next_special(day), last - _DAY)
                weeks = (stop - day).days // 7
                if weeks > 0:
                    total += weeks * self._per_week
                    day += weeks * _WEEK
                else:
                    total += self._day_total(day)
                    day += _DAY
                continue
            for begin, finish in self._pieces(day):
                begin, finish = max(begin, low), min(finish, high)
                if begin < finish:
                    total += finish - begin
            day += _DAY
        return total

    # ---------------------------------------------------------------------------------------------
    # Internals
    # ---------------------------------------------------------------------------------------------

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def _day_total(self, day: date) -> timedelta:
        """Business time of a regular local date."""
        return _ZERO if day in self.closed else self._per_day[day.weekday()]

    def _next_special(self, day: date) -> date:
        """The first date on or after ``day`` that is closed or near an offset change."""
        i = bisect.bisect_left(self._closed_sorted, day)
        closed = self._closed_sorted[i] if i < len(self._closed_sorted) else day + 2 * HORIZON
        return min(closed, _next_irregular(self.tz, day))

    def _pieces(self, day: date) -> list[Interval]:
        """Open UTC intervals of a local date (every instant whose local date is ``day``)."""
        if day in self.closed:
            return []
        return _local_pieces(self.tz, day, self._spans[day.weekday()])

    def _advance(self, start: datetime, remaining: timedelta) -> datetime:
        """Walk the open time from ``start`` until ``remaining`` is used up (0: the next open instant)."""
        if self.always_open:
            return start + remaining
        if self._per_week == _ZERO:
            raise ValueError("calendar has no opening hours")
        first = self._local_date(start)
        limit = first + HORIZON
        day = first - _DAY
        while day <= limit:
            pieces: list[Interval]
            if _is_regular(self.tz, day):
                if day >= first + 2 * _DAY:
                    # Fast path: the whole date lies after start; skip weeks, then days.
                    if remaining > self._per_week:
                        weeks = min(
                            (self._next_special(day) - day).days // 7,
                            (remaining - _TINY) // self._per_week,
                        )
                        if weeks > 0:
                            remaining -= weeks * self._per_week
                            day += weeks * _WEEK
                            continue
                    total = self._day_total(day)
                    if total == _ZERO or remaining > total:
                        remaining -= total
                        day += _DAY
                        continue
                pieces = self._pieces(day)
                day += _DAY
            else:
                # Near an offset change local dates may interleave in UTC: take the run as one block.
                pieces = []
                while day <= limit and not _is_regular(self.tz, day):
                    pieces.extend(self._pieces(day))
                    day += _DAY
                pieces.sort()
            for begin, finish in pieces:
                begin = max(begin, start)
                if begin >= finish:
                    continue
                if remaining == _ZERO:
                    return begin
                if finish - begin >= remaining:
                    return begin + remaining
                remaining -= finish - begin
        raise ValueError(
            f"no opening time within {HORIZON.days // 365} years after {start.isoformat()}: "
            "check the calendar's opening hours and closing days"
        )


def _validate_day(
    weekday: int, intervals: Sequence[tuple[time, time]]
) -> tuple[tuple[timedelta, timedelta], ...]:
    spans: list[tuple[timedelta, timedelta]] = []
    for interval in intervals:
        if not (isinstance(interval, tuple | list) and len(interval) == 2):
            raise ValueError(f"weekday {weekday}: an interval must be a (start, end) pair, got {interval!r}")
        start, end = interval
        if not isinstance(start, time) or not isinstance(end, time):
            raise ValueError(f"weekday {weekday}: interval bounds must be datetime.time values")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"weekday {weekday}: interval bounds must be naive local wall-clock times")
        low = _wall(start)
        high = _DAY if end == time(0) else _wall(end)
        if high <= low:
            raise ValueError(
                f"weekday {weekday}: interval {start.isoformat()}-{end.isoformat()} ends before it starts"
                " (use time(0) as the end for midnight)"
            )
        if spans and low < spans[-1][1]:
            raise ValueError(
                f"weekday {weekday}: intervals must be sorted and must not overlap "
                f"({start.isoformat()} starts before the previous interval ends)"
            )
        if spans and low == spans[-1][1]:
            spans[-1] = (spans[-1][0], high)  # touching intervals are one interval
        else:
            spans.append((low, high))
    return tuple(spans)


def _local_pieces(tz: ZoneInfo, day: date, spans: Sequence[tuple[timedelta, timedelta]]) -> list[Interval]:
    """The UTC intervals of the instants whose local wall-clock time lies on ``day`` within ``spans``."""
    if not spans:
        return []
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)  # the wall clock, read as UTC
    segments = _segments(tz, day)
    if len(segments) == 1:
        offset = segments[0][2]
        return _merge([(midnight + start - offset, midnight + end - offset) for start, end in spans])
    pieces: list[Interval] = []
    for start, end in spans:
        for low, high, offset in segments:
            begin = max(low, midnight + start - offset)
            finish = min(high, midnight + end - offset)
            if begin < finish:
                pieces.append((begin, finish))
    pieces.sort()
    return _merge(pieces)


def _merge(pieces: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for begin, finish in pieces:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(finish, merged[-1][1]))
        else:
            merged.append((begin, finish))
    return merged


def calendar_24x7(tz: ZoneInfo = AMSTERDAM) -> Calendar:
    """Every instant counts: no opening hours, no holidays."""
    return Calendar(tz=tz, always_open=True)


def dutch_holidays(
    years: Iterable[int], *, liberation_day_every_year: bool, good_friday: bool = True
) -> frozenset[date]:
    """Dutch public holidays (local dates) for ``years``, from the ``holidays`` package (NL, public).

    What the package gives, and what this function does with it:

    - New Year's Day, Easter Sunday and Monday, Ascension Day, Whit Sunday and Monday, Christmas Day
      and Boxing Day.
    - King's Day: 27 April, or Saturday 26 April when the 27th is a Sunday (Queen's Day before 2014);
      kept as the package says.
    - Good Friday: the package lists it as a public holiday, although the law (Algemene termijnenwet)
      does not and many employers stay open. Kept by default; pass ``good_friday=False`` to drop it.
    - Liberation Day (5 May): the package lists it only in lustrum years (2025, 2030, ...), the rule
      in many collective agreements. ``liberation_day_every_year=True`` adds 5 May in every year;
      ``False`` keeps the package's lustrum-only rule.

    Sundays in the list (Easter, Whit Sunday) are harmless for a weekday calendar. Combine the result
    with an organisation's own closing days in :attr:`Calendar.closed`.
    """
    wanted = sorted(set(years))
    if not wanted:
        return frozenset()
    table = holidays.country_holidays("NL", years=wanted, language="en_US")
    result = {day for day, name in table.items() if good_friday or name != "Good Friday"}
    if liberation_day_every_year:
        result.update(date(year, 5, 5) for year in wanted if year >= 1946)
    return frozenset(result)


# --------------------------------------------------------------------------------------------------
# The SLA clock
# --------------------------------------------------------------------------------------------------


class EventKind(StrEnum):
    PAUSE = "pause"  # entering a status that pauses the SLA
    RESUME = "resume"  # leaving such a status
    RESOLVE = "resolve"  # the melding is resolved: the resolution clock stops
    REOPEN = "reopen"  # a resolved melding is reopened: the same clock runs on


@dataclass(frozen=True)
class ClockEvent:
    at: datetime
    kind: EventKind


@dataclass(frozen=True)
class ClockReading:
    elapsed: timedelta  # business time counted (pauses excluded), up to now or to the stop
    paused_for: timedelta  # business time spent paused
    running: bool  # counting right now
    paused: bool
    stopped_at: datetime | None  # resolved and not reopened (UTC)
    # The deadline (UTC): while running, the instant the remaining business time runs out, or the
    # instant the target was used up once it was; while paused, that same instant when the clock
    # breached, otherwise None (no deadline while paused); None once stopped.
    due: datetime | None
    # The first instant the clock was running after its target was used up (UTC): the deadline
    # itself when the clock ran through it, the resume moment when it was paused exactly then.
    breached_at: datetime | None
    used_up_at: datetime | None = None  # the instant the target was used up, once it was (UTC)

    def remaining(self, target: timedelta) -> timedelta:
        """Business time left before the target runs out (negative once breached)."""
        return target - self.elapsed


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    PAUSED = "paused"


_RUNNING, _PAUSED, _STOPPED = "running", "paused", "stopped"


def read_clock(
    calendar: Calendar,
    *,
    start: datetime,
    target: timedelta,
    events: Sequence[ClockEvent],
    now: datetime,
) -> ClockReading:
    """Replay a clock's events up to ``now``.

    The clock starts running at ``start``. Events are normalised so that history is never rejected:

    - they are sorted by time (events at the same instant keep the given order);
    - an event before ``start`` counts as happening at ``start`` (in its own order); events after
      ``now`` are ignored;
    - PAUSE only acts on a running clock, RESUME only on a paused one, RESOLVE on a running or paused
      one (it stops the clock), REOPEN only on a stopped one (the clock runs again, not paused, and
      keeps the time already spent); anything else (resume without pause, pause while paused, a
      second resolve) is a no-op.

    The deadline and the breach follow one convention, the one of :meth:`Calendar.add`: the target is
    used up at the first instant the business time counted reaches it, so a target that runs out
    exactly at a closing time is used up at that closing time (not at the next opening). From then
    on that instant is the deadline: pausing, resuming or reopening never moves it. The clock is
    *breached* once it runs at any instant after the deadline, within opening hours or not: still
    running after closing time, paused or resolved after it. Stopped or paused exactly at the
    deadline is not breached; a clock resumed after that breaches at once (``breached_at`` is then
    the resume moment). :func:`deadline_passed` is the same rule for a stored deadline.

    ``due`` does not depend on ``now`` while the clock runs: it is the instant the remaining business
    time runs out, counted from the last (re)start, or the instant the target was used up.
    """
    begin, moment = _utc(start, "start"), _utc(now, "now")
    if target < _ZERO:
        raise ValueError(f"target must not be negative, got {target}")
    # Sort on the real instants (ties keep the given order), then move early events to the start.
    ordered = [
        (max(at, begin), kind)
        for at, _, kind in sorted(
            (_utc(event.at, "event time"), index, EventKind(event.kind)) for index, event in enumerate(events)
        )
    ]
    mode = _RUNNING
    since = begin  # start of the current running or paused stretch
    elapsed = paused_for = _ZERO
    stopped_at: datetime | None = None
    used_up_at: datetime | None = None
    breached_at: datetime | None = None

    def run(low: datetime, high: datetime, *, current: bool) -> None:
        """Count a running stretch: ``[low, high)``, or ``[low, high]`` for the one running now."""
        nonlocal elapsed, used_up_at, breached_at
        stretch = calendar.between(low, high)
        if used_up_at is None and calendar.has_hours and elapsed + stretch >= target:
            candidate = calendar.add(low, target - elapsed)
            if candidate <= high:
                used_up_at = candidate
        if breached_at is None and used_up_at is not None and high > used_up_at and (current or high > low):
            breached_at = max(low, used_up_at)
        elapsed += stretch

    for at, kind in ordered:
        if at > moment:
            break
        if mode == _RUNNING and kind in (EventKind.PAUSE, EventKind.RESOLVE):
            run(since, at, current=False)
            mode, since = (_PAUSED, at) if kind == EventKind.PAUSE else (_STOPPED, at)
            stopped_at = at if kind == EventKind.RESOLVE else None
        elif mode == _PAUSED and kind in (EventKind.RESUME, EventKind.RESOLVE):
            paused_for += calendar.between(since, at)
            mode, since = (_RUNNING, at) if kind == EventKind.RESUME else (_STOPPED, at)
            stopped_at = at if kind == EventKind.RESOLVE else None
        elif mode == _STOPPED and kind == EventKind.REOPEN:
            mode, since, stopped_at = _RUNNING, at, None

    due: datetime | None = None
    if mode == _RUNNING:
        used = elapsed
        run(since, moment, current=True)
        due = used_up_at if used_up_at is not None else calendar.add(since, target - used)
    elif mode == _PAUSED:
        paused_for += calendar.between(since, moment)
        due = used_up_at if breached_at is not None else None
    return ClockReading(
        elapsed=elapsed,
        paused_for=paused_for,
        running=mode == _RUNNING,
        paused=mode == _PAUSED,
        stopped_at=stopped_at,
        due=due,
        breached_at=breached_at,
        used_up_at=used_up_at,
    )


def first_response(
    calendar: Calendar,
    *,
    start: datetime,
    target: timedelta,
    responded_at: datetime | None,
    now: datetime,
) -> ClockReading:
    """The response clock: never paused, stopped by the first response."""
    events = [] if responded_at is None else [ClockEvent(responded_at, EventKind.RESOLVE)]
    return read_clock(calendar, start=start, target=target, events=events, now=now)


def state(reading: ClockReading, target: timedelta, *, at_risk_ratio: float) -> SlaState:
    """Breached wins (it stays breached when later paused or stopped); then met, paused, at risk."""
    if not 0 <= at_risk_ratio <= 1:
        raise ValueError(f"at_risk_ratio must lie between 0 and 1, got {at_risk_ratio}")
    if reading.breached_at is not None or reading.elapsed > target:
        return SlaState.BREACHED
    if reading.stopped_at is not None:
        return SlaState.MET
    if reading.paused:
        return SlaState.PAUSED
    if reading.elapsed >= target * at_risk_ratio:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


# --------------------------------------------------------------------------------------------------
# What is stored: the deadlines of one reading, and the state they give later
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What the engine stores on a melding for one clock, read at one moment."""

    due: datetime | None  # the deadline (see ClockReading.due)
    risk_at: datetime | None  # the moment the at-risk share is (or was) used; only while running
    met: bool | None  # decided: False once breached, True once stopped within the target


def snapshot(
    reading: ClockReading, risk: ClockReading, target: timedelta, *, at_risk_ratio: float
) -> Snapshot:
    """The stored figures of a clock (``risk`` is the same clock read with the at-risk share as target)."""
    result = state(reading, target, at_risk_ratio=at_risk_ratio)
    met = False if result == SlaState.BREACHED else True if result == SlaState.MET else None
    return Snapshot(due=reading.due, risk_at=risk.due if reading.running else None, met=met)


def deadline_passed(due: datetime | None, now: datetime) -> bool:
    """A stored deadline is breached strictly after it: the rule of :func:`read_clock`."""
    return due is not None and now > due


def stored_state(snap: Snapshot, now: datetime, *, is_open: bool) -> SlaState:
    """The state at ``now`` from stored figures, without replaying the history.

    Equal to :func:`state` of a replay at ``now``, as long as nothing happened to the clock since
    the snapshot was taken (a later change stores a new snapshot).
    """
    if snap.met is not None:
        return SlaState.MET if snap.met else SlaState.BREACHED
    if deadline_passed(snap.due, now):
        return SlaState.BREACHED
    if snap.due is None and is_open:
        return SlaState.PAUSED
    if snap.risk_at is not None and now >= snap.risk_at:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


# --------------------------------------------------------------------------------------------------
# OLA: one clock per operator group
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    """The melding went to another operator group (``group`` "" means: to no group)."""

    at: datetime
    group: str


@dataclass(frozen=True)
class GroupClock:
    start: datetime  # when the group first got the melding (UTC)
    events: tuple[ClockEvent, ...]  # replay with read_clock(start=start, events=events)
    holding: bool  # the group has the melding at the end of the timeline


def group_clocks(
    *, start: datetime, first_group: str, timeline: Sequence[ClockEvent | Handover]
) -> dict[str, GroupClock]:
    """Split a melding's clock over the operator groups that held it.

    ``timeline`` is the melding's status clock events (as for :func:`read_clock`) and its handovers,
    in the order they happened; ``first_group`` held the melding from ``start``. A group's clock
    runs only while it holds the melding: a handover stops the old group's clock and (re)starts the
    new group's, in the state the melding's own clock is in then (running, paused or stopped).
    Pauses, resolving and reopening act on the clock of the group holding the melding. Repeated
    stints with the same group add up, because each later stint is a REOPEN of the same clock.
    """
    begin = _utc(start, "start")
    mode = _RUNNING
    current = first_group
    starts: dict[str, datetime] = {}
    events: dict[str, list[ClockEvent]] = {}

    def take(group: str, at: datetime) -> None:
        if not group:
            return
        if group in starts:
            events[group].append(ClockEvent(at, EventKind.REOPEN))
        else:
            starts[group], events[group] = at, []
        if mode == _PAUSED:
            events[group].append(ClockEvent(at, EventKind.PAUSE))
        elif mode == _STOPPED:
            events[group].append(ClockEvent(at, EventKind.RESOLVE))

    take(current, begin)
    ordered = sorted(
        ((max(_utc(item.at, "event time"), begin), index, item) for index, item in enumerate(timeline)),
        key=lambda row: (row[0], row[1]),
    )
    for at, _index, item in ordered:
        if isinstance(item, Handover):
            if item.group == current:
                continue
            if current:
                events[current].append(ClockEvent(at, EventKind.RESOLVE))
            current = item.group
            take(current, at)
            continue
        kind = EventKind(item.kind)
        new_mode = mode
        if mode == _RUNNING and kind == EventKind.PAUSE:
            new_mode = _PAUSED
        elif mode == _PAUSED and kind == EventKind.RESUME:
            new_mode = _RUNNING
        elif mode in (_RUNNING, _PAUSED) and kind == EventKind.RESOLVE:
            new_mode = _STOPPED
        elif mode == _STOPPED and kind == EventKind.REOPEN:
            new_mode = _RUNNING
        if new_mode != mode:
            mode = new_mode
            if current:
                events[current].append(ClockEvent(at, kind))
    return {
        group: GroupClock(start=starts[group], events=tuple(events[group]), holding=group == current)
        for group in starts
    }
