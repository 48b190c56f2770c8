"""The SLA clock, without the ORM: a melding's history replayed in a business calendar.

The clock replay (:func:`read_clock`) turns a melding's history into SLA figures; see its docstring
for the event rules. :func:`first_response` is the response clock. The business-time arithmetic it
counts in (:class:`~beheer.calendars.business_time.Calendar`) is the calendars app's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from beheer.calendars.business_time import Calendar, to_utc

_ZERO = timedelta(0)


# --------------------------------------------------------------------------------------------------
# The SLA clock
# --------------------------------------------------------------------------------------------------


class EventKind(StrEnum):
    PAUSE = "pause"  # entering a status that pauses the SLA
    RESUME = "resume"  # leaving such a status
    RESOLVE = "resolve"  # the melding is resolved: the resolution clock stops
    REOPEN = "reopen"  # a resolved melding is reopened: the same clock runs on


@dataclass(frozen=True)
class ClockEvent:
    at: datetime
    kind: EventKind


@dataclass(frozen=True)
class ClockReading:
    elapsed: timedelta  # business time counted (pauses excluded), up to now or to the stop
    paused_for: timedelta  # business time spent paused
    running: bool  # counting right now
    paused: bool
    stopped_at: datetime | None  # resolved and not reopened (UTC)
    # The deadline (UTC): while running, the instant the remaining business time runs out, or the
    # instant the target was used up once it was; while paused, that same instant when the clock
    # breached, otherwise None (no deadline while paused); None once stopped.
    due: datetime | None
    # The first instant the clock was running after its target was used up (UTC): the deadline
    # itself when the clock ran through it, the resume moment when it was paused exactly then.
    breached_at: datetime | None
    used_up_at: datetime | None = None  # the instant the target was used up, once it was (UTC)

    def remaining(self, target: timedelta) -> timedelta:
        """Business time left before the target runs out (negative once breached)."""
        return target - self.elapsed


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    PAUSED = "paused"


_RUNNING, _PAUSED, _STOPPED = "running", "paused", "stopped"


def read_clock(
    calendar: Calendar,
    *,
    start: datetime,
    target: timedelta,
    events: Sequence[ClockEvent],
    now: datetime,
) -> ClockReading:
    """Replay a clock's events up to ``now``.

    The clock starts running at ``start``. Events are normalised so that history is never rejected:

    - they are sorted by time (events at the same instant keep the given order);
    - an event before ``start`` counts as happening at ``start`` (in its own order); events after
      ``now`` are ignored;
    - PAUSE only acts on a running clock, RESUME only on a paused one, RESOLVE on a running or paused
      one (it stops the clock), REOPEN only on a stopped one (the clock runs again, not paused, and
      keeps the time already spent); anything else (resume without pause, pause while paused, a
      second resolve) is a no-op.

    The deadline and the breach follow one convention, the one of :meth:`Calendar.add`: the target is
    used up at the first instant the business time counted reaches it, so a target that runs out
    exactly at a closing time is used up at that closing time (not at the next opening). From then
    on that instant is the deadline: pausing, resuming or reopening never moves it. The clock is
    *breached* once it runs at any instant after the deadline, within opening hours or not: still
    running after closing time, paused or resolved after it. Stopped or paused exactly at the
    deadline is not breached; a clock resumed after that breaches at once (``breached_at`` is then
    the resume moment). :func:`deadline_passed` is the same rule for a stored deadline.

    ``due`` does not depend on ``now`` while the clock runs: it is the instant the remaining business
    time runs out, counted from the last (re)start, or the instant the target was used up.
    """
    begin, moment = to_utc(start, "start"), to_utc(now, "now")
    if target < _ZERO:
        raise ValueError(f"target must not be negative, got {target}")
    # Sort on the real instants (ties keep the given order), then move early events to the start.
    ordered = [
        (max(at, begin), kind)
        for at, _, kind in sorted(
            (to_utc(event.at, "event time"), index, EventKind(event.kind))
            for index, event in enumerate(events)
        )
    ]
    mode = _RUNNING
    since = begin  # start of the current running or paused stretch
    elapsed = paused_for = _ZERO
    stopped_at: datetime | None = None
    used_up_at: datetime | None = None
    breached_at: datetime | None = None

    def run(low: datetime, high: datetime, *, current: bool) -> None:
        """Count a running stretch: ``[low, high)``, or ``[low, high]`` for the one running now."""
        nonlocal elapsed, used_up_at, breached_at
        stretch = calendar.between(low, high)
        if used_up_at is None and calendar.has_hours and elapsed + stretch >= target:
            candidate = calendar.add(low, target - elapsed)
            if candidate <= high:
                used_up_at = candidate
        if breached_at is None and used_up_at is not None and high > used_up_at and (current or high > low):
            breached_at = max(low, used_up_at)
        elapsed += stretch

    for at, kind in ordered:
        if at > moment:
            break
        if mode == _RUNNING and kind in (EventKind.PAUSE, EventKind.RESOLVE):
            run(since, at, current=False)
            mode, since = (_PAUSED, at) if kind == EventKind.PAUSE else (_STOPPED, at)
            stopped_at = at if kind == EventKind.RESOLVE else None
        elif mode == _PAUSED and kind in (EventKind.RESUME, EventKind.RESOLVE):
            paused_for += calendar.between(since, at)
            mode, since = (_RUNNING, at) if kind == EventKind.RESUME else (_STOPPED, at)
            stopped_at = at if kind == EventKind.RESOLVE else None
        elif mode == _STOPPED and kind == EventKind.REOPEN:
            mode, since, stopped_at = _RUNNING, at, None

    due: datetime | None = None
    if mode == _RUNNING:
        used = elapsed
        run(since, moment, current=True)
        due = used_up_at if used_up_at is not None else calendar.add(since, target - used)
    elif mode == _PAUSED:
        paused_for += calendar.between(since, moment)
        due = used_up_at if breached_at is not None else None
    return ClockReading(
        elapsed=elapsed,
        paused_for=paused_for,
        running=mode == _RUNNING,
        paused=mode == _PAUSED,
        stopped_at=stopped_at,
        due=due,
        breached_at=breached_at,
        used_up_at=used_up_at,
    )


def first_response(
    calendar: Calendar,
    *,
    start: datetime,
    target: timedelta,
    responded_at: datetime | None,
    now: datetime,
) -> ClockReading:
    """The response clock: never paused, stopped by the first response."""
    events = [] if responded_at is None else [ClockEvent(responded_at, EventKind.RESOLVE)]
    return read_clock(calendar, start=start, target=target, events=events, now=now)


def state(reading: ClockReading, target: timedelta, *, at_risk_ratio: float) -> SlaState:
    """Breached wins (it stays breached when later paused or stopped); then met, paused, at risk."""
    if not 0 <= at_risk_ratio <= 1:
        raise ValueError(f"at_risk_ratio must lie between 0 and 1, got {at_risk_ratio}")
    if reading.breached_at is not None or reading.elapsed > target:
        return SlaState.BREACHED
    if reading.stopped_at is not None:
        return SlaState.MET
    if reading.paused:
        return SlaState.PAUSED
    if reading.elapsed >= target * at_risk_ratio:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


# --------------------------------------------------------------------------------------------------
# What is stored: the deadlines of one reading, and the state they give later
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What the engine stores on a melding for one clock, read at one moment."""

    due: datetime | None  # the deadline (see ClockReading.due)
    risk_at: datetime | None  # the moment the at-risk share is (or was) used; only while running
    met: bool | None  # decided: False once breached, True once stopped within the target


