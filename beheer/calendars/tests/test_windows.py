"""Maintenance windows: one-off and recurring, across daylight saving, and lazily evaluated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as du
from hypothesis import given, settings
from hypothesis import strategies as st

from beheer.calendars.windows import Window, WindowError, anchored, parse_rule, to_instant

AMS = ZoneInfo("Europe/Amsterdam")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_one_off_window():
    w = Window(start=datetime(2026, 12, 5, 22, 0), duration=timedelta(hours=3))  # 21:00-00:00 UTC
    assert not w.active_at(utc(2026, 12, 5, 20, 59))
    assert w.active_at(utc(2026, 12, 5, 21, 0))
    assert w.active_at(utc(2026, 12, 5, 23, 59))
    assert not w.active_at(utc(2026, 12, 6, 0, 0))  # the end is not inside
    assert w.next_start(utc(2026, 12, 1)) == utc(2026, 12, 5, 21)
    assert w.next_start(utc(2026, 12, 6)) is None


def test_every_sunday_night_in_local_time_across_both_daylight_saving_changes():
    w = Window(start=datetime(2026, 1, 4, 2, 0), duration=timedelta(hours=2), rule="FREQ=WEEKLY;BYDAY=SU")
    # winter: 02:00 CET is 01:00 UTC
    assert w.active_at(utc(2026, 3, 22, 1, 30))
    assert not w.active_at(utc(2026, 3, 22, 3, 0))
    # 29 March: 02:00 does not exist (clocks go to 03:00 CEST); the window starts at 03:00 CEST
    assert w.occurrence_at(utc(2026, 3, 29, 1, 30)) == (utc(2026, 3, 29, 1), utc(2026, 3, 29, 3))
    # summer: 02:00 CEST is 00:00 UTC
    assert w.active_at(utc(2026, 7, 5, 0, 30))
    assert not w.active_at(utc(2026, 7, 5, 2, 0))
    # 25 October: 02:00 exists twice; the window starts at the first (02:00 CEST = 00:00 UTC)
    assert w.occurrence_at(utc(2026, 10, 25, 0, 30)) == (utc(2026, 10, 25, 0), utc(2026, 10, 25, 2))
    assert not w.active_at(utc(2026, 10, 26, 0, 30))  # a Monday
    assert w.next_start(utc(2026, 7, 5, 3)) == utc(2026, 7, 12, 0)


def test_the_last_sunday_of_the_month_and_an_until():
    w = Window(
        start=datetime(2026, 1, 1, 6, 0),
        duration=timedelta(hours=1),
        rule="FREQ=MONTHLY;BYDAY=-1SU;UNTIL=20261231T000000Z",
    )
    assert w.active_at(utc(2026, 5, 31, 4, 30))  # 06:30 CEST on the last Sunday of May
    assert not w.active_at(utc(2026, 5, 24, 4, 30))
    assert w.next_start(utc(2026, 12, 28)) is None  # the rule ended


def test_a_rule_with_count_stops():
    w = Window(start=datetime(2026, 1, 1, 1, 0), duration=timedelta(hours=1), rule="FREQ=DAILY;COUNT=3")
    assert w.active_at(utc(2026, 1, 3, 0, 30))
    assert not w.active_at(utc(2026, 1, 4, 0, 30))


def test_a_ten_year_old_daily_window_isanchored_near_the_question():
    rule = parse_rule("FREQ=DAILY;INTERVAL=3", datetime(2016, 1, 1, 2, 0))
    horizon = datetime(2026, 6, 1, 12, 0)
    moved = anchored(rule, horizon)._dtstart
    assert horizon - timedelta(days=3) < moved <= horizon
    assert (moved - datetime(2016, 1, 1, 2, 0)) % timedelta(days=3) == timedelta(0)
    monthly = parse_rule("FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO", datetime(2010, 1, 15, 2, 0))
    moved = anchored(monthly, horizon)._dtstart
    assert datetime(2026, 1, 1) < moved <= horizon


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=MINUTELY", "hourly"),
        ("FREQ=SOMETIMES", "invalid"),
        ("  ", "RRULE"),
        ("FREQ=DAILY\nFREQ=WEEKLY", "RRULE"),
        ("FREQ=DAILY;" + "X" * 600, "RRULE"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(rule, message):
    with pytest.raises(WindowError, match=message):
        Window(start=datetime(2026, 1, 1), duration=timedelta(hours=1), rule=rule)


def test_bad_windows_are_refused():
    with pytest.raises(WindowError):
        Window(start=datetime(2026, 1, 1), duration=timedelta(0))
    with pytest.raises(WindowError):
        Window(start=datetime(2026, 1, 1), duration=timedelta(days=40))
    with pytest.raises(WindowError):
        Window(start=datetime(2026, 1, 1, tzinfo=UTC), duration=timedelta(hours=1))
    with pytest.raises(WindowError):
        Window(start=datetime(2026, 1, 1), duration=timedelta(hours=1), time_zone="Mars/Olympus")
    with pytest.raises(WindowError):
        Window(start=datetime(2026, 1, 1), duration=timedelta(hours=1)).active_at(datetime(2026, 1, 1))


def _naive_active(w: Window, instant: datetime) -> bool:
    """Ground truth: walk the unanchored rule over every occurrence up to the instant."""
    assert w.parsed is not None
    local = instant.astimezone(AMS).replace(tzinfo=None)
    for occurrence in w.parsed.between(
        local - w.duration - timedelta(days=1), local + timedelta(hours=2), inc=True
    ):
        begins = to_instant(occurrence, AMS)
        if begins <= instant < begins + w.duration:
            return True
    return False


RULES = st.builds(
    lambda freq, interval, byday, byhour: ";".join(
        [f"FREQ={freq}", f"INTERVAL={interval}"]
        + ([f"BYDAY={byday}"] if byday else [])
        + ([f"BYHOUR={byhour}"] if byhour is not None and freq != "HOURLY" else [])
    ),
    st.sampled_from(["HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.integers(1, 4),
    st.sampled_from(["", "SU", "MO,WE,FR", "1SA", "-1SU"]),
    st.one_of(st.none(), st.integers(0, 23)),
)


@settings(max_examples=300, deadline=None)
@given(
    rule=RULES,
    start=st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2026, 1, 1)),
    minutes=st.integers(1, 3 * 24 * 60),
    later=st.integers(0, 12 * 365 * 24 * 60),
)
def test_lazy_evaluation_agrees_with_walking_every_occurrence(rule, start, minutes, later):
    start = start.replace(second=0, microsecond=0)
    if ("BYDAY=1SA" in rule or "BYDAY=-1SU" in rule) and not rule.startswith(("FREQ=MONTHLY", "FREQ=YEARLY")):
        rule = rule.replace(";BYDAY=1SA", ";BYDAY=SA").replace(";BYDAY=-1SU", ";BYDAY=SU")
    try:
        w = Window(start=start, duration=timedelta(minutes=minutes), rule=rule)
    except WindowError:
        return
    instant = to_instant(start, AMS) + timedelta(minutes=later)
    assert w.active_at(instant) == _naive_active(w, instant)


@settings(max_examples=100, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 1, 1)),
    later=st.integers(0, 6 * 365 * 24),
)
def test_next_start_is_the_next_occurrence(start, later):
    start = start.replace(second=0, microsecond=0)
    w = Window(start=start, duration=timedelta(hours=1), rule="FREQ=WEEKLY;BYDAY=TU,SA")
    instant = to_instant(start, AMS) + timedelta(hours=later)
    nxt = w.next_start(instant)
    assert nxt is not None
    assert nxt > instant
    assert w.active_at(nxt)
    local = instant.astimezone(AMS).replace(tzinfo=None)
    expected = du.rrulestr("FREQ=WEEKLY;BYDAY=TU,SA", dtstart=start).after(
        local - timedelta(hours=2), inc=True
    )
    while expected is not None and to_instant(expected, AMS) <= instant:
        expected = du.rrulestr("FREQ=WEEKLY;BYDAY=TU,SA", dtstart=start).after(expected)
    assert expected is not None
    assert nxt == to_instant(expected, AMS)
