"""CSV files in the reader's locale, so a spreadsheet opens them right with a double click.

Excel reads a CSV file with the list separator and the decimal sign of the computer's regional
settings: with Dutch settings a semicolon and a decimal comma, with English settings a comma and a
decimal point. The file follows the language of the person who downloads it:

- Dutch: ``;`` between fields, ``12,5`` for numbers, dates day-month-year (``6-12-2026``);
- English: ``,`` between fields, ``12.5`` for numbers, dates as the English screens write them.

Every file starts with a UTF-8 byte order mark, which tells Excel the encoding. Numbers are written
without thousands separators. Text goes through the caller's `text` function (formula
neutralisation) and nothing else; numbers and dates are never neutralised, so a negative number
stays a number.

The format is read from the active language once, when the response is built (`csv_format()`):
a streamed body is written after the view returned, when the language may have changed.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import dateformat, formats, timezone

from .text import printable

BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"


def neutralise(value: object) -> str:
    """A cell's text for a spreadsheet file (CSV or XLSX): control characters out (old rows may hold
    them; XLSX refuses them), then a formula neutralised (CSV injection): text that starts like a
    formula gets a leading apostrophe."""
    text = "" if value is None else printable(str(value))
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    """A file-like object that hands back what is written: csv.writer then returns each line."""

    def write(self, value: str) -> str:
        return value


def _plain(value: str) -> str:
    return value


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    decimal: str
    date_format: str  # Django date format strings
    datetime_format: str

    def cell(self, value: Any, text: Callable[[str], str] = _plain) -> str:
        """One field: numbers with the decimal sign, dates and moments (local time) in the
        language's short format, everything else as text through `text`."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return text(str(value))
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                return ""
            shown = repr(value)
            if "e" in shown or "E" in shown:
                shown = f"{value:.6f}".rstrip("0").rstrip(".")
            return shown.replace(".", self.decimal)
        if isinstance(value, Decimal):
            return format(value, "f").replace(".", self.decimal)
        if isinstance(value, datetime):
            moment = timezone.localtime(value) if timezone.is_aware(value) else value
            return dateformat.format(moment, self.datetime_format)
        if isinstance(value, date):
            return dateformat.format(value, self.date_format)
        return text(str(value))

    def line(self, values: Iterable[Any], text: Callable[[str], str] = _plain) -> str:
        """One CSV line (with its line end) of the values, each through `cell`."""
        writer = csv.writer(_Echo(), delimiter=self.delimiter)
        return str(writer.writerow([self.cell(v, text) for v in values]))


def csv_format() -> CsvFormat:
    """The CSV format of the active language (see the module's docstring)."""
    decimal = str(formats.get_format("DECIMAL_SEPARATOR"))
    return CsvFormat(
        delimiter=";" if decimal == "," else ",",
        decimal=decimal,
        date_format=str(formats.get_format("SHORT_DATE_FORMAT")),
        datetime_format=str(formats.get_format("SHORT_DATETIME_FORMAT")),
    )
