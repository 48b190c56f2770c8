"""Input shape of the service-level screens: business calendars, SLA policies, OLA targets.

Shape only: the rules (opening before closing, no overlapping periods, positive targets, unique
names) live in `services.sla_config`, which the API calls too. Norms are entered in hours or
business days (`core.norms`) and handed to the services in minutes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import Branch, Department, OperatorGroup
from beheer.core.forms import CleanForm
from beheer.core.norms import Norm, NormField, norm_for
from beheer.core.timezones import time_zone_choices

from .models import (
    WEEKDAYS,
    BusinessCalendar,
    CallType,
    Category,
    OlaTarget,
    Priority,
    SchoolRegion,
    SlaPolicy,
)
from .services import sla_config
from .services.sla_config import CalendarData, ClosingDate, OlaData, Period, PolicyData, TargetData

PERIODS_PER_DAY = 3
EXTRA_CLOSING_ROWS = 3
MAX_CLOSING_ROWS = sla_config.MAX_CLOSING_DAYS


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
        initial.setdefault("time_zone", sla_config.default_time_zone())
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


NORM_HELP = _("In hours (1.5 is an hour and a half) or in business days of the calendar.")


class PolicyForm(CleanForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    calendar = forms.ModelChoiceField(label=_("Business calendar"), queryset=BusinessCalendar.objects.none())
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=1_000_000,
        initial=100,
        help_text=_("Lower numbers are tried first."),
    )
    at_risk_percent = forms.IntegerField(
        label=_("At risk from (percentage of the target)"), min_value=1, max_value=99, initial=75
    )
    call_types = forms.ModelMultipleChoiceField(
        label=_("Call types"), required=False, queryset=CallType.objects.filter(active=True)
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), required=False, queryset=Category.objects.filter(active=True)
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"), required=False, queryset=Department.objects.all()
    )
    branches = forms.ModelMultipleChoiceField(
        label=_("Branches"), required=False, queryset=Branch.objects.all()
    )
    raise_priority_on_breach = forms.BooleanField(label=_("Raise the priority on breach"), required=False)
    escalate_on_breach = forms.BooleanField(label=_("Escalate to the second line on breach"), required=False)
    escalation_group = forms.ModelChoiceField(
        label=_("Second-line group for escalation"),
        required=False,
        queryset=OperatorGroup.objects.filter(active=True, is_second_line=True),
    )

    def __init__(self, *args: Any, policy: SlaPolicy | None = None, **kwargs: Any) -> None:
        initial = dict(kwargs.pop("initial", None) or {})
        self.priorities = list(Priority.objects.filter(active=True).order_by("level"))
        existing = {}
        if policy is not None:
            existing = {t.priority_id: t for t in policy.targets.all()}
            day = sla_config.business_day_minutes(policy.calendar)
            initial.update(
                name=policy.name,
                description=policy.description,
                calendar=policy.calendar_id,
                order=policy.order,
                at_risk_percent=policy.at_risk_percent,
                call_types=list(policy.call_types.all()),
                categories=list(policy.categories.all()),
                departments=list(policy.departments.all()),
                branches=list(policy.branches.all()),
                raise_priority_on_breach=policy.raise_priority_on_breach,
                escalate_on_breach=policy.escalate_on_breach,
                escalation_group=policy.escalation_group_id,
            )
            known = {p.pk for p in self.priorities}
            self.priorities += [t.priority for t in existing.values() if t.priority_id not in known]
            for pid, t in existing.items():
                initial[f"t{pid}_response"] = norm_for(t.response_minutes, day)
                initial[f"t{pid}_resolution"] = norm_for(t.resolution_minutes, day)
                initial[f"t{pid}_update"] = norm_for(t.update_minutes, day)
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        calendars = BusinessCalendar.objects.filter(active=True)
        if policy is not None:
            calendars = BusinessCalendar.objects.filter(active=True) | BusinessCalendar.objects.filter(
                pk=policy.calendar_id
            )
        self.fields["calendar"].queryset = calendars.order_by("name")  # type: ignore[attr-defined]
        for p in self.priorities:
            self.fields[f"t{p.pk}_response"] = NormField(label=_("Response within"), required=False)
            self.fields[f"t{p.pk}_resolution"] = NormField(label=_("Resolution within"), required=False)
            self.fields[f"t{p.pk}_update"] = NormField(label=_("Update the caller every"), required=False)

    def target_rows(self) -> list[tuple[Priority, Any, Any, Any]]:
        return [
            (p, self[f"t{p.pk}_response"], self[f"t{p.pk}_resolution"], self[f"t{p.pk}_update"])
            for p in self.priorities
        ]

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        calendar = d.get("calendar")
        day = sla_config.business_day_minutes(calendar) if calendar else None
        targets: list[TargetData] = []
        for p in self.priorities:
            norms: dict[str, Norm | None] = {
                part: d.get(f"t{p.pk}_{part}") for part in ("response", "resolution", "update")
            }
            if all(v is None for v in norms.values()):
                continue
            minutes: dict[str, int | None] = {}
            for part, norm in norms.items():
                try:
                    minutes[part] = norm.minutes(day) if norm is not None else None
                except ValueError:
                    self.add_error(f"t{p.pk}_{part}", _("This calendar has no business days: enter hours."))
                    minutes[part] = None
            if norms["resolution"] is None:
                self.add_error(
                    f"t{p.pk}_resolution", _("Enter the resolution target, or leave the row empty.")
                )
                continue
            if minutes["resolution"] is not None:
                targets.append(
                    TargetData(p.pk, minutes["resolution"], minutes["response"], minutes["update"])
                )
        self.targets = targets
        return d

    def to_data(self) -> PolicyData:
        d = self.cleaned_data
        group = d.get("escalation_group")
        return PolicyData(
            name=d["name"],
            description=d.get("description") or "",
            calendar_id=d["calendar"].pk,
            order=d["order"],
            at_risk_percent=d["at_risk_percent"],
            escalate_on_breach=d["escalate_on_breach"],
            raise_priority_on_breach=d["raise_priority_on_breach"],
            escalation_group_id=group.pk if group else None,
            call_type_ids=[x.pk for x in d["call_types"]],
            category_ids=[x.pk for x in d["categories"]],
            department_ids=[x.pk for x in d["departments"]],
            branch_ids=[x.pk for x in d["branches"]],
            targets=self.targets,
        )

    def place(self, field_errors: dict[str, str], message: str) -> None:
        placed = False
        for key, text in field_errors.items():
            target = key
            if key.startswith("target_"):
                parts = key.split("_")  # target_<pk>_<part>
                target = f"t{parts[1]}_{parts[2]}" if len(parts) == 3 else ""
            if target in self.fields:
                self.add_error(target, text)
            else:
                self.add_error(None, text)
            placed = True
        if not placed:
            self.add_error(None, message)


class OlaForm(CleanForm):
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"), queryset=OperatorGroup.objects.filter(active=True)
    )
    priority = forms.ModelChoiceField(
        label=_("Priority"),
        required=False,
        queryset=Priority.objects.filter(active=True).order_by("level"),
        empty_label=_("Every priority without a target of its own"),
    )
    norm = NormField(label=_("May stay with the group for"), help_text=NORM_HELP)
    calendar = forms.ModelChoiceField(
        label=_("Business calendar"),
        required=False,
        queryset=BusinessCalendar.objects.filter(active=True).order_by("name"),
        empty_label=_("The calendar of the call's SLA policy"),
    )
    at_risk_percent = forms.IntegerField(
        label=_("At risk from (percentage of the target)"), min_value=1, max_value=99, initial=75
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, ola: OlaTarget | None = None, **kwargs: Any) -> None:
        initial = dict(kwargs.pop("initial", None) or {})
        if ola is not None:
            day = sla_config.business_day_minutes(ola.calendar or _default_calendar())
            initial.update(
                operator_group=ola.operator_group_id,
                priority=ola.priority_id,
                norm=norm_for(ola.minutes, day),
                calendar=ola.calendar_id,
                at_risk_percent=ola.at_risk_percent,
                active=ola.active,
            )
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        norm = d.get("norm")
        self.minutes = 0
        if norm is not None:
            day = sla_config.business_day_minutes(d.get("calendar") or _default_calendar())
            try:
                self.minutes = norm.minutes(day)
            except ValueError:
                self.add_error("norm", _("This calendar has no business days: enter hours."))
        return d

    def to_data(self) -> OlaData:
        d = self.cleaned_data
        return OlaData(
            operator_group_id=d["operator_group"].pk,
            priority_id=d["priority"].pk if d.get("priority") else None,
            minutes=self.minutes,
            calendar_id=d["calendar"].pk if d.get("calendar") else None,
            at_risk_percent=d["at_risk_percent"],
            active=d["active"],
        )

    def place(self, field_errors: dict[str, str], message: str) -> None:
        placed = False
        for key, text in field_errors.items():
            target = "norm" if key == "minutes" else key
            self.add_error(target if target in self.fields else None, text)
            placed = True
        if not placed:
            self.add_error(None, message)


def _default_calendar() -> BusinessCalendar | None:
    """Business days of an OLA without a calendar count in the first active policy's calendar."""
    policy = SlaPolicy.objects.active().select_related("calendar").order_by("order", "name", "pk").first()
    return policy.calendar if policy else None
