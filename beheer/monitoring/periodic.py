"""Periodic jobs of the monitoring app (registered in code, run by `beheer worker`)."""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from . import services


@periodic(every=timedelta(seconds=30), name="monitoring.sweep_overdue_pushes")
def sweep_overdue_pushes() -> int:
    return services.sweep_overdue_pushes()


@periodic(every=timedelta(seconds=60), name="monitoring.roll_up")
def roll_up() -> int:
    return services.roll_up()
