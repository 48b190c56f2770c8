"""Scheduled reports in the admin: read-only for administrators (changes go through the schedules page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from beheer.core import access

from .models import ReportRun, ScheduledReport


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(access.is_administrator(request.user))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(access.is_administrator(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScheduledReport)
class ScheduledReportAdmin(ReadOnlyAdmin):
    list_display = ("name", "owner", "frequency", "file_format", "next_run_at", "active")
    list_filter = ("frequency", "active")


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ("scheduled_report", "period_start", "period_end", "file_format", "status", "created_at")
    list_filter = ("status",)
    exclude = ("file",)  # downloads go through the permission-checked view, never as media
