"""Read-only figures on service levels for reports: OLA results per operator group, satisfaction.

Both functions aggregate in the database (one query each); nothing is loaded per melding. They do
not filter by permission: the caller passes a queryset or period it may show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from beheer.accounts.models import OperatorGroup

from ..models import MeldingOla, MeldingQuerySet

RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class OlaGroupSummary:
    """OLA results of one operator group for the stints that ended in a period."""

    group_id: int
    group: str
    total: int  # stints decided in the period (met + breached)
    met: int
    breached: int
    met_percent: float | None  # met / total * 100, None without stints
    average_minutes: float | None  # business minutes the group held a melding, on average


def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """Local midnight at the start of `date_from` up to local midnight after `date_to`."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, time(0), tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def ola_summary(
    date_from: date, date_to: date, groups: Iterable[OperatorGroup | int] | None = None
) -> list[OlaGroupSummary]:
    """OLA met percentage per operator group, over the stints whose clock stopped in the period.

    A group's clock stops when it hands the melding over or the melding is resolved; both dates are
    included (local time). A stint still running is not counted: it is not decided yet. When a group
    held a melding more than once, its time adds up and counts once, at the last hand-over.
    """
    start, end = _bounds(date_from, date_to)
    rows = MeldingOla.objects.filter(stopped_at__gte=start, stopped_at__lt=end, met__isnull=False)
    if groups is not None:
        ids = [g.pk if isinstance(g, OperatorGroup) else int(g) for g in groups]
        rows = rows.filter(operator_group_id__in=ids)
    result = []
    for row in (
        rows.values("operator_group_id", "operator_group__name")
        .annotate(
            total=Count("id"),
            met_count=Count("id", filter=Q(met=True)),
            average=Avg("elapsed_minutes"),
        )
        .order_by("operator_group__name", "operator_group_id")
    ):
        total, met = row["total"], row["met_count"]
        result.append(
            OlaGroupSummary(
                group_id=row["operator_group_id"],
                group=row["operator_group__name"],
                total=total,
                met=met,
                breached=total - met,
                met_percent=round(100 * met / total, 1) if total else None,
                average_minutes=round(float(row["average"]), 1) if row["average"] is not None else None,
            )
        )
    return result


@dataclass(frozen=True)
class SatisfactionSummary:
    """Caller satisfaction over a set of meldingen."""

    confirmed: int  # meldingen the caller confirmed (closed by confirming the solution)
    rated: int  # of those, how many carry a rating
    average: float | None  # average rating 1-5, None without ratings
    response_rate: float | None  # rated / confirmed * 100, None when nothing was confirmed
    distribution: dict[int, int] = field(default_factory=dict)  # rating -> count


def satisfaction_summary(qs: MeldingQuerySet) -> SatisfactionSummary:
    """Average rating, number of ratings and the response rate among confirmed meldingen, in one query.

    Pass a queryset already filtered by permission and period (for example on `confirmed_at`).
    """
    counts = {f"r{n}": Count("pk", filter=Q(satisfaction_rating=n)) for n in RATINGS}
    row = qs.order_by().aggregate(
        confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
        rated=Count("pk", filter=Q(satisfaction_rating__isnull=False)),
        average=Avg("satisfaction_rating"),
        **counts,
    )
    confirmed, rated = row["confirmed"], row["rated"]
    return SatisfactionSummary(
        confirmed=confirmed,
        rated=rated,
        average=round(float(row["average"]), 2) if row["average"] is not None else None,
        response_rate=round(100 * rated / confirmed, 1) if confirmed else None,
        distribution={n: row[f"r{n}"] for n in RATINGS},
    )
