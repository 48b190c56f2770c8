"""Office hours for planning the demo's work: the calendar of the SLA that applies to the meldingen."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from beheer.calendars.business_time import Calendar
from beheer.calendars.services import calendar_for
from beheer.servicedesk.models import SlaPolicy


def _calendar(now: datetime) -> Calendar:
    """The business calendar of the first active SLA policy (what the SLA clock will count in)."""
    policy = SlaPolicy.objects.active().select_related("calendar").order_by("order", "name", "pk").first()
    if policy is not None:
        calendar = calendar_for(policy.calendar, years=range(now.year - 2, now.year + 3))
        if calendar.has_hours:
            return calendar
    return Calendar.weekly([(time(8), time(17))])


class WorkingTime:
    """Business-time arithmetic in minutes, and moments on working days, in the local time zone."""

    def __init__(self, *, now: datetime) -> None:
        self.now = now
        self.calendar = _calendar(now)
        self.zone = timezone.get_default_timezone()

    def add(self, start: datetime, minutes: float) -> datetime:
        """The moment `minutes` of office time after `start` (from the next opening when closed)."""
        return self.calendar.add(start, timedelta(minutes=max(minutes, 0)))

    def between(self, start: datetime, end: datetime) -> float:
        """Minutes of office time from `start` to `end`."""
        return self.calendar.between(start, end).total_seconds() / 60

    def next_open(self, at: datetime) -> datetime:
        return self.calendar.next_open(at)

    def is_working_day(self, day: date) -> bool:
        return bool(self.calendar.intervals_on(day))

    def working_days(self, first: date, last: date) -> list[date]:
        days, day = [], first
        while day <= last:
            if self.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def working_day_before(self, day: date, count: int) -> date:
        """The working day `count` working days before `day` (0: `day` itself when it is one)."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        for _ in range(count):
            day -= timedelta(days=1)
            while not self.is_working_day(day):
                day -= timedelta(days=1)
        return day

    def at(self, day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
        """A local wall-clock moment on `day`."""
        return datetime.combine(day, time(hour, minute, second), tzinfo=self.zone)

    def today(self) -> date:
        return timezone.localdate(self.now)
