"""The forward schedule of changes (wijzigingskalender): every open change with a planned window in
a period, with its CIs and the services they affect, and the overlaps to warn about: two changes
whose windows overlap and that share a CI or an affected service.

Bounded and without a query per change: one query for the changes (index `change_status_planned`),
one for their CIs (the same filter as a subquery), the CMDB's upward walk for all those CIs at once
(`cmdb.impact.reach_each`, one statement per 500 CIs) and one query for which of the CIs reached are
services. The overlaps come from one sweep over the windows in start order.

A year can hold thousands of changes, so this stays lean per change: the windows are read as the
driver gives them (`_rows`: no per-value converters), each CI's services are worked out once, and
the changes are kept as plain tuples of plain values (`Row`), which the garbage collector stops
tracking, rather than thousands of objects it would walk again and again; `Schedule.changes`
gives them as `Scheduled` objects where a caller wants those (the API, the month and week views).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from beheer.cmdb import impact as cmdb_impact
from beheer.cmdb.models import CiKind, ConfigurationItem

from ..models import Change, ChangeCi, ChangeStatus, format_change_number
from ._base import phases

MAX_DAYS = 366
MAX_CHANGES = 5000  # in one period; more are left out (the page says so)
MAX_OVERLAPS = 500


# A change in the schedule: id, title, kind, phase name, start, end, its CIs as (id, name) pairs by
# name and the ids of the services they rest on.
Row = tuple[int, str, str, str, datetime, datetime, tuple[tuple[int, str], ...], tuple[int, ...]]


@dataclass(slots=True)
class Scheduled:
    id: int
    title: str
    kind: str
    phase: str
    start: datetime
    end: datetime
    cis: tuple[tuple[int, str], ...] = ()  # (id, name) by name
    services: frozenset[int] = frozenset()

    @classmethod
    def of(cls, row: Row) -> Scheduled:
        pk, title, kind, phase, start, end, cis, services = row
        return cls(pk, title, kind, phase, start, end, cis, frozenset(services))

    @property
    def ci_ids(self) -> frozenset[int]:
        return frozenset(pk for pk, _name in self.cis)

    @property
    def number(self) -> str:
        return format_change_number(self.id)


@dataclass(frozen=True)
class Overlap:
    first: Scheduled
    second: Scheduled
    cis: list[str]
    services: list[str]


@dataclass(frozen=True)
class Schedule:
    start: datetime
    end: datetime
    rows: list[Row]  # the changes by start
    overlaps: list[Overlap]
    truncated: bool  # more than MAX_CHANGES changes in the period
    overlaps_truncated: bool
    service_names: dict[int, str]

    @cached_property
    def changes(self) -> list[Scheduled]:
        return [Scheduled.of(row) for row in self.rows]

    def overlapping_ids(self) -> set[int]:
        return {o.first.id for o in self.overlaps} | {o.second.id for o in self.overlaps}


def _rows(queryset: QuerySet[Any, Any]) -> tuple[list[tuple[Any, ...]], Any]:
    """The rows of a `values_list` queryset as the database driver gives them, without Django's
    per-value converters (thousands of datetimes a page), and the time zone of the naive datetimes
    among them (SQLite's): see `_aware`."""
    connection = connections[queryset.db]
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # visible_to(...) gave none()
        return [], connection.timezone
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall(), connection.timezone


def _aware(value: datetime, zone: Any) -> datetime:
    """`value` made aware as Django's converter would: naive values are in the connection's zone."""
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def forward_schedule(user: object, start: datetime, end: datetime) -> Schedule:
    """The open changes visible to `user` whose planned window overlaps [start, end), by start."""
    if end - start > timedelta(days=MAX_DAYS):
        end = start + timedelta(days=MAX_DAYS)
    names = {p.pk: p.name for p in phases()}
    window_rows = (
        Change.objects.visible_to(user)
        .filter(
            status=ChangeStatus.OPEN,
            planned_start__isnull=False,
            planned_end__isnull=False,
            planned_start__lt=end,
            planned_end__gt=start,
        )
        .order_by("planned_start", "id")
    )
    rows, zone = _rows(
        window_rows.values_list("id", "title", "kind", "phase_id", "planned_start", "planned_end")[
            : MAX_CHANGES + 1
        ]
    )
    truncated = len(rows) > MAX_CHANGES
    del rows[MAX_CHANGES:]
    cis_of = _cis_of(window_rows.values("pk")[:MAX_CHANGES]) if rows else {}  # the same filter
    service_names, services_of = _services(cis_of)
    changes: list[Row] = [
        (
            pk,
            title,
            kind,
            names.get(phase_id, ""),
            _aware(s, zone),
            _aware(e, zone),
            cis_of.get(pk, ()),
            services_of.get(pk, ()),
        )
        for pk, title, kind, phase_id, s, e in rows
        if s is not None and e is not None
    ]
    overlaps, overlaps_truncated = find_overlaps(changes, service_names)
    return Schedule(start, end, changes, overlaps, truncated, overlaps_truncated, service_names)


def _cis_of(change_ids: QuerySet[Any, Any]) -> dict[int, tuple[tuple[int, str], ...]]:
    """The CIs of each change in `change_ids` (a subquery), (id, name) by name; one pair per CI."""
    links = (
        ChangeCi.objects.filter(change__in=change_ids)
        .order_by("change_id", "ci__name", "ci_id")
        .values_list("change_id", "ci_id", "ci__name")
    )
    pairs: dict[int, tuple[int, str]] = {}
    found: dict[int, tuple[tuple[int, str], ...]] = {}
    current: int | None = None
    mine: list[tuple[int, str]] = []
    for change_id, ci_id, name in links.iterator(chunk_size=2000):
        if change_id != current:
            if current is not None:
                found[current] = tuple(mine)
            current, mine = change_id, []
        pair = pairs.get(ci_id)
        if pair is None:
            pair = pairs[ci_id] = (ci_id, name)
        mine.append(pair)
    if current is not None:
        found[current] = tuple(mine)
    return found


def _services(
    cis_of: dict[int, tuple[tuple[int, str], ...]],
) -> tuple[dict[int, str], dict[int, tuple[int, ...]]]:
    """The names of the services the CIs in `cis_of` rest on, and the ids of each change's services
    (sorted; one tuple per distinct set, shared by the changes that have it)."""
    every_ci = {pk for cis in cis_of.values() for pk, _name in cis}
    if not every_ci:
        return {}, {}
    reached = cmdb_impact.reach_each(every_ci, cmdb_impact.UP)
    every_reached = set().union(*reached.values())
    service_names = dict(
        ConfigurationItem.objects.filter(pk__in=every_reached, ci_type__kind=CiKind.SERVICE).values_list(
            "pk", "name"
        )
    )
    of_ci = {ci: tuple(sorted(pk for pk in up if pk in service_names)) for ci, up in reached.items()}
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}
    services_of: dict[int, tuple[int, ...]] = {}
    for change_id, cis in cis_of.items():
        if len(cis) == 1:
            services_of[change_id] = of_ci.get(cis[0][0], ())
        else:
            mine = tuple(sorted({pk for ci, _name in cis for pk in of_ci.get(ci, ())}))
            services_of[change_id] = shared.setdefault(mine, mine)
    return service_names, services_of


