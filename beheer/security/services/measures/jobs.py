"""The periodic job of the measures register (registered when the app is ready, see extensions)."""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from .reminders import remind_review_due


@periodic(every=timedelta(hours=1), name="security.remind_measure_reviews")
def remind_measure_reviews() -> int:
    """Remind owners of implementations whose review date has come; once per review date."""
    return remind_review_due()
