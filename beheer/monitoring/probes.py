"""One probe per kind of check: each returns Probe(ok, latency_ms, detail) and never raises.

Every probe connects only through the outbound address policy (beheer/core/outbound.py):
`guarded_addresses` resolves the target and checks
each address against the administrator's network policy, and the probe then connects to the
checked address itself (never to the name again), so DNS rebinding cannot slip past the check. The
HTTP client resolves through `GuardedResolver`, so redirects are held to the same policy.

Details are short and never contain a response body: a keyword mismatch says "keyword not found",
a JSON condition says which condition failed, not what the document held. They are written in the
active language (`beheer monitor` activates the installation's LANGUAGE_CODE): one gettext call
per probe at most; data in them (status codes, addresses, OS and library error texts) stays as is.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import ipaddress
import json
import logging
import socket
import ssl
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from django.utils.translation import get_language, gettext_noop, ngettext
from django.utils.translation import gettext as _

from beheer.core.outbound import AddressRefused, NetworkPolicy, checked_addresses_async

from . import rawhttp
from .options import (
    BODY_LIMIT,
    DnsOptions,
    HttpOptions,
    KindOptions,
    OptionsError,
    PingOptions,
    SnmpOptions,
    TlsOptions,
    condition_holds,
    lookup,
    parse,
    split_host_port,
)

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
DETAIL_MAX = 300
DEFAULT_HTTP = HttpOptions()


@dataclass(frozen=True)
class Probe:
    ok: bool
    latency_ms: int | None
    detail: str
    memo: dict[str, Any] | None = field(default=None, compare=False)  # kept for the next probe


def _short(text: str) -> str:
    return " ".join(text.split())[:DETAIL_MAX]


def refused_detail(exc: AddressRefused) -> str:
    """The detail of a probe the network policy stopped."""
    return _short(_("refused by the network policy: %(reason)s") % {"reason": exc})


def _seconds(timeout: float) -> dict[str, str]:
    return {"seconds": f"{timeout:g}"}


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


async def guarded_addresses(
    host: str, port: int, policy: NetworkPolicy, *, kind: int = socket.SOCK_STREAM
) -> list[str]:
    """The target's addresses the policy allows; AddressRefused when none is allowed."""
    return await checked_addresses_async(host, port, policy, kind=kind)


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


# --------------------------------------------------------------------------------------------------
# TCP


class Deadline:
    """`asyncio.timeout(delay)` for the probes, given the running loop: on Python 3.11 every
    `asyncio.get_running_loop()` is a getpid() system call, and asyncio.timeout asks three times
    per use (a tenth of the monitor's CPU for TCP checks). Same semantics: the task is cancelled at
    the deadline and the cancellation leaves the block as TimeoutError."""

    __slots__ = ("_cancelling", "_delay", "_expired", "_handle", "_loop", "_task")

    def __init__(self, loop: asyncio.AbstractEventLoop, delay: float) -> None:
        self._loop, self._delay, self._expired = loop, delay, False

    async def __aenter__(self) -> Deadline:
        task = asyncio.current_task(self._loop)
        if task is None:
            raise RuntimeError("Deadline is used inside a task")
        self._task, self._cancelling = task, task.cancelling()
        self._handle = self._loop.call_later(self._delay, self._expire)
        return self

    def _expire(self) -> None:
        self._expired = True
        self._task.cancel()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        self._handle.cancel()
        if self._expired and self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError from exc


async def probe_tcp(target: str, timeout: float, policy: NetworkPolicy) -> Probe:
    try:
        host, port = split_host_port(target, None)
    except ValueError:
        return Probe(
            False, None, _short(_("target must be host:port, got %(target)s") % {"target": repr(target)})
        )
    started = time.monotonic()
    try:
        addresses = await guarded_addresses(host, port, policy)
        loop = asyncio.get_running_loop()
        async with Deadline(loop, timeout):
            transport, _protocol = await loop.create_connection(asyncio.Protocol, addresses[0], port)
        transport.close()  # connected is all we need to know: no stream objects
    except AddressRefused as exc:
        return Probe(False, None, refused_detail(exc))
    except TimeoutError:
        return Probe(False, None, _("no connection within %(seconds)s s") % _seconds(timeout))
    except OSError as exc:
        return Probe(
            False, None, _short(_("connection failed: %(reason)s") % {"reason": exc.strerror or exc})
        )
    return Probe(True, _ms(started), _("connected to %(address)s") % {"address": f"{addresses[0]}:{port}"})


