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
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDay
from django.utils.translation import gettext as _

from beheer.accounts.models import Department, OperatorGroup
from beheer.core import clock
from beheer.core.errors import DomainError
from beheer.servicedesk import sla
from beheer.servicedesk.models import (
    BusinessCalendar,
    CallType,
    Category,
    EntryType,
    HistoryEntry,
    Line,
    Melding,
    Priority,
    SlaPolicy,
    Status,
    StatusKind,
    TimeEntry,
)
from beheer.servicedesk.service_level_queries import ola_summary, satisfaction_summary
from beheer.servicedesk.services import calendar_for
from beheer.servicedesk.services.service_level import CLOCK_ACTIONS

MAX_PERIOD_DAYS = 3 * 366  # about three years
MAX_REPLAY = 100_000  # resolved meldingen per report whose business hours are replayed
BATCH = 2000
_FAR = timedelta(days=36500)  # a target no melding reaches: the replay only needs the elapsed time
FILTER_FIELDS = ("operator_group", "category", "department", "priority")


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --------------------------------------------------------------------------------------------------
# the filter


@dataclass(frozen=True)
class ReportFilter:
    date_from: date
    date_to: date
    operator_group: int | None = None
    category: int | None = None
    department: int | None = None
    priority: int | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time(0), tzinfo=zone())

    @property
    def end(self) -> datetime:
        """The first instant after the period (midnight at the end of date_to)."""
        return datetime.combine(self.date_to + timedelta(days=1), time(0), tzinfo=zone())

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def params(self) -> dict[str, str]:
        """Query-string parameters that rebuild this filter (for links and exports)."""
        out = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for name in FILTER_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = str(value)
        return out

    def dimensions(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in FILTER_FIELDS}


def _parse_date(value: Any, field: str, errors: dict[str, str]) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value or "").strip()
    if not text:
        errors[field] = _("Enter a date.")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None


def _parse_id(value: Any, field: str, errors: dict[str, str]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[field] = _("Enter a number.")
        return None
    if not 1 <= number <= 2**63 - 1:
        errors[field] = _("Enter a valid id.")
        return None
    return number


def parse_filter(data: Mapping[str, Any]) -> ReportFilter:
    """A ReportFilter from query parameters; DomainError with field errors on bad input."""
    errors: dict[str, str] = {}
    date_from = _parse_date(data.get("date_from"), "date_from", errors)
    date_to = _parse_date(data.get("date_to"), "date_to", errors)
    ids = {name: _parse_id(data.get(name), name, errors) for name in FILTER_FIELDS}
    if date_from and date_to:
        if date_to < date_from:
            errors["date_to"] = _("The end date lies before the start date.")
        elif (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
            errors["date_to"] = _("A report covers at most three years.")
    if errors:
        raise DomainError(_("The report period or filter is not valid."), field_errors=errors)
    assert date_from is not None
    assert date_to is not None
    return ReportFilter(date_from=date_from, date_to=date_to, **ids)


# --------------------------------------------------------------------------------------------------
# small helpers


def ratio(numerator: int, denominator: int) -> dict[str, Any]:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "percent": round(100 * numerator / denominator, 1) if denominator else None,
    }


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def _local_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone()).date().isoformat()
    return value.isoformat()


def _unindexed(field: str) -> Any:
    """`field + 0`: the same value, but no index on `field` alone can serve a condition on it.

    Every report query is bounded by a time range (created_at, resolved_at); the planner must use
    that range. Without statistics SQLite would rather walk the index of a foreign key such as
    parent_id (IS NULL for nearly every row) or operator_group_id and read a large part of the table.
    """
    return ExpressionWrapper(F(field) + 0, output_field=IntegerField())


def scope(user: Any, f: ReportFilter) -> QuerySet[Melding]:
    """The meldingen the user may see that match the filter's dimensions (no period, no exclusions)."""
    qs = Melding.objects.visible_to(user)
    exact = {
        "operator_group_id": f.operator_group,
        "category_id": f.category,
        "caller_department_id": f.department,
        "priority_id": f.priority,
    }
    for field, value in exact.items():
        if value is not None:
            qs = qs.alias(**{f"_{field}": _unindexed(field)}).filter(**{f"_{field}": value})
    return qs


