"""The daily servicedesk dashboard: what is open, unassigned, at risk, waiting, old, new and done.

Every figure is one conditional COUNT in a few aggregate queries over the open meldingen (which use
the partial indexes on is_open), so the number of queries does not grow with the data. Each figure
carries the operator list's filter parameters that show exactly the counted meldingen; the
conditions come from `servicedesk.queries`, the same ones the list applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beheer.accounts.models import OperatorGroup
from beheer.core import clock, durations
from beheer.core.errors import DomainError
from beheer.knowledge.models import Article
from beheer.operations.models import Occurrence
from beheer.servicedesk.models import Line, Melding, Status, StatusKind
from beheer.servicedesk.queries import (
    AGE_BUCKETS,
    age_condition,
    created_condition,
    day_bounds,
    resolved_condition,
    sla_condition,
)

URGENT_LIMIT = 10
SLA_DAYS = 30  # the SLA percentage on the dashboard: calls resolved in the last 30 days
KNOWLEDGE_LIMIT = 5
POLL_SECONDS = 30

LABELS: dict[str, Promise] = {
    "open": gettext_lazy("Open calls"),
    "open_first": gettext_lazy("First line"),
    "open_second": gettext_lazy("Second line"),
    "open_partial": gettext_lazy("Partial incidents"),
    "unassigned": gettext_lazy("Unassigned"),
    "at_risk": gettext_lazy("At risk"),
    "breached": gettext_lazy("Breached"),
    "paused": gettext_lazy("SLA paused"),
    "waiting_supplier": gettext_lazy("Waiting for supplier"),
    "waiting_caller": gettext_lazy("Waiting for caller"),
    "age_0_2": gettext_lazy("0-2 days"),
    "age_3_7": gettext_lazy("3-7 days"),
    "age_8_30": gettext_lazy("8-30 days"),
    "age_31_plus": gettext_lazy("More than 30 days"),
    "created_today": gettext_lazy("Registered today"),
    "resolved_today": gettext_lazy("Resolved today"),
    "created_yesterday": gettext_lazy("Registered yesterday"),
    "resolved_yesterday": gettext_lazy("Resolved yesterday"),
    "preventive_overdue": gettext_lazy("Overdue preventive activities"),
}
AGE_KEYS = {"0-2": "age_0_2", "3-7": "age_3_7", "8-30": "age_8_30", "31+": "age_31_plus"}
assert set(AGE_KEYS) == set(AGE_BUCKETS)


# --------------------------------------------------------------------------------------------------
# scope: all calls, my operator groups, or one operator group


@dataclass(frozen=True)
class Scope:
    value: str = ""  # "", "mine" or a group's id
    group_ids: tuple[int, ...] | None = None  # None: every call
    group: OperatorGroup | None = None

    @property
    def list_params(self) -> dict[str, str]:
        """The operator list's parameters that select this scope."""
        if self.value == "mine":
            return {"groups": "mine"}
        if self.group is not None:
            return {"operator_group": str(self.group.pk)}
        return {}

    def condition(self) -> Q:
        if self.group_ids is None:
            return Q()
        return Q(operator_group_id__in=self.group_ids)

    @property
    def preventive_params(self) -> dict[str, str]:
        """The preventive activity list's parameters that select this scope."""
        if self.value == "mine":
            return {"scope": "team"}
        if self.group is not None:
            return {"scope": "all", "operator_group": str(self.group.pk)}
        return {"scope": "all"}

    def preventive_condition(self) -> Q:
        if self.group_ids is None:
            return Q()
        return Q(series__operator_group_id__in=self.group_ids)


def parse_scope(raw: str, user: Any) -> Scope:
    """'' (all calls), 'mine' (the user's operator groups) or an operator group's id."""
    raw = (raw or "").replace("\x00", "").strip()
    if not raw:
        return Scope()
    if raw == "mine":
        return Scope("mine", tuple(user.operator_groups.values_list("pk", flat=True)))
    group = OperatorGroup.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 18 else None
    if group is None:
        message = _("Choose an operator group, “mine” or nothing for all calls.")
        raise DomainError(message, field_errors={"operator_group": message})
    return Scope(str(group.pk), (group.pk,), group)


# --------------------------------------------------------------------------------------------------
# the figures


@dataclass(frozen=True)
class Figure:
    key: str
    count: int
    params: dict[str, str]
    label: str = ""
    list_view: str = "melding-list"  # the list that shows the counted rows

    @property
    def url(self) -> str:
        return f"{reverse(self.list_view)}?{urlencode(self.params)}"


@dataclass(frozen=True)
class GroupRow:
    id: int | None
    name: str
    open: Figure
    unassigned: Figure
    at_risk: Figure
    breached: Figure
    waiting: Figure


