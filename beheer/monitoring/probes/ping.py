"""Ping (ICMP) checks, and whether this process may send ICMP at all."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from beheer.core.outbound import AddressRefused, NetworkPolicy

from ..options import PingOptions
from .base import Probe, _short, guarded_addresses, refused_detail

logger = logging.getLogger(__name__)

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


_warned: list[bool] = []


def warn_if_no_icmp() -> None:
    """Log once per process when ping checks cannot work here."""
    if not _warned:
        _warned.append(True)
        if detect_icmp() is None:
            logger.warning("%s; ping checks will fail until then.", ICMP_UNAVAILABLE)
