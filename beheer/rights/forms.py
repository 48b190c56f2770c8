"""Input shape of the register's screens: a request, the decisions, granting, revoking (with a
confirmation), a CI's access policy, a review campaign and the list filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.forms import PersonChoiceField
from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core.forms import BeheerForm, DateInput, parse_id

from .models import CALLER_CI_KINDS, RIGHT_CI_KINDS, RightStatus


def people() -> Any:
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "id")


def applications(kinds: tuple[str, ...] = RIGHT_CI_KINDS) -> Any:
    return ConfigurationItem.objects.filter(ci_type__kind__in=kinds).in_use().order_by("name", "id")


class ApplicationField(forms.ModelChoiceField):
    """An application or service by its id; a value that is no id (past 64 bits) is invalid."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if parse_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ApplicationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)

    def clean(self, value: Any) -> Any:
        wrong = [v for v in value or [] if parse_id(v) is None]
        if wrong:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": wrong[0]}
            )
        return super().clean(value)


class RequestForm(BeheerForm):
    person = PersonChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    ci = ApplicationField(label=_("Application or service"), queryset=ConfigurationItem.objects.none())
    right = forms.CharField(
        label=_("Right"), max_length=80, help_text=_("For example read, editor or administrator.")
    )
    melding = forms.IntegerField(
        label=_("Call number"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The call the request came in with, if any (digits only)."),
    )
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Callers choose among applications (software) only: the services are the desk's business.
        self.set_queryset("ci", applications() if staff else applications(CALLER_CI_KINDS))
        if staff:
            self.set_queryset("person", people())
            self.fields["person"].required = True
        else:
            del self.fields["person"]
            del self.fields["reference"]


class DecisionForm(BeheerForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class GrantForm(BeheerForm):
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RevokeForm(BeheerForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("Yes, revoke"), required=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PolicyForm(BeheerForm):
    approver = PersonChoiceField(
        label=_("Access approver"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Empty: the owner of the configuration item approves."),
    )
    known_rights = forms.CharField(
        label=_("Known rights"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One right per line. Empty: any right may be requested."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("approver", people())


class CampaignForm(BeheerForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    cis = ApplicationsField(
        label=_("Applications and services"),
        queryset=ConfigurationItem.objects.none(),
        required=False,
        help_text=_("None chosen: every application and service."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("cis", applications().select_related("ci_type"))


class ReviewConfirmForm(BeheerForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class FilterForm(BeheerForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *RightStatus.choices], required=False)
    ci = ApplicationField(
        label=_("Application or service"), queryset=ConfigurationItem.objects.none(), required=False
    )
    right = forms.CharField(label=_("Right"), max_length=80, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("ci", applications())


class ConfirmForm(BeheerForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("Yes, I am sure"), required=True)
