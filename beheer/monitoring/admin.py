from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from beheer.core import clock
from beheer.core.admin_base import ConfigAdmin

from . import services
from .models import Check, CheckKind, MaintenanceWindow


@admin.register(Check)
class CheckAdmin(ConfigAdmin):
    list_display = ("name", "kind", "target", "host", "interval_seconds", "active")
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
        super().save_model(request, obj, form, change)
        if obj.kind == CheckKind.PUSH and not obj.push_token:
            services.issue_push_token(obj, actor=request.user)  # type: ignore[arg-type]


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(ConfigAdmin):
    list_display = ("name", "start", "duration_minutes", "rule", "tags", "active")
    list_filter = ("active",)
    filter_horizontal = ("checks",)
