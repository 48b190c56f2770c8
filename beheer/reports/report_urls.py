from django.urls import path

from . import availability_views
from . import report_views as views

urlpatterns = [
    path("", views.report, name="reports"),
    path("export.csv", views.export_csv, name="report-export-csv"),
    path("export.xlsx", views.export_xlsx, name="report-export-xlsx"),
    path("monthly/", views.monthly, name="report-monthly"),
    path("monthly.pdf", views.monthly_pdf, name="report-monthly-pdf"),
    path("availability/", availability_views.report, name="report-availability"),
    path("availability.csv", availability_views.export_csv, name="report-availability-csv"),
    path("availability.xlsx", availability_views.export_xlsx, name="report-availability-xlsx"),
    path("schedules/", views.schedules, name="report-schedules"),
    path("schedules/<int:pk>/cancel/", views.schedule_cancel, name="report-schedule-cancel"),
    path("runs/<int:pk>/download/", views.run_download, name="report-run-download"),
]
