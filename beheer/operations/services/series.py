"""Preventive activity series: create, change, stop and restart them.

When the rule of a series changes, its future open occurrences that no longer match the new rule are
removed (unless somebody already recorded time or evidence on them: those are kept), matching ones
are kept, and the missing ones are created (`planning.generate_for_series`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import ConfigurationItem
from beheer.core.errors import Conflict, DomainError, NotFound
from beheer.core.timezones import installation_time_zone

from ..models import ActivityKind, ActivitySeries, Evidence, Notice, Occurrence, OccurrenceStatus
from ._base import (
    ITEM_MAX,
    MAX_GRACE_HOURS,
    MAX_ITEMS,
    MAX_LEAD_DAYS,
    MAX_PER_RUN,
    MAX_REMIND_HOURS,
    NAME_MAX,
    TEXT_MAX,
    _bounded,
    _clean,
    _clean_list,
    _ensure_manager,
    _log,
    _now,
)
from .cis import check_cis
from .planning import _snapshot, _window_of, build_window, generate_for_series, planned_instants


@dataclass(frozen=True)
class SeriesInput:
    name: str
    kind: str
    description: str
    checklist: list[str]
    rule: str
    start_date: date
    start_time: time
    time_zone: str
    lead_days: int
    grace_hours: int
    remind_hours: int
    operator_group: OperatorGroup | None
    assignee: User | None
    linked_objects: list[str]  # the names of the CIs, kept for readers of the old field


def _check_series(
    *,
    name: str,
    kind: str,
    description: str,
    checklist: Sequence[str],
    rule: str,
    start_date: date,
    start_time: time,
    time_zone: str,
    lead_days: int,
    grace_hours: int,
    remind_hours: int,
    operator_group: OperatorGroup | None,
    assignee: User | None,
    cis: Sequence[ConfigurationItem],
) -> SeriesInput:
    name = _clean(name, field="name", label=_("Name"), max_length=NAME_MAX, required=True)
    if kind not in ActivityKind.values:
        raise DomainError(_("Unknown kind."), field_errors={"kind": _("Unknown kind.")})
    description = _clean(description, field="description", label=_("Description"), max_length=TEXT_MAX)
    items = _clean_list(
        checklist, field="checklist", label=_("Checklist"), max_items=MAX_ITEMS, max_length=ITEM_MAX
    )
    time_zone = (time_zone or "").strip() or installation_time_zone()
    window = build_window(rule=rule, start_date=start_date, start_time=start_time, time_zone=time_zone)
    _bounded(lead_days, field="lead_days", low=1, high=MAX_LEAD_DAYS)
    _bounded(grace_hours, field="grace_hours", low=1, high=MAX_GRACE_HOURS)
    _bounded(remind_hours, field="remind_hours", low=0, high=MAX_REMIND_HOURS)
    if operator_group is not None and not operator_group.active:
        message = _("This operator group is inactive.")
        raise DomainError(message, field_errors={"operator_group": message})
    if assignee is not None and (not assignee.is_active or not assignee.is_staff_member):
        message = _("Only active operators can be assigned.")
        raise DomainError(message, field_errors={"assignee": message})
    return SeriesInput(
        name=name,
        kind=kind,
        description=description,
        checklist=items,
        rule=window.rule.strip().removeprefix("RRULE:").strip(),
        start_date=start_date,
        start_time=start_time.replace(tzinfo=None, microsecond=0),
        time_zone=time_zone,
        lead_days=lead_days,
        grace_hours=grace_hours,
        remind_hours=remind_hours,
        operator_group=operator_group,
        assignee=assignee,
        linked_objects=[ci.name for ci in cis],
    )


@transaction.atomic
def create_series(
    *,
    actor: User,
    name: str,
    kind: str,
    rule: str,
    start_date: date,
    start_time: time,
    time_zone: str = "Europe/Amsterdam",
    description: str = "",
    checklist: Sequence[str] = (),
    lead_days: int = 30,
    grace_hours: int = 24,
    remind_hours: int = 0,
    operator_group: OperatorGroup | None = None,
    assignee: User | None = None,
    cis: Sequence[ConfigurationItem] = (),
) -> ActivitySeries:
    """A new recurring activity about `cis` (configuration items visible to the actor, not retired);
    its first occurrences are created at once."""
    _ensure_manager(actor)
    items = check_cis(cis, actor=actor)
    data = _check_series(
        name=name,
        kind=kind,
        description=description,
        checklist=checklist,
        rule=rule,
        start_date=start_date,
        start_time=start_time,
        time_zone=time_zone,
        lead_days=lead_days,
        grace_hours=grace_hours,
        remind_hours=remind_hours,
        operator_group=operator_group,
        assignee=assignee,
        cis=items,
    )
    now = _now()
    series = ActivitySeries.objects.create(
        **data.__dict__,
        generate_from=now,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _log(series, actor, "created", now=now, detail=series.rule)
    if items:
        series.cis.set(items)
        _log(series, actor, "cis", now=now, detail=_cis_change([], data.linked_objects))
    generate_for_series(series, now=now)
    return series


def _lock_series(series: ActivitySeries, expected_version: int | None) -> ActivitySeries:
    s = ActivitySeries.objects.select_for_update().filter(pk=series.pk).first()
    if s is None:
        raise NotFound(_("Preventive activity not found."))
    if expected_version is not None and s.version != expected_version:
        raise Conflict(_("Somebody else changed this activity. Reload the page and try again."))
    return s


def _untouched_future(series: ActivitySeries, now: datetime) -> Any:
    """Open occurrences still ahead that nobody worked on (no time, no evidence)."""
    return Occurrence.objects.filter(
        series=series,
        status=OccurrenceStatus.OPEN,
        planned_at__gte=now,
        time_spent_minutes=0,
    ).exclude(pk__in=Evidence.objects.filter(occurrence__series=series).values("occurrence_id"))


@transaction.atomic
def update_series(
    series: ActivitySeries,
    *,
    actor: User,
    expected_version: int,
    name: str,
    kind: str,
    rule: str,
    start_date: date,
    start_time: time,
    time_zone: str,
    description: str,
    checklist: Sequence[str],
    lead_days: int,
    grace_hours: int,
    remind_hours: int,
    operator_group: OperatorGroup | None,
    assignee: User | None,
    cis: Sequence[ConfigurationItem],
) -> ActivitySeries:
    """Change a series (its configuration items: `cis`, visible to the actor and not retired).
    A changed rule removes future open occurrences that no longer match it
    (keeping those with time or evidence) and creates the missing ones; a changed grace period moves
    the due time of every open occurrence; changed remind hours move the reminder of every open
    occurrence whose people have not been told yet; a changed checklist applies to future open ones."""
    _ensure_manager(actor)
    s = _lock_series(series, expected_version)
    items = check_cis(cis, actor=actor)
    data = _check_series(
        name=name,
        kind=kind,
        description=description,
        checklist=checklist,
        rule=rule,
        start_date=start_date,
        start_time=start_time,
        time_zone=time_zone,
        lead_days=lead_days,
        grace_hours=grace_hours,
        remind_hours=remind_hours,
        operator_group=operator_group,
        assignee=assignee,
        cis=items,
    )
    now = _now()
    changes = [
        key
        for key, value in data.__dict__.items()
        if (getattr(s, f"{key}_id") if key in ("operator_group", "assignee") else getattr(s, key))
        != (value.pk if key in ("operator_group", "assignee") and value is not None else value)
        and key != "linked_objects"
    ]
    old_cis = list(s.cis.order_by("name", "pk"))
    cis_changed = {ci.pk for ci in old_cis} != {ci.pk for ci in items}
    if cis_changed:
        changes.append("cis")
    elif sorted(data.linked_objects) != sorted(s.linked_objects):
        changes.append("linked_objects")  # the same CIs, renamed since: their names in step again
    if not changes:
        return s
    recurrence_changed = bool({"rule", "start_date", "start_time", "time_zone"} & set(changes))
    for key, value in data.__dict__.items():
        setattr(s, key, value)
    if cis_changed:
        s.cis.set(items)
    s.version = F("version") + 1
    s.updated_at = now
    if recurrence_changed:
        s.generate_from = now
    s.save()
    s.refresh_from_db()
    if recurrence_changed and s.active:
        keep = set(
            planned_instants(
                _window_of(s), after=now, until=now + timedelta(days=MAX_LEAD_DAYS + 1), limit=MAX_PER_RUN
            )
        )
        stale = [pk for pk, at in _untouched_future(s, now).values_list("pk", "planned_at") if at not in keep]
        Occurrence.objects.filter(pk__in=stale).delete()
    if "grace_hours" in changes:
        Occurrence.objects.filter(series=s, status=OccurrenceStatus.OPEN).update(
            due_at=F("planned_at") + timedelta(hours=s.grace_hours)
        )
    if "remind_hours" in changes:
        Occurrence.objects.filter(series=s, status=OccurrenceStatus.OPEN, notice=Notice.NONE).update(
            remind_at=F("planned_at") - timedelta(hours=s.remind_hours)
        )
    if "checklist" in changes:
        Occurrence.objects.filter(series=s, status=OccurrenceStatus.OPEN, planned_at__gte=now).update(
            checklist_results=_snapshot(s.checklist)
        )
    _log(s, actor, "changed", now=now, detail=", ".join(changes))
    if cis_changed:
        _log(s, actor, "cis", now=now, detail=_cis_change([ci.name for ci in old_cis], data.linked_objects))
    generate_for_series(s, now=now)
    return s


def _cis_change(old: Sequence[str], new: Sequence[str]) -> str:
    """The log's text of a change of configuration items: old names -> new names."""
    return f"{', '.join(old) or '—'} → {', '.join(new) or '—'}"


