from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLResolver, include, path
from django.utils.translation import gettext_lazy
from django.views.i18n import set_language
from django_tasks_db.models import DBTaskResult

from beheer.accounts.admin import own_password_change_view
from beheer.api import api
from beheer.core import access
from beheer.core.admin import task_result_admin
from beheer.monitoring.urls import public_urlpatterns as monitoring_public_urlpatterns

urlpatterns = [
    path("api/v1/", api.urls),
    # The admin's own "change my password" page, through the account services (recorded in history).
    path("beheer-admin/password_change/", own_password_change_view, name="admin-own-password-change"),
    path("beheer-admin/", admin.site.urls),
    path("i18n/setlang/", access.gate(access.PUBLIC)(set_language), name="set_language"),
    path("", include("beheer.accounts.urls")),
    path("", include("beheer.reports.urls")),
    path("", include("beheer.notifications.urls")),
    path("", include("beheer.servicedesk.suggestions.urls")),
    path("", include("beheer.servicedesk.urls")),
    path("", include("beheer.mailintake.urls")),
    path("", include("beheer.servicedesk.sla.urls")),
    path("", include("beheer.calendars.urls")),
    path("", include("beheer.problems.urls")),
    path("", include("beheer.knowledge.urls")),
    path("monitoring/", include("beheer.monitoring.urls")),
    path("", include(monitoring_public_urlpatterns)),
    path("", include("beheer.operations.urls")),
    path("", include("beheer.rights.urls")),
    path("", include("beheer.changes.urls")),
    path("", include("beheer.testing.urls")),
    path("", include("beheer.security.urls")),
    path("cmdb/", include("beheer.cmdb.urls")),
]


def _guards_itself(resolver: URLResolver) -> bool:
    """The Django admin checks its own (administrator) access; the API's operations are guarded by
    beheer/api.py."""
    return resolver.app_name in ("admin", "api") or getattr(resolver, "namespace", None) in ("admin", "api")


# Every page behind the gate its module or view declares (core/access.py); a page without one stops
# the start with ImproperlyConfigured.
UNGUARDED = access.guard_urlpatterns(urlpatterns, skip=_guards_itself)

handler400 = "beheer.api.bad_request"  # JSON under /api/ (a body too large, too many fields)

admin.site.site_header = "Beheer"
admin.site.site_title = "Beheer"
admin.site.index_title = gettext_lazy("Configuration")

# Beheer opens admin screens by role (core/admin_base.py), never by Django's groups and permissions,
# whose names Django writes in English only: a screen for groups would grant nothing and could not
# speak Dutch.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

# django-tasks' task results, with translated column names.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
    admin.site.register(DBTaskResult, task_result_admin())
