"""JSON adapter for the network: interfaces per CI (with their link's other end, their addresses and
what is behind them), links, VLANs, prefixes (with utilisation and next free address) and IP
addresses. Mounted under /api/v1/cmdb/network/ (beheer/api.py); staff only, as the CMDB.

Thin: look up through `visible_to` (missing -> 404), call one service, serialise. Lists use keyset
pagination (`cursor`, `limit`) and a fixed number of queries per page. A reference in a body is an id;
an unknown id is a 400 on that field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import Branch
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import Lookup, get_row, ref, version_sent
from beheer.core.errors import DomainError, NotFound
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import Id, Int64, errors

from .. import network, services
from ..models import ConfigurationItem, Interface, IpAddress, Link, Prefix, Vlan
from ..schemas.licences import VersionParams
from ..schemas.network import (
    AddressIn,
    AddressOut,
    AddressPage,
    BehindOut,
    InterfaceIn,
    InterfaceOut,
    LinkChangeIn,
    LinkOut,
    LinkPage,
    NetworkLinkIn,
    PageParams,
    PrefixIn,
    PrefixOut,
    PrefixPage,
    VlanIn,
    VlanOut,
    VlanPage,
)

router = access.declare(
    Router(tags=["cmdb network"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("The CMDB is for operators.")),
)

MAX_INTERFACES = 1000
INTERFACE_JOINS = ("ci", "link_as_a__b_interface__ci", "link_as_b__a_interface__ci")
LINK_JOINS = ("a_interface__ci", "b_interface__ci")
ADDRESS_JOINS = ("interface__ci", "prefix")
BODY_FIELDS = {"other": "other_id", "interface": "interface_id", "branch": "branch_id", "vlan": "vlan_id"}


def _renamed(exc: DomainError) -> DomainError:
    if not set(exc.field_errors) & set(BODY_FIELDS):
        return exc
    return type(exc)(
        exc.message, field_errors={BODY_FIELDS.get(k, k): v for k, v in exc.field_errors.items()}
    )


# --------------------------------------------------------------------------------------------------
# serialising


def _end(link: Link, interface: Interface) -> dict[str, Any]:
    return {
        "link_id": link.pk,
        "kind": link.kind,
        "label": link.label,
        "interface": ref(interface),
        "ci": ref(interface.ci),
    }


def link_of(interface: Interface) -> tuple[Link, Interface] | None:
    """The interface's link and its other end, from the joins of INTERFACE_JOINS."""
    for name, other in (("link_as_a", "b_interface"), ("link_as_b", "a_interface")):
        try:
            link = getattr(interface, name)
        except ObjectDoesNotExist:
            continue
        return link, getattr(link, other)
    return None


