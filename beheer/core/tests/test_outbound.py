"""The outbound address policy of the monitor."""

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
        pytest.raises(AddressRefused, match="dat controles nooit mogen bereiken"),
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
