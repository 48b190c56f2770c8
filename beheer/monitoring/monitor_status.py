"""What the monitor process tells the web process about itself through its heartbeat.

The monitor finds out once whether it may send ICMP (`probes.detect_icmp`): unprivileged datagram
sockets, raw sockets, or neither. Only the monitor's own process can find that out, so it writes the
answer into its heartbeat row (`beheer.core.scheduler.beat`, every 15 seconds) and the screens and
the API read it from there to warn that ping checks cannot work.

With several monitors the worst answer of those that are alive counts (any of them may claim a ping
check); when none is alive, the answer of the one seen last. No heartbeat with an answer (no monitor
ever ran, or one of an older version) means "not known", and nothing is shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Literal

from beheer.core import clock
from beheer.core.models import ProcessHeartbeat

from .models import Check, CheckKind

MONITOR_SILENT_AFTER = timedelta(seconds=60)

IcmpMode = Literal["unprivileged", "raw", "none"]
ICMP_MODES: tuple[IcmpMode, ...] = ("unprivileged", "raw", "none")
_RECENT = 50  # heartbeat rows looked at: the monitors of the last restarts


def icmp_mode(detected: bool | None) -> IcmpMode:
    """`probes.detect_icmp`'s answer as the word stored in the heartbeat."""
    return "none" if detected is None else ("raw" if detected else "unprivileged")


def capabilities() -> dict[str, str]:
    """What this (monitor) process records with its heartbeat."""
    from .probes import detect_icmp

    return {"icmp": icmp_mode(detect_icmp())}


def icmp_capability() -> IcmpMode | None:
    """The monitors' recorded ability to ping; None when no monitor has recorded it."""
    rows = [
        (seen_at, caps.get("icmp") if isinstance(caps, dict) else None)
        for seen_at, caps in ProcessHeartbeat.objects.filter(kind="monitor")
        .order_by("-seen_at", "-pk")
        .values_list("seen_at", "capabilities")[:_RECENT]
    ]
    known = [(seen_at, mode) for seen_at, mode in rows if mode in ICMP_MODES]
    if not known:
        return None
    since = clock.now() - MONITOR_SILENT_AFTER
    alive = [mode for seen_at, mode in known if seen_at >= since]
    if "none" in alive:
        return "none"
    return alive[0] if alive else known[0][1]


def ping_unavailable() -> bool:
    """Whether the monitor said it cannot send ICMP, so every ping check fails."""
    return icmp_capability() == "none"


def ping_warning_for(checks: Iterable[Check]) -> bool:
    """Whether to warn on the overview: an active ping check among `checks` and no ICMP."""
    return any(c.kind == CheckKind.PING and c.active for c in checks) and ping_unavailable()
