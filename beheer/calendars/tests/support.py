"""Business calendars for tests: hand-picked examples and Hypothesis strategies that draw calendars,
instants (many near a daylight-saving switch) and durations. Shared by the calendars' own tests and
by the tests of clocks that count in a calendar (the servicedesk's SLA clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import settings
from hypothesis import strategies as st

from beheer.calendars import business_time
from beheer.calendars.business_time import AMSTERDAM, Calendar, calendar_24x7
from beheer.calendars.holidays import dutch_holidays

H = timedelta(hours=1)
M = timedelta(minutes=1)
US = timedelta(microseconds=1)
PLUS5 = timezone(timedelta(hours=5))

NL_HOLIDAYS = dutch_holidays(range(2024, 2032), liberation_day_every_year=False)
OFFICE = Calendar.weekly([(time(8), time(17))], closed=NL_HOLIDAYS)
LUNCH = Calendar.weekly([(time(8), time(12)), (time(13), time(17))], closed=NL_HOLIDAYS)
EVERY_DAY_OFFICE = Calendar.weekly([(time(8), time(17))], days=range(7))
ALL_DAY = Calendar.weekly([(time(0), time(0))], days=range(7))
NIGHT = Calendar.weekly([(time(1), time(4))], days=range(7))
H24 = calendar_24x7()


def ams(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=AMSTERDAM, fold=fold)


def local(value: datetime | None) -> datetime:
    assert value is not None
    return value.astimezone(AMSTERDAM)


# --------------------------------------------------------------------------------------------------
# Strategies for properties
# --------------------------------------------------------------------------------------------------

ZONES = [
    ZoneInfo(name)
    for name in (
        "Europe/Amsterdam",
        "America/New_York",
        "Australia/Lord_Howe",  # half-hour DST
        "America/Sao_Paulo",  # DST at midnight until 2019
        "Asia/Kathmandu",  # +05:45
        "UTC",
    )
]
PRESENTATIONS = [UTC, PLUS5, timezone(timedelta(hours=-9, minutes=-30)), AMSTERDAM, ZoneInfo("Asia/Tokyo")]
FIRST, LAST = datetime(2015, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)


def transitions(tz: ZoneInfo) -> list[datetime]:
    return [instant for year in range(2015, 2031) for instant, _ in business_time._transitions(tz, year)]


def minute_time(minute: int) -> time:
    return time(0) if minute == 1440 else time(minute // 60, minute % 60)


@st.composite
def day_hours(draw: st.DrawFn) -> list[tuple[time, time]]:
    count = draw(st.integers(0, 3))
    points = sorted(draw(st.sets(st.integers(0, 1440), min_size=2 * count, max_size=2 * count)))
    return [(minute_time(points[i]), minute_time(points[i + 1])) for i in range(0, len(points), 2)]


@st.composite
def calendars(draw: st.DrawFn, *, need_hours: bool = True) -> Calendar:
    tz = draw(st.sampled_from(ZONES))
    hours = {day: draw(day_hours()) for day in range(7)}
    if need_hours and not any(hours.values()):
        hours[draw(st.integers(0, 6))] = [(time(9), time(17))]
    closed: set[date] = set(draw(st.lists(st.dates(date(2014, 12, 1), date(2031, 1, 31)), max_size=20)))
    if draw(st.booleans()):  # a closed fortnight near a DST switch
        switches = transitions(tz) or [datetime(2026, 7, 1, tzinfo=UTC)]
        first = draw(st.sampled_from(switches)).date() + timedelta(days=draw(st.integers(-10, 3)))
        closed.update(first + timedelta(days=n) for n in range(draw(st.integers(1, 14))))
    return Calendar(hours=hours, closed=frozenset(closed), tz=tz)


@st.composite
def instants(draw: st.DrawFn, tz: ZoneInfo, *, minute: bool = False) -> datetime:
    switches = transitions(tz)
    near_switch = draw(st.booleans())
    if near_switch and switches:
        base = draw(st.sampled_from(switches))
        value = base + timedelta(seconds=draw(st.integers(-4 * 86400, 4 * 86400)))
    else:
        value = FIRST + timedelta(seconds=draw(st.integers(0, int((LAST - FIRST).total_seconds()))))
    if minute:
        value = value.replace(second=0)
    else:
        value += timedelta(microseconds=draw(st.integers(0, 999_999)))
    return value.astimezone(draw(st.sampled_from(PRESENTATIONS)))


@st.composite
def durations(draw: st.DrawFn, calendar: Calendar) -> timedelta:
    week = calendar.hours_per_week
    weeks = draw(st.sampled_from([0, 1, 1, 3, 20, 45]))
    cap = max(week * weeks, timedelta(hours=draw(st.sampled_from([1, 10, 100]))))
    return timedelta(microseconds=draw(st.integers(0, cap // US)))


COMMON = settings(max_examples=150, deadline=None)
