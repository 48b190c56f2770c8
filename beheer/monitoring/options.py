"""What each kind of check may be told beyond its target: parsed and validated here. Pure logic.

A check stores its per-kind options as one JSON object (`Check.options`). `parse(kind, data)` turns
that object into a frozen, typed value (defaults filled in, regexes compiled, status ranges and
JSON paths parsed) or raises `OptionsError` with one message per field (`{"keyword": "..."}`). The
monitor parses a check's options once when it loads the check, never per probe of a packet or
header, and the services and screens use the same function to refuse bad input before it is saved.

Secrets (custom header values, SNMP community and keys) are named by `secret_paths`: the services
encrypt them at rest and the screens and API never show them back (`mask`/`keep_secrets`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

MASK = "********"
BODY_LIMIT = 1024 * 1024  # bytes of a response body read for a keyword or JSON condition

OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "contains", "exists")
HTTP_METHODS = ("GET", "HEAD")
DNS_RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "PTR")
SNMP_VERSIONS = ("2c", "3")
SNMP_AUTH_PROTOCOLS = ("", "MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512")
SNMP_PRIV_PROTOCOLS = ("", "DES", "AES", "AES192", "AES256")
FORBIDDEN_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "upgrade", "keep-alive", "te", "trailer"}
)
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_PATH = re.compile(r"^(?:[^.\[\]\s]+|\[\d+\])(?:\.[^.\[\]\s]+|\[\d+\])*$")
_PATH_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_OID = re.compile(r"^\.?\d+(?:\.\d+)+$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?$")


class OptionsError(ValueError):
    """Bad options; `fields` maps each option name to its message."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = dict(fields)


# --------------------------------------------------------------------------------------------------
# conditions (JSON path values, SNMP values)

MISSING = object()


def parse_path(text: str) -> tuple[str | int, ...]:
    """`status.db` -> ("status", "db"); `items[0].ok` -> ("items", 0, "ok"); a leading `$.` is
    allowed. ValueError for anything else."""
    path = text.strip()
    if path.startswith("$"):
        path = path[1:].lstrip(".")
    if not path or not _PATH.match(path):
        raise ValueError(path)
    return tuple(int(index) if index else name for index, name in _PATH_TOKEN.findall(path))


def lookup(document: Any, path: tuple[str | int, ...]) -> Any:
    """The value at `path`, or MISSING."""
    value = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return MISSING
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return MISSING
            value = value[step]
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _scalar_equal(actual: Any, expected: str) -> bool:
    if isinstance(actual, bool):
        return expected.strip().lower() == ("true" if actual else "false")
    if actual is None:
        return expected.strip().lower() in ("null", "none")
    number = _number(actual)
    wanted = _number(expected)
    if number is not None and wanted is not None and not isinstance(actual, str):
        return number == wanted
    return str(actual) == expected


def condition_holds(actual: Any, operator: str, expected: str) -> bool:
    """Whether `actual <operator> expected` holds; a comparison that does not apply is False."""
    if operator == "exists":
        return actual is not MISSING
    if actual is MISSING:
        return False
    if operator == "contains":
        if isinstance(actual, list):
            return any(_scalar_equal(item, expected) for item in actual)
        if isinstance(actual, dict):
            return expected in actual
        return expected in str(actual)
    if operator == "==":
        return _scalar_equal(actual, expected)
    if operator == "!=":
        return not _scalar_equal(actual, expected)
    left, right = _number(actual), _number(expected)
    if left is None or right is None:
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[operator]


# --------------------------------------------------------------------------------------------------
# the options of each kind


@dataclass(frozen=True)
class HttpOptions:
    method: str = "GET"
    expected_status: str = "200-399"
    keyword: str = ""
    keyword_regex: bool = False
    keyword_absent: bool = False  # the keyword must NOT appear
    json_path: str = ""
    json_operator: str = "=="
    json_value: str = ""
    max_latency_ms: int | None = None
    follow_redirects: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    ignore_tls_errors: bool = False
    # derived, not stored
    status_ranges: tuple[tuple[int, int], ...] = field(default=((200, 399),), compare=False, repr=False)
    pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    path: tuple[str | int, ...] = field(default=(), compare=False, repr=False)

    @property
    def reads_body(self) -> bool:
        return bool(self.keyword or self.json_path) and self.method != "HEAD"

    def status_ok(self, status: int) -> bool:
        return any(lo <= status <= hi for lo, hi in self.status_ranges)


