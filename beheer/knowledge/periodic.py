"""Periodic jobs of the knowledge base (registered in code, run by `beheer worker`)."""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from . import services


@periodic(every=timedelta(days=1), name="knowledge.purge_deflection_events")
def purge_deflection_events() -> int:
    return services.purge_deflection_events()
