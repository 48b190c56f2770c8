"""The outbound address policy: which addresses Beheer may connect to, and the only ways to connect.

Every connection Beheer makes to another machine goes through this module: the monitor's probes
(`guarded_addresses`), webhooks and the OAuth token requests of mailboxes (`http_request`), SMTP and
IMAP (`create_connection`). Each resolves the host name here, asks `NetworkPolicy.check` about every
address it resolved to, and connects to a checked address itself, never to the name again: a name
that resolves to a forbidden address (DNS rebinding between a check and the connection, a redirect
to a metadata service) is refused at connect time, not only when the setting is saved. TLS is still
verified against the host name. `http_request` never follows a redirect; the monitor's HTTP probe
follows them itself and checks every hop. `tests/test_outbound_coverage.py` fails when a module
opens a connection some other way.

The default policy denies what no ICT-beheerder needs and what an attacker would aim for: cloud
metadata services (169.254.169.254 and the rest of link-local, fd00:ec2::254, 100.100.100.200,
Azure's 168.63.129.16, Oracle's 192.0.0.192), the unspecified, "this network", broadcast and
multicast addresses. IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d,
IPv4-translated ::ffff:0:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96 and 64:ff9b:1::/48,
6to4 2002::/16, Teredo 2001::/32) are judged by the IPv4 address they carry as well, so no spelling
of a denied address gets through. Private networks (10/8, 192.168/16, ...) and loopback stay
allowed: monitoring and mailing within the local network is the point. The administrator adds
denied networks (BEHEER_OUTBOUND_DENIED_NETWORKS) or allows only some
(BEHEER_OUTBOUND_ALLOWED_NETWORKS); one configuration for every outbound connection.
"""

from __future__ import annotations

import asyncio
import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

ALWAYS_DENIED: tuple[str, ...] = (
    "169.254.0.0/16",  # IPv4 link-local, including the AWS/GCP/Azure/OCI metadata address 169.254.169.254
    "168.63.129.16/32",  # Azure WireServer (platform agent, metadata)
    "192.0.0.192/32",  # Oracle Cloud metadata
    "100.100.100.200/32",  # Alibaba Cloud metadata
    "fe80::/10",  # IPv6 link-local
    "fd00:ec2::254/128",  # AWS metadata over IPv6
    "0.0.0.0/8",  # "this network"
    "::/128",  # unspecified
    "224.0.0.0/4",  # IPv4 multicast
    "ff00::/8",  # IPv6 multicast
    "255.255.255.255/32",  # broadcast
)

_MAPPED = ipaddress.ip_network("::ffff:0:0/96")  # IPv4-mapped
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # IPv4-translated (SIIT)
_COMPATIBLE = ipaddress.ip_network("::/96")  # IPv4-compatible (deprecated), minus :: and ::1
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the well-known NAT64 prefix
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # local-use NAT64 prefixes (RFC 8215)


class AddressRefused(ValueError):
    """Beheer may not connect to this address; the message says why (in the active language)."""


class Refusal(NamedTuple):
    """Why an address is refused, kept untranslated (a policy caches its decisions across languages)."""

    message: str  # a gettext_noop msgid with %(address)s and %(network)s
    address: str
    network: str = ""

    def text(self) -> str:
        return _(self.message) % {"address": self.address, "network": self.network}


def parse_networks(lines: str | list[str]) -> list[Network]:
    """Networks from text, separated by commas, spaces or lines, `#` starting a comment to the end
    of the line (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`); ValueError naming the first bad entry."""
    rows = lines if isinstance(lines, list) else lines.splitlines()
    networks: list[Network] = []
    for row in rows:
        for item in row.split("#", 1)[0].replace(",", " ").split():
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise ValueError(f"not a network or address: {item!r}") from exc
    return networks


def _rfc6052(value: int, prefix_length: int) -> ipaddress.IPv4Address | None:
    """The IPv4 address in an IPv4-embedded IPv6 address with a prefix of this length (RFC 6052
    section 2.2: bits 64-71 are reserved and skipped), or None when the address cannot be of that
    form (those bits, or the suffix after the IPv4 address, are not zero)."""
    if prefix_length == 96:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    data = value.to_bytes(16, "big")
    without_u = data[:8] + data[9:]
    start = prefix_length // 8
    if data[8] or any(without_u[start + 4 :]):
        return None
    return ipaddress.IPv4Address(without_u[start : start + 4])


