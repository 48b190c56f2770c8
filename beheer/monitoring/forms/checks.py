"""The check edit form: the fields every check has, and the options of the chosen kind.

Shape only: the services (create_check, update_check) check every rule and report per field; option
errors come back as `options.<name>` and land on the form field `o_<name>`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import OperatorGroup
from beheer.cmdb.models import ConfigurationItem
from beheer.core.errors import DomainError
from beheer.core.forms import CleanForm, parse_id, place_domain_errors
from beheer.servicedesk.models import Impact, Urgency

from .. import options as opts
from ..models import Check, CheckKind
from ..services.checks import FIELDS as CHECK_FIELDS

PREFIX = "o_"
YES_NO = [("", _("Default")), ("true", _("Yes")), ("false", _("No"))]
OPERATOR_CHOICES = [(op, op) for op in opts.OPERATORS]

# the option fields of each kind, in the order they are shown
KIND_FIELDS: dict[str, tuple[str, ...]] = {kind: opts.STORED_FIELDS[kind] for kind in CheckKind.values}

TARGET_HELP = {
    "http": _("The URL, for example https://intranet.school.nl/health."),
    "tcp": _("host:port, for example mail.school.nl:25."),
    "tls": _("host or host:port (default port 443)."),
    "dns": _("The name to look up (an IP address for PTR)."),
    "ping": _("A host name or IP address."),
    "snmp": _("host or host:port (default port 161)."),
    "push": _("Push checks have no target: the job calls the check's ping URL."),
}


def _option_fields() -> dict[str, forms.Field]:
    def text(label: Any, help_text: Any = "", **kw: Any) -> forms.CharField:
        return forms.CharField(label=label, help_text=help_text, required=False, **kw)

    def number(label: Any, help_text: Any = "", lo: int = 0, hi: int = 600_000) -> forms.IntegerField:
        return forms.IntegerField(
            label=label, help_text=help_text, required=False, min_value=lo, max_value=hi
        )

    def flag(label: Any, help_text: Any = "") -> forms.BooleanField:
        return forms.BooleanField(label=label, help_text=help_text, required=False)

    def secret(label: Any, help_text: Any = "") -> forms.CharField:
        return forms.CharField(
            label=label,
            help_text=help_text,
            required=False,
            widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        )

    return {
        # HTTP
        "method": forms.ChoiceField(
            label=_("Method"), choices=[(m, m) for m in opts.HTTP_METHODS], required=False
        ),
        "expected_status": text(_("Expected status codes"), _("For example 200-399 or 200,204.")),
        "keyword": text(_("Keyword"), _("Text that must appear in the first 1 MB of the answer.")),
        "keyword_regex": flag(_("The keyword is a regular expression")),
        "keyword_absent": flag(_("Down when the keyword appears (instead of when it is missing)")),
        "json_path": text(_("JSON path"), _("For example status.db or items[0].ok.")),
        "json_operator": forms.ChoiceField(
            label=_("JSON condition"), choices=OPERATOR_CHOICES, required=False
        ),
        "json_value": text(_("JSON value")),
        "max_latency_ms": number(_("Maximum response time (ms)"), _("Slower counts as down."), 1),
        "follow_redirects": flag(_("Follow redirects (at most 5)")),
        "headers": forms.CharField(
            label=_("Request headers"),
            help_text=_("One per line as Name: value. Values are stored encrypted and never shown again."),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        ),
        "ignore_tls_errors": flag(_("Ignore TLS certificate errors")),
        # TLS
        "warn_days": number(_("Down when fewer days are left"), "", 0, 365),
        # DNS
        "record_type": forms.ChoiceField(
            label=_("Record type"), choices=[(t, t) for t in opts.DNS_RECORD_TYPES], required=False
        ),
        "expected": text(_("Expected answer"), _("Down when the answer does not contain this value.")),
        "server": text(
            _("Resolver"), _("IP address[:port] of the DNS server to ask; empty for the system's.")
        ),
        # ping
        "count": number(_("Packets"), "", 1, 10),
        "max_loss_percent": number(
            _("Maximum packet loss (%)"), _("Down above this loss, or when nothing answers."), 0, 100
        ),
        "max_rtt_ms": number(_("Maximum average round trip (ms)"), "", 1, 60_000),
        # SNMP
        "version": forms.ChoiceField(
            label=_("SNMP version"), choices=[("2c", "v2c"), ("3", "v3")], required=False
        ),
        "community": secret(_("Community"), _("SNMP v2c.")),
        "username": text(_("User name"), _("SNMP v3.")),
        "auth_protocol": forms.ChoiceField(
            label=_("Authentication protocol"),
            choices=[(p, p or _("none")) for p in opts.SNMP_AUTH_PROTOCOLS],
            required=False,
        ),
        "auth_key": secret(_("Authentication key")),
        "priv_protocol": forms.ChoiceField(
            label=_("Privacy protocol"),
            choices=[(p, p or _("none")) for p in opts.SNMP_PRIV_PROTOCOLS],
            required=False,
        ),
        "priv_key": secret(_("Privacy key")),
        "oid": text(
            _("OID"), _("Numeric, for example 1.3.6.1.2.1.2.2.1.8.1 (ifOperStatus of interface 1; 1 = up).")
        ),
        "operator": forms.ChoiceField(label=_("Condition"), choices=OPERATOR_CHOICES, required=False),
        "value": text(_("Value")),
        "rate": flag(_("Compare the change per second (counters)")),
    }


def headers_to_text(headers: dict[str, str]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


def text_to_headers(text: str) -> dict[str, str] | str:
    """`Name: value` lines -> dict; the bad line when one has no colon."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep:
            return line
        out[name.strip()] = value.strip()
    return out


