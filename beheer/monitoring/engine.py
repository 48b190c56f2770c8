"""The monitor process: claims due checks, probes them concurrently, records the results.

One asyncio loop per process. Checks are shared between any number of monitor processes through
the database: a process claims a due check with a conditional UPDATE that sets a lease (owner and
expiry); a process that dies leaves leases that expire, and another process takes the checks over
within one lease period. Each check's first run is spread over its interval by a phase offset
derived from its id, so a restart never fires every check at once.

Every outbound connection goes through `guarded_addresses`: the target's name is resolved here and
each address is checked against the administrator's network policy before anything connects; the
HTTP client uses the same policy through its resolver, so redirects cannot reach a forbidden address.

The probes themselves live in the probes package (one per kind); push checks need no probe.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import logging
import os
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from django.db import close_old_connections, connection

from beheer.core import clock, loops
from beheer.core.outbound import NetworkPolicy

from . import probes, services
from .models import Check, CheckState
from .probes import (  # noqa: F401  (re-exported: the engine's public names before the probes package)
    MAX_REDIRECTS,
    GuardedResolver,
    Probe,
    guarded_addresses,
    probe_http,
    probe_tcp,
)

logger = logging.getLogger(__name__)

PROBED_KINDS = services.PROBED_KINDS
LEASE = services.LEASE


# --------------------------------------------------------------------------------------------------
# claiming (synchronous: runs in a worker thread)


def _claim(
    owner: str, *, now: datetime, limit: int, lookahead: timedelta, lease: timedelta, ensure: bool
) -> list[tuple[Any, ...]]:
    if ensure:
        services.ensure_check_states(now=now)
    return services.claim_due_states(owner, now=now, limit=limit, lookahead=lookahead, lease=lease)


def claim_due(
    owner: str,
    *,
    now: datetime,
    limit: int,
    lookahead: timedelta = timedelta(0),
    lease: timedelta = LEASE,
    ensure: bool = True,
) -> list[int]:
    """Claim up to `limit` checks due by `now + lookahead` for `owner` (`services.claim_due_states`);
    returns their ids."""
    rows = _claim(owner, now=now, limit=limit, lookahead=lookahead, lease=lease, ensure=ensure)
    return [row[0] for row in rows]


@dataclass(slots=True)
class Job:
    """A claimed check: what to probe, when it is due, and its state as claimed (the lease keeps other
    writers away until it is recorded)."""

    claimed: services.Claimed
    prepared: probes.Prepared

    @property
    def due_at(self) -> datetime:
        return self.claimed.due_at or clock.now()


class Plans:
    """The checks as this process knows them, by version: a check is read from the database only
    when it is new to the process or was changed (its version moved), and everything is read
    again every `refresh` seconds (a change that did not move the version is seen then)."""

    def __init__(self, refresh: float = 300.0) -> None:
        self.refresh = refresh
        self.known: dict[int, tuple[services.CheckPlan, probes.Prepared]] = {}
        self.since = time.monotonic()

    def jobs(self, rows: list[tuple[Any, ...]], *, owner: str, now: datetime) -> list[Job]:
        """Jobs for the rows `owner` claimed (CLAIMED_COLUMNS + the check's version), due first. A
        row that cannot be used (a state row that cannot be read, a check that cannot be planned) is
        set aside with the reason (`services.set_aside`); the others are probed."""
        if time.monotonic() - self.since > self.refresh:
            self.known.clear()
            self.since = time.monotonic()
        width = len(services.CLAIMED_COLUMNS)
        stale = [
            row[0] for row in rows if (k := self.known.get(row[0])) is None or k[0].version != row[width]
        ]
        broken: dict[int, Exception] = {}
        if stale:
            for check in Check.objects.filter(pk__in=stale):
                try:
                    self.known[check.pk] = (services.CheckPlan.of(check), probes.prepare(check))
                except Exception as exc:
                    self.known.pop(check.pk, None)
                    broken[check.pk] = exc
        jobs = []
        for row in rows:
            known = self.known.get(row[0])
            if known is None:  # deleted since the claim, or broken
                continue
            try:
                _id, state, melding_id, due, lease_owner = services.state_from_row(row)
            except Exception as exc:
                broken[row[0]] = exc
                continue
            if due is None:
                continue
            jobs.append(Job(services.Claimed(known[0], state, melding_id, due, lease_owner), known[1]))
        for check_id, failure in broken.items():
            error = loops.record_failure("check", check_id, failure)
            with loops.isolated("check", check_id):
                services.set_aside(check_id, owner=owner, now=now, error=error)
        jobs.sort(key=lambda job: job.due_at)
        return jobs


# --------------------------------------------------------------------------------------------------
# the loop


class Monitor:
    """Claims due checks a little ahead, starts each probe at its due time, records in batches.

    The loop claims (one statement) every `tick` what falls due within `lookahead`, at most
    `pending` checks claimed and not yet recorded; each probe waits for its moment, runs (at most
    `concurrency` at the same time), and hands its outcome to a buffer that is written every
    `flush_interval` (or sooner when large) in one transaction. All database work happens in one
    thread, in order.
    """

    LATENESS_SAMPLES = 100_000
    FLUSH_RETRIES = 5  # flushes that failed as a whole (the database was unreachable) before the
    # outcomes are dropped; per-check failures are never retried (see flush)

    def __init__(
        self,
        *,
        policy: NetworkPolicy | None = None,
        concurrency: int = 256,
        owner: str | None = None,
        now: Callable[[], datetime] = clock.now,
        lookahead: timedelta = timedelta(seconds=2),
        flush_interval: float = 1.0,
        batch: int = 500,
        pending: int | None = None,
        tls_context: ssl.SSLContext | None = None,
        tune_gc: bool = False,
    ) -> None:
        self.policy = policy or NetworkPolicy()
        self.concurrency = concurrency
        self.tls_context = tls_context
        self.tune_gc = tune_gc
        self.pending = pending or max(1000, 4 * concurrency)
        self.slots = asyncio.Semaphore(concurrency)  # made anew by session(), in the running loop
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self.now = now
        self.lookahead = lookahead
        self.flush_interval = flush_interval
        self.batch = batch
        self.in_flight: set[asyncio.Task[Any]] = set()
        self.outcomes: list[services.Outcome] = []
        self.claimed: dict[int, services.Claimed] = {}  # state rows of the buffered outcomes
        self.failed_flushes = 0  # consecutive flushes that failed as a whole
        self.plans = Plans()  # used by the database thread only
        self.probed = 0
        self.lateness_ms: list[float] = []  # the most recent start latenesses, for the benchmark
        # one thread does every database call: SQLite has one writer anyway, and results are
        # written one batch after another instead of competing for locks
        self.db = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-db")

    async def _db(self, func: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.db, _in_db_thread, func, *args)

    async def probe(self, session: aiohttp.ClientSession, check_id: int, prepared: probes.Prepared) -> Probe:
        """Probe one check by its kind (options parsed once per loaded check, see probes.prepare)."""
        if not prepared.needs_memo:
            return await probes.run_probe(prepared, session=session, policy=self.policy, tls=self.tls_context)
        memo = await self._db(_load_memo, check_id)  # SNMP counter rates: the previous reading
        result = await probes.run_probe(
            prepared, session=session, policy=self.policy, tls=self.tls_context, memo=memo
        )
        if result.memo is not None:
            await self._db(_save_memo, check_id, result.memo)
        return result

    async def _run_job(self, session: aiohttp.ClientSession, job: Job) -> None:
        claimed = job.claimed
        due_at, check_id = claimed.due_at or self.now(), claimed.plan.pk
        delay = (due_at - self.now()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)
        async with self.slots:
            started = self.now()
            self._note_lateness((started - due_at).total_seconds() * 1000)
            result = await self.probe(session, check_id, job.prepared)
        self.outcomes.append(
            services.Outcome(check_id, result.ok, started, result.latency_ms, result.detail, due_at)
        )
        self.claimed[check_id] = claimed
        self.probed += 1

    def _note_lateness(self, ms: float) -> None:
        if len(self.lateness_ms) >= self.LATENESS_SAMPLES:
            del self.lateness_ms[: self.LATENESS_SAMPLES // 2]
        self.lateness_ms.append(max(0.0, ms))

    def _start(self, session: aiohttp.ClientSession, jobs: list[Job]) -> list[asyncio.Task[Any]]:
        tasks = [asyncio.create_task(self._run_job(session, job)) for job in jobs]
        for task in tasks:
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
        return tasks

    async def claim(self, session: aiohttp.ClientSession, *, lookahead: timedelta, ensure: bool) -> int:
        """Claim and schedule what falls due within `lookahead`; returns how many were claimed, or
        -1 when every pending slot was used (more may be due: claim again soon)."""
        free = self.pending - len(self.in_flight) - len(self.outcomes)
        if free <= 0:
            return 0
        jobs = await self._db(_claim_in_thread, self.plans, self.owner, self.now(), free, lookahead, ensure)
        self._start(session, jobs)
        return -1 if len(jobs) == free else len(jobs)

    async def flush(self) -> int:
        """Write the buffered outcomes: in one transaction, or when that fails check by check, so
        one bad check costs only its own result (`services.record_batch`). Only when the database
        cannot be written at all do the outcomes stay for the next flush, a few times at most."""
        if not self.outcomes:
            return 0
        batch, self.outcomes = self.outcomes, []
        claimed, self.claimed = self.claimed, {}
        try:
            report: services.BatchReport = await self._db(
                _record_in_thread, batch, claimed, self.owner, self.now()
            )
        except Exception:
            self.failed_flushes += 1
            keep = (
                self.failed_flushes <= self.FLUSH_RETRIES
                and len(self.outcomes) + len(batch) <= 10 * self.batch
            )
            logger.exception(
                "Recording %d results failed (attempt %d); %s",
                len(batch),
                self.failed_flushes,
                "retrying" if keep else "dropped: the checks are probed again when their leases expire",
            )
            if keep:
                self.outcomes[:0] = batch
                self.claimed = {**claimed, **self.claimed}
            return 0
        self.failed_flushes = 0
        for check_id, error in report.failed.items():
            logger.warning("Check %s: its result could not be recorded: %s", check_id, error)
        return report.recorded

    async def run_once(self, session: aiohttp.ClientSession) -> int:
        """Claim what is due now, probe it and record the results; returns the number probed."""
        count = len(self.in_flight)
        await self.claim(session, lookahead=timedelta(0), ensure=True)
        count = len(self.in_flight) - count
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
        await self.flush()
        await self._db(_close_connection)
        return count

    def session(self) -> aiohttp.ClientSession:
        # a new connection for every probe: a pooled connection would hide a server that stopped
        # accepting connections
        self.slots = asyncio.Semaphore(self.concurrency)
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self.policy),
            limit=self.concurrency,
            force_close=True,
            ssl=self.tls_context or True,
        )
        return aiohttp.ClientSession(connector=connector, headers={"User-Agent": "Beheer-monitor"})

    async def run(self, stop: asyncio.Event, *, tick: float = 0.25) -> None:
        """Until `stop` is set: claim, probe and record; in-flight probes finish and are recorded."""
        started = self.now()
        probes.warn_if_no_icmp()
        # (`beheer monitor` only, it owns its process) Django, the models and the probes' modules are
        # loaded: keep them out of every later collection, and collect the young generation less
        # often, so a full collection does not delay probes that are due (the monitor makes many
        # short-lived objects, few cycles)
        if self.tune_gc:
            gc.collect()
            gc.freeze()
            gc.set_threshold(50_000, 20, 100)
        last_beat = last_ensure = last_flush = 0.0
        async with self.session() as session:
            while not stop.is_set():
                clock_now = time.monotonic()
                try:
                    if clock_now - last_beat > 15:
                        await self._db(_beat, started)
                        last_beat = clock_now
                    ensure = clock_now - last_ensure > 10
                    busy = await self.claim(session, lookahead=self.lookahead, ensure=ensure) < 0
                    if ensure:
                        last_ensure = clock_now
                    if len(self.outcomes) >= self.batch or clock_now - last_flush >= self.flush_interval:
                        await self.flush()
                        last_flush = clock_now
                except Exception:  # a database hiccup must not end the monitor
                    logger.exception("Monitor iteration failed; retrying")
                    busy = False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=min(tick, 0.1) if busy else tick)
            # SIGTERM: probes that already started finish; those still waiting for their moment are
            # dropped (their leases expire and the next monitor probes them)
            for task in list(self.in_flight):
                if not task.done():
                    task.cancel()
            if self.in_flight:
                await asyncio.gather(*self.in_flight, return_exceptions=True)
            await self.flush()
            await self._db(_close_connection)

    def stats(self) -> dict[str, Any]:
        samples = sorted(self.lateness_ms)

        def pct(p: float) -> float | None:
            return round(samples[min(len(samples) - 1, int(p * len(samples)))], 2) if samples else None

        return {"probed": self.probed, "lateness_p50_ms": pct(0.5), "lateness_p99_ms": pct(0.99)}


_connection_checked = [0.0]  # when the database thread last looked at its connection


def _in_db_thread(func: Callable[..., Any], *args: Any) -> Any:
    """Run `func` in the database thread. Its connection is checked (closed when broken or too old,
    pinged before the next use) every ten seconds and after every failure, not before every call:
    with health checks on, each check is a round trip."""
    now = time.monotonic()
    if now - _connection_checked[0] > 10:
        close_old_connections()
        _connection_checked[0] = now
    try:
        return func(*args)
    except Exception:
        _connection_checked[0] = 0.0
        raise


def _claim_in_thread(
    plans: Plans, owner: str, now: datetime, limit: int, lookahead: timedelta, ensure: bool
) -> list[Job]:
    rows = _claim(owner, now=now, limit=limit, lookahead=lookahead, lease=LEASE, ensure=ensure)
    return plans.jobs(rows, owner=owner, now=now)


def _record_in_thread(
    outcomes: list[services.Outcome], claimed: dict[int, services.Claimed], owner: str, now: datetime
) -> services.BatchReport:
    return services.record_batch(outcomes, owner=owner, now=now, claimed=claimed)


def _close_connection() -> None:
    connection.close()  # the database thread's own connection


def _load_memo(check_id: int) -> dict[str, Any]:
    return CheckState.objects.filter(pk=check_id).values_list("memo", flat=True).first() or {}


def _save_memo(check_id: int, memo: dict[str, Any]) -> None:
    services.keep_probe_memo(check_id, memo=memo)


def _beat(started: datetime) -> None:
    from beheer.core import scheduler

    from .monitor_status import capabilities

    # with what the web process cannot find out itself: whether this monitor may ping
    scheduler.beat("monitor", started_at=started, capabilities=capabilities())
