"""Input shape of the operations screens; the rules live in the services.

The series form has a recurrence helper: a frequency picker (daily, weekly on chosen days, monthly,
yearly, with an interval) that produces the RRULE, or a free RRULE for experts.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core.forms import CleanForm

from .models import ActivityKind, ActivitySeries, OccurrenceStatus
from .queries import SCOPES

WEEKDAYS = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]
FREQUENCIES = [
    ("DAILY", _("Daily")),
    ("WEEKLY", _("Weekly")),
    ("MONTHLY", _("Monthly")),
    ("YEARLY", _("Yearly")),
    ("custom", _("Custom rule (RRULE)")),
]
TIME_ZONES = [
    ("Europe/Amsterdam", "Europe/Amsterdam"),
    ("Europe/Brussels", "Europe/Brussels"),
    ("UTC", "UTC"),
]
_SIMPLE = re.compile(
    r"^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(;INTERVAL=(\d{1,2}))?(;BYDAY=((MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*))?"
    r"(;BYMONTHDAY=(\d{1,2}))?$"
)


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def picker_initial(rule: str) -> dict[str, Any]:
    """The picker's fields for a simple rule; the free rule for anything else."""
    match = _SIMPLE.match(rule.upper())
    if not match:
        return {"frequency": "custom", "rule": rule}
    return {
        "frequency": match.group(1),
        "interval": int(match.group(3) or 1),
        "weekdays": match.group(5).split(",") if match.group(5) else [],
        "month_day": int(match.group(10)) if match.group(10) else None,
        "rule": rule,
    }


class RecurrenceForm(CleanForm):
    """The recurrence part, also used alone by the preview."""

    frequency = forms.ChoiceField(label=_("Repeats"), choices=FREQUENCIES, initial="WEEKLY")
    interval = forms.IntegerField(label=_("Every"), min_value=1, max_value=99, initial=1, required=False)
    weekdays = forms.MultipleChoiceField(
        label=_("On weekdays"), choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    month_day = forms.IntegerField(label=_("On day of the month"), min_value=1, max_value=31, required=False)
    rule = forms.CharField(
        label=_("RRULE"),
        required=False,
        max_length=500,
        help_text=_("For experts, with “Custom rule”: for example FREQ=MONTHLY;BYDAY=1MO"),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    start_date = forms.DateField(label=_("First date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONES, initial="Europe/Amsterdam")

    def built_rule(self) -> str:
        """The RRULE the picker describes (call after is_valid)."""
        d = self.cleaned_data
        if d.get("frequency") == "custom":
            return str(d.get("rule") or "")
        parts = [f"FREQ={d['frequency']}"]
        if (d.get("interval") or 1) > 1:
            parts.append(f"INTERVAL={d['interval']}")
        if d["frequency"] == "WEEKLY" and d.get("weekdays"):
            days = [code for code, _label in WEEKDAYS if code in d["weekdays"]]
            parts.append("BYDAY=" + ",".join(days))
        if d["frequency"] == "MONTHLY" and d.get("month_day"):
            parts.append(f"BYMONTHDAY={d['month_day']}")
        return ";".join(parts)


class SeriesForm(RecurrenceForm):
    field_order = [
        "version",
        "name",
        "kind",
        "description",
        "checklist",
        "frequency",
        "interval",
        "weekdays",
        "month_day",
        "rule",
        "start_date",
        "start_time",
        "time_zone",
        "lead_days",
        "grace_hours",
        "remind_hours",
        "operator_group",
        "assignee",
        "linked_objects",
    ]
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    checklist = forms.CharField(
        label=_("Checklist"),
        required=False,
        max_length=20_000,
        help_text=_("One item per line, in order."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    lead_days = forms.IntegerField(label=_("Create ahead (days)"), min_value=1, max_value=366, initial=30)
    grace_hours = forms.IntegerField(
        label=_("Due after (hours)"),
        min_value=1,
        max_value=24 * 366,
        initial=24,
        help_text=_("An occurrence is overdue this long after its planned time."),
    )
    remind_hours = forms.IntegerField(
        label=_("Remind before (hours)"),
        min_value=0,
        max_value=24 * 366,
        initial=0,
        required=False,
        help_text=_(
            "The assignee (or the operator group) is e-mailed this long before the planned time; "
            "0 or empty: at the planned time."
        ),
    )
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"), required=False, queryset=OperatorGroup.objects.active()
    )
    assignee = forms.ModelChoiceField(label=_("Assignee"), required=False, queryset=User.objects.operators())
    linked_objects = forms.CharField(
        label=_("Objects"),
        required=False,
        max_length=20_000,
        help_text=_("Hosts and other objects this concerns, one per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        preview = {
            "hx-post": reverse_lazy("operations-preview"),
            "hx-trigger": "change",
            "hx-target": "#rule-preview",
            "hx-include": "#series-form",
        }
        for name in ("frequency", "interval", "month_day", "rule", "start_date", "start_time", "time_zone"):
            self.fields[name].widget.attrs.update(preview)
        self.fields["weekdays"].widget.attrs.update(preview)

    @staticmethod
    def initial_for(series: ActivitySeries) -> dict[str, Any]:
        return {
            "version": series.version,
            "name": series.name,
            "kind": series.kind,
            "description": series.description,
            "checklist": "\n".join(series.checklist),
            **picker_initial(series.rule),
            "start_date": series.start_date,
            "start_time": series.start_time,
            "time_zone": series.time_zone,
            "lead_days": series.lead_days,
            "grace_hours": series.grace_hours,
            "remind_hours": series.remind_hours,
            "operator_group": series.operator_group_id,
            "assignee": series.assignee_id,
            "linked_objects": "\n".join(series.linked_objects),
        }


class OccurrenceFilterForm(CleanForm):
    scope = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=list(
            zip(
                SCOPES, [_("Assigned to me"), _("My operator groups"), _("Everything I can see")], strict=True
            )
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *OccurrenceStatus.choices]
    )
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"), required=False, queryset=OperatorGroup.objects.active()
    )
    assignee = forms.ModelChoiceField(label=_("Assignee"), required=False, queryset=User.objects.operators())
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    series = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class OccurrenceForm(CleanForm):
    """The checklist with a remark per item, the remark or reason and the time spent."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Remark or reason"),
        required=False,
        max_length=4000,
        help_text=_("Required when you skip the activity or report an anomaly."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minutes = forms.IntegerField(
        label=_("Time spent (minutes)"), min_value=0, max_value=24 * 60, required=False
    )

    def __init__(self, *args: Any, items: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for i, item in enumerate(items):
            self.fields[f"done_{i}"] = forms.BooleanField(
                label=str(item.get("item", "")), required=False, initial=bool(item.get("done"))
            )
            self.fields[f"remark_{i}"] = forms.CharField(
                label=_("Remark"), required=False, max_length=500, initial=str(item.get("remark", ""))
            )

    def item_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"done_{i}"], self[f"remark_{i}"]) for i in range(len(self.items))]

    def answers(self) -> list[tuple[bool, str]]:
        return [
            (bool(self.cleaned_data.get(f"done_{i}")), self.cleaned_data.get(f"remark_{i}") or "")
            for i in range(len(self.items))
        ]


class TimeForm(CleanForm):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)


class EvidenceForm(CleanForm):
    file = forms.FileField(label=_("File"))
