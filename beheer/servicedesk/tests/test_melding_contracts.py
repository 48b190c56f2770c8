"""The contract on a melding handed to a supplier (a partial incident or not): the melding page's
CI section names the supplier's active contracts that cover the CI, or says none does; the API's
melding detail has them as `contracts` for staff; callers never see a contract; a deleted contract
or CI leaves the page working; the queries stay bounded."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import User
from beheer.cmdb import services as cmdb_services
from beheer.cmdb.models import ConfigurationItem, Contract, Supplier
from beheer.servicedesk import configuration_items, services
from beheer.servicedesk.models import EntryType, Melding
from tests.helpers import client_for

from .test_melding_ci import cache_on, make, network, page_queries, register  # noqa: F401

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def dell(db: Any) -> Supplier:
    return Supplier.objects.create(name="Dell Technologies")


def contract(
    actor: User,
    supplier: Supplier,
    cis: list[ConfigurationItem],
    *,
    title: str = "Printer service",
    **kw: Any,
) -> Contract:
    data = cmdb_services.ContractData(
        supplier=supplier,
        kind=kw.pop("kind", "maintenance"),
        title=title,
        start_date=kw.pop("start_date", TODAY - timedelta(days=30)),
        end_date=kw.pop("end_date", TODAY + timedelta(days=300)),
        reference=kw.pop("reference", "C-2026-7"),
        response_time="4 h next business day",
        contacts="Servicedesk Dell\n020 123 4567",
        covered_cis=cis,
    )
    return cmdb_services.create_contract(actor=actor, data=data)


def partial_for(main: Melding, supplier: Supplier, actor: User) -> Melding:
    return services.create_partial(
        main, brief_description="Onderdeel vervangen", supplier=supplier, actor=actor
    )


def test_a_partial_incident_with_a_supplier_shows_the_covering_contract(
    cache_on: None,  # noqa: F811
    operator: User,
    caller: User,
    operator_client: Client,
    network: dict[str, Any],  # noqa: F811
    dell: Supplier,
) -> None:
    prn = network["PRN-1"]
    covering = contract(operator, dell, [prn, network["PRN-2"]])
    other = Supplier.objects.create(name="HP")
    contract(operator, other, [prn], title="HP care", reference="HP-1")  # another supplier's
    contract(
        operator,
        dell,
        [prn],
        title="Expired",
        end_date=TODAY - timedelta(days=1),
        start_date=TODAY - timedelta(days=400),
    )
    contract(operator, dell, [network["PRN-3"]], title="Other printer", reference="C-9")
    main = register(operator, caller=caller, entry_type=EntryType.PHONE, ci=prn)
    part = partial_for(main, dell, operator)
    assert part.ci_id == prn.pk
    html, with_contract = page_queries(operator_client, part)
    assert "data-ci-contracts" in html
    assert f'href="/cmdb/contracts/{covering.pk}/"' in html
    assert "C-2026-7" in html
    assert "4 h next business day" in html
    assert "020 123 4567" in html
    for absent in ("HP care", "Expired", "Other printer"):
        assert absent not in html
    # the main melding has no supplier: no contract part at all
    main_html, without = page_queries(operator_client, main)
    assert "data-ci-contracts" not in main_html
    assert with_contract <= without + 1, (with_contract, without)


def test_no_covering_contract_is_said_and_a_deleted_contract_or_ci_breaks_nothing(
    cache_on: None,  # noqa: F811
    operator: User,
    coordinator: User,
    caller: User,
    operator_client: Client,
    network: dict[str, Any],  # noqa: F811
    dell: Supplier,
) -> None:
    prn = network["PRN-4"]
    c = contract(operator, dell, [prn])
    m = register(operator, caller=caller, entry_type=EntryType.PHONE, ci=prn)
    part = partial_for(m, dell, operator)
    assert "C-2026-7" in page_queries(operator_client, part)[0]
    cmdb_services.delete_contract(c, actor=operator, expected_version=None)
    html, _count = page_queries(operator_client, part)
    assert "No contract covers this CI with this supplier." in html
    cmdb_services.delete_item(
        ConfigurationItem.objects.get(pk=prn.pk), actor=coordinator, expected_version=None
    )
    response = operator_client.get(f"/meldingen/{part.pk}/")
    assert response.status_code == 200
    assert "data-ci-contracts" not in response.content.decode()


def test_the_api_detail_has_contracts_for_staff_and_never_for_callers(
    operator: User,
    caller: User,
    network: dict[str, Any],  # noqa: F811
    dell: Supplier,
) -> None:
    prn = network["PRN-1"]
    c = contract(operator, dell, [prn])
    m = register(caller, ci=None)
    staff_melding = register(operator, caller=caller, entry_type=EntryType.PHONE, ci=prn)
    part = partial_for(staff_melding, dell, operator)
    detail = client_for(operator).get(f"/api/v1/meldingen/{part.pk}").json()
    assert detail["contracts"] == [
        {
            "id": c.pk,
            "reference": "C-2026-7",
            "title": "Printer service",
            "response_time": "4 h next business day",
            "end_date": c.end_date.isoformat(),
        }
    ]
    assert client_for(operator).get(f"/api/v1/meldingen/{m.pk}").json()["contracts"] is None
    # the main melding handed to the supplier, with the caller's own view of it
    partials = client_for(operator).get(f"/api/v1/meldingen/{staff_melding.pk}/partials").json()
    assert partials[0]["contracts"][0]["id"] == c.pk
    as_caller = client_for(caller).get(f"/api/v1/meldingen/{staff_melding.pk}")
    assert as_caller.status_code == 200
    assert as_caller.json()["contracts"] is None
    assert "C-2026-7" not in as_caller.content.decode()
    assert client_for(caller).get(f"/api/v1/meldingen/{part.pk}").status_code == 404


def test_a_callers_melding_page_in_the_portal_shows_no_contract(
    operator: User,
    caller: User,
    network: dict[str, Any],  # noqa: F811
    dell: Supplier,
) -> None:
    from beheer.servicedesk.models import Status

    laptop = make(operator, "LT-9", "laptop", owner=caller)
    contract(operator, dell, [laptop], reference="SECRET-CONTRACT-REF")
    m = register(caller, ci=laptop)
    services.change_status(
        m,
        status=Status.objects.get(code="waiting_supplier"),
        supplier=dell,
        actor=operator,
        expected_version=None,
    )
    staff = client_for(operator).get(f"/meldingen/{m.pk}/").content.decode()
    assert "SECRET-CONTRACT-REF" in staff
    portal = client_for(caller)
    for url in (f"/portal/{m.pk}/", f"/api/v1/meldingen/{m.pk}", f"/meldingen/{m.pk}/"):
        assert "SECRET-CONTRACT-REF" not in portal.get(url).content.decode(), url


def test_covering_contracts_reads_one_query_for_a_list(
    operator: User,
    caller: User,
    network: dict[str, Any],  # noqa: F811
    dell: Supplier,
) -> None:
    contract(operator, dell, [network["PRN-1"], network["PRN-2"], network["PRN-3"]])
    main = register(operator, caller=caller, entry_type=EntryType.PHONE, ci=network["PRN-1"])
    parts = [partial_for(main, dell, operator) for _ in range(4)]
    with CaptureQueriesContext(connection) as ctx:
        found = configuration_items.covering_contracts([*parts, main], operator)
    assert len(ctx.captured_queries) == 1
    assert all(len(found[p.pk]) == 1 for p in parts)
    assert main.pk not in found
    assert configuration_items.covering_contracts(parts, caller) == {}
