from django.urls import path

from . import dashboard

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("figures/", dashboard.dashboard_figures, name="dashboard-figures"),
]
