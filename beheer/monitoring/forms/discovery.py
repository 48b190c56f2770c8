"""The forms of discovery over SNMP: what to read a device with, and what to apply of the diff.

Shape only: `monitoring.discovery.target_for` checks the credentials (with the SNMP checks' rules)
and the CMDB's `apply_discovery` everything else. Secrets are never rendered back into the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import BeheerForm

from .. import options as opts

VERSIONS = [("2c", "v2c"), ("3", "v3")]
AUTH = [("", _("None")), *((p, p) for p in opts.SNMP_AUTH_PROTOCOLS if p)]
PRIV = [("", _("None")), *((p, p) for p in opts.SNMP_PRIV_PROTOCOLS if p)]


def _secret(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class DiscoveryForm(BeheerForm):
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        help_text=_("Host name or IP address, optionally with :port (default port 161)."),
    )
    version = forms.ChoiceField(label=_("SNMP version"), choices=VERSIONS)
    community = _secret(_("Community"))
    username = forms.CharField(label=_("SNMPv3 user"), required=False, max_length=100)
    auth_protocol = forms.ChoiceField(label=_("Authentication"), choices=AUTH, required=False)
    auth_key = _secret(_("Authentication key"))
    priv_protocol = forms.ChoiceField(label=_("Privacy (encryption)"), choices=PRIV, required=False)
    priv_key = _secret(_("Privacy key"))

    def __init__(self, *args: Any, stored_secrets_from: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stored_secrets_from:
            hint = _("Leave empty to use the one stored with the check %(name)s.") % {
                "name": stored_secrets_from
            }
            for name in ("community", "auth_key", "priv_key"):
                self.fields[name].help_text = hint


class ApplyForm(BeheerForm):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    basis = forms.CharField(widget=forms.HiddenInput, max_length=64)
    gone = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[])
    gone_action = forms.ChoiceField(
        label=_("The ticked interfaces that the device no longer has"),
        choices=[("disable", _("Disable them")), ("remove", _("Remove them (linked ones are disabled)"))],
        initial="disable",
        widget=forms.RadioSelect,
    )
    fill_item = forms.BooleanField(label=_("Fill the empty fields of the configuration item"), required=False)

    def __init__(self, *args: Any, gone_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["gone"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(str(pk), str(pk)) for pk in gone_ids or []]
