"""Configuration screens in the Django admin, open to coordinators and administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ConfigAdmin(admin.ModelAdmin):
    """Business configuration (categories, statuses, groups, ...): coordinators and administrators."""

    def _allowed(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_authenticated and getattr(user, "is_coordinator", False))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Lookup values in use are protected by the database; deactivate instead of deleting.
        return self._allowed(request)


class AdministratorAdmin(ConfigAdmin):
    def _allowed(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_authenticated and getattr(user, "is_administrator", False))


class ReadOnlyAdmin(ConfigAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
