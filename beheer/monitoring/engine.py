"""The monitor process: claims due checks, probes them concurrently, records the results.

One asyncio loop per process. Checks are shared between any number of monitor processes through
the database: a process claims a due check with a conditional UPDATE that sets a lease (owner and
expiry); a process that dies leaves leases that expire, and another process takes the checks over
within one lease period. Each check's first run is spread over its interval by a phase offset
derived from its id, so a restart never fires every check at once.

Every outbound connection goes through `guarded_addresses`: the target's name is resolved here and
each address is checked against the administrator's network policy before anything connects; the
HTTP client uses the same policy through its resolver, so redirects cannot reach a forbidden address.

HTTP and TCP checks are probed here; the other kinds follow (push checks need no probe).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import ipaddress
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult
from django.db import close_old_connections, transaction
from django.db.models import Q

from beheer.core import clock

from . import services
from .guard import AddressRefused, NetworkPolicy
from .models import Check, CheckKind, CheckState

logger = logging.getLogger(__name__)

PROBED_KINDS = (CheckKind.HTTP, CheckKind.TCP)
MAX_REDIRECTS = 5
LEASE = timedelta(seconds=120)
DETAIL_MAX = 300


def phase_offset(check_id: int, interval_seconds: int) -> int:
    """A stable offset in [0, interval) for the check's first run."""
    digest = hashlib.sha256(f"beheer-check-{check_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % max(1, interval_seconds)


@dataclass(frozen=True)
class Probe:
    ok: bool
    latency_ms: int | None
    detail: str


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
# probing (asynchronous)


async def guarded_addresses(host: str, port: int, policy: NetworkPolicy) -> list[str]:
    """The target's addresses the policy allows; AddressRefused when none is allowed."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressRefused(f"cannot resolve {host}: {exc.strerror}") from exc
    allowed, refused = [], []
    for info in infos:
        address = str(info[4][0])
        try:
            policy.check(address)
        except AddressRefused as exc:
            refused.append(str(exc))
            continue
        if address not in allowed:
            allowed.append(address)
    if not allowed:
        raise AddressRefused(refused[0] if refused else f"no address for {host}")
    return allowed


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, refusing addresses outside the network policy (also after redirects)."""

    def __init__(self, policy: NetworkPolicy) -> None:
        self.policy = policy

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_UNSPEC) -> list[ResolveResult]:
        addresses = await guarded_addresses(host, port, self.policy)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None


def _short(text: str) -> str:
    return " ".join(text.split())[:DETAIL_MAX]


async def probe_tcp(target: str, timeout: float, policy: NetworkPolicy) -> Probe:
    host, _, port_text = target.rpartition(":")
    host = host.strip("[]")
    if not host or not port_text.isdigit():
        return Probe(False, None, _short(f"target must be host:port, got {target!r}"))
    started = time.monotonic()
    try:
        addresses = await guarded_addresses(host, int(port_text), policy)
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(addresses[0], int(port_text)), timeout
        )
        writer.close()
        await writer.wait_closed()
    except AddressRefused as exc:
        return Probe(False, None, _short(f"refused by the network policy: {exc}"))
    except TimeoutError:
        return Probe(False, None, f"no connection within {timeout:g} s")
    except OSError as exc:
        return Probe(False, None, _short(f"connection failed: {exc.strerror or exc}"))
    return Probe(True, int((time.monotonic() - started) * 1000), f"connected to {addresses[0]}:{port_text}")


def _check_literal(url: str, policy: NetworkPolicy) -> None:
    """aiohttp does not resolve an IP address written in the URL: check it here."""
    host = (urlsplit(url).hostname or "").strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return  # a name: the guarded resolver checks what it resolves to
    policy.check(host)


async def probe_http(
    session: aiohttp.ClientSession, target: str, timeout: float, policy: NetworkPolicy | None = None
) -> Probe:
    policy = policy or NetworkPolicy()
    if urlsplit(target).scheme not in ("http", "https"):
        return Probe(False, None, _short(f"target must be an http or https URL, got {target!r}"))
    started = time.monotonic()
    url = target
    try:
        async with asyncio.timeout(timeout):
            for _hop in range(MAX_REDIRECTS + 1):
                _check_literal(url, policy)
                async with session.get(url, allow_redirects=False) as response:
                    location = response.headers.get("Location")
                    if response.status in (301, 302, 303, 307, 308) and location:
                        url = str(response.url.join(yarl.URL(location)))
                        if urlsplit(url).scheme not in ("http", "https"):
                            return Probe(False, None, _short(f"redirect to a non-http URL: {url}"))
                        continue
                    await response.content.read(65536)  # enough to know the server answered
                    latency = int((time.monotonic() - started) * 1000)
                    ok = response.status < 400
                    return Probe(ok, latency, f"HTTP {response.status} {response.reason or ''}".strip())
            return Probe(False, None, f"more than {MAX_REDIRECTS} redirects")
    except AddressRefused as exc:
        return Probe(False, None, _short(f"refused by the network policy: {exc}"))
    except TimeoutError:
        return Probe(False, None, f"no answer within {timeout:g} s")
    except aiohttp.ClientError as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, AddressRefused) else exc
        prefix = "refused by the network policy: " if isinstance(cause, AddressRefused) else ""
        return Probe(False, None, _short(f"{prefix}{cause}"))


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
    ) -> None:
        self.policy = policy or NetworkPolicy()
        self.concurrency = concurrency
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self.now = now
        self.in_flight: set[asyncio.Task[Any]] = set()
        # one thread does every database call: SQLite has one writer anyway, and results are
        # written one after another instead of competing for locks
        self.db = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-db")

    async def _db(self, func: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.db, func, *args)

    async def _probe(self, session: aiohttp.ClientSession, check_id: int) -> None:
        check = await self._db(_load, check_id)
        if check is None:
            return
        if check.kind == CheckKind.TCP:
            result = await probe_tcp(check.target, check.timeout_seconds, self.policy)
        else:
            result = await probe_http(session, check.target, check.timeout_seconds, self.policy)
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
        connector = aiohttp.TCPConnector(resolver=GuardedResolver(self.policy), limit=self.concurrency)
        return aiohttp.ClientSession(connector=connector, headers={"User-Agent": "Beheer-monitor"})

    async def run(self, stop: asyncio.Event, *, tick: float = 1.0) -> None:
        """Until `stop` is set: claim and probe every `tick` seconds; in-flight probes finish."""
        started = self.now()
        last_beat = 0.0
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
