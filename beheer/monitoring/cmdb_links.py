"""Monitoring's part of the CMDB: the checks on a CI shown on its page, and the CIs whose checks are
down as a trouble source for the common-cause finding. Registered from `apps.MonitoringConfig.ready`
through `cmdb.extensions`; the CMDB never imports monitoring. The check page's CI section
(`check_ci_panel`): the check's CI, its upward impact and the likely common cause, like the melding
page's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.template.loader import render_to_string

from beheer.cmdb import impact as cmdb_impact
from beheer.core import access, clock

from . import queries
from .models import Check

SHOWN = 20  # checks listed on a CI's page
AVAILABILITY_DAYS = 30


def ci_in_trouble() -> list[int]:
    """The CIs with an active check that is down now (its confirmed, hard state): one query."""
    return list(
        Check.objects.filter(active=True, ci__isnull=False, state__hard_status="down")
        .values_list("ci_id", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class CheckCiPanel:
    """The check page's section about its CI."""

    ci: Any
    impact: cmdb_impact.Impact
    cause: Any = None
    shared: int = 0  # the other CIs in trouble with the same likely cause


def check_ci_panel(check: Check, user: Any) -> CheckCiPanel | None:
    """The check's CI (read with the check) with its upward impact (services and people affected)
    and the likely common cause of its trouble; None without a CI. A bounded few queries: the
    impact's walks, the trouble and its common causes, the cause's name."""
    if check.ci_id is None or not access.is_staff(user):
        return None
    ci = check.ci
    if ci is None:
        return None
    up = cmdb_impact.impact(ci, cmdb_impact.UP, user=user)
    cause, shared = cmdb_impact.likely_cause(ci.pk)
    return CheckCiPanel(ci, up, cause, shared)


def likely_cause_out(check: Check) -> dict[str, Any] | None:
    """The API's `likely_cause` of a check: `{id, name, shared}` or None."""
    if check.ci_id is None:
        return None
    cause, shared = cmdb_impact.likely_cause(check.ci_id)
    if cause is None:
        return None
    return {"id": cause.pk, "name": cause.name, "shared": shared}


def ci_checks_section(request: Any, ci: Any) -> str:
    """The CI's checks (at most SHOWN, by name) with their current state, last change and 30-day
    availability from the roll-ups; staff only, nothing for anyone else. A fixed number of queries:
    the checks with their state, the maintenance windows, the roll-ups, and a count past SHOWN."""
    user = getattr(request, "user", None)
    if not access.is_staff(user):
        return ""
    on_ci = Check.objects.visible_to(user).filter(ci=ci)
    rows = list(on_ci.select_related("state").order_by("name", "id")[: SHOWN + 1])
    more = len(rows) > SHOWN
    checks = rows[:SHOWN]
    total = on_ci.count() if more else len(checks)
    now = clock.now()
    maintenance = queries.in_maintenance_now(checks, now) if checks else set()
    totals = queries.period_totals([c.pk for c in checks], now - timedelta(days=AVAILABILITY_DAYS), now)
    items = [
        {
            "check": c,
            "status": queries.check_status(c, now=now, maintenance_ids=maintenance),
            "changed_at": getattr(getattr(c, "state", None), "hard_changed_at", None),
            "availability": totals[c.pk].percent,
        }
        for c in checks
    ]
    return render_to_string(
        "monitoring/_ci_checks.html",
        {"ci": ci, "items": items, "total": total, "more": more, "days": AVAILABILITY_DAYS},
        request=request,
    )
