from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from beheer.core.admin_base import ConfigAdmin, ReadOnlyAdmin
from beheer.core.durations import format_duration
from beheer.core.norms import CALENDAR_UNITS, NormField, norm_for

from .models import (
    CallType,
    Category,
    ClosureCode,
    Impact,
    OlaTarget,
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


DAY_MINUTES = 24 * 60
MAX_RESOLUTION_MINUTES = 365 * DAY_MINUTES


class PriorityForm(forms.ModelForm):
    """A priority's fallback resolution time in hours or days (of 24 hours), stored in minutes."""

    resolution = NormField(
        units=CALENDAR_UNITS,
        label=_("Resolution time allowed"),
        help_text=_("Used to compute the target date when no SLA policy applies; hours or days of 24 hours."),
    )

    class Meta:
        model = Priority
        fields = ("code", "name_nl", "name_en", "level", "order", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["resolution"] = norm_for(self.instance.resolution_minutes, DAY_MINUTES)

    def clean_resolution(self) -> Any:
        norm = self.cleaned_data["resolution"]
        if norm is None:
            raise forms.ValidationError(self.fields["resolution"].error_messages["required"])
        minutes = norm.minutes(DAY_MINUTES)
        if not 1 <= minutes <= MAX_RESOLUTION_MINUTES:
            raise forms.ValidationError(_("Enter a time between 1 minute and 365 days."))
        self.instance.resolution_minutes = minutes
        return norm


@admin.register(Priority)
class PriorityAdmin(LookupAdmin):
    form = PriorityForm
    list_display = ("code", "name_nl", "name_en", "level", "resolution_time", "order", "active")

    @admin.display(description=_("Resolution time allowed"), ordering="resolution_minutes")
    def resolution_time(self, obj: Priority) -> str:
        return format_duration(obj.resolution_minutes)


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


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Service levels are configured in the product's screens (/sla/) and the API, through
# services.sla_config (validation, history, cache); here they can only be read. The business
# calendars' admin is the calendars app's.
class SlaTargetInline(_ReadOnlyInline):
    model = SlaTarget
    fields = ("priority", "response_minutes", "resolution_minutes", "update_minutes")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ReadOnlyAdmin):
    list_display = ("name", "calendar", "order", "at_risk_percent", "active")
    list_filter = ("active", "calendar")
    inlines = [SlaTargetInline]


@admin.register(OlaTarget)
class OlaTargetAdmin(ReadOnlyAdmin):
    """OLA per operator group: how long a melding may stay with the group, in business minutes."""

    list_display = ("operator_group", "priority", "minutes", "calendar", "at_risk_percent", "active")
    list_filter = ("active", "operator_group", "priority")
    fields = ("operator_group", "priority", "minutes", "calendar", "at_risk_percent", "active")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("operator_group", "priority", "calendar")
