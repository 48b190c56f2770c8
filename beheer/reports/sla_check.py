"""The SLA executability check: would a proposed SLA have been met by the last weeks of real work?

A coordinator proposes a business calendar, targets per priority and conditions. The recent
meldingen are replayed against that proposal with their real history (status pauses, resolutions,
reopenings), using the same clock as the live SLA engine (`servicedesk/sla/clock.py`). Nothing is saved.

Layout: pure logic first (events from history rows, one melding's replay, the tallies), then the
reads (`build_proposal` turns ids into a Proposal, `run_check` loads and replays in bulk).

Counting rules:

- a clock that stopped (responded, resolved) within its target is *met*; one whose business time
  passed the target is *breached*, also when the melding is still open;
- an open melding still within its target is *undecided*: it is shown, not counted as met or missed;
- merged duplicates and partial incidents are left out (the main melding carries the SLA);
- a melding whose priority has no proposed target is counted apart ("without a target").
"""

from __future__ import annotations

import time as monotonic
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup
from beheer.calendars.business_time import Calendar, calendar_24x7
from beheer.calendars.holidays import dutch_holidays
from beheer.calendars.models import BusinessCalendar
from beheer.calendars.services import calendar_for
from beheer.core import access, clock
from beheer.core.errors import DomainError, PermissionDenied
from beheer.servicedesk.models import (
    CallType,
    Category,
    HistoryEntry,
    Melding,
    Priority,
    SlaPolicy,
    TimeEntry,
)
from beheer.servicedesk.services.service_level import (
    CLOCK_ACTIONS,
    StatusMap,
    events_from_history,
    status_map,
)
from beheer.servicedesk.sla import clock as sla_clock

MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS = 1, 52, 8
DEFAULT_AT_RISK_PERCENT = 75
#: At most this many meldingen are replayed in one check (about 8 weeks at a very large desk).
MAX_MELDINGEN = 50_000
#: History is loaded for this many meldingen per query.
CHUNK = 2_000
#: Longest target accepted: a year of business minutes is far beyond any real SLA.
MAX_TARGET_MINUTES = 525_600


class Outcome(StrEnum):
    MET = "met"
    BREACHED = "breached"
    UNDECIDED = "undecided"


# --------------------------------------------------------------------------------------------------
# The proposal


@dataclass(frozen=True)
class Target:
    priority_id: int
    response_minutes: int | None
    resolution_minutes: int


@dataclass(frozen=True)
class Conditions:
    """Which meldingen the proposed SLA covers; an empty set means all."""

    operator_group_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    call_type_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Proposal:
    calendar: Calendar
    targets: Mapping[int, Target]  # by priority id
    at_risk_percent: int = DEFAULT_AT_RISK_PERCENT
    weeks: int = DEFAULT_WEEKS
    conditions: Conditions = Conditions()
    calendar_label: str = ""


# --------------------------------------------------------------------------------------------------
# Pure logic: history -> events, one replay, tallies


@dataclass(frozen=True)
class Facts:
    """What the replay needs to know about one melding."""

    pk: int
    created_at: datetime
    priority_id: int
    operator_group_id: int | None
    first_response_at: datetime | None
    is_open: bool
    stopped_at: datetime | None  # resolved_at (or closed_at) of a melding that is not open
    events: Sequence[sla_clock.ClockEvent] = ()


@dataclass(frozen=True)
class Replay:
    response: Outcome | None  # None when the proposal has no response target for the priority
    resolution: Outcome
    reached_at_risk: bool  # the resolution clock passed the at-risk share of its target
    resolution_elapsed: timedelta


def _outcome(reading: sla_clock.ClockReading, target: timedelta) -> Outcome:
    if sla_clock.state(reading, target, at_risk_ratio=1) == sla_clock.SlaState.BREACHED:
        return Outcome.BREACHED
    if reading.stopped_at is not None:
        return Outcome.MET
    return Outcome.UNDECIDED


