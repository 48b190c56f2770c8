"""The monitoring screens under /monitoring/ (namespace "monitoring").

Minimal: only the check definition screens (check_urls.py). The read-only screens (overview, check
detail, reports) add their own patterns here.
"""

from django.urls import include, path

app_name = "monitoring"

urlpatterns = [
    path("", include("beheer.monitoring.check_urls")),
]
