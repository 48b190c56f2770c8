"""The business calendar and the SLA clock: hand-computed examples and properties (no database)."""

from __future__ import annotations

import timeit
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from beheer.servicedesk import sla
from beheer.servicedesk.sla import (
    AMSTERDAM,
    Calendar,
    ClockEvent,
    ClockReading,
    EventKind,
    SlaState,
    calendar_24x7,
    dutch_holidays,
    first_response,
    read_clock,
    state,
)

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


def ev(at: datetime, kind: EventKind) -> ClockEvent:
    return ClockEvent(at=at, kind=kind)


P, R, S, RO = EventKind.PAUSE, EventKind.RESUME, EventKind.RESOLVE, EventKind.REOPEN


# --------------------------------------------------------------------------------------------------
# Calendar: hand-computed examples
# --------------------------------------------------------------------------------------------------


class TestOfficeHours:
    def test_friday_afternoon_one_hour_is_due_monday_morning(self) -> None:
        # Friday 9 January 2026 16:30, desk closes 17:00: 30 minutes Friday, 30 minutes Monday.
        assert local(OFFICE.add(ams(2026, 1, 9, 16, 30), H)) == ams(2026, 1, 12, 8, 30)

    def test_deadline_at_closing_time_is_the_closing_time(self) -> None:
        assert local(OFFICE.add(ams(2026, 1, 9, 16, 30), 30 * M)) == ams(2026, 1, 9, 17, 0)
        assert local(OFFICE.add(ams(2026, 1, 9, 8, 0), 9 * H)) == ams(2026, 1, 9, 17, 0)

    def test_p1_before_kings_day_2026(self) -> None:
        # Friday 24 April 16:30, 4 h: 30 min Friday, Monday 27 April is King's Day, Tuesday 08:00 + 3:30.
        assert local(OFFICE.add(ams(2026, 4, 24, 16, 30), 4 * H)) == ams(2026, 4, 28, 11, 30)

    def test_p1_before_kings_day_2027(self) -> None:
        # Monday 26 April 2027 16:30; King's Day is Tuesday 27 April.
        assert local(OFFICE.add(ams(2027, 4, 26, 16, 30), 4 * H)) == ams(2027, 4, 28, 11, 30)

    def test_kings_day_2025_on_saturday_costs_nothing(self) -> None:
        # 27 April 2025 is a Sunday, so King's Day is Saturday the 26th: Friday + 4 h runs into Monday.
        assert local(OFFICE.add(ams(2025, 4, 25, 16, 30), 4 * H)) == ams(2025, 4, 28, 11, 30)

    def test_christmas_2025(self) -> None:
        # Wednesday 24 December 16:00 + 8 h: 1 h on the 24th, Thu 25 + Fri 26 closed, weekend.
        assert local(OFFICE.add(ams(2025, 12, 24, 16, 0), 8 * H)) == ams(2025, 12, 29, 15, 0)

    def test_christmas_2026(self) -> None:
        # Thursday 24 December 16:30 + 1 h: Friday the 25th closed; Monday 28 December 08:30.
        assert local(OFFICE.add(ams(2026, 12, 24, 16, 30), H)) == ams(2026, 12, 28, 8, 30)

    def test_new_year(self) -> None:
        # Wednesday 31 December 2025 16:00 + 2 h: Thursday 1 January closed, Friday 2nd 09:00.
        assert local(OFFICE.add(ams(2025, 12, 31, 16, 0), 2 * H)) == ams(2026, 1, 2, 9, 0)

    def test_good_friday_and_easter_monday(self) -> None:
        # Thursday 2 April 2026 16:00 + 3 h: Good Friday 3 April and Easter Monday 6 April closed.
        assert local(OFFICE.add(ams(2026, 4, 2, 16, 0), 3 * H)) == ams(2026, 4, 7, 10, 0)

    def test_liberation_day_only_in_lustrum_years(self) -> None:
        # Monday 5 May 2025 is closed (lustrum); Tuesday 5 May 2026 is a working day.
        assert local(OFFICE.add(ams(2025, 5, 2, 16, 0), 2 * H)) == ams(2025, 5, 6, 9, 0)
        assert local(OFFICE.add(ams(2026, 5, 4, 16, 0), 2 * H)) == ams(2026, 5, 5, 9, 0)

    def test_registration_at_23h(self) -> None:
        # Tuesday 13 January 2026 23:00 + 2 h: counting starts Wednesday 08:00.
        assert local(OFFICE.add(ams(2026, 1, 13, 23, 0), 2 * H)) == ams(2026, 1, 14, 10, 0)

    def test_registration_early_morning_and_in_the_weekend(self) -> None:
        assert local(OFFICE.add(ams(2026, 1, 14, 6, 0), 2 * H)) == ams(2026, 1, 14, 10, 0)
        assert local(OFFICE.add(ams(2026, 1, 10, 12, 0), 2 * H)) == ams(2026, 1, 12, 10, 0)

    def test_long_durations(self) -> None:
        # One working week is 45 h; January 2026 has New Year's Day on Thursday 1 January.
        assert local(OFFICE.add(ams(2026, 1, 5, 8, 0), 45 * H)) == ams(2026, 1, 9, 17, 0)
        assert local(OFFICE.add(ams(2026, 1, 5, 8, 0), 10 * 45 * H)) == ams(2026, 3, 13, 17, 0)
        assert local(OFFICE.add(ams(2026, 1, 5, 8, 0), 10 * 45 * H + US)) == ams(2026, 3, 16, 8, 0) + US

    def test_between_examples(self) -> None:
        assert OFFICE.between(ams(2026, 1, 9, 16, 30), ams(2026, 1, 12, 8, 30)) == H
        assert OFFICE.between(ams(2026, 1, 12, 8, 30), ams(2026, 1, 9, 16, 30)) == timedelta(0)
        assert OFFICE.between(ams(2026, 1, 10), ams(2026, 1, 11)) == timedelta(0)
        assert OFFICE.between(ams(2026, 1, 5), ams(2026, 1, 12)) == 45 * H
        # The whole of 2026: 261 weekdays, of which 7 are holidays (Jan 1, Good Friday, Easter Monday,
        # King's Day, Ascension, Whit Monday, Christmas Day Friday 25 Dec). Boxing Day is a Saturday.
        workdays = sum(1 for n in range(365) if (date(2026, 1, 1) + timedelta(n)).weekday() < 5)
        closed_weekdays = sum(1 for d in NL_HOLIDAYS if d.year == 2026 and d.weekday() < 5)
        assert (workdays, closed_weekdays) == (261, 7)
        assert OFFICE.between(ams(2026, 1, 1), ams(2027, 1, 1)) == (261 - 7) * 9 * H

    def test_zero_duration(self) -> None:
        assert local(OFFICE.add(ams(2026, 1, 9, 18, 0), timedelta(0))) == ams(2026, 1, 12, 8, 0)
        assert local(OFFICE.add(ams(2026, 1, 9, 10, 0), timedelta(0))) == ams(2026, 1, 9, 10, 0)
        assert local(OFFICE.add(ams(2026, 1, 9, 17, 0), timedelta(0))) == ams(2026, 1, 12, 8, 0)

    def test_is_open_and_next_open(self) -> None:
        assert OFFICE.is_open(ams(2026, 1, 9, 8, 0))
        assert OFFICE.is_open(ams(2026, 1, 9, 16, 59, 59))
        assert not OFFICE.is_open(ams(2026, 1, 9, 17, 0))
        assert not OFFICE.is_open(ams(2026, 1, 10, 12, 0))
        assert not OFFICE.is_open(ams(2026, 4, 27, 12, 0))  # King's Day
        assert local(OFFICE.next_open(ams(2026, 1, 9, 17, 0))) == ams(2026, 1, 12, 8, 0)
        assert local(OFFICE.next_open(ams(2026, 1, 9, 9, 0))) == ams(2026, 1, 9, 9, 0)
        assert local(OFFICE.next_open(ams(2026, 12, 24, 20, 0))) == ams(2026, 12, 28, 8, 0)

    def test_results_are_utc(self) -> None:
        result = OFFICE.add(ams(2026, 1, 9, 16, 30), H)
        assert result.tzinfo is UTC
        assert result == datetime(2026, 1, 12, 7, 30, tzinfo=UTC)


