"""The SLA engine: choose a policy, replay the melding's history, store deadlines, escalate.

The arithmetic is in `calendars/business_time.py` and `sla/clock.py` (no ORM). Here the configured
calendar becomes a Calendar (`calendars.services.calendar_for`), the history entries become clock
events, and the results are stored on the melding: response,
resolution and caller-update deadlines, the moments they become at risk, and whether each target was
met. OLA figures per operator group are stored as `MeldingOla` rows. Because everything is derived
from the history, it can be recomputed after a calendar fix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q

from beheer.accounts.models import STAFF_ROLES, OperatorGroup
from beheer.calendars.business_time import Calendar
from beheer.calendars.models import BusinessCalendar
from beheer.calendars.services import calendar_for
from beheer.core import clock, config_cache
from beheer.core.loops import isolated

from ..models import (
    HistoryEntry,
    Line,
    Melding,
    MeldingOla,
    OlaTarget,
    Priority,
    SlaEscalation,
    SlaEscalationKind,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Status,
    StatusKind,
)
from ..models.activity import sla_detail
from ..sla import clock as sla_clock
from . import notify
from ._base import _save, record_history

logger = logging.getLogger(__name__)
CLOCK_ACTIONS = ("status", "resolved", "closed", "reopened", "merged")


@dataclass(frozen=True)
class Metric:
    """One clock of one melding, as shown to operators and used by reports."""

    target: timedelta
    reading: sla_clock.ClockReading
    state: sla_clock.SlaState

    @property
    def due(self) -> datetime | None:
        return self.reading.due

    @property
    def remaining(self) -> timedelta:
        return self.reading.remaining(self.target)


@dataclass(frozen=True)
class Evaluation:
    policy: SlaPolicy
    calendar: Calendar
    response: Metric | None
    resolution: Metric
    risk_at: datetime | None
    update: Metric | None = None  # the caller-update clock, when the target has update_minutes
    update_risk_at: datetime | None = None
    last_update_at: datetime | None = None

    @property
    def snapshot(self) -> sla_clock.Snapshot:
        """The resolution clock's stored figures (deadline, at-risk moment, met)."""
        return sla_clock.Snapshot(due=self.resolution.due, risk_at=self.risk_at, met=_met(self.resolution))


# --------------------------------------------------------------------------------------------------
# configuration -> pure objects


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
    """Each status's kind and whether it pauses the SLA (configuration: cached per process)."""
    return config_cache.cached(
        "sla_status_map",
        lambda: {
            str(pk): (kind, pauses)
            for pk, kind, pauses in Status.objects.values_list("pk", "kind", "pauses_sla")
        },
    )


def events_from_history(
    rows: Iterable[tuple[datetime, str, str]], statuses: StatusMap
) -> list[sla_clock.ClockEvent]:
    """Clock events from (at, action, new_ref) status-history rows in order (no queries).

    Resolved or closed stops the clock, a reopen restarts it, a status that pauses the SLA pauses
    it and any other status resumes it.
    """
    events = []
    for at, action, new_ref in rows:
        kind, pauses = statuses.get(new_ref, ("", False))
        if action == "reopened":
            events.append(sla_clock.ClockEvent(at, sla_clock.EventKind.REOPEN))
        elif kind in (StatusKind.RESOLVED, StatusKind.CLOSED):
            events.append(sla_clock.ClockEvent(at, sla_clock.EventKind.RESOLVE))
        elif pauses:
            events.append(sla_clock.ClockEvent(at, sla_clock.EventKind.PAUSE))
        elif kind:
            events.append(sla_clock.ClockEvent(at, sla_clock.EventKind.RESUME))
    return events


