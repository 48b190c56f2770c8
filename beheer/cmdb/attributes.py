"""Custom attribute values: from what a form or the API sends to the typed column they are kept in,
and back to text. Pure: references arrive and leave as ids; the services check that they exist.

A form sends text for every kind; the API sends JSON (a number, true/false, a string or an id).
Both go through `clean`, so the two routes accept and refuse the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

TEXT, NUMBER, DATE, BOOLEAN, CHOICE, CI, PERSON = (
    "text",
    "number",
    "date",
    "boolean",
    "choice",
    "ci",
    "person",
)
KINDS = (TEXT, NUMBER, DATE, BOOLEAN, CHOICE, CI, PERSON)
TEXT_LIMIT = 500
NUMBER_LIMIT = Decimal("1e14")  # max_digits 20, decimal_places 6
TRUE = frozenset({"1", "true", "yes", "ja", "on", "y", "j"})
FALSE = frozenset({"0", "false", "no", "nee", "off", "n"})


class Invalid(ValueError):
    """The value does not fit its attribute; the message says why, in the reader's language."""


@dataclass(frozen=True)
class Cleaned:
    """A value in the column of its kind; exactly one is set."""

    text: str = ""
    number: Decimal | None = None
    date: date | None = None
    flag: bool | None = None
    ref_id: int | None = None  # a CI or a person, by the attribute's kind

    def as_text(self) -> str:
        """The value as history and exports keep it (references by id; the services name them)."""
        if self.number is not None:
            return format(self.number.normalize(), "f")
        if self.date is not None:
            return self.date.isoformat()
        if self.flag is not None:
            return "true" if self.flag else "false"
        if self.ref_id is not None:
            return str(self.ref_id)
        return self.text


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clean(kind: str, raw: Any, *, choices: Sequence[str] = ()) -> Cleaned:
    """The value `raw` of an attribute of `kind`, or `Invalid`. Empty values are the caller's
    business (`is_empty`): an empty value removes the attribute from the CI."""
    if kind in (TEXT, CHOICE):
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise Invalid(_("Enter text."))
        text = str(raw).strip()
        if len(text) > TEXT_LIMIT:
            raise Invalid(_("At most %(limit)d characters.") % {"limit": TEXT_LIMIT})
        if kind == CHOICE and text not in choices:
            raise Invalid(_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
        return Cleaned(text=text)
    if kind == NUMBER:
        return Cleaned(number=_number(raw))
    if kind == DATE:
        return Cleaned(date=_date(raw))
    if kind == BOOLEAN:
        return Cleaned(flag=_flag(raw))
    if kind in (CI, PERSON):
        return Cleaned(ref_id=_id(raw))
    raise Invalid(_("Unknown kind of value."))


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise Invalid(_("Enter a number."))
    text = str(raw).strip().replace(" ", "")
    if isinstance(raw, str) and "," in text:  # Dutch notation: 1.234,5
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Invalid(_("Enter a number.")) from None
    if not value.is_finite() or abs(value) >= NUMBER_LIMIT:
        raise Invalid(_("Enter a number.")) from None
    return value.quantize(Decimal("0.000001")).normalize()


def _date(raw: Any) -> date:
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        raise Invalid(_("Enter a date (yyyy-mm-dd)."))
    text = raw.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parts = text.replace("/", "-").split("-")  # Dutch notation: 31-12-2026
    if len(parts) == 3 and len(parts[2]) == 4:
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            pass
    raise Invalid(_("Enter a date (yyyy-mm-dd)."))


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise Invalid(_("Enter yes or no."))


def _id(raw: Any) -> int:
    if isinstance(raw, bool):
        raise Invalid(_("Choose an existing item."))
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise Invalid(_("Choose an existing item.")) from None
    if not 0 < value < 2**63:
        raise Invalid(_("Choose an existing item."))
    return value


def clean_choices(raw: Any) -> list[str]:
    """The values of a choice attribute: a list of strings or text with one per line; no empty
    values, no duplicates, at most 200."""
    items = raw.splitlines() if isinstance(raw, str) else list(raw or [])
    values: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise Invalid(_("Enter the values as text."))
        text = item.strip()
        if not text:
            continue
        if len(text) > TEXT_LIMIT:
            raise Invalid(_("At most %(limit)d characters.") % {"limit": TEXT_LIMIT})
        if text in values:
            raise Invalid(_("%(value)s is listed twice.") % {"value": text})
        values.append(text)
    if len(values) > 200:
        raise Invalid(_("At most 200 values."))
    return values
