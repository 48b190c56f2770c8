"""Configuration screens in the Django admin, open to coordinators and administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import config_cache


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

    # Configuration changes clear this process's configuration cache at once (other processes
    # follow within BEHEER_CONFIG_CACHE_SECONDS).
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        config_cache.clear()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        config_cache.clear()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        config_cache.clear()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        config_cache.clear()


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
