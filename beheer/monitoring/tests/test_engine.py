"""The monitor process against a real local HTTP server and real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from beheer.core import clock
from beheer.core.outbound import NetworkPolicy
from beheer.monitoring.engine import Monitor, claim_due
from beheer.monitoring.models import Check, CheckResult, CheckState
from beheer.monitoring.services import ensure_check_states, phase_offset
from beheer.servicedesk.models import Melding
from tests.helpers import restore_default_configuration

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LOOPBACK = NetworkPolicy(allowed_only=())  # the defaults still refuse metadata and link-local


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The details asserted here are the English ones (the tests otherwise run in LANGUAGE_CODE, nl)."""
    with translation.override("en"):
        yield


class Target:
    """An aiohttp server on 127.0.0.1 in its own thread: /ok, /down, /slow, /to-metadata."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.port = 0
        ready = threading.Event()

        async def ok(request: web.Request) -> web.Response:
            return web.Response(text="fine")

        async def down(request: web.Request) -> web.Response:
            return web.Response(status=503, text="maintenance")

        async def slow(request: web.Request) -> web.Response:
            await asyncio.sleep(3)
            return web.Response(text="late")

        async def to_metadata(request: web.Request) -> web.Response:
            raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")

        async def start() -> None:
            app = web.Application()
            app.add_routes(
                [
                    web.get("/ok", ok),
                    web.get("/down", down),
                    web.get("/slow", slow),
                    web.get("/to-metadata", to_metadata),
                ]
            )
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(start())
            self.loop.run_forever()

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()
        assert ready.wait(10)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    yield server
    server.stop()


def make(name: str, kind: str, target: str, **kw: Any) -> Check:
    return Check.objects.create(name=name, kind=kind, target=target, created_at=T0, **kw)


def run_at(monitor: Monitor, when: datetime) -> int:
    monitor.now = lambda: when

    async def once() -> int:
        async with monitor.session() as session:
            return await monitor.run_once(session)

    return asyncio.run(once())


def due_now(check: Check, when: datetime) -> None:
    ensure_check_states(now=when)
    CheckState.objects.filter(pk=check.pk).update(next_due_at=when)


@pytest.mark.django_db(transaction=True)
def test_http_and_tcp_checks_are_probed_and_scheduled(target):
    restore_default_configuration()
    web_ok = make("Website", "http", target.url("/ok"))
    port_ok = make("Web port", "tcp", f"127.0.0.1:{target.port}")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    port_closed = make("Closed port", "tcp", f"127.0.0.1:{closed}", timeout_seconds=2)
    monitor = Monitor(policy=LOOPBACK, owner="test-monitor")
    assert run_at(monitor, T0) == 0  # first runs are spread over the interval
    for check in (web_ok, port_ok, port_closed):
        due_now(check, T0)
    assert run_at(monitor, T0) == 3
    results = {r.check_obj_id: r for r in CheckResult.objects.all()}
    assert results[web_ok.pk].ok
    assert results[web_ok.pk].detail.startswith("HTTP 200")
    assert results[port_ok.pk].ok
    assert not results[port_closed.pk].ok
    state = CheckState.objects.get(pk=web_ok.pk)
    assert state.next_due_at == T0 + timedelta(seconds=60)
    assert state.lease_owner == ""
    assert CheckState.objects.get(pk=port_closed.pk).next_due_at == T0 + timedelta(seconds=10)  # retry


@pytest.mark.django_db(transaction=True)
def test_a_failing_site_becomes_one_melding_after_its_retries(target):
    restore_default_configuration()
    site = make("Intranet", "http", target.url("/down"), max_attempts=3)
    monitor = Monitor(policy=LOOPBACK, owner="test-monitor")
    for i in range(5):
        due_now(site, T0 + timedelta(seconds=10 * i))
        run_at(monitor, T0 + timedelta(seconds=10 * i))
    assert CheckResult.objects.filter(check_obj=site, ok=False).count() == 5
    m = Melding.objects.get()
    assert "Intranet" in m.brief_description
    assert "HTTP 503" in m.request


@pytest.mark.django_db(transaction=True)
def test_the_network_policy_refuses_metadata_addresses_and_redirects_to_them(target):
    restore_default_configuration()
    direct = make("Metadata", "http", "http://169.254.169.254/latest/meta-data/")
    redirected = make("Redirect", "http", target.url("/to-metadata"))
    tcp = make("Metadata port", "tcp", "169.254.169.254:80")
    denied = make("Denied network", "tcp", f"127.0.0.1:{target.port}")
    for check in (direct, redirected, tcp, denied):
        due_now(check, T0)
    monitor = Monitor(policy=NetworkPolicy.from_text(denied="127.0.0.0/8"), owner="test-monitor")
    assert run_at(monitor, T0) == 4
    details = {r.check_obj_id: r.detail for r in CheckResult.objects.all()}
    for check in (direct, redirected, tcp, denied):
        assert "network policy" in details[check.pk], details[check.pk]
    assert not CheckResult.objects.filter(ok=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_slow_site_times_out(target):
    restore_default_configuration()
    slow = make("Slow", "http", target.url("/slow"), timeout_seconds=1)
    due_now(slow, T0)
    run_at(Monitor(policy=LOOPBACK, owner="test-monitor"), T0)
    result = CheckResult.objects.get()
    assert not result.ok
    assert "within 1 s" in result.detail


@pytest.mark.django_db
def test_monitors_share_checks_through_leases_and_take_over_a_dead_ones():
    checks = [make(f"c{i}", "tcp", "127.0.0.1:9") for i in range(6)]
    claim_due("a", now=T0, limit=10)  # creates the states with their phase offsets
    CheckState.objects.update(next_due_at=T0)
    first = claim_due("a", now=T0, limit=4)
    second = claim_due("b", now=T0, limit=10)
    assert len(first) == 4
    assert sorted(first + second) == sorted(c.pk for c in checks)  # nothing twice, nothing left
    assert claim_due("c", now=T0 + timedelta(seconds=60), limit=10) == []  # leases still valid
    # "a" died: its leases expire and another monitor takes its checks over
    taken = claim_due("c", now=T0 + timedelta(seconds=121), limit=10)
    assert sorted(taken) == sorted(first + second)


def test_phase_offsets_are_stable_and_spread():
    offsets = [phase_offset(i, 60) for i in range(1, 1001)]
    assert all(0 <= o < 60 for o in offsets)
    assert offsets == [phase_offset(i, 60) for i in range(1, 1001)]
    assert len(set(offsets)) == 60  # every second of the minute is used
    assert max(offsets.count(o) for o in set(offsets)) < 40  # no second gets a crowd


@pytest.mark.django_db
def test_a_monitor_reads_a_check_again_only_when_its_version_moves(operator):
    from beheer.monitoring import services
    from beheer.monitoring.engine import Plans, _claim

    check = services.create_check(
        actor=operator,
        data=services.CheckData(name="Port", kind="tcp", target="127.0.0.1:1", interval_seconds=60),
    )
    plans = Plans()

    def claim(when: datetime) -> list[Any]:
        due_now(check, when)
        rows = _claim(
            "m", now=when, limit=10, lookahead=timedelta(0), lease=timedelta(seconds=1), ensure=True
        )
        return plans.jobs(rows, owner="m", now=when)

    first = claim(T0)
    assert [job.prepared.target for job in first] == ["127.0.0.1:1"]
    plan = first[0].claimed.plan
    assert claim(T0 + timedelta(seconds=2))[0].claimed.plan is plan  # not read again
    services.update_check(
        check,
        actor=operator,
        data=services.CheckData(name="Port", kind="tcp", target="127.0.0.1:2", interval_seconds=30),
        expected_version=None,
    )
    again = claim(T0 + timedelta(seconds=4))[0]
    assert again.prepared.target == "127.0.0.1:2"
    assert again.claimed.plan.interval_seconds == 30
    assert again.claimed.plan.version == plan.version + 1
    Check.objects.filter(pk=check.pk).update(target="127.0.0.1:3")  # a change that skips the version
    plans.since -= plans.refresh + 1  # ... is seen at the next full refresh
    assert claim(T0 + timedelta(seconds=6))[0].prepared.target == "127.0.0.1:3"


@pytest.mark.django_db
def test_a_batch_with_several_results_of_one_check_keeps_their_order():
    from beheer.monitoring import services

    restore_default_configuration()
    check = make("Port", "tcp", "127.0.0.1:1", max_attempts=2, interval_seconds=60, retry_interval_seconds=10)
    ensure_check_states(now=T0)
    CheckState.objects.filter(pk=check.pk).update(lease_owner="m", lease_until=T0 + timedelta(minutes=2))
    outcomes = [
        services.Outcome(check.pk, ok, T0 + timedelta(seconds=10 * i), 5, "", T0 + timedelta(seconds=10 * i))
        for i, ok in enumerate([True, False, False, True])
    ]
    assert services.record_results(list(reversed(outcomes)), owner="m", now=T0 + timedelta(seconds=31)) == 4
    state = CheckState.objects.get(pk=check.pk)
    assert (state.status, state.hard_status, state.lease_owner) == ("up", "up", "")
    assert state.recent == [True, False, False, True]
    assert state.last_result_at == T0 + timedelta(seconds=30)
    assert state.next_due_at == T0 + timedelta(seconds=90)  # an interval after the last was due
    assert state.hard_changed_at == T0 + timedelta(seconds=30)  # down at 20 s, up again at 30 s
    # the second failure made it hard down: one melding, then resolved by the recovery
    melding = Melding.objects.get()
    assert melding.status.kind == "resolved"
    assert CheckResult.objects.filter(check_obj=check).count() == 4


@pytest.mark.django_db
def test_a_result_for_a_check_another_monitor_took_over_is_kept_but_not_rescheduled():
    from beheer.monitoring import services

    check = make("Port", "tcp", "127.0.0.1:1", interval_seconds=60)
    ensure_check_states(now=T0)
    CheckState.objects.filter(pk=check.pk).update(
        lease_owner="other", lease_until=T0 + timedelta(minutes=2), next_due_at=T0 + timedelta(seconds=5)
    )
    assert services.record_results([services.Outcome(check.pk, True, T0, 3, "", T0)], owner="m", now=T0) == 1
    state = CheckState.objects.get(pk=check.pk)
    assert (state.lease_owner, state.next_due_at) == ("other", T0 + timedelta(seconds=5))
    assert CheckResult.objects.filter(check_obj=check).count() == 1


@pytest.mark.django_db
def test_the_admin_edits_nothing_the_monitor_would_miss(administrator):
    """Every edit path moves the version the monitor reads again on; the admin is none (read-only)."""
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    check = make("Port", "tcp", "127.0.0.1:1")
    model_admin = site._registry[Check]
    request = RequestFactory().post("/")
    request.user = administrator
    assert not model_admin.has_change_permission(request, check)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, check)
    assert model_admin.has_view_permission(request, check)


@pytest.mark.django_db(transaction=True)
def test_the_monitor_command_writes_details_in_the_installation_language():
    """`beheer monitor` stores details in LANGUAGE_CODE, whatever language its caller had active."""
    restore_default_configuration()
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    check = make("Closed port", "tcp", f"127.0.0.1:{closed}", timeout_seconds=2)

    def probe_once() -> str:
        due_now(check, clock.now() - timedelta(seconds=1))
        call_command("monitor", "--once", stdout=io.StringIO())
        return CheckResult.objects.filter(check_obj=check).latest("at").detail

    with translation.override("en"):
        dutch = probe_once()
        assert translation.get_language() == "en"  # the caller's language is restored afterwards
    with override_settings(LANGUAGE_CODE="en"), translation.override("nl"):
        english = probe_once()
    assert dutch.startswith("verbinding mislukt: "), dutch
    assert english.startswith("connection failed: "), english