def counted(user: Any, f: ReportFilter) -> QuerySet[Melding]:
    """`scope` without merged duplicates and partial incidents: what melding counts count."""
    return (
        scope(user, f)
        .alias(
            _merged=Coalesce(_unindexed("merged_into_id"), 0), _parent=Coalesce(_unindexed("parent_id"), 0)
        )
        .filter(_merged=0, _parent=0)
    )


def _registered(user: Any, f: ReportFilter) -> QuerySet[Melding]:
    return counted(user, f).filter(created_at__gte=f.start, created_at__lt=f.end)


def _resolved(user: Any, f: ReportFilter) -> QuerySet[Melding]:
    # is_open=False is implied by a resolved_at (reopening clears it) and lets the (is_open,
    # resolved_at) index serve the range. Written as IN: SQLite cannot use an index for the bare
    # `NOT "is_open"` that Django would write.
    return counted(user, f).filter(is_open__in=[False], resolved_at__gte=f.start, resolved_at__lt=f.end)


def _not_resolved_before(qs: QuerySet[Melding], at: datetime) -> QuerySet[Melding]:
    """Open now, or resolved at or after `at` (both ranges of the (is_open, resolved_at) index)."""
    return qs.filter(Q(is_open__in=[True]) | Q(is_open__in=[False], resolved_at__gte=at))


def _unresolved_at(qs: QuerySet[Melding], at: datetime) -> QuerySet[Melding]:
    """Meldingen registered before `at` and not resolved before `at` (the backlog at that instant)."""
    return _not_resolved_before(qs, at).filter(created_at__lt=at)


class Epoch(Func):
    """Seconds since 1970 (UTC) of a datetime column, as a float, without Python datetime parsing."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores UTC as text; julianday reads it (precision: tens of microseconds).
        return self.as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra
        )


def _escalated() -> Exists:
    # History never precedes the registration, so the `at` condition changes nothing, but it keeps the
    # lookup a per-melding probe of the (melding, at) index: PostgreSQL would otherwise hash every
    # 'escalated' row of the whole history table once per query.
    return Exists(
        HistoryEntry.objects.filter(
            melding=OuterRef("pk"), action="escalated", at__gte=OuterRef("created_at")
        )
    )


def _has_partials() -> Exists:
    return Exists(Melding.objects.filter(parent=OuterRef("pk")))


# --------------------------------------------------------------------------------------------------
# the figures
#
# A handful of grouped queries serve every figure: the meldingen registered in the period per group
# and day, those resolved in the period per group and day (with the FCR, first-line, reopen and SLA
# counts), and the registered ones per entry type and call type. Totals, weeks and months are summed
# from those rows in Python (at most groups x days rows).


class _Facts:
    def __init__(self, user: Any, f: ReportFilter) -> None:
        self.user, self.f = user, f
        self._cache: dict[str, Any] = {}

    def _once(self, key: str, make: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def registered(self) -> list[dict[str, Any]]:
        """[{operator_group, day, n, escalated}] for the meldingen registered in the period."""

        def make() -> list[dict[str, Any]]:
            rows = (
                _registered(self.user, self.f)
                .annotate(was_escalated=_escalated(), t=TruncDay("created_at", tzinfo=zone()))
                .values("t", grp=_unindexed("operator_group_id"))
                .annotate(
                    n=Count("pk"), escalated=Count("pk", filter=Q(line=Line.SECOND) | Q(was_escalated=True))
                )
                .order_by()
            )
            return [{**row, "day": _as_date(row["t"])} for row in rows]

        return self._once("registered", make)

    @property
    def resolved(self) -> list[dict[str, Any]]:
        """[{operator_group, day, resolved, first_line, first_contact, reopened, sla_met, sla_breached}]."""

        def make() -> list[dict[str, Any]]:
            not_escalated = Q(was_escalated=False) & ~Q(line=Line.SECOND)
            rows = (
                _resolved(self.user, self.f)
                .annotate(
                    was_escalated=_escalated(),
                    has_partials=_has_partials(),
                    t=TruncDay("resolved_at", tzinfo=zone()),
                )
                .values("t", grp=_unindexed("operator_group_id"))
                .annotate(
                    resolved=Count("pk"),
                    first_line=Count("pk", filter=not_escalated),
                    first_contact=Count("pk", filter=not_escalated & Q(reopen_count=0, has_partials=False)),
                    reopened=Count("pk", filter=Q(reopen_count__gt=0)),
                    sla_met=Count("pk", filter=Q(resolution_met=True)),
                    sla_breached=Count("pk", filter=Q(resolution_met=False)),
                )
                .order_by()
            )
            return [{**row, "day": _as_date(row["t"])} for row in rows]

        return self._once("resolved", make)

    def total(self, rows: list[dict[str, Any]], key: str) -> int:
        return sum(int(row[key]) for row in rows)

    def per_group(self, rows: list[dict[str, Any]], keys: Iterable[str]) -> dict[int | None, dict[str, int]]:
        out: dict[int | None, dict[str, int]] = {}
        for row in rows:
            target = out.setdefault(row["grp"], defaultdict(int))
            for key in keys:
                target[key] += row[key]
        return out

    def per_day(self, rows: list[dict[str, Any]], key: str) -> dict[date, int]:
        out: dict[date, int] = defaultdict(int)
        for row in rows:
            out[row["day"]] += row[key]
        return out


def _facts(user: Any, f: ReportFilter, facts: _Facts | None) -> _Facts:
    return facts if facts is not None else _Facts(user, f)


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


def today() -> date:
    """Today's local date: a report never draws days that have not happened yet."""
    return clock.now().astimezone(zone()).date()


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


