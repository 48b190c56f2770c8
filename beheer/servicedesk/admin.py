from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from beheer.core.admin_base import ConfigAdmin

from . import services
from .models import (
    BusinessCalendar,
    CallType,
    Category,
    ClosingDay,
    ClosureCode,
    Impact,
    OlaTarget,
    OpeningHours,
    Priority,
    PriorityMatrixCell,
    ServicedeskSettings,
    SlaPolicy,
    SlaTarget,
    Status,
    Urgency,
)


class LookupAdmin(ConfigAdmin):
    list_display: tuple[str, ...] = ("code", "name_nl", "name_en", "order", "active")
    list_editable = ("order", "active")
    search_fields = ("code", "name_nl", "name_en")


@admin.register(Status)
class StatusAdmin(LookupAdmin):
    list_display = (
        "code",
        "name_nl",
        "name_en",
        "kind",
        "pauses_sla",
        "notify_caller",
        "asks_supplier",
        "is_default",
        "order",
        "active",
    )
    list_filter = ("kind", "pauses_sla")
    filter_horizontal = ("allowed_next",)


@admin.register(CallType)
class CallTypeAdmin(LookupAdmin):
    pass


@admin.register(ClosureCode)
class ClosureCodeAdmin(LookupAdmin):
    pass


@admin.register(Impact)
class ImpactAdmin(LookupAdmin):
    list_display = ("code", "name_nl", "name_en", "level", "order", "active")


@admin.register(Urgency)
class UrgencyAdmin(LookupAdmin):
    list_display = ("code", "name_nl", "name_en", "level", "order", "active")


@admin.register(Priority)
class PriorityAdmin(LookupAdmin):
    list_display = ("code", "name_nl", "name_en", "level", "resolution_minutes", "order", "active")


@admin.register(PriorityMatrixCell)
class PriorityMatrixAdmin(ConfigAdmin):
    list_display = ("impact", "urgency", "priority")
    list_editable = ("priority",)
    list_filter = ("impact", "urgency")


class SubcategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    extra = 1
    fields = ("name", "name_en", "order", "active")
    verbose_name = _("subcategory")
    verbose_name_plural = _("subcategories")


@admin.register(Category)
class CategoryAdmin(ConfigAdmin):
    list_display = ("name", "name_en", "parent", "order", "active")
    list_filter = ("active",)
    search_fields = ("name", "name_en")
    inlines = [SubcategoryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


@admin.register(ServicedeskSettings)
class ServicedeskSettingsAdmin(ConfigAdmin):
    list_display = ("__str__", "reopen_days", "auto_close", "default_first_line_group")

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request) and not ServicedeskSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 1
    fields = ("weekday", "start", "end")


class ClosingDayInline(admin.TabularInline):
    model = ClosingDay
    extra = 1
    fields = ("date", "name")


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ConfigAdmin):
    list_display = ("name", "time_zone", "always_open", "public_holidays", "school_holidays_region", "active")
    list_filter = ("always_open", "active")
    search_fields = ("name",)
    inlines = [OpeningHoursInline, ClosingDayInline]


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0
    fields = ("priority", "response_minutes", "resolution_minutes", "update_minutes")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ConfigAdmin):
    list_display = ("name", "calendar", "order", "at_risk_percent", "active")
    list_editable = ("order", "active")
    list_filter = ("active", "calendar")
    filter_horizontal = ("call_types", "categories", "departments", "branches")
    inlines = [SlaTargetInline]


@admin.register(OlaTarget)
class OlaTargetAdmin(ConfigAdmin):
    """OLA per operator group: how long a melding may stay with the group, in business minutes."""

    list_display = ("operator_group", "priority", "minutes", "calendar", "at_risk_percent", "active")
    list_editable = ("minutes", "active")
    list_filter = ("active", "operator_group", "priority")
    fields = ("operator_group", "priority", "minutes", "calendar", "at_risk_percent", "active")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("operator_group", "priority", "calendar")

    # A changed OLA applies to the group's meldingen at once: their stored figures are recomputed by
    # the next SLA sweep (within a minute).
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.invalidate_olas(operator_group_id=obj.operator_group_id)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        group_id = obj.operator_group_id
        super().delete_model(request, obj)
        services.invalidate_olas(operator_group_id=group_id)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        group_ids = set(queryset.values_list("operator_group_id", flat=True))
        super().delete_queryset(request, queryset)
        for group_id in group_ids:
            services.invalidate_olas(operator_group_id=group_id)
