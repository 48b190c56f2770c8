"""The outbound address policy (beheer/core/outbound.py): every spelling of a denied address, and
real connections on loopback."""

from __future__ import annotations

import ipaddress

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from beheer.core.outbound import AddressRefused, NetworkPolicy, parse_networks

DEFAULT = NetworkPolicy()


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",  # cloud metadata
        "::ffff:169.254.169.254",  # the same, IPv4-mapped
        "fd00:ec2::254",
        "100.100.100.200",
        "fe80::1",
        "0.0.0.0",
        "::",
        "224.0.0.251",
        "ff02::1",
        "255.255.255.255",
    ],
)
def test_metadata_link_local_and_multicast_are_refused_by_default(address):
    with pytest.raises(AddressRefused):
        DEFAULT.check(address)


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.10", "172.16.5.5", "127.0.0.1", "::1", "8.8.8.8"])
def test_local_networks_loopback_and_the_internet_are_allowed_by_default(address):
    assert DEFAULT.allows(address)


def test_an_administrator_denies_networks_or_allows_only_some():
    policy = NetworkPolicy.from_text(denied="10.66.0.0/16  # the building automation\n192.0.2.7")
    assert not policy.allows("10.66.3.4")
    assert not policy.allows("192.0.2.7")
    assert policy.allows("10.67.0.1")
    only = NetworkPolicy.from_text(allowed_only="10.0.0.0/8, 2001:db8::/32")
    assert only.allows("10.0.0.5")
    assert only.allows("2001:db8::5")
    assert not only.allows("8.8.8.8")
    assert not only.allows("169.254.169.254")  # the defaults still apply inside allowed networks
    with translation.override("en"), pytest.raises(AddressRefused, match="outside"):
        only.check("192.168.1.1")


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="not a network"):
        parse_networks("10.0.0.0/8\nfoo.example")
    with translation.override("en"), pytest.raises(AddressRefused, match="not an IP"):
        DEFAULT.check("printer.school.example")


def test_a_refusal_is_explained_in_the_active_language_also_when_the_decision_was_cached():
    policy = NetworkPolicy.from_text(denied="10.66.0.0/16")
    for language, expected in (
        ("en", "10.66.3.4 is in the denied network 10.66.0.0/16"),
        ("nl", "10.66.3.4 ligt in het geweigerde netwerk 10.66.0.0/16"),
        ("en", "10.66.3.4 is in the denied network 10.66.0.0/16"),
    ):
        with translation.override(language), pytest.raises(AddressRefused) as refused:
            policy.check("10.66.3.4")
        assert str(refused.value) == expected
    with (
        translation.override("nl"),
        pytest.raises(AddressRefused, match="waar Beheer nooit verbinding mee maakt"),
    ):
        DEFAULT.check(ipaddress.ip_address("169.254.169.254"))  # an address object: not cached


@settings(max_examples=300, deadline=None)
@given(st.ip_addresses())
def test_no_address_in_a_default_network_gets_through_in_any_form(ip):
    denied = [ipaddress.ip_network(n) for n in ("169.254.0.0/16", "fe80::/10", "224.0.0.0/4", "ff00::/8")]
    inside = any(ip.version == n.version and ip in n for n in denied)
    if inside:
        assert not DEFAULT.allows(ip)
        if ip.version == 4:
            assert not DEFAULT.allows(f"::ffff:{ip}")


# --------------------------------------------------------------------------------------------------
# every spelling of a denied address


def mapped(v4: int) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address((0xFFFF << 32) | v4)


def translated(v4: int) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address((0xFFFF << 48) | v4)


def compatible(v4: int) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address(v4)


def nat64(v4: int) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address((0x0064FF9B << 96) | v4)


