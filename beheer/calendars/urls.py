"""The business-calendar screens (coordinators and administrators), among the service-level pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("sla/calendars/", views.calendar_list, name="sla-calendars"),
    path("sla/calendars/new/", views.calendar_edit, name="sla-calendar-new"),
    path("sla/calendars/<int:pk>/", views.calendar_edit, name="sla-calendar-edit"),
    path("sla/calendars/<int:pk>/archive/", views.calendar_archive, name="sla-calendar-archive"),
]
