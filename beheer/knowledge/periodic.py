"""Periodic jobs of the knowledge base (registered in code, run by `beheer worker`).

All are safe to run twice and on two machines at once: each reminder is recorded once per due date
or per acknowledgement round, and its outbox key names that occasion.
"""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from . import services


@periodic(every=timedelta(hours=1), name="knowledge.remind_review_due")
def remind_review_due() -> int:
    return services.remind_review_due()


@periodic(every=timedelta(hours=1), name="knowledge.remind_acknowledgements")
def remind_acknowledgements() -> int:
    return services.remind_acknowledgements()
