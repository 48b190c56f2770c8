"""The roll-up: results -> minute buckets -> hour buckets -> day buckets (arithmetic in `rollups.py`).

Run every minute by the worker (`periodic.py`). Each run starts where the previous run's closed
buckets end (`RollupProgress`), rebuilds every bucket from there to now, and marks the buckets that
ended more than `LAG` ago as closed; closed buckets are never written again. Running it twice
gives the same rows. A run handles at most `CHUNK` of history, so catching up after the worker was
stopped for a long time happens in steps of one day per run.

Retention: minute buckets `queries.MINUTE_RETENTION` (3 days), hour buckets `queries.HOUR_RETENTION`
(90 days), day buckets forever. Results recorded more than `LAG` after their own time (which the
monitor and the push URLs never do) are not rolled up.

No single check or row stops the run (house rule 12). The run computes inside one transaction, so a
check whose data breaks the arithmetic, or a stored bucket that cannot be read (a broken latency
histogram), is left out and counted as a failed item of the job; database errors fail the run. The
buckets of a check deleted while the run reads are dropped before they are written (`_rows`).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import DatabaseError, transaction
from django.db.models import Min, OuterRef, Subquery

from beheer.core import clock, loops

from .. import rollups
from ..availability import maintenance_intervals
from ..models import Bucket, Check, CheckResult, CheckRollup, RollupProgress
from ..queries import HOUR_RETENTION, MINUTE_RETENTION, hold, totals_of, zone
from ..rollups import HOUR, MINUTE, Totals
from ._rows import constraints_immediate, insert_for_existing_checks
from .recording import windows_covering

LAG = timedelta(minutes=2)
CHUNK = timedelta(days=1)


def _maintenance(check: Check, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    windows = windows_covering(check)
    return maintenance_intervals(windows, start, end) if windows else []


def _row(check_id: int, bucket: str, start: datetime, end: datetime, t: Totals, closed: bool) -> CheckRollup:
    return CheckRollup(
        check_obj_id=check_id,
        bucket=bucket,
        start=start,
        end=end,
        up_seconds=t.up,
        down_seconds=t.down,
        maintenance_seconds=t.maintenance,
        unknown_seconds=t.unknown,
        outages=t.outages,
        latency_count=t.latency_count,
        latency_sum=t.latency_sum,
        latency_max=t.latency_max,
        latency_histogram=t.histogram,
        closed=closed,
    )


def _minute_rows(start: datetime, end: datetime, now: datetime, horizon: datetime) -> list[CheckRollup]:
    """Minute buckets of every check for [start, end), from the results."""
    before = CheckResult.objects.filter(check_obj=OuterRef("pk"), at__lt=start).order_by("-at", "-id")
    checks = {
        c.pk: c for c in Check.objects.annotate(previous=Subquery(before.values("pk")[:1])).order_by("pk")
    }
    previous_ids = [c.previous for c in checks.values() if c.previous is not None]
    per_check: dict[int, list[tuple[datetime, bool, int | None]]] = defaultdict(list)
    for check_id, at, ok in CheckResult.objects.filter(pk__in=previous_ids).values_list(
        "check_obj_id", "at", "ok"
    ):
        per_check[check_id].append((at, ok, None))  # latency belongs to an earlier bucket
    current = (
        CheckResult.objects.filter(at__gte=start, at__lt=end)
        .order_by("check_obj_id", "at", "id")
        .values_list("check_obj_id", "at", "ok", "latency_ms")
    )
    for check_id, at, ok, latency in current.iterator(chunk_size=2000):
        per_check[check_id].append((at, ok, latency))
    rows: list[CheckRollup] = []
    until = min(end, now)
    for check_id, results in per_check.items():
        check = checks.get(check_id)
        if check is None:
            continue
        try:
            rows += _check_minute_rows(check, results, start=start, end=end, until=until, horizon=horizon)
        except DatabaseError:
            raise  # the database, not this check: the whole run is retried
        except Exception as exc:
            # one check whose data makes the arithmetic fail (a maintenance window that cannot be
            # evaluated, an impossible value) loses this run's buckets; the others are rolled up
            loops.record_failure("check", check_id, exc)
    return rows


def _check_minute_rows(
    check: Check,
    results: list[tuple[datetime, bool, int | None]],
    *,
    start: datetime,
    end: datetime,
    until: datetime,
    horizon: datetime,
) -> list[CheckRollup]:
    spans = rollups.spans_from_results([(a, ok) for a, ok, _l in results], hold=hold(check), until=until)
    buckets = rollups.distribute(spans, _maintenance(check, start, end), start=start, end=end, step=MINUTE)
    for at, _ok, latency in results:
        if latency is not None and start <= at < end:
            buckets[(at - start) // MINUTE].add_latency(latency)
    rows = []
    for i, t in enumerate(buckets):
        if not t.empty:
            b_start = start + i * MINUTE
            rows.append(
                _row(check.pk, Bucket.MINUTE, b_start, b_start + MINUTE, t, b_start + MINUTE <= horizon)
            )
    return rows


def _aggregate(
    source: Iterable[CheckRollup], bucket: str, starts: list[datetime], horizon: datetime
) -> list[CheckRollup]:
    """Rows of `bucket` (consecutive starts, the last one being the end) summed from finer rows. A
    stored row that cannot be read (a broken latency histogram) is left out and counted as a failed
    item of the job; the others are summed."""
    sums: dict[tuple[int, int], Totals] = {}
    for row in source:
        i = _index(starts, row.start)
        if i is None:
            continue
        piece = Totals()
        try:
            piece.add(totals_of(row))  # a row that cannot be read fails here, before anything is summed
        except Exception as exc:
            loops.record_failure("check", row.check_obj_id, exc)
            continue
        sums.setdefault((row.check_obj_id, i), Totals()).add(piece)
    return [
        _row(check_id, bucket, starts[i], starts[i + 1], t, starts[i + 1] <= horizon)
        for (check_id, i), t in sorted(sums.items())
    ]


def _index(starts: list[datetime], moment: datetime) -> int | None:
    i = bisect.bisect_right(starts, moment) - 1
    return i if 0 <= i < len(starts) - 1 else None


def _first_start() -> datetime | None:
    first = CheckResult.objects.aggregate(first=Min("at"))["first"]
    return None if first is None else rollups.floor_to(first, MINUTE)


def roll_up(*, now: datetime | None = None) -> int:
    """Bring the roll-ups up to `now`; returns the number of minute rows written."""
    now = now or clock.now()
    tz = zone()
    horizon = rollups.floor_to(now - LAG, MINUTE)
    progress = RollupProgress.objects.filter(bucket=Bucket.MINUTE).first()
    start = progress.closed_until if progress else _first_start()
    if start is None:
        return 0
    start = min(start, horizon)
    end = min(rollups.ceil_to(now, MINUTE), start + rollups.DAY)
    if end <= start:
        end = start + MINUTE
    closed_to = min(horizon, end)
    with transaction.atomic():
        constraints_immediate()
        minute_rows = _minute_rows(start, end, now, closed_to)
        CheckRollup.objects.filter(bucket=Bucket.MINUTE, start__gte=start, start__lt=end).delete()
        minute_rows = insert_for_existing_checks(CheckRollup, minute_rows, batch_size=1000)

        h0, h1 = rollups.floor_to(start, HOUR), rollups.ceil_to(end, HOUR)
        hour_starts = [h0 + i * HOUR for i in range((h1 - h0) // HOUR + 1)]
        minutes = CheckRollup.objects.filter(bucket=Bucket.MINUTE, start__gte=h0, start__lt=h1)
        hour_rows = _aggregate(minutes.iterator(chunk_size=2000), Bucket.HOUR, hour_starts, closed_to)
        CheckRollup.objects.filter(bucket=Bucket.HOUR, start__gte=h0, start__lt=h1).delete()
        hour_rows = insert_for_existing_checks(CheckRollup, hour_rows, batch_size=1000)

        d0 = rollups.day_start(start, tz)
        day_starts = [d0]
        while day_starts[-1] < end:
            day_starts.append(rollups.next_day(day_starts[-1], tz))
        hours = CheckRollup.objects.filter(bucket=Bucket.HOUR, start__gte=d0, start__lt=day_starts[-1])
        day_rows = _aggregate(hours.iterator(chunk_size=2000), Bucket.DAY, day_starts, closed_to)
        CheckRollup.objects.filter(bucket=Bucket.DAY, start__gte=d0, start__lt=day_starts[-1]).delete()
        day_rows = insert_for_existing_checks(CheckRollup, day_rows, batch_size=1000)

        RollupProgress.objects.update_or_create(bucket=Bucket.MINUTE, defaults={"closed_until": closed_to})
        # what later runs still aggregate (this day, from its hours and minutes) is never purged
        keep_from = d0 - HOUR
        CheckRollup.objects.filter(
            bucket=Bucket.MINUTE, start__lt=min(now - MINUTE_RETENTION, keep_from)
        ).delete()
        CheckRollup.objects.filter(
            bucket=Bucket.HOUR, start__lt=min(now - HOUR_RETENTION, keep_from)
        ).delete()
    return len(minute_rows)