class TestLunchBreak:
    def test_add_across_lunch(self) -> None:
        assert local(LUNCH.add(ams(2026, 1, 12, 11, 30), H)) == ams(2026, 1, 12, 13, 30)
        assert local(LUNCH.add(ams(2026, 1, 12, 11, 0), 4 * H)) == ams(2026, 1, 12, 16, 0)
        assert local(LUNCH.add(ams(2026, 1, 12, 12, 30), 30 * M)) == ams(2026, 1, 12, 13, 30)

    def test_deadline_at_lunch_is_twelve(self) -> None:
        assert local(LUNCH.add(ams(2026, 1, 12, 11, 0), H)) == ams(2026, 1, 12, 12, 0)

    def test_between_and_is_open(self) -> None:
        assert LUNCH.between(ams(2026, 1, 12, 0), ams(2026, 1, 13, 0)) == 8 * H
        assert LUNCH.between(ams(2026, 1, 12, 11, 0), ams(2026, 1, 12, 14, 0)) == 2 * H
        assert not LUNCH.is_open(ams(2026, 1, 12, 12, 30))
        assert local(LUNCH.next_open(ams(2026, 1, 12, 12, 30))) == ams(2026, 1, 12, 13, 0)

    def test_friday_lunch_to_monday(self) -> None:
        # Friday 16 Jan 11:00 + 6 h: 1 h before lunch, 4 h after, 1 h Monday morning.
        assert local(LUNCH.add(ams(2026, 1, 16, 11, 0), 6 * H)) == ams(2026, 1, 19, 9, 0)


