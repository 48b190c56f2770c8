"""Volumes and flow: registrations, resolution counts, escalations, the backlog and the figures
per operator group."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup
from beheer.servicedesk.models import CallType, EntryType

from .facts import _Facts, _facts
from .period import ReportFilter, today
from .queries import _registered, _unindexed, _unresolved_at, counted, ratio
from .time_registered import time_spent


def volume(user: Any, f: ReportFilter, facts: _Facts | None = None) -> dict[str, Any]:
    facts = _facts(user, f, facts)
    kinds = list(_registered(user, f).values("entry_type", "call_type").annotate(n=Count("pk")).order_by())
    entry_counts: dict[str, int] = defaultdict(int)
    call_counts: dict[int, int] = defaultdict(int)
    for row in kinds:
        entry_counts[row["entry_type"]] += row["n"]
        call_counts[row["call_type"]] += row["n"]
    entry_labels = dict(EntryType.choices)
    by_entry = [
        {"key": key, "label": str(entry_labels.get(key, key)), "count": n}
        for key, n in sorted(entry_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    call_types = {c.pk: c for c in CallType.objects.filter(pk__in=list(call_counts))}
    by_call = [
        {
            "key": call_types[key].code if key in call_types else "",
            "label": str(call_types.get(key, "")),
            "count": n,
        }
        for key, n in sorted(call_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    weeks: dict[date, int] = defaultdict(int)
    months: dict[str, int] = defaultdict(int)
    for day, n in facts.per_day(facts.registered, "n").items():
        weeks[day - timedelta(days=day.weekday())] += n
        months[day.isoformat()[:7]] += n
    return {
        "registered": facts.total(facts.registered, "n"),
        "by_entry_type": by_entry,
        "by_call_type": by_call,
        "per_week": [{"week": w.isoformat(), "count": n} for w, n in sorted(weeks.items())],
        "per_month": [{"month": m, "count": n} for m, n in sorted(months.items())],
    }


def resolution_counts(user: Any, f: ReportFilter, facts: _Facts | None = None) -> dict[str, Any]:
    """FCR, first-line resolution and reopen rate over the meldingen resolved in the period."""
    facts = _facts(user, f, facts)
    rows = facts.resolved
    resolved = facts.total(rows, "resolved")
    return {
        "resolved": resolved,
        "first_contact_resolution": ratio(facts.total(rows, "first_contact"), resolved),
        "first_line_resolution": ratio(facts.total(rows, "first_line"), resolved),
        "reopen_rate": ratio(facts.total(rows, "reopened"), resolved),
    }


def escalation_rate(user: Any, f: ReportFilter, facts: _Facts | None = None) -> dict[str, Any]:
    facts = _facts(user, f, facts)
    return ratio(facts.total(facts.registered, "escalated"), facts.total(facts.registered, "n"))


def backlog(user: Any, f: ReportFilter, facts: _Facts | None = None) -> dict[str, Any]:
    """Open meldingen at the end of each day (week for periods over 92 days), inflow/outflow per week.

    backlog(t) = backlog(start) + registered in [start, t) - resolved in [start, t): one count at the
    start and the grouped counts over the period, whatever the number of points.

    The points and weeks stop at today when the period runs on into the future (``until``). A week
    that the period (or today) cuts short is marked ``partial``, with the ``first`` and ``last`` of
    its days that count, so a chart can say so instead of showing a drop.
    """
    facts = _facts(user, f, facts)
    at_start = _unresolved_at(counted(user, f), f.start).count()
    daily_in = facts.per_day(facts.registered, "n")
    daily_out = facts.per_day(facts.resolved, "resolved")
    granularity = "day" if f.days <= 92 else "week"
    until = min(f.date_to, max(today(), f.date_from - timedelta(days=1)))
    points: list[dict[str, Any]] = []
    weeks: dict[date, dict[str, Any]] = {}
    level = at_start
    day = f.date_from
    while day <= until:
        level += daily_in.get(day, 0) - daily_out.get(day, 0)
        monday = day - timedelta(days=day.weekday())
        week = weeks.setdefault(
            monday, {"week": monday.isoformat(), "first": day.isoformat(), "inflow": 0, "outflow": 0}
        )
        week["last"] = day.isoformat()
        week["inflow"] += daily_in.get(day, 0)
        week["outflow"] += daily_out.get(day, 0)
        if granularity == "day":
            points.append({"date": day.isoformat(), "open": level})
        elif day.weekday() == 6 or day == until:
            points.append(
                {
                    "date": day.isoformat(),
                    "open": level,
                    "first": week["first"],
                    "partial": day.weekday() != 6 or week["first"] != monday.isoformat(),
                }
            )
        day += timedelta(days=1)
    for monday, week in weeks.items():  # the open level at the end of each week
        last = week["last"]
        week["partial"] = (
            week["first"] != monday.isoformat() or last != (monday + timedelta(days=6)).isoformat()
        )
        week["open_at_end"] = next(p["open"] for p in reversed(points) if p["date"] <= last)
    return {
        "granularity": granularity,
        "at_start": at_start,
        "at_end": level,
        "until": until.isoformat() if until >= f.date_from else None,
        "points": points,
        "flow_per_week": list(weeks.values()),
    }


def per_group(
    user: Any, f: ReportFilter, facts: _Facts | None = None, minutes: dict[int | None, int] | None = None
) -> list[dict[str, Any]]:
    """One row per operator group (the melding's current group): the main figures side by side."""
    facts = _facts(user, f, facts)
    registered = facts.per_group(facts.registered, ("n", "escalated"))
    resolved = facts.per_group(facts.resolved, ("resolved", "reopened", "sla_met", "sla_breached"))
    open_at_end: dict[int | None, int] = dict(
        _unresolved_at(counted(user, f), f.end)
        .values(grp=_unindexed("operator_group_id"))
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("grp", "n")
    )
    if minutes is None:
        minutes = {r["id"]: r["minutes"] for r in time_spent(user, f)["by_group"]}
    keys = set(registered) | set(resolved) | set(open_at_end) | set(minutes)
    names = dict(OperatorGroup.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
    rows = []
    for key in keys:
        reg = registered.get(key, {})
        res = resolved.get(key, {})
        met, breached = res.get("sla_met", 0), res.get("sla_breached", 0)
        rows.append(
            {
                "id": key,
                "name": names.get(key, "") if key else _("(no group)"),
                "registered": reg.get("n", 0),
                "escalated": reg.get("escalated", 0),
                "resolved": res.get("resolved", 0),
                "reopened": res.get("reopened", 0),
                "open_at_end": open_at_end.get(key, 0),
                "sla_resolution": ratio(met, met + breached),
                "minutes": minutes.get(key, 0) or 0,
            }
        )
    rows.sort(key=lambda r: (r["id"] is None, str(r["name"]).lower()))
    return rows
