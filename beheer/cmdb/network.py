"""Reads of the network (pure queries, no writes): how full a prefix is, its next free address, and
what is behind a port.

Every read here takes a bounded number of queries, whatever the network holds: the utilisation of a
page of prefixes is one query; the next free address one; "behind this port" one query per hop of
depth.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from .models import ConfigurationItem, Interface, IpAddress, Link, Prefix
from .services.network import key_of

PERCENT_LIMIT = 2**32  # above this many usable addresses (IPv6), a count without a percentage
NEXT_FREE_SCAN = 4096  # addresses looked at from the start of a prefix for a free one
MAX_DEPTH = 6
MAX_HOPS = 200


# --------------------------------------------------------------------------------------------------
# prefixes


@dataclass(frozen=True)
class Utilisation:
    used: int
    usable: int
    percent: float | None  # None when the prefix is too large for a percentage to mean anything

    @property
    def text(self) -> str:
        if self.percent is None:
            return f"{self.used}"
        return f"{self.used} / {self.usable} ({self.percent:.0f}%)"


def network_of(prefix: Prefix) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(prefix.prefix)


def usable_range(prefix: Prefix) -> tuple[int, int]:
    """The first and last address (as integers) to hand out: IPv4 skips the network and broadcast
    address (not in a /31 or /32); IPv6 skips the subnet-router address (the first), not in a /127
    or /128."""
    net = network_of(prefix)
    first, last = int(net.network_address), int(net.broadcast_address)
    if net.version == 4 and net.prefixlen <= 30:
        return first + 1, last - 1
    if net.version == 6 and net.prefixlen <= 126:
        return first + 1, last
    return first, last


def usable_size(prefix: Prefix) -> int:
    first, last = usable_range(prefix)
    return last - first + 1


def _used_subquery() -> Subquery:
    inside = (
        IpAddress.objects.filter(
            family=OuterRef("family"), key__gte=OuterRef("first_key"), key__lte=OuterRef("last_key")
        )
        .order_by()
        .values("family")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(inside, output_field=IntegerField())


def used_counts(prefix_ids: Iterable[int]) -> dict[int, int]:
    """The addresses in each prefix (its more specific prefixes' addresses included), in one query."""
    ids = list(prefix_ids)
    if not ids:
        return {}
    rows = Prefix.objects.filter(pk__in=ids).annotate(used=Coalesce(_used_subquery(), Value(0)))
    return dict(rows.values_list("pk", "used"))


def utilisation(prefix: Prefix, used: int | None = None) -> Utilisation:
    if used is None:
        used = used_counts([prefix.pk]).get(prefix.pk, 0)
    usable = usable_size(prefix)
    percent = None if usable > PERCENT_LIMIT else (100.0 * used / usable if usable else 0.0)
    return Utilisation(used=used, usable=usable, percent=percent)


def next_free(prefix: Prefix) -> str | None:
    """The lowest free address of the prefix to hand out, looking at most NEXT_FREE_SCAN addresses
    from its start (one query); None when those are all taken."""
    net = network_of(prefix)
    first, last = usable_range(prefix)
    make = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
    taken = IpAddress.objects.filter(
        family=net.version, key__gte=key_of(make(first)), key__lte=key_of(make(last))
    ).order_by("key")
    keys = list(taken.values_list("key", flat=True)[:NEXT_FREE_SCAN])
    candidate = first
    for key in keys:
        value = int(key, 16)
        if value != candidate:
            break
        candidate += 1
    else:
        if len(keys) >= NEXT_FREE_SCAN:
            return None
    if candidate > last or candidate - first >= NEXT_FREE_SCAN:
        return None
    return str(make(candidate))


# --------------------------------------------------------------------------------------------------
# behind a port


@dataclass(frozen=True)
class Hop:
    depth: int  # 1 for the other end of the port's own link
    from_interface: Interface  # the interface on this side
    link: Link
    to_interface: Interface  # the other end
    ci: ConfigurationItem  # the other end's CI


@dataclass(frozen=True)
class Behind:
    hops: Sequence[Hop]
    truncated: bool  # stopped at the depth or hop limit with more to follow


def _links_of(ci_ids: set[int]) -> list[Link]:
    return list(
        Link.objects.select_related("a_interface__ci__ci_type", "b_interface__ci__ci_type")
        .filter(Q(a_interface__ci_id__in=ci_ids) | Q(b_interface__ci_id__in=ci_ids))
        .order_by("id")
    )


def behind(interface: Interface, *, depth: int = 3) -> Behind:
    """What is behind this port: its link's other end and that CI, then onward through that CI's other
    linked interfaces, breadth first, up to `depth` hops (at most MAX_DEPTH) and MAX_HOPS in all.
    Cycle-safe: a CI is entered once (the port's own CI counts as entered)."""
    depth = max(1, min(depth, MAX_DEPTH))
    first = (
        Link.objects.select_related("a_interface__ci__ci_type", "b_interface__ci__ci_type")
        .filter(Q(a_interface=interface) | Q(b_interface=interface))
        .first()
    )
    if first is None:
        return Behind(hops=[], truncated=False)
    near = first.a_interface if first.a_interface_id == interface.pk else first.b_interface
    far = first.other_end(interface.pk)
    hops = [Hop(1, near, first, far, far.ci)]
    visited = {interface.ci_id, far.ci_id}
    used_links = {first.pk}
    frontier = {far.ci_id: far.pk}  # CI -> the interface we came in through
    truncated = False
    level = 1
    while frontier:
        links = _links_of(set(frontier))
        if level >= depth:
            truncated = any(link.pk not in used_links for link in links)
            break
        level += 1
        following: dict[int, int] = {}
        for link in links:
            if link.pk in used_links:
                continue
            for here, there in ((link.a_interface, link.b_interface), (link.b_interface, link.a_interface)):
                if here.ci_id not in frontier or here.pk == frontier[here.ci_id]:
                    continue
                used_links.add(link.pk)
                if there.ci_id in visited:
                    continue  # a loop back to a CI we have seen: not entered again
                if len(hops) >= MAX_HOPS:
                    truncated = True
                    break
                visited.add(there.ci_id)
                hops.append(Hop(level, here, link, there, there.ci))
                following[there.ci_id] = there.pk
                break
        frontier = following
    return Behind(hops=hops, truncated=truncated)
