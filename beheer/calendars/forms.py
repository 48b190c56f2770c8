"""Input shape of the business-calendar screens: name, time zone, opening hours, closing days.

Shape only: the rules (opening before closing, no overlapping periods, unique names) live in
`services`, which the API calls too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import CleanForm
from beheer.core.timezones import time_zone_choices

from . import services
from .models import WEEKDAYS, BusinessCalendar, SchoolRegion
from .services import CalendarData, ClosingDate, Period

PERIODS_PER_DAY = 3
EXTRA_CLOSING_ROWS = 3
MAX_CLOSING_ROWS = services.MAX_CLOSING_DAYS


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CalendarForm(CleanForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    always_open = forms.BooleanField(
        label=_("24x7"),
        required=False,
        help_text=_("Every hour counts; opening hours and holidays are ignored."),
    )
    public_holidays = forms.BooleanField(
        label=_("Closed on Dutch public holidays"), required=False, initial=True
    )
    liberation_day_every_year = forms.BooleanField(
        label=_("Liberation Day every year"),
        required=False,
        help_text=_("Closed on 5 May every year instead of only every fifth year (2025, 2030, ...)."),
    )
    school_holidays_region = forms.ChoiceField(
        label=_("Closed in the school holidays of"), choices=SchoolRegion.choices, required=False
    )
    closing_rows = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_CLOSING_ROWS)

    def __init__(self, *args: Any, calendar: BusinessCalendar | None = None, **kwargs: Any) -> None:
        initial = dict(kwargs.pop("initial", None) or {})
        days: list[tuple[date, str]] = []
        if calendar is not None:
            initial.update(
                name=calendar.name,
                time_zone=calendar.time_zone,
                always_open=calendar.always_open,
                public_holidays=calendar.public_holidays,
                liberation_day_every_year=calendar.liberation_day_every_year,
                school_holidays_region=calendar.school_holidays_region,
            )
            slots: dict[int, int] = {}
            for row in calendar.opening_hours.order_by("weekday", "start"):
                slot = slots.get(row.weekday, 0)
                if slot < PERIODS_PER_DAY:
                    initial[f"h{row.weekday}_{slot}_start"] = row.start
                    initial[f"h{row.weekday}_{slot}_end"] = row.end
                slots[row.weekday] = slot + 1
            days = [(d.date, d.name) for d in calendar.closing_days.order_by("date")]
        initial.setdefault("time_zone", services.default_time_zone())
        data = args[0] if args else kwargs.get("data")
        rows = len(days) + EXTRA_CLOSING_ROWS
        if data is not None:
            try:
                rows = int(data.get("closing_rows", rows))
            except (TypeError, ValueError):
                rows = EXTRA_CLOSING_ROWS
            rows = max(0, min(rows, MAX_CLOSING_ROWS))
        initial["closing_rows"] = rows
        for i, (day, reason) in enumerate(days):
            initial[f"closing_{i}_date"], initial[f"closing_{i}_name"] = day, reason
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]
        for weekday, _label in WEEKDAYS:
            for slot in range(PERIODS_PER_DAY):
                for part in ("start", "end"):
                    self.fields[f"h{weekday}_{slot}_{part}"] = forms.TimeField(
                        required=False,
                        widget=_time_input(),
                        label=_("from") if part == "start" else _("until"),
                    )
        self.closing_count = rows
        for i in range(rows):
            self.fields[f"closing_{i}_date"] = forms.DateField(
                label=_("Date"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
            self.fields[f"closing_{i}_name"] = forms.CharField(
                label=_("Reason"), required=False, max_length=100
            )

    def weekday_rows(self) -> list[tuple[str, int, list[tuple[Any, Any]]]]:
        return [
            (
                str(label),
                weekday,
                [
                    (self[f"h{weekday}_{s}_start"], self[f"h{weekday}_{s}_end"])
                    for s in range(PERIODS_PER_DAY)
                ],
            )
            for weekday, label in WEEKDAYS
        ]

    def closing_rows_bound(self) -> list[tuple[Any, Any]]:
        return [(self[f"closing_{i}_date"], self[f"closing_{i}_name"]) for i in range(self.closing_count)]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        for weekday, _label in WEEKDAYS:
            for slot in range(PERIODS_PER_DAY):
                start, end = d.get(f"h{weekday}_{slot}_start"), d.get(f"h{weekday}_{slot}_end")
                if (start is None) != (end is None) and not self.has_error(f"h{weekday}_{slot}_start"):
                    self.add_error(
                        f"h{weekday}_{slot}_start", _("Enter both the opening and the closing time.")
                    )
        return d

    def to_data(self) -> CalendarData:
        d = self.cleaned_data
        hours = [
            Period(weekday, d[f"h{weekday}_{s}_start"], d[f"h{weekday}_{s}_end"])
            for weekday, _label in WEEKDAYS
            for s in range(PERIODS_PER_DAY)
            if d.get(f"h{weekday}_{s}_start") is not None and d.get(f"h{weekday}_{s}_end") is not None
        ]
        days = [
            ClosingDate(d[f"closing_{i}_date"], d.get(f"closing_{i}_name") or "")
            for i in range(self.closing_count)
            if d.get(f"closing_{i}_date")
        ]
        return CalendarData(
            name=d["name"],
            time_zone=d["time_zone"],
            always_open=d["always_open"],
            public_holidays=d["public_holidays"],
            liberation_day_every_year=d["liberation_day_every_year"],
            school_holidays_region=d.get("school_holidays_region") or "",
            hours=hours,
            closing_days=days,
        )

    def place(self, field_errors: dict[str, str], message: str) -> None:
        """A service error on the field it concerns (the first period of a weekday for hours)."""
        placed = False
        for key, text in field_errors.items():
            target = key
            if key.startswith("hours_"):
                target = f"h{key.removeprefix('hours_')}_0_start"
            if key in ("hours", "closing_days"):
                target = None  # type: ignore[assignment]
            if target and target in self.fields:
                self.add_error(target, text)
            else:
                self.add_error(None, text)
            placed = True
        if not placed:
            self.add_error(None, message)