def replay(
    facts: Facts, target: Target, calendar: Calendar, *, at_risk_percent: int, now: datetime
) -> Replay:
    """Replay one melding against a proposed target (pure; no database)."""
    events = list(facts.events)
    if not facts.is_open and facts.stopped_at is not None:
        # History is the source; this only covers meldingen whose status history is incomplete
        # (imported data). A second resolve is a no-op for the clock.
        events.append(sla_clock.ClockEvent(facts.stopped_at, sla_clock.EventKind.RESOLVE))
    resolution_target = timedelta(minutes=target.resolution_minutes)
    reading = sla_clock.read_clock(
        calendar, start=facts.created_at, target=resolution_target, events=events, now=now
    )
    response: Outcome | None = None
    if target.response_minutes is not None:
        response_target = timedelta(minutes=target.response_minutes)
        first = sla_clock.first_response(
            calendar,
            start=facts.created_at,
            target=response_target,
            responded_at=facts.first_response_at,
            now=now,
        )
        response = _outcome(first, response_target)
    return Replay(
        response=response,
        resolution=_outcome(reading, resolution_target),
        reached_at_risk=reading.elapsed >= resolution_target * (at_risk_percent / 100),
        resolution_elapsed=reading.elapsed,
    )


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Count:
    met: int = 0
    breached: int = 0
    undecided: int = 0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    @property
    def total(self) -> int:
        return self.met + self.breached + self.undecided

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def met_percent(self) -> float | None:
        """Met as a share of the decided meldingen (the figure an SLA report shows later)."""
        return _percent(self.met, self.decided)

    @property
    def met_percent_all(self) -> float | None:
        """Met as a share of all meldingen: the undecided counted as missed (the lower bound)."""
        return _percent(self.met, self.total)


@dataclass
class Row:
    key: int | None
    label: str
    count: int = 0
    response: Count = field(default_factory=Count)
    resolution: Count = field(default_factory=Count)
    reached_at_risk: int = 0

    def add(self, result: Replay) -> None:
        self.count += 1
        if result.response is not None:
            self.response.add(result.response)
        self.resolution.add(result.resolution)
        self.reached_at_risk += int(result.reached_at_risk)


@dataclass
class WeekLoad:
    """One week of the period: work coming in and time registered against the opening hours."""

    first_day: date
    last_day: date
    meldingen: int = 0
    registered_minutes: int = 0
    business_minutes: int = 0
    people: int = 0  # operators who registered time

    @property
    def registered_hours(self) -> float:
        return round(self.registered_minutes / 60, 1)

    @property
    def business_hours(self) -> float:
        return round(self.business_minutes / 60, 1)

    @property
    def staffing_ratio(self) -> float | None:
        """Registered time per hour of opening time (1.0: one person busy all opening hours)."""
        return round(self.registered_minutes / self.business_minutes, 2) if self.business_minutes else None


@dataclass
class CheckResult:
    now: datetime
    period_start: datetime
    calendar_label: str
    at_risk_percent: int
    weeks: int
    total: int  # meldingen in the period that match the conditions
    without_target: int  # of which the priority has no proposed target
    overall: Row
    per_priority: list[Row]
    per_group: list[Row]
    workload: list[WeekLoad]
    seconds: float = 0.0

    @property
    def measured(self) -> int:
        return self.total - self.without_target

    @property
    def business_hours_per_week(self) -> float:
        minutes = sum(w.business_minutes for w in self.workload)
        return round(minutes / 60 / len(self.workload), 1) if self.workload else 0.0

    @property
    def registered_hours_per_week(self) -> float:
        minutes = sum(w.registered_minutes for w in self.workload)
        return round(minutes / 60 / len(self.workload), 1) if self.workload else 0.0

    @property
    def staffing_ratio(self) -> float | None:
        business = sum(w.business_minutes for w in self.workload)
        registered = sum(w.registered_minutes for w in self.workload)
        return round(registered / business, 2) if business else None


def tally(
    replays: Iterable[tuple[Facts, Replay]],
    *,
    priorities: Sequence[tuple[int, str]],
    groups: Mapping[int, str],
) -> tuple[Row, list[Row], list[Row]]:
    """Overall, per-priority (in the given order) and per-group (by name, no group last) rows."""
    overall = Row(None, _("All calls"))
    per_priority = {pk: Row(pk, label) for pk, label in priorities}
    per_group: dict[int | None, Row] = {}
    for facts, result in replays:
        overall.add(result)
        per_priority.setdefault(facts.priority_id, Row(facts.priority_id, str(facts.priority_id))).add(result)
        key = facts.operator_group_id
        if key not in per_group:
            label = groups.get(key, str(key)) if key is not None else _("No operator group")
            per_group[key] = Row(key, label)
        per_group[key].add(result)
    group_rows = sorted(per_group.values(), key=lambda r: (r.key is None, r.label.casefold()))
    return overall, list(per_priority.values()), group_rows


