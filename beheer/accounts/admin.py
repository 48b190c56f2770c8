from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from beheer.core.admin_base import AdministratorAdmin, ConfigAdmin

from .models import ApiToken, Branch, Department, Location, OperatorGroup, User


@admin.register(User)
class PersonAdmin(UserAdmin, ConfigAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "department",
        "branch",
        "is_active",
    )
    list_filter = ("role", "is_active", "department", "branch")
    search_fields = ("username", "first_name", "last_name", "email", "employee_number")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Person"),
            {
                "fields": (
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "mobile",
                    "employee_number",
                    "job_title",
                    "language",
                )
            },
        ),
        (_("Organisation"), {"fields": ("branch", "department", "location")}),
        (_("Access"), {"fields": ("role", "is_active")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "first_name", "last_name", "email", "role", "password1", "password2"),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        # Roles decide access to this configuration site; keep the Django flags in step.
        obj.is_staff = obj.role in ("coordinator", "admin")
        if not request.user.is_administrator:
            obj.is_superuser = False
            if obj.role == "admin":
                obj.role = "coordinator"
        else:
            obj.is_superuser = obj.role == "admin"
        super().save_model(request, obj, form, change)


@admin.register(OperatorGroup)
class OperatorGroupAdmin(ConfigAdmin):
    list_display = ("name", "is_first_line", "is_second_line", "coordinator", "active")
    list_filter = ("is_first_line", "is_second_line", "active")
    filter_horizontal = ("members",)
    search_fields = ("name",)


@admin.register(Branch)
class BranchAdmin(ConfigAdmin):
    list_display = ("name", "city", "phone")
    search_fields = ("name", "city")


@admin.register(Department)
class DepartmentAdmin(ConfigAdmin):
    list_display = ("name", "cost_centre")
    search_fields = ("name",)


@admin.register(Location)
class LocationAdmin(ConfigAdmin):
    list_display = ("name", "branch")
    list_filter = ("branch",)
    search_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(AdministratorAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = ("user", "prefix", "digest", "created_at", "last_used_at")
    exclude = ("digest",)

    def has_add_permission(self, request, *args):
        return False
