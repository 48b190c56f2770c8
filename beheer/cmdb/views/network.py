"""The network screens for staff: a CI's interfaces (a section of the CI page), an interface's page
(its link, what is behind it, connect and disconnect), VLANs, prefixes with their utilisation and a
prefix's addresses with the next free one.

Thin adapters: read through `visible_to`, call one service, redirect; a refused change shows the form
again with the service's messages on its fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import parse_id
from beheer.core.pagination import SortKey, page_for_request

from .. import network, services
from ..forms import ConfirmForm
from ..forms.network import AddressForm, ConnectForm, InterfaceForm, PrefixForm, VlanForm
from ..models import ConfigurationItem, Interface, IpAddress, Link, Prefix, Vlan

ACCESS = access.STAFF

PAGE_SIZE = 50
SECTION_SHOWN = 200
INTERFACE_JOINS = ("ci", "link_as_a__b_interface__ci", "link_as_b__a_interface__ci")


def _get(request: HttpRequest, model: type[Any], pk: int, *joins: str) -> Any:
    found = model.objects.visible_to(request.user).select_related(*joins).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _ci(request: HttpRequest, pk: int) -> ConfigurationItem:
    ci = ConfigurationItem.objects.visible_to(request.user).filter(pk=pk).first()
    if ci is None:
        raise Http404
    return ci


def _place(form: forms.Form, exc: DomainError, renames: dict[str, str] | None = None) -> None:
    placed = False
    for key, message in exc.field_errors.items():
        name = (renames or {}).get(key, key)
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _other_end(interface: Interface) -> tuple[Link, Interface] | None:
    for name, other in (("link_as_a", "b_interface"), ("link_as_b", "a_interface")):
        link = getattr(interface, name, None)
        if link is not None:
            return link, getattr(link, other)
    return None


def _form_page(
    request: HttpRequest, form: forms.Form, *, title: str, back: str, status: int = 200, intro: str = ""
) -> HttpResponse:
    return render(
        request,
        "cmdb/network_form.html",
        {"form": form, "title": title, "back": back, "intro": intro},
        status=status,
    )


def _remove_page(
    request: HttpRequest,
    *,
    title: str,
    what: str,
    back: str,
    version: int | None,
    remove: Callable[[int | None], Any],
) -> HttpResponse | None:
    """The confirmation page; None once removed (the caller redirects)."""
    form = ConfirmForm(request.POST or None, initial={"version": version})
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Tick the box to confirm."))
        else:
            try:
                remove(form.cleaned_data["version"])
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                return None
    return render(
        request, "cmdb/network_remove.html", {"form": form, "title": title, "what": what, "back": back}
    )


# --------------------------------------------------------------------------------------------------
# the CI page's section


def ci_section(request: Any, ci: Any) -> str:
    """The CI's interfaces with their link's other end and addresses (staff only): two queries."""
    if not access.is_staff(getattr(request, "user", None)):
        return ""
    rows = list(
        Interface.objects.visible_to(request.user)
        .filter(ci=ci)
        .select_related(*INTERFACE_JOINS)
        .order_by("name", "id")[: SECTION_SHOWN + 1]
    )
    more = len(rows) > SECTION_SHOWN
    rows = rows[:SECTION_SHOWN]
    addresses: dict[int, list[str]] = {}
    if rows:
        for interface_id, text in (
            IpAddress.objects.filter(interface_id__in=[r.pk for r in rows])
            .order_by("family", "key")
            .values_list("interface_id", "address")
        ):
            addresses.setdefault(interface_id, []).append(text)
    items = [{"interface": r, "end": _other_end(r), "addresses": addresses.get(r.pk, [])} for r in rows]
    return render_to_string(
        "cmdb/network_section.html", {"ci": ci, "items": items, "more": more}, request=request
    )


# --------------------------------------------------------------------------------------------------
# interfaces


def _interface_data(form: InterfaceForm) -> services.InterfaceData:
    data = form.cleaned_data
    return services.InterfaceData(
        name=data["name"],
        kind=data["kind"],
        speed_mbit=data["speed_mbit"],
        mac_address=data["mac_address"],
        enabled=data["enabled"],
        description=data["description"],
    )


@require_http_methods(["GET", "POST"])
def interface_add(request: HttpRequest, pk: int) -> HttpResponse:
    ci = _ci(request, pk)
    form = InterfaceForm(request.POST or None, initial={"enabled": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.create_interface(ci, actor=current_user(request), data=_interface_data(form))
        except DomainError as exc:
            _place(form, exc)
        else:
            messages.success(request, _("The interface has been added."))
            return redirect("cmdb-item", pk=ci.pk)
    status = 400 if request.method == "POST" else 200
    back = reverse("cmdb-item", args=[ci.pk])
    return _form_page(
        request, form, title=_("New interface on %(ci)s") % {"ci": ci.name}, back=back, status=status
    )


@require_GET
def interface_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interface = _get(request, Interface, pk, *INTERFACE_JOINS)
    return render(
        request,
        "cmdb/network_interface.html",
        {
            "interface": interface,
            "end": _other_end(interface),
            "addresses": list(interface.ip_addresses.order_by("family", "key")[:100]),
            "behind": network.behind(interface, depth=4),
            "connect_form": ConnectForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def interface_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interface = _get(request, Interface, pk, "ci")
    initial = {n: getattr(interface, n) for n in InterfaceForm.base_fields}
    form = InterfaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_interface(
                interface,
                actor=current_user(request),
                data=_interface_data(form),
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            _place(form, exc)
        else:
            messages.success(request, _("The interface has been saved."))
            return redirect("cmdb-network-interface", pk=interface.pk)
    status = 400 if request.method == "POST" else 200
    back = reverse("cmdb-network-interface", args=[interface.pk])
    return _form_page(request, form, title=str(interface), back=back, status=status)


@require_http_methods(["GET", "POST"])
def interface_remove(request: HttpRequest, pk: int) -> HttpResponse:
    interface = _get(request, Interface, pk, "ci")
    page = _remove_page(
        request,
        title=_("Remove interface"),
        what=str(interface),
        back=reverse("cmdb-network-interface", args=[interface.pk]),
        version=interface.version,
        remove=lambda v: services.delete_interface(
            interface, actor=current_user(request), expected_version=v
        ),
    )
    if page is not None:
        return page
    messages.success(request, _("The interface has been removed."))
    return redirect("cmdb-item", pk=interface.ci_id)


def _find_interface(request: HttpRequest, target: str, name: str) -> Interface | None:
    visible = ConfigurationItem.objects.visible_to(request.user)
    pk = parse_id(target)
    if pk is not None:
        cis = list(visible.filter(pk=pk)[:1])
    else:
        cis = list(visible.filter(name__iexact=target.strip())[:2])
    if len(cis) != 1:
        return None
    return Interface.objects.visible_to(request.user).filter(ci=cis[0], name=name.strip()).first()


@require_http_methods(["GET", "POST"])
def interface_connect(request: HttpRequest, pk: int) -> HttpResponse:
    interface = _get(request, Interface, pk, "ci")
    form = ConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        other = _find_interface(request, data["target"], data["interface"])
        if other is None:
            form.add_error(
                "interface", _("Choose one configuration item and the exact name of its interface.")
            )
        else:
            try:
                services.connect(
                    interface,
                    actor=current_user(request),
                    other=other,
                    kind=data["kind"],
                    label=data["label"],
                    description=data["description"],
                )
            except DomainError as exc:
                _place(form, exc, {"other": "interface", "interface": "target"})
            else:
                messages.success(request, _("The interfaces have been connected."))
                return redirect("cmdb-network-interface", pk=interface.pk)
    status = 400 if request.method == "POST" else 200
    back = reverse("cmdb-network-interface", args=[interface.pk])
    return _form_page(
        request, form, title=_("Connect %(interface)s") % {"interface": interface}, back=back, status=status
    )


@require_http_methods(["GET", "POST"])
def link_remove(request: HttpRequest, pk: int) -> HttpResponse:
    link = _get(request, Link, pk, "a_interface__ci", "b_interface__ci")
    page = _remove_page(
        request,
        title=_("Disconnect"),
        what=str(link),
        back=reverse("cmdb-network-interface", args=[link.a_interface_id]),
        version=link.version,
        remove=lambda v: services.disconnect(link, actor=current_user(request), expected_version=v),
    )
    if page is not None:
        return page
    messages.success(request, _("The interfaces have been disconnected."))
    return redirect("cmdb-network-interface", pk=link.a_interface_id)


# --------------------------------------------------------------------------------------------------
# VLANs


@require_GET
def vlan_list(request: HttpRequest) -> HttpResponse:
    rows = Vlan.objects.visible_to(request.user).select_related("branch")
    page = page_for_request(request, rows, (SortKey("number"), SortKey("id")), size=PAGE_SIZE)
    return render(request, "cmdb/network_vlans.html", {"page": page})


@require_http_methods(["GET", "POST"])
def vlan_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    vlan = _get(request, Vlan, pk, "branch") if pk is not None else None
    initial: dict[str, Any] = {}
    if vlan is not None:
        initial = {"number": vlan.number, "name": vlan.name, "branch": vlan.branch_id}
        initial |= {"description": vlan.description, "version": vlan.version}
    form = VlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_vlan(
                vlan,
                actor=current_user(request),
                data=services.VlanData(
                    number=data["number"],
                    name=data["name"],
                    description=data["description"],
                    branch=data["branch"],
                ),
                expected_version=data["version"],
            )
        except DomainError as exc:
            _place(form, exc)
        else:
            messages.success(request, _("The VLAN has been saved."))
            return redirect("cmdb-network-vlans")
    status = 400 if request.method == "POST" else 200
    title = str(vlan) if vlan is not None else _("New VLAN")
    return _form_page(request, form, title=title, back=reverse("cmdb-network-vlans"), status=status)


@require_http_methods(["GET", "POST"])
def vlan_remove(request: HttpRequest, pk: int) -> HttpResponse:
    vlan = _get(request, Vlan, pk)
    page = _remove_page(
        request,
        title=_("Remove VLAN"),
        what=str(vlan),
        back=reverse("cmdb-network-vlans"),
        version=vlan.version,
        remove=lambda v: services.delete_vlan(vlan, actor=current_user(request), expected_version=v),
    )
    if page is not None:
        return page
    messages.success(request, _("The VLAN has been removed."))
    return redirect("cmdb-network-vlans")


# --------------------------------------------------------------------------------------------------
# prefixes and addresses

PREFIX_ORDER = (SortKey("family"), SortKey("first_key"), SortKey("length"), SortKey("id"))
ADDRESS_ORDER = (SortKey("family"), SortKey("key"), SortKey("id"))


@require_GET
def prefix_list(request: HttpRequest) -> HttpResponse:
    rows = Prefix.objects.visible_to(request.user).select_related("vlan")
    page = page_for_request(request, rows, PREFIX_ORDER, size=PAGE_SIZE)
    used = network.used_counts(p.pk for p in page.items)
    items = [{"prefix": p, "use": network.utilisation(p, used.get(p.pk, 0))} for p in page.items]
    return render(request, "cmdb/network_prefixes.html", {"page": page, "items": items})


@require_GET
def prefix_detail(request: HttpRequest, pk: int) -> HttpResponse:
    prefix = _get(request, Prefix, pk, "vlan")
    rows = IpAddress.objects.visible_to(request.user).filter(prefix=prefix).select_related("interface__ci")
    page = page_for_request(request, rows, ADDRESS_ORDER, size=PAGE_SIZE)
    free = network.next_free(prefix)
    return render(
        request,
        "cmdb/network_prefix.html",
        {
            "prefix": prefix,
            "page": page,
            "use": network.utilisation(prefix),
            "next_free": free,
            "address_form": AddressForm(initial={"address": free or ""}),
        },
    )


@require_http_methods(["GET", "POST"])
def prefix_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    prefix = _get(request, Prefix, pk, "vlan") if pk is not None else None
    initial: dict[str, Any] = {}
    if prefix is not None:
        initial = {"network": prefix.prefix, "vlan": prefix.vlan_id}
        initial |= {"description": prefix.description, "version": prefix.version}
    form = PrefixForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_prefix(
                prefix,
                actor=current_user(request),
                data=services.PrefixData(
                    prefix=data["network"], vlan=data["vlan"], description=data["description"]
                ),
                expected_version=data["version"],
            )
        except DomainError as exc:
            _place(form, exc, {"prefix": "network"})
        else:
            messages.success(request, _("The prefix has been saved."))
            return redirect("cmdb-network-prefix", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    title = prefix.prefix if prefix is not None else _("New prefix")
    return _form_page(request, form, title=title, back=reverse("cmdb-network-prefixes"), status=status)


@require_http_methods(["GET", "POST"])
def prefix_remove(request: HttpRequest, pk: int) -> HttpResponse:
    prefix = _get(request, Prefix, pk)
    page = _remove_page(
        request,
        title=_("Remove prefix"),
        what=prefix.prefix,
        back=reverse("cmdb-network-prefix", args=[prefix.pk]),
        version=prefix.version,
        remove=lambda v: services.delete_prefix(prefix, actor=current_user(request), expected_version=v),
    )
    if page is not None:
        return page
    messages.success(request, _("The prefix has been removed."))
    return redirect("cmdb-network-prefixes")


@require_http_methods(["GET", "POST"])
def address_add(request: HttpRequest, pk: int) -> HttpResponse:
    prefix = _get(request, Prefix, pk)
    form = AddressForm(request.POST or None, initial={"address": network.next_free(prefix) or ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        interface = None
        if data["target"] or data["interface"]:
            interface = _find_interface(request, data["target"], data["interface"])
            if interface is None:
                form.add_error(
                    "interface", _("Choose one configuration item and the exact name of its interface.")
                )
        if not form.errors:
            try:
                services.save_address(
                    None,
                    actor=current_user(request),
                    data=services.AddressData(
                        address=data["address"],
                        interface=interface,
                        dns_name=data["dns_name"],
                        description=data["description"],
                    ),
                )
            except DomainError as exc:
                _place(form, exc)
            else:
                messages.success(request, _("The address has been registered."))
                return redirect("cmdb-network-prefix", pk=prefix.pk)
    status = 400 if request.method == "POST" else 200
    back = reverse("cmdb-network-prefix", args=[prefix.pk])
    return _form_page(
        request, form, title=_("New address in %(prefix)s") % {"prefix": prefix}, back=back, status=status
    )


@require_http_methods(["GET", "POST"])
def address_remove(request: HttpRequest, pk: int) -> HttpResponse:
    address = _get(request, IpAddress, pk)
    back = (
        reverse("cmdb-network-prefix", args=[address.prefix_id])
        if address.prefix_id
        else reverse("cmdb-network-prefixes")
    )
    page = _remove_page(
        request,
        title=_("Remove address"),
        what=address.address,
        back=back,
        version=address.version,
        remove=lambda v: services.delete_address(address, actor=current_user(request), expected_version=v),
    )
    if page is not None:
        return page
    messages.success(request, _("The address has been removed."))
    return redirect(back)
