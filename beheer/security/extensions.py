"""What security adds to the apps below it, registered once from `SecurityConfig.ready()`.

Each area of the app adds its registrations to `register()`."""

from __future__ import annotations

_registered = False


def register() -> None:
    global _registered
    if _registered:
        return
    _registered = True

    # privacy: the retention job, hourly (each run stops after its time budget; the next goes on)
    from datetime import timedelta

    from beheer.core import scheduler

    from .services.privacy import scheduled_retention

    scheduler.periodic(every=timedelta(hours=1), name="security.privacy_retention")(scheduled_retention)

    from .dashboard import Section, register_section
    from .views.privacy import dashboard_section

    register_section(Section(40, "security/privacy/_dashboard.html", dashboard_section))
