"""The monitoring screens, included under /monitoring/ with the namespace "monitoring"."""

from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("checks/<int:pk>/", views.check_detail, name="check-detail"),
]
