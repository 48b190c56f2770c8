"""Input shape of the network screens (types and lengths; the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import Branch
from beheer.core.forms import BeheerForm, NamedChoiceField

from ..models import InterfaceKind, LinkKind, Vlan


class InterfaceForm(BeheerForm):
    name = forms.CharField(label=_("Name"), max_length=64, help_text=_("For example Gi1/0/12 or eth0."))
    kind = forms.ChoiceField(label=_("Kind"), choices=InterfaceKind.choices)
    speed_mbit = forms.IntegerField(
        label=_("Speed (Mbit/s)"), required=False, min_value=1, max_value=10_000_000
    )
    mac_address = forms.CharField(label=_("MAC address"), required=False, max_length=40)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ConnectForm(BeheerForm):
    target = forms.CharField(
        label=_("Configuration item"), max_length=200, help_text=_("Its number or exact name.")
    )
    interface = forms.CharField(label=_("Its interface"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=LinkKind.choices)
    label = forms.CharField(label=_("Label"), required=False, max_length=80)
    description = forms.CharField(label=_("Description"), required=False, max_length=200)


class VlanForm(BeheerForm):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=4094)
    name = forms.CharField(label=_("Name"), max_length=80)
    branch = NamedChoiceField(label=_("Branch"), queryset=Branch.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("branch", Branch.objects.order_by("name", "id"))


class PrefixForm(BeheerForm):
    network = forms.CharField(label=_("Prefix"), max_length=60, help_text=_("For example 10.20.0.0/22."))
    vlan = forms.ModelChoiceField(label=_("VLAN"), queryset=Vlan.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_queryset("vlan", Vlan.objects.order_by("number", "id"))


class AddressForm(BeheerForm):
    address = forms.CharField(label=_("Address"), max_length=60)
    target = forms.CharField(
        label=_("Configuration item"),
        required=False,
        max_length=200,
        help_text=_("Its number or exact name."),
    )
    interface = forms.CharField(label=_("Its interface"), required=False, max_length=64)
    dns_name = forms.CharField(label=_("DNS name"), required=False, max_length=255)
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
