"""The SLA engine: choose a policy, replay the melding's history, store deadlines, escalate.

The arithmetic is in `servicedesk/sla.py` (no ORM). Here the configuration rows become a Calendar,
the history entries become clock events, and the results are stored on the melding: response and
resolution deadlines, the moment the resolution becomes at risk, and whether each target was met.
Because everything is derived from the history, it can be recomputed after a calendar fix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from beheer.core import config_cache

from .. import sla
from ..models import (
    BusinessCalendar,
    HistoryEntry,
    Line,
    Melding,
    Priority,
    SlaEscalation,
    SlaEscalationKind,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Status,
    StatusKind,
)
from ._base import _now, _record, _save

logger = logging.getLogger(__name__)
CLOCK_ACTIONS = ("status", "resolved", "closed", "reopened", "merged")


@dataclass(frozen=True)
class Metric:
    """One clock of one melding, as shown to operators and used by reports."""

    target: timedelta
    reading: sla.ClockReading
    state: sla.SlaState

    @property
    def due(self) -> datetime | None:
        return self.reading.due

    @property
    def remaining(self) -> timedelta:
        return self.reading.remaining(self.target)


@dataclass(frozen=True)
class Evaluation:
    policy: SlaPolicy
    calendar: sla.Calendar
    response: Metric | None
    resolution: Metric
    risk_at: datetime | None


# --------------------------------------------------------------------------------------------------
# configuration -> pure objects


@lru_cache(maxsize=64)
def _closed_days(
    years: tuple[int, ...], *, public: bool, liberation_yearly: bool, region: str
) -> frozenset[date]:
    days: set[date] = set()
    if public:
        days |= sla.dutch_holidays(years, liberation_day_every_year=liberation_yearly)
    if region:
        days |= set(holidays.country_holidays("NL", years=list(years), categories=("school",), subdiv=region))
    return frozenset(days)


def calendar_for(cal: BusinessCalendar, *, years: range) -> sla.Calendar:
    """The pure Calendar of a configured business calendar, with its holidays for `years`."""
    tz = ZoneInfo(cal.time_zone)
    if cal.always_open:
        return sla.calendar_24x7(tz)
    hours: dict[int, list[tuple]] = {}
    for row in cal.opening_hours.all():
        hours.setdefault(row.weekday, []).append((row.start, row.end))
    closed = set(
        _closed_days(
            tuple(years),
            public=cal.public_holidays,
            liberation_yearly=cal.liberation_day_every_year,
            region=cal.school_holidays_region,
        )
    )
    closed |= set(
        cal.closing_days.filter(date__year__gte=years.start, date__year__lt=years.stop).values_list(
            "date", flat=True
        )
    )
    return sla.Calendar(hours={d: sorted(v) for d, v in hours.items()}, closed=frozenset(closed), tz=tz)


@dataclass(frozen=True)
class _PolicyRule:
    policy: SlaPolicy
    call_types: frozenset[int]
    categories: frozenset[int]
    departments: frozenset[int]
    branches: frozenset[int]

    def matches(self, melding: Melding) -> bool:
        return all(
            not allowed or value in allowed
            for allowed, value in (
                (self.call_types, melding.call_type_id),
                (self.categories, melding.category_id),
                (self.departments, melding.caller_department_id),
                (self.branches, melding.caller_branch_id),
            )
        )


def _policy_rules() -> list[_PolicyRule]:
    policies = (
        SlaPolicy.objects.active()
        .select_related("calendar")
        .prefetch_related("call_types", "categories", "departments", "branches")
        .order_by("order", "name", "pk")
    )
    return [
        _PolicyRule(
            policy=p,
            call_types=frozenset(x.pk for x in p.call_types.all()),
            categories=frozenset(x.pk for x in p.categories.all()),
            departments=frozenset(x.pk for x in p.departments.all()),
            branches=frozenset(x.pk for x in p.branches.all()),
        )
        for p in policies
    ]


def policy_for(melding: Melding) -> SlaPolicy | None:
    """The first active policy (by order) whose conditions all match; an empty condition matches all."""
    for rule in config_cache.cached("sla_policies", _policy_rules):
        if rule.matches(melding):
            return rule.policy
    return None


def target_for(policy: SlaPolicy, priority_id: int) -> SlaTarget | None:
    targets = config_cache.cached(
        "sla_targets", lambda: {(t.policy_id, t.priority_id): t for t in SlaTarget.objects.all()}
    )
    return targets.get((policy.pk, priority_id))


StatusMap = dict[str, tuple[str, bool]]  # status pk (as text) -> (kind, pauses_sla)


def status_map() -> StatusMap:
    return {
        str(pk): (kind, pauses) for pk, kind, pauses in Status.objects.values_list("pk", "kind", "pauses_sla")
    }


def events_from_history(
    rows: Iterable[tuple[datetime, str, str]], statuses: StatusMap
) -> list[sla.ClockEvent]:
    """Clock events from (at, action, new_ref) status-history rows in order (no queries).

    Resolved or closed stops the clock, a reopen restarts it, a status that pauses the SLA pauses
    it and any other status resumes it.
    """
    events = []
    for at, action, new_ref in rows:
        kind, pauses = statuses.get(new_ref, ("", False))
        if action == "reopened":
            events.append(sla.ClockEvent(at, sla.EventKind.REOPEN))
        elif kind in (StatusKind.RESOLVED, StatusKind.CLOSED):
            events.append(sla.ClockEvent(at, sla.EventKind.RESOLVE))
        elif pauses:
            events.append(sla.ClockEvent(at, sla.EventKind.PAUSE))
        elif kind:
            events.append(sla.ClockEvent(at, sla.EventKind.RESUME))
    return events


def clock_events(melding: Melding) -> list[sla.ClockEvent]:
    """The resolution clock's events, from the melding's status history."""
    rows = list(
        HistoryEntry.objects.filter(melding=melding, action__in=CLOCK_ACTIONS, field="status")
        .order_by("at", "id")
        .values_list("at", "action", "new_ref")
    )
    return events_from_history(rows, status_map()) if rows else []


def evaluate(melding: Melding, *, now: datetime, new: bool = False) -> Evaluation | None:
    """Replay the melding against its policy; None when no policy or no target applies."""
    policy = policy_for(melding)
    if policy is None:
        return None
    target = target_for(policy, melding.priority_id)
    if target is None:
        return None
    start = melding.created_at
    try:
        years = range(start.year - 1, max(now.year, start.year) + 3)
        calendar = config_cache.cached(
            ("sla_calendar", policy.calendar_id, years.start, years.stop),
            lambda: calendar_for(policy.calendar, years=years),
        )
    except ValueError:
        logger.exception("Business calendar %s is not usable", policy.calendar_id)
        return None
    if not calendar.has_hours:
        return None  # a calendar without opening hours has no deadlines
    events = [] if new else clock_events(melding)
    resolution_target = timedelta(minutes=target.resolution_minutes)
    ratio = policy.at_risk_percent / 100
    reading = sla.read_clock(calendar, start=start, target=resolution_target, events=events, now=now)
    risk = sla.read_clock(calendar, start=start, target=resolution_target * ratio, events=events, now=now)
    resolution = Metric(
        resolution_target, reading, sla.state(reading, resolution_target, at_risk_ratio=ratio)
    )
    response = None
    if target.response_minutes is not None:
        response_target = timedelta(minutes=target.response_minutes)
        r = sla.first_response(
            calendar, start=start, target=response_target, responded_at=melding.first_response_at, now=now
        )
        response = Metric(response_target, r, sla.state(r, response_target, at_risk_ratio=ratio))
    risk_at = risk.due if reading.running and risk.elapsed <= resolution_target * ratio else None
    return Evaluation(
        policy=policy, calendar=calendar, response=response, resolution=resolution, risk_at=risk_at
    )


# --------------------------------------------------------------------------------------------------
# writing the results


def apply_sla(melding: Melding, *, now: datetime, new: bool = False) -> list[str]:
    """Recompute and set the SLA fields on `melding` (the caller saves); return the changed fields.

    Called by every service that changes what the clock depends on: registration, priority and
    category, status (pauses), resolution, reopening.
    """
    ev = evaluate(melding, now=now, new=new)
    values: dict[str, object] = {
        "sla_policy": ev.policy if ev else None,
        "response_due": ev.response.due if ev and ev.response else None,
        "resolution_due": ev.resolution.due if ev else None,
        "resolution_risk_at": ev.risk_at if ev else None,
        "response_met": _met(ev.response) if ev and ev.response else None,
        "resolution_met": _met(ev.resolution) if ev else None,
    }
    if ev and ev.resolution.due and not melding.target_date_manual:
        values["target_date"] = ev.resolution.due  # the streefdatum follows the SLA deadline
    changed = []
    for field, value in values.items():
        current = getattr(melding, field)
        if (current.pk if hasattr(current, "pk") else current) != (
            value.pk if hasattr(value, "pk") else value
        ):
            setattr(melding, field, value)
            changed.append(field)
    return changed


def _key(value: object) -> object:
    return getattr(value, "pk", value)


def _met(metric: Metric) -> bool | None:
    if metric.state == sla.SlaState.BREACHED:
        return False
    if metric.state == sla.SlaState.MET:
        return True
    return None


@transaction.atomic
def recompute_sla(melding: Melding, *, now: datetime | None = None) -> Melding:
    """Recompute one melding's SLA fields from its history (after a calendar or policy change)."""
    m = Melding.objects.select_for_update().get(pk=melding.pk)
    fields = apply_sla(m, now=now or _now())
    if fields:
        Melding.objects.filter(pk=m.pk).update(**{f: getattr(m, f) for f in fields})
    return m


