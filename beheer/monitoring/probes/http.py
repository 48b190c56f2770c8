"""HTTP(S) checks: one request over a new connection to an address the policy allows."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from django.utils.translation import gettext as _

from beheer.core.outbound import AddressRefused, NetworkPolicy

from .. import rawhttp
from ..options import BODY_LIMIT, HttpOptions, condition_holds, lookup
from .base import Deadline, Probe, _ms, _seconds, _short, guarded_addresses, refused_detail
from .tls import _unverified_context, default_tls_context

MAX_REDIRECTS = 5
DEFAULT_HTTP = HttpOptions()


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