# --------------------------------------------------------------------------------------------------
# HTTP


def _check_literal(url: str, policy: NetworkPolicy) -> None:
    """aiohttp does not resolve an IP address written in the URL: check it here."""
    host = (urlsplit(url).hostname or "").strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return  # a name: the guarded resolver checks what it resolves to
    policy.check(host)


def _judge_body(body: bytes, answer: rawhttp.Answer, options: HttpOptions, status: str) -> str | None:
    """Why the body fails the keyword or JSON condition (the detail, after the status), or None."""
    if options.pattern is not None:
        found = options.pattern.search(body.decode(answer.encoding(), "replace"))
        if options.keyword_absent and found:
            return _("%(status)s, keyword found") % {"status": status}
        if not options.keyword_absent and not found:
            return _("%(status)s, keyword not found") % {"status": status}
    if options.json_path:
        try:
            document = json.loads(body)
        except ValueError:
            if len(body) >= BODY_LIMIT:
                return _("%(status)s, the response is not JSON (or larger than 1 MB)") % {"status": status}
            return _("%(status)s, the response is not JSON") % {"status": status}
        value = lookup(document, options.path)
        if not condition_holds(value, options.json_operator, options.json_value):
            wanted = "" if options.json_operator == "exists" else f" {options.json_value}"
            condition = f"{options.json_path} {options.json_operator}{wanted}"
            return _("%(status)s, JSON condition not met: %(condition)s") % {
                "status": status,
                "condition": condition,
            }
    return None


_contexts: dict[str, ssl.SSLContext] = {}


def _http_tls(options: HttpOptions, tls: ssl.SSLContext | None) -> ssl.SSLContext:
    """One context per kind, made once: creating one costs about a millisecond."""
    if options.ignore_tls_errors:
        return _contexts.setdefault("unverified", _unverified_context())
    return tls or _contexts.setdefault("default", default_tls_context())


async def probe_http(
    session: aiohttp.ClientSession | None,
    target: str,
    timeout: float,
    policy: NetworkPolicy | None = None,
    options: HttpOptions = DEFAULT_HTTP,
    tls: ssl.SSLContext | None = None,
) -> Probe:
    """One HTTP(S) request over a new connection to an address the policy allows (redirects too).

    `session` is not used (the probe writes its request on a bare transport, see rawhttp.py); it is
    accepted so callers that hold one need not change."""
    policy = policy or NetworkPolicy()
    if urlsplit(target).scheme not in ("http", "https"):
        message = _("target must be an http or https URL, got %(target)s") % {"target": repr(target)}
        return Probe(False, None, _short(message))
    started = time.monotonic()
    url = target
    hops = MAX_REDIRECTS if options.follow_redirects else 0
    context = _http_tls(options, tls)
    loop = asyncio.get_running_loop()
    try:
        async with Deadline(loop, timeout):
            for _hop in range(hops + 1):
                parts = urlsplit(url)
                host = parts.hostname or ""
                port = parts.port or (443 if parts.scheme == "https" else 80)
                addresses = await guarded_addresses(host, port, policy)
                answer = await rawhttp.fetch(
                    url,
                    addresses[0],
                    method=options.method,
                    headers=options.headers,
                    want_body=options.reads_body,
                    limit=BODY_LIMIT,
                    tls=context,
                    loop=loop,
                )
                location = answer.headers.get("location")
                redirect = answer.status in (301, 302, 303, 307, 308)
                if redirect and location and options.follow_redirects:
                    url = urljoin(url, location)
                    if urlsplit(url).scheme not in ("http", "https"):
                        message = _("redirect to a non-http URL: %(url)s") % {"url": url}
                        return Probe(False, None, _short(message))
                    continue
                latency = _ms(started)
                status = f"HTTP {answer.status} {answer.reason}".strip()
                if not options.status_ok(answer.status):
                    message = _("%(status)s, expected %(expected)s") % {
                        "status": status,
                        "expected": options.expected_status,
                    }
                    return Probe(False, latency, _short(message))
                if options.max_latency_ms is not None and latency > options.max_latency_ms:
                    message = _("%(status)s, slow: %(latency)s ms > %(limit)s ms") % {
                        "status": status,
                        "latency": latency,
                        "limit": options.max_latency_ms,
                    }
                    return Probe(False, latency, _short(message))
                failure = _judge_body(answer.body, answer, options, status) if options.reads_body else None
                if failure:
                    return Probe(False, latency, _short(failure))
                return Probe(True, latency, status)
            return Probe(False, None, _("more than %(count)s redirects") % {"count": MAX_REDIRECTS})
    except AddressRefused as exc:
        return Probe(False, None, refused_detail(exc))
    except TimeoutError:
        return Probe(False, None, _("no answer within %(seconds)s s") % _seconds(timeout))
    except ssl.SSLError as exc:
        why = getattr(exc, "verify_message", None) or exc.reason or exc
        return Probe(
            False, None, _short(_("TLS failed: certificate or handshake: %(reason)s") % {"reason": why})
        )
    except rawhttp.HttpError as exc:
        # rawhttp's messages are msgids (gettext_noop), translated here
        return Probe(False, None, _short(_("invalid HTTP answer: %(reason)s") % {"reason": _(str(exc))}))
    except OSError as exc:
        return Probe(
            False, None, _short(_("connection failed: %(reason)s") % {"reason": exc.strerror or exc})
        )


