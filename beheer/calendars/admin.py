"""Business calendars in the Django admin: read only. They are configured in the product's screens
(/sla/calendars/) and the API, through the services (validation, history, cache)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from beheer.core.admin_base import ReadOnlyAdmin

from .models import BusinessCalendar, ClosingDay, OpeningHours


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OpeningHoursInline(_ReadOnlyInline):
    model = OpeningHours
    fields = ("weekday", "start", "end")


class ClosingDayInline(_ReadOnlyInline):
    model = ClosingDay
    fields = ("date", "name")


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ReadOnlyAdmin):
    list_display = ("name", "time_zone", "always_open", "public_holidays", "school_holidays_region", "active")
    list_filter = ("always_open", "active")
    search_fields = ("name",)
    inlines = [OpeningHoursInline, ClosingDayInline]
