"""The shape of the privacy pages' input (rules are the services')."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core.forms import BeheerForm, DateInput

from .models import Control, LegalBasis, RetentionKind


class ActivityForm(BeheerForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.ChoiceField(label=_("Legal basis (AVG art. 6)"), choices=LegalBasis.choices)
    legal_basis_note = forms.CharField(
        label=_("Explanation of the legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    people_categories = forms.CharField(
        label=_("Categories of people"), widget=forms.Textarea(attrs={"rows": 2})
    )
    data_categories = forms.CharField(
        label=_("Categories of personal data"), widget=forms.Textarea(attrs={"rows": 2})
    )
    special_categories = forms.BooleanField(label=_("Special categories of personal data"), required=False)
    recipients = forms.CharField(
        label=_("Recipients"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    transfer_outside_eu = forms.BooleanField(label=_("Transfer outside the EU"), required=False)
    transfer_safeguards = forms.CharField(
        label=_("Safeguards for the transfer"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    retention = forms.CharField(label=_("Retention"), widget=forms.Textarea(attrs={"rows": 2}))
    applications = forms.ModelMultipleChoiceField(
        label=_("Applications"), queryset=ConfigurationItem.objects.none(), required=False
    )
    measures = forms.ModelMultipleChoiceField(
        label=_("Security measures"), queryset=Control.objects.none(), required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    review_date = forms.DateField(label=_("Review date"), required=False, widget=DateInput())
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("applications", ConfigurationItem.objects.visible_to(user).order_by("name", "id"))
        self.set_queryset(
            "measures", Control.objects.visible_to(user).filter(active=True).order_by("sort_key", "id")
        )
        self.set_queryset(
            "owner", User.objects.filter(is_active=True).exclude(role="caller").order_by("last_name", "id")
        )


class RetentionForm(BeheerForm):
    months = forms.IntegerField(label=_("Months"), required=False, min_value=1, max_value=1200)
    forever = forms.BooleanField(label=_("Keep forever"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("forever") and data.get("months") is None and not self.errors:
            self.add_error("months", _("Give a number of months, or keep forever."))
        return data


class RequestForm(BeheerForm):
    reference = forms.CharField(label=_("Reference of the request"), max_length=100)


class ExportForm(RequestForm):
    format = forms.ChoiceField(label=_("Format"), choices=[("pdf", "PDF"), ("json", "JSON")])


class EraseForm(RequestForm):
    confirm = forms.CharField(
        label=_("Type the username to confirm"), max_length=150, help_text=_("This cannot be undone.")
    )


KINDS = RetentionKind.values
