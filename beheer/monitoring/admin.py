"""Monitoring in the Django admin.

The admin is not a second write path past the services' rules. Checks and maintenance windows have
their own screens (views/checks.py, views/windows.py), which write through the services (per-kind
target cleaning, the parent-cycle check, the fresh state on a kind change, the secrets that follow
the target, the rules that keep a window evaluable, the version running monitors and concurrent
editors rely on): here they are read-only, with links to those screens. Alert sources have no screen
of their own, so their admin pages write only through the alert source services
(`create_alert_source`, `update_alert_source`, `delete_alert_source`); the form checks the same
rules first, so a refusal shows as a form error. Public status pages are plain configuration.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from beheer.accounts.models import User
from beheer.core import access
from beheer.core.admin_base import ConfigAdmin, ReadOnlyAdmin, ServiceDeleteMixin
from beheer.core.errors import DomainError

from . import services
from .models import AlertSource, Check, CheckKind, MaintenanceWindow, StatusPage, StatusPageEntry


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class ProductScreenAdmin(ReadOnlyAdmin):
    """Read-only in the admin: the object is created, changed and deleted on Beheer's own screen
    (through the services), which the change page and the list link to."""

    change_form_template = "admin/monitoring/product_screen_change_form.html"
    change_list_template = "admin/monitoring/product_screen_change_list.html"
    edit_url_name = ""  # the product screen of one object, given its primary key
    list_url_name = ""
    edit_label: str | Promise = ""
    list_label: str | Promise = ""

    def product_screen(self, obj: Any = None) -> dict[str, Any]:
        return {
            "edit_url": reverse(self.edit_url_name, args=[obj.pk]) if obj is not None and obj.pk else "",
            "edit_label": self.edit_label,
            "list_url": reverse(self.list_url_name),
            "list_label": self.list_label,
        }

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        context = {**(extra_context or {}), "product_screen": self.product_screen()}
        return super().changelist_view(request, context)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        context["product_screen"] = self.product_screen(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Check)
class CheckAdmin(ProductScreenAdmin):
    edit_url_name = "monitoring:check-edit"
    list_url_name = "monitoring:check-manage"
    edit_label = _("Edit check")
    list_label = _("All checks")

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
    search_fields = ("name", "target", "host", "tags")  # also the status page's check autocomplete
    readonly_fields = ("ping_url",)
    exclude = ("created_by", "created_at", "options")  # options hold encrypted secrets

    @admin.display(description=_("ping URL"))
    def ping_url(self, obj: Check) -> str:
        if obj.kind != CheckKind.PUSH or not obj.push_token:
            return "—"
        path = reverse("api:ping", args=[obj.push_token])
        return str(settings.SITE_URL).rstrip("/") + path


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(ProductScreenAdmin):
    edit_url_name = "monitoring:window-edit"
    list_url_name = "monitoring:window-list"
    edit_label = _("Edit maintenance window")
    list_label = _("All maintenance windows")

    list_display = ("name", "start", "duration_minutes", "rule", "tags", "hosts", "active")
    list_filter = ("active",)


class AlertSourceForm(forms.ModelForm):
    """The alert source services' rules, checked first so a refusal shows as a form error."""

    class Meta:
        model = AlertSource
        fields = ["name", "operator_group", "impact", "urgency", "resolve_on_resolved", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.check_alert_source(
                name=data.get("name") or "", operator_group=data.get("operator_group")
            )
        except DomainError as exc:
            for name, message in (exc.field_errors or {"name": exc.message}).items():
                if name not in self.errors:  # the field's own message (too long, say) is enough
                    self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(AlertSource)
class AlertSourceAdmin(ServiceDeleteMixin, ConfigAdmin):
    """Alertmanager sources: coordinators see them, administrators (as the services require) add,
    change and delete them through the services; the webhook URL (with its secret token) is shown
    once, after adding."""

    form = AlertSourceForm
    list_display = ("name", "operator_group", "resolve_on_resolved", "active")
    list_filter = ("active",)

    def _may_configure(self, request: HttpRequest) -> bool:
        return self._allowed(request) and bool(access.is_administrator(request.user))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may_configure(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_configure(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_configure(request)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:  # refused by a service (after the form's own check): nothing saved
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: AlertSource, form: Any, change: bool) -> None:
        data = form.cleaned_data
        values = {
            "name": data["name"],
            "operator_group": data.get("operator_group"),
            "impact": data.get("impact"),
            "urgency": data.get("urgency"),
            "resolve_on_resolved": data.get("resolve_on_resolved", False),
            "active": data.get("active", False),
        }
        if change:
            services.update_alert_source(obj, actor=_actor(request), **values)
            obj.refresh_from_db()
            return
        saved, token = services.create_alert_source(actor=_actor(request), **values)
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False
        url = str(settings.SITE_URL).rstrip("/") + reverse("api:alertmanager", args=[token])
        self.message_user(
            request,
            _("Webhook URL for Alertmanager (shown only now; keep it secret): %(url)s") % {"url": url},
            messages.WARNING,
        )

    def delete_through_service(self, request: HttpRequest, obj: AlertSource) -> None:
        services.delete_alert_source(obj, actor=_actor(request))


class StatusPageEntryInline(admin.TabularInline):
    model = StatusPageEntry
    extra = 1
    autocomplete_fields = ("check_obj",)

    # the same people as the page itself (ConfigAdmin), not Django's model permissions
    def _allowed(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_authenticated and access.is_coordinator(user))

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
    """Public status pages have no screen of their own and no rules beyond their fields: the admin
    is where they are configured."""

    list_display = ("title", "slug", "active")
    list_filter = ("active",)
    search_fields = ("title", "slug")
    inlines = (StatusPageEntryInline,)
