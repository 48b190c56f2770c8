"""The CI list as CSV (streamed, in the reader's locale: `core.csv_export`) and XLSX, with the list's
filters applied; when the list is filtered on one type, a column per custom attribute of that type.

The columns are the ones an import reads (the field's label in the reader's language, the type and
references by name, the owner by user name, `attr.<code>` for attributes), so an exported file can
be changed in a spreadsheet and imported again. Text cells are neutralised against formulas.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from beheer.core.csv_export import BOM, CONTENT_TYPE, csv_format, neutralise
from beheer.core.pagination import SortKey, keyset_page

from . import imports
from .models import AttributeDefinition, AttributeKind, CiAttributeValue, ConfigurationItem

BATCH = 2000
ORDER = (SortKey("name"), SortKey("id"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFERENCES = ("ci_type", "owner", "branch", "department", "location", "supplier")


def definitions_for(ci_type: int | None) -> list[AttributeDefinition]:
    if ci_type is None:
        return []
    return list(AttributeDefinition.objects.filter(ci_type_id=ci_type).order_by("order", "id"))


def header(definitions: Sequence[AttributeDefinition]) -> list[str]:
    fields = [
        str(getattr(ConfigurationItem._meta.get_field(name), "verbose_name", name))
        for name in imports.ITEM_FIELDS
    ]
    return [
        *(label[:1].upper() + label[1:] for label in fields),
        *(f"{imports.ATTRIBUTE_PREFIX}{d.code}" for d in definitions),
    ]


def _value(row: CiAttributeValue | None) -> Any:
    if row is None:
        return None
    if row.definition.kind == AttributeKind.CI:
        return row.ref_ci.name if row.ref_ci else None
    if row.definition.kind == AttributeKind.PERSON:
        return row.ref_person.username if row.ref_person else None
    if row.flag is not None:
        return "true" if row.flag else "false"
    if row.number is not None:
        return row.number.normalize()
    return row.date or row.text


def rows(queryset: Any, definitions: Sequence[AttributeDefinition]) -> Iterator[list[Any]]:
    """Every CI of the (visible, filtered) queryset in keyset batches: a query for the page, one for
    its attribute values."""
    queryset = queryset.select_related(*REFERENCES)
    cursor: str | None = None
    while True:
        page = keyset_page(queryset, ORDER, cursor=cursor, size=BATCH)
        values: dict[tuple[int, int], CiAttributeValue] = {}
        if definitions and page.items:
            found = CiAttributeValue.objects.filter(
                ci__in=[ci.pk for ci in page.items], definition__in=definitions
            ).select_related("definition", "ref_ci", "ref_person")
            values = {(v.ci_id, v.definition_id): v for v in found}
        for ci in page.items:
            yield [
                ci.name,
                ci.ci_type.code,
                ci.status,
                ci.owner.username if ci.owner else None,
                ci.branch.name if ci.branch else None,
                ci.department.name if ci.department else None,
                ci.location.name if ci.location else None,
                ci.supplier.name if ci.supplier else None,
                ci.asset_tag,
                ci.serial_number,
                ci.host_name,
                ci.addresses,
                ci.purchase_date,
                ci.warranty_until,
                ci.cost,
                ci.description,
                *(_value(values.get((ci.pk, d.pk))) for d in definitions),
            ]
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _filename(extension: str) -> str:
    return f"configuration-items-{timezone.localdate():%Y%m%d}.{extension}"


def csv_response(queryset: Any, ci_type: int | None) -> StreamingHttpResponse:
    fmt = csv_format()  # read now: the body is written after the view returned
    definitions = definitions_for(ci_type)
    head = header(definitions)

    def stream() -> Iterator[str]:
        yield BOM + fmt.line(head, neutralise)
        for row in rows(queryset, definitions):
            yield fmt.line(row, neutralise)

    response = StreamingHttpResponse(stream(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def _cell(value: Any) -> Any:
    """Numbers and dates stay typed; text is neutralised."""
    if value is None or (not isinstance(value, str) and not isinstance(value, bool)):
        return value
    return neutralise(value)


def write_xlsx(out: IO[bytes], queryset: Any, ci_type: int | None) -> None:
    from openpyxl import Workbook

    definitions = definitions_for(ci_type)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("CMDB")
    sheet.append([_cell(h) for h in header(definitions)])
    for row in rows(queryset, definitions):
        sheet.append([_cell(v) for v in row])
    workbook.save(out)


def xlsx_response(queryset: Any, ci_type: int | None) -> FileResponse:
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(tmp, queryset, ci_type)
    tmp.seek(0)
    response = FileResponse(tmp, as_attachment=True, filename=_filename("xlsx"), content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return response