# --------------------------------------------------------------------------------------------------
# the periodic sweep


def sweep_sla(*, now: datetime | None = None, batch: int = 500) -> int:
    """Escalate open meldingen that became at risk or breached; each escalation happens once.

    Safe to run twice and on several workers at once: the unique escalation row decides who acts.
    """
    now = now or _now()
    done = 0
    candidates = [
        (SlaMetric.RESOLUTION, SlaEscalationKind.BREACHED, Q(is_open=True, resolution_due__lte=now)),
        (SlaMetric.RESOLUTION, SlaEscalationKind.AT_RISK, Q(is_open=True, resolution_risk_at__lte=now)),
        (
            SlaMetric.RESPONSE,
            SlaEscalationKind.BREACHED,
            Q(is_open=True, first_response_at__isnull=True, response_due__lte=now),
        ),
    ]
    for metric, kind, condition in candidates:
        ids = list(
            Melding.objects.filter(condition)
            .exclude(Exists(SlaEscalation.objects.filter(melding=OuterRef("pk"), metric=metric, kind=kind)))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        for pk in ids:
            if _escalate(pk, metric=metric, kind=kind, now=now):
                done += 1
    return done


def _escalate(pk: int, *, metric: str, kind: str, now: datetime) -> bool:
    try:
        with transaction.atomic():
            m = (
                Melding.objects.select_for_update(of=("self",))
                .select_related("sla_policy", "priority")
                .get(pk=pk)
            )
            if not m.is_open:
                return False
            escalation = SlaEscalation.objects.create(melding=m, metric=metric, kind=kind, at=now)
            actions = _escalation_actions(m, metric=metric, kind=kind, now=now)
            escalation.actions = ",".join(actions)[:200]
            escalation.save(update_fields=["actions"])
    except IntegrityError:
        return False  # another worker escalated it first
    return True


def _escalation_actions(m: Melding, *, metric: str, kind: str, now: datetime) -> list[str]:
    labels: dict[tuple[str, str], str] = {
        (SlaMetric.RESOLUTION, SlaEscalationKind.AT_RISK): _("The resolution time is at risk."),
        (SlaMetric.RESOLUTION, SlaEscalationKind.BREACHED): _("The resolution time has been exceeded."),
        (SlaMetric.RESPONSE, SlaEscalationKind.BREACHED): _("The response time has been exceeded."),
    }
    label = labels[(str(metric), str(kind))]
    _record(m, None, "sla_" + kind, now=now, field=metric, detail=str(label))
    actions = ["recorded"]
    policy = m.sla_policy
    if kind != SlaEscalationKind.BREACHED or metric != SlaMetric.RESOLUTION or policy is None:
        return actions  # only a breached resolution time changes the melding
    fields: list[str] = []
    if policy.raise_priority_on_breach and m.priority.level > 1:
        higher = Priority.objects.filter(active=True, level__lt=m.priority.level).order_by("-level").first()
        if higher is not None:
            _record(
                m, None, "changed", now=now, field="priority", old=m.priority, new=higher, detail=str(label)
            )
            m.priority, m.priority_level = higher, higher.level
            fields += ["priority", "priority_level"]
            actions.append("priority")
    group = policy.escalation_group
    if policy.escalate_on_breach and m.line == Line.FIRST and group is not None and group.is_second_line:
        _record(
            m,
            None,
            "escalated",
            now=now,
            field="line",
            old=m.get_line_display(),
            new=Line.SECOND.label,
            detail=str(label),
        )
        _record(m, None, "assigned", now=now, field="operator_group", old=m.operator_group, new=group)
        m.line, m.operator_group, m.operator = Line.SECOND, group, None
        fields += ["line", "operator_group", "operator"]
        actions.append("second_line")
    if fields:
        fields += apply_sla(m, now=now)
        _save(m, fields, now=now)
    return actions
