"""People and the organisation in the Django admin.

The person pages write only through the account services (`services.register_person`, `edit_person`,
`change_role`, `activate_person`/`deactivate_person`, `set_password`, `delete_person`), so the admin is
not a second write path past their rules: a coordinator manages callers, operators and coordinators;
only administrators manage administrators and set somebody else's password; nobody gives a role above
their own; the last active administrator stays. Forms check the same rules first, so a refusal shows
as a form error; the service checks them again under row locks.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.forms import AdminPasswordChangeForm as OwnPasswordChangeFormBase
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from beheer.core import access
from beheer.core.admin_base import AdministratorAdmin, ConfigAdmin, ReadOnlyAdmin, ServiceDeleteMixin
from beheer.core.errors import DomainError

from . import extensions, services
from .models import ApiToken, Branch, Department, Location, OperatorGroup, PersonHistoryEntry, Role, User

HISTORY_ROWS = 50


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class PersonChangeForm(UserChangeForm):
    """The person form; `actor` is set per request by `PersonAdmin.get_form`."""

    actor: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person = self.instance
        try:
            services.check_access_change(
                person,
                role=data.get("role", person.role),
                is_active=data.get("is_active", person.is_active),
                actor=self.actor,
            )
        except DomainError as exc:
            raise ValidationError(exc.message) from None
        return data


class PersonCreationForm(AdminUserCreationForm):
    actor: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("first_name", "").strip() or data.get("last_name", "").strip()):
            self.add_error("last_name", gettext("A name is required."))
        role = data.get("role", Role.CALLER)
        if role not in services.assignable_roles(self.actor):
            self.add_error("role", gettext("You cannot give anyone a role above your own."))
        return data


@admin.register(User)
class PersonAdmin(ServiceDeleteMixin, UserAdmin, ConfigAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    change_password_form = AdminPasswordChangeForm
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
    readonly_fields = ("history_table", "related_sections")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Only administrators make people security or privacy officer."""
        fields = tuple(super().get_readonly_fields(request, obj))
        if _actor(request).is_administrator:
            return fields
        return (*fields, "security_officer", "privacy_officer")

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
        (_("Access"), {"fields": ("role", "is_active", "security_officer", "privacy_officer")}),
        (_("History"), {"fields": ("history_table",)}),
        (_("Elsewhere in Beheer"), {"fields": ("related_sections",)}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    # --- who sees and edits what -------------------------------------------------------------------

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self._allowed(request):
            return False
        return obj is None or services.may_manage(_actor(request), obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self._allowed(request):
            return False
        return obj is None or (services.may_manage(_actor(request), obj) and obj.pk != request.user.pk)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or _actor(request).is_administrator:
            return fieldsets
        # No password link for anybody but administrators (who set passwords of others); a
        # coordinator changes their own password on the site's own password page.
        first = (None, {"fields": tuple(f for f in fieldsets[0][1]["fields"] if f != "password")})
        return (first, *fieldsets[1:])

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        form_class.actor = _actor(request)  # type: ignore[attr-defined]
        return form_class

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            allowed = services.assignable_roles(_actor(request))
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description=_("Held elsewhere"))
    def related_sections(self, obj: User) -> str:
        """What the apps above accounts hold about the person (`extensions.py`), e.g. access rights."""
        if obj is None or obj.pk is None:
            return ""
        return extensions.render_person_sections(obj) or gettext("Nothing recorded.")

    @admin.display(description=_("History"))
    def history_table(self, obj: User) -> str:
        if obj is None or obj.pk is None:
            return ""
        rows = list(
            PersonHistoryEntry.objects.filter(person=obj)
            .select_related("actor")
            .order_by("-at", "-id")[:HISTORY_ROWS]
        )
        if not rows:
            return gettext("No changes recorded yet.")
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M"),
                    str(row.actor) if row.actor else gettext("system"),
                    row.get_action_display(),
                    row.old_display,
                    row.new_display,
                )
                for row in rows
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("When"),
            gettext("By"),
            gettext("Action"),
            gettext("Old value"),
            gettext("New value"),
            body,
        )

    # --- writes through the services ----------------------------------------------------------------

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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = _actor(request)
        if not change:
            data = form.cleaned_data
            created = services.register_person(
                actor=actor,
                username=data["username"],
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
                role=data.get("role", Role.CALLER),
                password=data.get("password1") if data.get("set_usable_password") else None,
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            obj._state.adding = False
            return
        original = User.objects.get(pk=obj.pk)
        services.edit_person(
            original,
            actor=actor,
            username=obj.username,
            first_name=obj.first_name,
            last_name=obj.last_name,
            email=obj.email,
            phone=obj.phone,
            mobile=obj.mobile,
            employee_number=obj.employee_number,
            job_title=obj.job_title,
            language=obj.language,
            branch=obj.branch,
            department=obj.department,
            location=obj.location,
        )
        if services.effective_role(original) != obj.role:
            services.change_role(original, role=obj.role, actor=actor)
        marks = (obj.security_officer, obj.privacy_officer)
        if marks != (original.security_officer, original.privacy_officer):
            services.set_officer_marks(
                original, security_officer=marks[0], privacy_officer=marks[1], actor=actor
            )
        if original.is_active != obj.is_active:
            if obj.is_active:
                services.activate_person(original, actor=actor)
            else:
                services.deactivate_person(original, actor=actor)
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The person form has no many-to-many fields of its own (groups are edited on the group)."""

    def delete_through_service(self, request: HttpRequest, obj: User) -> None:
        services.delete_person(obj, actor=_actor(request))

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Set somebody's password: administrators only, through `services.set_password`."""
        actor = _actor(request)
        if not actor.is_administrator:
            raise DjangoPermissionDenied
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404
        if request.method == "POST":
            form = self.change_password_form(user, request.POST)
            if form.is_valid():
                try:
                    if form.cleaned_data["set_usable_password"]:
                        services.set_password(user, password=form.cleaned_data["password1"], actor=actor)
                        message = gettext("Password changed successfully.")
                    elif "unset-password" in request.POST:
                        services.disable_password(user, actor=actor)
                        message = gettext("Password-based authentication was disabled.")
                    else:
                        self.message_user(
                            request,
                            gettext("Conflicting form data submitted. Please try again."),
                            messages.ERROR,
                        )
                        return HttpResponseRedirect(request.get_full_path())
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    self.log_change(request, user, [{"changed": {"fields": ["password"]}}])
                    self.message_user(request, message, messages.SUCCESS)
                    if user.pk == actor.pk:
                        update_session_auth_hash(request, user)
                    return HttpResponseRedirect(
                        reverse(f"{self.admin_site.name}:accounts_user_change", args=(user.pk,))
                    )
        else:
            form = self.change_password_form(user)
        fieldsets = [(None, {"fields": list(form.base_fields)})]
        title = _("Change password: %s") if user.has_usable_password() else _("Set password: %s")
        context = {
            "title": title % user.get_username(),
            "adminForm": helpers.AdminForm(form, fieldsets, {}),  # type: ignore[arg-type]
            "form_url": form_url,
            "form": form,
            "is_popup": False,
            "add": True,
            "change": False,
            "has_delete_permission": False,
            "has_change_permission": True,
            "has_absolute_url": False,
            "opts": self.opts,
            "original": user,
            "save_as": False,
            "show_save": True,
            **self.admin_site.each_context(request),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/auth/user/change_password.html", context)


class OwnPasswordChangeForm(OwnPasswordChangeFormBase):
    """The site's own "change my password" page, through `services.set_password` (recorded)."""

    def save(self, commit: bool = True) -> Any:
        return services.set_password(self.user, password=self.cleaned_data["new_password1"], actor=self.user)


def own_password_change(request: HttpRequest) -> HttpResponseBase:
    """Replaces the admin site's password_change view (see beheer/urls.py)."""
    site = admin.site
    request.current_app = site.name
    return PasswordChangeView.as_view(
        form_class=OwnPasswordChangeForm,
        success_url=reverse("admin:password_change_done", current_app=site.name),
        extra_context=site.each_context(request),
    )(request)


# The admin site's login check guards it (admin_view), like every admin page.
own_password_change_view = access.gate(access.PUBLIC)(admin.site.admin_view(own_password_change))


@admin.register(PersonHistoryEntry)
class PersonHistoryAdmin(ReadOnlyAdmin):
    list_display = ("at", "username", "action", "field", "old_display", "new_display", "actor")
    list_filter = ("action",)
    search_fields = ("username",)
    list_select_related = ("actor",)
    ordering = ("-at", "-id")
    # The stored codes (a role's value) are shown in the reader's language on the detail page too.
    fields = ("at", "username", "person", "actor", "action", "field", "old_display", "new_display", "detail")
    readonly_fields = fields

    @admin.display(description=_("old value"))
    def old_display(self, obj: PersonHistoryEntry) -> str:
        return obj.old_display

    @admin.display(description=_("new value"))
    def new_display(self, obj: PersonHistoryEntry) -> str:
        return obj.new_display


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