def clock_events(
    melding: Melding, history: Iterable[HistoryEntry] | None = None
) -> list[sla_clock.ClockEvent]:
    """The resolution clock's events, from the melding's status history: read here, or taken from
    `history`, every history entry of the melding already read (the melding page shows them)."""
    if history is None:
        rows = list(
            HistoryEntry.objects.filter(melding=melding, action__in=CLOCK_ACTIONS, field="status")
            .order_by("at", "id")
            .values_list("at", "action", "new_ref")
        )
    else:
        status_rows = [h for h in history if h.action in CLOCK_ACTIONS and h.field == "status"]
        status_rows.sort(key=lambda h: (h.at, h.pk))
        rows = [(h.at, h.action, h.new_ref) for h in status_rows]
    return events_from_history(rows, status_map()) if rows else []


def _calendar(cal: BusinessCalendar, *, start: datetime, now: datetime) -> Calendar | None:
    """The cached pure calendar for a melding registered at `start`; None when it is not usable."""
    try:
        years = range(start.year - 1, max(now.year, start.year) + 3)
        calendar = config_cache.cached(
            ("sla_calendar", cal.pk, years.start, years.stop),
            lambda: calendar_for(cal, years=years),
        )
    except ValueError:
        logger.exception("Business calendar %s is not usable", cal.pk)
        return None
    return calendar if calendar.has_hours else None  # a calendar without opening hours has no deadlines


def last_update_at(melding: Melding) -> datetime:
    """The last update the caller could see: a public history entry by an operator, or registration.

    Public entries are replies visible to the caller, status changes, resolving, a changed target
    date and caller-visible attachments; an entry made by the caller themself is no update.
    """
    last = (
        HistoryEntry.objects.filter(melding=melding, public=True)
        .filter(Q(actor__role__in=STAFF_ROLES) | Q(actor__is_superuser=True))
        .aggregate(last=Max("at"))["last"]
    )
    return max(last, melding.created_at) if last is not None else melding.created_at


def _risk_at(reading: sla_clock.ClockReading, risk: sla_clock.ClockReading) -> datetime | None:
    # While the clock runs, the risk clock's deadline is the moment the at-risk share is (or was) used.
    return risk.due if reading.running else None


def evaluate(
    melding: Melding, *, now: datetime, new: bool = False, history: Iterable[HistoryEntry] | None = None
) -> Evaluation | None:
    """Replay the melding against its policy; None when no policy or no target applies. `history`:
    every history entry of the melding, when the caller has read them already (see `clock_events`)."""
    policy = policy_for(melding)
    if policy is None:
        return None
    target = target_for(policy, melding.priority_id)
    if target is None:
        return None
    start = melding.created_at
    calendar = _calendar(policy.calendar, start=start, now=now)
    if calendar is None:
        return None
    events = [] if new else clock_events(melding, history)
    resolution_target = timedelta(minutes=target.resolution_minutes)
    ratio = policy.at_risk_percent / 100
    reading = sla_clock.read_clock(calendar, start=start, target=resolution_target, events=events, now=now)
    risk = sla_clock.read_clock(
        calendar, start=start, target=resolution_target * ratio, events=events, now=now
    )
    resolution = Metric(
        resolution_target, reading, sla_clock.state(reading, resolution_target, at_risk_ratio=ratio)
    )
    response = None
    if target.response_minutes is not None:
        response_target = timedelta(minutes=target.response_minutes)
        r = sla_clock.first_response(
            calendar, start=start, target=response_target, responded_at=melding.first_response_at, now=now
        )
        response = Metric(response_target, r, sla_clock.state(r, response_target, at_risk_ratio=ratio))
    update = update_risk_at = updated_at = None
    if target.update_minutes:
        # The update clock runs like the resolution clock (paused, stopped, reopened), but starts
        # again at every update the caller can see.
        updated_at = start if new else last_update_at(melding)
        update_target = timedelta(minutes=target.update_minutes)
        u = sla_clock.read_clock(calendar, start=updated_at, target=update_target, events=events, now=now)
        u_risk = sla_clock.read_clock(
            calendar, start=updated_at, target=update_target * ratio, events=events, now=now
        )
        update = Metric(update_target, u, sla_clock.state(u, update_target, at_risk_ratio=ratio))
        update_risk_at = _risk_at(u, u_risk)
    return Evaluation(
        policy=policy,
        calendar=calendar,
        response=response,
        resolution=resolution,
        risk_at=_risk_at(reading, risk),
        update=update,
        update_risk_at=update_risk_at,
        last_update_at=updated_at,
    )