@dataclass(frozen=True)
class UrgentRow:
    melding: Melding
    state: str
    due: datetime | None
    remaining: timedelta | None  # negative once overdue; None while the clock is paused
    text: str


@dataclass(frozen=True)
class SlaKpi:
    """Resolution within SLA over the calls resolved in the last `days` days (resolved calls only:
    open calls past their target are the `breached` figure, shown next to it)."""

    met: int
    breached: int
    days: int = SLA_DAYS

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.decided, 1) if self.decided else None


@dataclass(frozen=True)
class KnowledgeReview:
    """Published knowledge articles past their review date that the user may read."""

    count: int
    articles: list[Article]

    @property
    def url(self) -> str:
        return f"{reverse('knowledge-list')}?{urlencode({'review': 'overdue'})}"


@dataclass
class Dashboard:
    now: datetime
    scope: Scope
    figures: dict[str, Figure] = field(default_factory=dict)
    groups: list[GroupRow] = field(default_factory=list)
    urgent: list[UrgentRow] = field(default_factory=list)
    knowledge: KnowledgeReview | None = None
    sla: SlaKpi = field(default_factory=lambda: SlaKpi(0, 0))

    def __getitem__(self, key: str) -> Figure:
        return self.figures[key]

    @property
    def lines(self) -> list[Figure]:
        return [self.figures[k] for k in ("open_first", "open_second", "open_partial")]

    @property
    def aging(self) -> list[Figure]:
        return [self.figures[k] for k in AGE_KEYS.values()]


def format_duration(delta: timedelta) -> str:
    """A wall-clock duration in the house style (`core.durations`), without its sign."""
    return durations.format_duration(abs(delta))


def remaining_text(due: datetime | None, now: datetime) -> str:
    if due is None:
        return _("overdue, clock paused")
    return durations.remaining_text(due - now)


def _status_ids() -> dict[str, list[int]]:
    """Status ids by code and by kind, from one small query (no join in the counts)."""
    ids: dict[str, list[int]] = {}
    for pk, code, kind in Status.objects.values_list("pk", "code", "kind"):
        ids.setdefault(f"code:{code}", []).append(pk)
        ids.setdefault(f"kind:{kind}", []).append(pk)
    return ids


def build_dashboard(user: Any, scope: Scope, *, now: datetime | None = None) -> Dashboard:
    """All figures for `user` within `scope`, in a fixed number of aggregate queries."""
    now = now or clock.now()
    d = Dashboard(now=now, scope=scope)
    statuses = _status_ids()
    supplier = Q(status_id__in=statuses.get("code:waiting_supplier", []))
    caller = Q(status_id__in=statuses.get("code:waiting_caller", []))
    waiting = Q(status_id__in=statuses.get(f"kind:{StatusKind.WAITING}", []))
    unassigned = Q(operator__isnull=True)
    at_risk, breached = sla_condition("at_risk", now), sla_condition("breached", now)

    visible = Melding.objects.countable_by(user).filter(scope.condition())  # figures only
    open_qs = visible.filter(is_open=True)
    conditions: dict[str, Q] = {
        "open_first": Q(line=Line.FIRST),
        "open_second": Q(line=Line.SECOND),
        "open_partial": Q(line=Line.PARTIAL),
        "unassigned": unassigned,
        "at_risk": at_risk,
        "breached": breached,
        "paused": sla_condition("paused", now),
        "waiting_supplier": supplier,
        "waiting_caller": caller,
        **{key: age_condition(bucket, now) for bucket, key in AGE_KEYS.items()},
    }
    counts = open_qs.aggregate(
        open=Count("pk"), **{key: Count("pk", filter=cond) for key, cond in conditions.items()}
    )
    base = scope.list_params
    params: dict[str, dict[str, str]] = {
        "open": {"queue": "open"},
        "open_first": {"queue": "first"},
        "open_second": {"queue": "second"},
        "open_partial": {"queue": "partial"},
        "unassigned": {"queue": "unassigned"},
        "at_risk": {"queue": "open", "sla": "at_risk"},
        "breached": {"queue": "open", "sla": "breached"},
        "paused": {"queue": "open", "sla": "paused"},
        "waiting_supplier": {"queue": "open", "status_code": "waiting_supplier"},
        "waiting_caller": {"queue": "open", "status_code": "waiting_caller"},
        **{key: {"queue": "open", "age": bucket} for bucket, key in AGE_KEYS.items()},
    }

    # intake and output: today and yesterday in the local time zone (two index range scans); the
    # second also counts the SLA outcomes of the last 30 days (merged duplicates and partial
    # incidents left out, as in the management report)
    start, _end = day_bounds("yesterday", now)
    _start, end = day_bounds("today", now)
    days = ("today", "yesterday")
    created = visible.filter(created_at__gte=start, created_at__lt=end).aggregate(
        **{f"created_{day}": Count("pk", filter=created_condition(day, now)) for day in days}
    )
    since = now - timedelta(days=SLA_DAYS)
    counted = Q(resolved_at__gte=since, merged_into__isnull=True, parent__isnull=True)
    resolved = visible.filter(
        is_open=False, resolved_at__gte=min(start, since), resolved_at__lt=end
    ).aggregate(
        **{f"resolved_{day}": Count("pk", filter=resolved_condition(day, now)) for day in days},
        sla_met=Count("pk", filter=counted & Q(resolution_met=True)),
        sla_breached=Count("pk", filter=counted & Q(resolution_met=False)),
    )
    d.sla = SlaKpi(met=resolved.pop("sla_met"), breached=resolved.pop("sla_breached"))
    counts.update(created)
    counts.update(resolved)
    for day in days:
        params[f"created_{day}"] = {"queue": "all", "created": day}
        params[f"resolved_{day}"] = {"queue": "all", "resolved": day}

    d.figures = {key: Figure(key, counts[key], {**params[key], **base}, str(LABELS[key])) for key in params}
    d.figures["preventive_overdue"] = _preventive_overdue(user, scope, now)
    d.groups = _group_rows(
        open_qs, scope, unassigned=unassigned, at_risk=at_risk, breached=breached, waiting=waiting
    )
    shown = Melding.objects.visible_to(user).filter(scope.condition(), is_open=True)  # rows: content
    d.urgent = _urgent(shown, now, at_risk=at_risk, breached=breached)
    d.knowledge = knowledge_review(user, now)
    return d


