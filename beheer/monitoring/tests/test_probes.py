"""Every kind of probe against real local targets on 127.0.0.1, and the guard in front of each."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from django.utils import translation

from beheer.core.outbound import NetworkPolicy
from beheer.monitoring import probes
from beheer.monitoring.options import parse
from beheer.monitoring.probes import (
    GuardedResolver,
    probe_dns,
    probe_http,
    probe_ping,
    probe_snmp,
    probe_tcp,
    probe_tls,
)
from tests.mailserver import make_certificate

from .servers import (
    CANARY_BODY,
    SNMP_AUTH_KEY,
    SNMP_COMMUNITY,
    SNMP_PRIV_KEY,
    SNMP_USER,
    DnsTarget,
    HttpTarget,
    SnmpAgent,
    TlsTarget,
    snmpd_binary,
)

LOOPBACK = NetworkPolicy()
NO_LOOPBACK = NetworkPolicy.from_text(denied="127.0.0.0/8, ::1/128")
REFUSED = "refused by the network policy: "


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The details asserted here are the English ones (the tests otherwise run in LANGUAGE_CODE, nl)."""
    with translation.override("en"):
        yield


def opts(kind: str, data: dict[str, Any] | None) -> Any:
    """Parsed options, typed loosely for the probe functions."""
    return parse(kind, data)


@pytest.fixture(scope="module")
def web() -> Iterator[HttpTarget]:
    server = HttpTarget()
    yield server
    server.stop()


def http(
    target: str, options: dict[str, Any] | None = None, policy: NetworkPolicy = LOOPBACK, timeout: float = 5
):
    async def go() -> probes.Probe:
        connector = aiohttp.TCPConnector(resolver=GuardedResolver(policy), force_close=True)
        async with aiohttp.ClientSession(connector=connector) as session:
            return await probe_http(session, target, timeout, policy, opts("http", options or {}))

    return asyncio.run(go())


# --------------------------------------------------------------------------------------------------
# HTTP


def test_http_status_codes(web):
    assert http(web.url("/ok")).ok
    down = http(web.url("/down"))
    assert not down.ok
    assert down.detail.startswith("HTTP 503")
    assert http(web.url("/down"), {"expected_status": "500-599"}).ok
    assert not http(web.url("/ok"), {"expected_status": "204"}).ok
    assert http(web.url("/ok"), {"method": "HEAD"}).ok


def test_http_keyword_and_regex_without_showing_the_body(web):
    assert http(web.url("/ok"), {"keyword": "systems fine"}).ok
    missing = http(web.url("/ok"), {"keyword": "database error"})
    assert not missing.ok
    assert "keyword not found" in missing.detail
    assert CANARY_BODY not in missing.detail
    assert http(web.url("/ok"), {"keyword": r"fine\s+canary", "keyword_regex": True}).ok
    present = http(web.url("/ok"), {"keyword": "fine", "keyword_absent": True})
    assert not present.ok
    assert "keyword found" in present.detail
    # the body is read up to 1 MB: a keyword past that is not found
    assert not http(web.url("/big"), {"keyword": "needle"}).ok
    assert http(web.url("/big"), {"keyword": "xxxx"}).ok


def test_http_json_conditions(web):
    url = web.url("/json")
    assert http(url, {"json_path": "status.db", "json_value": "ok"}).ok
    assert http(url, {"json_path": "status.load", "json_operator": "<", "json_value": "0.9"}).ok
    assert http(url, {"json_path": "items[0].ok", "json_operator": "==", "json_value": "true"}).ok
    assert http(url, {"json_path": "items[0]", "json_operator": "exists"}).ok
    failed = http(url, {"json_path": "canary", "json_operator": "==", "json_value": "x"})
    assert not failed.ok
    assert "JSON condition not met: canary == x" in failed.detail
    assert CANARY_BODY not in failed.detail
    assert not http(url, {"json_path": "items[3].ok", "json_operator": "exists"}).ok
    not_json = http(web.url("/ok"), {"json_path": "status"})
    assert not not_json.ok
    assert "not JSON" in not_json.detail