# --------------------------------------------------------------------------------------------------
# TLS certificates


def default_tls_context(cafile: str | None = None) -> ssl.SSLContext:
    """The verifying context of TLS checks: the system's CAs, plus `cafile` (an internal CA)."""
    context = ssl.create_default_context()
    if cafile:
        context.load_verify_locations(cafile)
    return context


def _unverified_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def _peer_certificate(address: str, port: int, host: str, context: ssl.SSLContext) -> bytes:
    _reader, writer = await asyncio.open_connection(address, port, ssl=context, server_hostname=host)
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()
    if not der:
        raise ssl.SSLError("no certificate")
    return bytes(der)


def _certificate_facts(der: bytes) -> tuple[datetime, str]:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_der_x509_certificate(der)
    names = cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
    issuer = str(names[0].value) if names else cert.issuer.rfc4514_string()
    return cert.not_valid_after_utc, issuer


async def probe_tls(
    target: str,
    timeout: float,
    policy: NetworkPolicy,
    options: TlsOptions,
    *,
    context: ssl.SSLContext | None = None,
    now: datetime | None = None,
) -> Probe:
    try:
        host, port = split_host_port(target, 443)
    except ValueError:
        return Probe(
            False,
            None,
            _short(_("target must be host or host:port, got %(target)s") % {"target": repr(target)}),
        )
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            address = (await guarded_addresses(host, port, policy))[0]
            try:
                der = await _peer_certificate(address, port, host, context or default_tls_context())
            except ssl.SSLCertVerificationError as exc:
                reason = exc.verify_message or exc.reason or str(exc)
                try:
                    expires, issuer = _certificate_facts(
                        await _peer_certificate(address, port, host, _unverified_context())
                    )
                except (OSError, ssl.SSLError, ValueError):
                    message = _("invalid certificate: %(reason)s") % {"reason": reason}
                else:
                    message = _("invalid certificate: %(reason)s; expires %(date)s, issuer %(issuer)s") % {
                        "reason": reason,
                        "date": f"{expires:%Y-%m-%d}",
                        "issuer": issuer,
                    }
                return Probe(False, _ms(started), _short(message))
    except AddressRefused as exc:
        return Probe(False, None, refused_detail(exc))
    except TimeoutError:
        return Probe(False, None, _("no TLS handshake within %(seconds)s s") % _seconds(timeout))
    except ssl.SSLError as exc:
        why = getattr(exc, "verify_message", None) or exc.reason or exc
        return Probe(
            False, None, _short(_("TLS failed: certificate or handshake: %(reason)s") % {"reason": why})
        )
    except OSError as exc:
        return Probe(
            False, None, _short(_("connection failed: %(reason)s") % {"reason": exc.strerror or exc})
        )
    latency = _ms(started)
    expires, issuer = _certificate_facts(der)
    days = (expires - (now or datetime.now(UTC))).total_seconds() / 86400
    facts = {"date": f"{expires:%Y-%m-%d}", "days": int(days), "issuer": issuer, "warn": options.warn_days}
    if days < options.warn_days:
        message = ngettext(
            "certificate expires within %(warn)s days: expires %(date)s (%(days)s day), issuer %(issuer)s",
            "certificate expires within %(warn)s days: expires %(date)s (%(days)s days), issuer %(issuer)s",
            abs(int(days)),
        )
        return Probe(False, latency, _short(message % facts))
    message = ngettext(
        "certificate valid, expires %(date)s (%(days)s day), issuer %(issuer)s",
        "certificate valid, expires %(date)s (%(days)s days), issuer %(issuer)s",
        int(days),
    )
    return Probe(True, latency, _short(message % facts))


