"""The maintenance window form: shape only, the services (create_window, update_window) check every
rule and report per field; `start` errors land on the date field.

The recurrence is the shared builder (`core.recurrence_field`) with a "next dates" preview, the
duration is entered in hours or days, the time zone defaults to the installation's."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from beheer.cmdb.models import ConfigurationItem
from beheer.core.errors import DomainError
from beheer.core.forms import CleanForm
from beheer.core.norms import CALENDAR_UNITS, Norm, NormField, norm_for
from beheer.core.recurrence_field import RecurrenceField
from beheer.core.timezones import installation_time_zone

from ..models import Check, MaintenanceWindow
from ..services import WindowData
from ..services.windows import time_zone_names
from .checks import find_ci

# service field -> form field
FIELD_FOR = {"start": "start_date", "duration_minutes": "duration"}
DAY = 24 * 60


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(time_zone_names())]


class WindowForm(CleanForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
        help_text=_("For example: Patch night, or Replacing web01."),
    )
    start_date = forms.DateField(
        label=_("First date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("The date, the time and the recurrence are local time in this time zone."),
    )
    duration = NormField(
        label=_("Duration"),
        units=CALENDAR_UNITS,
        initial=Norm(Decimal(2), "hours"),
        help_text=_("In hours (1.5 is an hour and a half) or days; at most 31 days."),
    )
    rule = RecurrenceField(label=_("Recurrence"), preview_url=reverse_lazy("monitoring:window-preview"))
    checks = forms.ModelMultipleChoiceField(
        label=_("Checks"),
        queryset=Check.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose more than one."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=200,
        required=False,
        help_text=_("Comma-separated: every check with one of these tags is in maintenance."),
    )
    hosts = forms.CharField(
        label=_("Hosts"),
        max_length=500,
        required=False,
        help_text=_("Comma-separated: every check whose host is one of these is in maintenance."),
    )
    cis = forms.CharField(
        label=_("Configuration items"),
        max_length=2000,
        required=False,
        help_text=_(
            "Comma-separated numbers or exact names: every check on one of these configuration items "
            "is in maintenance."
        ),
    )
    include_dependants = forms.BooleanField(
        label=_("Include what rests on them"),
        required=False,
        help_text=_("Also the checks of every configuration item that rests on these."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self, *args: Any, checks: Any = None, user: Any = None, current_cis: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.current_cis = user, list(current_cis)
        if checks is not None:
            self.fields["checks"].queryset = checks  # type: ignore[attr-defined]
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]
        self.fields["time_zone"].initial = installation_time_zone()
        self.fields["duration"].required = True

    def clean_cis(self) -> list[ConfigurationItem]:
        found: list[ConfigurationItem] = []
        unknown: list[str] = []
        for part in (self.cleaned_data.get("cis") or "").split(","):
            if not part.strip():
                continue
            ci = find_ci(part, self.user, self.current_cis)
            if ci is None:
                unknown.append(part.strip())
            elif ci not in found:
                found.append(ci)
        if unknown:
            raise forms.ValidationError(
                _("No configuration item with this number or exact name: %(names)s.")
                % {"names": ", ".join(unknown[:10])}
            )
        return found

    def duration_minutes(self) -> int:
        norm = self.cleaned_data.get("duration")
        return norm.minutes(DAY) if norm is not None else 0

    def data_for_services(self) -> WindowData:
        d = self.cleaned_data
        return WindowData(
            name=d["name"],
            start=datetime.combine(d["start_date"], d["start_time"].replace(tzinfo=None)),
            duration_minutes=self.duration_minutes(),
            time_zone=d["time_zone"],
            rule=d["rule"] or "",
            checks=[c.pk for c in d["checks"]],
            tags=d["tags"] or "",
            hosts=d["hosts"] or "",
            active=d["active"],
            cis=[c.pk for c in d["cis"]],
            include_dependants=d["include_dependants"],
        )

    def place_errors(self, exc: DomainError) -> None:
        """The service's field errors on their fields; the message when no field shows one."""
        placed = False
        for key, message in exc.field_errors.items():
            name = FIELD_FOR.get(key, key)
            if name in self.fields:
                self.add_error(name, message)
                placed = True
            else:
                self.add_error(None, message)
                placed = True
        if not placed:
            self.add_error(None, exc.message)


def initial_for(window: MaintenanceWindow) -> dict[str, Any]:
    """The form's values for an existing window: the first start in its own time zone."""
    try:
        local = window.start.astimezone(ZoneInfo(window.time_zone))
    except Exception:
        local = window.start
    return {
        "version": window.version,
        "name": window.name,
        "start_date": local.date(),
        "start_time": local.time().replace(second=0, microsecond=0, tzinfo=None),
        "time_zone": window.time_zone,
        "duration": norm_for(window.duration_minutes, DAY),
        "rule": window.rule,
        "checks": list(window.checks.all()),
        "tags": window.tags,
        "hosts": window.hosts,
        "cis": ", ".join(c.name for c in window.cis.all()),
        "include_dependants": window.include_dependants,
        "active": window.active,
    }
