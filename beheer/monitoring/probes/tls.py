"""TLS certificate checks, and the TLS contexts the probes verify with."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from datetime import UTC, datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from beheer.core.outbound import AddressRefused, NetworkPolicy

from ..options import TlsOptions, split_host_port
from .base import Probe, _ms, _seconds, _short, guarded_addresses, refused_detail


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
