"""SOFT/HARD states, retries and flap detection of one check."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beheer.monitoring.states import (
    EARLY_CHANGES,
    EventKind,
    Policy,
    State,
    Status,
    percent_state_change,
    step,
)


def run(results: list[bool], policy: Policy = Policy()) -> tuple[State, list[tuple[int, EventKind, bool]]]:
    state, seen = State(), []
    for i, ok in enumerate(results):
        state, events = step(state, ok, policy)
        seen += [(i, e.kind, e.reported) for e in events]
    return state, seen


def reported(seen: list[tuple[int, EventKind, bool]]) -> list[tuple[int, EventKind]]:
    return [(i, kind) for i, kind, tell in seen if tell]


def test_failures_are_soft_until_the_last_attempt_then_hard_once():
    state, seen = run([False, False], Policy(max_attempts=3))
    assert state.status == Status.DOWN
    assert state.hard_status == Status.UP
    assert state.soft
    assert seen == []
    state, seen = run([False, False, False, False, False], Policy(max_attempts=3))
    assert state.hard_status == Status.DOWN
    assert reported(seen) == [(2, EventKind.HARD_DOWN)]  # the third failure, once


def test_a_soft_failure_that_recovers_reports_nothing_a_hard_one_reports_the_recovery():
    _, seen = run([False, False, True, True], Policy(max_attempts=3))
    assert seen == []
    state, seen = run([False, False, False, True], Policy(max_attempts=3))
    assert reported(seen) == [(2, EventKind.HARD_DOWN), (3, EventKind.HARD_UP)]
    assert state.hard_status == Status.UP


def test_percent_state_change_weights_recent_changes_more():
    assert percent_state_change((True,) * 21) == 0
    assert percent_state_change(tuple(i % 2 == 0 for i in range(21))) == pytest.approx(100)
    last_only = (True,) * 20 + (False,)
    first_only = (False,) + (True,) * 20
    assert percent_state_change(last_only) == pytest.approx(100 * 1.2 / 20)
    assert percent_state_change(first_only) == pytest.approx(100 * 0.8 / 20)


@pytest.mark.parametrize("attempts", [1, 3])
def test_an_alternating_target_reports_once_per_flap_episode_and_once_on_settling(attempts):
    policy = Policy(max_attempts=attempts)
    flapping = [i % 2 == 1 for i in range(60)]  # down, up, down, up, ...
    state, seen = run([*flapping, *([False] * 40)], policy)
    started = [i for i, kind, _ in seen if kind == EventKind.FLAPPING_STARTED]
    assert started == [EARLY_CHANGES]  # detected at the third change, before the window is full
    before = reported(seen)[: len([r for r in reported(seen) if r[0] < started[0]])]
    assert len(before) <= (started[0] if attempts == 1 else 0)  # real changes before detection
    during = [r for r in reported(seen) if started[0] <= r[0] < 60]
    assert during == [(started[0], EventKind.FLAPPING_STARTED)]
    settling = [kind for i, kind in reported(seen) if i >= 60]
    told_down = [kind for _, kind in before if kind in (EventKind.HARD_DOWN, EventKind.HARD_UP)][-1:] == [
        EventKind.HARD_DOWN
    ]
    # it settled down: one report, unless the last report before the flapping already said down
    assert settling == ([] if told_down else [EventKind.HARD_DOWN])
    assert state.hard_status == Status.DOWN
    assert not state.flapping


@pytest.mark.parametrize("attempts", [1, 2])
def test_a_target_that_was_up_and_starts_to_alternate_reports_one_failure(attempts):
    policy = Policy(max_attempts=attempts)
    results = [True] * 10 + [i % 2 == 1 for i in range(40)]  # up, then down, up, down, ...
    _state, seen = run(results, policy)
    downs = [i for i, kind in reported(seen) if kind == EventKind.HARD_DOWN]
    assert len(downs) <= 1
    assert EventKind.FLAPPING_STARTED in [kind for _, kind in reported(seen)]


def test_a_single_outage_is_not_flapping():
    state, seen = run([True] * 10 + [False] * 5 + [True] * 5, Policy(max_attempts=2))
    assert EventKind.FLAPPING_STARTED not in [kind for _, kind, _r in seen]
    assert [kind for _, kind in reported(seen)] == [EventKind.HARD_DOWN, EventKind.HARD_UP]
    assert not state.flapping


def test_bad_policies_are_refused():
    with pytest.raises(ValueError):
        Policy(max_attempts=0)
    with pytest.raises(ValueError):
        Policy(flap_low=40, flap_high=30)
    with pytest.raises(ValueError):
        Policy(window=2)


@settings(max_examples=300, deadline=None)
@given(results=st.lists(st.booleans(), max_size=200), attempts=st.integers(1, 5))
def test_reports_alternate_and_match_the_settled_state(results, attempts):
    """Whatever happens, reports alternate down/up (never the same twice in a row), start with
    down, and when the check is not flapping the last report matches its hard state."""
    state, seen = run(results, Policy(max_attempts=attempts))
    changes = [kind for _, kind in reported(seen) if kind in (EventKind.HARD_DOWN, EventKind.HARD_UP)]
    for a, b in itertools.pairwise(changes):
        assert a != b
    if changes:
        assert changes[0] == EventKind.HARD_DOWN
    if not state.flapping:
        assert state.reported == state.hard_status
    assert len(state.recent) <= Policy().window
    # hard down needs `attempts` consecutive failures
    if state.hard_status == Status.DOWN:
        assert not any(results[-attempts:])
