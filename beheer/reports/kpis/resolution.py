"""Resolution time in wall-clock and business hours.

The only per-melding Python work of the report: each resolved melding's clock events (fetched in
batches) are replayed over its SLA calendar. Bounded by the period and skipped above `MAX_REPLAY`
meldingen (then only wall-clock figures are given).
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, DurationField, ExpressionWrapper, F, Q

from beheer.calendars.business_time import Calendar
from beheer.calendars.models import BusinessCalendar
from beheer.calendars.services import calendar_for
from beheer.servicedesk.models import HistoryEntry, SlaPolicy, Status, StatusKind
from beheer.servicedesk.services.service_level import CLOCK_ACTIONS
from beheer.servicedesk.sla import clock as sla_clock

from .period import ReportFilter, zone
from .queries import Epoch, _hours, _resolved

MAX_REPLAY = 100_000  # resolved meldingen per report whose business hours are replayed
BATCH = 2000
_FAR = timedelta(days=36500)  # a target no melding reaches: the replay only needs the elapsed time


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def default_calendar() -> BusinessCalendar | None:
    """The calendar of the first active SLA policy; otherwise the first active business calendar."""
    policy = SlaPolicy.objects.active().select_related("calendar").order_by("order", "name", "pk").first()
    if policy is not None:
        return policy.calendar
    return BusinessCalendar.objects.filter(active=True).order_by("always_open", "name", "pk").first()


class _OpenTime:
    """Business time between two instants by bisection over precomputed opening intervals.

    Built once per calendar for the local dates a report touches; equal to Calendar.between (to the
    microsecond) inside that range, and falls back to it outside.
    """

    def __init__(self, calendar: Calendar, first: date, last: date) -> None:
        self.calendar = calendar
        self.always_open = calendar.always_open
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.before: list[float] = []  # open seconds before each interval
        self.low = self.high = 0.0
        if self.always_open:
            return
        total = 0.0
        day = first - timedelta(days=1)
        while day <= last + timedelta(days=1):
            for begin, finish in calendar.intervals_on(day):
                self.starts.append(begin.timestamp())
                self.ends.append(finish.timestamp())
                self.before.append(total)
                total += (finish - begin).total_seconds()
            day += timedelta(days=1)
        self.low = datetime.combine(first, time(0), tzinfo=calendar.tz).timestamp()
        self.high = datetime.combine(last + timedelta(days=1), time(0), tzinfo=calendar.tz).timestamp()

    def _upto(self, x: float) -> float:
        i = bisect.bisect_right(self.starts, x) - 1
        if i < 0:
            return 0.0
        return self.before[i] + min(max(x - self.starts[i], 0.0), self.ends[i] - self.starts[i])

    def seconds(self, a: float, b: float) -> float:
        """Open seconds in [a, b), both in seconds since 1970 (UTC)."""
        if b <= a:
            return 0.0
        if self.always_open:
            return b - a
        if a < self.low or b > self.high:
            return self.calendar.between(_instant(a), _instant(b)).total_seconds()
        return self._upto(b) - self._upto(a)


def _instant(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


class _Calendars:
    """Pure calendars per SLA policy, built once per report for the years the meldingen span."""

    def __init__(self, first: date, last: date) -> None:
        self.first, self.last = first, last
        self._by_calendar: dict[int, tuple[Calendar, _OpenTime] | None] = {}
        self.policy_calendar = dict(SlaPolicy.objects.values_list("pk", "calendar_id"))
        fallback = default_calendar()
        self.default_id = fallback.pk if fallback else None

    def get(self, policy_id: int | None) -> tuple[Calendar, _OpenTime] | None:
        cal_id = self.policy_calendar.get(policy_id, self.default_id) if policy_id else self.default_id
        if cal_id is None:
            return None
        if cal_id not in self._by_calendar:
            cal = BusinessCalendar.objects.prefetch_related("opening_hours").filter(pk=cal_id).first()
            built: tuple[Calendar, _OpenTime] | None = None
            if cal is not None:
                try:
                    calendar = calendar_for(cal, years=range(self.first.year - 1, self.last.year + 2))
                except ValueError:
                    calendar = None
                if calendar is not None and calendar.has_hours:
                    built = (calendar, _OpenTime(calendar, self.first, self.last))
            self._by_calendar[cal_id] = built
        return self._by_calendar[cal_id]


def _clock_events(
    ids: list[int], statuses: dict[str, tuple[str, bool]]
) -> dict[int, list[sla_clock.ClockEvent]]:
    """The resolution-clock events of a batch of meldingen (same rules as the SLA engine)."""
    events: dict[int, list[sla_clock.ClockEvent]] = defaultdict(list)
    if not ids:
        return events
    rows = (
        HistoryEntry.objects.filter(melding_id__in=ids, action__in=CLOCK_ACTIONS, field="status")
        .order_by("melding_id", "at", "id")
        .values_list("melding_id", "at", "action", "new_ref")
    )
    for melding_id, at, action, new_ref in rows:
        kind, pauses = statuses.get(new_ref, ("", False))
        if action == "reopened":
            events[melding_id].append(sla_clock.ClockEvent(at, sla_clock.EventKind.REOPEN))
        elif kind in (StatusKind.RESOLVED, StatusKind.CLOSED):
            events[melding_id].append(sla_clock.ClockEvent(at, sla_clock.EventKind.RESOLVE))
        elif pauses:
            events[melding_id].append(sla_clock.ClockEvent(at, sla_clock.EventKind.PAUSE))
        elif kind:
            events[melding_id].append(sla_clock.ClockEvent(at, sla_clock.EventKind.RESUME))
    return events


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _replayed(
    calendar: Calendar, created: datetime, resolved: datetime, events: list[sla_clock.ClockEvent]
) -> float | None:
    """Business seconds on the resolution clock up to the resolution, pauses excluded."""
    # A target longer than the wall-clock time is never reached, so no deadline is searched for.
    target = (resolved - created) + timedelta(days=1)
    try:
        reading = sla_clock.read_clock(calendar, start=created, target=target, events=events, now=resolved)
    except ValueError:
        return None
    return reading.elapsed.total_seconds()


def resolution_time(user: Any, f: ReportFilter, *, count: int | None = None) -> dict[str, Any]:
    """Mean and median resolution time of the meldingen resolved in the period.

    Wall-clock hours: resolved_at - created_at. Business hours: the melding's resolution clock over
    its SLA policy's calendar (the default calendar without a policy), pauses excluded: the reading
    the SLA engine makes, up to the resolution. Only the meldingen that were ever paused or reopened
    need their history replayed; for the others the clock ran from registration to resolution, which
    is one bisection in a precomputed table of opening hours.
    """
    qs = _resolved(user, f)
    if count is None:
        count = qs.count()
    result: dict[str, Any] = {
        "count": count,
        "wall_clock_hours": {"mean": None, "median": None},
        "business_hours": {"mean": None, "median": None},
        "business_hours_computed": count <= MAX_REPLAY,
    }
    if not count:
        return result
    if count > MAX_REPLAY:
        # Too many to walk in one request: wall-clock figures from the database only.
        duration = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
        mean = qs.aggregate(mean=Avg(duration))["mean"]
        if isinstance(mean, (int, float)):  # some backends give microseconds
            mean = timedelta(microseconds=mean)
        result["wall_clock_hours"]["mean"] = _hours(mean) if isinstance(mean, timedelta) else None
        ordered = qs.annotate(d=duration).order_by("d").values_list("d", flat=True)
        middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
        if middle:
            result["wall_clock_hours"]["median"] = _hours(sum(middle, timedelta()) / len(middle))
        return result
    # At most MAX_REPLAY small tuples; no ordering, so PostgreSQL uses the resolved_at range.
    rows = list(
        qs.annotate(c=Epoch("created_at"), r=Epoch("resolved_at"))
        .order_by()
        .values_list("pk", "c", "r", "sla_policy_id")
    )
    if not rows:
        return result
    statuses = {
        str(pk): (kind, pauses) for pk, kind, pauses in Status.objects.values_list("pk", "kind", "pauses_sla")
    }
    pausing = [pk for pk, (_kind, pauses) in statuses.items() if pauses]
    tz = zone()
    first = datetime.fromtimestamp(min(row[1] for row in rows), tz=tz).date()
    last = datetime.fromtimestamp(max(row[2] for row in rows), tz=tz).date()
    calendars = _Calendars(first, last)
    wall: list[float] = []
    business: list[float] = []
    for batch in _batches(rows, BATCH):
        # Per batch, by the history index: which of these were ever paused or reopened.
        interrupted = set(
            HistoryEntry.objects.filter(melding_id__in=[row[0] for row in batch], field="status")
            .filter(Q(action="reopened") | Q(action__in=CLOCK_ACTIONS, new_ref__in=pausing))
            .values_list("melding_id", flat=True)
        )
        events = _clock_events(sorted(interrupted), statuses)
        for pk, created, resolved, policy_id in batch:
            wall.append((resolved - created) / 3600)
            found = calendars.get(policy_id)
            if found is None:
                continue
            calendar, open_time = found
            seconds = None
            if pk in interrupted:
                seconds = _replayed(calendar, _instant(created), _instant(resolved), events[pk])
            if seconds is None:
                seconds = open_time.seconds(created, resolved)
            business.append(seconds / 3600)
    result["wall_clock_hours"] = {"mean": _mean(wall), "median": _median(wall)}
    result["business_hours"] = {"mean": _mean(business), "median": _median(business)}
    return result
