"""The network: interfaces of CIs, links between two interfaces, VLANs, prefixes and IP addresses.

Staff keep them (as the rest of the CMDB). Changes to a CI's interfaces, links and addresses are on
that CI's own trail (`CiHistoryEntry`, fields "interface", "link" and "address"); a link on both
ends' trails. An address gets the most specific prefix that contains it; adding, changing or removing
a prefix moves the addresses it concerns.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from beheer.accounts.models import Branch, User
from beheer.core import access, checks, history
from beheer.core.errors import DomainError, NotFound

from ..models import (
    CiAction,
    CiHistoryEntry,
    ConfigurationItem,
    Interface,
    InterfaceKind,
    IpAddress,
    Link,
    LinkKind,
    Prefix,
    Vlan,
)

MAX_SPEED = 10_000_000  # Mbit/s: 10 Tbit/s
LIMITS = {"name": 64, "label": 80, "description": 200, "dns_name": 255}
MAC_DIGITS = re.compile(r"^[0-9a-f]{12}$")

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddr = ipaddress.IPv4Address | ipaddress.IPv6Address


def key_of(address: IpAddr) -> str:
    """An address as 32 hexadecimal digits: text order is numeric order, within one family."""
    return format(int(address), "032x")


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(_("Check the highlighted fields."), field_errors={field: message})


def _text(value: str, name: str, errors: dict[str, str], *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[name] = _("Required.")
    elif name in LIMITS and len(text) > LIMITS[name]:
        errors[name] = _("At most %(limit)d characters.") % {"limit": LIMITS[name]}
    return text


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)


def _locked(model: type[Any], obj: Any, expected_version: int | None, missing: str) -> Any:
    changed = _("Somebody else changed this. Reload it and try again.")
    return checks.locked_at(model.objects.all(), obj.pk, expected_version, missing=missing, changed=changed)


def _save(obj: Any, field: str, message: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise _invalid(field, message) from None


# --------------------------------------------------------------------------------------------------
# parsing


def normalise_mac(value: str) -> str:
    """A MAC address as aa:bb:cc:dd:ee:ff, from colons, dashes, Cisco dots or bare digits; empty
    stays empty; anything else is refused."""
    text = (value or "").strip().lower()
    if not text:
        return ""
    digits = re.sub(r"[:\-.]", "", text)
    if not MAC_DIGITS.match(digits):
        raise _invalid("mac_address", _("Enter a MAC address such as aa:bb:cc:dd:ee:ff."))
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def parse_prefix(value: str) -> IpNetwork:
    """An IPv4 or IPv6 network; a value with host bits set (10.0.0.1/24) is refused, naming the
    network it probably means."""
    text = (value or "").strip()
    if not text:
        raise _invalid("prefix", _("Required."))
    if "/" not in text:
        raise _invalid("prefix", _("Enter a network with its length, such as 10.20.0.0/22."))
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise _invalid("prefix", _("Enter a network such as 10.20.0.0/22 or 2001:db8::/64.")) from None
        raise _invalid(
            "prefix",
            _("%(value)s has host bits set; the network is %(network)s.") % {"value": text, "network": loose},
        ) from None


def parse_address(value: str) -> IpAddr:
    text = (value or "").strip()
    if not text:
        raise _invalid("address", _("Required."))
    try:
        return ipaddress.ip_address(text.split("/")[0] if text.count("/") == 1 else text)
    except ValueError:
        raise _invalid("address", _("Enter an IP address such as 10.20.0.5 or 2001:db8::5.")) from None


# --------------------------------------------------------------------------------------------------
# interfaces


@dataclass(frozen=True)
class InterfaceData:
    name: str
    kind: str = InterfaceKind.ETHERNET
    speed_mbit: int | None = None
    mac_address: str = ""
    enabled: bool = True
    description: str = ""


@history.stored_text
def describe_interface(interface: Interface) -> str:
    parts = [interface.get_kind_display()]
    if interface.speed_mbit:
        parts.append(f"{interface.speed_mbit} Mbit/s")
    if interface.mac_address:
        parts.append(interface.mac_address)
    if not interface.enabled:
        parts.append(str(_("disabled")))
    return f"{interface.name} ({', '.join(parts)})"


def _check_interface(data: InterfaceData, ci: ConfigurationItem, current: Interface | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "name": _text(data.name, "name", errors, required=True),
        "description": _text(data.description, "description", errors),
        "kind": data.kind,
        "speed_mbit": data.speed_mbit,
        "enabled": bool(data.enabled),
    }
    if data.kind not in InterfaceKind.values:
        errors["kind"] = _("Unknown kind of interface.")
    if data.speed_mbit is not None and not 0 < data.speed_mbit <= MAX_SPEED:
        errors["speed_mbit"] = _("Enter a speed from 1 up to %(limit)d Mbit/s.") % {"limit": MAX_SPEED}
    try:
        values["mac_address"] = normalise_mac(data.mac_address)
    except DomainError as exc:
        errors.update(exc.field_errors)
    if values["name"] and "name" not in errors:
        taken = Interface.objects.filter(ci=ci, name=values["name"])
        if current is not None:
            taken = taken.exclude(pk=current.pk)
        if taken.exists():
            errors["name"] = _("This configuration item already has an interface with this name.")
    _raise(errors)
    return values


def _ci_record(ci: ConfigurationItem, *, actor: User, field: str, old: str = "", new: str = "") -> None:
    history.record(CiHistoryEntry, ci, actor=actor, action=CiAction.CHANGED, field=field, old=old, new=new)


@transaction.atomic
def create_interface(ci: ConfigurationItem, *, actor: User, data: InterfaceData) -> Interface:
    access.ensure_staff(actor)
    values = _check_interface(data, ci, None)
    interface = Interface(ci=ci, **values)
    _save(interface, "name", _("This configuration item already has an interface with this name."))
    _ci_record(ci, actor=actor, field="interface", new=describe_interface(interface))
    return interface


@transaction.atomic
def update_interface(
    interface: Interface, *, actor: User, data: InterfaceData, expected_version: int | None
) -> Interface:
    access.ensure_staff(actor)
    current = _locked(Interface, interface, expected_version, _("Interface not found."))
    ci = ConfigurationItem.objects.get(pk=current.ci_id)
    values = _check_interface(data, ci, current)
    before = describe_interface(current)
    changed = any(getattr(current, k) != v for k, v in values.items())
    if not changed:
        return current
    for k, v in values.items():
        setattr(current, k, v)
    current.version += 1
    _save(current, "name", _("This configuration item already has an interface with this name."))
    _ci_record(ci, actor=actor, field="interface", old=before, new=describe_interface(current))
    return current


@transaction.atomic
def delete_interface(interface: Interface, *, actor: User, expected_version: int | None = None) -> None:
    """Remove an interface; its link goes with it (both ends' history says so) and its addresses
    stay, on no interface."""
    access.ensure_staff(actor)
    current = _locked(Interface, interface, expected_version, _("Interface not found."))
    link = _link_of(current)
    if link is not None:
        _record_link(link, actor=actor, old=describe_link(link))
        link.delete()
    ci = ConfigurationItem.objects.get(pk=current.ci_id)
    for address in IpAddress.objects.filter(interface=current).order_by("key"):
        _ci_record(ci, actor=actor, field="address", old=f"{address.address} {current.name}")
    IpAddress.objects.filter(interface=current).update(interface=None, version=F("version") + 1)
    _ci_record(ci, actor=actor, field="interface", old=describe_interface(current))
    current.delete()


# --------------------------------------------------------------------------------------------------
# links


def _link_of(interface: Interface) -> Link | None:
    return (
        Link.objects.select_related("a_interface__ci", "b_interface__ci")
        .filter(Q(a_interface=interface) | Q(b_interface=interface))
        .first()
    )


def describe_link(link: Link) -> str:
    a, b = link.a_interface, link.b_interface
    text = f"{a.ci.name} {a.name} - {b.ci.name} {b.name}"
    return f"{text} ({link.label})" if link.label else text


def _record_link(link: Link, *, actor: User, old: str = "", new: str = "") -> None:
    cis = {link.a_interface.ci_id: link.a_interface.ci, link.b_interface.ci_id: link.b_interface.ci}
    for ci in cis.values():
        _ci_record(ci, actor=actor, field="link", old=old, new=new)


@transaction.atomic
def connect(
    interface: Interface,
    *,
    actor: User,
    other: Interface,
    kind: str = LinkKind.CABLE,
    label: str = "",
    description: str = "",
) -> Link:
    """Link two interfaces; each may be in one link only, and never linked to itself."""
    access.ensure_staff(actor)
    errors: dict[str, str] = {}
    if kind not in LinkKind.values:
        errors["kind"] = _("Unknown kind of link.")
    label = _text(label, "label", errors)
    description = _text(description, "description", errors)
    if interface.pk == other.pk:
        errors["other"] = _("An interface cannot be linked to itself.")
    _raise(errors)
    ends = {
        i.pk: i
        for i in Interface.objects.select_for_update()
        .select_related("ci")
        .filter(pk__in=[interface.pk, other.pk])
        .order_by("pk")
    }
    if len(ends) != 2:
        raise NotFound(_("Interface not found."))
    busy = Link.objects.filter(
        Q(a_interface_id__in=list(ends)) | Q(b_interface_id__in=list(ends))
    ).values_list("a_interface_id", "b_interface_id")
    taken = {pk for pair in busy for pk in pair} & set(ends)
    if interface.pk in taken:
        errors["interface"] = _("This interface is already linked; disconnect it first.")
    if other.pk in taken:
        errors["other"] = _("The other interface is already linked; disconnect it first.")
    _raise(errors)
    link = Link(
        a_interface=ends[interface.pk],
        b_interface=ends[other.pk],
        kind=kind,
        label=label,
        description=description,
    )
    _save(link, "other", _("One of these interfaces is already linked."))
    _record_link(link, actor=actor, new=describe_link(link))
    return link


@transaction.atomic
def update_link(
    link: Link,
    *,
    actor: User,
    kind: str,
    label: str = "",
    description: str = "",
    expected_version: int | None,
) -> Link:
    access.ensure_staff(actor)
    current = _locked(Link, link, expected_version, _("Link not found."))
    errors: dict[str, str] = {}
    if kind not in LinkKind.values:
        errors["kind"] = _("Unknown kind of link.")
    label = _text(label, "label", errors)
    description = _text(description, "description", errors)
    _raise(errors)
    current = Link.objects.select_related("a_interface__ci", "b_interface__ci").get(pk=current.pk)
    if (current.kind, current.label, current.description) == (kind, label, description):
        return current
    before = describe_link(current)
    current.kind, current.label, current.description = kind, label, description
    current.version += 1
    current.save()
    _record_link(current, actor=actor, old=before, new=describe_link(current))
    return current


@transaction.atomic
def disconnect(link: Link, *, actor: User, expected_version: int | None = None) -> None:
    access.ensure_staff(actor)
    current = _locked(Link, link, expected_version, _("Link not found."))
    current = Link.objects.select_related("a_interface__ci", "b_interface__ci").get(pk=current.pk)
    _record_link(current, actor=actor, old=describe_link(current))
    current.delete()


# --------------------------------------------------------------------------------------------------
# VLANs


@dataclass(frozen=True)
class VlanData:
    number: int
    name: str
    description: str = ""
    branch: Branch | None = None


@transaction.atomic
def save_vlan(vlan: Vlan | None, *, actor: User, data: VlanData, expected_version: int | None = None) -> Vlan:
    """Add a VLAN (`vlan` None) or change one; the number is 1-4094 and unique per branch."""
    access.ensure_staff(actor)
    errors: dict[str, str] = {}
    name = _text(data.name, "name", errors, required=True)
    description = _text(data.description, "description", errors)
    if not isinstance(data.number, int) or not 1 <= data.number <= 4094:
        errors["number"] = _("Enter a VLAN number from 1 up to 4094.")
    else:
        taken = Vlan.objects.filter(number=data.number, branch=data.branch)
        if vlan is not None:
            taken = taken.exclude(pk=vlan.pk)
        if taken.exists():
            errors["number"] = _("This VLAN number is already in use at this branch.")
    _raise(errors)
    current = Vlan() if vlan is None else _locked(Vlan, vlan, expected_version, _("VLAN not found."))
    if vlan is not None and (current.number, current.name, current.description, current.branch_id) == (
        data.number,
        name,
        description,
        data.branch.pk if data.branch else None,
    ):
        return current
    current.number, current.name, current.description, current.branch = (
        data.number,
        name,
        description,
        data.branch,
    )
    if vlan is not None:
        current.version += 1
    _save(current, "number", _("This VLAN number is already in use at this branch."))
    return current


@transaction.atomic
def delete_vlan(vlan: Vlan, *, actor: User, expected_version: int | None = None) -> None:
    """Remove a VLAN; its prefixes stay, on no VLAN."""
    access.ensure_staff(actor)
    current = _locked(Vlan, vlan, expected_version, _("VLAN not found."))
    current.delete()


# --------------------------------------------------------------------------------------------------
# prefixes


@dataclass(frozen=True)
class PrefixData:
    prefix: str
    vlan: Vlan | None = None
    description: str = ""


def _containing(family: int, key: str) -> Prefix | None:
    """The most specific prefix that contains the address."""
    return (
        Prefix.objects.filter(family=family, first_key__lte=key, last_key__gte=key)
        .order_by("-length", "id")
        .first()
    )


def _reassign(addresses: Any) -> None:
    """Give each of these addresses its most specific prefix again."""
    for address in addresses.select_for_update():
        found = _containing(address.family, address.key)
        if (found.pk if found else None) != address.prefix_id:
            IpAddress.objects.filter(pk=address.pk).update(prefix=found)


def _claim(prefix: Prefix) -> None:
    """The addresses in the prefix whose prefix is less specific (or none) now fall in this one."""
    IpAddress.objects.filter(
        family=prefix.family, key__gte=prefix.first_key, key__lte=prefix.last_key
    ).filter(Q(prefix=None) | Q(prefix__length__lt=prefix.length)).update(prefix=prefix)


@transaction.atomic
def save_prefix(
    prefix: Prefix | None, *, actor: User, data: PrefixData, expected_version: int | None = None
) -> Prefix:
    access.ensure_staff(actor)
    errors: dict[str, str] = {}
    description = _text(data.description, "description", errors)
    network: IpNetwork | None = None
    try:
        network = parse_prefix(data.prefix)
    except DomainError as exc:
        errors.update(exc.field_errors)
    if network is not None:
        taken = Prefix.objects.filter(prefix=str(network))
        if prefix is not None:
            taken = taken.exclude(pk=prefix.pk)
        if taken.exists():
            errors["prefix"] = _("This prefix already exists.")
    _raise(errors)
    assert network is not None
    current = (
        Prefix() if prefix is None else _locked(Prefix, prefix, expected_version, _("Prefix not found."))
    )
    moved = prefix is not None and current.prefix != str(network)
    if (
        prefix is not None
        and not moved
        and (current.vlan_id, current.description) == (data.vlan.pk if data.vlan else None, description)
    ):
        return current
    current.prefix = str(network)
    current.family = network.version
    current.length = network.prefixlen
    current.first_key = key_of(network.network_address)
    current.last_key = key_of(network.broadcast_address)
    current.vlan = data.vlan
    current.description = description
    if prefix is not None:
        current.version += 1
    _save(current, "prefix", _("This prefix already exists."))
    if moved:
        _reassign(IpAddress.objects.filter(prefix=current))
    _claim(current)
    return current


@transaction.atomic
def delete_prefix(prefix: Prefix, *, actor: User, expected_version: int | None = None) -> None:
    """Remove a prefix; its addresses stay and fall in the next most specific prefix, if any."""
    access.ensure_staff(actor)
    current = _locked(Prefix, prefix, expected_version, _("Prefix not found."))
    inside = list(IpAddress.objects.filter(prefix=current).values_list("pk", flat=True))
    current.delete()
    _reassign(IpAddress.objects.filter(pk__in=inside))


# --------------------------------------------------------------------------------------------------
# addresses


@dataclass(frozen=True)
class AddressData:
    address: str
    interface: Interface | None = None
    dns_name: str = ""
    description: str = ""


def _address_text(address: IpAddress, interface: Interface | None) -> str:
    return f"{address.address} {interface.name}" if interface is not None else address.address


def _record_address(
    actor: User,
    old: tuple[IpAddress, Interface | None] | None,
    new: tuple[IpAddress, Interface | None] | None,
) -> None:
    old_ci = old[1].ci_id if old and old[1] else None
    new_ci = new[1].ci_id if new and new[1] else None
    old_text = _address_text(*old) if old else ""
    new_text = _address_text(*new) if new else ""
    if old_ci is not None and old_ci == new_ci:
        if old_text != new_text:
            _ci_record(
                ConfigurationItem.objects.get(pk=old_ci),
                actor=actor,
                field="address",
                old=old_text,
                new=new_text,
            )
        return
    if old_ci is not None:
        _ci_record(ConfigurationItem.objects.get(pk=old_ci), actor=actor, field="address", old=old_text)
    if new_ci is not None:
        _ci_record(ConfigurationItem.objects.get(pk=new_ci), actor=actor, field="address", new=new_text)


@transaction.atomic
def save_address(
    address: IpAddress | None, *, actor: User, data: AddressData, expected_version: int | None = None
) -> IpAddress:
    """Add an address (`address` None) or change one; it gets the most specific prefix that contains
    it; the same address twice is refused."""
    access.ensure_staff(actor)
    errors: dict[str, str] = {}
    dns_name = _text(data.dns_name, "dns_name", errors).lower().rstrip(".")
    description = _text(data.description, "description", errors)
    parsed: IpAddr | None = None
    try:
        parsed = parse_address(data.address)
    except DomainError as exc:
        errors.update(exc.field_errors)
    duplicate = _("This address is already registered.")
    if parsed is not None:
        taken = IpAddress.objects.filter(address=str(parsed))
        if address is not None:
            taken = taken.exclude(pk=address.pk)
        if taken.exists():
            errors["address"] = duplicate
    _raise(errors)
    assert parsed is not None
    if address is None:
        current = IpAddress()
        old = None
    else:
        current = _locked(IpAddress, address, expected_version, _("Address not found."))
        old_interface = (
            Interface.objects.filter(pk=current.interface_id).first() if current.interface_id else None
        )
        old = (IpAddress(address=current.address), old_interface)
        if (current.address, current.interface_id, current.dns_name, current.description) == (
            str(parsed),
            data.interface.pk if data.interface else None,
            dns_name,
            description,
        ):
            return current
        current.version += 1
    current.address = str(parsed)
    current.family = parsed.version
    current.key = key_of(parsed)
    current.interface = data.interface
    current.dns_name = dns_name
    current.description = description
    current.prefix = _containing(current.family, current.key)
    _save(current, "address", duplicate)
    _record_address(actor, old, (current, data.interface))
    return current


@transaction.atomic
def delete_address(address: IpAddress, *, actor: User, expected_version: int | None = None) -> None:
    access.ensure_staff(actor)
    current = _locked(IpAddress, address, expected_version, _("Address not found."))
    interface = Interface.objects.filter(pk=current.interface_id).first() if current.interface_id else None
    _record_address(actor, (current, interface), None)
    current.delete()