# --------------------------------------------------------------------------------------------------
# DNS


def _answer_forms(text: str) -> set[str]:
    """`10 mail.example.` -> {"10 mail.example", "mail.example"}; `"v=spf1 -all"` -> unquoted."""
    whole = text.strip().lower()
    forms = {whole.rstrip("."), whole.strip('"')}
    parts = whole.split()
    if len(parts) == 2 and parts[0].isdigit():  # MX: preference and exchange
        forms.add(parts[1].rstrip("."))
    return forms


async def probe_dns(target: str, timeout: float, policy: NetworkPolicy, options: DnsOptions) -> Probe:
    import dns.asyncresolver
    import dns.exception
    import dns.nameserver
    import dns.resolver
    import dns.reversename

    name = target.strip()
    if options.record_type == "PTR":
        with contextlib.suppress(dns.exception.SyntaxError, ValueError):  # else: already a reverse name
            name = dns.reversename.from_address(name).to_text()
    try:
        if options.server:
            server, port = split_host_port(options.server, 53)
            policy.check(server)
            resolver = dns.asyncresolver.Resolver(configure=False)
            resolver.nameservers = [dns.nameserver.Do53Nameserver(server, port)]
        else:
            resolver = dns.asyncresolver.Resolver()
            allowed = [ns for ns in resolver.nameservers if policy.allows(str(ns))]
            if not allowed:
                raise AddressRefused(_("none of the system's resolvers is allowed"))
            resolver.nameservers = allowed
    except AddressRefused as exc:
        return Probe(False, None, refused_detail(exc))
    except ValueError:
        message = _("not a resolver address: %(server)s") % {"server": repr(options.server)}
        return Probe(False, None, _short(message))
    resolver.lifetime = timeout
    resolver.timeout = timeout
    started = time.monotonic()
    try:
        answer = await resolver.resolve(name, options.record_type, search=False)
    except dns.resolver.NXDOMAIN:
        return Probe(False, _ms(started), _short(_("%(name)s: no such name (NXDOMAIN)") % {"name": name}))
    except dns.resolver.NoAnswer:
        message = _("%(name)s: no %(type)s record") % {"name": name, "type": options.record_type}
        return Probe(False, _ms(started), _short(message))
    except dns.exception.Timeout:
        return Probe(False, None, _("no DNS answer within %(seconds)s s") % _seconds(timeout))
    except dns.resolver.NoNameservers as exc:
        return Probe(False, None, _short(_("no resolver answered: %(reason)s") % {"reason": exc}))
    except dns.exception.DNSException as exc:
        return Probe(False, None, _short(_("DNS failed: %(reason)s") % {"reason": exc}))
    latency = _ms(started)
    texts = [rdata.to_text() for rdata in answer]
    shown = ", ".join(texts)
    if options.expected:
        wanted = options.expected.strip().lower().rstrip(".").strip('"')
        if not any(wanted in _answer_forms(t) for t in texts):
            message = _("%(expected)s not in the answer: %(answer)s") % {
                "expected": options.expected,
                "answer": shown,
            }
            return Probe(False, latency, _short(message))
    return Probe(True, latency, _short(f"{options.record_type}: {shown}"))


# --------------------------------------------------------------------------------------------------
# ping

