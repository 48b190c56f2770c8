"""Periodic jobs of the notifications app (registered in code, run by `beheer worker`)."""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from . import services


@periodic(every=timedelta(minutes=1), name="notifications.send_due")
def send_due() -> dict[str, int]:
    """The safety net: sends what the after-commit task did not (a stopped worker, retries)."""
    return services.send_due()
