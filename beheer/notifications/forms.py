"""Input shape of the notification screens; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beheer.core.forms import CleanForm

from .events import EVENTS, MAX_TTL_HOURS, event_choices
from .models import DISCARDABLE, MessageStatus, Security


class OutboxFilterForm(CleanForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *MessageStatus.choices]
    )
    event = forms.ChoiceField(label=_("Event"), required=False, choices=[("", _("All")), *event_choices()])


def _discardable_choices() -> list[tuple[str, str]]:
    labels = dict(MessageStatus.choices)
    return [
        ("", str(_("Queued, retrying or failed"))),
        *((s.value, str(labels[s.value])) for s in DISCARDABLE),
    ]


class DiscardFilterForm(CleanForm):
    """Which messages to discard: shown first with their count, then confirmed."""

    status = forms.ChoiceField(label=_("Status"), required=False, choices=_discardable_choices)
    event = forms.ChoiceField(label=_("Event"), required=False, choices=[("", _("All")), *event_choices()])
    older_than_hours = forms.IntegerField(
        label=_("Older than (hours)"),
        required=False,
        min_value=0,
        max_value=100_000,
        initial=0,
        help_text=_("0: however old."),
    )


class DiscardConfirmForm(DiscardFilterForm):
    created_before = forms.DateTimeField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_("Yes, discard these messages: they will never be sent"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("status", "event", "older_than_hours"):
            self.fields[name].widget = forms.HiddenInput()


class TtlForm(CleanForm):
    """The time to live of every event, in hours."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, event in EVENTS.items():
            self.fields[code] = forms.IntegerField(
                label=str(event.label), min_value=0, max_value=MAX_TTL_HOURS, widget=forms.NumberInput()
            )


class MailServerForm(CleanForm):
    host = forms.CharField(label=_("Host"), max_length=255)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=587)
    security = forms.ChoiceField(label=_("Security"), choices=Security.choices, initial=Security.STARTTLS)
    verify_certificate = forms.BooleanField(
        label=_("Verify the server certificate"), required=False, initial=True
    )
    username = forms.CharField(label=_("User name"), max_length=255, required=False)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored password."),
    )
    clear_password = forms.BooleanField(label=_("Remove the stored password"), required=False)
    from_address = forms.EmailField(label=_("From address"))
    from_name = forms.CharField(label=_("From name"), max_length=100, required=False)
    timeout = forms.IntegerField(label=_("Timeout (seconds)"), min_value=1, max_value=300, initial=30)
    active = forms.BooleanField(label=_("Send e-mail"), required=False, initial=True)


class TestMailForm(CleanForm):
    to = forms.EmailField(label=_("Send a test message to"))


class TemplateForm(CleanForm):
    subject = forms.CharField(
        label=_("Subject"), max_length=500, widget=forms.TextInput(attrs={"class": "wide"})
    )
    body = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 16}))
    body_html = forms.CharField(
        label=_("HTML (optional)"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Leave empty to send the text as simple HTML. Variables are escaped."),
    )


class WebhookForm(CleanForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=event_choices, widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("At least 16 characters; used to sign each request. Leave empty to keep the stored one."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class PreferencesForm(CleanForm):
    """One checkbox per event the person can receive."""

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in codes:
            self.fields[code] = forms.BooleanField(label=str(EVENTS[code].label), required=False)
