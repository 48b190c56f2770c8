"""Input shape of the execution page: the log, deviations, documents and proposed CMDB updates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.cmdb.models import CiType, RelationKind
from beheer.core.forms import BeheerForm

from .models import ChangeActivity, CmdbUpdate, DeviationDecision

ATTRIBUTE_LINES_MAX = 50


class ActivityChoiceForm(BeheerForm):
    """A form with the change's activities to choose from (`activity`)."""

    activity_required = True

    def __init__(self, *args: Any, activities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("activity", activities if activities is not None else ChangeActivity.objects.none())
        self.fields["activity"].required = self.activity_required


class LogEntryForm(ActivityChoiceForm):
    activity_required = False

    text = forms.CharField(label=_("Entry"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    activity = forms.ModelChoiceField(
        label=_("Activity"), queryset=ChangeActivity.objects.none(), required=False, empty_label="—"
    )


class DeviationDecisionForm(BeheerForm):
    deviation = forms.CharField(
        label=_("Deviation"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What went otherwise than planned, and why."),
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=DeviationDecision.choices, widget=forms.RadioSelect
    )
    explanation = forms.CharField(
        label=_("Explanation"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DocumentForm(BeheerForm):
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ConfirmForm(BeheerForm):
    confirm = forms.BooleanField(label=_("Yes, I am sure"), required=True)


def parse_attribute_lines(text: str) -> dict[str, str] | None:
    """`code=value` per line -> {code: value}; None when a line has no `=`."""
    found: dict[str, str] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        code, sep, value = line.partition("=")
        if not sep or not code.strip():
            return None
        found[code.strip()] = value.strip()
    return found


class NewCiForm(ActivityChoiceForm):
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=ChangeActivity.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    ci_type = forms.ModelChoiceField(label=_("Type"), queryset=CiType.objects.none())
    attributes = forms.CharField(
        label=_("Attributes"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: code=value, e.g. firmware=7.0.23"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("ci_type", CiType.objects.filter(active=True).order_by("order", "id"))

    def clean_attributes(self) -> dict[str, str]:
        parsed = parse_attribute_lines(self.cleaned_data.get("attributes", ""))
        if parsed is None:
            raise forms.ValidationError(_("Write each attribute as code=value on a line of its own."))
        if len(parsed) > ATTRIBUTE_LINES_MAX:
            raise forms.ValidationError(_("At most %(limit)d attributes.") % {"limit": ATTRIBUTE_LINES_MAX})
        return parsed


class AttributeChangeForm(ActivityChoiceForm):
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=ChangeActivity.objects.none())
    ci = forms.CharField(label=_("Configuration item"), max_length=200, help_text=_("Its exact name."))
    field = forms.CharField(
        label=_("Field or attribute"),
        max_length=60,
        help_text=_("status, host_name, serial_number, ... or an attribute's code, e.g. firmware"),
    )
    value = forms.CharField(label=_("New value"), required=False, max_length=20_000)


class NewCiChoiceField(forms.ModelChoiceField):
    """A new CI proposed for the change, by its name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class RelationForm(ActivityChoiceForm):
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=ChangeActivity.objects.none())
    source = forms.CharField(
        label=_("From (existing CI)"), required=False, max_length=200, help_text=_("Its exact name.")
    )
    source_new = NewCiChoiceField(
        label=_("or from a new CI of this change"),
        queryset=CmdbUpdate.objects.none(),
        required=False,
        empty_label="—",
    )
    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    target = forms.CharField(
        label=_("To (existing CI)"), required=False, max_length=200, help_text=_("Its exact name.")
    )
    target_new = NewCiChoiceField(
        label=_("or to a new CI of this change"),
        queryset=CmdbUpdate.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args: Any, new_cis: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = new_cis if new_cis is not None else CmdbUpdate.objects.none()
        self.set_queryset("source_new", rows)
        self.set_queryset("target_new", rows)
