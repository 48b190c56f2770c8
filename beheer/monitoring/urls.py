"""The monitoring screens, included under /monitoring/ with the namespace "monitoring": the
read-only screens here, the check definition screens in check_urls.py, the maintenance window
screens in window_urls.py."""

from django.urls import include, path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("checks/<int:pk>/", views.check_detail, name="check-detail"),
    path("", include("beheer.monitoring.check_urls")),
    path("", include("beheer.monitoring.window_urls")),
]
