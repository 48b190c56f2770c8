"""Input shape of the contract screens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import BeheerForm, DateInput

from ..models import ConfigurationItem, ContractKind, Supplier
from . import PeopleField, PersonChoiceField, people


class ContractForm(BeheerForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(label=_("End date"), widget=DateInput)
    notice_days = forms.IntegerField(label=_("Notice period (days)"), initial=0, min_value=0, max_value=3650)
    auto_renewal = forms.BooleanField(label=_("Automatic renewal"), required=False)
    response_time = forms.CharField(
        label=_("Response time"),
        max_length=120,
        required=False,
        help_text=_("For example: 4 hours, next business day."),
    )
    contacts = forms.CharField(label=_("Contacts"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    covered_cis = PeopleField(
        label=_("Covered configuration items"), queryset=ConfigurationItem.objects.none(), required=False
    )
    owner = PersonChoiceField(label=_("Owner"), queryset=people(), required=False)
    cost = forms.DecimalField(label=_("Cost"), required=False, max_digits=12, decimal_places=2, min_value=0)
    remind_days = forms.IntegerField(
        label=_("Remind days before the notice date"), initial=60, min_value=0, max_value=365
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("supplier", Supplier.objects.order_by("name"))
        self.set_queryset("covered_cis", ConfigurationItem.objects.in_use().order_by("name", "id"))
        self.set_queryset("owner", people())
