"""The forms of the security incident pages (shape only; the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import BeheerForm, DateInput, DateTimeLocalInput

from .models import IncidentStatus, ReportKind

TEXTAREA = {"rows": 3}


class DeclareForm(BeheerForm):
    aware_at = forms.DateTimeField(
        label=_("Aware since"),
        widget=DateTimeLocalInput(),
        help_text=_(
            "The moment the school became aware of the incident: the reporting deadlines count from it."
        ),
    )
    significant = forms.BooleanField(label=_("Significant incident (Cyberbeveiligingswet)"), required=False)
    breach = forms.BooleanField(label=_("Personal-data breach (AVG)"), required=False)
    confirm = forms.BooleanField(
        label=_(
            "I understand: after this only security officers and the people working on it see this call."
        ),
        required=True,
    )


class IncidentForm(BeheerForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Short description"), max_length=200)
    aware_at = forms.DateTimeField(label=_("Aware since"), widget=DateTimeLocalInput())
    status = forms.ChoiceField(label=_("Status"), choices=IncidentStatus.choices)
    significant = forms.BooleanField(label=_("Significant incident (Cyberbeveiligingswet)"), required=False)
    csirt_name = forms.CharField(label=_("CSIRT"), max_length=120, required=False)
    breach = forms.BooleanField(label=_("Personal-data breach (AVG)"), required=False)
    unlikely_risk = forms.BooleanField(
        label=_("Unlikely to pose a risk to the people concerned (no report to the AP)"), required=False
    )
    unlikely_risk_reason = forms.CharField(
        label=_("Why it is unlikely to pose a risk"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    high_risk = forms.BooleanField(
        label=_("High risk to the people concerned (they are told without undue delay)"), required=False
    )
    nature = forms.CharField(
        label=_("Nature of the breach"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    data_categories = forms.CharField(
        label=_("Categories of personal data"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    people_categories = forms.CharField(
        label=_("Categories of people concerned"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    people_count = forms.IntegerField(label=_("Approximate number of people"), required=False, min_value=0)
    records_count = forms.IntegerField(label=_("Approximate number of records"), required=False, min_value=0)
    consequences = forms.CharField(
        label=_("Likely consequences"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    measures = forms.CharField(
        label=_("Measures taken or proposed"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    contact = forms.CharField(label=_("Contact for more information"), max_length=300, required=False)


class ReportForm(BeheerForm):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    made_at = forms.DateTimeField(label=_("Made"), widget=DateTimeLocalInput())
    recipient = forms.CharField(
        label=_("To"),
        max_length=200,
        required=False,
        help_text=_("Empty: the usual recipient of this report."),
    )
    reference = forms.CharField(label=_("Reference"), max_length=120, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(k, ReportKind(k).label) for k in kinds]


class AccessForm(BeheerForm):
    person = forms.TypedChoiceField(label=_("Operator"), coerce=int)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *people]


REPORTED_CHOICES = [("", _("All")), ("yes", _("Reported to the AP")), ("no", _("Not reported to the AP"))]


class BreachFilterForm(BeheerForm):
    reported = forms.ChoiceField(label=_("Report to the AP"), choices=REPORTED_CHOICES, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *IncidentStatus.choices], required=False
    )
    since = forms.DateField(label=_("Aware from"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Aware until"), required=False, widget=DateInput())
