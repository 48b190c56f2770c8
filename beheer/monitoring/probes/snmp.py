"""SNMP checks (v2c and v3): a value compared with a condition, or a counter's rate."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import time
import weakref
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from beheer.core.outbound import AddressRefused, NetworkPolicy

from ..options import SnmpOptions, condition_holds, split_host_port
from .base import Probe, _ms, _short, guarded_addresses, refused_detail

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


def snmp_credentials(options: SnmpOptions) -> Any:
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
            snmp_credentials(options),
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
