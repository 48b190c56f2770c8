"""Input shape of the operations screens; the rules live in the services.

The series form uses the shared recurrence builder (`core.recurrence_field`, the same one as the
maintenance windows) with a "next dates" preview; an existing rule it cannot express is kept and
described in words.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count
from django.db.models.functions import Lower
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import ConfigurationItem
from beheer.core.errors import DomainError
from beheer.core.forms import CleanForm, parse_id
from beheer.core.recurrence_field import RecurrenceField
from beheer.core.timezones import installation_time_zone, time_zone_choices

from . import services
from .models import ActivityKind, ActivitySeries, OccurrenceStatus
from .queries import SCOPES


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def ci_references(series: ActivitySeries) -> str:
    """The series' CIs as the form takes them: each by its name, or by its number when another CI
    has the same name (two queries)."""
    cis = list(series.cis.order_by("name", "pk"))
    if not cis:
        return ""
    names = {ci.name.lower() for ci in cis}
    shared = {
        row["lname"]
        for row in ConfigurationItem.objects.annotate(lname=Lower("name"))
        .filter(lname__in=names)
        .values("lname")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    }
    return ", ".join(
        str(ci.pk)
        if ci.name.lower() in shared or "," in ci.name or parse_id(ci.name.removeprefix("#")) is not None
        else ci.name
        for ci in cis
    )


class RecurrenceForm(CleanForm):
    """The recurrence part, also used alone by the preview: the shared builder, the first date and
    time, the time zone (the installation's by default)."""

    rule = RecurrenceField(label=_("Recurrence"), preview_url=reverse_lazy("operations-preview"))
    start_date = forms.DateField(
        label=_("First date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    time_zone = forms.ChoiceField(label=_("Time zone"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]
        self.fields["time_zone"].initial = installation_time_zone()

    def built_rule(self) -> str:
        """The RRULE the builder describes (call after is_valid)."""
        return str(self.cleaned_data.get("rule") or "")


class SeriesForm(RecurrenceForm):
    field_order = [
        "version",
        "name",
        "kind",
        "description",
        "checklist",
        "rule",
        "start_date",
        "start_time",
        "time_zone",
        "lead_days",
        "grace_hours",
        "remind_hours",
        "operator_group",
        "assignee",
        "cis",
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
    cis = forms.CharField(
        label=_("Configuration items"),
        required=False,
        max_length=20_000,
        help_text=_("The configuration items this concerns, by number or exact name, separated by commas."),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_cis(self) -> list[ConfigurationItem]:
        """The CIs typed, each by its number or exact name; the unknown ones named in the error."""
        try:
            return services.cis_by_references(self.cleaned_data.get("cis") or "", actor=self.user)
        except DomainError as exc:
            raise forms.ValidationError(exc.field_errors.get("cis") or exc.message) from exc

    @staticmethod
    def initial_for(series: ActivitySeries) -> dict[str, Any]:
        return {
            "version": series.version,
            "name": series.name,
            "kind": series.kind,
            "description": series.description,
            "checklist": "\n".join(series.checklist),
            "rule": series.rule,
            "start_date": series.start_date,
            "start_time": series.start_time,
            "time_zone": series.time_zone,
            "lead_days": series.lead_days,
            "grace_hours": series.grace_hours,
            "remind_hours": series.remind_hours,
            "operator_group": series.operator_group_id,
            "assignee": series.assignee_id,
            "cis": ci_references(series),
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
        label=_("Time spent (minutes)"),
        min_value=0,
        max_value=24 * 60,
        required=False,
        help_text=_("Added to the time already recorded when you save, finish or skip."),
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
    """Time spent after the activity was finished (while it is open, the checklist form has it)."""

    minutes = forms.IntegerField(
        label=_("Time spent (minutes)"),
        min_value=1,
        max_value=24 * 60,
        help_text=_("Added to the time already recorded."),
    )


class EvidenceForm(CleanForm):
    file = forms.FileField(label=_("File"))
