"""Which status kinds may follow which, per action, without the ORM.

Statuses are configurable, but every status belongs to a kind, and the kinds obey these rules:
a melding is worked on (new/open/waiting), resolved ("afgemeld"), then closed ("afgesloten").
Resolved can be reopened within the reopen period; closed is final and read-only.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum


class Kind(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Action(StrEnum):
    CHANGE = "change"  # an operator picks another working status
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


WORKING = frozenset({Kind.NEW, Kind.OPEN, Kind.WAITING})

RULES: dict[Action, dict[Kind, frozenset[Kind]]] = {
    Action.CHANGE: {k: frozenset({Kind.OPEN, Kind.WAITING}) for k in WORKING},
    Action.RESOLVE: {k: frozenset({Kind.RESOLVED}) for k in WORKING},
    Action.CLOSE: {Kind.RESOLVED: frozenset({Kind.CLOSED})},
    Action.REOPEN: {Kind.RESOLVED: frozenset({Kind.OPEN})},
}


def allowed(action: Action, current: Kind, target: Kind) -> bool:
    return target in RULES[action].get(current, frozenset())


def allowed_status(
    action: Action,
    current: Kind,
    target: Kind,
    *,
    configured_next: Collection[object] = (),
    target_id: object = None,
) -> bool:
    """Kind rules first; for a manual change, an administrator's list of next statuses narrows it."""
    if not allowed(action, current, target):
        return False
    if action is Action.CHANGE and configured_next:
        return target_id in configured_next
    return True


def is_open(kind: Kind) -> bool:
    return kind in WORKING


def is_editable(kind: Kind) -> bool:
    return kind is not Kind.CLOSED
