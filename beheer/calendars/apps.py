from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    """Time without a domain: recurring windows (RRULE), and the calendars the SLA clock, reports,
    monitoring and operations count in."""

    name = "beheer.calendars"
    label = "calendars"
    verbose_name = _("Calendars")
