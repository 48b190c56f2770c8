"""The state of one check: SOFT and HARD states, retries and flap detection. Pure logic, no ORM.

A failing result first makes the check *soft* down; only after `max_attempts` consecutive failures
(checked at the retry interval) is it *hard* down, and only a hard change is worth a melding or a
notification. A success after a soft failure is a soft recovery (nothing to report); a success
after a hard failure is a hard recovery at once.

Flap detection follows Nagios/Icinga: over the last `window` results, each change between up and
down counts with a weight from 0.8 (oldest) to 1.2 (newest); the weighted changes as a percentage
of the possible changes is the *percent state change*. Above `flap_high` the check is flapping,
below `flap_low` it settles. The percentage is judged over a full window, or sooner over the last
six results once they hold three changes (up, down, up, down: a second failure right after a
recovery). While
flapping, hard changes are recorded but not reported; when it settles, one report says where it
settled if that differs from what was last reported. A target that was up and then alternates thus
gives one failure report (and its recovery) per flap episode, plus one on settling.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from enum import StrEnum

EARLY_RESULTS = 6  # the last results judged before a full window ...
EARLY_CHANGES = 3  # ... once they hold this many changes of state


class Status(StrEnum):
    UP = "up"
    DOWN = "down"


class EventKind(StrEnum):
    HARD_DOWN = "hard_down"  # report: open (or re-open) a melding, notify
    HARD_UP = "hard_up"  # report: recovery
    FLAPPING_STARTED = "flapping_started"
    FLAPPING_STOPPED = "flapping_stopped"


@dataclass(frozen=True)
class Policy:
    max_attempts: int = 3
    window: int = 21
    flap_high: float = 30.0
    flap_low: float = 25.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 3 <= self.window <= 100:
            raise ValueError("the flap window is 3 to 100 results")
        if not 0 < self.flap_low <= self.flap_high <= 100:
            raise ValueError("0 < flap_low <= flap_high <= 100")


@dataclass(frozen=True)
class State:
    status: Status = Status.UP  # the last result
    hard_status: Status = Status.UP  # the confirmed state
    attempt: int = 0  # consecutive failures while not hard down
    recent: tuple[bool, ...] = ()  # the last `window` results, oldest first (True = up)
    flapping: bool = False
    reported: Status = Status.UP  # what the last report said

    @property
    def soft(self) -> bool:
        """Failing, but not yet confirmed."""
        return self.status != self.hard_status


@dataclass(frozen=True)
class Event:
    kind: EventKind
    reported: bool  # True when this event should reach people (a melding, a notification)


def percent_state_change(results: tuple[bool, ...]) -> float:
    """Weighted percentage of changes between consecutive results (0 with fewer than two)."""
    n = len(results)
    if n < 2:
        return 0.0
    changes = n - 1
    total = 0.0
    for i in range(1, n):
        if results[i] != results[i - 1]:
            # the i-th change of `changes`: weights rise linearly from 0.8 to 1.2
            weight = 0.8 + 0.4 * (i - 1) / (changes - 1) if changes > 1 else 1.0
            total += weight
    return 100.0 * total / changes


def step(state: State, ok: bool, policy: Policy = Policy()) -> tuple[State, list[Event]]:
    """The next state after one result, with what happened."""
    if (
        ok
        and state.attempt == 0
        and not state.flapping
        and state.status == Status.UP
        and state.hard_status == Status.UP
        and len(state.recent) == policy.window
        and all(state.recent)
    ):
        return state, []  # up for a whole window and up again: nothing changes (the common case)
    events: list[Event] = []
    recent = (*state.recent, ok)[-policy.window :]
    status = Status.UP if ok else Status.DOWN
    hard, attempt = state.hard_status, state.attempt
    if ok:
        attempt = 0
        became = Status.UP if hard == Status.DOWN else None
        hard = Status.UP
    else:
        attempt = min(attempt + 1, policy.max_attempts)
        became = Status.DOWN if hard == Status.UP and attempt >= policy.max_attempts else None
        if became is not None:
            hard = Status.DOWN

    flapping = state.flapping
    pct = percent_state_change(recent)
    # judged over a full window, or sooner over the last few results once they hold three changes
    # (a second failure right after a recovery): an alternating target is recognised before it
    # has alerted twice
    tail = recent[-EARLY_RESULTS:]
    early = sum(1 for a, b in itertools.pairwise(tail) if a != b) >= EARLY_CHANGES
    judged = (len(recent) >= policy.window and pct > policy.flap_high) or (
        early and percent_state_change(tail) > policy.flap_high
    )
    if not flapping and judged:
        flapping = True
        events.append(Event(EventKind.FLAPPING_STARTED, reported=True))
    elif flapping and pct < policy.flap_low:
        flapping = False
        events.append(Event(EventKind.FLAPPING_STOPPED, reported=False))

    reported = state.reported
    if became is not None:
        kind = EventKind.HARD_DOWN if became == Status.DOWN else EventKind.HARD_UP
        tell = not flapping and became != reported
        events.append(Event(kind, reported=tell))
        if tell:
            reported = became
    if state.flapping and not flapping and hard != reported:
        # settled somewhere other than the last report: one report on settling
        kind = EventKind.HARD_DOWN if hard == Status.DOWN else EventKind.HARD_UP
        events.append(Event(kind, reported=True))
        reported = hard
    new = replace(
        state,
        status=status,
        hard_status=hard,
        attempt=attempt,
        recent=recent,
        flapping=flapping,
        reported=reported,
    )
    return new, events
