"""Reads of the monitoring app for the screens, the API and the availability report.

Everything is computed from the roll-ups (`rollups.py`, written by `services.roll_up`): availability
over a period is the sum of the buckets that make it up, so a month costs one query whatever the
number of results. The CMDB does not exist yet, so checks are grouped by tag and by their `host`
field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery

from beheer.accounts.models import User
from beheer.core import clock

from . import rollups
from .models import Bucket, Check, CheckKind, CheckResult, CheckRollup, MaintenanceWindow
from .rollups import MINUTE, Totals

STATUSES = ("up", "down", "maintenance", "flapping", "unknown")
# how long the roll-up keeps minute and hour buckets (day buckets are kept forever)
MINUTE_RETENTION = timedelta(days=3)
HOUR_RETENTION = timedelta(days=90)


def zone() -> ZoneInfo:
    """The installation's time zone: day buckets start at its midnight."""
    return ZoneInfo(settings.TIME_ZONE)


def hold(check: Check) -> timedelta:
    """How long one result stands for the check's state when no next result comes."""
    if check.kind == CheckKind.PUSH:
        return timedelta(seconds=check.interval_seconds + check.grace_seconds)
    return timedelta(seconds=2 * check.interval_seconds + check.timeout_seconds)


def totals_of(row: CheckRollup) -> Totals:
    """A roll-up row's figures (a histogram stored shorter than today's bins is padded)."""
    histogram = list(row.latency_histogram or [])
    return Totals(
        up=row.up_seconds,
        down=row.down_seconds,
        maintenance=row.maintenance_seconds,
        unknown=row.unknown_seconds,
        outages=row.outages,
        latency_count=row.latency_count,
        latency_sum=row.latency_sum,
        latency_max=row.latency_max,
        histogram=histogram + [0] * (rollups.BINS - len(histogram)),
    )


def retained_since(now: datetime) -> tuple[datetime, datetime]:
    """From when on minute and hour buckets are still kept (for `rollups.decompose`)."""
    return now - MINUTE_RETENTION, now - HOUR_RETENTION


def period_totals(check_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, Totals]:
    """Totals per check over [start, end), rounded to whole minutes (see `rollups.decompose`)."""
    ids = list(check_ids)
    start, end = rollups.floor_to(start, MINUTE), rollups.floor_to(end, MINUTE)
    out: dict[int, Totals] = {pk: Totals() for pk in ids}
    minutes_since, hours_since = retained_since(clock.now())
    pieces = rollups.decompose(start, end, zone(), minutes_since=minutes_since, hours_since=hours_since)
    if not ids or not pieces:
        return out
    where = reduce(or_, (Q(bucket=b, start__gte=s, start__lt=e) for b, s, e in pieces))
    for row in CheckRollup.objects.filter(where, check_obj_id__in=ids).iterator(chunk_size=2000):
        out[row.check_obj_id].add(totals_of(row))
    return out


def check_status(check: Check, *, now: datetime, maintenance_ids: set[int]) -> str:
    """up, down, maintenance, flapping or unknown: what the overview shows for the check."""
    state = getattr(check, "state", None)
    if check.pk in maintenance_ids:
        return "maintenance"
    if state is None or state.last_result_at is None or now - state.last_result_at > hold(check):
        return "unknown"
    if state.flapping:
        return "flapping"
    return "down" if state.hard_status == "down" else "up"


def in_maintenance_now(checks: Sequence[Check], now: datetime) -> set[int]:
    """The checks inside a maintenance window at `now` (windows read once, not per check)."""
    from .services import _active_windows

    active = [w for w in _active_windows() if w.window.active_at(now)]
    return {
        c.pk
        for c in checks
        if any(w.covers(c.pk, frozenset(c.tag_list), c.host.strip().lower()) for w in active)
    }


@dataclass
class Group:
    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))


