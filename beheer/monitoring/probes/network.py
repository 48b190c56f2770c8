"""TCP connect and DNS checks."""

from __future__ import annotations

import asyncio
import contextlib
import time

from django.utils.translation import gettext as _

from beheer.core.outbound import AddressRefused, NetworkPolicy

from ..options import DnsOptions, split_host_port
from .base import Deadline, Probe, _ms, _seconds, _short, guarded_addresses, refused_detail

# --------------------------------------------------------------------------------------------------
# TCP


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
