"""A norm entered in hours or (business) days and stored in minutes: the form field and its widget.

People think of a service norm as "4 hours" or "2 business days", never as 1080 minutes. The field
returns a :class:`Norm` (amount and unit); the form converts it with the length of a business day of
the calendar that counts it (`Norm.minutes(day_minutes)`), because a business day of an office
calendar is 9 hours and one of a 24x7 calendar is 24.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HOURS, DAYS = "hours", "days"
UNITS = [(HOURS, _("hours")), (DAYS, _("business days"))]
CALENDAR_UNITS = [(HOURS, _("hours")), (DAYS, _("days"))]  # a day of 24 hours


@dataclass(frozen=True)
class Norm:
    amount: Decimal
    unit: str

    def minutes(self, day_minutes: int | None) -> int:
        """Whole minutes; ValueError for days when the calendar has no business days."""
        if self.unit == DAYS:
            if not day_minutes:
                raise ValueError("no business day length")
            value = self.amount * day_minutes
        else:
            value = self.amount * 60
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def norm_for(minutes: int | None, day_minutes: int | None) -> Norm | None:
    """How stored minutes are shown: whole business days when they are, otherwise hours."""
    if minutes is None:
        return None
    if day_minutes and minutes >= day_minutes and minutes % day_minutes == 0:
        return Norm(Decimal(minutes // day_minutes), DAYS)
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return Norm(hours, HOURS)


def _plain(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


class NormWidget(forms.MultiWidget):
    def __init__(
        self, attrs: dict[str, Any] | None = None, *, units: list[tuple[str, Any]] | None = None
    ) -> None:
        widgets = [
            forms.NumberInput(
                attrs={"min": "0", "step": "any", "inputmode": "decimal", "class": "norm-amount"}
            ),
            forms.Select(choices=units or UNITS, attrs={"class": "norm-unit"}),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, Norm):
            return [_plain(value.amount), value.unit]
        if isinstance(value, list | tuple) and len(value) == 2:
            return list(value)
        return [None, HOURS]


class NormField(forms.MultiValueField):
    """An amount and a unit (hours, business days); empty gives None. Zero or negative is refused."""

    def __init__(self, *, units: list[tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        fields = (
            forms.CharField(required=False, max_length=20),
            forms.ChoiceField(choices=units or UNITS, required=False),
        )
        kwargs.setdefault("require_all_fields", False)
        kwargs.setdefault("widget", NormWidget(units=units))
        super().__init__(fields, **kwargs)

    def compress(self, data_list: list[Any]) -> Norm | None:
        if not data_list or data_list[0] in (None, ""):
            return None
        raw = str(data_list[0]).strip().replace(",", ".")
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise ValidationError(_("Enter a number, for example 4 or 1.5."), code="invalid") from None
        if not amount.is_finite() or amount <= 0:
            raise ValidationError(_("A target must be more than zero."), code="min_value")
        if amount > 10_000:
            raise ValidationError(_("That is too long."), code="max_value")
        unit = data_list[1] if len(data_list) > 1 and data_list[1] in (HOURS, DAYS) else HOURS
        return Norm(amount, unit)