def find_ci(text: str, user: Any, current: Any = ()) -> ConfigurationItem | None:
    """The CI `text` names for `user`: by its number, else by its exact name when one CI has it (a
    CI the object already has is found by its name even when another CI shares it)."""
    pk = parse_id(text)
    visible = ConfigurationItem.objects.visible_to(user)
    if pk is not None:
        return visible.filter(pk=pk).first()
    name = text.strip().lower()
    for ci in current:
        if ci.name.lower() == name:
            return ci
    found = list(visible.filter(name__iexact=text.strip())[:2])
    return found[0] if len(found) == 1 else None


class CheckForm(CleanForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=CheckKind.choices)
    target = forms.CharField(label=_("Target address"), max_length=500, required=False)
    host = forms.CharField(
        label=_("Host"),
        max_length=200,
        required=False,
        help_text=_("The machine or service this check watches."),
    )
    interval_seconds = forms.IntegerField(
        label=_("Interval (seconds)"), min_value=10, max_value=86400, initial=60
    )
    timeout_seconds = forms.IntegerField(label=_("Timeout (seconds)"), min_value=1, max_value=120, initial=10)
    max_attempts = forms.IntegerField(label=_("Attempts before down"), min_value=1, max_value=10, initial=3)
    retry_interval_seconds = forms.IntegerField(
        label=_("Retry interval (seconds)"), min_value=5, max_value=3600, initial=10
    )
    grace_seconds = forms.IntegerField(
        label=_("Grace (seconds)"),
        required=False,  # shown for push checks only
        min_value=0,
        max_value=7 * 86400,
        initial=300,
        help_text=_("Push checks: how late a ping may be before the check is down."),
    )
    parent = forms.ModelChoiceField(label=_("Depends on"), queryset=Check.objects.none(), required=False)
    tags = forms.CharField(label=_("Tags"), max_length=200, required=False, help_text=_("Comma-separated."))
    impact = forms.ModelChoiceField(
        label=_("Impact"),
        queryset=Impact.objects.all(),
        required=False,
        help_text=_("Of the call an outage opens. Empty: the lowest impact."),
    )
    urgency = forms.ModelChoiceField(
        label=_("Urgency"),
        queryset=Urgency.objects.all(),
        required=False,
        help_text=_(
            "Of the call an outage opens. Empty: the most urgent, since a check that is down stops work."
        ),
    )
    operator_group = forms.ModelChoiceField(
        label=_("Operator group for calls"),
        queryset=OperatorGroup.objects.filter(active=True),
        required=False,
    )
    resolve_on_recovery = forms.BooleanField(
        label=_("Resolve the call on recovery"), required=False, initial=True
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    availability_target = forms.DecimalField(
        label=_("Availability norm (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=6,
        decimal_places=3,
        initial=Decimal("99.9"),
        required=False,
        help_text=_("Empty for the default, 99.9."),
    )
    latency_target_ms = forms.IntegerField(
        label=_("Latency norm (p95, ms)"), min_value=1, max_value=600_000, required=False
    )
    ci = forms.CharField(
        label=_("Configuration item"),
        max_length=200,
        required=False,
        help_text=_(
            "Its number or exact name; empty for none. Without a host, the check takes the CI's host name."
        ),
    )

    COMMON = CHECK_FIELDS  # every field of CheckData but the kind's options

    def __init__(
        self, *args: Any, parents: Any = None, user: Any = None, current_ci: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.current_ci = user, current_ci
        if parents is not None:
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        for name, field in _option_fields().items():
            self.fields[PREFIX + name] = field
        self.fields["kind"].widget.attrs.update(
            {
                "hx-get": reverse("monitoring:check-kind-fields"),
                "hx-target": "#kind-fields",
                "hx-swap": "outerHTML",
                "hx-include": "[name=target]",
                "hx-trigger": "change",
            }
        )

    @property
    def chosen_kind(self) -> str:
        raw = self.data.get("kind") if self.is_bound else self.initial.get("kind")
        return raw if raw in CheckKind.values else CheckKind.HTTP

    def common_fields(self) -> list[forms.BoundField]:
        names = [n for n in self.COMMON if n not in ("name", "kind", "target", "grace_seconds", "ci")]
        names.insert(names.index("host") + 1, "ci")  # the CI next to the host it names
        return [self[name] for name in names]

    def clean_ci(self) -> ConfigurationItem | None:
        text = (self.cleaned_data.get("ci") or "").strip()
        if not text:
            return None
        current = [self.current_ci] if self.current_ci is not None else []
        ci = find_ci(text, self.user, current)
        if ci is None:
            raise forms.ValidationError(
                _("Choose one existing configuration item, by its number or exact name.")
            )
        return ci

    def kind_fields(self) -> list[forms.BoundField]:
        fields = [self[PREFIX + name] for name in KIND_FIELDS[self.chosen_kind]]
        return [self["grace_seconds"]] if self.chosen_kind == CheckKind.PUSH else fields

    def target_help(self) -> Any:
        return TARGET_HELP[self.chosen_kind]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get(PREFIX + "headers") or ""
        if self.chosen_kind == "http" and text:
            parsed = text_to_headers(text)
            if isinstance(parsed, str):
                self.add_error(PREFIX + "headers", _("Write each header as Name: value."))
        return data

    def options(self) -> dict[str, Any]:
        """The submitted options of the chosen kind (blank fields left to their defaults)."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for name in KIND_FIELDS[self.chosen_kind]:
            value = data.get(PREFIX + name)
            if name == "headers":
                parsed = text_to_headers(value or "")
                out[name] = parsed if isinstance(parsed, dict) else {}
            elif isinstance(self.fields[PREFIX + name], forms.BooleanField):
                out[name] = bool(value)
            elif value not in (None, ""):
                out[name] = value
        return out

    def place_errors(self, exc: DomainError) -> None:
        renamed = {
            (PREFIX + key.removeprefix("options.") if key.startswith("options.") else key): message
            for key, message in exc.field_errors.items()
        }
        place_domain_errors(self, DomainError(exc.message, field_errors=renamed))


def initial_for(check: Check, shown_options: dict[str, Any]) -> dict[str, Any]:
    """The form's initial values for an existing check (secrets as the mask)."""
    initial: dict[str, Any] = {name: getattr(check, name) for name in CheckForm.COMMON}
    initial["version"] = check.version
    initial["ci"] = check.ci.name if check.ci is not None else ""
    for name, value in shown_options.items():
        initial[PREFIX + name] = headers_to_text(value) if name == "headers" else value
    return initial


def defaults_for(kind: str) -> dict[str, Any]:
    """The option defaults of a kind, as initial form values for a new check."""
    values = opts.with_defaults(kind, {})
    return {PREFIX + k: (headers_to_text(v) if k == "headers" else v) for k, v in values.items()}
