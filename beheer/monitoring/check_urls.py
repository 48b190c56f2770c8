"""The check definition screens, included under /monitoring/ in the "monitoring" namespace."""

from django.urls import path

from . import check_views

urlpatterns = [
    path("checks/manage/", check_views.check_manage, name="check-manage"),
    path("checks/new/", check_views.check_create, name="check-create"),
    path("checks/kind-fields/", check_views.check_kind_fields, name="check-kind-fields"),
    path("checks/<int:pk>/edit/", check_views.check_edit, name="check-edit"),
    path("checks/<int:pk>/delete/", check_views.check_delete, name="check-delete"),
    path("checks/<int:pk>/pause/", check_views.check_pause, name="check-pause"),
]
