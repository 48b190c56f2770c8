"""The reports' forms, shape only.

Report filter and schedule forms: kpis.parse_filter and the services check the rules.

The SLA check's proposal form: `sla_check.build_proposal` checks the rules. Targets are entered as
everywhere else, in hours or business days (`core.norms`), and handed to the check in business
minutes: a business day counts as long as one of the chosen calendar (a 24x7 calendar's day is 24
hours, office hours 08:00-17:00 make 9).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import Department, OperatorGroup
from beheer.calendars.models import WEEKDAYS, BusinessCalendar
from beheer.calendars.services import business_day_minutes
from beheer.core.errors import DomainError
from beheer.core.forms import CleanForm
from beheer.core.norms import Norm, NormField, norm_for
from beheer.servicedesk.models import CallType, Category, Priority

from . import sla_check
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


# --------------------------------------------------------------------------------------------------
# the SLA check


CONDITION_FIELDS = {
    "operator_group_ids": "operator_groups",
    "category_ids": "categories",
    "call_type_ids": "call_types",
}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class SlaCheckForm(CleanForm):
    calendar = forms.ModelChoiceField(
        label=_("Business calendar"),
        queryset=BusinessCalendar.objects.none(),
        required=False,
        empty_label=_("Custom opening hours (below)"),
        help_text=_("An existing business calendar, or leave this empty and enter the hours below."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Open on"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    opens = forms.TimeField(label=_("From"), required=False, initial=time(8, 0), widget=TimeInput())
    closes = forms.TimeField(
        label=_("Until"),
        required=False,
        initial=time(17, 0),
        widget=TimeInput(),
        help_text=_("00:00 means midnight at the end of the day."),
    )
    always_open = forms.BooleanField(label=_("24x7 (every hour counts)"), required=False)
    public_holidays = forms.BooleanField(
        label=_("Closed on Dutch public holidays"), required=False, initial=True
    )
    at_risk_percent = forms.IntegerField(
        label=_("At risk from (percentage of the target)"),
        min_value=1,
        max_value=99,
        initial=sla_check.DEFAULT_AT_RISK_PERCENT,
    )
    weeks = forms.IntegerField(
        label=_("Weeks of calls to replay"),
        min_value=sla_check.MIN_WEEKS,
        max_value=sla_check.MAX_WEEKS,
        initial=sla_check.DEFAULT_WEEKS,
    )
    operator_groups = forms.ModelMultipleChoiceField(
        label=_("Operator groups"),
        queryset=OperatorGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for all."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for all."),
    )
    call_types = forms.ModelMultipleChoiceField(
        label=_("Call types"),
        queryset=CallType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for all."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self._set_queryset("calendar", BusinessCalendar.objects.filter(active=True))
        self._set_queryset("operator_groups", OperatorGroup.objects.active())
        self._set_queryset("categories", Category.objects.filter(active=True, parent__isnull=True))
        self._set_queryset("call_types", CallType.objects.filter(active=True))
        self.priorities = list(Priority.objects.filter(active=True).order_by("level"))
        for p in self.priorities:
            self.fields[f"response_{p.pk}"] = NormField(label=_("Response within"), required=False)
            self.fields[f"resolution_{p.pk}"] = NormField(label=_("Resolution within"), required=False)

    def _set_queryset(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    @property
    def target_rows(self) -> list[tuple[Priority, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"response_{p.pk}"], self[f"resolution_{p.pk}"]) for p in self.priorities]

    @property
    def weekday_fields(self) -> list[str]:
        return ["weekdays", "opens", "closes", "always_open", "public_holidays"]

    def apply_policy(self, defaults: sla_check.PolicyDefaults) -> None:
        """Prefill an unbound form from an existing SLA policy (its minutes shown in hours or in
        business days of its calendar)."""
        calendar = BusinessCalendar.objects.filter(pk=defaults.calendar_id).first()
        day = business_day_minutes(calendar)
        self.initial.update(
            calendar=defaults.calendar_id,
            at_risk_percent=defaults.at_risk_percent,
            categories=defaults.category_ids,
            call_types=defaults.call_type_ids,
        )
        for priority_id, (response, resolution) in defaults.targets.items():
            self.initial[f"response_{priority_id}"] = norm_for(response, day)
            self.initial[f"resolution_{priority_id}"] = norm_for(resolution, day)

    def proposal(self) -> sla_check.Proposal | None:
        """The checked proposal, or None with the problems put on the form."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        calendar = data.get("calendar")
        hours: list[sla_check.HoursInput] = []
        if calendar is None and not data.get("always_open"):
            opens, closes = data.get("opens"), data.get("closes")
            if opens is None or closes is None or not data.get("weekdays"):
                message = _("Choose the days and the opening hours, or choose a business calendar.")
                self.add_error("opens", message)
                return None
            hours = [sla_check.HoursInput(day, opens, closes) for day in data["weekdays"]]
        targets = self._targets(self._day_minutes(calendar, hours, bool(data.get("always_open"))))
        if targets is None:
            return None
        try:
            return sla_check.build_proposal(
                calendar_id=calendar.pk if calendar is not None else None,
                hours=hours,
                always_open=bool(data.get("always_open")) and calendar is None,
                public_holidays=bool(data.get("public_holidays")),
                targets=targets,
                at_risk_percent=data["at_risk_percent"],
                weeks=data["weeks"],
                operator_group_ids=[g.pk for g in data.get("operator_groups") or []],
                category_ids=[c.pk for c in data.get("categories") or []],
                call_type_ids=[c.pk for c in data.get("call_types") or []],
            )
        except DomainError as exc:
            self._place(exc, targets)
            return None

    @staticmethod
    def _day_minutes(
        calendar: BusinessCalendar | None, hours: list[sla_check.HoursInput], always_open: bool
    ) -> int | None:
        """How long a business day of the proposed calendar is, as the SLA screens count it."""
        if calendar is not None:
            return business_day_minutes(calendar)
        if always_open:
            return 24 * 60
        if not hours:
            return None
        h = hours[0]
        end = 24 * 60 if h.end == time(0) else h.end.hour * 60 + h.end.minute
        length = end - (h.start.hour * 60 + h.start.minute)
        return length if length > 0 else None

    def _targets(self, day: int | None) -> list[sla_check.TargetInput] | None:
        """The targets in business minutes, or None with the problems put on their fields."""
        targets: list[sla_check.TargetInput] = []
        ok = True
        for p in self.priorities:
            minutes: dict[str, int | None] = {}
            for kind in ("response", "resolution"):
                name = f"{kind}_{p.pk}"
                norm: Norm | None = self.cleaned_data.get(name)
                minutes[kind] = None
                if norm is None:
                    continue
                try:
                    value = norm.minutes(day)
                except ValueError:
                    self.add_error(name, _("This calendar has no business days: enter hours."))
                    ok = False
                    continue
                if value < 1:
                    self.add_error(name, _("A target must be more than zero."))
                    ok = False
                elif value > sla_check.MAX_TARGET_MINUTES:
                    self.add_error(name, _("That is too long."))
                    ok = False
                else:
                    minutes[kind] = value
            if minutes["response"] is not None or minutes["resolution"] is not None:
                targets.append(sla_check.TargetInput(p.pk, minutes["response"], minutes["resolution"]))
        return targets if ok else None

    def _place(self, exc: DomainError, targets: list[sla_check.TargetInput]) -> None:
        placed = False
        for key, message in exc.field_errors.items():
            name = {"calendar_id": "calendar", "hours": "opens", **CONDITION_FIELDS}.get(key, key)
            if key.startswith("targets."):
                _prefix, index, attr = [*key.split("."), "", ""][:3]
                if index.isdigit() and int(index) < len(targets):
                    kind = "response" if attr == "response_minutes" else "resolution"
                    name = f"{kind}_{targets[int(index)].priority_id}"
            if name in self.fields:
                self.add_error(name, message)
                placed = True
            else:
                self.add_error(None, message)
                placed = True
        if not placed:
            self.add_error(None, exc.message)
