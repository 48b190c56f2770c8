"""One entry point for the monitor: a check's options prepared once, the probe of its kind."""

from __future__ import annotations

import functools
import json
import ssl
from dataclasses import dataclass
from typing import Any

import aiohttp
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from beheer.core.outbound import NetworkPolicy

from ..options import (
    DnsOptions,
    HttpOptions,
    KindOptions,
    OptionsError,
    PingOptions,
    SnmpOptions,
    TlsOptions,
    parse,
)
from .base import Probe, _short
from .http import probe_http
from .network import probe_dns, probe_tcp
from .ping import probe_ping
from .snmp import probe_snmp
from .tls import probe_tls


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

    from ..sealed import reveal

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
