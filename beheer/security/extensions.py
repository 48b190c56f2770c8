"""What security adds to the apps below it, registered once from `SecurityConfig.ready()`.

Each area of the app adds its registrations to `register()`."""

from __future__ import annotations

_registered = False


def register() -> None:
    global _registered
    if _registered:
        return
    _registered = True
    _register_incidents()


def _register_incidents() -> None:
    """Security incidents: the melding page's panel and API key, the dashboard's deadlines, and the
    periodic job that warns the security officers before a reporting deadline passes."""
    from beheer.servicedesk import extensions as servicedesk

    from . import dashboard
    from .services import incidents_warnings  # noqa: F401 - registers the periodic job
    from .views.incidents_sections import dashboard_context, melding_detail, melding_section

    servicedesk.register_page_section(
        servicedesk.PageSection("security_incident", melding_section, related=("security_incident",))
    )
    servicedesk.register_detail_field(
        servicedesk.DetailField("security_incident", melding_detail, related=("security_incident",))
    )
    dashboard.register_section(dashboard.Section(30, "security/incidents/_dashboard.html", dashboard_context))
