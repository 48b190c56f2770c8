"""Reading an import file of configuration items, relations, people or licences: pure, no database.

A file is CSV (`;` or `,` between fields, detected from the header line; UTF-8 with or without a
byte order mark) or XLSX (the first sheet). Its first row names the columns: a CI's field name
(`asset_tag`), its English or Dutch label ("Asset tag", "Inventarisnummer"), or `attr.<code>` for a
custom attribute; people's columns are a person's fields (`username`, "E-mailadres", `role`,
`active`), licences' a licence's fields and `assigned_to`. `services/imports/` looks the values up
and writes through the services.

Row numbers are the file's: the header is row 1, the first data row row 2. Empty rows are skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from . import attributes
from .models import ConfigurationItem, Relation

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
ATTRIBUTE_PREFIX = "attr."
ITEMS, RELATIONS, PEOPLE, LICENCES = "cis", "relations", "people", "licences"
KINDS = (ITEMS, RELATIONS, PEOPLE, LICENCES)
KEYS = ("asset_tag", "name", "serial_number", "host_name")
PEOPLE_KEYS = ("username", "email")
LICENCE_KEYS = ("reference", "product")
KEYS_OF = {ITEMS: KEYS, RELATIONS: KEYS, PEOPLE: PEOPLE_KEYS, LICENCES: LICENCE_KEYS}
ALL_KEYS = KEYS + PEOPLE_KEYS + LICENCE_KEYS


def default_key(kind: str) -> str:
    """The key column a kind uses when none is chosen."""
    return KEYS_OF.get(kind, KEYS)[0]


ITEM_FIELDS = (
    "name",
    "ci_type",
    "status",
    "environment",
    "owner",
    "branch",
    "department",
    "location",
    "supplier",
    "asset_tag",
    "serial_number",
    "host_name",
    "addresses",
    "purchase_date",
    "warranty_until",
    "cost",
    "description",
)
RELATION_FIELDS = ("source", "kind", "target", "description")
PERSON_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "employee_number",
    "job_title",
    "role",
    "branch",
    "department",
    "location",
    "language",
    "is_active",
)
LICENCE_FIELDS = (
    "product",
    "licence_model",
    "entitlements",
    "supplier",
    "application",
    "owner",
    "start_date",
    "expiry_date",
    "cost",
    "reference",
    "notes",
    "remind_days",
)
ASSIGNED_TO = "assigned_to"  # a licence's CIs and people, separated by ";"
DATE_FIELDS = ("purchase_date", "warranty_until")
# Other names people give these columns.
ALIASES = {
    "type": "ci_type",
    "ci type": "ci_type",
    "soort": "ci_type",
    "otap": "environment",
    "omgeving": "environment",
    "from": "source",
    "van": "source",
    "bron": "source",
    "to": "target",
    "naar": "target",
    "doel": "target",
    "soort relatie": "kind",
    "e-mail": "email",
    "mail": "email",
    "user name": "username",
    "active": "is_active",
    "actief": "is_active",
    "model": "licence_model",
    "remind days": "remind_days",
    "herinnering": "remind_days",
    "referentie": "reference",
    "assigned to": ASSIGNED_TO,
    "toegewezen aan": ASSIGNED_TO,
}
# A cell that a spreadsheet would run as a formula (CSV injection): refused, never stored.
FORMULA_STARTS = ("=", "@", "\t", "\r")


class FileRefused(ValueError):
    """The file as a whole cannot be read; the message says why."""


@dataclass(frozen=True)
class Table:
    """The file's columns (as written in the header) and its data rows as (row number, cells)."""

    header: list[str]
    rows: list[tuple[int, list[Any]]]


@dataclass(frozen=True)
class Columns:
    """Which field each column holds: field name (or `attr.<code>`) -> column index."""

    fields: dict[str, int]
    titles: dict[str, str]  # field -> the column's title as the file wrote it

    def title(self, field: str) -> str:
        return self.titles.get(field, field)


# --------------------------------------------------------------------------------------------------
# reading the file