def weeks_of(now: datetime, weeks: int, tz: ZoneInfo) -> tuple[datetime, list[WeekLoad]]:
    """The period: ``weeks`` blocks of 7 local days ending today; its start as an aware instant."""
    today = now.astimezone(tz).date()
    first = today - timedelta(days=7 * weeks - 1)
    loads = [WeekLoad(first + timedelta(days=7 * i), first + timedelta(days=7 * i + 6)) for i in range(weeks)]
    return local_midnight(first, tz), loads


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


# --------------------------------------------------------------------------------------------------
# Building a proposal from input (ids -> objects), shared by the screen and the API


@dataclass(frozen=True)
class TargetInput:
    priority_id: int
    response_minutes: int | None
    resolution_minutes: int | None


@dataclass(frozen=True)
class HoursInput:
    weekday: int
    start: time
    end: time


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _years(now: datetime, weeks: int) -> range:
    start = now - timedelta(weeks=weeks)
    return range(start.year - 1, now.year + 2)


def custom_calendar(
    hours: Sequence[HoursInput], *, always_open: bool, public_holidays: bool, years: range, tz: ZoneInfo
) -> Calendar:
    """A pure Calendar from hours typed into the check (raises DomainError on bad hours)."""
    if always_open:
        return calendar_24x7(tz)
    by_day: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for row in hours:
        by_day[row.weekday].append((row.start, row.end))
    closed = dutch_holidays(years, liberation_day_every_year=False) if public_holidays else frozenset()
    try:
        return Calendar(hours={d: sorted(v) for d, v in by_day.items()}, closed=closed, tz=tz)
    except ValueError as exc:
        message = _(
            "These opening hours are not valid: the end must come after the start, and periods on "
            "one day must not overlap."
        )
        raise DomainError(message, field_errors={"hours": message}) from exc


def describe_hours(hours: Sequence[HoursInput], *, always_open: bool) -> str:
    if always_open:
        return _("24x7")
    names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    parts = [
        f"{names[h.weekday]} {h.start:%H:%M}-{'24:00' if h.end == time(0) else format(h.end, '%H:%M')}"
        for h in sorted(hours, key=lambda h: (h.weekday, h.start))
    ]
    return _("Custom hours: %(hours)s") % {"hours": ", ".join(parts)}


def _unknown(model: Any, ids: Iterable[int]) -> list[int]:
    wanted = set(ids)
    found = set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    return sorted(wanted - found)