def test_http_max_latency_makes_a_slow_answer_down(web):
    slow = http(web.url("/slow?ms=400"), {"max_latency_ms": 100})
    assert not slow.ok
    assert "slow" in slow.detail
    assert slow.latency_ms is not None
    assert slow.latency_ms >= 400
    assert http(web.url("/slow?ms=10"), {"max_latency_ms": 60_000}).ok


def test_http_redirects_followed_at_most_five_or_not_at_all(web):
    assert http(web.url("/redirect/4")).ok  # 5 hops to /ok
    too_many = http(web.url("/redirect/6"))
    assert not too_many.ok
    assert "more than 5 redirects" in too_many.detail
    not_followed = http(web.url("/redirect/0"), {"follow_redirects": False})
    assert not_followed.ok  # 302 is within the default 200-399
    assert not_followed.detail.startswith("HTTP 302")
    assert not http(web.url("/redirect/0"), {"follow_redirects": False, "expected_status": "200"}).ok


def test_http_custom_headers_are_sent(web):
    assert not http(web.url("/headers")).ok
    assert http(web.url("/headers"), {"headers": {"X-Token": "canary-token"}}).ok
    assert web.seen_headers.get("X-Token") == "canary-token"


def test_http_redirect_to_metadata_is_refused(web):
    result = http(web.url("/to-metadata"))
    assert not result.ok
    assert result.detail.startswith(REFUSED)


def test_https_verifies_certificates_unless_told_to_ignore_errors(tmp_path):
    cert = make_certificate(tmp_path, "https", days=30)
    server = HttpTarget(tls=cert)
    try:
        untrusted = http(server.url("/ok"))
        assert not untrusted.ok
        assert "certificate" in untrusted.detail.lower()
        assert http(server.url("/ok"), {"ignore_tls_errors": True}).ok

        async def trusted() -> probes.Probe:  # an internal CA given to the monitor
            context = probes.default_tls_context(str(cert[0]))
            return await probe_http(None, server.url("/ok"), 5, LOOPBACK, opts("http", {}), tls=context)

        assert asyncio.run(trusted()).ok
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------
# TLS


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("tls")
    return {
        "valid": make_certificate(root, "valid", days=90),
        "near": make_certificate(root, "near", days=3),
        "expired": make_certificate(root, "expired", days=-2),
        "wronghost": make_certificate(root, "wronghost", days=90, alt_names=("other.example",)),
    }


def tls(cert: tuple[Path, Path], warn_days: int = 14, trust: bool = True) -> probes.Probe:
    server = TlsTarget(*cert)
    try:
        context = probes.default_tls_context(str(cert[0]) if trust else None)
        return asyncio.run(
            probe_tls(
                f"127.0.0.1:{server.port}",
                5,
                LOOPBACK,
                opts("tls", {"warn_days": warn_days}),
                context=context,
            )
        )
    finally:
        server.stop()


def test_tls_certificate_valid_near_expiry_expired_and_wrong_host(certificates):
    valid = tls(certificates["valid"])
    assert valid.ok, valid.detail
    assert "issuer valid" in valid.detail
    assert "(89 days)" in valid.detail or "(90 days)" in valid.detail

    near = tls(certificates["near"])
    assert not near.ok
    assert "expires within 14 days" in near.detail
    assert tls(certificates["near"], warn_days=1).ok

    expired = tls(certificates["expired"])
    assert not expired.ok
    assert expired.detail.startswith("invalid certificate")
    assert "expired" in expired.detail
    assert "issuer expired" in expired.detail  # the date and issuer still shown

    wrong = tls(certificates["wronghost"])
    assert not wrong.ok
    assert "mismatch" in wrong.detail

    untrusted = tls(certificates["valid"], trust=False)
    assert not untrusted.ok
    assert "self-signed" in untrusted.detail or "self signed" in untrusted.detail


# --------------------------------------------------------------------------------------------------
# DNS


