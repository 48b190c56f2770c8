"""Reminders of licence expiry and contract notice dates (the periodic job `cmdb.send_reminders`).

A licence's owner (or, without an active owner, every coordinator) gets `licence_expiring` when the
expiry date is `remind_days` away or closer; a contract's owner (or the coordinators) gets
`contract_notice_due` when its notice date is. Each goes once per record and deadline: the record's
`reminded_for` is set to the deadline by a conditional UPDATE in the same transaction as the outbox
rows, and the outbox key names the record and the deadline, so running twice (or on two workers)
sends nothing more. A changed deadline clears `reminded_for` (services), so it is told again.
One record whose message fails is rolled back alone (`core.loops.isolated`); the others are told.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from beheer.accounts.models import Role, User
from beheer.core import clock, history
from beheer.core.loops import isolated
from beheer.notifications import services as notifications

from ..models import (
    Contract,
    ContractAction,
    ContractHistoryEntry,
    Licence,
    LicenceAction,
    LicenceHistoryEntry,
)
from ._common import MAX_REMIND_DAYS

BATCH = 200


def recipients(owner: User | None) -> list[User]:
    """The owner when there is an active one, else every active coordinator."""
    if owner is not None and owner.is_active:
        return [owner]
    return list(User.objects.filter(role=Role.COORDINATOR, is_active=True).order_by("pk"))


def _link(name: str, pk: int) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse(name, args=[pk])


def _not_told(deadline: str) -> Q:
    return Q(reminded_for__isnull=True) | ~Q(reminded_for=F(deadline))


def _tell_licence(pk: int, today: date) -> bool:
    with transaction.atomic():
        licence = (
            Licence.objects.select_related("owner", "supplier")
            .select_for_update(of=("self",))
            .filter(_not_told("expiry_date"), pk=pk, expiry_date__gte=today)
            .first()
        )
        if licence is None or licence.expiry_date is None:
            return False
        if licence.expiry_date - timedelta(days=licence.remind_days) > today:
            return False
        Licence.objects.filter(pk=pk).update(reminded_for=licence.expiry_date)
        context = _context(licence.product, licence.supplier, licence.expiry_date, today)
        context["link_url"] = _link("cmdb-licence", pk)
        people = recipients(licence.owner)
        notifications.enqueue(
            "licence_expiring",
            key=f"cmdb:licence:{pk}:expiry:{licence.expiry_date.isoformat()}",
            recipients=people,
            context=context,
            object_ref=("cmdb.licence", pk),
        )
        history.record(
            LicenceHistoryEntry,
            licence,
            actor=None,
            action=LicenceAction.REMINDED,
            detail=", ".join(str(p) for p in people),
        )
        return True


def _tell_contract(pk: int, today: date) -> bool:
    with transaction.atomic():
        contract = (
            Contract.objects.select_related("owner", "supplier")
            .select_for_update(of=("self",))
            .filter(_not_told("notice_date"), pk=pk, notice_date__gte=today)
            .first()
        )
        if contract is None or contract.notice_date - timedelta(days=contract.remind_days) > today:
            return False
        Contract.objects.filter(pk=pk).update(reminded_for=contract.notice_date)
        context = _context(contract.title, contract.supplier, contract.notice_date, today)
        context["end_date"] = contract.end_date.strftime("%d-%m-%Y")
        context["link_url"] = _link("cmdb-contract", pk)
        people = recipients(contract.owner)
        notifications.enqueue(
            "contract_notice_due",
            key=f"cmdb:contract:{pk}:notice:{contract.notice_date.isoformat()}",
            recipients=people,
            context=context,
            object_ref=("cmdb.contract", pk),
        )
        history.record(
            ContractHistoryEntry,
            contract,
            actor=None,
            action=ContractAction.REMINDED,
            detail=", ".join(str(p) for p in people),
        )
        return True


def _context(name: str, supplier: Any, deadline: date, today: date) -> dict[str, Any]:
    return {
        "record_name": name,
        "supplier_name": supplier.name if supplier is not None else "",
        "deadline": deadline.strftime("%d-%m-%Y"),
        "days_left": str((deadline - today).days),
        "end_date": "",
    }


def _sweep(ids_of: Any, kind: str, tell: Any, today: date) -> int:
    sent = 0
    last = 0
    while True:
        ids = list(ids_of.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return sent
        for pk in ids:
            with isolated(kind, pk):
                sent += tell(pk, today)
        last = ids[-1]


def send_reminders(*, today: date | None = None) -> int:
    """Tell the owners of every licence and contract whose deadline came within reach; returns how
    many records were told. Safe to run twice."""
    today = today or timezone.localdate(clock.now())
    horizon = today + timedelta(days=MAX_REMIND_DAYS)
    licences = Licence.objects.filter(
        _not_told("expiry_date"), expiry_date__gte=today, expiry_date__lte=horizon
    )
    contracts = Contract.objects.filter(
        _not_told("notice_date"), notice_date__gte=today, notice_date__lte=horizon
    )
    return _sweep(licences, "licence", _tell_licence, today) + _sweep(
        contracts, "contract", _tell_contract, today
    )
