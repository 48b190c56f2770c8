from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from beheer.core import clock
from beheer.core.admin_base import ConfigAdmin

from . import services
from .models import AlertSource, Check, CheckKind, MaintenanceWindow, StatusPage, StatusPageEntry


@admin.register(Check)
class CheckAdmin(ConfigAdmin):
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
        super().save_model(request, obj, form, change)
        if obj.kind == CheckKind.PUSH and not obj.push_token:
            services.issue_push_token(obj, actor=request.user)  # type: ignore[arg-type]


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(ConfigAdmin):
    list_display = ("name", "start", "duration_minutes", "rule", "tags", "hosts", "active")
    list_filter = ("active",)
    filter_horizontal = ("checks",)


@admin.register(AlertSource)
class AlertSourceAdmin(ConfigAdmin):
    """Alertmanager sources: the webhook URL (with its secret token) is shown once, after saving."""

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
