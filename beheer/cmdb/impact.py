"""Impact analysis: what fails with a CI (upward) and what a CI rests on (downward), transitive and
cycle-safe, and the common upstream CI of several CIs in trouble.

Each relation stores which end depends on the other (`Relation.dependent`, `.dependency`), so both
walks are one recursive query over one indexed column pair. `UNION` (not `UNION ALL`) drops a CI
already reached, which is what makes the walk stop on a cycle; SQLite and PostgreSQL run the same
statement.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from beheer.core import access

from .models import CiKind, CiType, ConfigurationItem, Relation

UP, DOWN = "up", "down"
SHOWN = 50  # CIs and people listed by name; the counts are always complete
CHUNK = 500  # start CIs per statement (SQLite's limit on parameters is far above this)
SHOWN_PEOPLE_READ = 5000  # people read to pick the first SHOWN by name


def _walk_sql(direction: str, starts: int, select: str = "SELECT id FROM reached") -> str:
    """The recursive walk from `starts` seeds, followed by `select` over the CIs reached. Built from
    this module's constants only; the ids are parameters."""
    table = Relation._meta.db_table
    near, far = ("dependency_id", "dependent_id") if direction == UP else ("dependent_id", "dependency_id")
    # the seeds cast to the id column's type: PostgreSQL refuses an integer seed for a bigint walk
    seeds = " UNION ".join(["SELECT CAST(%s AS BIGINT)"] * starts)
    return (
        f"WITH RECURSIVE reached(id) AS ({seeds} "  # noqa: S608
        f"UNION SELECT r.{far} FROM {table} r JOIN reached ON r.{near} = reached.id) {select}"
    )


def reach(ci_ids: Iterable[int], direction: str) -> set[int]:
    """Every CI reached from `ci_ids` (themselves included): upward the CIs that depend on them,
    downward the CIs they depend on, each through any number of relations."""
    starts = sorted(set(ci_ids))
    found: set[int] = set()
    with connection.cursor() as cursor:
        for i in range(0, len(starts), CHUNK):
            part = starts[i : i + CHUNK]
            cursor.execute(_walk_sql(direction, len(part)), part)
            found.update(row[0] for row in cursor.fetchall())
    return found


@dataclass(frozen=True)
class Impact:
    """What one CI's failure reaches (UP) or what it rests on (DOWN)."""

    ci: ConfigurationItem
    direction: str
    count: int = 0  # CIs reached, the CI itself not counted
    service_count: int = 0
    items: list[ConfigurationItem] = field(default_factory=list)  # the first SHOWN, services first
    people: list[Any] = field(default_factory=list)  # the first SHOWN (upward only)
    people_count: int = 0

    @property
    def services(self) -> list[ConfigurationItem]:
        return [c for c in self.items if c.ci_type.kind == CiKind.SERVICE]


