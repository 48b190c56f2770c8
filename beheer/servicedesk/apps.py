from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "beheer.servicedesk"
    label = "servicedesk"
    verbose_name = _("Servicedesk")

    def ready(self) -> None:
        """The SLA policies and OLA targets count in the calendars app's business calendars: they
        keep a calendar in use from being archived, a calendar's changes go into the service-level
        history and make the OLA figures be recomputed, and the calendar screens sit among the
        service-level tabs."""
        from beheer.calendars import extensions

        from . import configuration_items
        from .services import sla_config

        configuration_items.register()  # the CMDB's trouble source and CI page section: meldingen

        extensions.register(
            extensions.CalendarUse(
                "servicedesk",
                refuse_archive=sla_config.refuse_calendar_archive,
                dependents=sla_config.calendar_policies,
                changed=sla_config.calendar_changed,
                record=sla_config.record_calendar_change,
                history=sla_config.calendar_history,
                nav_template="servicedesk/sla/_nav.html",
            )
        )
