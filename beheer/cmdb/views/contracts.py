"""Supplier contracts for staff: the list (sortable by notice date, end date or title), a contract's
page with its covered CIs and the supplier's contacts, the create and edit forms, and removal."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from beheer.core import access, history
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.pagination import SortKey, page_for_request

from .. import services
from ..forms import ConfirmForm
from ..forms.contracts import ContractForm
from ..models import Contract, ContractHistoryEntry
from .licences import place_errors
from .saving import save_row

ACCESS = access.STAFF

PAGE_SIZE = 50
SORTS = {
    "notice": (SortKey("notice_date"), SortKey("id")),
    "end": (SortKey("end_date"), SortKey("id")),
    "title": (SortKey("title"), SortKey("id")),
}


def _contract(request: HttpRequest, pk: int) -> Contract:
    found = (
        Contract.objects.visible_to(request.user).select_related("supplier", "owner").filter(pk=pk).first()
    )
    if found is None:
        raise Http404
    return found


@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "notice")
    if sort not in SORTS:
        sort = "notice"
    rows = Contract.objects.visible_to(request.user).select_related("supplier")
    page = page_for_request(request, rows, SORTS[sort], size=PAGE_SIZE)
    return render(
        request,
        "cmdb/contracts_list.html",
        {
            "page": page,
            "sort": sort,
            "next_url": f"?{urlencode({'sort': sort, 'cursor': page.next_cursor})}"
            if page.next_cursor
            else "",
        },
    )


@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    covered = list(contract.covered_cis.select_related("ci_type").order_by("name", "id")[:500])
    return render(
        request,
        "cmdb/contracts_detail.html",
        {
            "contract": contract,
            "covered": covered,
            **history.subject_screen_page(request, ContractHistoryEntry, contract),
        },
    )


def _data(form: ContractForm) -> services.ContractData:
    data = form.cleaned_data
    return services.ContractData(
        supplier=data["supplier"],
        kind=data["kind"],
        title=data["title"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        reference=data["reference"],
        notice_days=data["notice_days"],
        auto_renewal=data["auto_renewal"],
        response_time=data["response_time"],
        contacts=data["contacts"],
        covered_cis=list(data["covered_cis"] or []),
        owner=data["owner"],
        cost=data["cost"],
        notes=data["notes"],
        remind_days=data["remind_days"],
    )


@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    contract = _contract(request, pk) if pk is not None else None
    if request.method == "POST":
        form = ContractForm(request.POST)
        done = save_row(
            request,
            form,
            contract,
            create=services.create_contract,
            update=services.update_contract,
            data=_data,
            place=place_errors,
            saved=_("The contract has been saved."),
            detail_url="cmdb-contract",
        )
        if done is not None:
            return done
    elif contract is not None:
        initial = {name: getattr(contract, name) for name in services.contracts.HISTORY_FIELDS}
        initial["covered_cis"] = list(contract.covered_cis.values_list("pk", flat=True))
        initial["version"] = contract.version
        form = ContractForm(initial=initial)
    else:
        form = ContractForm()
    return render(request, "cmdb/contracts_form.html", {"form": form, "contract": contract})


@require_http_methods(["GET", "POST"])
def contract_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = ConfirmForm(request.POST or None, initial={"version": contract.version})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.delete_contract(
                    contract, actor=current_user(request), expected_version=form.cleaned_data["version"]
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The contract has been removed."))
                return redirect("cmdb-contracts")
        else:
            messages.error(request, _("Tick the box to confirm."))
    return render(request, "cmdb/contracts_delete.html", {"contract": contract, "form": form})
