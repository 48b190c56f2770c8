"""Reports: the coordinators' dashboard, management reports and the SLA executability check."""

from django.urls import include, path

urlpatterns = [
    path("dashboard/", include("beheer.reports.dashboard_urls")),
    path("reports/", include("beheer.reports.report_urls")),
    path("reports/sla-check/", include("beheer.reports.sla_check_urls")),
]
