"""The planner's estimate of a search word is asked once a minute, for a bounded number of words."""

from __future__ import annotations

import pytest

from beheer.core import search

CLOCK = [1000.0]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The words the planner is asked about; the clock stands still unless CLOCK is moved."""
    calls: list[str] = []

    def estimate(ts: str) -> float:
        calls.append(ts)
        return float(len(calls))

    monkeypatch.setattr(search, "_estimate", estimate)
    monkeypatch.setattr(search.time, "monotonic", lambda: CLOCK[0])
    monkeypatch.setattr(search, "_estimates", {})
    return calls


def test_a_repeated_word_is_estimated_once_a_minute(asked: list[str]) -> None:
    first = search._recent_estimate("printer:*")
    assert search._recent_estimate("printer:*") == first
    assert asked == ["printer:*"]
    search._recent_estimate("scanner:*")
    assert asked == ["printer:*", "scanner:*"]
    CLOCK[0] += search._ESTIMATE_SECONDS + 1
    assert search._recent_estimate("printer:*") != first  # asked again after a minute
    assert asked == ["printer:*", "scanner:*", "printer:*"]


def test_the_kept_estimates_are_bounded(asked: list[str]) -> None:
    for i in range(search._ESTIMATES_KEPT + 50):
        search._recent_estimate(f"woord{i}:*")
    assert len(search._estimates) == search._ESTIMATES_KEPT
    search._recent_estimate("woord0:*")  # the oldest went first: asked again
    assert asked[-1] == "woord0:*"
    count = len(asked)
    search._recent_estimate(f"woord{search._ESTIMATES_KEPT + 49}:*")  # the newest is still kept
    assert len(asked) == count