def _as_date(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return value.astimezone(zone()).date() if value.tzinfo else value.date()
    return value


def _time_entries(user: Any, f: ReportFilter) -> QuerySet[TimeEntry]:
    """Time registrations dated in the period on meldingen matching the filter (joins, no IN list)."""
    qs = TimeEntry.objects.filter(date__gte=f.date_from, date__lte=f.date_to)
    if not getattr(user, "is_staff_member", False):
        return qs.none()  # time registrations are internal; only staff see them
    exact = {
        "operator_group_id": f.operator_group,  # the time that group spent
        "melding__category_id": f.category,
        "melding__caller_department_id": f.department,
        "melding__priority_id": f.priority,
    }
    return qs.filter(**{k: v for k, v in exact.items() if v is not None})


def time_spent(user: Any, f: ReportFilter) -> dict[str, Any]:
    """Minutes registered with a date in the period, by line and by the operator group each
    registration was booked on (the group the melding was in at the time)."""
    rows = list(_time_entries(user, f).values("line", "operator_group").annotate(m=Sum("minutes")).order_by())
    by_line_totals: dict[str, int] = defaultdict(int)
    by_group_totals: dict[int | None, int] = defaultdict(int)
    for row in rows:
        by_line_totals[row["line"]] += row["m"]
        by_group_totals[row["operator_group"]] += row["m"]
    line_labels = dict(Line.choices)
    groups = dict(
        OperatorGroup.objects.filter(pk__in=[k for k in by_group_totals if k]).values_list("pk", "name")
    )
    return {
        "total_minutes": sum(by_line_totals.values()),
        "by_line": [
            {"key": key, "label": str(line_labels.get(key, key)), "minutes": m}
            for key, m in sorted(by_line_totals.items())
        ],
        "by_group": [
            {"id": key, "label": groups.get(key, "") if key else "", "minutes": m}
            for key, m in sorted(by_group_totals.items(), key=lambda kv: -kv[1])
        ],
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


# --------------------------------------------------------------------------------------------------
# resolution time


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def default_calendar() -> BusinessCalendar | None:
    """The calendar of the first active SLA policy; otherwise the first active business calendar."""
    policy = SlaPolicy.objects.active().select_related("calendar").order_by("order", "name", "pk").first()
    if policy is not None:
        return policy.calendar
    return BusinessCalendar.objects.filter(active=True).order_by("always_open", "name", "pk").first()


class _OpenTime:
    """Business time between two instants by bisection over precomputed opening intervals.

    Built once per calendar for the local dates a report touches; equal to Calendar.between (to the
    microsecond) inside that range, and falls back to it outside.
    """

    def __init__(self, calendar: sla.Calendar, first: date, last: date) -> None:
        self.calendar = calendar
        self.always_open = calendar.always_open
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.before: list[float] = []  # open seconds before each interval
        self.low = self.high = 0.0
        if self.always_open:
            return
        total = 0.0
        day = first - timedelta(days=1)
        while day <= last + timedelta(days=1):
            for begin, finish in calendar.intervals_on(day):
                self.starts.append(begin.timestamp())
                self.ends.append(finish.timestamp())
                self.before.append(total)
                total += (finish - begin).total_seconds()
            day += timedelta(days=1)
        self.low = datetime.combine(first, time(0), tzinfo=calendar.tz).timestamp()
        self.high = datetime.combine(last + timedelta(days=1), time(0), tzinfo=calendar.tz).timestamp()

    def _upto(self, x: float) -> float:
        i = bisect.bisect_right(self.starts, x) - 1
        if i < 0:
            return 0.0
        return self.before[i] + min(max(x - self.starts[i], 0.0), self.ends[i] - self.starts[i])

    def seconds(self, a: float, b: float) -> float:
        """Open seconds in [a, b), both in seconds since 1970 (UTC)."""
        if b <= a:
            return 0.0
        if self.always_open:
            return b - a
        if a < self.low or b > self.high:
            return self.calendar.between(_instant(a), _instant(b)).total_seconds()
        return self._upto(b) - self._upto(a)


def _instant(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


class _Calendars:
    """Pure calendars per SLA policy, built once per report for the years the meldingen span."""

    def __init__(self, first: date, last: date) -> None:
        self.first, self.last = first, last
        self._by_calendar: dict[int, tuple[sla.Calendar, _OpenTime] | None] = {}
        self.policy_calendar = dict(SlaPolicy.objects.values_list("pk", "calendar_id"))
        fallback = default_calendar()
        self.default_id = fallback.pk if fallback else None

    def get(self, policy_id: int | None) -> tuple[sla.Calendar, _OpenTime] | None:
        cal_id = self.policy_calendar.get(policy_id, self.default_id) if policy_id else self.default_id
        if cal_id is None:
            return None
        if cal_id not in self._by_calendar:
            cal = BusinessCalendar.objects.prefetch_related("opening_hours").filter(pk=cal_id).first()
            built: tuple[sla.Calendar, _OpenTime] | None = None
            if cal is not None:
                try:
                    calendar = calendar_for(cal, years=range(self.first.year - 1, self.last.year + 2))
                except ValueError:
                    calendar = None
                if calendar is not None and calendar.has_hours:
                    built = (calendar, _OpenTime(calendar, self.first, self.last))
            self._by_calendar[cal_id] = built
        return self._by_calendar[cal_id]


def _clock_events(ids: list[int], statuses: dict[str, tuple[str, bool]]) -> dict[int, list[sla.ClockEvent]]:
    """The resolution-clock events of a batch of meldingen (same rules as the SLA engine)."""
    events: dict[int, list[sla.ClockEvent]] = defaultdict(list)
    if not ids:
        return events
    rows = (
        HistoryEntry.objects.filter(melding_id__in=ids, action__in=CLOCK_ACTIONS, field="status")
        .order_by("melding_id", "at", "id")
        .values_list("melding_id", "at", "action", "new_ref")
    )
    for melding_id, at, action, new_ref in rows:
        kind, pauses = statuses.get(new_ref, ("", False))
        if action == "reopened":
            events[melding_id].append(sla.ClockEvent(at, sla.EventKind.REOPEN))
        elif kind in (StatusKind.RESOLVED, StatusKind.CLOSED):
            events[melding_id].append(sla.ClockEvent(at, sla.EventKind.RESOLVE))
        elif pauses:
            events[melding_id].append(sla.ClockEvent(at, sla.EventKind.PAUSE))
        elif kind:
            events[melding_id].append(sla.ClockEvent(at, sla.EventKind.RESUME))
    return events


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _replayed(
    calendar: sla.Calendar, created: datetime, resolved: datetime, events: list[sla.ClockEvent]
) -> float | None:
    """Business seconds on the resolution clock up to the resolution, pauses excluded."""
    # A target longer than the wall-clock time is never reached, so no deadline is searched for.
    target = (resolved - created) + timedelta(days=1)
    try:
        reading = sla.read_clock(calendar, start=created, target=target, events=events, now=resolved)
    except ValueError:
        return None
    return reading.elapsed.total_seconds()


def resolution_time(user: Any, f: ReportFilter, *, count: int | None = None) -> dict[str, Any]:
    """Mean and median resolution time of the meldingen resolved in the period.

    Wall-clock hours: resolved_at - created_at. Business hours: the melding's resolution clock over
    its SLA policy's calendar (the default calendar without a policy), pauses excluded: the reading
    the SLA engine makes, up to the resolution. Only the meldingen that were ever paused or reopened
    need their history replayed; for the others the clock ran from registration to resolution, which
    is one bisection in a precomputed table of opening hours.
    """
    qs = _resolved(user, f)
    if count is None:
        count = qs.count()
    result: dict[str, Any] = {
        "count": count,
        "wall_clock_hours": {"mean": None, "median": None},
        "business_hours": {"mean": None, "median": None},
        "business_hours_computed": count <= MAX_REPLAY,
    }
    if not count:
        return result
    if count > MAX_REPLAY:
        # Too many to walk in one request: wall-clock figures from the database only.
        duration = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
        mean = qs.aggregate(mean=Avg(duration))["mean"]
        if isinstance(mean, (int, float)):  # some backends give microseconds
            mean = timedelta(microseconds=mean)
        result["wall_clock_hours"]["mean"] = _hours(mean) if isinstance(mean, timedelta) else None
        ordered = qs.annotate(d=duration).order_by("d").values_list("d", flat=True)
        middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
        if middle:
            result["wall_clock_hours"]["median"] = _hours(sum(middle, timedelta()) / len(middle))
        return result
    # At most MAX_REPLAY small tuples; no ordering, so PostgreSQL uses the resolved_at range.
    rows = list(
        qs.annotate(c=Epoch("created_at"), r=Epoch("resolved_at"))
        .order_by()
        .values_list("pk", "c", "r", "sla_policy_id")
    )
    if not rows:
        return result
    statuses = {
        str(pk): (kind, pauses) for pk, kind, pauses in Status.objects.values_list("pk", "kind", "pauses_sla")
    }
    pausing = [pk for pk, (_kind, pauses) in statuses.items() if pauses]
    tz = zone()
    first = datetime.fromtimestamp(min(row[1] for row in rows), tz=tz).date()
    last = datetime.fromtimestamp(max(row[2] for row in rows), tz=tz).date()
    calendars = _Calendars(first, last)
    wall: list[float] = []
    business: list[float] = []
    for batch in _batches(rows, BATCH):
        # Per batch, by the history index: which of these were ever paused or reopened.
        interrupted = set(
            HistoryEntry.objects.filter(melding_id__in=[row[0] for row in batch], field="status")
            .filter(Q(action="reopened") | Q(action__in=CLOCK_ACTIONS, new_ref__in=pausing))
            .values_list("melding_id", flat=True)
        )
        events = _clock_events(sorted(interrupted), statuses)
        for pk, created, resolved, policy_id in batch:
            wall.append((resolved - created) / 3600)
            found = calendars.get(policy_id)
            if found is None:
                continue
            calendar, open_time = found
            seconds = None
            if pk in interrupted:
                seconds = _replayed(calendar, _instant(created), _instant(resolved), events[pk])
            if seconds is None:
                seconds = open_time.seconds(created, resolved)
            business.append(seconds / 3600)
    result["wall_clock_hours"] = {"mean": _mean(wall), "median": _median(wall)}
    result["business_hours"] = {"mean": _mean(business), "median": _median(business)}
    return result


# --------------------------------------------------------------------------------------------------
# everything together


def filter_labels(f: ReportFilter) -> dict[str, str]:
    """Display names of the chosen filter values (for headings and exports)."""
    out: dict[str, str] = {}
    models: dict[str, Any] = {
        "operator_group": OperatorGroup,
        "category": Category,
        "department": Department,
        "priority": Priority,
    }
    for name, model in models.items():
        value = getattr(f, name)
        if value is not None:
            obj = model.objects.filter(pk=value).first()
            out[name] = str(getattr(obj, "display_name", None) or obj) if obj else f"#{value}"
    return out


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