# --------------------------------------------------------------------------------------------------
# OLA: how long each operator group held the melding


@dataclass(frozen=True)
class OlaMetric:
    """One operator group's OLA clock on one melding."""

    ola: OlaTarget
    calendar: BusinessCalendar
    target: timedelta
    reading: sla_clock.ClockReading
    state: sla_clock.SlaState
    holding: bool  # the group has the melding now
    first_assigned_at: datetime
    risk_at: datetime | None

    @property
    def group(self) -> OperatorGroup:
        return self.ola.operator_group

    @property
    def due(self) -> datetime | None:
        return self.reading.due

    @property
    def remaining(self) -> timedelta:
        return self.reading.remaining(self.target)

    @property
    def met(self) -> bool | None:
        return _met(self)


def _load_ola_targets() -> dict[tuple[int, int | None], OlaTarget]:
    rows = OlaTarget.objects.active().select_related("operator_group", "calendar")
    return {(t.operator_group_id, t.priority_id): t for t in rows}


def ola_targets() -> dict[tuple[int, int | None], OlaTarget]:
    """Active OLA targets by (group id, priority id or None), cached like the other configuration."""
    return config_cache.cached("ola_targets", _load_ola_targets)


def ola_for(group_id: int, priority_id: int) -> OlaTarget | None:
    """The group's target for this priority, else the group's target for every priority."""
    targets = ola_targets()
    return targets.get((group_id, priority_id)) or targets.get((group_id, None))


TimelineRow = tuple[datetime, str, str, str, str]  # at, action, field, old_ref, new_ref


def timeline_rows(melding: Melding) -> list[TimelineRow]:
    """The status and assignment history the OLA clocks are replayed from, in order."""
    return list(
        HistoryEntry.objects.filter(melding=melding)
        .filter(Q(action__in=CLOCK_ACTIONS, field="status") | Q(field="operator_group"))
        .order_by("at", "id")
        .values_list("at", "action", "field", "old_ref", "new_ref")
    )


def group_timeline(
    rows: Iterable[TimelineRow], statuses: StatusMap, *, current_group_id: int | None
) -> tuple[str, list[sla_clock.ClockEvent | sla_clock.Handover]]:
    """The group that held the melding at registration and the merged status/handover timeline.

    Registration records no assignment: the first group is the old value of the first assignment,
    or the melding's group when it was never reassigned.
    """
    first_group: str | None = None
    timeline: list[sla_clock.ClockEvent | sla_clock.Handover] = []
    for at, action, field, old_ref, new_ref in rows:
        if field == "operator_group":
            if first_group is None:
                first_group = old_ref
            timeline.append(sla_clock.Handover(at, new_ref))
        else:
            timeline.extend(events_from_history([(at, action, new_ref)], statuses))
    if first_group is None:
        first_group = str(current_group_id) if current_group_id else ""
    return first_group, timeline


