"""Per-kind check options: parsing, defaults, field errors, conditions and secret masking."""

from __future__ import annotations

import pytest

from beheer.monitoring import options as o


def errors(kind: str, data: dict) -> dict[str, str]:
    with pytest.raises(o.OptionsError) as info:
        o.parse(kind, data)
    return info.value.fields


def test_defaults_of_every_kind():
    http = o.parse("http", {})
    assert isinstance(http, o.HttpOptions)
    assert http.method == "GET"
    assert http.follow_redirects
    assert not http.ignore_tls_errors
    assert http.status_ok(200)
    assert http.status_ok(302)
    assert not http.status_ok(404)
    assert o.parse("tls", None) == o.TlsOptions(warn_days=14)
    assert o.parse("dns", {}) == o.DnsOptions(record_type="A")
    assert o.parse("ping", {}) == o.PingOptions(count=3, max_loss_percent=100)
    assert o.parse("tcp", {}) == o.TcpOptions()
    assert o.to_stored("http", http) == {}  # nothing but defaults: nothing stored


def test_http_options_are_parsed_and_stored_without_defaults():
    parsed = o.parse(
        "http",
        {
            "method": "head",
            "expected_status": "200, 204, 300-302",
            "max_latency_ms": "1500",
            "follow_redirects": False,
            "headers": {"X-Api-Key": "k"},
        },
    )
    assert isinstance(parsed, o.HttpOptions)
    assert parsed.method == "HEAD"
    assert parsed.status_ranges == ((200, 200), (204, 204), (300, 302))
    assert parsed.status_ok(301)
    assert not parsed.status_ok(303)
    assert o.to_stored("http", parsed) == {
        "method": "HEAD",
        "expected_status": "200, 204, 300-302",
        "max_latency_ms": 1500,
        "follow_redirects": False,
        "headers": {"X-Api-Key": "k"},
    }


def test_bad_regex_json_path_status_and_headers_are_field_errors():
    found = errors(
        "http",
        {
            "keyword": "([a-z",
            "keyword_regex": True,
            "json_path": "status..db",
            "expected_status": "200-700",
            "headers": {"Host": "metadata.internal"},
            "bogus": 1,
        },
    )
    assert set(found) == {"keyword", "json_path", "expected_status", "headers", "bogus"}
    assert "Host" in found["headers"]
    assert set(errors("http", {"method": "HEAD", "keyword": "ok"})) == {"method"}
    assert set(errors("http", {"json_path": "a", "json_operator": ">", "json_value": ""})) == {"json_value"}
    assert set(errors("http", {"headers": {"X-Bad": "a\r\nInjected: 1"}})) == {"headers"}
    assert set(errors("http", {"max_latency_ms": "fast"})) == {"max_latency_ms"}


def test_dns_ping_tls_snmp_field_errors():
    assert set(errors("dns", {"record_type": "ANY", "server": "resolver.example"})) == {
        "record_type",
        "server",
    }
    assert o.parse("dns", {"record_type": "mx", "server": "127.0.0.1:5353"}) == o.DnsOptions(
        "MX", "", "127.0.0.1:5353"
    )
    assert set(errors("ping", {"count": 0, "max_loss_percent": 101})) == {"count", "max_loss_percent"}
    assert set(errors("tls", {"warn_days": -1})) == {"warn_days"}
    assert set(errors("snmp", {"oid": "ifOperStatus"})) == {"oid"}
    v3 = errors(
        "snmp",
        {
            "version": "3",
            "oid": "1.3.6.1",
            "auth_protocol": "SHA",
            "auth_key": "short",
            "priv_protocol": "AES",
        },
    )
    assert set(v3) == {"username", "auth_key", "priv_key"}
    assert set(errors("snmp", {"oid": "1.3.6.1", "operator": ">", "value": "up"})) == {"value"}
    assert set(errors("snmp", {"oid": "1.3.6.1", "rate": True, "operator": "exists"})) == {"operator"}


@pytest.mark.parametrize(
    ("text", "path"),
    [("status.db", ("status", "db")), ("items[0].ok", ("items", 0, "ok")), ("$.a[2][1]", ("a", 2, 1))],
)
def test_json_paths(text, path):
    assert o.parse_path(text) == path


@pytest.mark.parametrize("text", ["", "a..b", "a[x]", "[", "a b", "a.[0]"])
def test_bad_json_paths(text):
    with pytest.raises(ValueError):
        o.parse_path(text)


def test_conditions():
    doc = {"status": {"db": "ok", "load": 0.7, "up": True, "none": None}, "items": [{"ok": 1}, {"ok": 0}]}
    get = lambda text: o.lookup(doc, o.parse_path(text))  # noqa: E731
    assert o.condition_holds(get("status.db"), "==", "ok")
    assert o.condition_holds(get("status.db"), "!=", "down")
    assert o.condition_holds(get("status.load"), "<", "1")
    assert not o.condition_holds(get("status.load"), ">=", "1")
    assert o.condition_holds(get("status.up"), "==", "true")
    assert o.condition_holds(get("status.none"), "==", "null")
    assert o.condition_holds(get("items[0].ok"), "==", "1")
    assert o.condition_holds(get("items[1].ok"), "<=", "0")
    assert o.condition_holds(get("status"), "contains", "db")
    assert o.condition_holds(get("status.db"), "contains", "o")
    assert o.condition_holds(get("items[1]"), "exists", "")
    assert not o.condition_holds(get("items[5]"), "exists", "")
    assert not o.condition_holds(get("missing.path"), "!=", "x")  # nothing there: never holds
    assert not o.condition_holds(get("status.db"), ">", "1")  # not a number: does not hold


def test_secrets_are_masked_and_kept():
    stored = {"headers": {"Authorization": "Bearer canary-secret", "X-Trace": "1"}}
    shown = o.mask("http", stored)
    assert shown["headers"] == {"Authorization": o.MASK, "X-Trace": o.MASK}
    submitted = {"headers": {"Authorization": o.MASK, "X-New": "2"}}
    assert o.keep_secrets("http", submitted, stored)["headers"] == {
        "Authorization": "Bearer canary-secret",
        "X-New": "2",
    }
    snmp = {"community": "canary-community", "oid": "1.3.6"}
    assert o.mask("snmp", snmp) == {"community": o.MASK, "oid": "1.3.6"}
    assert o.keep_secrets("snmp", {"community": o.MASK}, snmp) == {"community": "canary-community"}


@pytest.mark.parametrize(
    ("kind", "target", "good"),
    [
        ("http", "https://intranet.school.nl/health", True),
        ("http", "ftp://files.example", False),
        ("tcp", "mail.example:25", True),
        ("tcp", "mail.example", False),
        ("tcp", "[::1]:22", True),
        ("tls", "www.example", True),
        ("tls", "www.example:99999", False),
        ("snmp", "10.0.0.1", True),
        ("ping", "printer-1.school.nl", True),
        ("ping", "printer:22", False),
        ("dns", "school.nl", True),
        ("dns", "", False),
        ("push", "ignored", True),
    ],
)
def test_targets(kind, target, good):
    if good:
        o.clean_target(kind, target)
    else:
        with pytest.raises(o.OptionsError) as info:
            o.clean_target(kind, target)
        assert set(info.value.fields) == {"target"}
