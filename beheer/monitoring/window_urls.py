"""The maintenance window screens, included under /monitoring/ in the "monitoring" namespace."""

from django.urls import path

from . import window_views

urlpatterns = [
    path("windows/", window_views.window_list, name="window-list"),
    path("windows/new/", window_views.window_create, name="window-create"),
    path("windows/preview/", window_views.window_preview, name="window-preview"),
    path("windows/<int:pk>/edit/", window_views.window_edit, name="window-edit"),
    path("windows/<int:pk>/delete/", window_views.window_delete, name="window-delete"),
    path("windows/<int:pk>/end/", window_views.window_end, name="window-end"),
]