class TestDaylightSaving:
    # 2026: 29 March 02:00 CET -> 03:00 CEST; 25 October 03:00 CEST -> 02:00 CET (both Sundays).

    def test_24x7_adds_real_hours_across_spring_switch(self) -> None:
        # 24 real hours from Saturday 12:00 CET is Sunday 13:00 CEST: 25 wall-clock hours later.
        assert local(H24.add(ams(2026, 3, 28, 12), 24 * H)) == ams(2026, 3, 29, 13)
        assert H24.between(ams(2026, 3, 28, 12), ams(2026, 3, 29, 12)) == 23 * H

    def test_24x7_adds_real_hours_across_autumn_switch(self) -> None:
        assert local(H24.add(ams(2026, 10, 24, 12), 24 * H)) == ams(2026, 10, 25, 11)
        assert H24.between(ams(2026, 10, 24, 12), ams(2026, 10, 25, 12)) == 25 * H

    def test_full_day_interval_is_23_or_25_hours(self) -> None:
        assert ALL_DAY.between(ams(2026, 3, 29), ams(2026, 3, 30)) == 23 * H
        assert ALL_DAY.between(ams(2026, 10, 25), ams(2026, 10, 26)) == 25 * H
        assert ALL_DAY.between(ams(2026, 3, 22), ams(2026, 3, 23)) == 24 * H
        assert local(ALL_DAY.add(ams(2026, 3, 28, 12), 24 * H)) == ams(2026, 3, 29, 13)

    def test_office_interval_is_always_nine_hours(self) -> None:
        for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 22)):
            start = ams(day.year, day.month, day.day)
            assert EVERY_DAY_OFFICE.between(start, start + timedelta(days=1)) == 9 * H
        assert local(EVERY_DAY_OFFICE.add(ams(2026, 3, 28, 16), 2 * H)) == ams(2026, 3, 29, 9)
        assert local(EVERY_DAY_OFFICE.add(ams(2026, 10, 24, 16), 2 * H)) == ams(2026, 10, 25, 9)

    def test_interval_over_the_skipped_hour(self) -> None:
        # 01:00-04:00 on 29 March: 02:00-03:00 does not exist, so 2 real hours.
        assert NIGHT.between(ams(2026, 3, 29), ams(2026, 3, 30)) == 2 * H
        assert local(NIGHT.add(ams(2026, 3, 29, 1), 90 * M)) == ams(2026, 3, 29, 3, 30)
        assert NIGHT.intervals_on(date(2026, 3, 29)) == [
            (datetime(2026, 3, 29, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, tzinfo=UTC))
        ]

    def test_interval_over_the_repeated_hour(self) -> None:
        # 01:00-04:00 on 25 October: 02:00-03:00 happens twice, so 4 real hours.
        assert NIGHT.between(ams(2026, 10, 25), ams(2026, 10, 26)) == 4 * H
        assert NIGHT.is_open(ams(2026, 10, 25, 2, 30, fold=0))
        assert NIGHT.is_open(ams(2026, 10, 25, 2, 30, fold=1))
        # 2 h from 01:00 CEST ends at 02:00 CET (the second 02:00).
        # (Compare in UTC: Python never finds an ambiguous local time equal to a time in another zone.)
        assert NIGHT.add(ams(2026, 10, 25, 1), 2 * H) == ams(2026, 10, 25, 2, fold=1).astimezone(UTC)
        assert NIGHT.add(ams(2026, 10, 25, 1), 2 * H) == datetime(2026, 10, 25, 1, tzinfo=UTC)

    def test_interval_inside_the_repeated_hour_counts_twice(self) -> None:
        cal = Calendar.weekly([(time(2, 30), time(3))], days=range(7))
        assert cal.between(ams(2026, 10, 25), ams(2026, 10, 26)) == H
        assert cal.intervals_on(date(2026, 10, 25)) == [
            (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),
            (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
        ]
        assert cal.add(ams(2026, 10, 25), 45 * M) == datetime(2026, 10, 25, 1, 45, tzinfo=UTC)

    def test_interval_inside_the_skipped_hour_is_empty(self) -> None:
        cal = Calendar.weekly([(time(2, 15), time(2, 45))], days=range(7))
        assert cal.between(ams(2026, 3, 29), ams(2026, 3, 30)) == timedelta(0)
        assert cal.between(ams(2026, 3, 28), ams(2026, 3, 29)) == 30 * M
        assert local(cal.add(ams(2026, 3, 28, 23), 30 * M)) == ams(2026, 3, 30, 2, 45)

    def test_midnight_switch_in_sao_paulo(self) -> None:
        # Brazil switched at midnight: 4 Nov 2018 00:00 -> 01:00, and 17 Feb 2019 00:00 -> 16 Feb 23:00.
        sp = ZoneInfo("America/Sao_Paulo")
        cal = Calendar.weekly([(time(0), time(0))], days=range(7), tz=sp)
        late = Calendar.weekly([(time(23), time(0))], days=range(7), tz=sp)
        assert cal.between(datetime(2018, 11, 3, tzinfo=sp), datetime(2018, 11, 6, tzinfo=sp)) == 71 * H
        assert sum((b - a for a, b in cal.intervals_on(date(2018, 11, 4))), timedelta()) == 23 * H
        assert sum((b - a for a, b in cal.intervals_on(date(2019, 2, 16))), timedelta()) == 25 * H
        assert late.between(datetime(2019, 2, 16, tzinfo=sp), datetime(2019, 2, 18, tzinfo=sp)) == 3 * H
        # From 16 Feb 22:00 (UTC-2): 23:00-24:00 twice, then 17 Feb 23:00 (UTC-3).
        start = datetime(2019, 2, 17, 0, tzinfo=UTC)
        assert late.add(start, 2 * H) == datetime(2019, 2, 17, 3, tzinfo=UTC)
        assert late.add(start, 2 * H + M) == datetime(2019, 2, 18, 2, 1, tzinfo=UTC)

    def test_24x7_intervals_on(self) -> None:
        assert H24.intervals_on(date(2026, 10, 25)) == [
            (datetime(2026, 10, 24, 22, tzinfo=UTC), datetime(2026, 10, 25, 23, tzinfo=UTC))
        ]


class TestValidation:
    def test_naive_datetimes_are_refused(self) -> None:
        naive = datetime(2026, 1, 9, 12)
        aware = ams(2026, 1, 9, 12)
        with pytest.raises(ValueError, match="timezone-aware"):
            OFFICE.is_open(naive)
        with pytest.raises(ValueError, match="timezone-aware"):
            OFFICE.add(naive, H)
        with pytest.raises(ValueError, match="timezone-aware"):
            OFFICE.between(aware, naive)
        with pytest.raises(ValueError, match="timezone-aware"):
            OFFICE.next_open(naive)
        with pytest.raises(ValueError, match="timezone-aware"):
            read_clock(OFFICE, start=aware, target=H, events=[ev(naive, P)], now=aware)
        with pytest.raises(ValueError, match="timezone-aware"):
            H24.add(naive, H)

    def test_negative_duration_and_target(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            OFFICE.add(ams(2026, 1, 9, 12), -H)
        with pytest.raises(ValueError, match="negative"):
            read_clock(OFFICE, start=ams(2026, 1, 9), target=-H, events=[], now=ams(2026, 1, 9))

    @pytest.mark.parametrize(
        ("hours", "message"),
        [
            ({0: [(time(9), time(8))]}, "ends before it starts"),
            ({0: [(time(9), time(9))]}, "ends before it starts"),
            ({0: [(time(8), time(12)), (time(11), time(17))]}, "must not overlap"),
            ({0: [(time(13), time(17)), (time(8), time(12))]}, "sorted"),
            ({0: [(time(8), time(0)), (time(1), time(2))]}, "must not overlap"),
            ({7: [(time(8), time(17))]}, "weekday"),
            ({-1: [(time(8), time(17))]}, "weekday"),
            ({0: [(time(8),)]}, "pair"),
            ({0: [(time(8), "17:00")]}, "time values"),
            ({0: [(time(8, tzinfo=UTC), time(17))]}, "naive"),
        ],
    )
    def test_bad_hours(self, hours: dict[int, list[tuple[time, time]]], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            Calendar(hours=hours)

    def test_touching_intervals_are_allowed(self) -> None:
        cal = Calendar(hours={0: [(time(8), time(12)), (time(12), time(17))]})
        assert cal.between(ams(2026, 1, 12), ams(2026, 1, 13)) == 9 * H
        assert cal.intervals_on(date(2026, 1, 12)) == [
            (datetime(2026, 1, 12, 7, tzinfo=UTC), datetime(2026, 1, 12, 16, tzinfo=UTC))
        ]

    def test_closed_days_must_be_dates(self) -> None:
        with pytest.raises(ValueError, match="dates"):
            Calendar(hours={0: [(time(8), time(17))]}, closed=frozenset({datetime(2026, 1, 1)}))

    def test_no_opening_hours(self) -> None:
        empty = Calendar(hours={})
        assert not empty.has_hours
        with pytest.raises(ValueError, match="calendar has no opening hours"):
            empty.add(ams(2026, 1, 9), H)
        with pytest.raises(ValueError, match="calendar has no opening hours"):
            empty.next_open(ams(2026, 1, 9))
        assert empty.between(ams(2026, 1, 9), ams(2036, 1, 9)) == timedelta(0)
        assert not empty.is_open(ams(2026, 1, 9, 12))

    def test_search_horizon(self) -> None:
        # Only Mondays open, and every Monday for 11 years closed.
        mondays = frozenset(date(2026, 1, 5) + timedelta(weeks=n) for n in range(600))
        cal = Calendar(hours={0: [(time(8), time(17))]}, closed=mondays)
        with pytest.raises(ValueError, match="no opening time within 10 years"):
            cal.add(ams(2026, 1, 1), H)
        with pytest.raises(ValueError, match="no opening time within 10 years"):
            cal.next_open(ams(2026, 1, 1))

    def test_hours_are_normalised_and_weekly_builder(self) -> None:
        cal = Calendar.weekly([(time(8), time(17))], days=[0, 2], closed=[date(2026, 1, 5)])
        assert cal.hours == {0: ((time(8), time(17)),), 2: ((time(8), time(17)),)}
        assert cal.closed == frozenset({date(2026, 1, 5)})
        assert cal.tz is AMSTERDAM
        assert cal == Calendar.weekly([(time(8), time(17))], days=[0, 2], closed=[date(2026, 1, 5)])

    def test_calendars_are_hashable_values(self) -> None:
        a = Calendar.weekly([(time(8), time(17))], closed=[date(2026, 1, 1)])
        b = Calendar(hours={n: [(time(8), time(17))] for n in range(5)}, closed=frozenset({date(2026, 1, 1)}))
        assert a == b
        assert len({a, b, calendar_24x7()}) == 2
        assert a.hours_per_week == 45 * H
        assert LUNCH.hours_per_week == 40 * H
        assert calendar_24x7().hours_per_week == timedelta(days=7)

    def test_24x7_ignores_closed_days(self) -> None:
        cal = Calendar(always_open=True, closed=frozenset({date(2026, 1, 1)}))
        assert cal.is_open(ams(2026, 1, 1, 12))
        assert cal.between(ams(2026, 1, 1), ams(2026, 1, 2)) == 24 * H


class TestDutchHolidays:
    def test_lustrum_rule(self) -> None:
        lustrum = dutch_holidays([2025, 2026, 2030], liberation_day_every_year=False)
        assert date(2025, 5, 5) in lustrum
        assert date(2026, 5, 5) not in lustrum
        assert date(2030, 5, 5) in lustrum
        every = dutch_holidays([2025, 2026, 2030], liberation_day_every_year=True)
        assert {date(2025, 5, 5), date(2026, 5, 5), date(2030, 5, 5)} <= every
        assert every - lustrum == {date(2026, 5, 5)}

    def test_kings_day(self) -> None:
        days = dutch_holidays(range(2024, 2032), liberation_day_every_year=False)
        assert date(2025, 4, 26) in days  # the 27th is a Sunday
        assert date(2025, 4, 27) not in days
        assert date(2031, 4, 26) in days  # idem
        assert {date(2024, 4, 27), date(2026, 4, 27), date(2027, 4, 27)} <= days

    def test_the_full_2026_list(self) -> None:
        days = dutch_holidays([2026], liberation_day_every_year=False)
        assert days == {
            date(2026, 1, 1),  # New Year's Day
            date(2026, 4, 3),  # Good Friday
            date(2026, 4, 5),  # Easter Sunday
            date(2026, 4, 6),  # Easter Monday
            date(2026, 4, 27),  # King's Day
            date(2026, 5, 14),  # Ascension Day
            date(2026, 5, 24),  # Whit Sunday
            date(2026, 5, 25),  # Whit Monday
            date(2026, 12, 25),
            date(2026, 12, 26),
        }

    def test_good_friday_can_be_left_out(self) -> None:
        days = dutch_holidays([2026, 2027], liberation_day_every_year=False, good_friday=False)
        assert date(2026, 4, 3) not in days
        assert date(2027, 3, 26) not in days
        assert date(2026, 4, 6) in days

    def test_empty_and_generator_input(self) -> None:
        assert dutch_holidays([], liberation_day_every_year=True) == frozenset()
        assert date(2028, 1, 1) in dutch_holidays(iter([2028]), liberation_day_every_year=False)


class TestSpeed:
    def test_two_thousand_business_hours_is_fast(self) -> None:
        start = ams(2026, 1, 9, 16, 30)
        OFFICE.add(start, 2000 * H)  # warm the per-year caches
        best = min(timeit.repeat(lambda: OFFICE.add(start, 2000 * H), number=1, repeat=5))
        assert best < 0.005
        due = OFFICE.add(start, 2000 * H)
        best = min(timeit.repeat(lambda: OFFICE.between(start, due), number=1, repeat=5))
        assert best < 0.005

    def test_ten_years_is_fast(self) -> None:
        start, end = ams(2026, 1, 1), ams(2035, 12, 31)
        OFFICE.between(start, end)
        assert min(timeit.repeat(lambda: OFFICE.between(start, end), number=1, repeat=3)) < 0.02


# --------------------------------------------------------------------------------------------------
# Clock: hand-computed examples
# --------------------------------------------------------------------------------------------------

MON = ams(2026, 1, 12, 9, 0)  # Monday 12 January 2026 09:00


class TestClock:
    def test_no_events(self) -> None:
        reading = read_clock(OFFICE, start=MON, target=8 * H, events=[], now=ams(2026, 1, 12, 12))
        assert reading.elapsed == 3 * H
        assert reading.running
        assert not reading.paused
        assert reading.stopped_at is None
        assert local(reading.due) == ams(2026, 1, 12, 17)
        assert reading.paused_for == timedelta(0)
        assert reading.breached_at is None
        assert reading.remaining(8 * H) == 5 * H

    def test_pause_outside_hours_costs_and_saves_nothing(self) -> None:
        start = ams(2026, 1, 9, 16, 30)  # Friday
        events = [ev(ams(2026, 1, 9, 18), P), ev(ams(2026, 1, 12, 7), R)]
        plain = read_clock(OFFICE, start=start, target=H, events=[], now=ams(2026, 1, 12, 7, 30))
        paused = read_clock(OFFICE, start=start, target=H, events=events, now=ams(2026, 1, 12, 7, 30))
        assert local(plain.due) == local(paused.due) == ams(2026, 1, 12, 8, 30)
        assert plain.elapsed == paused.elapsed == 30 * M
        assert paused.paused_for == timedelta(0)
        during = read_clock(OFFICE, start=start, target=H, events=events, now=ams(2026, 1, 10, 12))
        assert during.paused
        assert during.due is None
        assert state(during, H, at_risk_ratio=0.75) == SlaState.PAUSED

    def test_pause_during_hours_moves_the_deadline(self) -> None:
        events = [ev(ams(2026, 1, 12, 10), P), ev(ams(2026, 1, 12, 12), R)]
        reading = read_clock(OFFICE, start=MON, target=8 * H, events=events, now=ams(2026, 1, 12, 13))
        assert reading.elapsed == 2 * H
        assert reading.paused_for == 2 * H
        assert local(reading.due) == ams(2026, 1, 13, 10)

    def test_pause_until_next_week(self) -> None:
        events = [ev(ams(2026, 1, 12, 10), P), ev(ams(2026, 1, 19, 10), R)]
        reading = read_clock(OFFICE, start=MON, target=8 * H, events=events, now=ams(2026, 1, 19, 10))
        assert reading.elapsed == H
        assert reading.paused_for == 45 * H
        assert local(reading.due) == ams(2026, 1, 19, 17)

    def test_resolve_stops_and_reopen_keeps_spent_time(self) -> None:
        resolved = [ev(ams(2026, 1, 12, 12), S)]
        met = read_clock(OFFICE, start=MON, target=8 * H, events=resolved, now=ams(2026, 1, 14))
        assert met.elapsed == 3 * H
        assert local(met.stopped_at) == ams(2026, 1, 12, 12)
        assert not met.running
        assert met.due is None
        assert state(met, 8 * H, at_risk_ratio=0.75) == SlaState.MET
        reopened = [*resolved, ev(ams(2026, 1, 13, 9), RO)]
        again = read_clock(OFFICE, start=MON, target=8 * H, events=reopened, now=ams(2026, 1, 13, 10))
        assert again.elapsed == 4 * H
        assert again.running
        assert again.stopped_at is None
        assert local(again.due) == ams(2026, 1, 13, 14)
        assert again.paused_for == timedelta(0)  # the resolved stretch is neither work nor pause

    def test_breach_stays_breached_when_paused_or_resolved(self) -> None:
        events = [ev(ams(2026, 1, 12, 12), P)]
        paused = read_clock(OFFICE, start=MON, target=2 * H, events=events, now=ams(2026, 1, 13))
        assert paused.paused
        assert local(paused.breached_at) == ams(2026, 1, 12, 11)
        assert state(paused, 2 * H, at_risk_ratio=0.75) == SlaState.BREACHED
        events.append(ev(ams(2026, 1, 13, 9), S))
        resolved = read_clock(OFFICE, start=MON, target=2 * H, events=events, now=ams(2026, 1, 14))
        assert resolved.stopped_at is not None
        assert state(resolved, 2 * H, at_risk_ratio=0.75) == SlaState.BREACHED

    def test_running_breached_clock_reports_the_missed_deadline(self) -> None:
        reading = read_clock(OFFICE, start=MON, target=2 * H, events=[], now=ams(2026, 1, 13, 12))
        assert reading.elapsed == 8 * H + 4 * H
        assert local(reading.due) == local(reading.breached_at) == ams(2026, 1, 12, 11)
        # Paused before the breach, resumed after the deadline would have passed: new deadline.
        events = [ev(ams(2026, 1, 12, 10), P), ev(ams(2026, 1, 12, 16, 30), R)]
        later = read_clock(OFFICE, start=MON, target=2 * H, events=events, now=ams(2026, 1, 12, 16, 30))
        assert local(later.due) == ams(2026, 1, 13, 8, 30)
        assert later.breached_at is None

    def test_at_risk_threshold(self) -> None:
        def at(now: datetime) -> SlaState:
            return state(
                read_clock(OFFICE, start=MON, target=4 * H, events=[], now=now), 4 * H, at_risk_ratio=0.75
            )

        assert at(ams(2026, 1, 12, 11)) == SlaState.ON_TRACK  # 2 h
        assert at(ams(2026, 1, 12, 11, 59)) == SlaState.ON_TRACK
        assert at(ams(2026, 1, 12, 12)) == SlaState.AT_RISK  # 3 h = 75 %
        assert at(ams(2026, 1, 12, 13)) == SlaState.AT_RISK  # exactly the target: not yet breached
        assert at(ams(2026, 1, 12, 13) + US) == SlaState.BREACHED

    def test_met_exactly_at_the_deadline(self) -> None:
        events = [ev(ams(2026, 1, 12, 13), S)]
        reading = read_clock(OFFICE, start=MON, target=4 * H, events=events, now=ams(2026, 1, 20))
        assert state(reading, 4 * H, at_risk_ratio=0.75) == SlaState.MET
        assert reading.breached_at is None

    def test_state_validates_ratio(self) -> None:
        reading = read_clock(OFFICE, start=MON, target=H, events=[], now=MON)
        with pytest.raises(ValueError, match="at_risk_ratio"):
            state(reading, H, at_risk_ratio=1.5)

    def test_illogical_events_are_normalised(self) -> None:
        messy = [
            ev(ams(2026, 1, 12, 12), R),  # resume while running: no-op
            ev(ams(2026, 1, 12, 10), P),  # unsorted
            ev(ams(2026, 1, 12, 11), P),  # pause while paused: no-op
            ev(ams(2026, 1, 12, 12), R),
            ev(ams(2026, 1, 12, 12), R),  # duplicate
            ev(ams(2026, 1, 12, 14), RO),  # reopen while running: no-op
        ]
        clean = [ev(ams(2026, 1, 12, 10), P), ev(ams(2026, 1, 12, 11, 59), R)]
        now = ams(2026, 1, 12, 15)
        got = read_clock(OFFICE, start=MON, target=8 * H, events=messy, now=now)
        assert got.elapsed == 4 * H
        assert got.paused_for == 2 * H
        assert local(got.due) == ams(2026, 1, 13, 10)
        assert read_clock(OFFICE, start=MON, target=8 * H, events=clean, now=now).elapsed == 4 * H + M

    def test_events_before_start_count_at_start(self) -> None:
        events = [ev(ams(2026, 1, 12, 8), P), ev(ams(2026, 1, 12, 10), R)]
        reading = read_clock(OFFICE, start=MON, target=8 * H, events=events, now=ams(2026, 1, 12, 11))
        assert reading.elapsed == H
        assert reading.paused_for == H

    def test_events_after_now_are_ignored(self) -> None:
        events = [ev(ams(2026, 1, 12, 10), P), ev(ams(2026, 1, 12, 14), R), ev(ams(2026, 1, 12, 16), S)]
        reading = read_clock(OFFICE, start=MON, target=8 * H, events=events, now=ams(2026, 1, 12, 12))
        assert reading.paused
        assert reading.due is None
        assert reading.elapsed == H
        assert reading.paused_for == 2 * H

    def test_resolve_while_paused_and_reopen(self) -> None:
        events = [ev(ams(2026, 1, 12, 10), P), ev(ams(2026, 1, 12, 11), S), ev(ams(2026, 1, 13, 8), RO)]
        reading = read_clock(OFFICE, start=MON, target=8 * H, events=events, now=ams(2026, 1, 13, 9))
        assert reading.elapsed == 2 * H
        assert reading.paused_for == H
        assert local(reading.due) == ams(2026, 1, 13, 15)

    def test_now_before_start(self) -> None:
        reading = read_clock(OFFICE, start=MON, target=H, events=[ev(MON, P)], now=MON - H)
        assert reading.running
        assert reading.elapsed == timedelta(0)
        assert local(reading.due) == ams(2026, 1, 12, 10)

    def test_string_event_kinds_are_accepted(self) -> None:
        events = [ClockEvent(at=ams(2026, 1, 12, 10), kind=EventKind("pause"))]
        assert read_clock(OFFICE, start=MON, target=H, events=events, now=ams(2026, 1, 12, 11)).paused


class TestFirstResponse:
    def test_not_yet_responded(self) -> None:
        reading = first_response(
            OFFICE, start=ams(2026, 1, 9, 16, 30), target=H, responded_at=None, now=ams(2026, 1, 12, 8)
        )
        assert reading.running
        assert reading.elapsed == 30 * M
        assert local(reading.due) == ams(2026, 1, 12, 8, 30)
        assert state(reading, H, at_risk_ratio=0.5) == SlaState.AT_RISK

    def test_responded_in_time(self) -> None:
        reading = first_response(
            OFFICE,
            start=ams(2026, 1, 9, 16, 30),
            target=H,
            responded_at=ams(2026, 1, 12, 8, 15),
            now=ams(2026, 1, 20),
        )
        assert reading.elapsed == 45 * M
        assert local(reading.stopped_at) == ams(2026, 1, 12, 8, 15)
        assert state(reading, H, at_risk_ratio=0.75) == SlaState.MET

    def test_responded_late(self) -> None:
        reading = first_response(
            OFFICE, start=MON, target=H, responded_at=ams(2026, 1, 12, 11), now=ams(2026, 1, 20)
        )
        assert reading.elapsed == 2 * H
        assert state(reading, H, at_risk_ratio=0.75) == SlaState.BREACHED
        assert local(reading.breached_at) == ams(2026, 1, 12, 10)


# --------------------------------------------------------------------------------------------------
# Properties
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


def _transitions(tz: ZoneInfo) -> list[datetime]:
    return [instant for year in range(2015, 2031) for instant, _ in sla._transitions(tz, year)]


def _time(minute: int) -> time:
    return time(0) if minute == 1440 else time(minute // 60, minute % 60)


@st.composite
def day_hours(draw: st.DrawFn) -> list[tuple[time, time]]:
    count = draw(st.integers(0, 3))
    points = sorted(draw(st.sets(st.integers(0, 1440), min_size=2 * count, max_size=2 * count)))
    return [(_time(points[i]), _time(points[i + 1])) for i in range(0, len(points), 2)]


@st.composite
def calendars(draw: st.DrawFn, *, need_hours: bool = True) -> Calendar:
    tz = draw(st.sampled_from(ZONES))
    hours = {day: draw(day_hours()) for day in range(7)}
    if need_hours and not any(hours.values()):
        hours[draw(st.integers(0, 6))] = [(time(9), time(17))]
    closed: set[date] = set(draw(st.lists(st.dates(date(2014, 12, 1), date(2031, 1, 31)), max_size=20)))
    if draw(st.booleans()):  # a closed fortnight near a DST switch
        switches = _transitions(tz) or [datetime(2026, 7, 1, tzinfo=UTC)]
        first = draw(st.sampled_from(switches)).date() + timedelta(days=draw(st.integers(-10, 3)))
        closed.update(first + timedelta(days=n) for n in range(draw(st.integers(1, 14))))
    return Calendar(hours=hours, closed=frozenset(closed), tz=tz)


@st.composite
def instants(draw: st.DrawFn, tz: ZoneInfo, *, minute: bool = False) -> datetime:
    switches = _transitions(tz)
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


@COMMON
@given(data=st.data())
def test_add_then_between_round_trips(data: st.DataObject) -> None:
    cal = data.draw(calendars())
    start = data.draw(instants(cal.tz))
    d = data.draw(durations(cal))
    due = cal.add(start, d)
    assert due >= start
    assert cal.between(start, due) == d
    if d > timedelta(0):
        assert cal.is_open(due - US)
        assert cal.between(start, due - US) == d - US  # minimal: not a microsecond later than needed
    else:
        assert due == cal.next_open(start)
        assert cal.is_open(due)
        assert cal.between(start, due) == timedelta(0)


@COMMON
@given(data=st.data())
def test_add_is_monotonic(data: st.DataObject) -> None:
    cal = data.draw(calendars())
    start = data.draw(instants(cal.tz))
    d1, d2 = sorted([data.draw(durations(cal)), data.draw(durations(cal))])
    assert cal.add(start, d1) <= cal.add(start, d2)
    later = data.draw(instants(cal.tz))
    if later >= start:
        assert cal.add(start, d1) <= cal.add(later, d1)


@COMMON
@given(data=st.data())
def test_between_is_additive_and_bounded(data: st.DataObject) -> None:
    cal = data.draw(calendars(need_hours=False))
    a, b, c = sorted(data.draw(instants(cal.tz)).astimezone(UTC) for _ in range(3))
    if data.draw(st.booleans()):  # also short spans
        b = a + (b - a) / 1000
        c = b + (c - b) / 1000
    ab, bc, ac = cal.between(a, b), cal.between(b, c), cal.between(a, c)
    assert ab + bc == ac
    assert timedelta(0) <= ab <= b - a
    assert cal.between(c, a) == timedelta(0)


@COMMON
@given(data=st.data())
def test_between_matches_intervals_on(data: st.DataObject) -> None:
    cal = data.draw(calendars(need_hours=False))
    start = data.draw(instants(cal.tz))
    day = start.astimezone(cal.tz).date()
    pieces = [piece for n in (-1, 0, 1, 2) for piece in cal.intervals_on(day + timedelta(days=n))]
    low = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=10)
    high = low + timedelta(days=2)
    expected = sum((min(b, high) - max(a, low) for a, b in pieces if min(b, high) > max(a, low)), timedelta())
    assert cal.between(low, high) == expected
    for a, b in cal.intervals_on(day):
        assert a < b
        assert cal.is_open(a)
        assert cal.is_open(b - US)
        assert cal.is_open(a + (b - a) / 2)


@COMMON
@given(data=st.data())
def test_24x7_is_plain_arithmetic(data: st.DataObject) -> None:
    cal = calendar_24x7(data.draw(st.sampled_from(ZONES)))
    # Real-time arithmetic: datetimes that share a ZoneInfo subtract by wall clock, so go to UTC first.
    a, b = sorted(data.draw(instants(cal.tz)).astimezone(UTC) for _ in range(2))
    d = data.draw(st.timedeltas(timedelta(0), timedelta(days=400)))
    assert cal.between(a, b) == b - a
    assert cal.add(a, d) == a + d
    assert cal.is_open(a)
    assert cal.next_open(a) == a


@COMMON
@given(data=st.data())
def test_answers_do_not_depend_on_the_input_zone(data: st.DataObject) -> None:
    cal = data.draw(calendars())
    start = data.draw(instants(cal.tz))
    end = data.draw(instants(cal.tz))
    d = data.draw(durations(cal))
    target = data.draw(durations(cal))
    events = [
        ClockEvent(at=data.draw(instants(cal.tz)), kind=data.draw(st.sampled_from(list(EventKind))))
        for _ in range(data.draw(st.integers(0, 5)))
    ]

    def answers(convert: Callable[[datetime], datetime]) -> tuple[object, ...]:
        moved = [ClockEvent(at=convert(e.at), kind=e.kind) for e in events]
        return (
            cal.add(convert(start), d),
            cal.between(convert(start), convert(end)),
            cal.is_open(convert(start)),
            cal.next_open(convert(start)),
            read_clock(cal, start=convert(start), target=target, events=moved, now=convert(end)),
        )

    reference = answers(lambda value: value.astimezone(UTC))
    assert answers(lambda value: value.astimezone(PLUS5)) == reference
    assert answers(lambda value: value.astimezone(ZoneInfo("America/Los_Angeles"))) == reference
    assert answers(lambda value: value.astimezone(cal.tz)) == reference


# An independent, minute-by-minute model of the calendar (minute-aligned hours and instants only).


def _model_open(cal: Calendar, instant: datetime) -> bool:
    wall = instant.astimezone(cal.tz)
    if wall.date() in cal.closed:
        return False
    minute = wall.hour * 60 + wall.minute
    for start, end in cal.hours.get(wall.weekday(), ()):
        last = 1440 if end == time(0) else end.hour * 60 + end.minute
        if start.hour * 60 + start.minute <= minute < last:
            return True
    return False


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_matches_a_minute_by_minute_model(data: st.DataObject) -> None:
    cal = data.draw(calendars())
    start = data.draw(instants(cal.tz, minute=True)).astimezone(UTC)
    minutes = data.draw(st.integers(0, 3 * 1440))
    end = start + minutes * M
    opened = [_model_open(cal, start + n * M) for n in range(minutes)]
    assert cal.between(start, end) == sum(opened) * M
    for n in data.draw(st.lists(st.integers(0, minutes - 1), max_size=20)) if minutes else []:
        assert cal.is_open(start + n * M + timedelta(seconds=30)) == opened[n]
    count = data.draw(st.integers(1, 300))
    done = 0
    for n, is_open in enumerate(opened):
        done += is_open
        if done == count:
            assert cal.add(start, count * M) == start + (n + 1) * M
            break
    else:
        assert cal.add(start, count * M) >= end
    if any(opened):
        assert cal.next_open(start) == start + opened.index(True) * M


# Clock properties.


@COMMON
@given(data=st.data())
def test_clock_without_events_is_between(data: st.DataObject) -> None:
    cal = data.draw(calendars())
    start = data.draw(instants(cal.tz))
    now = data.draw(instants(cal.tz))
    target = data.draw(durations(cal))
    reading = read_clock(cal, start=start, target=target, events=[], now=now)
    assert reading.elapsed == cal.between(start, now)
    assert reading.running
    assert reading.due is not None
    assert cal.between(start, reading.due) == target
    # Breached once running past the deadline, also outside opening hours (elapsed == target then).
    assert (reading.breached_at is not None) == (now.astimezone(UTC) > reading.due)
    if reading.elapsed > target:
        assert reading.breached_at is not None
    if reading.breached_at is not None:
        assert reading.due == reading.breached_at
        assert (
            read_clock(cal, start=start, target=target, events=[], now=reading.breached_at).elapsed == target
        )


@COMMON
@given(data=st.data())
def test_pause_moves_the_deadline_by_the_business_time_paused(data: st.DataObject) -> None:
    cal = data.draw(calendars())
    start = data.draw(instants(cal.tz)).astimezone(UTC)
    target = data.draw(durations(cal))
    plain_due = cal.add(start, target)
    pause = start + (plain_due - start) * data.draw(st.floats(0, 0.999))
    resume = pause + data.draw(st.timedeltas(timedelta(0), timedelta(days=30)))
    assume(cal.between(start, pause) < target)
    events = [ClockEvent(pause, EventKind.PAUSE), ClockEvent(resume, EventKind.RESUME)]
    reading = read_clock(cal, start=start, target=target, events=events, now=resume)
    assert reading.due is not None
    assert cal.between(plain_due, reading.due) == cal.between(pause, resume)
    assert reading.due == cal.add(start, target + cal.between(pause, resume))
    assert reading.paused_for == cal.between(pause, resume)
    assert reading.elapsed == cal.between(start, pause)


event_lists = st.lists(
    st.tuples(st.integers(-2 * 86400, 60 * 86400), st.sampled_from(list(EventKind))), max_size=8
)


@COMMON
@given(data=st.data(), raw=event_lists)
def test_clock_accounting(data: st.DataObject, raw: list[tuple[int, EventKind]]) -> None:
    cal = data.draw(calendars())
    start = data.draw(instants(cal.tz)).astimezone(UTC)
    now = start + timedelta(seconds=data.draw(st.integers(-86400, 70 * 86400)))
    target = data.draw(durations(cal))
    events = [ClockEvent(start + timedelta(seconds=s), kind) for s, kind in raw]
    reading = read_clock(cal, start=start, target=target, events=events, now=now)
    stop = reading.stopped_at or now
    assert reading.elapsed + reading.paused_for <= cal.between(start, stop)
    if not any(e.kind == EventKind.RESOLVE for e in events):
        assert reading.elapsed + reading.paused_for == cal.between(start, now)
    assert [reading.running, reading.paused, reading.stopped_at is not None].count(True) == 1
    if reading.running:
        assert reading.due is not None
    elif reading.paused:  # a paused clock keeps its deadline only once breached
        assert (reading.due is None) == (reading.breached_at is None)
    else:
        assert reading.due is None
    if reading.elapsed > target:
        assert reading.breached_at is not None
    if reading.running and reading.breached_at is None:
        # Read again at the deadline with the same history: exactly the target is used.
        assert reading.due is not None
        past = [e for e in events if max(e.at, start) <= now]
        again = read_clock(cal, start=start, target=target, events=past, now=max(reading.due, now))
        assert again.elapsed == target
    # Shuffled input with distinct instants gives the same reading.
    distinct = list({e.at: e for e in events}.values())
    shuffled = data.draw(st.permutations(distinct))
    assert read_clock(cal, start=start, target=target, events=shuffled, now=now) == read_clock(
        cal, start=start, target=target, events=distinct, now=now
    )
    # Duplicated events change nothing.
    twice = [e for e in distinct for _ in range(2)]
    assert read_clock(cal, start=start, target=target, events=twice, now=now) == read_clock(
        cal, start=start, target=target, events=distinct, now=now
    )
    result = state(reading, target, at_risk_ratio=0.75)
    assert (result == SlaState.BREACHED) == (reading.breached_at is not None)


@COMMON
@given(data=st.data())
def test_first_response_is_a_clock_with_one_stop(data: st.DataObject) -> None:
    cal = data.draw(calendars())
    start = data.draw(instants(cal.tz))
    responded = data.draw(st.none() | instants(cal.tz))
    now = data.draw(instants(cal.tz))
    target = data.draw(durations(cal))
    reading: ClockReading = first_response(cal, start=start, target=target, responded_at=responded, now=now)
    if responded is None or max(responded, start) > now:
        assert reading.running
        assert reading.elapsed == cal.between(start, now)
    else:
        # the same instant: compared as timestamps, because Python never calls an ambiguous local
        # time (the repeated hour when DST ends, fold=1) equal to a time in another zone
        assert reading.stopped_at is not None
        assert reading.stopped_at.timestamp() == max(responded, start).timestamp()
        assert reading.elapsed == cal.between(start, responded)
    assert reading.paused_for == timedelta(0)


# --------------------------------------------------------------------------------------------------
# The closing-time boundary: a target used up exactly at closing time
# --------------------------------------------------------------------------------------------------


class TestClosingTimeBoundary:
    """Nine office hours for a call registered on Monday evening run out on Tuesday at 17:00."""

    START = ams(2026, 1, 12, 20)  # Monday, after closing
    TARGET = 9 * H
    CLOSING = ams(2026, 1, 13, 17)

    def read(self, events: list[ClockEvent], now: datetime) -> ClockReading:
        return read_clock(OFFICE, start=self.START, target=self.TARGET, events=events, now=now)

    def test_the_deadline_is_the_closing_time(self) -> None:
        reading = self.read([], ams(2026, 1, 13, 12))
        assert local(reading.due) == self.CLOSING

    def test_paused_after_closing_time_the_deadline_stays_at_closing_time(self) -> None:
        pause, resume = ams(2026, 1, 13, 18), ams(2026, 1, 14, 10)
        paused = self.read([ev(pause, P)], ams(2026, 1, 13, 20))
        assert local(paused.due) == self.CLOSING
        assert state(paused, self.TARGET, at_risk_ratio=0.75) == SlaState.BREACHED
        resumed = self.read([ev(pause, P), ev(resume, R)], ams(2026, 1, 14, 11))
        assert local(resumed.due) == self.CLOSING  # not the resume moment
        assert local(resumed.breached_at) == self.CLOSING
        assert state(resumed, self.TARGET, at_risk_ratio=0.75) == SlaState.BREACHED

    def test_after_closing_time_the_replay_and_the_stored_fields_agree(self) -> None:
        now = ams(2026, 1, 13, 17, 30)
        reading = self.read([], now)
        risk = read_clock(OFFICE, start=self.START, target=self.TARGET * 0.75, events=[], now=now)
        assert reading.elapsed == self.TARGET  # nothing counted after closing time
        assert state(reading, self.TARGET, at_risk_ratio=0.75) == SlaState.BREACHED
        snap = sla.snapshot(reading, risk, self.TARGET, at_risk_ratio=0.75)
        assert sla.stored_state(snap, now, is_open=True) == SlaState.BREACHED
        # Stored before the deadline, read after it: the same state.
        earlier = self.read([], ams(2026, 1, 13, 9))
        early_risk = read_clock(
            OFFICE, start=self.START, target=self.TARGET * 0.75, events=[], now=ams(2026, 1, 13, 9)
        )
        stored = sla.snapshot(earlier, early_risk, self.TARGET, at_risk_ratio=0.75)
        assert sla.stored_state(stored, now, is_open=True) == SlaState.BREACHED
        assert sla.stored_state(stored, self.CLOSING, is_open=True) == SlaState.AT_RISK
        assert state(self.read([], self.CLOSING), self.TARGET, at_risk_ratio=0.75) == SlaState.AT_RISK

    def test_resolved_at_closing_time_is_met_and_after_it_breached(self) -> None:
        at_closing = self.read([ev(self.CLOSING, S)], ams(2026, 1, 20))
        assert state(at_closing, self.TARGET, at_risk_ratio=0.75) == SlaState.MET
        evening = self.read([ev(ams(2026, 1, 13, 19), S)], ams(2026, 1, 20))
        assert state(evening, self.TARGET, at_risk_ratio=0.75) == SlaState.BREACHED

    def test_paused_exactly_at_closing_time_is_not_breached_until_it_runs_again(self) -> None:
        paused = self.read([ev(self.CLOSING, P)], ams(2026, 1, 13, 20))
        assert state(paused, self.TARGET, at_risk_ratio=0.75) == SlaState.PAUSED
        assert paused.due is None
        resume = ams(2026, 1, 14, 10)
        again = self.read([ev(self.CLOSING, P), ev(resume, R)], ams(2026, 1, 14, 10, 1))
        assert local(again.due) == self.CLOSING
        assert local(again.breached_at) == resume
        assert state(again, self.TARGET, at_risk_ratio=0.75) == SlaState.BREACHED


@st.composite
def clock_histories(draw: st.DrawFn) -> tuple[Calendar, datetime, timedelta, list[ClockEvent]]:
    """A calendar, a start, a target in whole minutes (as stored) and events on minute boundaries."""
    cal = draw(calendars())
    start = draw(instants(cal.tz, minute=True)).astimezone(UTC)
    target = timedelta(minutes=draw(st.sampled_from([1, 30, 60, 240, 540, 1080, 2700])))
    assume(target <= cal.hours_per_week * 50)  # reachable within the calendar's horizon
    raw = draw(
        st.lists(
            st.tuples(st.integers(-60, 40 * 1440), st.sampled_from(list(EventKind))),
            max_size=8,
        )
    )
    return cal, start, target, [ClockEvent(start + timedelta(minutes=m), kind) for m, kind in raw]


@COMMON
@given(history=clock_histories(), data=st.data())
def test_the_stored_figures_and_the_replay_always_agree(
    history: tuple[Calendar, datetime, timedelta, list[ClockEvent]], data: st.DataObject
) -> None:
    """What the call page and the sweep read (stored figures) equals what /sla replays, at any moment.

    The figures are stored at the last change (the last event, or registration) and read later.
    Readings near the deadline, the at-risk moment and the closing times are drawn on purpose.
    """
    cal, start, target, events = history
    ratio = data.draw(st.sampled_from([0.5, 0.75, 0.99]))
    stored_at = max([start, *(e.at for e in events)])
    reading = read_clock(cal, start=start, target=target, events=events, now=stored_at)
    risk = read_clock(cal, start=start, target=target * ratio, events=events, now=stored_at)
    snap = sla.snapshot(reading, risk, target, at_risk_ratio=ratio)
    marks = [m for m in (reading.due, snap.risk_at, reading.used_up_at) if m is not None and m >= stored_at]
    offsets = st.integers(-2, 2).map(lambda s: timedelta(seconds=s))
    if marks:
        now = max(stored_at, data.draw(st.sampled_from(marks)) + data.draw(offsets))
    else:
        now = stored_at + timedelta(minutes=data.draw(st.integers(0, 30 * 1440)))
    replayed = state(
        read_clock(cal, start=start, target=target, events=events, now=now), target, at_risk_ratio=ratio
    )
    stopped = reading.stopped_at is not None
    assert sla.stored_state(snap, now, is_open=not stopped) == replayed
    # The sweep escalates a breach when the stored deadline has passed (or the breach is decided).
    sweep_says_breached = snap.met is False or sla.deadline_passed(snap.due, now)
    assert sweep_says_breached == (replayed == SlaState.BREACHED)


@COMMON
@given(history=clock_histories(), data=st.data())
def test_pausing_after_the_target_was_used_up_never_moves_the_deadline(
    history: tuple[Calendar, datetime, timedelta, list[ClockEvent]], data: st.DataObject
) -> None:
    cal, start, target, events = history
    events = [e for e in events if e.kind != EventKind.RESOLVE]  # keep the clock open
    last = max([start, *(e.at for e in events)])
    before = read_clock(cal, start=start, target=target, events=events, now=last)
    assume(before.running and before.due is not None)
    deadline = before.due
    assert deadline is not None
    pause = max(last, deadline) + timedelta(minutes=data.draw(st.integers(1, 5 * 1440)))
    paused_events = [*events, ClockEvent(pause, EventKind.PAUSE)]
    paused = read_clock(cal, start=start, target=target, events=paused_events, now=pause)
    assert paused.due == deadline
    assert state(paused, target, at_risk_ratio=0.75) == SlaState.BREACHED
    resume = pause + timedelta(minutes=data.draw(st.integers(0, 10 * 1440)))
    resumed_events = [*paused_events, ClockEvent(resume, EventKind.RESUME)]
    later = resume + timedelta(minutes=data.draw(st.integers(0, 1440)))
    resumed = read_clock(cal, start=start, target=target, events=resumed_events, now=later)
    assert resumed.due == deadline
    assert resumed.breached_at == paused.breached_at
    assert state(resumed, target, at_risk_ratio=0.75) == SlaState.BREACHED