ICMP_UNAVAILABLE = gettext_noop(  # logged as is, translated in details
    "ICMP ping is not permitted for the monitor: allow unprivileged ping "
    "(sysctl net.ipv4.ping_group_range) or give the process CAP_NET_RAW"
)
_icmp_mode: list[bool | None] = []  # [privileged] once detected: False unprivileged, True raw, None neither


def detect_icmp() -> bool | None:
    """How this process may ping: False (unprivileged datagram sockets), True (raw sockets) or
    None (neither). Tried once per process: unprivileged first, raw sockets after."""
    if not _icmp_mode:
        from icmplib import ICMPLibError, ICMPv4Socket

        mode: bool | None = None
        for privileged in (False, True):
            try:
                ICMPv4Socket(privileged=privileged).close()
            except (ICMPLibError, OSError):
                continue
            mode = privileged
            break
        _icmp_mode.append(mode)
    return _icmp_mode[0]


async def probe_ping(
    target: str,
    timeout: float,
    policy: NetworkPolicy,
    options: PingOptions,
    *,
    privileged: bool | None = None,
) -> Probe:
    from icmplib import ICMPLibError, async_ping

    mode = detect_icmp() if privileged is None else privileged
    if mode is None:
        return Probe(False, None, _(ICMP_UNAVAILABLE))
    try:
        address = (await guarded_addresses(target.strip("[]"), 0, policy))[0]
    except AddressRefused as exc:
        return Probe(False, None, refused_detail(exc))
    try:
        host = await async_ping(
            address, count=options.count, interval=0.2, timeout=min(timeout, 5), privileged=mode
        )
    except ICMPLibError as exc:
        return Probe(False, None, _short(_("ping failed: %(reason)s") % {"reason": exc}))
    except OSError as exc:
        return Probe(False, None, _short(_("ping failed: %(reason)s") % {"reason": exc.strerror or exc}))
    loss = round(host.packet_loss * 100)
    counts = {"received": host.packets_received, "sent": host.packets_sent, "address": address}
    if not host.is_alive:
        return Probe(False, None, _("no reply: %(received)s/%(sent)s replies from %(address)s") % counts)
    latency = round(host.avg_rtt)
    facts = _("%(received)s/%(sent)s replies from %(address)s, %(loss)s%% loss, avg %(rtt)s ms") % {
        **counts,
        "loss": loss,
        "rtt": f"{host.avg_rtt:.1f}",
    }
    if loss > options.max_loss_percent:
        return Probe(False, latency, _("too much loss: %(facts)s") % {"facts": facts})
    if options.max_rtt_ms is not None and host.avg_rtt > options.max_rtt_ms:
        return Probe(False, latency, _("slow: %(facts)s") % {"facts": facts})
    return Probe(True, latency, facts)


# --------------------------------------------------------------------------------------------------
# SNMP

_AUTH = {
    "MD5": "USM_AUTH_HMAC96_MD5",
    "SHA": "USM_AUTH_HMAC96_SHA",
    "SHA224": "USM_AUTH_HMAC128_SHA224",
    "SHA256": "USM_AUTH_HMAC192_SHA256",
    "SHA384": "USM_AUTH_HMAC256_SHA384",
    "SHA512": "USM_AUTH_HMAC384_SHA512",
}
_PRIV = {
    "DES": "USM_PRIV_CBC56_DES",
    "AES": "USM_PRIV_CFB128_AES",
    "AES192": "USM_PRIV_CFB192_AES_BLUMENTHAL",
    "AES256": "USM_PRIV_CFB256_AES_BLUMENTHAL",
}


def _snmp_credentials(options: SnmpOptions) -> Any:
    from pysnmp.hlapi.v3arch.asyncio import auth

    if options.version == "2c":
        return auth.CommunityData(options.community, mpModel=1)  # noqa: S508  (the administrator's choice)
    kwargs: dict[str, Any] = {"userName": options.username}
    if options.auth_protocol:
        kwargs["authKey"] = options.auth_key
        kwargs["authProtocol"] = getattr(auth, _AUTH[options.auth_protocol])
    if options.priv_protocol:
        kwargs["privKey"] = options.priv_key
        kwargs["privProtocol"] = getattr(auth, _PRIV[options.priv_protocol])
    return auth.UsmUserData(**kwargs)  # noqa: S509  (the administrator's choice)