@dataclass(frozen=True)
class TcpOptions:
    pass


@dataclass(frozen=True)
class TlsOptions:
    warn_days: int = 14


@dataclass(frozen=True)
class DnsOptions:
    record_type: str = "A"
    expected: str = ""
    server: str = ""  # ip[:port]; empty: the system's resolvers


@dataclass(frozen=True)
class PingOptions:
    count: int = 3
    max_loss_percent: int = 100
    max_rtt_ms: int | None = None


@dataclass(frozen=True)
class SnmpOptions:
    version: str = "2c"
    community: str = "public"
    username: str = ""
    auth_protocol: str = ""
    auth_key: str = ""
    priv_protocol: str = ""
    priv_key: str = ""
    oid: str = ""
    operator: str = "exists"
    value: str = ""
    rate: bool = False  # compare the counter's change per second between two probes


@dataclass(frozen=True)
class PushOptions:
    pass


KindOptions = HttpOptions | TcpOptions | TlsOptions | DnsOptions | PingOptions | SnmpOptions | PushOptions

STORED_FIELDS: dict[str, tuple[str, ...]] = {
    "http": (
        "method",
        "expected_status",
        "keyword",
        "keyword_regex",
        "keyword_absent",
        "json_path",
        "json_operator",
        "json_value",
        "max_latency_ms",
        "follow_redirects",
        "headers",
        "ignore_tls_errors",
    ),
    "tcp": (),
    "tls": ("warn_days",),
    "dns": ("record_type", "expected", "server"),
    "ping": ("count", "max_loss_percent", "max_rtt_ms"),
    "snmp": (
        "version",
        "community",
        "username",
        "auth_protocol",
        "auth_key",
        "priv_protocol",
        "priv_key",
        "oid",
        "operator",
        "value",
        "rate",
    ),
    "push": (),
}


class _Reader:
    """Reads typed values from the submitted object, collecting one message per bad field."""

    def __init__(self, data: Mapping[str, Any], kind: str) -> None:
        self.data = data
        self.errors: dict[str, str] = {}
        unknown = sorted(set(data) - set(STORED_FIELDS.get(kind, ())))
        for name in unknown:
            self.errors[name] = _("Unknown option for this kind of check.")

    def _raw(self, name: str) -> Any:
        value = self.data.get(name)
        return None if value == "" else value

    def text(self, name: str, default: str = "", *, max_length: int = 500) -> str:
        value = self.data.get(name, default)
        if value is None:
            return default
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.errors[name] = _("Enter text.")
            return default
        value = str(value).strip()
        if len(value) > max_length:
            self.errors[name] = _("At most %(n)d characters.") % {"n": max_length}
        if "\x00" in value or "\n" in value or "\r" in value:
            self.errors[name] = _("Line breaks are not allowed here.")
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(name, default)
        if name in self.errors:
            return default
        upper = {c.upper(): c for c in choices}
        if value.upper() not in upper:
            self.errors[name] = _("Choose one of: %(choices)s.") % {
                "choices": ", ".join(c or "-" for c in choices)
            }
            return default
        return upper[value.upper()]

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if isinstance(value, bool):
            return value
        if value in ("true", "on", "1", 1, "True"):
            return True
        if value in ("false", "off", "0", 0, "False", "", None):
            return False
        self.errors[name] = _("Enter true or false.")
        return default

    def integer(self, name: str, default: int | None, lo: int, hi: int) -> int | None:
        value = self._raw(name)
        if value is None:
            return default
        try:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            number = int(value)
        except (TypeError, ValueError):
            self.errors[name] = _("Enter a whole number.")
            return default
        if not lo <= number <= hi:
            self.errors[name] = _("Enter a number from %(lo)d to %(hi)d.") % {"lo": lo, "hi": hi}
            return default
        return number

    def done(self) -> None:
        if self.errors:
            raise OptionsError(self.errors)


