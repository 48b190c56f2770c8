"""Periodic jobs of the servicedesk (registered in code, run by `beheer worker`)."""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from . import services


@periodic(every=timedelta(minutes=15), name="servicedesk.auto_close_resolved")
def auto_close_resolved() -> int:
    return services.auto_close_resolved()


@periodic(every=timedelta(minutes=1), name="servicedesk.sweep_sla")
def sweep_sla() -> int:
    return services.sweep_sla()


@periodic(every=timedelta(days=1), name="servicedesk.purge_deflection_events")
def purge_deflection_events() -> int:
    return services.purge_deflection_events()