def build_proposal(
    *,
    calendar_id: int | None,
    hours: Sequence[HoursInput] = (),
    always_open: bool = False,
    public_holidays: bool = True,
    targets: Sequence[TargetInput],
    at_risk_percent: int = DEFAULT_AT_RISK_PERCENT,
    weeks: int = DEFAULT_WEEKS,
    operator_group_ids: Iterable[int] = (),
    category_ids: Iterable[int] = (),
    call_type_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> Proposal:
    """Check the input's rules and build a Proposal; every problem is a DomainError with field errors."""
    now = now or clock.now()
    errors: dict[str, str] = {}
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        errors["weeks"] = _("Choose between %(min)d and %(max)d weeks.") % {
            "min": MIN_WEEKS,
            "max": MAX_WEEKS,
        }
    if not 1 <= at_risk_percent <= 99:
        errors["at_risk_percent"] = _("Enter a percentage between 1 and 99.")
    seen: set[int] = set()
    checked: dict[int, Target] = {}
    for i, t in enumerate(targets):
        prefix = f"targets.{i}"
        if t.priority_id in seen:
            errors[f"{prefix}.priority_id"] = _("This priority has more than one target.")
        seen.add(t.priority_id)
        for name, value in (
            ("response_minutes", t.response_minutes),
            ("resolution_minutes", t.resolution_minutes),
        ):
            if value is not None and not 1 <= value <= MAX_TARGET_MINUTES:
                errors[f"{prefix}.{name}"] = _("Enter between 1 and %(max)d minutes.") % {
                    "max": MAX_TARGET_MINUTES
                }
        if t.resolution_minutes is None:
            if t.response_minutes is not None:
                errors[f"{prefix}.resolution_minutes"] = _("Enter a resolution time as well.")
            continue
        checked[t.priority_id] = Target(t.priority_id, t.response_minutes, t.resolution_minutes)
    missing = _unknown(Priority, seen)
    if missing:
        for i, t in enumerate(targets):
            if t.priority_id in missing:
                errors[f"targets.{i}.priority_id"] = _("Unknown priority: %(id)s.") % {"id": t.priority_id}
    if not targets or (not checked and not any(k.startswith("targets.") for k in errors)):
        errors["targets"] = _("Enter a resolution time for at least one priority.")
    for name, model, ids in (
        ("operator_group_ids", OperatorGroup, operator_group_ids),
        ("category_ids", Category, category_ids),
        ("call_type_ids", CallType, call_type_ids),
    ):
        unknown = _unknown(model, ids)
        if unknown:
            errors[name] = _("Unknown ids: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}

    years = _years(now, weeks if "weeks" not in errors else MAX_WEEKS)
    calendar: Calendar | None = None
    label = ""
    if calendar_id is not None:
        cal = BusinessCalendar.objects.filter(pk=calendar_id).first()
        if cal is None:
            errors["calendar_id"] = _("Unknown business calendar: %(id)s.") % {"id": calendar_id}
        else:
            try:
                calendar = calendar_for(cal, years=years)
            except ValueError:
                errors["calendar_id"] = _("The business calendar %(name)s has invalid opening hours.") % {
                    "name": cal.name
                }
            label = cal.name
    elif hours or always_open:
        try:
            calendar = custom_calendar(
                hours, always_open=always_open, public_holidays=public_holidays, years=years, tz=_tz()
            )
        except DomainError as exc:
            errors.update(exc.field_errors)
        label = describe_hours(hours, always_open=always_open)
    else:
        errors["calendar_id"] = _("Choose a business calendar or enter opening hours.")
    if calendar is not None and not calendar.has_hours:
        key = "calendar_id" if calendar_id is not None else "hours"
        errors[key] = _(
            "This calendar has no opening hours, so no SLA clock would ever run. Add opening hours "
            "or choose another calendar."
        )
    if errors:
        first = next(iter(errors.values()))
        raise DomainError(
            first if len(errors) == 1 else _("The SLA check input is not valid."), field_errors=errors
        )
    assert calendar is not None
    return Proposal(
        calendar=calendar,
        targets=checked,
        at_risk_percent=at_risk_percent,
        weeks=weeks,
        conditions=Conditions(
            frozenset(operator_group_ids), frozenset(category_ids), frozenset(call_type_ids)
        ),
        calendar_label=label,
    )


@dataclass(frozen=True)
class PolicyDefaults:
    """Form values taken from an existing SLA policy (`?policy=<id>`)."""

    calendar_id: int
    at_risk_percent: int
    targets: dict[int, tuple[int | None, int]]  # priority id -> (response, resolution)
    category_ids: list[int]
    call_type_ids: list[int]
    name: str


def policy_defaults(policy_id: int) -> PolicyDefaults | None:
    policy = (
        SlaPolicy.objects.filter(pk=policy_id).prefetch_related("targets", "categories", "call_types").first()
    )
    if policy is None:
        return None
    return PolicyDefaults(
        calendar_id=policy.calendar_id,
        at_risk_percent=policy.at_risk_percent,
        targets={t.priority_id: (t.response_minutes, t.resolution_minutes) for t in policy.targets.all()},
        category_ids=[c.pk for c in policy.categories.all()],
        call_type_ids=[c.pk for c in policy.call_types.all()],
        name=policy.name,
    )


# --------------------------------------------------------------------------------------------------
# Running the check (reads only)


def _conditions_q(conditions: Conditions, prefix: str = "") -> Q:
    q = Q()
    if conditions.operator_group_ids:
        q &= Q(**{f"{prefix}operator_group_id__in": conditions.operator_group_ids})
    if conditions.category_ids:
        q &= Q(**{f"{prefix}category_id__in": conditions.category_ids})
    if conditions.call_type_ids:
        q &= Q(**{f"{prefix}call_type_id__in": conditions.call_type_ids})
    return q


def _status_map() -> StatusMap:
    return status_map()


def run_check(proposal: Proposal, *, user: Any, now: datetime | None = None) -> CheckResult:
    """Replay the period's meldingen against ``proposal``. Coordinators only; reads only."""
    if user is None or not access.is_coordinator(user):
        raise PermissionDenied(_("Only coordinators can check an SLA."))
    started = monotonic.perf_counter()
    now = now or clock.now()
    tz = proposal.calendar.tz
    period_start, workload = weeks_of(now, proposal.weeks, tz)

    selected = (
        Melding.objects.visible_to(user)
        .filter(created_at__gte=period_start, created_at__lte=now)
        .filter(merged_into__isnull=True, parent__isnull=True)
        .filter(_conditions_q(proposal.conditions))
    )
    total = selected.count()
    if total > MAX_MELDINGEN:
        message = _(
            "The check would replay %(count)d calls; the limit is %(max)d. Choose fewer weeks or "
            "narrow the conditions (operator groups, categories, call types)."
        ) % {"count": total, "max": MAX_MELDINGEN}
        raise DomainError(message, field_errors={"weeks": message})

    rows = list(
        selected.order_by("pk").values_list(
            "pk",
            "created_at",
            "priority_id",
            "operator_group_id",
            "first_response_at",
            "is_open",
            "resolved_at",
            "closed_at",
        )
    )
    statuses = _status_map()
    ratio = proposal.at_risk_percent
    replays: list[tuple[Facts, Replay]] = []
    without_target = 0
    first_day = workload[0].first_day if workload else now.date()
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        wanted = [r[0] for r in chunk if r[2] in proposal.targets]
        history: dict[int, list[tuple[datetime, str, str]]] = defaultdict(list)
        if wanted:
            for melding_id, at, action, new_ref in (
                HistoryEntry.objects.filter(melding_id__in=wanted, action__in=CLOCK_ACTIONS, field="status")
                .order_by("melding_id", "at", "id")
                .values_list("melding_id", "at", "action", "new_ref")
            ):
                history[melding_id].append((at, action, new_ref))
        for pk, created, priority_id, group_id, responded, is_open, resolved, closed in chunk:
            index = (created.astimezone(tz).date() - first_day).days // 7
            if 0 <= index < len(workload):
                workload[index].meldingen += 1
            target = proposal.targets.get(priority_id)
            if target is None:
                without_target += 1
                continue
            facts = Facts(
                pk=pk,
                created_at=created,
                priority_id=priority_id,
                operator_group_id=group_id,
                first_response_at=responded,
                is_open=is_open,
                stopped_at=None if is_open else (resolved or closed),
                events=events_from_history(history.get(pk, ()), statuses),
            )
            replays.append((facts, replay(facts, target, proposal.calendar, at_risk_percent=ratio, now=now)))

    _fill_workload(workload, proposal, user=user, now=now, tz=tz)
    priorities = [
        (p.pk, p.name) for p in Priority.objects.filter(pk__in=list(proposal.targets)).order_by("level")
    ]
    group_ids = {f.operator_group_id for f, _r in replays if f.operator_group_id is not None}
    groups = dict(OperatorGroup.objects.filter(pk__in=group_ids).values_list("pk", "name"))
    overall, per_priority, per_group = tally(replays, priorities=priorities, groups=groups)
    return CheckResult(
        now=now,
        period_start=period_start,
        calendar_label=proposal.calendar_label,
        at_risk_percent=proposal.at_risk_percent,
        weeks=proposal.weeks,
        total=total,
        without_target=without_target,
        overall=overall,
        per_priority=per_priority,
        per_group=per_group,
        workload=workload,
        seconds=round(monotonic.perf_counter() - started, 3),
    )


def _fill_workload(
    workload: list[WeekLoad], proposal: Proposal, *, user: Any, now: datetime, tz: ZoneInfo
) -> None:
    """Registered time and opening time per week (time on any melding matching the conditions)."""
    if not workload:
        return
    first_day, last_day = workload[0].first_day, workload[-1].last_day
    for week in workload:
        begin = local_midnight(week.first_day, tz)
        end = min(local_midnight(week.last_day + timedelta(days=1), tz), now)
        week.business_minutes = int(proposal.calendar.between(begin, end).total_seconds() // 60)
    entries = TimeEntry.objects.filter(
        date__gte=first_day,
        date__lte=last_day,
        melding__in=Melding.objects.visible_to(user).filter(_conditions_q(proposal.conditions)),
    )
    for day, minutes in entries.values("date").annotate(total=Sum("minutes")).values_list("date", "total"):
        workload[(day - first_day).days // 7].registered_minutes += minutes or 0
    people: dict[int, set[int]] = defaultdict(set)
    for day, operator_id in entries.values_list("date", "operator_id").distinct():
        people[(day - first_day).days // 7].add(operator_id)
    for index, ids in people.items():
        workload[index].people = len(ids)
