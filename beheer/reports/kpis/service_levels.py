"""Service levels: SLA compliance, the breached open backlog, caller satisfaction and OLAs."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from beheer.core import clock
from beheer.servicedesk.sla.queries import ola_summary, satisfaction_summary

from .facts import _Facts, _facts
from .period import ReportFilter, zone
from .queries import _not_resolved_before, _unresolved_at, counted, ratio


def sla_compliance(user: Any, f: ReportFilter, facts: _Facts | None = None) -> dict[str, Any]:
    """Met / (met + breached) for the clocks that stopped in the period."""
    facts = _facts(user, f, facts)
    # A first response never comes after the resolution, so every melding whose response clock
    # stopped in the period is still open or was resolved after the period started: that narrows
    # the scan to an index range without changing the answer.
    response = _not_resolved_before(counted(user, f), f.start).filter(
        first_response_at__gte=f.start, first_response_at__lt=f.end
    )
    r = response.aggregate(
        met=Count("pk", filter=Q(response_met=True)), breached=Count("pk", filter=Q(response_met=False))
    )
    met, breached = facts.total(facts.resolved, "sla_met"), facts.total(facts.resolved, "sla_breached")
    return {
        "response": ratio(r["met"], r["met"] + r["breached"]),
        "resolution": ratio(met, met + breached),
        "open_breached": open_breached(user, f),
    }


def open_breached(user: Any, f: ReportFilter) -> dict[str, Any]:
    """The breached open backlog: meldingen open at the end of the period (or now, when the period
    runs on) that were already past their resolution deadline then.

    The resolution percentage counts resolved meldingen only; this is what it cannot show. A
    melding resolved later counts when its (final) deadline lay before that moment; an open one by
    the deadline it has now, or because its clock already recorded the breach.
    """
    now = clock.now()
    cut = min(f.end, now)
    late = Q(sla_policy__isnull=False, resolution_due__lt=cut)
    if cut == now:
        late |= Q(
            is_open__in=[True], resolution_met=False
        )  # breached, and paused since: the dashboard's rule
    count = _unresolved_at(counted(user, f), cut).filter(late).count()
    return {"count": count, "at": cut.astimezone(zone()).isoformat()}


def satisfaction(user: Any, f: ReportFilter) -> dict[str, Any]:
    """Ratings given by callers when confirming a solution in the period (one aggregate query)."""
    confirmed = counted(user, f).filter(confirmed_at__gte=f.start, confirmed_at__lt=f.end)
    summary = satisfaction_summary(confirmed)  # type: ignore[arg-type]
    return {
        "measured": summary.rated > 0,
        "confirmed": summary.confirmed,
        "rated": summary.rated,
        "average": summary.average,
        "response_rate": summary.response_rate,
        "distribution": [{"rating": n, "count": c} for n, c in sorted(summary.distribution.items())],
    }


def ola(f: ReportFilter) -> list[dict[str, Any]]:
    """OLA attainment per operator group: stints with a group that ended in the period.

    Only the period and the operator group filter apply: an OLA is the group's own agreement.
    """
    groups = [f.operator_group] if f.operator_group is not None else None
    return [
        {
            "group_id": row.group_id,
            "name": row.group,
            "total": row.total,
            "met": row.met,
            "breached": row.breached,
            "met_percent": row.met_percent,
            "average_minutes": row.average_minutes,
        }
        for row in ola_summary(f.date_from, f.date_to, groups)
    ]
