"""Shared list filters and sort orders for the UI list, the API list and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beheer.core import clock, search
from beheer.core.pagination import SortKey

from .models import (
    QUEUES,
    HistoryEntry,
    Melding,
    MeldingLink,
    MeldingQuerySet,
    Note,
    Status,
    TimeEntry,
    parse_number,
)

SORTS: dict[str, tuple[Any, list[SortKey]]] = {
    "priority": (
        _("Priority, then target date"),
        [SortKey("priority_level"), SortKey("target_date"), SortKey("id")],
    ),
    "target": (_("Target date"), [SortKey("target_date"), SortKey("id")]),
    "newest": (_("Newest first"), [SortKey("created_at", True), SortKey("id", True)]),
    "oldest": (_("Oldest first"), [SortKey("created_at"), SortKey("id")]),
    "updated": (_("Last changed"), [SortKey("updated_at", True), SortKey("id", True)]),
}
DEFAULT_SORT = "priority"


@dataclass
class MeldingFilter:
    queue: str = "all"
    q: str = ""
    status: int | None = None
    operator_group: int | None = None
    operator: int | None = None
    category: int | None = None
    priority: int | None = None
    call_type: int | None = None
    line: str = ""
    caller: int | None = None
    entry_type: str = ""
    # the dashboard's figures link to the list with these
    sla: str = ""  # on_track, at_risk, breached, paused, met (Melding.sla_state)
    age: str = ""  # days since registration: 0-2, 3-7, 8-30, 31+
    created: str = ""  # today, yesterday (local date)
    resolved: str = ""  # today, yesterday (local date)
    unassigned: bool = False
    status_code: str = ""
    status_kind: str = ""
    groups: str = ""  # mine (the user's operator groups), none (no operator group)


# --------------------------------------------------------------------------------------------------
# conditions shared by the list filters and the dashboard's counts (one definition, equal numbers)

SLA_STATES = ("on_track", "at_risk", "breached", "paused", "met")
AGE_BUCKETS: dict[str, tuple[int, int | None]] = {
    "0-2": (0, 2),
    "3-7": (3, 7),
    "8-30": (8, 30),
    "31+": (31, None),
}
DAYS = ("today", "yesterday")
GROUP_SCOPES = ("mine", "none")


def sla_condition(state: str, now: datetime) -> Q:
    """The meldingen whose Melding.sla_state(now) is `state`, as a database condition."""
    running = Q(resolution_met__isnull=True, sla_policy__isnull=False)
    if state == "breached":
        return Q(resolution_met=False) | (running & Q(resolution_due__lt=now))
    if state == "met":
        return Q(resolution_met=True)
    if state == "paused":
        return running & Q(is_open=True, resolution_due__isnull=True)
    if state == "at_risk":
        return running & Q(resolution_due__gte=now, resolution_risk_at__lte=now)
    if state == "on_track":
        return (
            running
            & Q(resolution_due__gte=now)
            & (Q(resolution_risk_at__isnull=True) | Q(resolution_risk_at__gt=now))
        )
    return Q(pk__in=[])


def age_condition(bucket: str, now: datetime) -> Q:
    """Registered 0-2, 3-7, 8-30 or 31+ whole days (of 24 hours) before `now`."""
    if bucket not in AGE_BUCKETS:
        return Q(pk__in=[])
    low, high = AGE_BUCKETS[bucket]
    q = Q(created_at__lte=now - timedelta(days=low))
    if high is not None:
        q &= Q(created_at__gt=now - timedelta(days=high + 1))
    return q


def day_bounds(day: str, now: datetime) -> tuple[datetime, datetime]:
    """Start and end of today or yesterday in the configured time zone (Europe/Amsterdam)."""
    tz = timezone.get_default_timezone()
    today = now.astimezone(tz).date()
    date = today - timedelta(days=1) if day == "yesterday" else today
    start = datetime(date.year, date.month, date.day, tzinfo=tz)
    end_date = date + timedelta(days=1)
    return start, datetime(end_date.year, end_date.month, end_date.day, tzinfo=tz)


def created_condition(day: str, now: datetime) -> Q:
    start, end = day_bounds(day, now)
    return Q(created_at__gte=start, created_at__lt=end)


def resolved_condition(day: str, now: datetime) -> Q:
    # resolved_at is only set while the melding is resolved or closed; is_open=False uses its index
    start, end = day_bounds(day, now)
    return Q(is_open=False, resolved_at__gte=start, resolved_at__lt=end)


def filter_meldingen(qs: MeldingQuerySet, f: MeldingFilter, user: Any) -> MeldingQuerySet:
    qs = qs.visible_to(user)
    if f.queue and f.queue in QUEUES and getattr(user, "is_staff_member", False):
        qs = qs.queue(f.queue, user)
    if f.q.strip():
        number = parse_number(f.q) if f.q.strip()[:1] in "Mm0123456789" else None
        # Callers search their own document kind, which leaves out internal notes.
        kind = "melding" if getattr(user, "is_staff_member", False) else "melding_public"
        ids = search.matching_ids(kind, f.q)
        text_matches = qs.filter(pk__in=ids) if ids is not None else qs.none()
        qs = (qs.filter(Q(pk=number) | Q(pk__in=text_matches.values("pk")))) if number else text_matches
    exact = {
        "status_id": f.status,
        "operator_group_id": f.operator_group,
        "operator_id": f.operator,
        "category_id": f.category,
        "priority_id": f.priority,
        "call_type_id": f.call_type,
        "caller_id": f.caller,
    }
    for field, value in exact.items():
        if value is not None:
            qs = qs.filter(**{field: value})
    if f.line:
        qs = qs.filter(line=f.line)
    if f.entry_type:
        qs = qs.filter(entry_type=f.entry_type)
    return _dashboard_filters(qs, f, user)


def _dashboard_filters(qs: MeldingQuerySet, f: MeldingFilter, user: Any) -> MeldingQuerySet:
    now = clock.now()
    if f.sla in SLA_STATES:
        qs = qs.filter(sla_condition(f.sla, now))
    if f.age in AGE_BUCKETS:
        qs = qs.filter(age_condition(f.age, now))
    if f.created in DAYS:
        qs = qs.filter(created_condition(f.created, now))
    if f.resolved in DAYS:
        qs = qs.filter(resolved_condition(f.resolved, now))
    if f.unassigned:
        qs = qs.filter(operator__isnull=True)
    if f.status_code:
        qs = qs.filter(status__code=f.status_code)
    if f.status_kind:
        qs = qs.filter(status__kind=f.status_kind)
    if f.groups == "mine":
        groups = (
            list(user.operator_groups.values_list("pk", flat=True))
            if getattr(user, "is_authenticated", False)
            else []
        )
        qs = qs.filter(operator_group__in=groups)
    elif f.groups == "none":
        qs = qs.filter(operator_group__isnull=True)
    return qs


def order_for(sort: str) -> list[SortKey]:
    return SORTS.get(sort, SORTS[DEFAULT_SORT])[1]


def partial_progress(melding: Melding) -> tuple[int, int]:
    """(resolved, total) partial incidents of a main melding."""
    counts = Melding.objects.filter(parent=melding).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(is_open=False))
    )
    return counts["done"], counts["total"]


# --------------------------------------------------------------------------------------------------
# read helpers for the detail and portal screens


def allowed_statuses(melding: Melding) -> QuerySet[Status]:
    """The working statuses an operator may pick next (kind rules, narrowed by configured next statuses)."""
    from .workflow import RULES, Action, Kind

    current = melding.status
    kinds = [str(k) for k in RULES[Action.CHANGE].get(Kind(current.kind), frozenset())]
    qs = Status.objects.filter(active=True, kind__in=kinds).exclude(pk=current.pk)
    configured = list(current.allowed_next.values_list("pk", flat=True))
    if configured:
        qs = qs.filter(pk__in=configured)
    return qs.order_by("order", "id")


def linked_ids(melding: Melding) -> list[int]:
    """Ids of the meldingen linked to this one ('related to'), in either direction."""
    links = MeldingLink.objects.filter(Q(from_melding=melding) | Q(to_melding=melding))
    return sorted(
        a if a != melding.pk else b for a, b in links.values_list("from_melding_id", "to_melding_id")[:500]
    )


def linked_meldingen(melding: Melding) -> MeldingQuerySet:
    """Meldingen linked to this one ('related to'), in either direction: one query."""
    linked_to = MeldingLink.objects.filter(from_melding=melding).values("to_melding_id")
    linked_from = MeldingLink.objects.filter(to_melding=melding).values("from_melding_id")
    return (
        Melding.objects.filter(Q(pk__in=linked_to) | Q(pk__in=linked_from))
        .select_related("status", "priority")
        .order_by("id")
    )


def time_totals(melding: Melding) -> list[dict[str, Any]]:
    """Minutes registered on a melding per line: [{"line": "first", "minutes": 35}, ...]."""
    rows = (
        TimeEntry.objects.filter(melding=melding)
        .values("line")
        .annotate(minutes=Sum("minutes"))
        .order_by("line")
    )
    return [dict(row) for row in rows]


def recent_time_entries(melding: Melding, limit: int = 50) -> QuerySet[TimeEntry]:
    return (
        TimeEntry.objects.filter(melding=melding).select_related("operator").order_by("-date", "-id")[:limit]
    )


def timeline(melding: Melding, user: Any, *, limit: int | None = 200) -> tuple[list[Any], bool]:
    """Notes and history entries the user may see, newest first, merged; and whether more exist."""
    notes = (
        Note.objects.visible_to(user)
        .filter(melding=melding)
        .select_related("author")
        .order_by("-created_at", "-id")
    )
    history = (
        HistoryEntry.objects.visible_to(user)
        .filter(melding=melding)
        .select_related("actor")
        .order_by("-at", "-id")
    )
    if limit is not None:
        note_rows = list(notes[: limit + 1])
        history_rows = list(history[: limit + 1])
    else:
        note_rows, history_rows = list(notes), list(history)
    more = limit is not None and (len(note_rows) > limit or len(history_rows) > limit)
    entries: list[Any] = [*note_rows[:limit], *history_rows[:limit]]
    entries.sort(
        key=lambda e: (getattr(e, "created_at", None) or e.at, isinstance(e, Note), e.pk), reverse=True
    )
    if limit is not None:
        entries = entries[:limit]
    return entries, more
