"""The forward schedule of changes (wijzigingskalender): every open change with a planned window in
a period, with its CIs and the services they affect, and the overlaps to warn about: two changes
whose windows overlap and that share a CI or an affected service.

Bounded and without a query per change: one query for the changes (index `change_status_planned`),
one for their CIs (the same filter as a subquery), the CMDB's upward walk for all those CIs at once
(`cmdb.impact.reach_each`, one statement per 500 CIs) and one query for which of the CIs reached are
services. The overlaps come from one sweep over the windows in start order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from beheer.cmdb import impact as cmdb_impact
from beheer.cmdb.models import CiKind, ConfigurationItem

from ..models import Change, ChangeCi, ChangeStatus, format_change_number
from ._base import phases

MAX_DAYS = 366
MAX_CHANGES = 5000  # in one period; more are left out (the page says so)
MAX_OVERLAPS = 500


@dataclass
class Scheduled:
    id: int
    title: str
    kind: str
    phase: str
    start: datetime
    end: datetime
    cis: list[tuple[int, str]] = field(default_factory=list)
    services: set[int] = field(default_factory=set)
    ci_ids: set[int] = field(default_factory=set)

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
    changes: list[Scheduled]
    overlaps: list[Overlap]
    truncated: bool  # more than MAX_CHANGES changes in the period
    overlaps_truncated: bool
    service_names: dict[int, str]

    def overlapping_ids(self) -> set[int]:
        return {o.first.id for o in self.overlaps} | {o.second.id for o in self.overlaps}


def forward_schedule(user: object, start: datetime, end: datetime) -> Schedule:
    """The open changes visible to `user` whose planned window overlaps [start, end), by start."""
    if end - start > timedelta(days=MAX_DAYS):
        end = start + timedelta(days=MAX_DAYS)
    names = {p.pk: p.name for p in phases()}
    window_rows = Change.objects.visible_to(user).filter(
        status=ChangeStatus.OPEN,
        planned_start__isnull=False,
        planned_end__isnull=False,
        planned_start__lt=end,
        planned_end__gt=start,
    )
    rows = list(
        window_rows.order_by("planned_start", "id").values_list(
            "id", "title", "kind", "phase_id", "planned_start", "planned_end"
        )[: MAX_CHANGES + 1]
    )
    truncated = len(rows) > MAX_CHANGES
    changes = [
        Scheduled(pk, title, kind, names.get(phase_id, ""), s, e)
        for pk, title, kind, phase_id, s, e in rows[:MAX_CHANGES]
        if s is not None and e is not None
    ]
    by_id = {c.id: c for c in changes}
    links = (
        ChangeCi.objects.filter(change__in=window_rows.values("pk"))  # one query: the same filter
        .order_by("change_id", "ci__name", "ci_id")
        .values_list("change_id", "ci_id", "ci__name")
    )
    for change_id, ci_id, name in links:
        found = by_id.get(change_id)
        if found is not None:
            found.cis.append((ci_id, name))
            found.ci_ids.add(ci_id)
    every_ci = {pk for c in changes for pk in c.ci_ids}
    service_names: dict[int, str] = {}
    if every_ci:
        reached = cmdb_impact.reach_each(every_ci, cmdb_impact.UP)
        every_reached = set().union(*reached.values())
        service_names = dict(
            ConfigurationItem.objects.filter(pk__in=every_reached, ci_type__kind=CiKind.SERVICE).values_list(
                "pk", "name"
            )
        )
        for c in changes:
            for ci in c.ci_ids:
                c.services.update(pk for pk in reached.get(ci, ()) if pk in service_names)
    overlaps, overlaps_truncated = find_overlaps(changes, service_names)
    return Schedule(start, end, changes, overlaps, truncated, overlaps_truncated, service_names)


def find_overlaps(changes: list[Scheduled], service_names: dict[int, str]) -> tuple[list[Overlap], bool]:
    """Pairs of `changes` (sorted by start) whose windows overlap and that share a CI or a service."""
    found: list[Overlap] = []
    active: list[Scheduled] = []
    for c in changes:
        active = [a for a in active if a.end > c.start]
        if c.cis:
            mine = c.ci_ids
            for a in active:
                if not a.cis:
                    continue
                cis = mine & a.ci_ids
                services = c.services & a.services
                if cis or services:
                    if len(found) >= MAX_OVERLAPS:
                        return found, True
                    ci_names = dict(c.cis)
                    found.append(
                        Overlap(
                            a,
                            c,
                            sorted(ci_names[pk] for pk in cis),
                            sorted(service_names[pk] for pk in services),
                        )
                    )
        active.append(c)
    return found, False