def find_overlaps(changes: list[Row], service_names: dict[int, str]) -> tuple[list[Overlap], bool]:
    """Pairs of `changes` (sorted by start) whose windows overlap and that share a CI or a service:
    one sweep in start order that keeps the changes still running (with their CI and service ids)."""
    found: list[Overlap] = []
    active: list[tuple[Row, frozenset[int], frozenset[int]]] = []
    made: dict[int, Scheduled] = {}

    def scheduled(row: Row) -> Scheduled:
        if row[0] not in made:
            made[row[0]] = Scheduled.of(row)
        return made[row[0]]

    for c in changes:
        start, cis_c = c[4], c[6]
        if active:
            active = [a for a in active if a[0][5] > start]
        if not cis_c:
            continue
        mine, my_services = frozenset(pk for pk, _name in cis_c), frozenset(c[7])
        for a, theirs, their_services in active:
            cis = mine & theirs
            services = my_services & their_services
            if cis or services:
                if len(found) >= MAX_OVERLAPS:
                    return found, True
                ci_names = dict(cis_c)
                found.append(
                    Overlap(
                        scheduled(a),
                        scheduled(c),
                        sorted(ci_names[pk] for pk in cis),
                        sorted(service_names[pk] for pk in services),
                    )
                )
        active.append((c, mine, my_services))
    return found, False