def addresses_by_interface(ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = IpAddress.objects.filter(interface_id__in=ids).order_by("family", "key")
    for interface_id, text in rows.values_list("interface_id", "address"):
        found.setdefault(interface_id, []).append(text)
    return found


def interface_out(interface: Interface, addresses: list[str]) -> dict[str, Any]:
    end = link_of(interface)
    return {
        "id": interface.pk,
        "ci": ref(interface.ci),
        "name": interface.name,
        "kind": interface.kind,
        "speed_mbit": interface.speed_mbit,
        "mac_address": interface.mac_address,
        "enabled": interface.enabled,
        "description": interface.description,
        "link": _end(end[0], end[1]) if end else None,
        "addresses": addresses,
        "version": interface.version,
    }


def link_out(link: Link) -> dict[str, Any]:
    return {
        "id": link.pk,
        "kind": link.kind,
        "label": link.label,
        "description": link.description,
        "a": _end(link, link.a_interface),
        "b": _end(link, link.b_interface),
        "version": link.version,
    }


def vlan_out(vlan: Vlan) -> dict[str, Any]:
    return {
        "id": vlan.pk,
        "number": vlan.number,
        "name": vlan.name,
        "description": vlan.description,
        "branch": ref(vlan.branch),
        "version": vlan.version,
    }


def prefix_out(prefix: Prefix, used: int, *, next_free: str | None = None) -> dict[str, Any]:
    use = network.utilisation(prefix, used)
    return {
        "id": prefix.pk,
        "prefix": prefix.prefix,
        "family": prefix.family,
        "length": prefix.length,
        "vlan": ref(prefix.vlan),
        "description": prefix.description,
        "utilisation": {"used": use.used, "usable": str(use.usable), "percent": use.percent},
        "next_free": next_free,
        "version": prefix.version,
    }


def address_out(address: IpAddress) -> dict[str, Any]:
    interface = address.interface
    return {
        "id": address.pk,
        "address": address.address,
        "family": address.family,
        "interface": ref(interface),
        "ci": ref(interface.ci) if interface is not None else None,
        "prefix": ref(address.prefix, name=address.prefix.prefix) if address.prefix else None,
        "dns_name": address.dns_name,
        "description": address.description,
        "version": address.version,
    }


# --------------------------------------------------------------------------------------------------
# lookups


def _ci(request: HttpRequest, pk: int) -> ConfigurationItem:
    ci = ConfigurationItem.objects.visible_to(current_user(request)).filter(pk=pk).first()
    if ci is None:
        raise NotFound(_("Configuration item not found."))
    return ci


def _one(request: HttpRequest, model: type[Any], pk: int, joins: tuple[str, ...], missing: str) -> Any:
    found = model.objects.visible_to(current_user(request)).select_related(*joins).filter(pk=pk).first()
    if found is None:
        raise NotFound(missing)
    return found


def _interface(request: HttpRequest, pk: int) -> Interface:
    return _one(request, Interface, pk, INTERFACE_JOINS, _("Interface not found."))


def _interface_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    interface = _interface(request, pk)
    return interface_out(interface, addresses_by_interface([interface.pk]).get(interface.pk, []))


# --------------------------------------------------------------------------------------------------
# interfaces


@router.get(
    "/items/{item_id}/interfaces",
    response={200: list[InterfaceOut], **errors(403, 404)},
    summary="A CI's interfaces, with their link's other end and addresses",
)
def list_interfaces(request: HttpRequest, item_id: Id) -> list[dict[str, Any]]:
    ci = _ci(request, item_id)
    rows = list(
        Interface.objects.visible_to(current_user(request))
        .filter(ci=ci)
        .select_related(*INTERFACE_JOINS)
        .order_by("name", "id")[:MAX_INTERFACES]
    )
    addresses = addresses_by_interface([i.pk for i in rows]) if rows else {}
    return [interface_out(i, addresses.get(i.pk, [])) for i in rows]


def _interface_data(payload: InterfaceIn) -> services.InterfaceData:
    return services.InterfaceData(
        name=payload.name,
        kind=payload.kind,
        speed_mbit=payload.speed_mbit,
        mac_address=payload.mac_address,
        enabled=payload.enabled,
        description=payload.description,
    )


@router.post(
    "/items/{item_id}/interfaces",
    response={201: InterfaceOut, **errors(400, 403, 404)},
    summary="Add an interface to a CI",
)
def create_interface(request: HttpRequest, item_id: Id, payload: InterfaceIn) -> Answer[dict[str, Any]]:
    ci = _ci(request, item_id)
    interface = services.create_interface(ci, actor=current_user(request), data=_interface_data(payload))
    return Answer(201, _interface_detail(request, interface.pk))


@router.get(
    "/interfaces/{interface_id}", response={200: InterfaceOut, **errors(403, 404)}, summary="One interface"
)
def get_interface(request: HttpRequest, interface_id: Id) -> dict[str, Any]:
    return _interface_detail(request, interface_id)


@router.put(
    "/interfaces/{interface_id}",
    response={200: InterfaceOut, **errors(400, 403, 404, 409)},
    summary="Change an interface (send its version)",
)
def update_interface(request: HttpRequest, interface_id: Id, payload: InterfaceIn) -> dict[str, Any]:
    interface = _interface(request, interface_id)
    version_sent(payload.version)
    services.update_interface(
        interface,
        actor=current_user(request),
        data=_interface_data(payload),
        expected_version=payload.version,
    )
    return _interface_detail(request, interface.pk)


@router.delete(
    "/interfaces/{interface_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Remove an interface (its link goes with it; its addresses stay)",
)
def delete_interface(request: HttpRequest, interface_id: Id, params: Query[VersionParams]) -> Answer[None]:
    services.delete_interface(
        _interface(request, interface_id), actor=current_user(request), expected_version=params.version
    )
    return Answer(204, None)


@router.get(
    "/interfaces/{interface_id}/behind",
    response={200: BehindOut, **errors(403, 404)},
    summary="What is behind this port: the link's other end, and onward",
)
def interface_behind(request: HttpRequest, interface_id: Id, depth: Int64 = 3) -> dict[str, Any]:
    """Breadth first from the port's link: each hop's depth, the interface on this side, the link,
    the interface and CI on the other side. `depth` 1-6 (clamped); every CI is entered once (loops are
    safe); `truncated` says more follows past the depth or the limit of 200 hops."""
    found = network.behind(_interface(request, interface_id), depth=depth)
    return {
        "hops": [
            {
                "depth": h.depth,
                "from_interface": ref(h.from_interface),
                "link_id": h.link.pk,
                "to_interface": ref(h.to_interface),
                "ci": ref(h.ci),
            }
            for h in found.hops
        ],
        "truncated": found.truncated,
    }


# --------------------------------------------------------------------------------------------------
# links


@router.get("/links", response={200: LinkPage, **errors(400, 403)}, summary="Links (keyset pagination)")
def list_links(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    rows = Link.objects.visible_to(current_user(request)).select_related(*LINK_JOINS)
    page = keyset_page(rows, (SortKey("id"),), cursor=params.cursor, size=params.limit)
    return {"items": [link_out(link) for link in page.items], "next_cursor": page.next_cursor}


def _link(request: HttpRequest, pk: int) -> Link:
    return _one(request, Link, pk, LINK_JOINS, _("Link not found."))


@router.post("/links", response={201: LinkOut, **errors(400, 403)}, summary="Link two interfaces")
def create_link(request: HttpRequest, payload: NetworkLinkIn) -> Answer[dict[str, Any]]:
    user = current_user(request)
    visible = Interface.objects.visible_to(user)
    look = Lookup()
    found: dict[str, Any] = {
        field: look.row(visible, pk, field, required=True)
        for field, pk in (("interface_id", payload.interface_id), ("other_id", payload.other_id))
    }
    look.done()
    try:
        link = services.connect(
            found["interface_id"],
            actor=user,
            other=found["other_id"],
            kind=payload.kind,
            label=payload.label,
            description=payload.description,
        )
    except DomainError as exc:
        raise _renamed(exc) from exc
    return Answer(201, link_out(_link(request, link.pk)))


@router.put(
    "/links/{link_id}",
    response={200: LinkOut, **errors(400, 403, 404, 409)},
    summary="Change a link's kind, label or description (send its version)",
)
def update_link(request: HttpRequest, link_id: Id, payload: LinkChangeIn) -> dict[str, Any]:
    link = _link(request, link_id)
    version_sent(payload.version)
    services.update_link(
        link,
        actor=current_user(request),
        kind=payload.kind,
        label=payload.label,
        description=payload.description,
        expected_version=payload.version,
    )
    return link_out(_link(request, link.pk))


@router.delete(
    "/links/{link_id}", response={204: None, **errors(403, 404, 409)}, summary="Disconnect two interfaces"
)
def delete_link(request: HttpRequest, link_id: Id, params: Query[VersionParams]) -> Answer[None]:
    services.disconnect(_link(request, link_id), actor=current_user(request), expected_version=params.version)
    return Answer(204, None)


# --------------------------------------------------------------------------------------------------
# VLANs


@router.get("/vlans", response={200: VlanPage, **errors(400, 403)}, summary="VLANs by number")
def list_vlans(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    rows = Vlan.objects.visible_to(current_user(request)).select_related("branch")
    page = keyset_page(rows, (SortKey("number"), SortKey("id")), cursor=params.cursor, size=params.limit)
    return {"items": [vlan_out(v) for v in page.items], "next_cursor": page.next_cursor}


def _vlan(request: HttpRequest, pk: int) -> Vlan:
    return _one(request, Vlan, pk, ("branch",), _("VLAN not found."))


def _save_vlan(request: HttpRequest, vlan: Vlan | None, payload: VlanIn) -> Vlan:
    branch = get_row(Branch, payload.branch_id, "branch_id")
    data = services.VlanData(
        number=payload.number, name=payload.name, description=payload.description, branch=branch
    )
    try:
        return services.save_vlan(
            vlan, actor=current_user(request), data=data, expected_version=payload.version
        )
    except DomainError as exc:
        raise _renamed(exc) from exc


@router.get("/vlans/{vlan_id}", response={200: VlanOut, **errors(403, 404)}, summary="One VLAN")
def get_vlan(request: HttpRequest, vlan_id: Id) -> dict[str, Any]:
    return vlan_out(_vlan(request, vlan_id))


@router.post("/vlans", response={201: VlanOut, **errors(400, 403)}, summary="Add a VLAN")
def create_vlan(request: HttpRequest, payload: VlanIn) -> Answer[dict[str, Any]]:
    vlan = _save_vlan(request, None, payload)
    return Answer(201, vlan_out(_vlan(request, vlan.pk)))


@router.put(
    "/vlans/{vlan_id}", response={200: VlanOut, **errors(400, 403, 404, 409)}, summary="Change a VLAN"
)
def update_vlan(request: HttpRequest, vlan_id: Id, payload: VlanIn) -> dict[str, Any]:
    vlan = _vlan(request, vlan_id)
    version_sent(payload.version)
    _save_vlan(request, vlan, payload)
    return vlan_out(_vlan(request, vlan.pk))


@router.delete(
    "/vlans/{vlan_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Remove a VLAN (its prefixes stay)",
)
def delete_vlan(request: HttpRequest, vlan_id: Id, params: Query[VersionParams]) -> Answer[None]:
    services.delete_vlan(
        _vlan(request, vlan_id), actor=current_user(request), expected_version=params.version
    )
    return Answer(204, None)


# --------------------------------------------------------------------------------------------------
# prefixes

PREFIX_ORDER = (SortKey("family"), SortKey("first_key"), SortKey("length"), SortKey("id"))


@router.get(
    "/prefixes",
    response={200: PrefixPage, **errors(400, 403)},
    summary="Prefixes in address order, with their utilisation",
)
def list_prefixes(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    rows = Prefix.objects.visible_to(current_user(request)).select_related("vlan")
    page = keyset_page(rows, PREFIX_ORDER, cursor=params.cursor, size=params.limit)
    used = network.used_counts(p.pk for p in page.items)
    return {"items": [prefix_out(p, used.get(p.pk, 0)) for p in page.items], "next_cursor": page.next_cursor}


def _prefix(request: HttpRequest, pk: int) -> Prefix:
    return _one(request, Prefix, pk, ("vlan",), _("Prefix not found."))


def _prefix_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    prefix = _prefix(request, pk)
    used = network.used_counts([prefix.pk]).get(prefix.pk, 0)
    return prefix_out(prefix, used, next_free=network.next_free(prefix))


def _save_prefix(request: HttpRequest, prefix: Prefix | None, payload: PrefixIn) -> Prefix:
    vlan = get_row(Vlan, payload.vlan_id, "vlan_id", rows=Vlan.objects.visible_to(current_user(request)))
    data = services.PrefixData(prefix=payload.prefix, vlan=vlan, description=payload.description)
    return services.save_prefix(
        prefix, actor=current_user(request), data=data, expected_version=payload.version
    )


@router.get(
    "/prefixes/{prefix_id}",
    response={200: PrefixOut, **errors(403, 404)},
    summary="One prefix, with its utilisation and next free address",
)
def get_prefix(request: HttpRequest, prefix_id: Id) -> dict[str, Any]:
    return _prefix_detail(request, prefix_id)


@router.post("/prefixes", response={201: PrefixOut, **errors(400, 403)}, summary="Add a prefix")
def create_prefix(request: HttpRequest, payload: PrefixIn) -> Answer[dict[str, Any]]:
    return Answer(201, _prefix_detail(request, _save_prefix(request, None, payload).pk))


@router.put(
    "/prefixes/{prefix_id}",
    response={200: PrefixOut, **errors(400, 403, 404, 409)},
    summary="Change a prefix (send its version)",
)
def update_prefix(request: HttpRequest, prefix_id: Id, payload: PrefixIn) -> dict[str, Any]:
    prefix = _prefix(request, prefix_id)
    version_sent(payload.version)
    _save_prefix(request, prefix, payload)
    return _prefix_detail(request, prefix.pk)


@router.delete(
    "/prefixes/{prefix_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Remove a prefix (its addresses stay)",
)
def delete_prefix(request: HttpRequest, prefix_id: Id, params: Query[VersionParams]) -> Answer[None]:
    services.delete_prefix(
        _prefix(request, prefix_id), actor=current_user(request), expected_version=params.version
    )
    return Answer(204, None)


ADDRESS_ORDER = (SortKey("family"), SortKey("key"), SortKey("id"))


@router.get(
    "/prefixes/{prefix_id}/addresses",
    response={200: AddressPage, **errors(400, 403, 404)},
    summary="The addresses in a prefix (its most specific one), in address order",
)
def prefix_addresses(request: HttpRequest, prefix_id: Id, params: Query[PageParams]) -> dict[str, Any]:
    prefix = _prefix(request, prefix_id)
    rows = (
        IpAddress.objects.visible_to(current_user(request))
        .filter(prefix=prefix)
        .select_related(*ADDRESS_JOINS)
    )
    page = keyset_page(rows, ADDRESS_ORDER, cursor=params.cursor, size=params.limit)
    return {"items": [address_out(a) for a in page.items], "next_cursor": page.next_cursor}


# --------------------------------------------------------------------------------------------------
# addresses


@router.get("/addresses", response={200: AddressPage, **errors(400, 403)}, summary="IP addresses in order")
def list_addresses(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    rows = IpAddress.objects.visible_to(current_user(request)).select_related(*ADDRESS_JOINS)
    page = keyset_page(rows, ADDRESS_ORDER, cursor=params.cursor, size=params.limit)
    return {"items": [address_out(a) for a in page.items], "next_cursor": page.next_cursor}


def _address(request: HttpRequest, pk: int) -> IpAddress:
    return _one(request, IpAddress, pk, ADDRESS_JOINS, _("Address not found."))


def _save_address(request: HttpRequest, address: IpAddress | None, payload: AddressIn) -> IpAddress:
    user = current_user(request)
    interface = get_row(
        Interface, payload.interface_id, "interface_id", rows=Interface.objects.visible_to(user)
    )
    data = services.AddressData(
        address=payload.address,
        interface=interface,
        dns_name=payload.dns_name,
        description=payload.description,
    )
    return services.save_address(address, actor=user, data=data, expected_version=payload.version)


@router.get("/addresses/{address_id}", response={200: AddressOut, **errors(403, 404)}, summary="One address")
def get_address(request: HttpRequest, address_id: Id) -> dict[str, Any]:
    return address_out(_address(request, address_id))


@router.post(
    "/addresses",
    response={201: AddressOut, **errors(400, 403)},
    summary="Register an IP address (it gets its most specific prefix)",
)
def create_address(request: HttpRequest, payload: AddressIn) -> Answer[dict[str, Any]]:
    address = _save_address(request, None, payload)
    return Answer(201, address_out(_address(request, address.pk)))


@router.put(
    "/addresses/{address_id}",
    response={200: AddressOut, **errors(400, 403, 404, 409)},
    summary="Change an address (send its version)",
)
def update_address(request: HttpRequest, address_id: Id, payload: AddressIn) -> dict[str, Any]:
    address = _address(request, address_id)
    version_sent(payload.version)
    _save_address(request, address, payload)
    return address_out(_address(request, address.pk))


@router.delete(
    "/addresses/{address_id}", response={204: None, **errors(403, 404, 409)}, summary="Remove an address"
)
def delete_address(request: HttpRequest, address_id: Id, params: Query[VersionParams]) -> Answer[None]:
    services.delete_address(
        _address(request, address_id), actor=current_user(request), expected_version=params.version
    )
    return Answer(204, None)
