from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from beheer.core import clock
from beheer.core.admin_base import ConfigAdmin
from beheer.core.errors import DomainError
from beheer.servicedesk import services as servicedesk

from . import services
from .models import AlertSource, Check, CheckKind, MaintenanceWindow, StatusPage, StatusPageEntry
from .services import windows as window_services
from .windows import WindowError, parse_rule


class OutageGroupForm(forms.ModelForm):  # the admin builds its Meta (model, fields)
    """Refuses what the servicedesk would refuse when the melding is opened later (by the monitor
    or an alert): an operator group that cannot take a new, first-line melding."""

    def clean_operator_group(self) -> Any:
        group = self.cleaned_data.get("operator_group")
        try:
            servicedesk.check_new_melding_group(group)
        except DomainError as exc:
            raise forms.ValidationError(exc.field_errors.get("operator_group", exc.message)) from exc
        return group


@admin.register(Check)
class CheckAdmin(ConfigAdmin):
    form = OutageGroupForm
    list_display = (
        "name",
        "kind",
        "target",
        "host",
        "interval_seconds",
        "availability_target",
        "latency_target_ms",
        "active",
    )
    list_filter = ("kind", "active")
    search_fields = ("name", "target", "host", "tags")
    readonly_fields = ("ping_url", "edit_screen")
    exclude = ("created_by", "created_at", "options")

    @admin.display(description=_("options"))
    def edit_screen(self, obj: Check) -> str:
        """Per-kind options (and their encrypted secrets) are edited on the check screen."""
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("monitoring:check-edit", args=[obj.pk]),
            _("Edit on the check screen"),
        )

    @admin.display(description=_("ping URL"))
    def ping_url(self, obj: Check) -> str:
        if obj.kind != CheckKind.PUSH or not obj.push_token:
            return "—"
        path = reverse("api:ping", args=[obj.push_token])
        return str(settings.SITE_URL).rstrip("/") + path

    def save_model(self, request: HttpRequest, obj: Check, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
            obj.created_at = clock.now()
        else:
            obj.version += 1  # running monitors read the changed check again
            before = Check.objects.filter(pk=obj.pk).first()
            cleared = services.forget_secrets_if_moved(obj, before=before) if before else []
            if cleared:
                self.message_user(
                    request,
                    _(
                        "The kind, target or host changed, so the stored secrets were cleared (%(names)s): "
                        "enter them again on the check screen."
                    )
                    % {"names": ", ".join(cleared)},
                    messages.WARNING,
                )
        super().save_model(request, obj, form, change)
        if obj.kind == CheckKind.PUSH and not obj.push_token:
            services.issue_push_token(obj, actor=request.user)  # type: ignore[arg-type]


class MaintenanceWindowAdminForm(forms.ModelForm):
    """The checks of the screens that keep a window evaluable: a known time zone and a rule that
    parses, occurs and does not start more often than every 15 minutes (a rule that never occurs
    would make every evaluation walk the calendar to the year 9999)."""

    class Meta:
        model = MaintenanceWindow
        fields = [
            "name",
            "start",
            "duration_minutes",
            "time_zone",
            "rule",
            "checks",
            "tags",
            "hosts",
            "active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone = window_services.known_zone(data.get("time_zone") or "")
        if zone is None:
            self.add_error("time_zone", _("Unknown time zone."))
        rule, start = window_services.normalise_rule(data.get("rule") or ""), data.get("start")
        if rule and zone is not None and start is not None:
            local = start.astimezone(zone).replace(tzinfo=None) if start.tzinfo else start
            try:
                problem = window_services.rule_problem(parse_rule(rule, local, zone))
            except WindowError as exc:
                problem = str(exc)
            if problem:
                self.add_error("rule", problem)
        return data


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(ConfigAdmin):
    """Also edited under Monitoring -> Maintenance windows (with every rule checked there)."""

    form = MaintenanceWindowAdminForm

    list_display = ("name", "start", "duration_minutes", "rule", "tags", "hosts", "active")
    list_filter = ("active",)
    filter_horizontal = ("checks",)

    def save_model(self, request: HttpRequest, obj: MaintenanceWindow, form: Any, change: bool) -> None:
        if change:  # an edit here makes a concurrent edit on the screen or in the API stale
            obj.version = obj.version + 1
        super().save_model(request, obj, form, change)


@admin.register(AlertSource)
class AlertSourceAdmin(ConfigAdmin):
    """Alertmanager sources: the webhook URL (with its secret token) is shown once, after saving."""

    form = OutageGroupForm
    list_display = ("name", "operator_group", "resolve_on_resolved", "active")
    list_filter = ("active",)
    exclude = ("created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: AlertSource, form: Any, change: bool) -> None:
        new = not change
        if new:
            obj.created_by = request.user  # type: ignore[assignment]
            obj.created_at = clock.now()
            obj.token_hash = secrets.token_hex(32)  # replaced below; unique until then
        super().save_model(request, obj, form, change)
        if new:
            token = services.issue_alert_source_token(obj, actor=request.user)  # type: ignore[arg-type]
            url = str(settings.SITE_URL).rstrip("/") + reverse("api:alertmanager", args=[token])
            self.message_user(
                request,
                _("Webhook URL for Alertmanager (shown only now; keep it secret): %(url)s") % {"url": url},
                messages.WARNING,
            )


class StatusPageEntryInline(admin.TabularInline):
    model = StatusPageEntry
    extra = 1
    autocomplete_fields = ("check_obj",)

    # the same people as the page itself (ConfigAdmin), not Django's model permissions
    def _allowed(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_authenticated and getattr(user, "is_coordinator", False))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


@admin.register(StatusPage)
class StatusPageAdmin(ConfigAdmin):
    list_display = ("title", "slug", "active")
    list_filter = ("active",)
    search_fields = ("title", "slug")
    inlines = (StatusPageEntryInline,)
