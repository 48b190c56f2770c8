"""Periodic jobs of the CMDB (registered in code, run by `beheer worker`)."""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from .services import reminders
from .services.imports import jobs


@periodic(every=timedelta(hours=1), name="cmdb.send_reminders")
def send_reminders() -> int:
    """Remind owners of licences about to expire and contracts whose notice date is near; once per
    record and deadline, safe to run twice."""
    return reminders.send_reminders()


@periodic(every=timedelta(minutes=15), name="cmdb.sweep_import_jobs")
def sweep_import_jobs() -> int:
    """Remove uploaded files nobody confirmed within the hour and import jobs older than a month."""
    return jobs.sweep_jobs()