@pytest.fixture(scope="module")
def resolver() -> Iterator[DnsTarget]:
    server = DnsTarget(
        {
            ("intranet.school.test.", "A"): ["127.0.0.10", "127.0.0.11"],
            ("intranet.school.test.", "AAAA"): ["::1"],
            ("school.test.", "MX"): ["10 mail.school.test."],
            ("school.test.", "TXT"): ['"v=spf1 -all"'],
            ("10.0.0.127.in-addr.arpa.", "PTR"): ["intranet.school.test."],
        }
    )
    yield server
    server.stop()


def dns(target: str, options: dict[str, Any], policy: NetworkPolicy = LOOPBACK) -> probes.Probe:
    return asyncio.run(probe_dns(target, 3, policy, opts("dns", options)))


def test_dns_records_and_expected_answers(resolver):
    server = f"127.0.0.1:{resolver.port}"
    a = dns("intranet.school.test", {"server": server})
    assert a.ok
    assert "127.0.0.10" in a.detail
    assert dns("intranet.school.test", {"server": server, "expected": "127.0.0.11"}).ok
    wrong = dns("intranet.school.test", {"server": server, "expected": "127.0.0.99"})
    assert not wrong.ok
    assert "not in the answer" in wrong.detail
    assert dns("intranet.school.test", {"server": server, "record_type": "AAAA", "expected": "::1"}).ok
    assert dns("school.test", {"server": server, "record_type": "MX", "expected": "mail.school.test"}).ok
    assert dns("school.test", {"server": server, "record_type": "TXT", "expected": "v=spf1 -all"}).ok
    assert dns("127.0.0.10", {"server": server, "record_type": "PTR", "expected": "intranet.school.test."}).ok
    nx = dns("nothing.school.test", {"server": server})
    assert not nx.ok
    assert "NXDOMAIN" in nx.detail
    no_record = dns("school.test", {"server": server, "record_type": "A"})
    assert not no_record.ok
    assert "no A record" in no_record.detail


# --------------------------------------------------------------------------------------------------
# ping


def test_ping_loopback_or_a_clear_message_when_icmp_is_not_permitted():
    result = asyncio.run(probe_ping("127.0.0.1", 3, LOOPBACK, opts("ping", {"count": 2})))
    if probes.detect_icmp() is None:  # neither unprivileged nor raw ICMP sockets on this machine
        assert result == probes.Probe(False, None, probes.ICMP_UNAVAILABLE)
    else:
        assert result.ok, result.detail
        assert "2/2 replies from 127.0.0.1" in result.detail


def test_ping_without_icmp_permission_says_so(monkeypatch, caplog):
    monkeypatch.setattr(probes.ping, "_icmp_mode", [None])
    monkeypatch.setattr(probes.ping, "_warned", [])
    result = asyncio.run(probe_ping("127.0.0.1", 3, LOOPBACK, opts("ping", {})))
    assert not result.ok
    assert "net.ipv4.ping_group_range" in result.detail
    assert "CAP_NET_RAW" in result.detail
    with caplog.at_level("WARNING"):
        probes.warn_if_no_icmp()
        probes.warn_if_no_icmp()
    assert sum("ping_group_range" in r.getMessage() for r in caplog.records) == 1  # warned once


# --------------------------------------------------------------------------------------------------
# SNMP


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SnmpAgent]:
    binary = snmpd_binary()
    if binary is None:
        if os.environ.get("BEHEER_REQUIRE_SNMPD"):
            pytest.fail("BEHEER_REQUIRE_SNMPD is set but snmpd is not installed (apt-get install snmpd)")
        pytest.skip("snmpd is not installed (apt-get install snmpd); CI sets BEHEER_REQUIRE_SNMPD")
    server = SnmpAgent(binary, tmp_path_factory.mktemp("snmpd"))
    yield server
    server.stop()


def snmp(agent: SnmpAgent, options: dict[str, Any], **kw: Any) -> probes.Probe:
    return asyncio.run(probe_snmp(f"127.0.0.1:{agent.port}", 2, LOOPBACK, opts("snmp", options), **kw))


