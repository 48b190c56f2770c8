"""The running monitor against a local target that fails, recovers and flaps, in real time.

The monitor runs its own loop in a thread (`Monitor.run`, as `beheer monitor` does) against an
aiohttp server on 127.0.0.1 whose answer the test switches. The bound under test is the issue's:
a failure is confirmed DOWN within interval + timeout + retries x retry interval + 2 s.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from django.db import OperationalError

from beheer.accounts.models import OperatorGroup
from beheer.core import clock
from beheer.core.outbound import NetworkPolicy
from beheer.monitoring.engine import Monitor
from beheer.monitoring.models import Check, CheckResult, CheckState
from beheer.monitoring.services import ensure_check_states
from beheer.notifications.models import OutgoingMessage
from beheer.servicedesk.models import Melding, StatusKind
from tests.helpers import restore_default_configuration

from .servers import Background

LOOPBACK = NetworkPolicy(allowed_only=())


class SwitchTarget(Background):
    """Answers 200 ("ok"), 503 ("fail") or alternately both ("flap"), as the test says."""

    def __init__(self) -> None:
        super().__init__()
        self.mode = "ok"
        self.requests = 0

        async def answer(request: web.Request) -> web.Response:
            self.requests += 1
            failing = self.mode == "fail" or (self.mode == "flap" and self.requests % 2 == 0)
            return web.Response(status=503 if failing else 200, text="switch")

        async def start() -> int:
            app = web.Application()
            app.router.add_get("/switch", answer)
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            return int(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

        self.port = self.run(start())

    def stop(self) -> None:
        self.run(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)


class RunningMonitor:
    """`Monitor.run` in a thread with its own event loop, stopped like SIGTERM stops it."""

    def __init__(self, monitor: Monitor) -> None:
        self.monitor = monitor
        self.ready = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self.thread.start()
        assert self.ready.wait(10)

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.stop_event = asyncio.Event()
        self.ready.set()
        await self.monitor.run(self.stop_event, tick=0.1)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(30)
        assert not self.thread.is_alive()


def wait_for(condition: Callable[[], bool], timeout: float) -> float:
    """Seconds until `condition` held; fails after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if condition():
                return time.monotonic() - started
        except OperationalError:  # SQLite's shared in-memory test database: the monitor is writing
            pass
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s")


@pytest.fixture
def switch() -> Iterator[SwitchTarget]:
    server = SwitchTarget()
    yield server
    server.stop()


def live_check(switch: SwitchTarget, **fields: Any) -> Check:
    check = Check.objects.create(
        name="Leerlingportaal",
        kind="http",
        target=f"http://127.0.0.1:{switch.port}/switch",
        created_at=clock.now(),
        **fields,
    )
    ensure_check_states(now=clock.now())
    CheckState.objects.filter(pk=check.pk).update(next_due_at=clock.now())
    return check


@pytest.mark.django_db(transaction=True)
def test_a_failure_is_confirmed_down_in_time_and_recovery_resolves_its_melding(switch):
    restore_default_configuration()
    check = live_check(
        switch, interval_seconds=2, timeout_seconds=1, max_attempts=2, retry_interval_seconds=1
    )
    running = RunningMonitor(Monitor(policy=LOOPBACK, owner="live-test"))
    try:
        wait_for(lambda: CheckResult.objects.filter(check_obj=check, ok=True).exists(), 10)
        switch.mode = "fail"
        bound = 2 + 1 + (2 - 1) * 1 + 2  # interval + timeout + retries x retry interval + 2 s
        took = wait_for(lambda: CheckState.objects.get(pk=check.pk).hard_status == "down", bound + 5)
        assert took <= bound, f"confirmed down after {took:.1f} s, bound {bound} s"
        melding = Melding.objects.get()
        assert "HTTP 503" in melding.request
        switch.mode = "ok"
        wait_for(lambda: Melding.objects.get().status.kind == StatusKind.RESOLVED, 10)
        assert Melding.objects.count() == 1  # one melding for the outage, not one per result
    finally:
        running.stop()
    # SIGTERM-like stop: nothing left claimed by the stopped monitor
    assert (
        not CheckState.objects.filter(lease_owner="live-test")
        .exclude(lease_until__isnull=True)
        .filter(lease_until__gt=clock.now() + timedelta(minutes=5))
        .exists()
    )


@pytest.mark.django_db(transaction=True)
def test_a_flapping_target_gives_at_most_one_alert_for_the_episode(switch, first_line):
    restore_default_configuration()
    OperatorGroup.objects.filter(pk=first_line.pk).update(email="eerstelijn@school.example")
    switch.mode = "flap"
    check = live_check(
        switch,
        interval_seconds=1,
        timeout_seconds=1,
        max_attempts=1,
        retry_interval_seconds=1,
        operator_group=OperatorGroup.objects.get(pk=first_line.pk),
    )
    running = RunningMonitor(Monitor(policy=LOOPBACK, owner="live-test"))
    try:
        wait_for(lambda: CheckResult.objects.filter(check_obj=check).count() >= 10, 30)
    finally:
        running.stop()
    state = CheckState.objects.get(pk=check.pk)
    assert state.flapping
    results = list(CheckResult.objects.filter(check_obj=check).order_by("at").values_list("ok", flat=True))
    assert True in results
    assert False in results
    # the first failure is reported before the flapping is recognised; after that, silence
    downs = OutgoingMessage.objects.filter(event="check_down", channel="email")
    assert downs.count() == 1
    assert downs.get().recipient == "eerstelijn@school.example"
    assert Melding.objects.count() == 1
