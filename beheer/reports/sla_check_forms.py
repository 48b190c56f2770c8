"""Input shape of the SLA check screen (shape only; `sla_check.build_proposal` checks the rules)."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup
from beheer.core.errors import DomainError
from beheer.core.forms import CleanForm
from beheer.servicedesk.models import WEEKDAYS, BusinessCalendar, CallType, Category, Priority

from . import sla_check

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
            self.fields[f"response_{p.pk}"] = forms.IntegerField(
                label=_("Response within (business minutes) for %(priority)s") % {"priority": p.name},
                required=False,
                min_value=1,
                max_value=sla_check.MAX_TARGET_MINUTES,
            )
            self.fields[f"resolution_{p.pk}"] = forms.IntegerField(
                label=_("Resolution within (business minutes) for %(priority)s") % {"priority": p.name},
                required=False,
                min_value=1,
                max_value=sla_check.MAX_TARGET_MINUTES,
            )

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
        """Prefill an unbound form from an existing SLA policy."""
        self.initial.update(
            calendar=defaults.calendar_id,
            at_risk_percent=defaults.at_risk_percent,
            categories=defaults.category_ids,
            call_types=defaults.call_type_ids,
        )
        for priority_id, (response, resolution) in defaults.targets.items():
            self.initial[f"response_{priority_id}"] = response
            self.initial[f"resolution_{priority_id}"] = resolution

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
        targets = [
            sla_check.TargetInput(p.pk, data.get(f"response_{p.pk}"), data.get(f"resolution_{p.pk}"))
            for p in self.priorities
            if data.get(f"response_{p.pk}") is not None or data.get(f"resolution_{p.pk}") is not None
        ]
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