def nat64_local(v4: int, prefix_length: int, suffix: int = 0) -> ipaddress.IPv6Address:
    """RFC 6052 section 2.2 inside 64:ff9b:1::/48: the IPv4 bytes after the prefix, byte 8 (bits
    64-71) left zero."""
    prefix = int(ipaddress.IPv6Address("64:ff9b:1::")).to_bytes(16, "big")[: prefix_length // 8]
    data = bytearray(prefix + v4.to_bytes(4, "big"))
    if prefix_length < 96:
        data.insert(8, 0)
    data += suffix.to_bytes(16, "big")[len(data) :]
    return ipaddress.IPv6Address(bytes(data[:16]))


def sixtofour(v4: int, rest: int = 0) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address((0x2002 << 112) | (v4 << 80) | (rest & ((1 << 80) - 1)))


def teredo(server: int, client: int, flags: int = 0, port: int = 0) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address(
        (0x20010000 << 96) | (server << 64) | (flags << 48) | ((port ^ 0xFFFF) << 32) | (client ^ 0xFFFFFFFF)
    )


METADATA = int(ipaddress.IPv4Address("169.254.169.254"))


@pytest.mark.parametrize(
    "address",
    [
        "::ffff:169.254.169.254",
        "::ffff:a9fe:a9fe",
        "0:0:0:0:0:FFFF:A9FE:A9FE",
        "::ffff:0:169.254.169.254",  # IPv4-translated
        "::169.254.169.254",  # IPv4-compatible
        "::a9fe:a9fe",
        "64:ff9b::169.254.169.254",  # NAT64
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::a9fe:a9fe",  # NAT64, local-use prefix /96
        str(nat64_local(METADATA, 48)),
        str(nat64_local(METADATA, 56)),
        str(nat64_local(METADATA, 64)),
        "2002:a9fe:a9fe::",  # 6to4
        "2002:a9fe:a9fe:1234:5678::9",
        str(teredo(server=int(ipaddress.IPv4Address("192.0.2.1")), client=METADATA, port=40000)),
        str(teredo(server=METADATA, client=int(ipaddress.IPv4Address("192.0.2.1")))),
        "fd00:ec2::254",  # AWS metadata over IPv6, in any spelling
        "FD00:0EC2:0000:0000:0000:0000:0000:0254",
        "fd00:ec2:0:0::254",
        "fe80::a9fe:a9fe%eth0",
        "168.63.129.16",  # Azure WireServer
        "::ffff:168.63.129.16",
        "64:ff9b::a83f:8110",
        "192.0.0.192",  # Oracle Cloud metadata
        "2002:c000:00c0::",
        "0.1.2.3",
        "::ffff:255.255.255.255",
        "64:ff9b::e000:fb",  # multicast 224.0.0.251
    ],
)
def test_every_spelling_of_a_denied_address_is_refused(address):
    with translation.override("en"), pytest.raises(AddressRefused, match="never connects to"):
        DEFAULT.check(address)


@pytest.mark.parametrize(
    "address",
    [
        "::ffff:127.0.0.1",
        "::ffff:192.168.1.10",
        "64:ff9b::10.1.2.3",
        "2002:c0a8:010a::1",  # 6to4 of 192.168.1.10
        "::1",  # IPv6 loopback, not IPv4-compatible 0.0.0.1
        "2001:db8::1",
        "fd12:3456::1",
    ],
)
def test_embedded_forms_of_allowed_addresses_stay_allowed(address):
    assert DEFAULT.allows(address)


def test_a_refusal_names_the_embedded_address():
    with translation.override("en"), pytest.raises(AddressRefused) as refused:
        DEFAULT.check("64:ff9b::a9fe:a9fe")
    assert str(refused.value) == (
        "64:ff9b::a9fe:a9fe (169.254.169.254) is in 169.254.0.0/16, which Beheer never connects to"
    )


ADMIN = NetworkPolicy.from_text(denied="10.0.0.0/8, 192.0.2.0/24")
V4 = st.integers(min_value=0, max_value=2**32 - 1)


@settings(max_examples=400, deadline=None)
@given(V4, st.integers(min_value=0, max_value=2**80 - 1))
def test_single_ipv4_forms_are_judged_as_their_ipv4(v4, rest):
    expected = ADMIN.allows(ipaddress.IPv4Address(v4))
    forms = [mapped(v4), translated(v4), nat64(v4), sixtofour(v4, rest)]
    if v4 > 1:  # :: and ::1 are IPv6's own unspecified and loopback addresses
        forms.append(compatible(v4))
    if v4 & 0xFFFFFF:  # else the local-use NAT64 address also reads as a /64 form of 0.0.0.x
        forms.append(nat64_local(v4, 96))
    for form in forms:
        assert ADMIN.allows(form) == expected, form
        assert ADMIN.allows(str(form)) == expected, form


@settings(max_examples=300, deadline=None)
@given(V4, V4, st.integers(min_value=0, max_value=0xFFFF), st.integers(min_value=0, max_value=0xFFFF))
def test_teredo_is_refused_when_its_server_or_client_is(server, client, flags, port):
    expected = ADMIN.allows(ipaddress.IPv4Address(server)) and ADMIN.allows(ipaddress.IPv4Address(client))
    assert ADMIN.allows(teredo(server, client, flags, port)) == expected


DEFAULT_V4 = [ipaddress.ip_network(n) for n in __import__("beheer.core.outbound").core.outbound.ALWAYS_DENIED]
DENIED_V4 = st.sampled_from([n for n in DEFAULT_V4 if n.version == 4]).flatmap(
    lambda net: st.integers(min_value=int(net.network_address), max_value=int(net.broadcast_address))
)


@settings(max_examples=300, deadline=None)
@given(DENIED_V4, st.integers(min_value=0, max_value=2**80 - 1), st.sampled_from([48, 56, 64, 96]))
def test_no_embedded_form_of_a_default_denied_ipv4_gets_through(v4, rest, prefix_length):
    forms = [mapped(v4), translated(v4), nat64(v4), nat64_local(v4, prefix_length), sixtofour(v4, rest)]
    forms += [teredo(v4, 0x08080808), teredo(0x08080808, v4, port=rest & 0xFFFF)]
    if v4 > 1:
        forms.append(compatible(v4))
    for form in forms:
        assert not DEFAULT.allows(form), form
        assert not DEFAULT.allows(str(form)), form


def test_allowed_only_networks_also_hold_for_embedded_forms():
    only = NetworkPolicy.from_text(allowed_only="10.0.0.0/8")
    assert only.allows("64:ff9b::10.1.2.3")
    assert only.allows("::ffff:10.1.2.3")
    assert not only.allows("64:ff9b::8.8.8.8")
    assert not only.allows("2002:0808:0808::1")
    assert not only.allows("2001:db8::1")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("169.254.169.254", "169.254.169.254"),
        ("[::ffff:169.254.169.254]", "::ffff:a9fe:a9fe"),
        ("2852039166", "169.254.169.254"),  # what the system resolver makes of these
        ("0xa9fea9fe", "169.254.169.254"),
        ("169.254.43518", "169.254.169.254"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("mail.school.example", None),
        ("1password.example", None),
        ("", None),
    ],
)
def test_literal_addresses_in_settings_are_recognised(host, expected):
    from beheer.core.outbound import literal_address

    found = literal_address(host)
    assert (str(found) if found is not None else None) == expected


