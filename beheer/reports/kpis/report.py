"""The management report: every figure together, as a JSON-ready dict."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings

from .facts import _Facts
from .period import ReportFilter, filter_labels
from .resolution import resolution_time
from .service_levels import ola, satisfaction, sla_compliance
from .time_registered import time_spent
from .volumes import backlog, escalation_rate, per_group, resolution_counts, volume


def compute(user: Any, f: ReportFilter) -> dict[str, Any]:
    """All figures of the management report as a JSON-ready dict."""
    facts = _Facts(user, f)
    counts = resolution_counts(user, f, facts)
    spent = time_spent(user, f)
    return {
        "period": {
            "date_from": f.date_from.isoformat(),
            "date_to": f.date_to.isoformat(),
            "days": f.days,
            "time_zone": settings.TIME_ZONE,
        },
        "filters": asdict(f) | {"date_from": f.date_from.isoformat(), "date_to": f.date_to.isoformat()},
        "filter_labels": filter_labels(f),
        "volume": volume(user, f, facts),
        "resolved": counts["resolved"],
        "first_contact_resolution": counts["first_contact_resolution"],
        "first_line_resolution": counts["first_line_resolution"],
        "reopen_rate": counts["reopen_rate"],
        "escalation_rate": escalation_rate(user, f, facts),
        "resolution_time": resolution_time(user, f, count=counts["resolved"]),
        "backlog": backlog(user, f, facts),
        "sla": sla_compliance(user, f, facts),
        "time_spent": spent,
        "groups": per_group(user, f, facts, {r["id"]: r["minutes"] for r in spent["by_group"]}),
        "satisfaction": satisfaction(user, f),
        "ola": ola(f),
    }