def knowledge_review(user: Any, now: datetime) -> KnowledgeReview:
    """Two queries: how many articles are due for review, and the few to do first (the user's own,
    then the longest overdue)."""
    stale = Article.objects.visible_to(user).stale(timezone.localdate(now))
    articles = list(stale.review_order(user).select_related("owner")[:KNOWLEDGE_LIMIT])
    return KnowledgeReview(count=stale.count(), articles=articles)


def _preventive_overdue(user: Any, scope: Scope, now: datetime) -> Figure:
    """Open preventive activities past their due time: one COUNT over the partial index on open ones."""
    count = Occurrence.objects.visible_to(user).filter(scope.preventive_condition()).overdue(now).count()
    params = {**scope.preventive_params, "overdue": "1"}
    key = "preventive_overdue"
    return Figure(key, count, params, str(LABELS[key]), list_view="operations-occurrences")


def _group_rows(open_qs: Any, scope: Scope, **conditions: Q) -> list[GroupRow]:
    rows = {
        row["operator_group"]: row
        for row in open_qs.values("operator_group")
        .annotate(open=Count("pk"), **{k: Count("pk", filter=c) for k, c in conditions.items()})
        .order_by()
    }
    if scope.group_ids is not None:
        groups = OperatorGroup.objects.filter(pk__in=scope.group_ids)
    else:
        groups = OperatorGroup.objects.filter(Q(active=True) | Q(pk__in=[pk for pk in rows if pk]))
    extra: dict[str, dict[str, str]] = {
        "open": {},
        "unassigned": {"unassigned": "1"},
        "at_risk": {"sla": "at_risk"},
        "breached": {"sla": "breached"},
        "waiting": {"status_kind": str(StatusKind.WAITING.value)},
    }
    empty = dict.fromkeys(extra, 0)

    def row(pk: int | None, name: str, scope_params: dict[str, str]) -> GroupRow:
        values = rows.get(pk, empty)
        figures = {
            key: Figure(f"group_{key}", values[key], {"queue": "open", **scope_params, **more})
            for key, more in extra.items()
        }
        return GroupRow(id=pk, name=name, **figures)

    result = [
        row(g.pk, g.name, {"operator_group": str(g.pk)})
        for g in groups.order_by("name", "pk").only("pk", "name")
    ]
    if scope.group_ids is None and None in rows:
        result.append(row(None, _("No operator group"), {"groups": "none"}))
    return result


def _urgent(open_qs: Any, now: datetime, *, at_risk: Q, breached: Q) -> list[UrgentRow]:
    """The most urgent open calls: breached first, then at risk, each by the nearest deadline."""
    rows = (
        open_qs.filter(breached | at_risk)
        .annotate(rank=Case(When(breached, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by(
            "rank",
            F("resolution_due").asc(nulls_last=True),
            F("resolution_risk_at").asc(nulls_last=True),
            "pk",
        )
        .select_related("status", "priority", "operator_group", "operator")[:URGENT_LIMIT]
    )
    result = []
    for m in rows:
        due = m.resolution_due
        result.append(
            UrgentRow(
                melding=m,
                state=m.sla_state(now),
                due=due,
                remaining=due - now if due is not None else None,
                text=remaining_text(due, now),
            )
        )
    return result