def evaluate_olas(
    melding: Melding, *, now: datetime, rows: list[TimelineRow] | None = None
) -> list[OlaMetric]:
    """Replay each operator group's OLA clock; groups without an OLA are left out."""
    if not ola_targets():
        return []
    if rows is None:
        rows = timeline_rows(melding)
    first_group, timeline = group_timeline(rows, status_map(), current_group_id=melding.operator_group_id)
    clocks = sla_clock.group_clocks(start=melding.created_at, first_group=first_group, timeline=timeline)
    policy: SlaPolicy | None = None
    policy_known = False
    result = []
    for key, group_clock in clocks.items():
        ola = ola_for(int(key), melding.priority_id) if key.isdigit() else None
        if ola is None:
            continue
        cal = ola.calendar
        if cal is None:
            if not policy_known:
                policy, policy_known = policy_for(melding), True
            cal = policy.calendar if policy is not None else None
        if cal is None:
            continue  # no calendar of its own and no SLA: no OLA clock
        calendar = _calendar(cal, start=melding.created_at, now=now)
        if calendar is None:
            continue
        target = timedelta(minutes=ola.minutes)
        ratio = ola.at_risk_percent / 100
        reading = sla_clock.read_clock(
            calendar, start=group_clock.start, target=target, events=group_clock.events, now=now
        )
        risk = sla_clock.read_clock(
            calendar, start=group_clock.start, target=target * ratio, events=group_clock.events, now=now
        )
        result.append(
            OlaMetric(
                ola=ola,
                calendar=cal,
                target=target,
                reading=reading,
                state=sla_clock.state(reading, target, at_risk_ratio=ratio),
                holding=group_clock.holding,
                first_assigned_at=group_clock.start,
                risk_at=_risk_at(reading, risk),
            )
        )
    result.sort(key=lambda metric: metric.first_assigned_at)
    return result


