"""Configuration screens in the Django admin, open to coordinators and administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from beheer.core import access

from . import config_cache
from .errors import DomainError


class ConfigAdmin(admin.ModelAdmin):
    """Business configuration (categories, statuses, groups, ...): coordinators and administrators."""

    def _allowed(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_authenticated and access.is_coordinator(user))

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
        return bool(user.is_authenticated and access.is_administrator(user))


class ReadOnlyAdmin(ConfigAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceDeleteMixin(admin.ModelAdmin):
    """Deletes through the owning app's service instead of the admin's own: the delete page and the
    "delete selected" action call `delete_through_service(request, obj)` for each object. A refusal
    (DomainError) deletes nothing of that object and shows its message, never a 500; in the action
    it costs only its own object. Put it first among the bases."""

    def delete_through_service(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_through_service(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            try:
                self.delete_through_service(request, obj)
            except DomainError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