def impact(ci: ConfigurationItem, direction: str = UP, *, user: Any) -> Impact:
    """The impact of `ci` for staff (nothing for anyone else): the CIs reached with the services
    among them, and upward the people who use or own a CI reached, `ci` itself included. One walk
    reads the kind and name of every CI reached; only the first SHOWN are read as objects."""
    if not access.is_staff(user):
        return Impact(ci, direction)
    items = ConfigurationItem._meta.db_table
    types = CiType._meta.db_table
    select = (
        f"SELECT c.id, c.name, t.kind FROM reached JOIN {items} c ON c.id = reached.id "  # noqa: S608
        f"JOIN {types} t ON t.id = c.ci_type_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(_walk_sql(direction, 1, select), [ci.pk])
        rows = [row for row in cursor.fetchall() if row[0] != ci.pk]
    service_count = sum(1 for row in rows if row[2] == CiKind.SERVICE)
    first = heapq.nsmallest(SHOWN, rows, key=lambda row: (row[2] != CiKind.SERVICE, row[1], row[0]))
    order = {row[0]: n for n, row in enumerate(first)}
    shown = sorted(
        ConfigurationItem.objects.visible_to(user).select_related("ci_type").filter(pk__in=list(order)),
        key=lambda c: order[c.pk],
    )
    people_count, people = (0, []) if direction == DOWN else _people(ci.pk)
    return Impact(ci, direction, len(rows), service_count, shown, people, people_count)


def _people(ci_id: int) -> tuple[int, list[Any]]:
    """How many people use or own a CI that fails with `ci_id`, and the first SHOWN by name (among
    the first SHOWN_PEOPLE_READ by id when there are more)."""
    users = ConfigurationItem.users.through._meta.db_table
    items = ConfigurationItem._meta.db_table
    select = (
        f"SELECT cu.user_id FROM reached JOIN {users} cu ON cu.configurationitem_id = reached.id "  # noqa: S608
        f"UNION SELECT c.owner_id FROM reached JOIN {items} c ON c.id = reached.id "
        "WHERE c.owner_id IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(_walk_sql(UP, 1, select), [ci_id])
        ids = {row[0] for row in cursor.fetchall()}
    people = get_user_model().objects.filter(pk__in=sorted(ids)[:SHOWN_PEOPLE_READ])
    return len(ids), list(people.order_by("last_name", "first_name", "id")[:SHOWN])


def common_causes(troubled: Iterable[int]) -> dict[int, int]:
    """For CIs in trouble (open meldingen, failing checks): the likely cause of each, where two or
    more of them rest on a common CI (one of them included). The cause named is the common CI that
    the most troubled CIs rest on; among equals the nearest to the trouble (the one the others rest
    on: an access switch before the core switch behind it), then the lowest id. A troubled CI that
    shares nothing with another has no entry."""
    below = reach_each(troubled, DOWN)
    return pick_causes(below, lambda ci: below[ci] if ci in below else reach([ci], DOWN))


def reach_each(ci_ids: Iterable[int], direction: str) -> dict[int, set[int]]:
    """`reach` of every CI in `ci_ids` on its own (each set includes the CI itself), in one walk per
    CHUNK of origins: the walk carries its origin, and `UNION` drops an (origin, CI) pair already
    reached, so a cycle ends it as in `reach`."""
    table = Relation._meta.db_table
    near, far = ("dependency_id", "dependent_id") if direction == UP else ("dependent_id", "dependency_id")
    starts = sorted(set(ci_ids))
    found: dict[int, set[int]] = {ci: {ci} for ci in starts}
    with connection.cursor() as cursor:
        for i in range(0, len(starts), CHUNK):
            part = starts[i : i + CHUNK]
            seeds = " UNION ".join(["SELECT CAST(%s AS BIGINT), CAST(%s AS BIGINT)"] * len(part))
            cursor.execute(
                f"WITH RECURSIVE reached(origin, id) AS ({seeds} "  # noqa: S608
                f"UNION SELECT reached.origin, r.{far} FROM {table} r JOIN reached ON r.{near} = reached.id) "
                "SELECT origin, id FROM reached",
                [v for ci in part for v in (ci, ci)],
            )
            for origin, ci in cursor.fetchall():
                found[origin].add(ci)
    return found


def likely_causes() -> dict[int, int]:
    """`common_causes` of every CI in trouble now, by the sources the apps above register
    (`extensions.register_trouble_source`: open meldingen, failing checks)."""
    from . import extensions

    return common_causes(extensions.troubled())


def likely_cause(ci_id: int) -> tuple[ConfigurationItem | None, int]:
    """The likely common cause of CI `ci_id`'s trouble (a CI upstream that it shares with other CIs
    in trouble) and the number of those others; (None, 0) when there is none. What the melding and
    the check pages show: the trouble and its common causes (`likely_causes`) and the cause's name."""
    causes = likely_causes()
    cause_id = causes.get(ci_id)
    if cause_id is None or cause_id == ci_id:
        return None, 0
    cause = ConfigurationItem.objects.filter(pk=cause_id).only("pk", "name").first()
    if cause is None:
        return None, 0
    return cause, sum(1 for troubled, c in causes.items() if c == cause_id and troubled != ci_id)


def pick_causes(below: dict[int, set[int]], rests_on: Callable[[int], set[int]]) -> dict[int, int]:
    """The pure part of `common_causes`: `below` maps each troubled CI to what it rests on (itself
    included); `rests_on` gives the same for any CI, asked only for the tied candidates."""
    shared: dict[int, int] = {}
    for reached in below.values():
        for ci in reached:
            shared[ci] = shared.get(ci, 0) + 1
    nearness: dict[tuple[int, frozenset[int]], int] = {}
    causes: dict[int, int] = {}
    for ci, reached in below.items():
        mine = [c for c in reached if shared[c] >= 2]
        if not mine:
            continue
        most = max(shared[c] for c in mine)
        tied = frozenset(c for c in mine if shared[c] == most)

        def near(c: int, tied: frozenset[int] = tied) -> int:
            key = (c, tied)
            if key not in nearness:
                nearness[key] = len(rests_on(c) & tied)
            return nearness[key]

        causes[ci] = min(tied, key=lambda c: (-near(c), c))
    return causes
