"""JSON adapter for supplier contracts: CRUD and history. Mounted under /api/v1/cmdb/contracts
(beheer/api.py). Staff only; thin: look up through `visible_to` (missing -> 404), call one service,
serialise. An unknown id in a body is a 400 on that field."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router
from ninja.responses import Status as Answer

from beheer.accounts.models import User
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import Lookup, ref, version_sent
from beheer.core.errors import NotFound
from beheer.core.history import subject_history_page
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import HistoryRecordPage, Id, Int64, TextLine, errors

from .. import services
from ..models import ConfigurationItem, Contract, ContractHistoryEntry, Supplier
from ..schemas.contracts import ContractIn, ContractListParams, ContractOut, ContractPage
from ..schemas.licences import VersionParams

router = access.declare(
    Router(tags=["cmdb contracts"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("Contracts are for operators.")),
)
SORTS = {
    "notice": (SortKey("notice_date"), SortKey("id")),
    "end": (SortKey("end_date"), SortKey("id")),
    "title": (SortKey("title"), SortKey("id")),
}


def contract_out(c: Contract) -> dict[str, Any]:
    return {
        "id": c.pk,
        "title": c.title,
        "kind": c.kind,
        "reference": c.reference,
        "supplier": ref(c.supplier),
        "start_date": c.start_date,
        "end_date": c.end_date,
        "notice_days": c.notice_days,
        "notice_date": c.notice_date,
        "auto_renewal": c.auto_renewal,
        "response_time": c.response_time,
        "contacts": c.contacts,
        "covered_cis": [ref(ci) for ci in c.covered_cis.order_by("name", "id")],
        "owner": ref(c.owner, name=str(c.owner)) if c.owner else None,
        "cost": c.cost,
        "notes": c.notes,
        "remind_days": c.remind_days,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "version": c.version,
    }


def _contract(request: HttpRequest, pk: int) -> Contract:
    found = (
        Contract.objects.visible_to(current_user(request))
        .select_related("supplier", "owner")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("Contract not found."))
    return found


def _data(payload: ContractIn) -> services.ContractData:
    look = Lookup()
    found: dict[str, Any] = {
        "supplier_id": look.row(Supplier, payload.supplier_id, "supplier_id", required=True),
        "owner_id": look.row(User, payload.owner_id, "owner_id"),
    }
    cis = look.many(ConfigurationItem, payload.covered_ci_ids, "covered_ci_ids")
    look.done()
    return services.ContractData(
        supplier=found["supplier_id"],
        kind=payload.kind,
        title=payload.title,
        start_date=payload.start_date,
        end_date=payload.end_date,
        reference=payload.reference,
        notice_days=payload.notice_days,
        auto_renewal=payload.auto_renewal,
        response_time=payload.response_time,
        contacts=payload.contacts,
        covered_cis=cis,
        owner=found["owner_id"],
        cost=payload.cost,
        notes=payload.notes,
        remind_days=payload.remind_days,
    )


@router.get(
    "", response={200: ContractPage, **errors(400, 403)}, summary="Contracts, by notice date by default"
)
def list_contracts(request: HttpRequest, params: Query[ContractListParams]) -> dict[str, Any]:
    rows = Contract.objects.visible_to(current_user(request)).select_related("supplier")
    page = keyset_page(rows, SORTS[params.sort], cursor=params.cursor, size=params.limit)
    return {
        "items": [
            {
                "id": c.pk,
                "title": c.title,
                "kind": c.kind,
                "supplier": ref(c.supplier),
                "end_date": c.end_date,
                "notice_date": c.notice_date,
                "auto_renewal": c.auto_renewal,
                "version": c.version,
            }
            for c in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.get("/{contract_id}", response={200: ContractOut, **errors(403, 404)}, summary="One contract")
def get_contract(request: HttpRequest, contract_id: Id) -> dict[str, Any]:
    return contract_out(_contract(request, contract_id))


@router.post("", response={201: ContractOut, **errors(400, 403)}, summary="Add a contract")
def create_contract(request: HttpRequest, payload: ContractIn) -> Answer[dict[str, Any]]:
    contract = services.create_contract(actor=current_user(request), data=_data(payload))
    return Answer(201, contract_out(_contract(request, contract.pk)))


@router.put(
    "/{contract_id}", response={200: ContractOut, **errors(400, 403, 404, 409)}, summary="Change a contract"
)
def update_contract(request: HttpRequest, contract_id: Id, payload: ContractIn) -> dict[str, Any]:
    contract = _contract(request, contract_id)
    services.update_contract(
        contract,
        actor=current_user(request),
        data=_data(payload),
        expected_version=version_sent(payload.version),
    )
    return contract_out(_contract(request, contract_id))


@router.delete("/{contract_id}", response={204: None, **errors(403, 404, 409)}, summary="Remove a contract")
def delete_contract(request: HttpRequest, contract_id: Id, params: Query[VersionParams]) -> Answer[None]:
    services.delete_contract(
        _contract(request, contract_id), actor=current_user(request), expected_version=params.version
    )
    return Answer(204, None)


@router.get(
    "/{contract_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="A contract's history, newest first (keyset pagination)",
)
def contract_history(
    request: HttpRequest, contract_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    return subject_history_page(
        ContractHistoryEntry,
        contract_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("Contract not found."),
    )
