"""What security adds to the apps below it, registered once from `SecurityConfig.ready()`.

Each area of the app adds its registrations to `register()`."""

from __future__ import annotations

_registered = False


def register() -> None:
    global _registered
    if _registered:
        return
    _registered = True
    _register_measures()
    _register_risks()
    _register_incidents()
    _register_privacy()


def _register_measures() -> None:
    """Measures: the dashboard's maturity section and the review reminders' periodic job."""
    from .dashboard import Section, register_section
    from .services.measures import jobs, overview

    assert jobs.__name__  # imported for its @periodic registration (security.remind_measure_reviews)
    register_section(Section(10, "security/measures/_dashboard.html", overview.dashboard_context))


def _register_risks() -> None:
    """Risks and classification: a dashboard section, the CI page's classification panel and the
    hourly review reminder of risks (a periodic job registered on import)."""
    from beheer.cmdb import extensions as cmdb_extensions

    from .dashboard import Section, register_section
    from .services.risks import reminders  # noqa: F401 - registers the periodic job
    from .views.risks_sections import ci_section, dashboard_context

    register_section(Section(20, "security/risks/_dashboard.html", dashboard_context))
    cmdb_extensions.register_page_section(
        cmdb_extensions.PageSection("security.classification", ci_section, order=55)
    )


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


def _register_privacy() -> None:
    """Privacy: the retention job, hourly (each run stops after its time budget; the next goes on),
    and the dashboard's privacy section."""
    from datetime import timedelta

    from beheer.core import scheduler

    from .dashboard import Section, register_section
    from .services.privacy import scheduled_retention
    from .views.privacy import dashboard_section

    scheduler.periodic(every=timedelta(hours=1), name="security.privacy_retention")(scheduled_retention)
    register_section(Section(40, "security/privacy/_dashboard.html", dashboard_section))
