"""Input shape of the service-level screens: SLA policies, OLA targets (the business calendars'
form is the calendars app's).

Shape only: the rules (positive targets, unique names) live in `services.sla_config`, which the API
calls too. Norms are entered in hours or
business days (`core.norms`) and handed to the services in minutes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import Branch, Department, OperatorGroup
from beheer.calendars.models import BusinessCalendar
from beheer.calendars.services import business_day_minutes
from beheer.core.forms import CleanForm
from beheer.core.norms import Norm, NormField, norm_for

from ..models import CallType, Category, OlaTarget, Priority, SlaPolicy
from ..services.sla_config import OlaData, PolicyData, TargetData

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
            day = business_day_minutes(policy.calendar)
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
        day = business_day_minutes(calendar) if calendar else None
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
            day = business_day_minutes(ola.calendar or _default_calendar())
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
            day = business_day_minutes(d.get("calendar") or _default_calendar())
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
