"""Periodic jobs of operations management (registered in code, run by `beheer worker`)."""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from . import services


@periodic(every=timedelta(hours=1), name="operations.generate_occurrences")
def generate_occurrences() -> int:
    """Create the occurrences of every active series ahead of time; safe to run twice."""
    return services.generate_occurrences()


@periodic(every=timedelta(minutes=5), name="operations.send_reminders")
def send_reminders() -> int:
    """Tell people an occurrence is due or overdue; once per occurrence and event, safe to run twice."""
    return services.send_reminders()