@transaction.atomic
def deactivate_series(series: ActivitySeries, *, actor: User, expected_version: int) -> ActivitySeries:
    """Stop a series: no new occurrences; future open ones nobody worked on are removed. Open
    occurrences already past their planned time stay, to be done or skipped."""
    _ensure_manager(actor)
    s = _lock_series(series, expected_version)
    if not s.active:
        return s
    now = _now()
    _untouched_future(s, now).delete()
    ActivitySeries.objects.filter(pk=s.pk).update(active=False, version=F("version") + 1, updated_at=now)
    s.refresh_from_db()
    _log(s, actor, "deactivated", now=now)
    return s


@transaction.atomic
def activate_series(series: ActivitySeries, *, actor: User, expected_version: int) -> ActivitySeries:
    """Restart a stopped series from now on. What fell due while it was stopped is not told
    afterwards: its open occurrences whose reminder or deadline has passed are marked as told."""
    _ensure_manager(actor)
    s = _lock_series(series, expected_version)
    if s.active:
        return s
    now = _now()
    ActivitySeries.objects.filter(pk=s.pk).update(
        active=True, generate_from=now, version=F("version") + 1, updated_at=now
    )
    s.refresh_from_db()
    still_open = Occurrence.objects.filter(series=s, status=OccurrenceStatus.OPEN)
    still_open.filter(notice__lt=Notice.OVERDUE, due_at__lte=now).update(notice=Notice.OVERDUE)
    still_open.filter(notice=Notice.NONE, remind_at__lte=now).update(notice=Notice.DUE)
    _log(s, actor, "activated", now=now)
    generate_for_series(s, now=now)
    return s
