"""The grouped queries that serve every count of the report, made once per report.

A handful of grouped queries serve every figure: the meldingen registered in the period per group
and day, those resolved in the period per group and day (with the FCR, first-line, reopen and SLA
counts), and the registered ones per entry type and call type. Totals, weeks and months are summed
from those rows in Python (at most groups x days rows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDay

from beheer.servicedesk.models import Line

from .period import ReportFilter, zone
from .queries import _escalated, _has_partials, _registered, _resolved, _unindexed


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


def _as_date(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return value.astimezone(zone()).date() if value.tzinfo else value.date()
    return value