def embedded_ipv4(address: Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries (and so reaches); () for a plain address."""
    if not isinstance(address, ipaddress.IPv6Address):
        return ()
    value = int(address)
    if address in _MAPPED or address in _TRANSLATED:
        return (ipaddress.IPv4Address(value & 0xFFFFFFFF),)
    if address in _COMPATIBLE:
        return () if value <= 1 else (ipaddress.IPv4Address(value),)  # :: and ::1 are IPv6's own
    if address in _NAT64:
        return (ipaddress.IPv4Address(value & 0xFFFFFFFF),)
    if address in _NAT64_LOCAL:
        # the operator chooses a prefix of /48 up to /96 inside it: every possible reading counts
        readings = (_rfc6052(value, length) for length in (48, 56, 64, 96))
        return tuple(dict.fromkeys(v4 for v4 in readings if v4 is not None))
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address.teredo is not None:
        return tuple(dict.fromkeys(address.teredo))  # (server, client)
    return ()


def _plain_ip(address: str | Address) -> Address:
    """An address object without an IPv6 zone (fe80::1%eth0 is fe80::1); ValueError if none."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        ip = ipaddress.IPv6Address(int(ip))
    return ip


def _within(ip: Address, networks: Iterable[Network]) -> Network | None:
    for net in networks:
        if ip.version == net.version and ip in net:
            return net
    return None


@dataclass(frozen=True)
class NetworkPolicy:
    denied: tuple[Network, ...] = ()
    allowed_only: tuple[Network, ...] = ()  # empty: everything not denied is allowed
    deny_defaults: bool = True
    _defaults: tuple[Network, ...] = field(
        default=tuple(ipaddress.ip_network(n) for n in ALWAYS_DENIED), init=False, repr=False
    )
    # decisions per address string, kept by each policy (a policy never changes)
    _decided: dict[str, tuple[Address | None, Refusal | None]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _allowed_text: dict[str, str] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    @classmethod
    def from_text(
        cls, *, denied: str = "", allowed_only: str = "", deny_defaults: bool = True
    ) -> NetworkPolicy:
        return cls(
            denied=tuple(parse_networks(denied)),
            allowed_only=tuple(parse_networks(allowed_only)),
            deny_defaults=deny_defaults,
        )

    def check(self, address: str | Address) -> Address:
        """The address, if Beheer may connect to it; AddressRefused otherwise."""
        ip, refusal = self._decision(address)
        if refusal is not None:
            raise AddressRefused(refusal.text())
        assert ip is not None
        return ip

    def checked_text(self, address: str) -> str:
        """`check` as text, the form a socket connects to (kept: the monitor connects to the same
        addresses all day); AddressRefused as `check`."""
        text = self._allowed_text.get(address)
        if text is None:
            text = str(self.check(address))
            if len(self._allowed_text) > 4096:
                self._allowed_text.clear()
            self._allowed_text[address] = text
        return text

    def allows(self, address: str | Address) -> bool:
        return self._decision(address)[1] is None

    def _decision(self, address: str | Address) -> tuple[Address | None, Refusal | None]:
        if not isinstance(address, str):
            return self._judge(address)
        decided = self._decided  # the monitor asks about the same few addresses all day
        found = decided.get(address)
        if found is None:
            if len(decided) > 4096:
                decided.clear()
            found = decided[address] = self._judge(address)
        return found

    def _judge(self, address: str | Address) -> tuple[Address | None, Refusal | None]:
        try:
            ip = _plain_ip(address)
        except ValueError:
            return None, Refusal(gettext_noop("not an IP address: %(address)s"), repr(address))
        carried = embedded_ipv4(ip)
        for subject in (ip, *carried):
            shown = str(ip) if subject == ip else f"{ip} ({subject})"
            net = _within(subject, self._defaults) if self.deny_defaults else None
            if net is not None:
                message = gettext_noop("%(address)s is in %(network)s, which Beheer never connects to")
                return None, Refusal(message, shown, str(net))
            net = _within(subject, self.denied)
            if net is not None:
                message = gettext_noop("%(address)s is in the denied network %(network)s")
                return None, Refusal(message, shown, str(net))
        outside = self.allowed_only and _within(ip, self.allowed_only) is None
        if outside and (not carried or any(_within(v4, self.allowed_only) is None for v4 in carried)):
            message = gettext_noop("%(address)s is outside the networks Beheer may connect to")
            return None, Refusal(message, str(ip))
        return ip, None


# --------------------------------------------------------------------------------------------------
# the configured policy


_configured: dict[tuple[str, str], NetworkPolicy] = {}


def configured_policy() -> NetworkPolicy:
    """The administrator's policy (BEHEER_OUTBOUND_DENIED_NETWORKS / _ALLOWED_NETWORKS) with the
    defaults; one object per configuration, so its decisions are kept."""
    key = (
        str(getattr(settings, "OUTBOUND_DENIED_NETWORKS", "") or ""),
        str(getattr(settings, "OUTBOUND_ALLOWED_NETWORKS", "") or ""),
    )
    policy = _configured.get(key)
    if policy is None:
        try:
            policy = NetworkPolicy.from_text(denied=key[0], allowed_only=key[1])
        except ValueError as exc:
            raise ImproperlyConfigured(f"BEHEER_OUTBOUND_*_NETWORKS: {exc}") from exc
        if len(_configured) > 16:
            _configured.clear()
        _configured[key] = policy
    return policy


def refused_text(exc: AddressRefused) -> str:
    """How a refusal reads where an administrator sees it (an outgoing message, a mailbox)."""
    return _("Refused by the outbound address policy: %(reason)s") % {"reason": exc}


# --------------------------------------------------------------------------------------------------
# literals in settings: refused when saved


def literal_address(host: str) -> Address | None:
    """The IP address a host field or URL host names literally (`[::1]`, `169.254.169.254`, and the
    forms the system resolver reads as IPv4 without asking DNS: `2852039166`, `0xa9fea9fe`,
    `169.254.43518`), or None for a name."""
    host = (host or "").strip().strip("[]")
    if not host:
        return None
    try:
        return _plain_ip(host)
    except ValueError:
        pass
    if all(c in "0123456789abcdefxABCDEFX." for c in host) and host[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def literal_refusal(host: str, policy: NetworkPolicy | None = None) -> str | None:
    """Why a literal address in a setting is refused (translated), or None (a name, or allowed).
    A name is checked when Beheer connects: what it resolves to can change."""
    ip = literal_address(host)
    if ip is None:
        return None
    try:
        (policy or configured_policy()).check(ip)
    except AddressRefused as exc:
        return str(exc)
    return None


# --------------------------------------------------------------------------------------------------
# resolving and connecting


@lru_cache(maxsize=4096)
def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


Resolver = Callable[[str, int, int], list[str]]  # (host, port, socket type) -> addresses


def system_resolver(host: str, port: int, kind: int = socket.SOCK_STREAM) -> list[str]:
    """The addresses the system resolver gives for `host` (socket.gaierror when none)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=kind)]


def _filter(host: str, addresses: Iterable[str], policy: NetworkPolicy) -> list[str]:
    allowed, refused = [], []
    for address in addresses:
        try:
            text = policy.checked_text(address)
        except AddressRefused as exc:
            refused.append(str(exc))
            continue
        if text not in allowed:
            allowed.append(text)
    if not allowed:
        raise AddressRefused(refused[0] if refused else _("no address for %(host)s") % {"host": host})
    return allowed


def _resolve_failed(host: str, exc: socket.gaierror) -> AddressRefused:
    reason = exc.strerror or str(exc)
    return AddressRefused(_("cannot resolve %(host)s: %(reason)s") % {"host": host, "reason": reason})


def checked_addresses(
    host: str,
    port: int,
    *,
    policy: NetworkPolicy | None = None,
    resolver: Resolver | None = None,
    kind: int = socket.SOCK_STREAM,
) -> list[str]:
    """The addresses of `host` the policy allows, in the resolver's order; AddressRefused when
    there is none (every address refused, or the name does not resolve)."""
    policy = policy or configured_policy()
    host = host.strip("[]")
    literal = literal_address(host)
    if literal is not None:  # an address needs no resolving
        return [policy.checked_text(str(literal))]
    try:
        addresses = (resolver or system_resolver)(host, port, kind)
    except socket.gaierror as exc:
        raise _resolve_failed(host, exc) from exc
    return _filter(host, addresses, policy)


async def checked_addresses_async(
    host: str, port: int, policy: NetworkPolicy, *, kind: int = socket.SOCK_STREAM
) -> list[str]:
    """`checked_addresses` on the running loop's resolver (the monitor's probes)."""
    if _is_ip(host):  # an address needs no resolving (and no thread of the resolver pool)
        return [policy.checked_text(host)]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=kind)
    except socket.gaierror as exc:
        raise _resolve_failed(host, exc) from exc
    return _filter(host, (str(info[4][0]) for info in infos), policy)


def create_connection(
    address: tuple[str, int],
    timeout: float | None = None,
    source_address: Any = None,
    *,
    policy: NetworkPolicy | None = None,
    resolver: Resolver | None = None,
) -> socket.socket:
    """`socket.create_connection` through the policy: resolve, check every address, connect to a
    checked address (the next one when one fails). AddressRefused before anything is sent."""
    host, port = address
    last_error: OSError | None = None
    for ip in checked_addresses(host, port, policy=policy, resolver=resolver):
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect((ip, port))
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        return sock
    assert last_error is not None
    raise last_error


def connector(
    policy: NetworkPolicy | None = None, resolver: Resolver | None = None
) -> Callable[..., socket.socket]:
    """A `socket.create_connection` stand-in bound to a policy (None: the configured one)."""

    def connect(
        address: tuple[str, int], timeout: float | None = None, source_address: Any = None
    ) -> socket.socket:
        return create_connection(address, timeout, source_address, policy=policy, resolver=resolver)

    return connect


# --------------------------------------------------------------------------------------------------
# HTTP without redirects


class HttpAnswer(NamedTuple):
    status: int
    reason: str
    headers: dict[str, str]  # lower-case names
    body: bytes


class UrlRefused(ValueError):
    """The URL cannot be requested (scheme, user name in it, port); the message is translated."""


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int | None, *, timeout: float, connect: Callable[..., Any]) -> None:
        super().__init__(host, port, timeout=timeout)
        self._create_connection = connect


class _HTTPSConnection(http.client.HTTPSConnection):
    """TLS is verified against the URL's host name; the socket goes to the checked address."""

    def __init__(
        self,
        host: str,
        port: int | None,
        *,
        timeout: float,
        connect: Callable[..., Any],
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._create_connection = connect


def split_http_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an http(s) URL; UrlRefused when it is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(_("Not a valid URL.")) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused(_("Only http and https URLs are allowed."))
    if parts.username is not None or parts.password is not None:
        raise UrlRefused(_("A URL with a user name or password is not allowed."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname, port or default, path


def http_request(
    url: str,
    *,
    method: str = "POST",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    max_body: int = 100_000,
    context: ssl.SSLContext | None = None,
    policy: NetworkPolicy | None = None,
    resolver: Resolver | None = None,
) -> HttpAnswer:
    """One HTTP request to an address the policy allows; a redirect is returned as the answer, never
    followed. UrlRefused or AddressRefused before anything is sent; OSError, ssl.SSLError or
    http.client.HTTPException when the exchange fails."""
    scheme, host, port, path = split_http_url(url)
    connect = connector(policy, resolver)
    conn: http.client.HTTPConnection
    if scheme == "https":
        conn = _HTTPSConnection(
            host, port, timeout=timeout, connect=connect, context=context or ssl.create_default_context()
        )
    else:
        conn = _HTTPConnection(host, port, timeout=timeout, connect=connect)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read(max_body)
        return HttpAnswer(
            status=response.status,
            reason=response.reason or "",
            headers={name.lower(): value for name, value in response.getheaders()},
            body=data,
        )
    finally:
        conn.close()
