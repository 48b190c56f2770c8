"""The monitoring screens, included under /monitoring/ with the namespace "monitoring": the status
overview and check pages, the check definition screens, the maintenance window screens and
discovery over SNMP; and the public status pages (`public_urlpatterns`), included at the root
without a namespace."""

from django.urls import path

from .views import checks, discovery, overview, public, windows

app_name = "monitoring"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("checks/<int:pk>/", overview.check_detail, name="check-detail"),
    # defining checks
    path("checks/manage/", checks.check_manage, name="check-manage"),
    path("checks/new/", checks.check_create, name="check-create"),
    path("checks/kind-fields/", checks.check_kind_fields, name="check-kind-fields"),
    path("checks/<int:pk>/edit/", checks.check_edit, name="check-edit"),
    path("checks/<int:pk>/delete/", checks.check_delete, name="check-delete"),
    path("checks/<int:pk>/pause/", checks.check_pause, name="check-pause"),
    # maintenance windows
    path("windows/", windows.window_list, name="window-list"),
    path("windows/new/", windows.window_create, name="window-create"),
    path("windows/preview/", windows.window_preview, name="window-preview"),
    path("windows/<int:pk>/edit/", windows.window_edit, name="window-edit"),
    path("windows/<int:pk>/delete/", windows.window_delete, name="window-delete"),
    path("windows/<int:pk>/end/", windows.window_end, name="window-end"),
    # discovery of a CI's interfaces over SNMP
    path("discovery/<int:item_id>/", discovery.discover, name="discovery"),
    path("discovery/<int:item_id>/apply/", discovery.discover_apply, name="discovery-apply"),
]

# /status/<slug>/ (no login), outside the namespace
public_urlpatterns = [path("status/<slug:slug>/", public.status_page, name="status-page")]
