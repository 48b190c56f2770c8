"""Extension points: how the apps that count in business calendars take part in a calendar's life.

The calendars know no domain. Which rows count in a calendar (and so forbid archiving it), what must
be recomputed when its hours change, where its changes are recorded and which tabs its screens sit
among belong to the apps above that use calendars. Such an app registers a `CalendarUse` in its
`AppConfig.ready()` (the servicedesk: its SLA policies and OLA targets, its service-level history);
the calendar services and screens call what is registered, in the order of registration. Without a
registration a calendar is archived freely and its changes are not recorded anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: One recorded change of a field: (field, old value, new value), as text.
Change = tuple[str, str, str]


def _nothing(*args: Any) -> None:
    return None


def _none_of_them(*args: Any) -> list[Any]:
    return []


@dataclass(frozen=True)
class CalendarUse:
    """One app's use of business calendars.

    - `refuse_archive(calendar)` raises a `DomainError` (a `Conflict`) while active rows of the app
      count in the calendar; it runs with the calendar's row locked.
    - `dependents(calendar)` gives the names of those rows, shown before archiving.
    - `changed(calendar)` runs in the transaction of a change that alters what the calendar counts
      (figures derived from it are recomputed).
    - `record(calendar, actor, action, changes)` writes the change to the app's history, in the
      transaction of the change; `history(calendar_id, limit)` reads it back, newest first (rows with
      `at`, `actor`, `action`, `field`, `old_value`, `new_value`).
    - `nav_template`: a template drawn above the calendar screens (the tabs of the app's section).
    """

    name: str
    refuse_archive: Callable[[Any], None] = _nothing
    dependents: Callable[[Any], list[str]] = _none_of_them
    changed: Callable[[Any], None] = _nothing
    record: Callable[[Any, Any, str, Sequence[Change]], None] | None = None
    history: Callable[[int, int], list[Any]] | None = None
    nav_template: str = ""


_USES: dict[str, CalendarUse] = {}


def register(use: CalendarUse) -> None:
    """Add (or replace, by name) an app's use of calendars."""
    _USES[use.name] = use


def uses() -> list[CalendarUse]:
    return list(_USES.values())


def refuse_archive(calendar: Any) -> None:
    for use in uses():
        use.refuse_archive(calendar)


def dependents(calendar: Any) -> list[str]:
    return [name for use in uses() for name in use.dependents(calendar)]


def changed(calendar: Any) -> None:
    for use in uses():
        use.changed(calendar)


def record(calendar: Any, actor: Any, action: str, changes: Sequence[Change]) -> None:
    for use in uses():
        if use.record is not None:
            use.record(calendar, actor, action, changes)


def history(calendar_id: int, limit: int) -> list[Any]:
    """The recorded changes of one calendar, newest first, at most `limit`."""
    rows: list[Any] = []
    for use in uses():
        if use.history is not None:
            rows.extend(use.history(calendar_id, limit))
    rows.sort(key=lambda row: (row.at, row.pk), reverse=True)
    return rows[:limit]


def nav_template() -> str:
    return next((use.nav_template for use in uses() if use.nav_template), "")