def snapshot(
    reading: ClockReading, risk: ClockReading, target: timedelta, *, at_risk_ratio: float
) -> Snapshot:
    """The stored figures of a clock (``risk`` is the same clock read with the at-risk share as target)."""
    result = state(reading, target, at_risk_ratio=at_risk_ratio)
    met = False if result == SlaState.BREACHED else True if result == SlaState.MET else None
    return Snapshot(due=reading.due, risk_at=risk.due if reading.running else None, met=met)


def deadline_passed(due: datetime | None, now: datetime) -> bool:
    """A stored deadline is breached strictly after it: the rule of :func:`read_clock`."""
    return due is not None and now > due


def stored_state(snap: Snapshot, now: datetime, *, is_open: bool) -> SlaState:
    """The state at ``now`` from stored figures, without replaying the history.

    Equal to :func:`state` of a replay at ``now``, as long as nothing happened to the clock since
    the snapshot was taken (a later change stores a new snapshot).
    """
    if snap.met is not None:
        return SlaState.MET if snap.met else SlaState.BREACHED
    if deadline_passed(snap.due, now):
        return SlaState.BREACHED
    if snap.due is None and is_open:
        return SlaState.PAUSED
    if snap.risk_at is not None and now >= snap.risk_at:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


# --------------------------------------------------------------------------------------------------
# OLA: one clock per operator group
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    """The melding went to another operator group (``group`` "" means: to no group)."""

    at: datetime
    group: str


