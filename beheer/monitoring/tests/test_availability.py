"""Availability from state intervals, without maintenance, checked against a minute-by-minute count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beheer.calendars.windows import Window
from beheer.monitoring.availability import Span, availability, maintenance_intervals, merge

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_month_with_one_outage_and_one_maintenance_night():
    start, end = T0, T0 + timedelta(days=30)
    spans = [
        Span(at(0), at(10 * 24 * 60), True),
        Span(at(10 * 24 * 60), at(10 * 24 * 60 + 43), False),  # 43 minutes down
        Span(at(10 * 24 * 60 + 43), end, True),
    ]
    nightly = [(at(20 * 24 * 60), at(20 * 24 * 60 + 120))]  # two hours of maintenance, up or not
    result = availability(spans, start=start, end=end, maintenance=nightly)
    assert result.down == timedelta(minutes=43)
    assert result.maintenance == timedelta(hours=2)
    assert result.unknown == timedelta(0)
    assert result.percent == pytest.approx(100 * (1 - 43 / (30 * 24 * 60 - 120)))


def test_an_outage_during_maintenance_does_not_count_and_gaps_are_unknown():
    spans = [Span(at(0), at(60), True), Span(at(90), at(120), False)]  # 60-90 nobody knows
    result = availability(spans, start=at(0), end=at(120), maintenance=[(at(100), at(200))])
    assert result.up == timedelta(minutes=60)
    assert result.down == timedelta(minutes=10)  # 90-100; 100-120 was maintenance
    assert result.unknown == timedelta(minutes=30)
    assert result.percent == pytest.approx(100 * 60 / 70)
    strict = availability(
        spans, start=at(0), end=at(120), maintenance=[(at(100), at(200))], unknown_is_down=True
    )
    assert strict.down == timedelta(minutes=40)
    assert strict.percent == pytest.approx(100 * 60 / 100)


def test_nothing_measured_has_no_percentage_and_a_bad_period_is_refused():
    assert availability([], start=at(0), end=at(10)).percent is None
    with pytest.raises(ValueError):
        availability([], start=at(10), end=at(10))


def test_recurring_windows_become_intervals_within_the_period():
    sunday_night = Window(
        start=datetime(2026, 1, 4, 2, 0), duration=timedelta(hours=2), rule="FREQ=WEEKLY;BYDAY=SU"
    )
    november = maintenance_intervals([sunday_night], T0, T0 + timedelta(days=30))
    assert len(november) == 5  # 1, 8, 15, 22 and 29 November 2026 are Sundays
    assert november[0] == (datetime(2026, 11, 1, 1, tzinfo=UTC), datetime(2026, 11, 1, 3, tzinfo=UTC))
    # a period that starts inside an occurrence gets the rest of it
    inside = maintenance_intervals(
        [sunday_night], datetime(2026, 11, 1, 2, tzinfo=UTC), T0 + timedelta(days=1)
    )
    assert inside == [(datetime(2026, 11, 1, 2, tzinfo=UTC), datetime(2026, 11, 1, 3, tzinfo=UTC))]


def test_merge_joins_overlapping_and_touching_intervals():
    assert merge([(at(5), at(10)), (at(0), at(5)), (at(20), at(30)), (at(25), at(26)), (at(40), at(40))]) == [
        (at(0), at(10)),
        (at(20), at(30)),
    ]


@st.composite
def timelines(draw):
    """Consecutive spans on a minute grid with random states, and random maintenance intervals."""
    cuts = sorted(set(draw(st.lists(st.integers(0, 2000), max_size=30))))
    states = draw(
        st.lists(st.sampled_from([True, False, None, "gap"]), min_size=len(cuts) + 1, max_size=len(cuts) + 1)
    )
    bounds = [-100, *cuts, 2100]
    spans = [
        Span(at(a), at(b), state)
        for a, b, state in zip(bounds, bounds[1:], states, strict=False)
        if state != "gap"
    ]
    maint = [
        (at(a), at(a + length))
        for a, length in draw(st.lists(st.tuples(st.integers(-50, 2000), st.integers(1, 300)), max_size=5))
    ]
    return spans, maint


@settings(max_examples=300, deadline=None)
@given(timelines(), st.booleans())
def test_agrees_with_counting_minute_by_minute(timeline, unknown_is_down):
    spans, maint = timeline
    start, end = at(0), at(2000)
    result = availability(spans, start=start, end=end, maintenance=maint, unknown_is_down=unknown_is_down)
    up = down = unknown = in_maint = 0
    for minute in range(2000):
        moment = at(minute)
        if any(a <= moment < b for a, b in maint):
            in_maint += 1
            continue
        state = next((s.up for s in spans if s.start <= moment < s.end), "none")
        if state is True:
            up += 1
        elif state is False or (unknown_is_down and state in (None, "none")):
            down += 1
        else:
            unknown += 1
    assert result.up == timedelta(minutes=up)
    assert result.down == timedelta(minutes=down)
    assert result.unknown == timedelta(minutes=unknown)
    assert result.maintenance == timedelta(minutes=in_maint)
    if up + down:
        assert result.percent == pytest.approx(100 * up / (up + down), abs=0.01)
