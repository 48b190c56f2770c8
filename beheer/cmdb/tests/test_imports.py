"""Importing CIs and relations: the reader, dry runs, all or nothing, partial imports, idempotence."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook

from beheer.accounts.models import User
from beheer.cmdb import imports as reader
from beheer.cmdb import services
from beheer.cmdb.models import (
    AttributeKind,
    CiAttributeValue,
    CiHistoryEntry,
    CiType,
    ConfigurationItem,
    Relation,
    Supplier,
)
from beheer.core.errors import DomainError, PermissionDenied


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def csv_bytes(text: str, *, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# the reader (no database)


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("bom", [True, False])
def test_csv_delimiter_and_bom_are_detected(delimiter: str, bom: bool) -> None:
    data = csv_bytes(f"name{delimiter}asset_tag\nLT 1{delimiter}A-1\n\nLT 2{delimiter}A-2\n", bom=bom)
    table = reader.read_table(data, "x.csv")
    assert table.header == ["name", "asset_tag"]
    assert table.rows == [(2, ["LT 1", "A-1"]), (4, ["LT 2", "A-2"])]


def test_dutch_and_english_labels_and_attribute_columns_map_to_fields() -> None:
    header = ["Naam", "Type", "Inventarisnummer", "Serial number", "Leverancier", "attr.ram-gb"]
    columns = reader.map_columns(header, reader.ITEMS)
    assert columns.fields == {
        "name": 0,
        "ci_type": 1,
        "asset_tag": 2,
        "serial_number": 3,
        "supplier": 4,
        "attr.ram-gb": 5,
    }
    assert columns.title("asset_tag") == "Inventarisnummer"


def test_unknown_and_missing_columns_refuse_the_file() -> None:
    with pytest.raises(reader.FileRefused) as exc:
        reader.map_columns(["name", "colour"], reader.ITEMS)
    assert "colour" in str(exc.value)
    assert "ci_type" in str(exc.value)


def test_xlsx_first_sheet_is_read_with_typed_cells() -> None:
    data = xlsx_bytes(
        [["name", "type", "asset_tag", "purchase_date"], ["LT 1", "laptop", 1234, date(2025, 1, 2)]]
    )
    table = reader.read_table(data, "x.xlsx")
    assert table.header == ["name", "type", "asset_tag", "purchase_date"]
    number, cells = table.rows[0]
    assert number == 2
    assert reader.text(cells[2]) == "1234"
    assert reader.parse_date(cells[3]) == date(2025, 1, 2)


def test_limits_on_size_and_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_ROWS", 2)
    with pytest.raises(reader.FileRefused, match="more than"):
        reader.read_table(csv_bytes("name\na\nb\nc\n"))
    monkeypatch.setattr(reader, "MAX_BYTES", 10)
    with pytest.raises(reader.FileRefused, match="too large"):
        reader.read_table(csv_bytes("name\nabcdefghijk\n"))
    with pytest.raises(reader.FileRefused, match="UTF-8"):
        reader.read_table("name\ncaf\xe9\n".encode("latin-1"))


def test_dates_and_amounts_in_both_notations() -> None:
    assert reader.parse_date("31-12-2026") == date(2026, 12, 31)
    assert reader.parse_date("2026-12-31") == date(2026, 12, 31)
    assert reader.parse_amount("1.234,50") == Decimal("1234.5")
    assert reader.parse_amount(12.5) == Decimal("12.5")
    assert reader.parse_date("") is None


# --------------------------------------------------------------------------------------------------
# importing CIs


def add_ram(administrator: User) -> CiType:
    laptop = CiType.objects.get(code="laptop")
    services.save_attribute(
        None,
        actor=administrator,
        ci_type=laptop,
        data=services.AttributeData(
            code="ram", label_nl="Geheugen", label_en="RAM", kind=AttributeKind.NUMBER
        ),
    )
    return laptop


GOOD = (
    "naam;type;inventarisnummer;eigenaar;leverancier;aankoopdatum;kosten;attr.ram\n"
    "LT 1;laptop;A-1;olga@example.org;Dell;1-2-2025;849,00;16\n"
    "LT 2;Laptop;A-2;;;2025-03-04;;8\n"
)


@pytest.fixture
def world(administrator: User, operator: User) -> CiType:
    operator.email = "olga@example.org"
    operator.save()
    Supplier.objects.create(name="Dell")
    return add_ram(administrator)


def run(actor: User, text: str, **kwargs: object) -> services.ImportReport:
    return services.run_import(actor=actor, data=csv_bytes(text), filename="cis.csv", **kwargs)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_import_creates_cis_with_references_and_attributes(world: CiType, operator: User) -> None:
    report = run(operator, GOOD)
    assert report.counts == {"create": 2, "update": 0, "unchanged": 0, "reject": 0}
    assert report.written
    ci = ConfigurationItem.objects.get(asset_tag="A-1")
    assert ci.owner == operator
    assert ci.supplier is not None
    assert ci.supplier.name == "Dell"
    assert ci.purchase_date == date(2025, 2, 1)
    assert ci.cost == Decimal("849.00")
    assert CiAttributeValue.objects.get(ci=ci, definition__code="ram").number == Decimal("16")
    assert CiHistoryEntry.objects.filter(ci=ci).count() == 1


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing(world: CiType, operator: User) -> None:
    report = run(operator, GOOD, dry_run=True)
    assert [r.action for r in report.rows] == ["create", "create"]
    assert not report.written
    assert ConfigurationItem.objects.count() == 0
    assert CiHistoryEntry.objects.count() == 0


BAD_ROW = GOOD + "LT 3;laptop;A-3;nobody;;31-31-2025;veel;16\n"


@pytest.mark.django_db
def test_one_bad_row_leaves_the_database_unchanged(world: CiType, operator: User) -> None:
    report = run(operator, BAD_ROW)
    assert not report.written
    assert ConfigurationItem.objects.count() == 0
    assert CiHistoryEntry.objects.count() == 0
    assert CiAttributeValue.objects.count() == 0
    (bad,) = report.rejected
    assert bad.row == 4
    columns = dict(bad.errors)
    assert set(columns) == {"eigenaar", "aankoopdatum", "kosten"}
    assert "date" in columns["aankoopdatum"].lower()


@pytest.mark.django_db
def test_partial_writes_the_good_rows(world: CiType, operator: User) -> None:
    report = run(operator, BAD_ROW, partial=True)
    assert report.counts["create"] == 2
    assert report.counts["reject"] == 1
    assert report.written
    assert set(ConfigurationItem.objects.values_list("asset_tag", flat=True)) == {"A-1", "A-2"}


@pytest.mark.django_db
def test_service_refusals_name_the_column(world: CiType, operator: User) -> None:
    report = run(operator, "name;type;asset_tag;attr.ram\nLT 1;laptop;A-1;lots\n")
    (bad,) = report.rejected
    assert bad.errors[0][0] == "attr.ram"


@pytest.mark.django_db
def test_second_run_is_unchanged_and_changes_update(world: CiType, operator: User) -> None:
    run(operator, GOOD)
    history = CiHistoryEntry.objects.count()
    again = run(operator, GOOD)
    assert [r.action for r in again.rows] == ["unchanged", "unchanged"]
    assert CiHistoryEntry.objects.count() == history
    changed = run(operator, GOOD.replace("LT 2;Laptop;A-2", "LT 2b;Laptop;A-2"))
    assert [r.action for r in changed.rows] == ["unchanged", "update"]
    assert ConfigurationItem.objects.get(asset_tag="A-2").name == "LT 2b"
    # a column the file leaves out keeps its value
    run(operator, "name;type;asset_tag\nLT 1;laptop;A-1\n")
    ci = ConfigurationItem.objects.get(asset_tag="A-1")
    assert ci.supplier is not None
    assert ci.cost == Decimal("849.00")
    assert CiAttributeValue.objects.filter(ci=ci, definition__code="ram").exists()


@pytest.mark.django_db
def test_other_key_and_duplicate_keys(world: CiType, operator: User) -> None:
    report = run(operator, "name,type,host_name\nweb,server,web01\nweb2,server,web01\n", key="host_name")
    assert [r.action for r in report.rows] == ["create", "reject"]
    assert "row 2" in report.rows[1].errors[0][1].lower()
    assert ConfigurationItem.objects.count() == 0


@pytest.mark.django_db
def test_xlsx_import(world: CiType, operator: User) -> None:
    data = xlsx_bytes([["Name", "Type", "Asset tag", "Cost"], ["LT 9", "laptop", 9001, 12.5]])
    report = services.run_import(actor=operator, data=data, filename="cis.xlsx")
    assert report.counts["create"] == 1
    assert ConfigurationItem.objects.get(asset_tag="9001").cost == Decimal("12.50")


@pytest.mark.django_db
def test_callers_and_bad_files_are_refused(world: CiType, caller: User, operator: User) -> None:
    with pytest.raises(PermissionDenied):
        run(caller, GOOD)
    with pytest.raises(DomainError) as exc:
        run(operator, "colour\nred\n")
    assert "file" in exc.value.field_errors
    with pytest.raises(DomainError) as exc:
        run(operator, GOOD, key="colour")
    assert "key" in exc.value.field_errors


# --------------------------------------------------------------------------------------------------
# relations


@pytest.mark.django_db
def test_relations_import(world: CiType, operator: User) -> None:
    run(operator, GOOD + "LT 3;laptop;A-3;;;;;\n")
    text = (
        "source;kind;target\nA-1;depends_on;LT 2\nLT 1;runs on;A-3\nA-1;flies over;A-2\nnope;depends_on;A-2\n"
    )
    report = services.run_import(actor=operator, data=csv_bytes(text), kind="relations", partial=True)
    assert [r.action for r in report.rows] == ["create", "create", "reject", "reject"]
    assert report.rows[2].errors[0][0] == "kind"
    assert report.rows[3].errors[0][0] == "source"
    assert Relation.objects.count() == 2
    again = services.run_import(actor=operator, data=csv_bytes(text), kind="relations", partial=True)
    assert [r.action for r in again.rows][:2] == ["unchanged", "unchanged"]
    assert Relation.objects.count() == 2
