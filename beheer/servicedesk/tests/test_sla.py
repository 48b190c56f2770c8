"""The SLA clock: hand-computed examples and properties (no database). The business calendars it
counts in are tested in beheer/calendars/tests/test_business_time.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from beheer.calendars.business_time import Calendar
from beheer.calendars.tests.support import (
    COMMON,
    OFFICE,
    PLUS5,
    US,
    H,
    M,
    ams,
    calendars,
    durations,
    instants,
    local,
)
from beheer.servicedesk.sla import clock as sla
from beheer.servicedesk.sla.clock import (
    ClockEvent,
    ClockReading,
    EventKind,
    SlaState,
    first_response,
    read_clock,
    state,
)


def ev(at: datetime, kind: EventKind) -> ClockEvent:
    return ClockEvent(at=at, kind=kind)


P, R, S, RO = EventKind.PAUSE, EventKind.RESUME, EventKind.RESOLVE, EventKind.REOPEN


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


class TestClockValidation:
    """The clock's part of the calendars' validation tests (beheer/calendars/tests)."""

    def test_naive_datetimes_are_refused(self) -> None:
        naive = datetime(2026, 1, 9, 12)
        aware = ams(2026, 1, 9, 12)
        with pytest.raises(ValueError, match="timezone-aware"):
            read_clock(OFFICE, start=aware, target=H, events=[ev(naive, P)], now=aware)

    def test_negative_duration_and_target(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            read_clock(OFFICE, start=ams(2026, 1, 9), target=-H, events=[], now=ams(2026, 1, 9))


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


# Clock properties.


@COMMON
@given(data=st.data())
def test_answers_do_not_depend_on_the_input_zone(data: st.DataObject) -> None:
    """The business calendar's answers and the clock's replay, whatever the zone of the input."""
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
