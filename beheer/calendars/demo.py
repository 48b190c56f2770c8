"""The calendars' part of the demo: office hours in which every app's demo story plans its moments.

Each app's `demo.py` tells its part of the demo school's past on a shared timeline
(`core.simulation`); this is the arithmetic they plan with, over a business calendar that the caller
chooses (the demo takes the one the SLA clock counts in, so planned response times come out as meant).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .business_time import Calendar
from .models import BusinessCalendar
from .services import calendar_for

OFFICE_HOURS = (time(8), time(17))  # when the calendar chosen has no hours at all


def office_calendar(calendar: BusinessCalendar | None, *, now: datetime) -> Calendar:
    """`calendar` worked out for the years around `now`, or plain weekday office hours without one."""
    if calendar is not None:
        worked_out = calendar_for(calendar, years=range(now.year - 2, now.year + 3))
        if worked_out.has_hours:
            return worked_out
    return Calendar.weekly([OFFICE_HOURS])


class WorkingTime:
    """Business-time arithmetic in minutes, and moments on working days, in the local time zone."""

    def __init__(self, *, now: datetime, calendar: Calendar) -> None:
        self.now = now
        self.calendar = calendar
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