V3 = {
    "version": "3",
    "username": SNMP_USER,
    "auth_protocol": "SHA",
    "auth_key": SNMP_AUTH_KEY,
    "priv_protocol": "AES",
    "priv_key": SNMP_PRIV_KEY,
}
IF_OPER_STATUS_1 = "1.3.6.1.2.1.2.2.1.8.1"  # the loopback interface: 1 = up


def test_snmp_v2c_interface_status_and_conditions(agent):
    up = snmp(agent, {"community": SNMP_COMMUNITY, "oid": IF_OPER_STATUS_1, "operator": "==", "value": "1"})
    assert up.ok, up.detail
    assert up.detail == f"{IF_OPER_STATUS_1} = 1"
    down = snmp(agent, {"community": SNMP_COMMUNITY, "oid": IF_OPER_STATUS_1, "operator": "==", "value": "2"})
    assert not down.ok
    assert "expected == 2" in down.detail
    text = snmp(
        agent,
        {"community": SNMP_COMMUNITY, "oid": "1.3.6.1.2.1.1.6.0", "operator": "contains", "value": "rack"},
    )
    assert text.ok
    missing = snmp(agent, {"community": SNMP_COMMUNITY, "oid": "1.3.6.1.2.1.1.6.99"})
    assert not missing.ok
    assert "no such object" in missing.detail
    wrong_community = snmp(agent, {"community": "not-the-community", "oid": IF_OPER_STATUS_1})
    assert not wrong_community.ok
    assert SNMP_COMMUNITY not in wrong_community.detail


def test_snmp_v3_with_authentication_and_privacy(agent):
    good = snmp(agent, {**V3, "oid": IF_OPER_STATUS_1, "operator": "==", "value": "1"})
    assert good.ok, good.detail
    bad = snmp(agent, {**V3, "auth_key": "wrong-pass-123", "oid": IF_OPER_STATUS_1})
    assert not bad.ok
    assert "wrong-pass-123" not in bad.detail


def test_snmp_counter_rate_between_two_probes(agent):
    options = {
        "community": SNMP_COMMUNITY,
        "oid": "1.3.6.1.2.1.1.3.0",
        "rate": True,
        "operator": ">",
        "value": "50",
    }
    first = snmp(agent, options, memo={}, at=1000.0)
    assert first.ok
    assert first.memo is not None
    assert first.memo["oid"] == "1.3.6.1.2.1.1.3.0"
    # sysUpTime counts hundredths of a second: about 100 per second, whatever the interval
    earlier = {**first.memo, "value": first.memo["value"] - 1000, "at": 990.0}
    second = snmp(agent, options, memo=earlier, at=1000.0)
    assert second.ok, second.detail
    assert "/s" in second.detail
    slow = snmp(agent, {**options, "operator": "<", "value": "50"}, memo=earlier, at=1000.0)
    assert not slow.ok
    restarted = snmp(agent, options, memo={**first.memo, "value": first.memo["value"] + 10**9}, at=1000.0)
    assert restarted.ok
    assert "restarted" in restarted.detail


# --------------------------------------------------------------------------------------------------
# the guard, for every kind


