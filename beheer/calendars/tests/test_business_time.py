"""The business calendar: hand-computed examples and properties (no database)."""

from __future__ import annotations

import timeit
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beheer.calendars.business_time import AMSTERDAM, Calendar, calendar_24x7
from beheer.calendars.holidays import dutch_holidays
from beheer.calendars.tests.support import (
    ALL_DAY,
    COMMON,
    EVERY_DAY_OFFICE,
    H24,
    LUNCH,
    NIGHT,
    NL_HOLIDAYS,
    OFFICE,
    PLUS5,
    US,
    ZONES,
    H,
    M,
    ams,
    calendars,
    durations,
    instants,
    local,
)

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
            H24.add(naive, H)

    def test_negative_duration_and_target(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            OFFICE.add(ams(2026, 1, 9, 12), -H)

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
# Properties
# --------------------------------------------------------------------------------------------------


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
    """The clock's part of this property is in the servicedesk's test_sla.py."""
    cal = data.draw(calendars())
    start = data.draw(instants(cal.tz))
    end = data.draw(instants(cal.tz))
    d = data.draw(durations(cal))

    def answers(convert: Callable[[datetime], datetime]) -> tuple[object, ...]:
        return (
            cal.add(convert(start), d),
            cal.between(convert(start), convert(end)),
            cal.is_open(convert(start)),
            cal.next_open(convert(start)),
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
