"""What security adds to the apps below it, registered once from `SecurityConfig.ready()`.

Each area of the app adds its registrations to `register()`."""

from __future__ import annotations

_registered = False


def register() -> None:
    global _registered
    if _registered:
        return
    _registered = True

    # measures: the dashboard's maturity section and the review reminders' periodic job
    from .dashboard import Section, register_section
    from .services.measures import jobs, overview

    assert jobs.__name__  # imported for its @periodic registration (security.remind_measure_reviews)
    register_section(Section(10, "security/measures/_dashboard.html", overview.dashboard_context))
