"""Input shape of the risks and classification screens: a CI's classification, the list filters,
a risk and the risk matrix settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.forms import PersonChoiceField, operators
from beheer.cmdb.models import ConfigurationItem
from beheer.core.forms import BeheerForm, DateInput, parse_id

from .models import LEVELS, Axis, Band, CiaLevel, Control, RiskStatus, Treatment
from .services.risks.queries import Scope

LEVEL_CHOICES = [(n, str(n)) for n in LEVELS]


class IdsField(forms.ModelMultipleChoiceField):
    """Rows by their ids; a value that is no id (past 64 bits) is invalid, not a 500."""

    def __init__(self, *args: Any, label_from: Any = str, **kwargs: Any) -> None:
        self.label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return str(self.label_from(obj))

    def clean(self, value: Any) -> Any:
        wrong = [v for v in value or [] if parse_id(v) is None]
        if wrong:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": wrong[0]}
            )
        return super().clean(value)


class IdField(forms.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if parse_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class PersonField(IdField, PersonChoiceField):
    pass


class ClassificationFilterForm(BeheerForm):
    scope = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (Scope.MAIN, _("Services and applications")),
            (Scope.SERVICES, _("Services")),
            (Scope.APPLICATIONS, _("Applications")),
            (Scope.ALL, _("All CIs in use")),
        ],
    )
    state = forms.ChoiceField(
        label=_("Classification"),
        required=False,
        choices=[("", _("All")), ("classified", _("Classified")), ("unclassified", _("Not classified"))],
    )
    q = forms.CharField(label=_("Name"), required=False, max_length=200)


class ClassificationForm(BeheerForm):
    availability = forms.TypedChoiceField(label=_("Availability"), choices=CiaLevel.choices, coerce=int)
    integrity = forms.TypedChoiceField(label=_("Integrity"), choices=CiaLevel.choices, coerce=int)
    confidentiality = forms.TypedChoiceField(label=_("Confidentiality"), choices=CiaLevel.choices, coerce=int)
    justification = forms.CharField(
        label=_("Justification"), required=False, max_length=5000, widget=forms.Textarea
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


class VersionForm(BeheerForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


class RiskFilterForm(BeheerForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("current", _("Not closed")), *RiskStatus.choices],
    )
    band = forms.ChoiceField(
        label=_("Inherent risk"), required=False, choices=[("", _("All")), *Band.choices]
    )
    owner = PersonField(label=_("Owner"), queryset=operators(), required=False)
    overdue = forms.BooleanField(label=_("Overdue for review"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)


def risk_cis() -> Any:
    return ConfigurationItem.objects.in_use().order_by("name", "id")


def risk_controls() -> Any:
    return Control.objects.active().select_related("catalogue").order_by("catalogue__code", "sort_key", "id")


class RiskForm(BeheerForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    threat = forms.CharField(label=_("Threat"), required=False, max_length=10_000, widget=forms.Textarea)
    vulnerability = forms.CharField(
        label=_("Vulnerability"), required=False, max_length=10_000, widget=forms.Textarea
    )
    cis = IdsField(
        label=_("Services and CIs"),
        queryset=ConfigurationItem.objects.none(),
        required=False,
        label_from=lambda c: c.name,
    )
    likelihood = forms.TypedChoiceField(label=_("Likelihood"), choices=LEVEL_CHOICES, coerce=int)
    impact = forms.TypedChoiceField(label=_("Impact"), choices=LEVEL_CHOICES, coerce=int)
    treatment = forms.ChoiceField(
        label=_("Treatment"), required=False, choices=[("", "—"), *Treatment.choices]
    )
    treatment_plan = forms.CharField(
        label=_("Treatment plan"), required=False, max_length=10_000, widget=forms.Textarea
    )
    controls = IdsField(label=_("Controls"), queryset=Control.objects.none(), required=False)
    residual_likelihood = forms.TypedChoiceField(
        label=_("Residual likelihood"),
        required=False,
        choices=[("", "—"), *LEVEL_CHOICES],
        coerce=int,
        empty_value=None,
    )
    residual_impact = forms.TypedChoiceField(
        label=_("Residual impact"),
        required=False,
        choices=[("", "—"), *LEVEL_CHOICES],
        coerce=int,
        empty_value=None,
    )
    owner = PersonField(label=_("Owner"), queryset=operators(), required=False)
    review_date = forms.DateField(label=_("Review date"), required=False, widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=RiskStatus.choices)
    acceptance_reason = forms.CharField(
        label=_("Reason for acceptance"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea,
        help_text=_("Required to accept a high or critical risk."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("cis", risk_cis())
        self.set_queryset("controls", risk_controls())


class MatrixForm(BeheerForm):
    """The bands and the names of the ten levels (fields `likelihood_3_nl`, ...)."""

    medium_from = forms.IntegerField(label=_("Medium from score"), min_value=1, max_value=25)
    high_from = forms.IntegerField(label=_("High from score"), min_value=1, max_value=25)
    critical_from = forms.IntegerField(label=_("Critical from score"), min_value=1, max_value=25)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for axis in Axis:
            for value in LEVELS:
                for lang, label in (("nl", _("Dutch")), ("en", _("English"))):
                    self.fields[f"{axis.value}_{value}_{lang}"] = forms.CharField(
                        label=f"{axis.label} {value} ({label})", max_length=80
                    )

    def names(self) -> dict[tuple[str, int], tuple[str, str]]:
        data = self.cleaned_data
        return {
            (axis.value, value): (data[f"{axis.value}_{value}_nl"], data[f"{axis.value}_{value}_en"])
            for axis in Axis
            for value in LEVELS
        }
