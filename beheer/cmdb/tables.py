"""The CMDB's other lists as downloadable tables (the CI list has its own: `exports.py`): licences
with their compliance, contracts, VLANs, prefixes with their use, and IP addresses.

Each table reads the rows the person may see (`visible_to`) in the list's order, in keyset batches
(`core.table_export`), with what a row needs besides read once per batch; the header is in the
reader's language. `TABLES` names them for the screens' and the API's routes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from beheer.core import table_export
from beheer.core.pagination import SortKey

from . import network
from .models import Contract, IpAddress, Licence, Prefix, Vlan
from .services.licences import STATE_LABELS, assigned_counts, state_of

Rows = Callable[[Any], Iterator[list[Any]]]


@dataclass(frozen=True)
class Table:
    stem: str  # the file name's start
    sheet: Any
    header: tuple[Any, ...]
    rows: Rows  # (user) -> the rows

    def response(self, fmt: table_export.Format, user: Any) -> Any:
        header = [str(h) for h in self.header]
        return table_export.response(fmt, self.stem, header, self.rows(user), sheet=str(self.sheet))


def _licences(user: Any) -> Iterator[list[Any]]:
    counts: dict[int, int] = {}
    rows = Licence.objects.visible_to(user).select_related("supplier", "application", "owner")
    order = (SortKey("product"), SortKey("id"))

    def count(batch: list[Licence]) -> None:
        counts.clear()
        counts.update(assigned_counts([licence.pk for licence in batch]))

    for licence in table_export.keyset_rows(rows, order, each_batch=count):
        assigned = counts.get(licence.pk, 0)
        yield [
            licence.product,
            licence.get_licence_model_display(),
            licence.entitlements,
            assigned,
            str(STATE_LABELS[state_of(licence.licence_model, licence.entitlements, assigned)]),
            licence.application.name if licence.application else None,
            licence.supplier.name if licence.supplier else None,
            licence.owner.get_full_name() if licence.owner else None,
            licence.start_date,
            licence.expiry_date,
            licence.cost,
            licence.reference,
        ]


def _contracts(user: Any) -> Iterator[list[Any]]:
    rows = Contract.objects.visible_to(user).select_related("supplier", "owner")
    order = (SortKey("notice_date"), SortKey("id"))
    for contract in table_export.keyset_rows(rows, order):
        yield [
            contract.title,
            contract.supplier.name,
            contract.get_kind_display(),
            contract.reference,
            contract.start_date,
            contract.end_date,
            contract.notice_days,
            contract.notice_date,
            contract.auto_renewal,
            contract.response_time,
            contract.owner.get_full_name() if contract.owner else None,
            contract.cost,
        ]


def _vlans(user: Any) -> Iterator[list[Any]]:
    rows = Vlan.objects.visible_to(user).select_related("branch")
    for vlan in table_export.keyset_rows(rows, (SortKey("number"), SortKey("id"))):
        yield [vlan.number, vlan.name, vlan.branch.name if vlan.branch else None, vlan.description]


def _prefixes(user: Any) -> Iterator[list[Any]]:
    used: dict[int, int] = {}
    rows = Prefix.objects.visible_to(user).select_related("vlan")
    order = (SortKey("family"), SortKey("first_key"), SortKey("length"), SortKey("id"))

    def count(batch: list[Prefix]) -> None:
        used.clear()
        used.update(network.used_counts(p.pk for p in batch))

    for prefix in table_export.keyset_rows(rows, order, each_batch=count):
        use = network.utilisation(prefix, used.get(prefix.pk, 0))
        yield [
            prefix.prefix,
            prefix.vlan.number if prefix.vlan else None,
            prefix.description,
            use.used,
            use.usable,
            None if use.percent is None else round(use.percent, 1),
        ]


def _addresses(user: Any) -> Iterator[list[Any]]:
    rows = IpAddress.objects.visible_to(user).select_related("interface__ci", "prefix")
    order = (SortKey("family"), SortKey("key"), SortKey("id"))
    for address in table_export.keyset_rows(rows, order):
        interface = address.interface
        yield [
            address.address,
            address.prefix.prefix if address.prefix else None,
            interface.ci.name if interface else None,
            interface.name if interface else None,
            address.dns_name,
            address.description,
        ]


TABLES: dict[str, Table] = {
    "licences": Table(
        "licences",
        _("Licences"),
        (
            _("Product"),
            _("Licence model"),
            _("Entitlements"),
            _("Assigned"),
            _("State"),
            _("Application"),
            _("Supplier"),
            _("Owner"),
            _("Start date"),
            _("Expiry date"),
            _("Cost"),
            _("Reference"),
        ),
        _licences,
    ),
    "contracts": Table(
        "contracts",
        _("Contracts"),
        (
            _("Title"),
            _("Supplier"),
            _("Kind"),
            _("Reference"),
            _("Start date"),
            _("End date"),
            _("Notice period (days)"),
            _("Notice date"),
            _("Automatic renewal"),
            _("Response time"),
            _("Owner"),
            _("Cost"),
        ),
        _contracts,
    ),
    "vlans": Table("vlans", _("VLANs"), (_("Number"), _("Name"), _("Branch"), _("Description")), _vlans),
    "prefixes": Table(
        "prefixes",
        _("Prefixes"),
        (
            _("Prefix"),
            _("VLAN"),
            _("Description"),
            _("Addresses in use"),
            _("Usable addresses"),
            _("Use (%)"),
        ),
        _prefixes,
    ),
    "addresses": Table(
        "ip-addresses",
        _("IP addresses"),
        (_("Address"), _("Prefix"), _("Configuration item"), _("Interface"), _("DNS name"), _("Description")),
        _addresses,
    ),
}
