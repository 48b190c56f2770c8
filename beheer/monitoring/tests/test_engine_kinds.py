"""The monitor probes every kind of check defined through the services, with their options."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from beheer.accounts.models import User
from beheer.core.outbound import NetworkPolicy
from beheer.monitoring import probes, services
from beheer.monitoring.engine import PROBED_KINDS, Monitor
from beheer.monitoring.models import Check, CheckKind, CheckResult, CheckState
from tests.helpers import restore_default_configuration
from tests.mailserver import make_certificate

from .servers import SNMP_COMMUNITY, DnsTarget, HttpTarget, SnmpAgent, TlsTarget, snmpd_binary

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The details asserted here are the English ones (the tests otherwise run in LANGUAGE_CODE, nl)."""
    with translation.override("en"):
        yield


@pytest.fixture
def web() -> Iterator[HttpTarget]:
    server = HttpTarget()
    yield server
    server.stop()


def define(actor: User, name: str, kind: str, target: str, **options: object) -> Check:
    return services.create_check(
        actor=actor, data=services.CheckData(name=name, kind=kind, target=target, options=dict(options))
    )


def run_at(monitor: Monitor, when: datetime) -> int:
    monitor.now = lambda: when

    async def once() -> int:
        async with monitor.session() as session:
            return await monitor.run_once(session)

    return asyncio.run(once())


def due(when: datetime) -> None:
    services.ensure_check_states(now=when)
    CheckState.objects.update(next_due_at=when)


def test_every_kind_but_push_is_probed():
    assert set(PROBED_KINDS) == set(CheckKind) - {CheckKind.PUSH}


@pytest.mark.django_db(transaction=True)
def test_http_dns_and_tls_checks_with_options_through_the_monitor(web, operator, tmp_path):
    restore_default_configuration()
    dns_server = DnsTarget({("intranet.school.test.", "A"): ["127.0.0.10"]})
    cert = make_certificate(tmp_path, "monitor", days=60)
    tls_server = TlsTarget(*cert)
    try:
        header = define(operator, "API", "http", web.url("/headers"), headers={"X-Token": "canary-token"})
        keyword = define(operator, "Keyword", "http", web.url("/ok"), keyword="database error")
        name = define(
            operator,
            "DNS",
            "dns",
            "intranet.school.test",
            server=f"127.0.0.1:{dns_server.port}",
            expected="127.0.0.10",
        )
        certificate = define(operator, "Certificate", "tls", f"127.0.0.1:{tls_server.port}", warn_days=30)
        # the header value is stored encrypted, and the monitor decrypts it
        stored = Check.objects.get(pk=header.pk).options["headers"]["X-Token"]
        assert stored.startswith("fernet:")
        assert "canary-token" not in stored
        due(T0)
        context = probes.default_tls_context(str(cert[0]))
        monitor = Monitor(policy=NetworkPolicy(), owner="test", tls_context=context)
        assert run_at(monitor, T0) == 4
        results = {r.check_obj_id: r for r in CheckResult.objects.all()}
        assert results[header.pk].ok, results[header.pk].detail
        assert not results[keyword.pk].ok
        assert "keyword not found" in results[keyword.pk].detail
        assert results[name.pk].ok, results[name.pk].detail
        assert results[certificate.pk].ok, results[certificate.pk].detail
        assert "issuer monitor" in results[certificate.pk].detail
    finally:
        dns_server.stop()
        tls_server.stop()


@pytest.mark.django_db(transaction=True)
def test_a_check_with_unusable_stored_options_fails_with_the_reason(web, operator):
    restore_default_configuration()
    check = define(operator, "Broken", "http", web.url("/ok"))
    Check.objects.filter(pk=check.pk).update(options={"json_path": "a..b"})  # written around the services
    due(T0)
    run_at(Monitor(owner="test"), T0)
    result = CheckResult.objects.get()
    assert not result.ok
    assert "json_path" in result.detail


@pytest.mark.django_db(transaction=True)
def test_an_snmp_counter_rate_is_kept_between_probes(operator, tmp_path):
    binary = snmpd_binary()
    if binary is None:
        if os.environ.get("BEHEER_REQUIRE_SNMPD"):
            pytest.fail("BEHEER_REQUIRE_SNMPD is set but snmpd is not installed")
        pytest.skip("snmpd is not installed")
    restore_default_configuration()
    agent = SnmpAgent(binary, tmp_path / "snmpd")
    try:
        check = define(
            operator,
            "Uptime ticks",
            "snmp",
            f"127.0.0.1:{agent.port}",
            community=SNMP_COMMUNITY,
            oid="1.3.6.1.2.1.1.3.0",
            rate=True,
            operator=">=",
            value="0",
        )
        assert Check.objects.get(pk=check.pk).options["community"].startswith("fernet:")
        monitor = Monitor(owner="test")
        due(T0)
        run_at(monitor, T0)
        memo = CheckState.objects.get(pk=check.pk).memo
        assert memo["oid"] == "1.3.6.1.2.1.1.3.0"
        assert isinstance(memo["value"], int)
        CheckState.objects.filter(pk=check.pk).update(memo={**memo, "at": memo["at"] - 5})
        due(T0 + timedelta(minutes=1))
        run_at(monitor, T0 + timedelta(minutes=1))
        latest = CheckResult.objects.filter(check_obj=check).order_by("-at").first()
        assert latest is not None
        assert latest.ok, latest.detail
        assert "/s" in latest.detail
    finally:
        agent.stop()