def overview(user: User, *, now: datetime | None = None) -> dict[str, Any]:
    """The status overview: every active check with its state, grouped per tag and per host.

    A fixed number of queries whatever the number of checks: the checks with their state and last
    latency, the maintenance windows, and the minute roll-ups of the last hour for the sparklines.
    """
    now = now or clock.now()
    last = CheckResult.objects.filter(check_obj=OuterRef("pk")).order_by("-at", "-id")
    checks = list(
        Check.objects.visible_to(user)
        .filter(active=True)
        .select_related("state")
        .annotate(last_latency=Subquery(last.values("latency_ms")[:1]))
        .order_by("name", "id")
    )
    maintenance = in_maintenance_now(checks, now)
    spark_end = rollups.floor_to(now, MINUTE) + MINUTE
    spark_start = spark_end - timedelta(hours=1)
    points: dict[int, list[float | None]] = defaultdict(lambda: [None] * 60)
    minute_rows = CheckRollup.objects.filter(
        bucket=Bucket.MINUTE,
        start__gte=spark_start,
        start__lt=spark_end,
        check_obj__in=[c.pk for c in checks],
    ).values_list("check_obj_id", "start", "latency_count", "latency_sum")
    for check_id, start, count, total in minute_rows:
        if count:
            points[check_id][(start - spark_start) // MINUTE] = total / count
    rows = []
    totals = dict.fromkeys(STATUSES, 0)
    for c in checks:
        status = check_status(c, now=now, maintenance_ids=maintenance)
        totals[status] += 1
        state = getattr(c, "state", None)
        rows.append(
            {
                "check": c,
                "status": status,
                "since": state.hard_changed_at if state else None,
                "last_result_at": state.last_result_at if state else None,
                "latency": c.last_latency,
                "points": points[c.pk],
                "error": state.error if state else "",
                "error_at": state.error_at if state else None,
            }
        )
    by_tag: dict[str, Group] = {}
    by_host: dict[str, Group] = {}
    for row in rows:
        check: Check = row["check"]
        for tag in check.tag_list or [""]:
            group = by_tag.setdefault(tag, Group(tag))
            group.rows.append(row)
            group.counts[row["status"]] += 1
        host = by_host.setdefault(check.host, Group(check.host))
        host.rows.append(row)
        host.counts[row["status"]] += 1
    return {
        "rows": rows,
        "counts": totals,
        "errors": [row for row in rows if row["error"]],
        "by_tag": sorted(by_tag.values(), key=lambda g: (g.name == "", g.name)),
        "by_host": sorted(by_host.values(), key=lambda g: (g.name == "", g.name)),
        "now": now,
    }


def state_changes(check: Check, *, limit: int = 50, scan: int = 5000) -> list[dict[str, Any]]:
    """The latest changes between up and down, newest first, from the latest `scan` results."""
    results = list(
        CheckResult.objects.filter(check_obj=check).order_by("-at", "-id").values_list("at", "ok")[:scan]
    )
    results.reverse()
    changes = []
    previous: bool | None = None
    for at, ok in results:
        if ok != previous:
            changes.append({"at": at, "status": "up" if ok else "down"})
            previous = ok
    return list(reversed(changes))[:limit]


def windows_for(check: Check) -> list[MaintenanceWindow]:
    """The active maintenance windows that apply to the check (directly, through a tag or through
    its host)."""
    direct = set(check.maintenance_windows.values_list("pk", flat=True))
    tags, host = set(check.tag_list), check.host.strip().lower()
    return [
        w
        for w in MaintenanceWindow.objects.filter(active=True).order_by("name", "id")
        if w.pk in direct or set(w.tag_list) & tags or (host and host in w.host_list)
    ]


# --------------------------------------------------------------------------------------------------
# availability report


def norm_met(check: Check, t: Totals) -> dict[str, bool | None]:
    pct = t.percent
    availability = None if pct is None else Decimal(str(round(pct, 4))) >= check.availability_target
    p95 = t.latency_p95
    latency = None if check.latency_target_ms is None or p95 is None else p95 <= check.latency_target_ms
    return {"availability": availability, "latency": latency}


def _figures(t: Totals) -> dict[str, Any]:
    return {
        "availability": None if t.percent is None else round(t.percent, 3),
        "up_minutes": round(t.up / 60, 1),
        "downtime_minutes": round(t.down / 60, 1),
        "maintenance_minutes": round(t.maintenance / 60, 1),
        "outages": t.outages,
        "latency_avg": None if t.latency_avg is None else round(t.latency_avg),
        "latency_p95": t.latency_p95,
        "latency_max": t.latency_max,
    }


def availability_report(user: User, start: datetime, end: datetime) -> dict[str, Any]:
    """Availability, downtime, outages and latency per check, per tag (a service) and per host (the
    configuration item, until the CMDB exists) over [start, end), compared with each check's norm.
    Checks the user may not see are left out."""
    checks = list(Check.objects.visible_to(user).order_by("name", "id"))
    totals = period_totals([c.pk for c in checks], start, end)
    rows = []
    groups: dict[str, dict[str, tuple[Totals, list[bool | None]]]] = {"tag": {}, "host": {}}
    for c in checks:
        t = totals[c.pk]
        met = norm_met(c, t)
        if t.empty and not c.active:
            continue  # an inactive check without data in the period says nothing
        rows.append(
            {
                "id": c.pk,
                "name": c.name,
                "host": c.host,
                "tags": c.tag_list,
                "availability_target": float(c.availability_target),
                "latency_target_ms": c.latency_target_ms,
                "availability_met": met["availability"],
                "latency_met": met["latency"],
                **_figures(t),
            }
        )
        for kind, names in (("tag", c.tag_list), ("host", [c.host] if c.host else [])):
            for name in names:
                group_totals, group_met = groups[kind].setdefault(name, (Totals(), []))
                group_totals.add(t)
                group_met.append(met["availability"])
    measured = [r for r in rows if r["availability_met"] is not None]
    return {
        "period": {"start": start, "end": end},
        "checks": rows,
        "tags": _group_rows("tag", groups["tag"]),
        "hosts": _group_rows("host", groups["host"]),
        "summary": {
            "checks": len(rows),
            "measured": len(measured),
            "met": sum(1 for r in measured if r["availability_met"]),
            "not_met": sum(1 for r in measured if not r["availability_met"]),
        },
    }


def _group_rows(key: str, groups: dict[str, tuple[Totals, list[bool | None]]]) -> list[dict[str, Any]]:
    return [
        {
            key: name,
            "checks": len(met),
            "checks_met": sum(1 for m in met if m),
            "checks_not_met": sum(1 for m in met if m is False),
            **_figures(t),
        }
        for name, (t, met) in sorted(groups.items())
    ]


# --------------------------------------------------------------------------------------------------
# public status pages


PUBLIC_STATUS = {
    "up": "up",
    "down": "down",
    "flapping": "degraded",
    "maintenance": "maintenance",
    "unknown": "unknown",
}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def public_status(slug: str, *, now: datetime | None = None) -> dict[str, Any] | None:
    """What a public status page shows, or None for an unknown or inactive page.

    Only the public names, a coarse state and the availability: never a check's own name, target,
    host, tags or result details. A fixed number of queries whatever the number of entries.
    """
    from .models import StatusPage, StatusPageEntry

    page = StatusPage.objects.filter(slug=slug, active=True).first()
    if page is None:
        return None
    now = now or clock.now()
    entries = list(
        StatusPageEntry.objects.filter(page=page, check_obj__active=True)
        .select_related("check_obj", "check_obj__state")
        .order_by("position", "id")
    )
    checks = [e.check_obj for e in entries]
    maintenance = in_maintenance_now(checks, now)
    day = period_totals([c.pk for c in checks], now - timedelta(days=1), now)
    month = period_totals([c.pk for c in checks], now - timedelta(days=30), now)
    services = []
    for entry in entries:
        check = entry.check_obj
        status = PUBLIC_STATUS[check_status(check, now=now, maintenance_ids=maintenance)]
        services.append(
            {
                "name": entry.public_name,
                "status": status,
                "availability_24h": _rounded(day[check.pk].percent),
                "availability_30d": _rounded(month[check.pk].percent),
            }
        )
    overall = "up"
    if any(s["status"] == "down" for s in services):
        overall = "down"
    elif any(s["status"] in ("degraded", "maintenance") for s in services):
        overall = "degraded"
    return {
        "title": page.title,
        "introduction": page.introduction,
        "status": overall,
        "services": services,
        "updated_at": now,
    }