def read_table(data: bytes, filename: str = "") -> Table:
    """The header and rows of a CSV or XLSX file, or FileRefused."""
    if len(data) > MAX_BYTES:
        raise FileRefused(_("The file is too large: at most %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        lines = _xlsx_lines(data)
    else:
        lines = _csv_lines(data)
    header: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in lines:
        if all(_blank(c) for c in cells):
            continue
        if header is None:
            header = [str(c or "").strip() for c in cells]
            continue
        if len(rows) >= MAX_ROWS:
            raise FileRefused(_("The file has more than %(limit)s rows.") % {"limit": f"{MAX_ROWS:,}"})
        rows.append((number, cells))
    if header is None:
        raise FileRefused(_("The file is empty."))
    return Table(header=header, rows=rows)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(_("Save the file as CSV in UTF-8.")) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise FileRefused(_("The file is not valid CSV: %(error)s") % {"error": exc}) from None


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise FileRefused(_("The file is not a valid XLSX file.")) from None
    try:
        if not workbook.worksheets:
            raise FileRefused(_("The file is empty."))
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


# --------------------------------------------------------------------------------------------------
# the header


def _labels(model: Any, names: Sequence[str]) -> dict[str, str]:
    """Lower-case English and Dutch labels of the model's fields -> field name."""
    labels: dict[str, str] = {}
    for language in ("en", "nl"):
        with translation.override(language):
            for name in names:
                label = str(model._meta.get_field(name).verbose_name)
                labels.setdefault(label.strip().lower(), name)
    return labels


def item_labels() -> dict[str, str]:
    labels = _labels(ConfigurationItem, ITEM_FIELDS)
    labels.update({name: name for name in ITEM_FIELDS})
    labels.update({k: v for k, v in ALIASES.items() if v in ITEM_FIELDS})
    return labels


def relation_labels() -> dict[str, str]:
    labels = _labels(Relation, RELATION_FIELDS)
    labels.update({name: name for name in RELATION_FIELDS})
    labels.update({k: v for k, v in ALIASES.items() if v in RELATION_FIELDS})
    return labels


def person_labels() -> dict[str, str]:
    from beheer.accounts.models import User

    labels = _labels(User, PERSON_FIELDS)
    labels.update({name: name for name in PERSON_FIELDS})
    labels.update({k: v for k, v in ALIASES.items() if v in PERSON_FIELDS})
    return labels


def licence_labels() -> dict[str, str]:
    from .models import Licence

    labels = _labels(Licence, LICENCE_FIELDS)
    labels.update({name: name for name in (*LICENCE_FIELDS, ASSIGNED_TO)})
    labels.update({k: v for k, v in ALIASES.items() if v in (*LICENCE_FIELDS, ASSIGNED_TO)})
    return labels


LABELS = {ITEMS: item_labels, RELATIONS: relation_labels, PEOPLE: person_labels, LICENCES: licence_labels}


def _required(kind: str, key: str) -> tuple[str, ...]:
    if kind == RELATIONS:
        return ("source", "kind", "target")
    if kind == PEOPLE:
        return (key,)
    if kind == LICENCES:
        return ("product", key)
    return ("name", "ci_type", key)


def map_columns(header: Sequence[str], kind: str, *, key: str = "asset_tag") -> Columns:
    """The field of each column, or FileRefused naming the unknown or doubled columns and the
    required ones that are missing."""
    labels = LABELS[kind]()
    fields: dict[str, int] = {}
    titles: dict[str, str] = {}
    problems: list[str] = []
    for index, title in enumerate(header):
        if not title:
            continue
        lowered = " ".join(title.lower().replace("_", " ").split())
        field = labels.get(title.strip().lower()) or labels.get(lowered)
        if field is None and kind == ITEMS and title.lower().startswith(ATTRIBUTE_PREFIX):
            code = title[len(ATTRIBUTE_PREFIX) :].strip()
            field = f"{ATTRIBUTE_PREFIX}{code}" if code else None
        if field is None:
            problems.append(_("Unknown column: %(column)s.") % {"column": title})
        elif field in fields:
            problems.append(_("Column %(column)s appears twice.") % {"column": title})
        else:
            fields[field] = index
            titles[field] = title
    for field in dict.fromkeys(_required(kind, key)):
        if field not in fields:
            problems.append(_("The column %(column)s is missing.") % {"column": field})
    if problems:
        raise FileRefused(" ".join(problems))
    return Columns(fields=fields, titles=titles)


# --------------------------------------------------------------------------------------------------
# cell values


def cell(cells: Sequence[Any], columns: Columns, field: str) -> Any:
    """The raw value of `field` in a row, None when the file has no such column or cell."""
    index = columns.fields.get(field)
    if index is None or index >= len(cells):
        return None
    return cells[index]


def text(value: Any) -> str:
    """A cell as text: a whole number from a spreadsheet without ".0", a date as yyyy-mm-dd."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def formula(value: str) -> bool:
    """Whether a cell's text starts like a spreadsheet formula. A phone number or amount with a sign
    ("+31 6 1234", "-12.50") is not one."""
    if value.startswith(FORMULA_STARTS):
        return True
    if value[:1] in ("+", "-"):
        return any(c not in "0123456789 ()-.,/+" for c in value[1:])
    return False


def parse_int(value: Any) -> int | None:
    """A whole number (a spreadsheet's 12.0 too); empty is None; otherwise ValueError."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    if isinstance(value, int):
        return value
    cleaned = text(value)
    if not cleaned.isdigit() or len(cleaned) > 12:
        raise ValueError(value)
    return int(cleaned)


YES = {"1", "true", "yes", "ja", "waar", "y", "j", "x", "active", "actief"}
NO = {"0", "false", "no", "nee", "onwaar", "n", "inactive", "inactief"}


def parse_flag(value: Any) -> bool | None:
    """yes/no in English or Dutch, 1/0, true/false; empty is None; otherwise ValueError."""
    if isinstance(value, bool):
        return value
    cleaned = text(value).lower()
    if not cleaned:
        return None
    if cleaned in YES:
        return True
    if cleaned in NO:
        return False
    raise ValueError(value)


def parse_date(value: Any) -> date | None:
    """yyyy-mm-dd, dd-mm-yyyy or a spreadsheet date; empty is None; otherwise attributes.Invalid."""
    if isinstance(value, datetime):
        return value.date()
    if _blank(value):
        return None
    cleaned = attributes.clean(attributes.DATE, value if isinstance(value, date) else text(value))
    return cleaned.date


def parse_amount(value: Any) -> Decimal | None:
    """12.50, 12,50 or a spreadsheet number; empty is None; otherwise attributes.Invalid."""
    if _blank(value):
        return None
    if isinstance(value, float | int) and not isinstance(value, bool):
        value = Decimal(str(value))
    return attributes.clean(attributes.NUMBER, value).number


def attribute_value(value: Any) -> Any:
    """A custom attribute's cell as the attribute cleaner reads it (text, or a spreadsheet's typed
    value as text)."""
    return None if _blank(value) else text(value)
