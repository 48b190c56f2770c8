"""Maintenance windows: one-off and recurring (RFC 5545 RRULE), time-zone aware, evaluated lazily.

Pure logic, no ORM. A window is a start in local wall time, a duration and optionally a recurrence
rule; `active_at(instant)` answers whether an instant falls inside one of its occurrences.

Nothing is materialised per occurrence, and the cost of a question does not grow with the age of
the window: a recurring rule without COUNT is re-anchored near the instant asked about (whole
periods of the rule's frequency are skipped arithmetically) before dateutil walks it, so a daily
window started ten years ago costs the same as one started yesterday. Rules with COUNT have a
bounded number of occurrences and are walked as they are.

Occurrences are computed in local wall time and then placed on the time line, so a window "every
day 02:00-04:00 Europe/Amsterdam" stays at 02:00 local time across daylight-saving changes. A local
time that does not exist (the spring-forward hour) starts at the first instant after the gap; one
that exists twice (the autumn fall-back hour) starts at the first of the two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from dateutil.relativedelta import relativedelta

MAX_DURATION = timedelta(days=31)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MAX_RULE_LENGTH = 500


class WindowError(ValueError):
    """A window that cannot be evaluated: a bad rule, time zone or duration."""


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise WindowError(f"{name} must be timezone-aware")
    return value


def to_instant(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive local wall time -> an aware UTC instant.

    A time in the spring-forward gap moves forward by the length of the gap (02:30 becomes 03:30),
    and a time in the autumn fall-back hour is its first occurrence, as Python's zoneinfo does.
    """
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """One maintenance window: `start` is a naive local wall time in `time_zone`."""

    start: datetime
    duration: timedelta
    time_zone: str = "Europe/Amsterdam"
    rule: str = ""  # an RRULE body such as "FREQ=WEEKLY;BYDAY=SU;INTERVAL=1", empty for one-off
    parsed: du.rrule | None = field(default=None, init=False, repr=False, compare=False)  # the rule, read

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None:
            raise WindowError("start is a local wall time without a time zone")
        if not timedelta(0) < self.duration <= MAX_DURATION:
            raise WindowError("the duration must be positive and at most 31 days")
        try:
            ZoneInfo(self.time_zone)
        except Exception as exc:
            raise WindowError(f"unknown time zone: {self.time_zone}") from exc
        if self.rule:
            object.__setattr__(self, "parsed", parse_rule(self.rule, self.start, ZoneInfo(self.time_zone)))

    @property
    def frequency(self) -> int | None:
        """The rule's frequency (dateutil's YEARLY ... SECONDLY), None for a one-off window."""
        return self.parsed._freq if self.parsed is not None else None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def occurrence_at(self, instant: datetime) -> tuple[datetime, datetime] | None:
        """The occurrence that `instant` falls in, as (start, end) UTC instants, or None."""
        instant = _aware(instant, "instant")
        tz = self.tz
        if self.parsed is None:
            first = to_instant(self.start, tz)
            return (first, first + self.duration) if first <= instant < first + self.duration else None
        local_now = instant.astimezone(tz).replace(tzinfo=None)
        # Only an occurrence that started less than `duration` ago can hold the instant; a day of
        # slack covers daylight-saving shifts between local and real time.
        rule = anchored(self.parsed, local_now - self.duration - timedelta(days=1))
        local_start = rule.before(local_now + timedelta(hours=2), inc=True)
        while local_start is not None and local_start >= local_now - self.duration - timedelta(days=1):
            begins = to_instant(local_start, tz)
            if begins <= instant:
                return (begins, begins + self.duration) if instant < begins + self.duration else None
            local_start = rule.before(local_start, inc=False)
        return None

    def active_at(self, instant: datetime) -> bool:
        """Whether `instant` lies inside an occurrence [start, start + duration)."""
        return self.occurrence_at(instant) is not None

    def next_start(self, instant: datetime) -> datetime | None:
        """The first occurrence starting after `instant` (UTC), or None."""
        instant = _aware(instant, "instant")
        tz = self.tz
        if self.parsed is None:
            first = to_instant(self.start, tz)
            return first if first > instant else None
        local_now = instant.astimezone(tz).replace(tzinfo=None)
        rule = anchored(self.parsed, local_now - timedelta(days=1))
        local_start = rule.after(local_now - timedelta(hours=2), inc=True)
        while local_start is not None:
            begins = to_instant(local_start, tz)
            if begins > instant:
                return begins
            local_start = rule.after(local_start, inc=False)
        return None


_ALLOWED_FREQ = {
    du.YEARLY: "YEARLY",
    du.MONTHLY: "MONTHLY",
    du.WEEKLY: "WEEKLY",
    du.DAILY: "DAILY",
    du.HOURLY: "HOURLY",
}


_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


def parse_rule(text: str, start: datetime, tz: ZoneInfo = AMSTERDAM) -> du.rrule:
    """An RRULE body -> a dateutil rule starting at `start` (naive local time); WindowError if bad.

    An UNTIL in UTC (`...Z`, as RFC 5545 writes it) is turned into the local wall time of `tz`.
    """
    text = text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or len(text) > MAX_RULE_LENGTH or "\n" in text:
        raise WindowError("give one RRULE such as FREQ=WEEKLY;BYDAY=SU")

    def local_until(match: re.Match[str]) -> str:
        moment = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return "UNTIL=" + moment.astimezone(tz).strftime("%Y%m%dT%H%M%S")

    text = _UNTIL_UTC.sub(local_until, text)
    try:
        parsed = du.rrulestr(text, dtstart=start, forceset=False)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise WindowError(f"invalid RRULE: {exc}") from exc
    if not isinstance(parsed, du.rrule):
        raise WindowError("give one RRULE, not a set of rules")
    if parsed._freq not in _ALLOWED_FREQ:
        raise WindowError("the most frequent recurrence allowed is hourly")
    if parsed._interval < 1:
        raise WindowError("INTERVAL must be 1 or more")
    return parsed


_FIXED_PERIOD = {du.WEEKLY: timedelta(weeks=1), du.DAILY: timedelta(days=1), du.HOURLY: timedelta(hours=1)}


def anchored(rule: du.rrule, horizon: datetime) -> du.rrule:
    """The same rule with its start moved forward to the last period start at or before `horizon`.

    Only whole multiples of INTERVAL x the frequency's period are skipped, so the weekday, day of
    month, month and time of day that dateutil derives from the start stay the same, and every
    occurrence from the new start on is an occurrence of the original rule (and the other way
    round). Rules with COUNT are left alone: their occurrences are bounded anyway.
    """
    start: datetime = rule._dtstart
    if rule._count is not None or horizon <= start:
        return rule
    step = rule._interval
    freq = rule._freq
    if freq in _FIXED_PERIOD:
        period = _FIXED_PERIOD[freq] * step
        skip = (horizon - start) // period
        if skip <= 0:
            return rule
        moved = start + period * skip
    else:
        months = step * (12 if freq == du.YEARLY else 1)
        elapsed = (horizon.year - start.year) * 12 + (horizon.month - start.month) - 1
        skip = elapsed // months
        if skip <= 0:
            return rule
        moved = start + relativedelta(months=months * skip)
        if moved.day != start.day:
            return rule  # the day would be clamped (31 -> 30): keep the exact, slower walk
    return rule.replace(dtstart=moved)
