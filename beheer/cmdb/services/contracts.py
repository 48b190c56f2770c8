"""Supplier contracts: create, change and remove them, with the CIs they cover.

Staff keep the contracts; every change is in the contract's history (the covered CIs by name).
The notice date is kept with the contract (end date minus the notice period), so lists sort on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, checks, clock, history
from beheer.core.errors import DomainError

from ..models import ConfigurationItem, Contract, ContractAction, ContractHistoryEntry, ContractKind, Supplier
from ._common import amount, days, text

HISTORY_FIELDS = (
    "supplier",
    "kind",
    "reference",
    "title",
    "start_date",
    "end_date",
    "notice_days",
    "auto_renewal",
    "response_time",
    "contacts",
    "owner",
    "cost",
    "notes",
    "remind_days",
)
MAX_NOTICE_DAYS = 3650
MAX_COVERED = 1000


@dataclass(frozen=True)
class ContractData:
    supplier: Supplier
    kind: str
    title: str
    start_date: date
    end_date: date
    reference: str = ""
    notice_days: int = 0
    auto_renewal: bool = False
    response_time: str = ""
    contacts: str = ""
    covered_cis: Sequence[ConfigurationItem] = ()
    owner: User | None = None
    cost: Decimal | None = None
    notes: str = ""
    remind_days: int = 60


def _check(data: ContractData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "title": text(data.title, "title", errors, limit=200, required=True),
        "reference": text(data.reference, "reference", errors, limit=80),
        "response_time": text(data.response_time, "response_time", errors, limit=120),
        "contacts": (data.contacts or "").strip(),
        "notes": (data.notes or "").strip(),
        "cost": amount(data.cost, "cost", errors),
        "notice_days": days(data.notice_days, "notice_days", errors, limit=MAX_NOTICE_DAYS),
        "remind_days": days(data.remind_days, "remind_days", errors),
    }
    if data.kind not in ContractKind.values:
        errors["kind"] = _("Unknown kind of contract.")
    if data.supplier is None:
        errors["supplier"] = _("Required.")
    if data.start_date is None:
        errors["start_date"] = _("Required.")
    if data.end_date is None:
        errors["end_date"] = _("Required.")
    elif data.start_date is not None and data.end_date < data.start_date:
        errors["end_date"] = _("The contract cannot end before it starts.")
    if len(data.covered_cis) > MAX_COVERED:
        errors["covered_cis"] = _("At most %(limit)d configuration items.") % {"limit": MAX_COVERED}
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    return values


def _apply(contract: Contract, data: ContractData, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(contract, name, value)
    contract.supplier = data.supplier
    contract.kind = data.kind
    contract.start_date = data.start_date
    contract.end_date = data.end_date
    contract.auto_renewal = bool(data.auto_renewal)
    contract.owner = data.owner
    contract.notice_date = Contract.notice_of(data.end_date, values["notice_days"])


def _covered_text(contract: Contract) -> str:
    return ", ".join(sorted(contract.covered_cis.values_list("name", flat=True)))


@transaction.atomic
def create_contract(*, actor: User, data: ContractData) -> Contract:
    access.ensure_staff(actor)
    values = _check(data)
    now = clock.now()
    contract = Contract(created_at=now, updated_at=now)
    _apply(contract, data, values)
    contract.save()
    contract.covered_cis.set(data.covered_cis)
    history.record(ContractHistoryEntry, contract, actor=actor, action=ContractAction.CREATED, at=now)
    return contract


def lock_contract(contract: Contract, expected_version: int | None) -> Contract:
    return checks.locked_at(
        Contract.objects.all(),
        contract.pk,
        expected_version,
        missing=_("Contract not found."),
        changed=_("Somebody else changed this contract. Reload it and try again."),
    )


@transaction.atomic
def update_contract(
    contract: Contract, *, actor: User, data: ContractData, expected_version: int | None
) -> Contract:
    access.ensure_staff(actor)
    current = lock_contract(contract, expected_version)
    values = _check(data)
    before = history.snapshot(current, HISTORY_FIELDS, extra={"covered_cis": _covered_text(current)})
    old_notice = current.notice_date
    _apply(current, data, values)
    current.covered_cis.set(data.covered_cis)
    changes = history.changes_since(before, current, extra={"covered_cis": _covered_text(current)})
    if not changes:
        return current
    if current.notice_date != old_notice:
        current.reminded_for = None  # a new deadline gets its own reminder
    current.version += 1
    current.updated_at = clock.now()
    current.save()
    history.record(ContractHistoryEntry, current, actor=actor, action=ContractAction.CHANGED, changes=changes)
    return current


@transaction.atomic
def delete_contract(contract: Contract, *, actor: User, expected_version: int | None) -> None:
    access.ensure_staff(actor)
    current = lock_contract(contract, expected_version)
    history.record(ContractHistoryEntry, current, actor=actor, action=ContractAction.DELETED)
    current.delete()
