"""Reports: the coordinators' dashboard, management reports and the SLA executability check."""

from django.urls import path

from .views import availability, dashboard, reports, sla_check

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/figures/", dashboard.dashboard_figures, name="dashboard-figures"),
    path("reports/", reports.report, name="reports"),
    path("reports/export.csv", reports.export_csv, name="report-export-csv"),
    path("reports/export.xlsx", reports.export_xlsx, name="report-export-xlsx"),
    path("reports/monthly/", reports.monthly, name="report-monthly"),
    path("reports/monthly.pdf", reports.monthly_pdf, name="report-monthly-pdf"),
    path("reports/availability/", availability.report, name="report-availability"),
    path("reports/availability.csv", availability.export_csv, name="report-availability-csv"),
    path("reports/availability.xlsx", availability.export_xlsx, name="report-availability-xlsx"),
    path("reports/schedules/", reports.schedules, name="report-schedules"),
    path("reports/schedules/<int:pk>/cancel/", reports.schedule_cancel, name="report-schedule-cancel"),
    path("reports/runs/<int:pk>/download/", reports.run_download, name="report-run-download"),
    path("reports/sla-check/", sla_check.sla_check_view, name="sla-check"),
]
