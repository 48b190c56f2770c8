"""Small checks shared by the licence and contract services."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

MAX_REMIND_DAYS = 365


def text(value: str | None, name: str, errors: dict[str, str], *, limit: int, required: bool = False) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        errors[name] = _("Required.")
    elif len(cleaned) > limit:
        errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    return cleaned


def amount(value: Any, name: str, errors: dict[str, str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        cost = Decimal(value)
        if not cost.is_finite() or cost < 0 or cost >= Decimal("1e10"):
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors[name] = _("Enter an amount from 0 up to 10 billion.")
        return None
    return cost.quantize(Decimal("0.01"))


def days(value: Any, name: str, errors: dict[str, str], *, limit: int = MAX_REMIND_DAYS) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
        errors[name] = _("Enter a number of days from 0 up to %(limit)d.") % {"limit": limit}
        return 0
    return value