def parse_status_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """`200-399`, `200,204`, `200-299, 301` -> ranges; ValueError when malformed."""
    ranges = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        lo_text, sep, hi_text = part.partition("-")
        lo = int(lo_text)
        hi = int(hi_text) if sep else lo
        if not (100 <= lo <= hi <= 599):
            raise ValueError(part)
        ranges.append((lo, hi))
    if not ranges:
        raise ValueError(text)
    return tuple(ranges)


def _headers(reader: _Reader) -> dict[str, str]:
    raw = reader.data.get("headers") or {}
    if not isinstance(raw, dict):
        reader.errors["headers"] = _("Enter the headers as names with values.")
        return {}
    if len(raw) > 20:
        reader.errors["headers"] = _("At most 20 headers.")
    out: dict[str, str] = {}
    for name, value in raw.items():
        name = str(name).strip()
        text = "" if value is None else str(value)
        if not _HEADER_NAME.match(name):
            reader.errors["headers"] = _("%(name)s is not a valid header name.") % {"name": name[:40]}
        elif name.lower() in FORBIDDEN_HEADERS:
            reader.errors["headers"] = _("The %(name)s header cannot be set.") % {"name": name}
        elif any(c in text for c in "\r\n\x00") or len(text) > 2000:
            reader.errors["headers"] = _("The value of %(name)s is not allowed.") % {"name": name}
        elif name.lower() in {n.lower() for n in out}:
            reader.errors["headers"] = _("%(name)s appears twice.") % {"name": name}
        else:
            out[name] = text
    return out


def _http(reader: _Reader) -> HttpOptions:
    expected = reader.text("expected_status", "200-399", max_length=100) or "200-399"
    ranges: tuple[tuple[int, int], ...] = ((200, 399),)
    try:
        ranges = parse_status_ranges(expected)
    except ValueError:
        reader.errors["expected_status"] = _("Enter status codes like 200-399 or 200,204.")
    keyword = reader.text("keyword", max_length=500)
    regex = reader.boolean("keyword_regex", False)
    pattern = None
    if keyword and regex:
        try:
            pattern = re.compile(keyword)
        except re.error as exc:
            reader.errors["keyword"] = _("Not a valid regular expression: %(error)s") % {"error": exc}
    elif keyword:
        pattern = re.compile(re.escape(keyword))
    json_path = reader.text("json_path", max_length=200)
    path: tuple[str | int, ...] = ()
    if json_path:
        try:
            path = parse_path(json_path)
        except ValueError:
            reader.errors["json_path"] = _("Enter a path like status.db or items[0].ok.")
    operator = reader.choice("json_operator", OPERATORS, "==")
    json_value = reader.text("json_value", max_length=200)
    method = reader.choice("method", HTTP_METHODS, "GET")
    if method == "HEAD" and (keyword or json_path):
        reader.errors["method"] = _("A HEAD request has no body to search: use GET.")
    if json_path and operator not in ("exists", "==", "!=") and not json_value:
        reader.errors["json_value"] = _("Enter the value to compare with.")
    return HttpOptions(
        method=method,
        expected_status=expected,
        keyword=keyword,
        keyword_regex=regex,
        keyword_absent=reader.boolean("keyword_absent", False),
        json_path=json_path,
        json_operator=operator,
        json_value=json_value,
        max_latency_ms=reader.integer("max_latency_ms", None, 1, 600_000),
        follow_redirects=reader.boolean("follow_redirects", True),
        headers=_headers(reader),
        ignore_tls_errors=reader.boolean("ignore_tls_errors", False),
        status_ranges=ranges,
        pattern=pattern,
        path=path,
    )


def split_host_port(text: str, default_port: int | None) -> tuple[str, int]:
    """`host`, `host:port`, `[v6]:port`, `v6` -> (host, port); ValueError when malformed."""
    text = text.strip()
    if text.startswith("["):
        host, _sep, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
        if rest and not rest.startswith(":"):
            raise ValueError(text)
    elif text.count(":") == 1:
        host, _sep, port_text = text.partition(":")
    else:
        host, port_text = text, ""  # a name, an IPv4 address or a bare IPv6 address
    if not port_text:
        if default_port is None:
            raise ValueError(text)
        port = default_port
    elif port_text.isdigit() and 0 < int(port_text) < 65536:
        port = int(port_text)
    else:
        raise ValueError(text)
    if not valid_host(host):
        raise ValueError(text)
    return host, port


def valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HOSTNAME.match(host))


def _dns(reader: _Reader) -> DnsOptions:
    server = reader.text("server", max_length=100)
    if server:
        try:
            host, _port = split_host_port(server, 53)
            ipaddress.ip_address(host)
        except ValueError:
            reader.errors["server"] = _("Enter the resolver's IP address, optionally with :port.")
    return DnsOptions(
        record_type=reader.choice("record_type", DNS_RECORD_TYPES, "A"),
        expected=reader.text("expected", max_length=300),
        server=server,
    )


def _snmp(reader: _Reader) -> SnmpOptions:
    version = reader.choice("version", SNMP_VERSIONS, "2c")
    oid = reader.text("oid", max_length=200)
    if not _OID.match(oid):
        reader.errors["oid"] = _("Enter a numeric OID like 1.3.6.1.2.1.2.2.1.8.1.")
    operator = reader.choice("operator", OPERATORS, "exists")
    value = reader.text("value", max_length=100)
    rate = reader.boolean("rate", False)
    if operator not in ("exists", "==", "!=", "contains") and _number(value) is None:
        reader.errors["value"] = _("Enter a number to compare with.")
    if rate and operator in ("exists", "contains"):
        reader.errors["operator"] = _("Compare a rate with ==, !=, <, <=, > or >=.")
    opts = SnmpOptions(
        version=version,
        community=reader.text("community", "public", max_length=100),
        username=reader.text("username", max_length=100),
        auth_protocol=reader.choice("auth_protocol", SNMP_AUTH_PROTOCOLS, ""),
        auth_key=reader.text("auth_key", max_length=200),
        priv_protocol=reader.choice("priv_protocol", SNMP_PRIV_PROTOCOLS, ""),
        priv_key=reader.text("priv_key", max_length=200),
        oid=oid.lstrip("."),
        operator=operator,
        value=value,
        rate=rate,
    )
    if version == "2c" and not opts.community:
        reader.errors["community"] = _("Enter the community.")
    if version == "3":
        if not opts.username:
            reader.errors["username"] = _("Enter the SNMPv3 user name.")
        if opts.auth_protocol and len(opts.auth_key) < 8 and opts.auth_key != MASK:
            reader.errors["auth_key"] = _("An SNMPv3 key has at least 8 characters.")
        if opts.priv_protocol and not opts.auth_protocol:
            reader.errors["priv_protocol"] = _("Privacy (encryption) needs authentication too.")
        if opts.priv_protocol and len(opts.priv_key) < 8 and opts.priv_key != MASK:
            reader.errors["priv_key"] = _("An SNMPv3 key has at least 8 characters.")
    return opts


_PARSERS: dict[str, Callable[[_Reader], KindOptions]] = {
    "http": _http,
    "tcp": lambda r: TcpOptions(),
    "tls": lambda r: TlsOptions(warn_days=r.integer("warn_days", 14, 0, 365) or 0),
    "dns": _dns,
    "ping": lambda r: PingOptions(
        count=r.integer("count", 3, 1, 10) or 3,
        max_loss_percent=r.integer("max_loss_percent", 100, 0, 100) or 0,
        max_rtt_ms=r.integer("max_rtt_ms", None, 1, 60_000),
    ),
    "snmp": _snmp,
    "push": lambda r: PushOptions(),
}


def parse(kind: str, data: Mapping[str, Any] | None) -> KindOptions:
    """The typed options of a check of `kind`; OptionsError naming each bad field."""
    if data is not None and not isinstance(data, Mapping):
        raise OptionsError({"options": _("Enter the options as an object.")})
    if kind not in _PARSERS:
        raise OptionsError({"kind": _("Unknown kind of check.")})
    reader = _Reader(data or {}, kind)
    options = _PARSERS[kind](reader)
    reader.done()
    return options


_DEFAULTS: dict[str, dict[str, Any]] = {}


