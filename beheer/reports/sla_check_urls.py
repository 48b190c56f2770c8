from django.urls import path

from .sla_check_views import sla_check_view

urlpatterns = [
    path("", sla_check_view, name="sla-check"),
]
