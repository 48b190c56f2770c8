"""Periodic jobs of the access rights register (registered in code, run by `beheer worker`)."""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from . import services


@periodic(every=timedelta(hours=1), name="rights.expire_rights")
def expire_rights() -> int:
    """Mark granted rights past their valid-until date expired; safe to run twice."""
    return services.expire_rights()


@periodic(every=timedelta(hours=1), name="rights.review_campaigns")
def review_campaigns() -> int:
    """Close the campaigns whose deadline has passed, then remind the reviewers of the open ones
    (at most once a day per reviewer and campaign); safe to run twice."""
    return services.close_due_campaigns() + services.send_review_reminders()
