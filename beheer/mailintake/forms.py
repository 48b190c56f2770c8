"""Input shape for the e-mail channel screens: mailboxes, rules, dead-letter actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup
from beheer.core.forms import CleanForm
from beheer.servicedesk.models import CallType, Category

from . import extensions
from .models import (
    RULE_PATTERN_MAX,
    AfterProcessing,
    DeadLetterStatus,
    MailAuth,
    MailSecurity,
    RuleField,
)


class MailboxForm(CleanForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    host = forms.CharField(label=_("IMAP server"), max_length=255)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(label=_("Security"), choices=MailSecurity.choices)
    username = forms.CharField(label=_("User name"), max_length=255)
    auth = forms.ChoiceField(label=_("Sign-in"), choices=MailAuth.choices)
    secret = forms.CharField(
        label=_("Password or refresh token"),
        required=False,
        max_length=10_000,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored one."),
    )
    oauth_client_id = forms.CharField(label=_("OAuth client ID"), required=False, max_length=255)
    oauth_client_secret = forms.CharField(
        label=_("OAuth client secret"),
        required=False,
        max_length=10_000,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored one."),
    )
    oauth_token_url = forms.CharField(label=_("OAuth token endpoint"), required=False, max_length=500)
    oauth_scope = forms.CharField(label=_("OAuth scope"), required=False, max_length=500)
    ca_certificate = forms.CharField(
        label=_("Trusted CA certificate (PEM)"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for a server with a certificate from a private CA."),
    )
    folder = forms.CharField(label=_("Folder"), max_length=200, initial="INBOX")
    after_processing = forms.ChoiceField(label=_("After processing"), choices=AfterProcessing.choices)
    processed_folder = forms.CharField(
        label=_("Folder for processed messages"), max_length=200, initial="Beheer"
    )
    default_call_type = forms.ModelChoiceField(
        label=_("Call type"), queryset=CallType.objects.filter(active=True), required=False
    )
    default_category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(active=True, parent__isnull=True),
        required=False,
    )
    default_operator_group = forms.ModelChoiceField(
        label=_("Operator group"),
        queryset=OperatorGroup.objects.filter(active=True, is_first_line=True),
        required=False,
    )
    registers = forms.ChoiceField(
        label=_("Registers"),
        choices=extensions.kind_choices,
        initial=extensions.MELDING,
        required=False,  # not sent: calls
        help_text=_("What a new message in this mailbox becomes: a call, or a change request."),
    )
    rate_limit_count = forms.IntegerField(
        label=_("New calls per sender"), min_value=0, max_value=100_000, initial=20
    )
    rate_limit_minutes = forms.IntegerField(
        label=_("Period (minutes)"), min_value=0, max_value=10_080, initial=60
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MailRuleForm(CleanForm):
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=10_000, initial=10)
    match_field = forms.ChoiceField(label=_("Match on"), choices=RuleField.choices)
    pattern = forms.CharField(label=_("Value"), max_length=RULE_PATTERN_MAX)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(active=True, parent__isnull=True),
        required=False,
    )
    operator_group = forms.ModelChoiceField(
        label=_("Operator group"),
        queryset=OperatorGroup.objects.filter(active=True, is_first_line=True),
        required=False,
    )


class ConfirmForm(CleanForm):
    confirm = forms.BooleanField(label=_("Yes, I am sure"), required=True)


class ConvertForm(CleanForm):
    brief_description = forms.CharField(label=_("Brief description"), max_length=80)


class DeadLetterFilterForm(CleanForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Open")),
            *[(value, label) for value, label in DeadLetterStatus.choices if value != "open"],
            ("all", _("All")),
        ],
    )

    def status_value(self) -> str:
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return str(data.get("status") or "open")