def test_every_kind_is_refused_by_the_network_policy(web, resolver):
    context = ssl.create_default_context()
    queries_before = resolver.queries
    results = {
        "http": http(web.url("/ok"), policy=NO_LOOPBACK),
        "tcp": asyncio.run(probe_tcp(f"127.0.0.1:{web.port}", 2, NO_LOOPBACK)),
        "tls": asyncio.run(
            probe_tls(f"127.0.0.1:{web.port}", 2, NO_LOOPBACK, opts("tls", {}), context=context)
        ),
        "dns": dns("intranet.school.test", {"server": f"127.0.0.1:{resolver.port}"}, policy=NO_LOOPBACK),
        "ping": asyncio.run(probe_ping("127.0.0.1", 2, NO_LOOPBACK, opts("ping", {}), privileged=True)),
        "snmp": asyncio.run(
            probe_snmp("127.0.0.1:161", 2, NO_LOOPBACK, opts("snmp", {"oid": IF_OPER_STATUS_1}))
        ),
        "ipv6": asyncio.run(probe_tcp(f"[::1]:{web.port}", 2, NO_LOOPBACK)),
        "metadata": asyncio.run(probe_tcp("169.254.169.254:80", 2, LOOPBACK)),
    }
    for kind, result in results.items():
        assert not result.ok, kind
        assert result.detail.startswith(REFUSED), (kind, result.detail)
    assert resolver.queries == queries_before  # the refused DNS probe sent nothing


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::", "::169.254.169.254", "::ffff:0:a9fe:a9fe", "fd00:ec2:0::254"],
)
def test_probes_refuse_every_ipv6_spelling_of_the_metadata_address(address):
    results = {
        "tcp": asyncio.run(probe_tcp(f"[{address}]:80", 2, LOOPBACK)),
        "http": http(f"http://[{address}]/latest/meta-data/"),
    }
    for kind, result in results.items():
        assert not result.ok, kind
        assert result.detail.startswith(REFUSED), (kind, result.detail)


@pytest.mark.parametrize("address", ["168.63.129.16", "192.0.0.192"])
def test_probes_refuse_the_azure_and_oracle_metadata_addresses(address):
    result = asyncio.run(probe_tcp(f"{address}:80", 2, LOOPBACK))
    assert not result.ok
    assert result.detail.startswith(REFUSED)


# --------------------------------------------------------------------------------------------------
# the language of the details


def closed_port() -> int:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_details_are_written_in_the_active_language(web):
    refused_target = f"127.0.0.1:{closed_port()}"
    with translation.override("nl"):
        tcp_nl = asyncio.run(probe_tcp(refused_target, 2, LOOPBACK))
        http_nl = http(web.url("/down"))
        policy_nl = http(web.url("/ok"), policy=NO_LOOPBACK)
    with translation.override("en"):
        tcp_en = asyncio.run(probe_tcp(refused_target, 2, LOOPBACK))
        http_en = http(web.url("/down"))
        policy_en = http(web.url("/ok"), policy=NO_LOOPBACK)
    # the OS error text and the status line are data: they stay as they are
    assert tcp_nl.detail.startswith("verbinding mislukt: ")
    assert tcp_en.detail.startswith("connection failed: ")
    assert tcp_nl.detail.removeprefix("verbinding mislukt: ") == tcp_en.detail.removeprefix(
        "connection failed: "
    )
    assert http_nl.detail == "HTTP 503 Service Unavailable, verwacht 200-399"
    assert http_en.detail == "HTTP 503 Service Unavailable, expected 200-399"
    # the network policy caches its decisions, not the language they were first written in
    assert policy_nl.detail == (
        "geweigerd door het netwerkbeleid: 127.0.0.1 ligt in het geweigerde netwerk 127.0.0.0/8"
    )
    assert policy_en.detail == "refused by the network policy: 127.0.0.1 is in the denied network 127.0.0.0/8"


def test_the_probes_deadline_behaves_like_asyncio_timeout():
    from beheer.monitoring.probes import Deadline

    async def scenario() -> list[str]:
        loop = asyncio.get_running_loop()
        seen = []
        try:
            async with Deadline(loop, 0.05):
                await asyncio.sleep(5)
        except TimeoutError:
            seen.append("timed out")
        async with Deadline(loop, 5):
            await asyncio.sleep(0)
        seen.append("finished in time")

        async def waits() -> None:
            async with Deadline(loop, 5):
                await asyncio.sleep(5)

        task = asyncio.ensure_future(waits())
        await asyncio.sleep(0.01)
        task.cancel()  # a cancellation from outside stays a cancellation
        try:
            await task
        except asyncio.CancelledError:
            seen.append("cancelled")
        assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
        return seen

    assert asyncio.run(scenario()) == ["timed out", "finished in time", "cancelled"]
