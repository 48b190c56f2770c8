"""The problem workflow table (pure: no ORM, unit-testable without a database).

Status flow: registered -> analysing -> known error -> resolved -> closed; a resolved problem can be
reopened (back to analysing). The status values are those of `models.ProblemStatus`.
"""

from __future__ import annotations

REGISTERED = "registered"
ANALYSING = "analysing"
KNOWN_ERROR = "known_error"
RESOLVED = "resolved"
CLOSED = "closed"

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "analyse": (frozenset({REGISTERED}), ANALYSING),
    "known_error": (frozenset({REGISTERED, ANALYSING}), KNOWN_ERROR),
    "resolve": (frozenset({REGISTERED, ANALYSING, KNOWN_ERROR}), RESOLVED),
    "close": (frozenset({RESOLVED}), CLOSED),
    "reopen": (frozenset({RESOLVED}), ANALYSING),
}


def allowed_actions(status: str) -> list[str]:
    """The status actions that may follow `status` (pure; the UI shows only these)."""
    return [name for name, (sources, _target) in TRANSITIONS.items() if status in sources]
