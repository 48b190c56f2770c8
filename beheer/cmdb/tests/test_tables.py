"""The downloads of the CMDB's other lists: licences, contracts, VLANs, prefixes and IP addresses, on
screen and through the API, for staff only, read in batches."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from beheer.accounts.models import User
from beheer.cmdb import services, tables
from beheer.cmdb.models import CiType, LicenceModel, Supplier
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PAGES = {
    "licences": "/cmdb/licences/",
    "contracts": "/cmdb/contracts/",
    "vlans": "/cmdb/network/vlans/",
    "prefixes": "/cmdb/network/prefixes/",
    "addresses": "/cmdb/network/addresses/",
}


def body(response: Any) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[arg-type]
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def contract(actor: User, title: str) -> None:
    services.create_contract(
        actor=actor,
        data=services.ContractData(
            supplier=Supplier.objects.get_or_create(name="Dell")[0],
            kind="support",
            title=title,
            start_date=date(2026, 1, 1),
            end_date=date(2027, 12, 31),
            notice_days=90,
        ),
    )


def world(actor: User, n: int = 1) -> None:
    server = services.create_item(
        actor=actor, data=services.ItemData(name="srv01", ci_type=CiType.objects.get(code="server"))
    )
    port = services.create_interface(server, actor=actor, data=services.InterfaceData(name="eth0"))
    for i in range(n):
        licence = services.create_licence(
            actor=actor,
            data=services.LicenceData(
                product=f"=Office {i}",  # a hostile product name: a formula
                licence_model=LicenceModel.PER_DEVICE,
                entitlements=2,
                start_date=date(2026, 1, 1),
            ),
        )
        services.assign_licence(licence, actor=actor, ci=server)
        vlan = services.save_vlan(None, actor=actor, data=services.VlanData(number=100 + i, name=f"vlan{i}"))
        prefix = services.save_prefix(
            None, actor=actor, data=services.PrefixData(prefix=f"10.{i}.0.0/24", vlan=vlan)
        )
        services.save_address(
            None,
            actor=actor,
            data=services.AddressData(address=f"10.{i}.0.5", interface=port if i == 0 else None),
        )
        assert prefix.pk
        contract(actor, f"Support {i}")


def test_every_list_downloads_as_csv_in_the_readers_language(operator: User) -> None:
    world(operator)
    client = client_for(operator)
    licences = body(client.get("/cmdb/licences/export.csv"))
    assert licences[0][:3] == ["Product", "Licentiemodel", "Aantal licenties"]
    assert licences[1][0] == "'=Office 0"  # neutralised
    assert licences[1][3:5] == ["1", "Overgelicentieerd (ongebruikt)"]
    vlans = body(client.get("/cmdb/network/vlans/export.csv"))
    assert vlans[1][:2] == ["100", "vlan0"]
    prefixes = body(client.get("/cmdb/network/prefixes/export.csv"))
    assert prefixes[1][:2] == ["10.0.0.0/24", "100"]
    assert prefixes[1][3:5] == ["1", "254"]
    addresses = body(client.get("/cmdb/network/addresses/export.csv"))
    assert addresses[1][:4] == ["10.0.0.5", "10.0.0.0/24", "srv01", "eth0"]
    contracts = body(client.get("/cmdb/contracts/export.csv"))
    assert contracts[1][:2] == ["Support 0", "Dell"]


def test_the_list_pages_link_their_downloads(operator: User) -> None:
    client = client_for(operator)
    for table, page in PAGES.items():
        if table == "addresses":
            page = PAGES["prefixes"]
        html = client.get(page).content.decode()
        assert f'data-downloads="{table}"' in html, table
        assert f"{PAGES[table]}export.xlsx" in html


def test_xlsx_keeps_numbers_typed(operator: User) -> None:
    world(operator)
    response = client_for(operator).get("/api/v1/cmdb/export/licences?format=xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][0] == "'=Office 0"
    assert rows[1][2] == 2
    assert rows[1][3] == 1


def test_callers_get_none_of_it(caller: User, operator: User) -> None:
    world(operator)
    client = client_for(caller)
    for page in PAGES.values():
        for fmt in ("csv", "xlsx"):
            assert client.get(f"{page}export.{fmt}").status_code in (403, 404)
    for table in tables.TABLES:
        assert client.get(f"/api/v1/cmdb/export/{table}").status_code == 403
    assert client_for(operator).get("/api/v1/cmdb/export/nothing").status_code in (400, 404, 422)


@pytest.mark.parametrize("table", sorted(tables.TABLES))
def test_a_download_reads_in_batches_not_per_row(operator: User, table: str) -> None:
    def count(n: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = list(tables.TABLES[table].rows(operator))
        assert len(rows) >= n
        return len(queries)

    world(operator, 1)
    few = count(1)
    world_more(operator)
    assert count(4) == few


def world_more(actor: User) -> None:
    server = services.create_item(
        actor=actor, data=services.ItemData(name="srv02", ci_type=CiType.objects.get(code="server"))
    )
    ports = [
        services.create_interface(server, actor=actor, data=services.InterfaceData(name=f"eth{i}"))
        for i in range(3)
    ]
    for i, port in enumerate(ports, start=1):
        licence = services.create_licence(
            actor=actor,
            data=services.LicenceData(
                product=f"Adobe {i}",
                licence_model=LicenceModel.PER_DEVICE,
                entitlements=1,
                start_date=date(2026, 1, 1),
            ),
        )
        services.assign_licence(licence, actor=actor, ci=server)
        vlan = services.save_vlan(None, actor=actor, data=services.VlanData(number=200 + i, name=f"v{i}"))
        services.save_prefix(None, actor=actor, data=services.PrefixData(prefix=f"10.{i}.0.0/24", vlan=vlan))
        services.save_address(
            None, actor=actor, data=services.AddressData(address=f"10.{i}.0.9", interface=port)
        )
        contract(actor, f"Lease {i}")