def refresh_olas(melding: Melding, *, now: datetime, rows: list[TimelineRow] | None = None) -> int:
    """Rewrite the melding's MeldingOla rows from its history; return how many rows changed.

    The caller holds the melding's row lock (or just created it) and records `ola_computed_at`.
    """
    metrics = evaluate_olas(melding, now=now, rows=rows)
    existing = {row.operator_group_id: row for row in MeldingOla.objects.filter(melding=melding)}
    changed = 0
    for metric in metrics:
        values = {
            "target_minutes": int(metric.target.total_seconds() // 60),
            "elapsed_minutes": int(metric.reading.elapsed.total_seconds() // 60),
            "first_assigned_at": metric.first_assigned_at,
            "due": metric.due,
            "risk_at": metric.risk_at,
            "stopped_at": metric.reading.stopped_at,
            "breached_at": metric.reading.breached_at,
            "met": metric.met,
        }
        row = existing.pop(metric.ola.operator_group_id, None)
        if row is None:
            MeldingOla.objects.create(
                melding=melding, operator_group_id=metric.ola.operator_group_id, computed_at=now, **values
            )
            changed += 1
        elif any(getattr(row, field) != value for field, value in values.items()):
            MeldingOla.objects.filter(pk=row.pk).update(computed_at=now, **values)
            changed += 1
    if existing:  # an OLA was removed or no longer applies
        MeldingOla.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
        changed += len(existing)
    return changed


@transaction.atomic
def recompute_olas(melding: Melding | int, *, now: datetime | None = None) -> Melding | None:
    """Recompute one melding's OLA rows from its history (the sweep, and after a configuration fix)."""
    now = now or clock.now()
    pk = melding if isinstance(melding, int) else melding.pk
    m = Melding.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if m is None:
        return None
    refresh_olas(m, now=now)
    m.ola_computed_at = max(now, m.updated_at)  # the rows reflect every change up to updated_at
    Melding.objects.filter(pk=m.pk).update(ola_computed_at=m.ola_computed_at)
    return m


def invalidate_olas(*, operator_group_id: int | None = None) -> int:
    """Mark OLA rows as stale after a configuration change; the sweep recomputes them.

    Every open melding is marked, and with a group also every melding with a row for that group;
    other closed meldingen keep the figures they were closed with.
    """
    condition = Q(is_open=True)
    if operator_group_id is not None:
        condition |= Q(
            Exists(MeldingOla.objects.filter(melding=OuterRef("pk"), operator_group_id=operator_group_id))
        )
    return Melding.objects.filter(condition).exclude(ola_computed_at=None).update(ola_computed_at=None)


def refresh_stale_olas(
    *, now: datetime | None = None, batch: int = 500, lookback: timedelta = timedelta(days=2)
) -> int:
    """Recompute OLA rows never computed, or older than the melding's last change. Safe to repeat.

    Services that change the clock refresh the rows at once; this catches the rest (a handover by
    a service that does not, a configuration change, meldingen from before OLAs were configured).
    """
    if not ola_targets():
        return 0
    now = now or clock.now()
    pending = list(
        Melding.objects.filter(ola_computed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    stale = list(
        Melding.objects.filter(updated_at__gte=now - lookback, ola_computed_at__lt=F("updated_at"))
        .order_by("-updated_at", "-id")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in sorted(set(pending) | set(stale)):
        with isolated("melding", pk):  # one melding that cannot be computed does not stop the rest
            recompute_olas(pk, now=now)
    return len(set(pending) | set(stale))


# --------------------------------------------------------------------------------------------------
# writing the results


def apply_sla(melding: Melding, *, now: datetime, new: bool = False) -> list[str]:
    """Recompute and set the SLA fields on `melding` (the caller saves); return the changed fields.

    Called by every service that changes what the clock depends on: registration, priority and
    category, status (pauses), resolution, reopening. An existing melding's OLA rows are rewritten
    here too (the caller holds the row lock), and `ola_computed_at` is among the fields to save.
    """
    ev = evaluate(melding, now=now, new=new)
    resolution = ev.snapshot if ev else None
    values: dict[str, object] = {
        "sla_policy": ev.policy if ev else None,
        "response_due": ev.response.due if ev and ev.response else None,
        "resolution_due": resolution.due if resolution else None,
        "resolution_risk_at": resolution.risk_at if resolution else None,
        "response_met": _met(ev.response) if ev and ev.response else None,
        "resolution_met": resolution.met if resolution else None,
        "update_due": ev.update.due if ev and ev.update else None,
        "update_risk_at": ev.update_risk_at if ev else None,
    }
    if ev and ev.resolution.due and not melding.target_date_manual:
        values["target_date"] = ev.resolution.due  # the streefdatum follows the SLA deadline
    if not new and melding.pk is not None and ola_targets():
        refresh_olas(melding, now=now)
        values["ola_computed_at"] = max(now, melding.updated_at)
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


def _met(metric: Metric | OlaMetric) -> bool | None:
    if metric.state == sla_clock.SlaState.BREACHED:
        return False
    if metric.state == sla_clock.SlaState.MET:
        return True
    return None


@transaction.atomic
def recompute_sla(melding: Melding, *, now: datetime | None = None) -> Melding:
    """Recompute one melding's SLA fields from its history (after a calendar or policy change)."""
    m = Melding.objects.select_for_update().get(pk=melding.pk)
    fields = apply_sla(m, now=now or clock.now())
    if fields:
        Melding.objects.filter(pk=m.pk).update(**{f: getattr(m, f) for f in fields})
    return m


# --------------------------------------------------------------------------------------------------
# the periodic sweep


def sweep_sla(*, now: datetime | None = None, batch: int = 500) -> int:
    """Escalate open meldingen that became at risk or breached; each escalation happens once.

    Safe to run twice and on several workers at once: the unique escalation row decides who acts.
    A missed caller update is escalated once per melding and kind (at risk, breached), like the
    other metrics. Afterwards stale OLA rows are recomputed. Returns the number of escalations.
    """
    now = now or clock.now()
    done = 0
    candidates = [
        # A deadline is passed strictly after it (sla_clock.deadline_passed), as on the call page.
        (SlaMetric.RESOLUTION, SlaEscalationKind.BREACHED, Q(is_open=True, resolution_due__lt=now)),
        (SlaMetric.RESOLUTION, SlaEscalationKind.AT_RISK, Q(is_open=True, resolution_risk_at__lte=now)),
        (
            SlaMetric.RESPONSE,
            SlaEscalationKind.BREACHED,
            Q(is_open=True, first_response_at__isnull=True, response_due__lt=now),
        ),
        (SlaMetric.UPDATE, SlaEscalationKind.BREACHED, Q(is_open=True, update_due__lt=now)),
        (SlaMetric.UPDATE, SlaEscalationKind.AT_RISK, Q(is_open=True, update_risk_at__lte=now)),
    ]
    for metric, kind, condition in candidates:
        pending = Melding.objects.filter(condition).exclude(
            Exists(SlaEscalation.objects.filter(melding=OuterRef("pk"), metric=metric, kind=kind))
        )
        last = 0
        while True:
            ids = list(pending.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
            failed = False
            for pk in ids:
                # one melding whose escalation fails is rolled back alone, logged and counted on the
                # job's run; the others are escalated
                with isolated("melding", pk) as item:
                    done += _escalate(pk, metric=metric, kind=kind, now=now)
                failed = failed or item.failed
            # a full batch with failures: those stay candidates, so look past them now instead of
            # letting them fill every later batch
            if len(ids) < batch or not failed:
                break
            last = ids[-1]
    refresh_stale_olas(now=now, batch=batch)
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
            if metric == SlaMetric.UPDATE and not _update_still_late(m, kind=kind, now=now):
                return False
            escalation = SlaEscalation.objects.create(melding=m, metric=metric, kind=kind, at=now)
            actions = _escalation_actions(m, metric=metric, kind=kind, now=now)
            escalation.actions = ",".join(actions)[:200]
            escalation.save(update_fields=["actions"])
            notify.sla_escalated(m, metric=metric, kind=kind)
    except IntegrityError:
        return False  # another worker escalated it first
    return True


def _update_still_late(m: Melding, *, kind: str, now: datetime) -> bool:
    """Re-check the caller-update clock under the lock; store fresh deadlines when it moved.

    A reply that did not go through `apply_sla` leaves an old update deadline behind: the sweep must
    not escalate on it.
    """
    ev = evaluate(m, now=now)
    late = (
        {sla_clock.SlaState.BREACHED}
        if kind == SlaEscalationKind.BREACHED
        else {
            sla_clock.SlaState.AT_RISK,
            sla_clock.SlaState.BREACHED,
        }
    )
    if ev is not None and ev.update is not None and ev.update.state in late:
        return True
    fields = apply_sla(m, now=now)
    if fields:
        Melding.objects.filter(pk=m.pk).update(**{f: getattr(m, f) for f in fields})
    return False


def _escalation_actions(m: Melding, *, metric: str, kind: str, now: datetime) -> list[str]:
    label = sla_detail(str(metric), str(kind))  # a code: shown in the reader's language
    record_history(m, None, "sla_" + kind, now=now, field=metric, detail=label)
    actions = ["recorded"]
    policy = m.sla_policy
    if kind != SlaEscalationKind.BREACHED or metric != SlaMetric.RESOLUTION or policy is None:
        return actions  # only a breached resolution time changes the melding
    fields: list[str] = []
    if policy.raise_priority_on_breach and m.priority.level > 1:
        higher = Priority.objects.filter(active=True, level__lt=m.priority.level).order_by("-level").first()
        if higher is not None:
            record_history(
                m, None, "changed", now=now, field="priority", old=m.priority, new=higher, detail=label
            )
            m.priority, m.priority_level = higher, higher.level
            fields += ["priority", "priority_level"]
            actions.append("priority")
    group = policy.escalation_group
    if policy.escalate_on_breach and m.line == Line.FIRST and group is not None and group.is_second_line:
        record_history(
            m,
            None,
            "escalated",
            now=now,
            field="line",
            old=Line(m.line),
            new=Line.SECOND,
            detail=label,
        )
        record_history(m, None, "assigned", now=now, field="operator_group", old=m.operator_group, new=group)
        m.line, m.operator_group, m.operator = Line.SECOND, group, None
        fields += ["line", "operator_group", "operator"]
        actions.append("second_line")
    if fields:
        fields += apply_sla(m, now=now)
        _save(m, fields, now=now)
    return actions
