"""The monitor process: claims due checks, probes them concurrently, records the results.

One asyncio loop per process. Checks are shared between any number of monitor processes through
the database: a process claims a due check with a conditional UPDATE that sets a lease (owner and
expiry); a process that dies leaves leases that expire, and another process takes the checks over
within one lease period. Each check's first run is spread over its interval by a phase offset
derived from its id, so a restart never fires every check at once.

Every outbound connection goes through `guarded_addresses`: the target's name is resolved here and
each address is checked against the administrator's network policy before anything connects; the
HTTP client uses the same policy through its resolver, so redirects cannot reach a forbidden address.

The probes themselves live in probes.py (one per kind); push checks need no probe.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import logging
import os
import socket
import ssl
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from django.db import close_old_connections, transaction
from django.db.models import Q

from beheer.core import clock

from . import probes, services
from .guard import NetworkPolicy
from .models import Check, CheckKind, CheckState
from .probes import (  # noqa: F401  (re-exported: the engine's public names before probes.py)
    MAX_REDIRECTS,
    GuardedResolver,
    Probe,
    guarded_addresses,
    probe_http,
    probe_tcp,
)

logger = logging.getLogger(__name__)

PROBED_KINDS = tuple(kind for kind in CheckKind if kind != CheckKind.PUSH)
LEASE = timedelta(seconds=120)


def phase_offset(check_id: int, interval_seconds: int) -> int:
    """A stable offset in [0, interval) for the check's first run."""
    digest = hashlib.sha256(f"beheer-check-{check_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % max(1, interval_seconds)


# --------------------------------------------------------------------------------------------------
# claiming (synchronous: runs in a worker thread)


def ensure_states(now: datetime) -> None:
    """Every active probed check has a state row with a first due time (phase-offset)."""
    missing = Check.objects.filter(active=True, kind__in=PROBED_KINDS, state__isnull=True).values_list(
        "pk", "interval_seconds"
    )
    rows = [
        CheckState(check_obj_id=pk, next_due_at=now + timedelta(seconds=phase_offset(pk, interval)))
        for pk, interval in missing
    ]
    if rows:
        CheckState.objects.bulk_create(rows, ignore_conflicts=True)


def claim_due(owner: str, *, now: datetime, limit: int, lease: timedelta = LEASE) -> list[int]:
    """Claim up to `limit` due checks for `owner`; returns their ids. Safe with many processes."""
    ensure_states(now)
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    candidates = list(
        CheckState.objects.filter(
            free,
            next_due_at__lte=now,
            check_obj__active=True,
            check_obj__kind__in=PROBED_KINDS,
        )
        .order_by("next_due_at")
        .values_list("pk", flat=True)[: limit * 2]
    )
    claimed: list[int] = []
    for pk in candidates:
        if len(claimed) >= limit:
            break
        won = CheckState.objects.filter(free, pk=pk).update(lease_owner=owner[:100], lease_until=now + lease)
        if won:
            claimed.append(pk)
    return claimed


def finish(check_id: int, owner: str, probe: Probe, *, at: datetime) -> None:
    """Record the result and schedule the next probe (sooner while a failure is being confirmed)."""
    check = Check.objects.filter(pk=check_id, active=True).first()
    with transaction.atomic():
        if check is not None:
            services.record_result(
                check, ok=probe.ok, at=at, latency_ms=probe.latency_ms, detail=probe.detail
            )
        state = CheckState.objects.select_for_update().filter(pk=check_id).first()
        if state is None or (state.lease_owner and state.lease_owner != owner):
            return  # the lease passed to another monitor: it schedules the check now
        if check is None:
            wait = timedelta(hours=1)
        elif state.status != state.hard_status:  # failing, not yet confirmed: retry sooner
            wait = timedelta(seconds=check.retry_interval_seconds)
        else:
            wait = timedelta(seconds=check.interval_seconds)
        CheckState.objects.filter(pk=check_id).update(next_due_at=at + wait, lease_owner="", lease_until=None)


# --------------------------------------------------------------------------------------------------
# the loop


class Monitor:
    def __init__(
        self,
        *,
        policy: NetworkPolicy | None = None,
        concurrency: int = 50,
        owner: str | None = None,
        now: Callable[[], datetime] = clock.now,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy or NetworkPolicy()
        self.tls_context = tls_context
        self.concurrency = concurrency
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self.now = now
        self.in_flight: set[asyncio.Task[Any]] = set()
        # one thread does every database call: SQLite has one writer anyway, and results are
        # written one after another instead of competing for locks
        self.db = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-db")

    async def _db(self, func: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.db, func, *args)

    async def probe(self, session: aiohttp.ClientSession, check: Check) -> Probe:
        """Probe one check by its kind (options parsed once per loaded check, see probes.prepare)."""
        prepared = probes.prepare(check)
        if not prepared.needs_memo:
            return await probes.run_probe(prepared, session=session, policy=self.policy, tls=self.tls_context)
        memo = await self._db(_load_memo, check.pk)  # SNMP counter rates: the previous reading
        result = await probes.run_probe(
            prepared, session=session, policy=self.policy, tls=self.tls_context, memo=memo
        )
        if result.memo is not None:
            await self._db(_save_memo, check.pk, result.memo)
        return result

    async def _probe(self, session: aiohttp.ClientSession, check_id: int) -> None:
        check = await self._db(_load, check_id)
        if check is None:
            return
        result = await self.probe(session, check)
        await self._db(_finish_in_thread, check_id, self.owner, result, self.now())

    async def run_once(self, session: aiohttp.ClientSession) -> int:
        """Claim what is due now and probe it; returns the number of checks probed."""
        free = self.concurrency - len(self.in_flight)
        if free <= 0:
            return 0
        ids = await self._db(_claim_in_thread, self.owner, self.now(), free)
        tasks = [asyncio.create_task(self._probe(session, pk)) for pk in ids]
        for task in tasks:
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        return len(ids)

    def session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self.policy), limit=self.concurrency, ssl=self.tls_context or True
        )
        return aiohttp.ClientSession(connector=connector, headers={"User-Agent": "Beheer-monitor"})

    async def run(self, stop: asyncio.Event, *, tick: float = 1.0) -> None:
        """Until `stop` is set: claim and probe every `tick` seconds; in-flight probes finish."""
        started = self.now()
        last_beat = 0.0
        probes.warn_if_no_icmp()
        async with self.session() as session:
            while not stop.is_set():
                if time.monotonic() - last_beat > 15:
                    await self._db(_beat, started)
                    last_beat = time.monotonic()
                try:
                    await self.run_once(session)
                except Exception:  # a database hiccup must not end the monitor
                    logger.exception("Monitor iteration failed; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=tick)
            if self.in_flight:
                await asyncio.gather(*self.in_flight, return_exceptions=True)


def _load(check_id: int) -> Check | None:
    close_old_connections()
    return Check.objects.filter(pk=check_id, active=True).first()


def _load_memo(check_id: int) -> dict[str, Any]:
    close_old_connections()
    return CheckState.objects.filter(pk=check_id).values_list("memo", flat=True).first() or {}


def _save_memo(check_id: int, memo: dict[str, Any]) -> None:
    close_old_connections()
    services.keep_probe_memo(check_id, memo=memo)


def _claim_in_thread(owner: str, now: datetime, limit: int) -> list[int]:
    close_old_connections()
    return claim_due(owner, now=now, limit=limit)


def _finish_in_thread(check_id: int, owner: str, probe: Probe, at: datetime) -> None:
    close_old_connections()
    try:
        finish(check_id, owner, probe, at=at)
    except Exception:
        logger.exception("Recording the result of check %s failed", check_id)


def _beat(started: datetime) -> None:
    from beheer.core import scheduler

    close_old_connections()
    scheduler.beat("monitor", started_at=started)
