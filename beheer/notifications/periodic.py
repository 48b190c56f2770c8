"""Periodic jobs of the notifications app (registered in code, run by `beheer worker`)."""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from . import services


@periodic(every=timedelta(seconds=5), name="notifications.send_due")
def send_due() -> dict[str, int]:
    """Sends what is due: new messages within seconds of their commit, and the retries."""
    return services.send_due()