def to_stored(kind: str, options: KindOptions) -> dict[str, Any]:
    """What is stored: only the values that differ from the kind's defaults."""
    if kind not in _DEFAULTS:
        _DEFAULTS[kind] = asdict(_PARSERS[kind](_Reader({}, kind)))
    defaults = _DEFAULTS[kind]
    values = asdict(options)
    return {name: values[name] for name in STORED_FIELDS[kind] if values[name] != defaults[name]}


def with_defaults(kind: str, stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every option of the kind with its stored value or default (for forms and the API)."""
    try:
        values = asdict(parse(kind, stored))
    except OptionsError:
        values = asdict(_PARSERS[kind](_Reader({}, kind))) if kind in _PARSERS else {}
        values.update({k: v for k, v in (stored or {}).items() if k in values})
    return {name: values[name] for name in STORED_FIELDS.get(kind, ())}


# --------------------------------------------------------------------------------------------------
# secrets


def secret_paths(kind: str, options: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(option, header name or None) of every secret value present in `options`."""
    if kind == "http":
        headers = options.get("headers") or {}
        return [("headers", name) for name in headers] if isinstance(headers, dict) else []
    if kind == "snmp":
        return [(name, None) for name in ("community", "auth_key", "priv_key") if options.get(name)]
    return []


def map_secrets(kind: str, options: Mapping[str, Any], func: Callable[[str], str]) -> dict[str, Any]:
    """A copy of `options` with `func` applied to every secret value."""
    out = dict(options)
    for name, header in secret_paths(kind, options):
        if header is None:
            out[name] = func(str(out[name]))
        else:
            out[name] = dict(out[name])
            out[name][header] = func(str(out[name][header]))
    return out


def mask(kind: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Options to show: every secret value replaced by MASK."""
    return map_secrets(kind, options, lambda value: MASK if value else "")


def keep_secrets(kind: str, new: Mapping[str, Any], old_plain: Mapping[str, Any]) -> dict[str, Any]:
    """`new` with every MASK value replaced by the old (decrypted) value of the same secret."""
    out = dict(new)
    for name, header in secret_paths(kind, new):
        if header is None:
            if out[name] == MASK:
                out[name] = old_plain.get(name, "")
        else:
            headers = dict(out[name])
            if headers[header] == MASK:
                old_headers = old_plain.get("headers") or {}
                headers[header] = old_headers.get(header, "")
            out[name] = headers
    return out


def secret_label(name: str, header: str | None) -> str:
    """How a secret is named to people: the header's name, or the option's."""
    return header if header is not None else name


def clear_masked(kind: str, new: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`new` without the secret values sent back as MASK, for a check that moves to another kind,
    target or host: its stored secrets stay behind. A masked header is left out, another masked
    secret becomes empty. Returns the options and the labels of what was cleared."""
    out = dict(new)
    cleared: list[str] = []
    for name, header in secret_paths(kind, new):
        if header is None:
            if out[name] == MASK:
                out[name] = ""
                cleared.append(secret_label(name, None))
        elif out[name].get(header) == MASK:
            out[name] = {k: v for k, v in out[name].items() if k != header}
            cleared.append(secret_label(name, header))
            if not out[name]:
                del out[name]
    return out, cleared


# --------------------------------------------------------------------------------------------------
# targets


def clean_target(kind: str, target: str) -> str:
    """The target in its stored form; OptionsError({"target": ...}) when it does not fit the kind."""
    target = (target or "").strip()
    if kind == "push":
        return ""
    message = ""
    if not target:
        message = _("Enter a target.")
    elif kind == "http":
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            message = _("Enter an http:// or https:// URL.")
    elif kind == "dns":
        name = target.rstrip(".")
        if not (valid_host(name) or (name and all(valid_host(p) for p in name.split(".") if p))):
            message = _("Enter a domain name (or an IP address for PTR).")
    elif kind == "ping":
        if not valid_host(target):
            message = _("Enter a host name or IP address, without a port.")
    else:
        default_port = {"tcp": None, "tls": 443, "snmp": 161}.get(kind)
        try:
            split_host_port(target, default_port)
        except ValueError:
            message = (
                _("Enter host:port.")
                if kind == "tcp"
                else _("Enter a host name or IP address, optionally with :port.")
            )
    if message:
        raise OptionsError({"target": message})
    return target
