"""Planning: a series' recurrence and the generation of its occurrences.

Recurrence is evaluated by `calendars.windows` (lazy RRULE, time-zone and DST aware): a series at
09:00 Europe/Amsterdam stays at 09:00 local time across daylight-saving changes.

Occurrences are created ahead by `generate_occurrences` (the periodic job): the pair (series,
planned_at) is unique and rows are inserted with "insert or ignore", so running it twice, or on two
workers at once, creates nothing new.

Each occurrence carries the moment its reminder is due (`remind_at`, the planned time minus the
series' remind hours) and how far its people have been told (`notice`); `reminders` sends the
messages. An occurrence created when its deadline had already passed (created afterwards for a time
no worker ran) is marked as told: it is shown as overdue but sends no e-mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from django.utils.translation import gettext as _

from beheer.calendars.windows import Window, WindowError
from beheer.core.errors import DomainError
from beheer.core.loops import isolated

from ..models import ActivitySeries, Notice, Occurrence
from ._base import LOOKBACK, MAX_PER_RUN, PREVIEW_COUNT, _now


def build_window(*, rule: str, start_date: date, start_time: time, time_zone: str) -> Window:
    """The series' recurrence as a maintenance-window rule; DomainError on a bad rule or zone."""
    rule = (rule or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:].strip()
    if not rule:
        message = _("Choose how often the activity repeats.")
        raise DomainError(message, field_errors={"rule": message})
    try:
        ZoneInfo(time_zone)
    except Exception:
        message = _("Unknown time zone.")
        raise DomainError(message, field_errors={"time_zone": message}) from None
    try:
        window = Window(
            start=datetime.combine(start_date, start_time.replace(tzinfo=None, microsecond=0)),
            duration=timedelta(minutes=1),
            time_zone=time_zone,
            rule=rule,
        )
    except (WindowError, ValueError, OverflowError) as exc:
        message = _("This recurrence rule is not valid: %(error)s") % {"error": exc}
        raise DomainError(message, field_errors={"rule": message}) from None
    if window.frequency == du.HOURLY:
        message = _("A preventive activity recurs at most daily.")
        raise DomainError(message, field_errors={"rule": message})
    return window


def planned_instants(window: Window, *, after: datetime, until: datetime, limit: int) -> list[datetime]:
    """The rule's instants in [after, until] (UTC), at most `limit`."""
    result: list[datetime] = []
    cursor = after - timedelta(microseconds=1)
    while len(result) < limit:
        try:
            moment = window.next_start(cursor)
        except (ValueError, OverflowError):
            break
        if moment is None or moment > until:
            break
        result.append(moment)
        cursor = moment
    return result


def preview_dates(
    *,
    rule: str,
    start_date: date,
    start_time: time,
    time_zone: str,
    count: int = PREVIEW_COUNT,
    now: datetime | None = None,
) -> list[datetime]:
    """The next `count` planned instants from now (aware, in the series' time zone)."""
    window = build_window(rule=rule, start_date=start_date, start_time=start_time, time_zone=time_zone)
    now = now or _now()
    instants = planned_instants(window, after=now, until=now + timedelta(days=3660 * 2), limit=count)
    zone = ZoneInfo(time_zone)
    return [moment.astimezone(zone) for moment in instants]


def _snapshot(checklist: Sequence[str]) -> list[dict[str, Any]]:
    return [{"item": item, "done": False, "remark": ""} for item in checklist]


def _window_of(series: ActivitySeries) -> Window:
    return build_window(
        rule=series.rule,
        start_date=series.start_date,
        start_time=series.start_time,
        time_zone=series.time_zone,
    )


def generate_for_series(series: ActivitySeries, *, now: datetime | None = None) -> int:
    """Create the missing occurrences of one series up to its lead time; returns how many."""
    if not series.active:
        return 0
    now = now or _now()
    start = max(series.generate_from, now - LOOKBACK)
    until = now + timedelta(days=series.lead_days)
    if start > until:
        return 0
    try:
        window = _window_of(series)
    except DomainError:
        return 0  # a rule that no longer parses (a removed time zone): nothing to plan
    instants = planned_instants(window, after=start, until=until, limit=MAX_PER_RUN)
    if not instants:
        return 0
    existing = set(
        Occurrence.objects.filter(
            series=series, planned_at__gte=instants[0], planned_at__lte=instants[-1]
        ).values_list("planned_at", flat=True)
    )
    grace = timedelta(hours=series.grace_hours)
    remind = timedelta(hours=series.remind_hours)
    snapshot = _snapshot(series.checklist)
    missing = [
        Occurrence(
            series=series,
            planned_at=moment,
            due_at=moment + grace,
            remind_at=moment - remind,
            # already overdue when planned (no worker ran for a while): shown, never mailed
            notice=Notice.OVERDUE if moment + grace <= now else Notice.NONE,
            checklist_results=snapshot,
            created_at=now,
        )
        for moment in instants
        if moment not in existing
    ]
    if missing:
        # insert or ignore: another worker may have created some of them a moment ago
        Occurrence.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def generate_occurrences(*, now: datetime | None = None) -> int:
    """The periodic job: create the occurrences of every active series ahead of time. Idempotent."""
    now = now or _now()
    created = 0
    for series in ActivitySeries.objects.filter(active=True).order_by("pk").iterator():
        # one series whose data makes planning fail is rolled back alone (logged, counted on the
        # job's run); the other series are planned
        with isolated("activity series", series.pk):
            created += generate_for_series(series, now=now)
    return created
