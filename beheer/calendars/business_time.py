"""Business-time arithmetic, without the ORM.

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

Holidays are in :mod:`beheer.calendars.holidays`; the configured calendars (``models.py``) become a
:class:`Calendar` through ``services.calendar_for``. The SLA clock that counts in a calendar is the
servicedesk's (``servicedesk/sla/clock.py``).
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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


def to_utc(value: datetime, name: str = "datetime") -> datetime:
    """``value`` as a UTC instant; ``TypeError`` for a non-datetime, ``ValueError`` for a naive one."""
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
        instant = to_utc(at, "at")
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
        return self._advance(to_utc(at, "at"), _ZERO)

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
        return self._advance(to_utc(start, "start"), duration)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time in ``[start, end)``; zero when ``end <= start``."""
        low, high = to_utc(start, "start"), to_utc(end, "end")
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
