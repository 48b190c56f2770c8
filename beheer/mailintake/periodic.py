"""The periodic job that reads the mailboxes (run by `beheer worker`).

A run stops after a time budget well below the interval (the worker's other jobs, such as sending
notifications every five seconds, wait meanwhile); what is left is read in the next run. Each message
is committed before it is acknowledged on the server, so two workers reading the same mailbox at once
cannot register a message twice.

The job was `servicedesk.poll_mailboxes` while the intake was part of the servicedesk; migration
0001 renamed its stored run, so its schedule and error record carry over.
"""

from __future__ import annotations

from datetime import timedelta

from beheer.core.scheduler import periodic

from . import services

TIME_BUDGET_SECONDS = 20.0


@periodic(every=timedelta(minutes=1), name="mailintake.poll_mailboxes")
def poll_mailboxes() -> int:
    reports = services.poll_mailboxes(time_budget=TIME_BUDGET_SECONDS)
    return sum(report.processed for report in reports.values())
