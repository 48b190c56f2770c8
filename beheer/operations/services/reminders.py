"""Telling people about preventive activities: when an occurrence is due and when it is overdue.

`send_reminders` (the periodic job `operations.send_reminders`, every 5 minutes) sends two events
through the notifications outbox, each at most once per occurrence:

- `preventive_due` when the occurrence's reminder moment arrives (its planned time minus the series'
  "remind before (hours)", 0 by default: at the planned time), to the assignee, or, without an
  (active) assignee, to the series' operator group (its notification setting applies);
- `preventive_overdue` when its deadline (planned time + "due after (hours)") passes while it is
  still open, to the same people and the coordinator of the operator group
  (`notifications.escalation_recipients`, the rule of the servicedesk's target-date escalations).

An occurrence found already overdue gets only the overdue message. Nothing is sent for occurrences
that are done, skipped or done with an anomaly, for stopped series, for series without assignee and
operator group, or for a moment that passed before the occurrence existed or while its series was
stopped (see `activities.generate_for_series` and `activities.activate_series`): a new series, a
series with a first date in the past and a restarted series send no burst.

Safe to run twice and on two workers at once: `Occurrence.notice` only moves forward, through a
conditional UPDATE in the same transaction as the outbox rows, and the outbox key names the
occurrence and the event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, translation

from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock
from beheer.core.loops import isolated
from beheer.notifications import services as notifications
from beheer.notifications.events import LANGUAGES
from beheer.notifications.services import RecipientSpec

from ..models import ActivityKind, LogEntry, Notice, Occurrence, OccurrenceStatus

BATCH = 200
DATE_FORMAT = "l j F Y, H:i"  # e.g. maandag 2 maart 2026, 09:00 / Monday 2 March 2026, 09:00
EVENTS = {Notice.DUE: "preventive_due", Notice.OVERDUE: "preventive_overdue"}
LOG_ACTIONS = {Notice.DUE: "due_notice", Notice.OVERDUE: "overdue_notice"}


def _in_charge(o: Occurrence) -> tuple[User | None, OperatorGroup | None]:
    series = o.series
    assignee = series.assignee if series.assignee_id else None
    group = series.operator_group if series.operator_group_id else None
    return (
        assignee if assignee is not None and assignee.is_active else None,
        group if group is not None and group.active else None,
    )


def recipients(o: Occurrence, notice: Notice) -> list[RecipientSpec]:
    """Who is told: the assignee, else the operator group; when overdue also the group's coordinator."""
    assignee, group = _in_charge(o)
    if notice == Notice.OVERDUE:
        return notifications.escalation_recipients(assignee, group, include_group=assignee is None)
    if assignee is not None:
        return [assignee]
    return [group] if group is not None else []


def _moment(value: datetime, zone: str) -> dict[str, str]:
    """A date and time in the series' time zone, written out in each language."""
    local = value.astimezone(ZoneInfo(zone))
    suffix = f" ({zone})" if zone != settings.TIME_ZONE else ""
    out = {}
    for language in LANGUAGES:
        with translation.override(language):
            out[language] = dateformat.format(local, DATE_FORMAT) + suffix
    return out


def _kind(value: str) -> dict[str, str]:
    label = ActivityKind(value).label if value in ActivityKind.values else value
    out = {}
    for language in LANGUAGES:
        with translation.override(language):
            out[language] = str(label)
    return out


def checklist_summary(o: Occurrence) -> str:
    """One line per item: `[x] item` when ticked, `[ ] item` when not (yet)."""
    return "\n".join(
        f"[{'x' if item.get('done') else ' '}] {item.get('item', '')}" for item in o.checklist_results
    )


def message_context(o: Occurrence) -> dict[str, Any]:
    series = o.series
    assignee = series.assignee if series.assignee_id else None
    group = series.operator_group if series.operator_group_id else None
    return {
        "activity_name": series.name,
        "activity_kind": _kind(series.kind),
        "planned_at": _moment(o.planned_at, series.time_zone),
        "due_at": _moment(o.due_at, series.time_zone),
        "checklist": checklist_summary(o),
        "operator_group": group.name if group is not None else "",
        "assignee_name": (assignee.get_full_name() or assignee.username) if assignee else "",
        "objects": ", ".join(series.linked_objects),
        "link_url": str(settings.SITE_URL).rstrip("/") + reverse("operations-occurrence", args=[o.pk]),
    }


def _tell(pk: int, notice: Notice, now: datetime) -> bool:
    """Move one occurrence's notice forward and write its messages, in one transaction."""
    with transaction.atomic():
        if notice == Notice.OVERDUE:
            moment = {"due_at__lte": now}
        else:
            moment = {"remind_at__lte": now, "due_at__gt": now}
        # conditions on the row itself only, so a concurrent worker's UPDATE re-checks them
        claimed = Occurrence.objects.filter(
            pk=pk, status=OccurrenceStatus.OPEN, notice__lt=notice, **moment
        ).update(notice=notice)
        if not claimed:  # done, skipped or told in the meantime (another worker was first)
            return False
        o = Occurrence.objects.select_related(
            "series", "series__assignee", "series__operator_group", "series__operator_group__coordinator"
        ).get(pk=pk)
        people = recipients(o, notice) if o.series.active else []
        if not people:  # stopped a moment ago, or nobody to tell: stays marked, nothing is sent
            return False
        ids = notifications.enqueue(
            EVENTS[notice],
            key=f"operations:occurrence:{o.pk}:{EVENTS[notice]}",
            recipients=people,
            context=message_context(o),
            object_ref=("operations.occurrence", o.pk),
        )
        if ids:
            told = ", ".join(str(p) for p in people)
            LogEntry.objects.create(
                series_id=o.series_id,
                occurrence=o,
                actor=None,
                at=now,
                action=LOG_ACTIONS[notice],
                detail=told,
            )
        return bool(ids)


def _sweep(pending: Any, notice: Notice, now: datetime) -> int:
    sent = 0
    last = 0
    while True:
        ids = list(pending.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return sent
        for pk in ids:
            # one occurrence whose data makes the message fail is rolled back alone (logged,
            # counted on the job's run) and tried again next run; the others are told
            with isolated("occurrence", pk):
                sent += _tell(pk, notice, now)
        last = ids[-1]


def send_reminders(*, now: datetime | None = None) -> int:
    """The periodic job: tell the people of every occurrence that became overdue or due since the
    last run; returns how many occurrences were told. Overdue first, so an occurrence found already
    overdue gets that message only."""
    now = now or clock.now()
    open_active = Occurrence.objects.filter(status=OccurrenceStatus.OPEN, series__active=True)
    sent = _sweep(open_active.filter(notice__lt=Notice.OVERDUE, due_at__lte=now), Notice.OVERDUE, now)
    sent += _sweep(open_active.filter(notice=Notice.NONE, remind_at__lte=now), Notice.DUE, now)
    return sent
