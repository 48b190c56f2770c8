"""Periodic jobs of the reports app (registered in code, run by `beheer worker`)."""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from . import services


@periodic(every=timedelta(minutes=15), name="reports.run_due_reports")
def run_due_reports() -> int:
    return services.run_due_reports()
