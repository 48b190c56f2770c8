"""The CI list as CSV (streamed, in the reader's locale: `core.csv_export`) and XLSX, with the list's
filters applied; when the list is filtered on one type, a column per custom attribute of that type.

The columns are the ones an import reads (the field's label in the reader's language, the type and
references by name, the owner by user name, `attr.<code>` for attributes), so an exported file can
be changed in a spreadsheet and imported again. Text cells are neutralised against formulas.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse

from beheer.core import table_export
from beheer.core.pagination import SortKey

from . import imports
from .models import AttributeDefinition, AttributeKind, CiAttributeValue, CiEnvironment, ConfigurationItem

ORDER = (SortKey("name"), SortKey("id"))
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
    """Every CI of the (visible, filtered) queryset in keyset batches: a query for the batch, one for
    its attribute values. The environment by its label in the active language, read now: a streamed
    body is written after the view returned, when the language may have changed."""
    environments = {value: str(label) for value, label in CiEnvironment.choices}
    return _rows(queryset, definitions, environments)


def _rows(
    queryset: Any, definitions: Sequence[AttributeDefinition], environments: dict[str, str]
) -> Iterator[list[Any]]:
    values: dict[tuple[int, int], CiAttributeValue] = {}

    def read_values(batch: list[ConfigurationItem]) -> None:
        values.clear()
        if definitions:
            found = CiAttributeValue.objects.filter(
                ci__in=[ci.pk for ci in batch], definition__in=definitions
            ).select_related("definition", "ref_ci", "ref_person")
            values.update({(v.ci_id, v.definition_id): v for v in found})

    for ci in table_export.keyset_rows(queryset.select_related(*REFERENCES), ORDER, each_batch=read_values):
        yield [
            ci.name,
            ci.ci_type.code,
            ci.status,
            environments.get(ci.environment, ci.environment),
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


STEM = "configuration-items"


def csv_response(queryset: Any, ci_type: int | None) -> StreamingHttpResponse:
    definitions = definitions_for(ci_type)
    return table_export.csv_response(STEM, header(definitions), rows(queryset, definitions))


def write_xlsx(out: IO[bytes], queryset: Any, ci_type: int | None) -> None:
    definitions = definitions_for(ci_type)
    table_export.write_xlsx(out, header(definitions), rows(queryset, definitions), sheet="CMDB")


def xlsx_response(queryset: Any, ci_type: int | None) -> FileResponse:
    definitions = definitions_for(ci_type)
    return table_export.xlsx_response(STEM, header(definitions), rows(queryset, definitions), sheet="CMDB")
