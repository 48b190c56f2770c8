"""Input shape of the licence screens: a licence and an assignment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import BeheerForm, DateInput

from ..models import ConfigurationItem, LicenceModel, Supplier
from . import PersonChoiceField, people


class LicenceForm(BeheerForm):
    product = forms.CharField(label=_("Product"), max_length=200)
    application = forms.ModelChoiceField(
        label=_("Application"), queryset=ConfigurationItem.objects.none(), required=False
    )
    licence_model = forms.ChoiceField(label=_("Licence model"), choices=LicenceModel.choices)
    entitlements = forms.IntegerField(
        label=_("Entitlements"),
        required=False,
        min_value=0,
        help_text=_("Empty for a site licence: no limit."),
    )
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none(), required=False)
    owner = PersonChoiceField(label=_("Owner"), queryset=people(), required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    expiry_date = forms.DateField(label=_("Expiry date"), widget=DateInput, required=False)
    cost = forms.DecimalField(label=_("Cost"), required=False, max_digits=12, decimal_places=2, min_value=0)
    reference = forms.CharField(label=_("Order or contract reference"), max_length=80, required=False)
    remind_days = forms.IntegerField(
        label=_("Remind days before expiry"), initial=60, min_value=0, max_value=365
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset(
            "application",
            ConfigurationItem.objects.filter(ci_type__kind__in=["software", "service"]).order_by(
                "name", "id"
            ),
        )
        self.set_queryset("supplier", Supplier.objects.order_by("name"))
        self.set_queryset("owner", people())


class AssignmentForm(BeheerForm):
    ci = forms.CharField(
        label=_("Configuration item"),
        required=False,
        max_length=200,
        help_text=_("Its number or exact name."),
    )
    person = PersonChoiceField(label=_("Person"), queryset=people(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("person", people())


class LicenceFileForm(BeheerForm):
    file = forms.FileField(label=_("File"))
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        help_text=_(
            "Upload under the name of an existing file to add a new version; empty: the file's own name."
        ),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
