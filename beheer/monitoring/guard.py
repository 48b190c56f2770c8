"""Which addresses a check may connect to. Pure logic, no ORM, no network.

Every outbound probe goes through one guarded function in the monitor; it resolves the target and
asks `NetworkPolicy.check(address)` for the address it is about to connect to, so a name that
resolves to a forbidden address (DNS rebinding, a redirect to a metadata service) is refused at
connect time, not only when the check is saved.

The default policy denies what no monitoring check of an ICT-beheerder needs and what an attacker
would aim for: cloud metadata services (169.254.169.254, fd00:ec2::254, 100.100.100.200), the rest
of link-local, the unspecified and multicast addresses, and IPv4-mapped forms of all of these.
Private networks (10/8, 192.168/16, ...) and loopback stay allowed: monitoring the local network
is the point. An administrator adds denied networks, or switches to allow-only networks.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

ALWAYS_DENIED: tuple[str, ...] = (
    "169.254.0.0/16",  # IPv4 link-local, including the AWS/GCP/Azure metadata address 169.254.169.254
    "100.100.100.200/32",  # Alibaba Cloud metadata
    "fe80::/10",  # IPv6 link-local
    "fd00:ec2::254/128",  # AWS metadata over IPv6
    "0.0.0.0/8",  # "this network"
    "::/128",  # unspecified
    "224.0.0.0/4",  # IPv4 multicast
    "ff00::/8",  # IPv6 multicast
    "255.255.255.255/32",  # broadcast
)


class AddressRefused(ValueError):
    """The monitor may not connect to this address; the message says why (in the active language)."""


class Refusal(NamedTuple):
    """Why an address is refused, kept untranslated (a policy caches its decisions across languages)."""

    message: str  # a gettext_noop msgid with %(address)s and %(network)s
    address: str
    network: str = ""

    def text(self) -> str:
        return _(self.message) % {"address": self.address, "network": self.network}


def parse_networks(lines: str | list[str]) -> list[Network]:
    """Networks from text, one per line or comma-separated (`10.0.0.0/8`, `2001:db8::/32`,
    `192.0.2.7`); ValueError naming the first bad entry."""
    items = lines if isinstance(lines, list) else lines.replace(",", "\n").splitlines()
    networks: list[Network] = []
    for raw in items:
        item = raw.split("#", 1)[0].strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ValueError(f"not a network or address: {item!r}") from exc
    return networks


def _plain(address: Address) -> Address:
    """IPv4-mapped and 6to4/NAT64-free forms: ::ffff:169.254.169.254 is 169.254.169.254."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


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
        """The address, if the monitor may connect to it; AddressRefused otherwise."""
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
            ip = _plain(ipaddress.ip_address(address) if isinstance(address, str) else address)
        except ValueError:
            return None, Refusal(gettext_noop("not an IP address: %(address)s"), repr(address))
        if self.deny_defaults:
            for net in self._defaults:
                if ip.version == net.version and ip in net:
                    message = gettext_noop("%(address)s is in %(network)s, which checks may never reach")
                    return None, Refusal(message, str(ip), str(net))
        for net in self.denied:
            if ip.version == net.version and ip in net:
                return None, Refusal(
                    gettext_noop("%(address)s is in the denied network %(network)s"), str(ip), str(net)
                )
        if self.allowed_only and not any(ip.version == n.version and ip in n for n in self.allowed_only):
            return None, Refusal(
                gettext_noop("%(address)s is outside the networks checks may reach"), str(ip)
            )
        return ip, None
