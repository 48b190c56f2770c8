"""Input and output shapes of the network API (types and lengths only; the services check the rules:
a MAC address's form, a prefix's host bits, an address's duplicate)."""

from __future__ import annotations

from typing import Literal

from ninja import Field

from beheer.core.schemas import Id, Int64, Schema, TextLine

InterfaceKind = Literal["ethernet", "fibre", "wireless", "virtual", "lag", "other"]
LinkKind = Literal["cable", "logical"]
VERSION = Field(None, description="The version you read; required when changing")


class NetRefOut(Schema):
    id: int
    name: str


class PageParams(Schema):
    cursor: TextLine | None = Field(None, max_length=2000)
    limit: int = Field(50, ge=1, le=200)


class LinkEndOut(Schema):
    link_id: int
    kind: str
    label: str
    interface: NetRefOut
    ci: NetRefOut


class InterfaceOut(Schema):
    id: int
    ci: NetRefOut
    name: str
    kind: str
    speed_mbit: int | None
    mac_address: str
    enabled: bool
    description: str
    link: LinkEndOut | None
    addresses: list[str]
    version: int


class InterfaceIn(Schema):
    name: TextLine = Field(min_length=1, max_length=64)
    kind: InterfaceKind = "ethernet"
    speed_mbit: int | None = Field(None, ge=1, le=10_000_000)
    mac_address: TextLine = Field("", max_length=40)
    enabled: bool = True
    description: TextLine = Field("", max_length=200)
    version: Int64 | None = VERSION


class HopOut(Schema):
    depth: int
    from_interface: NetRefOut
    link_id: int
    to_interface: NetRefOut
    ci: NetRefOut


class BehindOut(Schema):
    hops: list[HopOut]
    truncated: bool


class LinkOut(Schema):
    id: int
    kind: str
    label: str
    description: str
    a: LinkEndOut
    b: LinkEndOut
    version: int


class LinkPage(Schema):
    items: list[LinkOut]
    next_cursor: str | None


class NetworkLinkIn(Schema):
    interface_id: Id
    other_id: Id
    kind: LinkKind = "cable"
    label: TextLine = Field("", max_length=80)
    description: TextLine = Field("", max_length=200)


class LinkChangeIn(Schema):
    kind: LinkKind = "cable"
    label: TextLine = Field("", max_length=80)
    description: TextLine = Field("", max_length=200)
    version: Int64 | None = VERSION


class VlanOut(Schema):
    id: int
    number: int
    name: str
    description: str
    branch: NetRefOut | None
    version: int


class VlanPage(Schema):
    items: list[VlanOut]
    next_cursor: str | None


class VlanIn(Schema):
    number: int = Field(ge=-(2**31), le=2**31)
    name: TextLine = Field(min_length=1, max_length=80)
    description: TextLine = Field("", max_length=200)
    branch_id: Id | None = None
    version: Int64 | None = VERSION


class UtilisationOut(Schema):
    used: int
    usable: str = Field(description="As text: an IPv6 prefix holds more than JSON numbers carry")
    percent: float | None = Field(description="None for prefixes too large for a percentage")


class PrefixOut(Schema):
    id: int
    prefix: str
    family: int
    length: int
    vlan: NetRefOut | None
    description: str
    utilisation: UtilisationOut
    next_free: str | None = Field(None, description="Only on one prefix, not in the list")
    version: int


class PrefixPage(Schema):
    items: list[PrefixOut]
    next_cursor: str | None


class PrefixIn(Schema):
    prefix: TextLine = Field(min_length=1, max_length=60)
    vlan_id: Id | None = None
    description: TextLine = Field("", max_length=200)
    version: Int64 | None = VERSION


class AddressOut(Schema):
    id: int
    address: str
    family: int
    interface: NetRefOut | None
    ci: NetRefOut | None
    prefix: NetRefOut | None
    dns_name: str
    description: str
    version: int


class AddressPage(Schema):
    items: list[AddressOut]
    next_cursor: str | None


class AddressIn(Schema):
    address: TextLine = Field(min_length=1, max_length=60)
    interface_id: Id | None = None
    dns_name: TextLine = Field("", max_length=255)
    description: TextLine = Field("", max_length=200)
    version: Int64 | None = VERSION