_snmp_engines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Any]] = (
    weakref.WeakKeyDictionary()
)
SNMP_ENGINES_MAX = 64


def _snmp_engine(options: SnmpOptions, factory: Callable[[], Any]) -> Any:
    """An SNMP engine per set of credentials, kept per event loop: creating one costs ~0.2 s of CPU,
    and an engine remembers the agents' SNMPv3 engine ids between probes."""
    engines = _snmp_engines.setdefault(asyncio.get_running_loop(), {})
    credentials = "\0".join(
        (
            options.version,
            options.community,
            options.username,
            options.auth_protocol,
            options.auth_key,
            options.priv_protocol,
            options.priv_key,
        )
    )
    key = hashlib.sha256(credentials.encode()).hexdigest()
    engine = engines.get(key)
    if engine is None:
        if len(engines) >= SNMP_ENGINES_MAX:
            engines.pop(next(iter(engines))).close_dispatcher()
        engine = engines[key] = factory()
    return engine


def _snmp_value(value: Any) -> Any:
    """A plain Python value from a pysnmp one: numbers as int, everything else as text."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return value.prettyPrint() if hasattr(value, "prettyPrint") else str(value)


async def probe_snmp(
    target: str,
    timeout: float,
    policy: NetworkPolicy,
    options: SnmpOptions,
    *,
    memo: dict[str, Any] | None = None,
    at: float | None = None,
) -> Probe:
    from pysnmp.hlapi.v3arch.asyncio import (
        ContextData,
        ObjectIdentity,
        ObjectType,
        SnmpEngine,
        Udp6TransportTarget,
        UdpTransportTarget,
        get_cmd,
    )

    try:
        host, port = split_host_port(target, 161)
    except ValueError:
        return Probe(
            False,
            None,
            _short(_("target must be host or host:port, got %(target)s") % {"target": repr(target)}),
        )
    try:
        address = (await guarded_addresses(host, port, policy, kind=socket.SOCK_DGRAM))[0]
    except AddressRefused as exc:
        return Probe(False, None, refused_detail(exc))
    transport_class = Udp6TransportTarget if ":" in address else UdpTransportTarget
    engine = _snmp_engine(options, SnmpEngine)
    started = time.monotonic()
    try:
        transport = await transport_class.create((address, port), timeout=max(1.0, timeout / 2), retries=1)
        error, status, index, binds = await get_cmd(
            engine,
            _snmp_credentials(options),
            transport,
            ContextData(),
            ObjectType(ObjectIdentity(options.oid)),
        )
    except Exception as exc:  # pysnmp raises its own errors from deep inside; say what it said
        return Probe(False, None, _short(_("SNMP failed: %(reason)s") % {"reason": exc}))
    latency = _ms(started)
    if error:
        return Probe(False, None, _short(_("SNMP failed: %(reason)s") % {"reason": error}))
    if status:
        message = _("SNMP error: %(status)s at %(index)s") % {"status": status.prettyPrint(), "index": index}
        return Probe(False, latency, _short(message))
    raw = binds[0][1]
    kind = type(raw).__name__
    if kind in ("NoSuchObject", "NoSuchInstance", "EndOfMibView"):
        return Probe(False, latency, _short(_("%(oid)s: no such object") % {"oid": options.oid}))
    value = _snmp_value(raw)
    if options.rate:
        return _snmp_rate(options, value, latency, memo or {}, time.time() if at is None else at)
    if condition_holds(value, options.operator, options.value):
        return Probe(True, latency, _short(f"{options.oid} = {value}"))
    message = _("%(oid)s = %(value)s (expected %(condition)s)") % {
        "oid": options.oid,
        "value": value,
        "condition": _snmp_condition(options),
    }
    return Probe(False, latency, _short(message))


def _snmp_condition(options: SnmpOptions) -> str:
    return options.operator if options.operator == "exists" else f"{options.operator} {options.value}"


def _snmp_rate(options: SnmpOptions, value: Any, latency: int, memo: dict[str, Any], now: float) -> Probe:
    if not isinstance(value, int):
        message = _("%(oid)s is not a counter: %(value)s") % {"oid": options.oid, "value": value}
        return Probe(False, latency, _short(message))
    new_memo = {"oid": options.oid, "value": value, "at": now}
    last_value, last_at = memo.get("value"), memo.get("at")
    reading = {"oid": options.oid, "value": value}
    if (
        memo.get("oid") != options.oid
        or not isinstance(last_value, int)
        or not isinstance(last_at, int | float)
    ):
        message = _("%(oid)s = %(value)s; the rate follows from the next probe") % reading
        return Probe(True, latency, _short(message), new_memo)
    elapsed = now - last_at
    delta = value - last_value
    if delta < 0:  # the counter wrapped or the device restarted: measure again next time
        return Probe(
            True, latency, _short(_("%(oid)s = %(value)s; the counter restarted") % reading), new_memo
        )
    if elapsed <= 0:
        return Probe(True, latency, f"{options.oid} = {value}", new_memo)
    rate = delta / elapsed
    if condition_holds(rate, options.operator, options.value):
        return Probe(True, latency, _short(f"{options.oid}: {rate:.2f}/s"), new_memo)
    message = _("%(oid)s: %(rate)s/s (expected %(condition)s)") % {
        "oid": options.oid,
        "rate": f"{rate:.2f}",
        "condition": _snmp_condition(options),
    }
    return Probe(False, latency, _short(message), new_memo)


# --------------------------------------------------------------------------------------------------
# one entry point for the monitor


@dataclass(frozen=True)
class Prepared:
    """A check ready to probe: its options parsed and its secrets decrypted, or why they cannot be."""

    kind: str
    target: str
    timeout: float
    options: KindOptions | None
    problem: str = ""

    @property
    def needs_memo(self) -> bool:
        return isinstance(self.options, SnmpOptions) and self.options.rate


@functools.lru_cache(maxsize=4096)
def _parsed(kind: str, stored: str, language: str | None) -> KindOptions | str:
    """The options, or why they cannot be used in `language` (the option errors are translated
    while parsing, so the language is part of the cache key)."""
    from beheer.core.errors import DomainError

    from .sealed import reveal

    try:
        return parse(kind, reveal(kind, json.loads(stored)))
    except OptionsError as exc:
        return _short(_("the check's options are not valid (%(reason)s); edit the check") % {"reason": exc})
    except DomainError as exc:
        return _short(exc.message)


def prepare(check: Any) -> Prepared:
    """Parse a loaded check's options once (cached by their stored text across loads)."""
    stored = json.dumps(check.options, sort_keys=True) if check.options else "{}"
    parsed = _parsed(check.kind, stored, get_language())
    if isinstance(parsed, str):
        return Prepared(check.kind, check.target, check.timeout_seconds, None, parsed)
    return Prepared(check.kind, check.target, check.timeout_seconds, parsed)


