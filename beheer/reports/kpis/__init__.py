"""Management KPIs over a period and a filter, computed with aggregate queries.

Every figure is defined in docs/user/reports.md. The short version:

- The period is a range of local dates (the site's time zone, Europe/Amsterdam by default),
  ``date_from`` up to and including ``date_to``; instants are compared as ``[start, end)``.
- Merged duplicates (``merged_into`` set) and partial incidents (``parent`` set) are left out of every
  melding count; time registrations are counted on every melding.
- "Registered in the period" means ``created_at`` in the period; "resolved in the period" means the
  (last) ``resolved_at`` in the period.

Counts come from the database (``Count(filter=Q(...))``, ``values().annotate()``, truncation to
day/week/month in the local zone). The only per-melding Python work is the business-hours resolution
time, which replays each resolved melding's clock events (fetched in batches) over its SLA calendar;
it is bounded by the period and is skipped above ``MAX_REPLAY`` meldingen (then only wall-clock
figures are given).

The package by topic: `period` (the filter and its dates), `queries` (the meldingen a report
counts and the conditions its queries share), `facts` (the grouped queries made once per report),
`volumes` (registrations, resolution counts, escalations, backlog, per group), `service_levels`
(SLA, breached backlog, satisfaction, OLA), `time_registered` (minutes spent), `resolution`
(wall-clock and business hours) and `report` (`compute`, everything together). Import from
`beheer.reports.kpis`.
"""

from __future__ import annotations

from .facts import _Facts
from .period import FILTER_FIELDS, MAX_PERIOD_DAYS, ReportFilter, filter_labels, parse_filter, today, zone
from .queries import Epoch, counted, ratio, scope
from .report import compute
from .resolution import BATCH, MAX_REPLAY, _OpenTime, default_calendar, resolution_time
from .service_levels import ola, open_breached, satisfaction, sla_compliance
from .time_registered import time_spent
from .volumes import backlog, escalation_rate, per_group, resolution_counts, volume

__all__ = [
    "BATCH",
    "FILTER_FIELDS",
    "MAX_PERIOD_DAYS",
    "MAX_REPLAY",
    "Epoch",
    "ReportFilter",
    "_Facts",
    "_OpenTime",
    "backlog",
    "compute",
    "counted",
    "default_calendar",
    "escalation_rate",
    "filter_labels",
    "ola",
    "open_breached",
    "parse_filter",
    "per_group",
    "ratio",
    "resolution_counts",
    "resolution_time",
    "satisfaction",
    "scope",
    "sla_compliance",
    "time_spent",
    "today",
    "volume",
    "zone",
]
