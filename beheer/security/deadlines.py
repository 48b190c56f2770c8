"""The reporting clocks of a security incident (pure: no ORM, no database).

From the recorded moment of awareness:

- a significant incident under the Cyberbeveiligingswet (NIS2, art. 23): an early warning to the
  CSIRT within 24 hours, the incident notification within 72 hours, and a final report one calendar
  month after the notification was made (after its deadline while it is not made yet). When the
  incident is still being handled at that moment, a progress report is due then instead, and the
  final report one month after the incident has been handled;
- a personal-data breach under the AVG (GDPR art. 33 and 34): the report to the Autoriteit
  Persoonsgegevens within 72 hours, unless the breach is recorded as unlikely to pose a risk to the
  people concerned; where the risk to them is high, they are told without undue delay: that
  deadline has no moment, it is due now until it is met.

Hours are real elapsed hours (UTC arithmetic): 24 hours across a change to or from summer time are
24 hours, not the same wall-clock time the next day. A calendar month is counted on the local
calendar (the installation's time zone): 14:00 on 31 January is due at 14:00 on 28 (or 29)
February; the day clamps to the month's last day. A local time that does not exist on the target
day (the hour skipped in spring) moves forward with the clock; one that exists twice is the first.

A deadline is met when its report is recorded (`reports`: kind -> the moment it was made).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

EARLY_WARNING = "early_warning"
NOTIFICATION = "notification"
PROGRESS_REPORT = "progress_report"
FINAL_REPORT = "final_report"
AP_REPORT = "ap_report"
PEOPLE_NOTICE = "people_notice"

KINDS = (EARLY_WARNING, NOTIFICATION, PROGRESS_REPORT, FINAL_REPORT, AP_REPORT, PEOPLE_NOTICE)

EARLY_WARNING_HOURS = 24
NOTIFICATION_HOURS = 72
AP_REPORT_HOURS = 72

SOON_SHARE = 0.25  # warn when less than a quarter of the period is left ...
SOON_MINIMUM = timedelta(hours=6)  # ... or less than six hours, whichever comes first

DEFAULT_ZONE = "Europe/Amsterdam"


@dataclass(frozen=True)
class Facts:
    """What the clocks of one incident depend on."""

    aware_at: datetime
    significant: bool = False
    breach: bool = False
    unlikely_risk: bool = False
    high_risk: bool = False
    handled_at: datetime | None = None  # the incident was handled (None: still being handled)


@dataclass(frozen=True)
class Deadline:
    kind: str
    start: datetime  # the clock started here
    due: datetime | None  # None: without undue delay (due now), or not yet known (final report)
    met_at: datetime | None  # the moment its report was made

    @property
    def met(self) -> bool:
        return self.met_at is not None

    @property
    def immediate(self) -> bool:
        """Due without undue delay: no moment, due from the start."""
        return self.due is None and self.kind == PEOPLE_NOTICE

    def left(self, now: datetime) -> timedelta | None:
        """The time left until the deadline (negative once it passed); None without a moment."""
        return None if self.due is None else self.due - now

    def passed(self, now: datetime) -> bool:
        if self.met:
            return False
        if self.immediate:
            return True
        return self.due is not None and now >= self.due

    def soon_at(self) -> datetime | None:
        """When the warning that the deadline is near is due: less than a quarter of the period, or
        less than six hours, left (whichever comes first), never before the clock started."""
        if self.due is None:
            return None
        period = self.due - self.start
        margin = max(period * SOON_SHARE, SOON_MINIMUM)
        return max(self.start, self.due - margin)


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a moment needs its time zone")
    return moment.astimezone(UTC)


def add_hours(moment: datetime, hours: int) -> datetime:
    """`hours` real hours after `moment`, in UTC."""
    return utc(moment) + timedelta(hours=hours)


def add_month(moment: datetime, *, zone: str = DEFAULT_ZONE) -> datetime:
    """One calendar month after `moment` on the local calendar of `zone`, in UTC: the same local
    time on the same day of the next month, or on its last day when that month is shorter."""
    tz = ZoneInfo(zone)
    local = utc(moment).astimezone(tz)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    wall = local.replace(tzinfo=None, year=year, month=month, day=day, fold=0)
    return _from_wall(wall, tz)


def _from_wall(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC moment of a local wall-clock time: the first of two (autumn), and a time skipped in
    spring moved forward by the gap (02:30 -> 03:30)."""
    first = wall.replace(tzinfo=tz, fold=0)
    moment = first.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != wall:  # skipped: fold=0 used the offset before
        later = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
        moment = max(moment, later)
    return moment


def deadlines(
    facts: Facts, reports: Mapping[str, datetime] | None = None, *, zone: str = DEFAULT_ZONE
) -> list[Deadline]:
    """The deadlines of an incident in the order they fall, each with the moment its report was
    made (`reports`: kind -> moment; for progress reports the first one)."""
    made = {k: utc(v) for k, v in (reports or {}).items()}
    aware = utc(facts.aware_at)
    out: list[Deadline] = []
    if facts.significant:
        early = add_hours(aware, EARLY_WARNING_HOURS)
        notified_due = add_hours(aware, NOTIFICATION_HOURS)
        out.append(Deadline(EARLY_WARNING, aware, early, made.get(EARLY_WARNING)))
        out.append(Deadline(NOTIFICATION, aware, notified_due, made.get(NOTIFICATION)))
        base = made.get(NOTIFICATION, notified_due)
        month_later = add_month(base, zone=zone)
        handled = utc(facts.handled_at) if facts.handled_at is not None else None
        if handled is not None and handled <= month_later:
            out.append(Deadline(FINAL_REPORT, base, month_later, made.get(FINAL_REPORT)))
        else:
            out.append(Deadline(PROGRESS_REPORT, base, month_later, made.get(PROGRESS_REPORT)))
            final_due = add_month(handled, zone=zone) if handled is not None else None
            out.append(Deadline(FINAL_REPORT, handled or month_later, final_due, made.get(FINAL_REPORT)))
    if facts.breach:
        if not facts.unlikely_risk:
            out.append(Deadline(AP_REPORT, aware, add_hours(aware, AP_REPORT_HOURS), made.get(AP_REPORT)))
        if facts.high_risk:
            out.append(Deadline(PEOPLE_NOTICE, aware, None, made.get(PEOPLE_NOTICE)))
    return out


def open_deadlines(items: list[Deadline]) -> list[Deadline]:
    return [d for d in items if not d.met]


def all_met(items: list[Deadline]) -> bool:
    return all(d.met for d in items)


# warning levels, forward only
NONE = 0
SOON = 1
PASSED = 2


def warning_level(deadline: Deadline, now: datetime) -> int:
    """Which warning is due for `deadline` at `now`: none, soon (near) or passed. A met deadline
    gets none; one due without undue delay (the people's notice) is near from its start, and never
    passes; a final report without its moment yet gets none."""
    if deadline.met:
        return NONE
    if deadline.immediate:
        return SOON
    if deadline.due is None:
        return NONE
    now = utc(now)
    if now >= deadline.due:
        return PASSED
    soon = deadline.soon_at()
    if soon is not None and now >= soon:
        return SOON
    return NONE