# --------------------------------------------------------------------------------------------------
# the configured policy


def test_the_configured_policy_follows_the_settings(settings):
    from django.core.exceptions import ImproperlyConfigured

    from beheer.core.outbound import configured_policy

    settings.OUTBOUND_DENIED_NETWORKS = "10.66.0.0/16"
    settings.OUTBOUND_ALLOWED_NETWORKS = ""
    assert not configured_policy().allows("10.66.1.1")
    assert configured_policy() is configured_policy()
    settings.OUTBOUND_DENIED_NETWORKS = ""
    settings.OUTBOUND_ALLOWED_NETWORKS = "192.168.0.0/16"
    assert configured_policy().allows("192.168.4.4")
    assert not configured_policy().allows("10.66.1.1")
    settings.OUTBOUND_ALLOWED_NETWORKS = "192.168.0.0/16, intranet"
    with pytest.raises(ImproperlyConfigured, match="intranet"):
        configured_policy()


def test_bad_networks_in_the_environment_stop_start_up(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from beheer.settings import env_networks

    monkeypatch.setenv("BEHEER_OUTBOUND_DENIED_NETWORKS", "10.0.0.0/8, not-a-network")
    with pytest.raises(ImproperlyConfigured, match="not-a-network"):
        env_networks("BEHEER_OUTBOUND_DENIED_NETWORKS", "BEHEER_MONITOR_DENIED_NETWORKS")
    monkeypatch.delenv("BEHEER_OUTBOUND_DENIED_NETWORKS")
    monkeypatch.setenv("BEHEER_MONITOR_DENIED_NETWORKS", "10.9.0.0/16")  # the name used before
    assert env_networks("BEHEER_OUTBOUND_DENIED_NETWORKS", "BEHEER_MONITOR_DENIED_NETWORKS") == "10.9.0.0/16"


# --------------------------------------------------------------------------------------------------
# connecting, on real sockets


NO_LOOPBACK = NetworkPolicy.from_text(denied="127.0.0.0/8, ::1/128")


def test_a_name_that_resolves_to_a_denied_address_is_refused_before_connecting():
    from beheer.core.outbound import create_connection

    from .servers import listening

    with listening() as listener:
        with (
            translation.override("en"),
            pytest.raises(AddressRefused, match=r"denied network 127\.0\.0\.0/8"),
        ):
            create_connection(("localhost", listener.port), 2, policy=NO_LOOPBACK)
        with pytest.raises(AddressRefused):
            create_connection(("127.0.0.1", listener.port), 2, policy=NO_LOOPBACK)
        create_connection(("localhost", listener.port), 2, policy=DEFAULT).close()
        deadline = __import__("time").monotonic() + 2
        while listener.accepted < 1 and __import__("time").monotonic() < deadline:
            __import__("time").sleep(0.01)
    assert listener.accepted == 1  # only the allowed connection arrived


def test_the_socket_goes_to_the_address_that_was_checked():
    """The name is resolved once, here: a resolver that answers differently the second time (DNS
    rebinding) cannot slip a denied address past the check."""
    from beheer.core.outbound import create_connection

    from .servers import listening

    answers = [["127.0.0.1"], ["169.254.169.254"], ["169.254.169.254", "127.0.0.1"]]
    asked: list[str] = []

    def rebinding(host: str, port: int, kind: int) -> list[str]:
        asked.append(host)
        return answers[len(asked) - 1]

    with listening() as listener:
        sock = create_connection(("hooks.school.test", listener.port), 2, resolver=rebinding)
        assert sock.getpeername()[0] == "127.0.0.1"
        sock.close()
        with translation.override("en"), pytest.raises(AddressRefused, match=r"169\.254\.169\.254 is in"):
            create_connection(("hooks.school.test", listener.port), 2, resolver=rebinding)
        sock = create_connection(("hooks.school.test", listener.port), 2, resolver=rebinding)
        assert sock.getpeername()[0] == "127.0.0.1"  # the denied address of the two is skipped
        sock.close()
    assert asked == ["hooks.school.test"] * 3


def test_an_http_redirect_is_returned_never_followed():
    from beheer.core.outbound import http_request

    from .servers import http_recorder

    with http_recorder("127.0.0.2") as second, http_recorder(status=302, location=second.url) as first:
        answer = http_request(first.url + "token", method="POST", body=b"a=1", timeout=5)
        assert answer.status == 302
        assert answer.headers["location"] == second.url
        assert [r["path"] for r in first.requests] == ["/token"]
        assert second.requests == []


def test_http_requests_are_held_to_the_policy():
    from beheer.core.outbound import UrlRefused, http_request

    from .servers import http_recorder

    with http_recorder() as server:
        with pytest.raises(AddressRefused):
            http_request(server.url, policy=NO_LOOPBACK, timeout=5)
        host_url = server.url.replace("127.0.0.1", "localhost")
        with pytest.raises(AddressRefused):
            http_request(host_url, policy=NO_LOOPBACK, timeout=5)
        for url in ("file:///etc/passwd", "http://user:pw@127.0.0.1/", "http://127.0.0.1:99999/"):
            with pytest.raises(UrlRefused):
                http_request(url, timeout=5)
        assert server.requests == []
        assert http_request(host_url, timeout=5).status == 200
        assert len(server.requests) == 1


def test_tls_is_verified_against_the_host_name_while_the_socket_goes_to_the_checked_address(tmp_path):
    import ssl

    from beheer.core.outbound import http_request
    from tests.mailserver import make_certificate

    from .servers import http_recorder

    cert, key = make_certificate(tmp_path, "hooks.school.test", alt_names=("hooks.school.test",))
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(str(cert), str(key))
    trusting = ssl.create_default_context(cafile=str(cert))

    def hooks(host: str, port: int, kind: int) -> list[str]:
        assert host == "hooks.school.test"
        return ["127.0.0.1"]

    with http_recorder(tls=server_side) as server:
        port = server.server.server_address[1]
        answer = http_request(
            f"https://hooks.school.test:{port}/ok", method="GET", context=trusting, resolver=hooks, timeout=5
        )
        assert answer.status == 200
        assert [r["headers"]["host"] for r in server.requests] == [f"hooks.school.test:{port}"]
        with pytest.raises(ssl.SSLCertVerificationError):  # the certificate names the host, not the address
            http_request(f"https://127.0.0.1:{port}/ok", method="GET", context=trusting, timeout=5)
        assert len(server.requests) == 1
