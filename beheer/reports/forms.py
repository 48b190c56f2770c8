"""Report filter and schedule forms: shape only; kpis.parse_filter and the services check the rules."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import Department, OperatorGroup
from beheer.core.forms import CleanForm
from beheer.servicedesk.models import Category, Priority

from .kpis import ReportFilter, parse_filter
from .models import Frequency, ReportFormat

PRESETS = [
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_quarter", _("This quarter")),
    ("last_quarter", _("Last quarter")),
    ("custom", _("Custom period")),
]


def preset_period(preset: str, today: date) -> tuple[date, date] | None:
    first = today.replace(day=1)
    if preset == "this_month":
        return first, today
    if preset == "last_month":
        end = first - timedelta(days=1)
        return end.replace(day=1), end
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if preset == "this_quarter":
        return quarter_start, today
    if preset == "last_quarter":
        end = quarter_start - timedelta(days=1)
        return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
    return None


class DimensionFields(CleanForm):
    operator_group = forms.ModelChoiceField(
        OperatorGroup.objects.filter(active=True).order_by("name"),
        required=False,
        label=_("Operator group"),
        empty_label=_("All groups"),
    )
    category = forms.ModelChoiceField(
        Category.objects.filter(parent__isnull=True, active=True).order_by("order", "id"),
        required=False,
        label=_("Category"),
        empty_label=_("All categories"),
    )
    department = forms.ModelChoiceField(
        Department.objects.order_by("name"),
        required=False,
        label=_("Caller department"),
        empty_label=_("All departments"),
    )
    priority = forms.ModelChoiceField(
        Priority.objects.filter(active=True).order_by("level"),
        required=False,
        label=_("Priority"),
        empty_label=_("All priorities"),
    )

    def dimension_values(self) -> dict[str, int | None]:
        data = self.cleaned_data
        return {name: (data[name].pk if data.get(name) else None) for name in DIMENSIONS}


DIMENSIONS = ("operator_group", "category", "department", "priority")


class ReportFilterForm(DimensionFields):
    preset = forms.ChoiceField(choices=PRESETS, required=False, label=_("Period"))
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    field_order = ["preset", "date_from", "date_to", *DIMENSIONS]

    def report_filter(self, today: date) -> ReportFilter:
        """The chosen filter; DomainError (with field errors) when the period is not valid."""
        data: dict[str, Any] = self.cleaned_data
        preset = data.get("preset") or (
            "custom" if data.get("date_from") or data.get("date_to") else "this_month"
        )
        period = preset_period(preset, today)
        date_from, date_to = period if period else (data.get("date_from"), data.get("date_to"))
        return parse_filter({"date_from": date_from, "date_to": date_to, **self.dimension_values()})


class ScheduleForm(DimensionFields):
    name = forms.CharField(max_length=100, label=_("Name"))
    frequency = forms.ChoiceField(choices=Frequency.choices, label=_("Frequency"))
    file_format = forms.ChoiceField(
        choices=ReportFormat.choices, required=False, initial=ReportFormat.XLSX, label=_("Format")
    )
    email_file = forms.BooleanField(
        required=False,
        label=_("Attach the report to the e-mail"),
        help_text=_("Each report is announced to you by e-mail; with this, the file comes along."),
    )

    field_order = ["name", "frequency", "file_format", "email_file", *DIMENSIONS]

    def clean_file_format(self) -> str:
        return self.cleaned_data.get("file_format") or ReportFormat.XLSX