async def run_probe(
    prepared: Prepared,
    *,
    session: aiohttp.ClientSession,
    policy: NetworkPolicy,
    tls: ssl.SSLContext | None = None,
    memo: dict[str, Any] | None = None,
) -> Probe:
    """The probe of the check's kind; a check whose options cannot be used fails with the reason."""
    opts, target, timeout = prepared.options, prepared.target, prepared.timeout
    if opts is None:
        return Probe(False, None, prepared.problem)
    if isinstance(opts, HttpOptions):
        return await probe_http(session, target, timeout, policy, opts, tls=tls)
    if isinstance(opts, TlsOptions):
        return await probe_tls(target, timeout, policy, opts, context=tls)
    if isinstance(opts, DnsOptions):
        return await probe_dns(target, timeout, policy, opts)
    if isinstance(opts, PingOptions):
        return await probe_ping(target, timeout, policy, opts)
    if isinstance(opts, SnmpOptions):
        return await probe_snmp(target, timeout, policy, opts, memo=memo)
    if prepared.kind == "tcp":
        return await probe_tcp(target, timeout, policy)
    return Probe(False, None, _("checks of kind %(kind)s are not probed") % {"kind": prepared.kind})


_warned: list[bool] = []


def warn_if_no_icmp() -> None:
    """Log once per process when ping checks cannot work here."""
    if not _warned:
        _warned.append(True)
        if detect_icmp() is None:
            logger.warning("%s; ping checks will fail until then.", ICMP_UNAVAILABLE)