@dataclass(frozen=True)
class GroupClock:
    start: datetime  # when the group first got the melding (UTC)
    events: tuple[ClockEvent, ...]  # replay with read_clock(start=start, events=events)
    holding: bool  # the group has the melding at the end of the timeline


def group_clocks(
    *, start: datetime, first_group: str, timeline: Sequence[ClockEvent | Handover]
) -> dict[str, GroupClock]:
    """Split a melding's clock over the operator groups that held it.

    ``timeline`` is the melding's status clock events (as for :func:`read_clock`) and its handovers,
    in the order they happened; ``first_group`` held the melding from ``start``. A group's clock
    runs only while it holds the melding: a handover stops the old group's clock and (re)starts the
    new group's, in the state the melding's own clock is in then (running, paused or stopped).
    Pauses, resolving and reopening act on the clock of the group holding the melding. Repeated
    stints with the same group add up, because each later stint is a REOPEN of the same clock.
    """
    begin = to_utc(start, "start")
    mode = _RUNNING
    current = first_group
    starts: dict[str, datetime] = {}
    events: dict[str, list[ClockEvent]] = {}

    def take(group: str, at: datetime) -> None:
        if not group:
            return
        if group in starts:
            events[group].append(ClockEvent(at, EventKind.REOPEN))
        else:
            starts[group], events[group] = at, []
        if mode == _PAUSED:
            events[group].append(ClockEvent(at, EventKind.PAUSE))
        elif mode == _STOPPED:
            events[group].append(ClockEvent(at, EventKind.RESOLVE))

    take(current, begin)
    ordered = sorted(
        ((max(to_utc(item.at, "event time"), begin), index, item) for index, item in enumerate(timeline)),
        key=lambda row: (row[0], row[1]),
    )
    for at, _index, item in ordered:
        if isinstance(item, Handover):
            if item.group == current:
                continue
            if current:
                events[current].append(ClockEvent(at, EventKind.RESOLVE))
            current = item.group
            take(current, at)
            continue
        kind = EventKind(item.kind)
        new_mode = mode
        if mode == _RUNNING and kind == EventKind.PAUSE:
            new_mode = _PAUSED
        elif mode == _PAUSED and kind == EventKind.RESUME:
            new_mode = _RUNNING
        elif mode in (_RUNNING, _PAUSED) and kind == EventKind.RESOLVE:
            new_mode = _STOPPED
        elif mode == _STOPPED and kind == EventKind.REOPEN:
            new_mode = _RUNNING
        if new_mode != mode:
            mode = new_mode
            if current:
                events[current].append(ClockEvent(at, kind))
    return {
        group: GroupClock(start=starts[group], events=tuple(events[group]), holding=group == current)
        for group in starts
    }
