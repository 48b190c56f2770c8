"""Writes to preventive activities: series, the generation of occurrences and their completion.

Each function takes the object first, keyword-only arguments after and an explicit actor; it checks
the rules, writes the log itself and raises DomainError (or a subclass) when a rule refuses.

Recurrence is evaluated by `calendars.windows` (lazy RRULE, time-zone and DST aware): a series at
09:00 Europe/Amsterdam stays at 09:00 local time across daylight-saving changes.

Occurrences are created ahead by `generate_occurrences` (the periodic job): the pair (series,
planned_at) is unique and rows are inserted with "insert or ignore", so running it twice, or on two
workers at once, creates nothing new. When the rule of a series changes, its future open occurrences
that no longer match the new rule are removed (unless somebody already recorded time or evidence on
them: those are kept), matching ones are kept, and the missing ones are created.

Each occurrence carries the moment its reminder is due (`remind_at`, the planned time minus the
series' remind hours) and how far its people have been told (`notice`); `reminders` sends the
messages. An occurrence created when its deadline had already passed (created afterwards for a time
no worker ran) is marked as told: it is shown as overdue but sends no e-mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.calendars.windows import Window, WindowError
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.core.files import check_upload
from beheer.core.loops import isolated
from beheer.core.timezones import installation_time_zone
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import EntryType, Melding

from ..models import (
    ActivityKind,
    ActivitySeries,
    Evidence,
    LogEntry,
    Notice,
    Occurrence,
    OccurrenceStatus,
)

NAME_MAX = 120
TEXT_MAX = 20_000
REASON_MAX = 4000
REMARK_MAX = 500
ITEM_MAX = 300
MAX_ITEMS = 50
OBJECT_MAX = 200
MAX_OBJECTS = 50
MAX_LEAD_DAYS = 366
MAX_GRACE_HOURS = 24 * 366
MAX_REMIND_HOURS = 24 * 366
MAX_MINUTES = 24 * 60
# Occurrences missed while no worker ran are created afterwards (as overdue) for this long back.
LOOKBACK = timedelta(days=31)
MAX_PER_RUN = 400  # occurrences per series per run: a daily rule a year ahead fits
PREVIEW_COUNT = 5


@dataclass(frozen=True)
class ChecklistAnswer:
    done: bool
    remark: str = ""


# --------------------------------------------------------------------------------------------------
# helpers


def _now() -> datetime:
    return clock.now()


def _clean(value: str, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        message = _("%(label)s is required.") % {"label": label}
        raise DomainError(message, field_errors={field: message})
    if len(text) > max_length:
        message = _("%(label)s is too long: at most %(max)d characters.") % {
            "label": label,
            "max": max_length,
        }
        raise DomainError(message, field_errors={field: message})
    return text


def _clean_list(
    values: Sequence[str], *, field: str, label: str, max_items: int, max_length: int
) -> list[str]:
    cleaned = [(v or "").replace("\x00", "").strip() for v in values]
    cleaned = [v for v in cleaned if v]
    if len(cleaned) > max_items:
        message = _("%(label)s: at most %(max)d lines.") % {"label": label, "max": max_items}
        raise DomainError(message, field_errors={field: message})
    for v in cleaned:
        if len(v) > max_length or "\n" in v or "\r" in v:
            message = _("%(label)s: each line at most %(max)d characters.") % {
                "label": label,
                "max": max_length,
            }
            raise DomainError(message, field_errors={field: message})
    return cleaned


def _bounded(value: int, *, field: str, low: int, high: int) -> int:
    if not low <= value <= high:
        message = _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        raise DomainError(message, field_errors={field: message})
    return value


def _ensure_manager(actor: User) -> None:
    if not actor.is_active or not actor.is_coordinator:
        raise PermissionDenied(_("Only coordinators and administrators manage preventive activities."))


def _ensure_staff(actor: User) -> None:
    if not actor.is_active or not actor.is_staff_member:
        raise PermissionDenied(_("Only operators carry out preventive activities."))


def _log(
    series: ActivitySeries | int,
    actor: User | None,
    action: str,
    *,
    now: datetime,
    occurrence: Occurrence | None = None,
    detail: str = "",
) -> None:
    LogEntry.objects.create(
        series_id=series if isinstance(series, int) else series.pk,
        occurrence=occurrence,
        actor=actor,
        at=now,
        action=action,
        detail=detail,
    )


def build_window(*, rule: str, start_date: date, start_time: time, time_zone: str) -> Window:
    """The series' recurrence as a maintenance-window rule; DomainError on a bad rule or zone."""
    rule = (rule or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:].strip()
    if not rule:
        message = _("Choose how often the activity repeats.")
        raise DomainError(message, field_errors={"rule": message})
    try:
        ZoneInfo(time_zone)
    except Exception:
        message = _("Unknown time zone.")
        raise DomainError(message, field_errors={"time_zone": message}) from None
    try:
        window = Window(
            start=datetime.combine(start_date, start_time.replace(tzinfo=None, microsecond=0)),
            duration=timedelta(minutes=1),
            time_zone=time_zone,
            rule=rule,
        )
    except (WindowError, ValueError, OverflowError) as exc:
        message = _("This recurrence rule is not valid: %(error)s") % {"error": exc}
        raise DomainError(message, field_errors={"rule": message}) from None
    if window._parsed is not None and window._parsed._freq == du.HOURLY:
        message = _("A preventive activity recurs at most daily.")
        raise DomainError(message, field_errors={"rule": message})
    return window


def planned_instants(window: Window, *, after: datetime, until: datetime, limit: int) -> list[datetime]:
    """The rule's instants in [after, until] (UTC), at most `limit`."""
    result: list[datetime] = []
    cursor = after - timedelta(microseconds=1)
    while len(result) < limit:
        try:
            moment = window.next_start(cursor)
        except (ValueError, OverflowError):
            break
        if moment is None or moment > until:
            break
        result.append(moment)
        cursor = moment
    return result


def preview_dates(
    *,
    rule: str,
    start_date: date,
    start_time: time,
    time_zone: str,
    count: int = PREVIEW_COUNT,
    now: datetime | None = None,
) -> list[datetime]:
    """The next `count` planned instants from now (aware, in the series' time zone)."""
    window = build_window(rule=rule, start_date=start_date, start_time=start_time, time_zone=time_zone)
    now = now or _now()
    instants = planned_instants(window, after=now, until=now + timedelta(days=3660 * 2), limit=count)
    zone = ZoneInfo(time_zone)
    return [moment.astimezone(zone) for moment in instants]


def _snapshot(checklist: Sequence[str]) -> list[dict[str, Any]]:
    return [{"item": item, "done": False, "remark": ""} for item in checklist]


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
    linked_objects: list[str]


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
    linked_objects: Sequence[str],
) -> SeriesInput:
    name = _clean(name, field="name", label=_("Name"), max_length=NAME_MAX, required=True)
    if kind not in ActivityKind.values:
        raise DomainError(_("Unknown kind."), field_errors={"kind": _("Unknown kind.")})
    description = _clean(description, field="description", label=_("Description"), max_length=TEXT_MAX)
    items = _clean_list(
        checklist, field="checklist", label=_("Checklist"), max_items=MAX_ITEMS, max_length=ITEM_MAX
    )
    objects = _clean_list(
        linked_objects,
        field="linked_objects",
        label=_("Linked objects"),
        max_items=MAX_OBJECTS,
        max_length=OBJECT_MAX,
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
        linked_objects=objects,
    )


def _window_of(series: ActivitySeries) -> Window:
    return build_window(
        rule=series.rule,
        start_date=series.start_date,
        start_time=series.start_time,
        time_zone=series.time_zone,
    )


# --------------------------------------------------------------------------------------------------
# series


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
    linked_objects: Sequence[str] = (),
) -> ActivitySeries:
    """A new recurring activity; its first occurrences are created at once."""
    _ensure_manager(actor)
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
        linked_objects=linked_objects,
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
    linked_objects: Sequence[str],
) -> ActivitySeries:
    """Change a series. A changed rule removes future open occurrences that no longer match it
    (keeping those with time or evidence) and creates the missing ones; a changed grace period moves
    the due time of every open occurrence; changed remind hours move the reminder of every open
    occurrence whose people have not been told yet; a changed checklist applies to future open ones."""
    _ensure_manager(actor)
    s = _lock_series(series, expected_version)
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
        linked_objects=linked_objects,
    )
    now = _now()
    changes = [
        key
        for key, value in data.__dict__.items()
        if (getattr(s, f"{key}_id") if key in ("operator_group", "assignee") else getattr(s, key))
        != (value.pk if key in ("operator_group", "assignee") and value is not None else value)
    ]
    if not changes:
        return s
    recurrence_changed = bool({"rule", "start_date", "start_time", "time_zone"} & set(changes))
    for key, value in data.__dict__.items():
        setattr(s, key, value)
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
    generate_for_series(s, now=now)
    return s


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


# --------------------------------------------------------------------------------------------------
# generation


def generate_for_series(series: ActivitySeries, *, now: datetime | None = None) -> int:
    """Create the missing occurrences of one series up to its lead time; returns how many."""
    if not series.active:
        return 0
    now = now or _now()
    start = max(series.generate_from, now - LOOKBACK)
    until = now + timedelta(days=series.lead_days)
    if start > until:
        return 0
    try:
        window = _window_of(series)
    except DomainError:
        return 0  # a rule that no longer parses (a removed time zone): nothing to plan
    instants = planned_instants(window, after=start, until=until, limit=MAX_PER_RUN)
    if not instants:
        return 0
    existing = set(
        Occurrence.objects.filter(
            series=series, planned_at__gte=instants[0], planned_at__lte=instants[-1]
        ).values_list("planned_at", flat=True)
    )
    grace = timedelta(hours=series.grace_hours)
    remind = timedelta(hours=series.remind_hours)
    snapshot = _snapshot(series.checklist)
    missing = [
        Occurrence(
            series=series,
            planned_at=moment,
            due_at=moment + grace,
            remind_at=moment - remind,
            # already overdue when planned (no worker ran for a while): shown, never mailed
            notice=Notice.OVERDUE if moment + grace <= now else Notice.NONE,
            checklist_results=snapshot,
            created_at=now,
        )
        for moment in instants
        if moment not in existing
    ]
    if missing:
        # insert or ignore: another worker may have created some of them a moment ago
        Occurrence.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def generate_occurrences(*, now: datetime | None = None) -> int:
    """The periodic job: create the occurrences of every active series ahead of time. Idempotent."""
    now = now or _now()
    created = 0
    for series in ActivitySeries.objects.filter(active=True).order_by("pk").iterator():
        # one series whose data makes planning fail is rolled back alone (logged, counted on the
        # job's run); the other series are planned
        with isolated("activity series", series.pk):
            created += generate_for_series(series, now=now)
    return created


# --------------------------------------------------------------------------------------------------
# occurrences


def _lock_occurrence(occurrence: Occurrence, actor: User) -> Occurrence:
    _ensure_staff(actor)
    o = (
        Occurrence.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("series", "series__operator_group")
        .filter(pk=occurrence.pk)
        .first()
    )
    if o is None:
        raise NotFound(_("Activity not found."))
    return o


def _check_version(o: Occurrence, expected_version: int | None) -> None:
    if expected_version is not None and o.version != expected_version:
        raise Conflict(_("Somebody else changed this activity. Reload the page and try again."))


def _ensure_open(o: Occurrence) -> None:
    if not o.is_open:
        raise ReadOnly(_("This activity has already been completed."))


def _answers(o: Occurrence, results: Sequence[ChecklistAnswer] | None) -> list[dict[str, Any]]:
    if results is None:
        return list(o.checklist_results)
    if len(results) != len(o.checklist_results):
        message = _("Answer every item of the checklist.")
        raise DomainError(message, field_errors={"checklist": message})
    answers = []
    for item, answer in zip(o.checklist_results, results, strict=True):
        remark = _clean(answer.remark, field="checklist", label=_("Remark"), max_length=REMARK_MAX)
        answers.append({"item": item.get("item", ""), "done": bool(answer.done), "remark": remark})
    return answers


def _minutes(minutes: int, *, allow_zero: bool) -> int:
    if not (0 if allow_zero else 1) <= minutes <= MAX_MINUTES:
        message = _("Enter between 1 and %(max)d minutes.") % {"max": MAX_MINUTES}
        raise DomainError(message, field_errors={"minutes": message})
    return minutes


def _finish(
    o: Occurrence,
    *,
    status: str,
    actor: User,
    reason: str,
    answers: list[dict[str, Any]],
    minutes: int,
    now: datetime,
    melding: Melding | None = None,
) -> Occurrence:
    Occurrence.objects.filter(pk=o.pk).update(
        status=status,
        reason=reason,
        checklist_results=answers,
        time_spent_minutes=F("time_spent_minutes") + minutes,
        completed_by=actor,
        completed_at=now,
        melding=melding,
        version=F("version") + 1,
    )
    o.refresh_from_db()
    return o


@transaction.atomic
def save_checklist(
    occurrence: Occurrence, *, results: Sequence[ChecklistAnswer], actor: User, expected_version: int | None
) -> Occurrence:
    """Record progress on the checklist of an open occurrence."""
    o = _lock_occurrence(occurrence, actor)
    _check_version(o, expected_version)
    _ensure_open(o)
    answers = _answers(o, results)
    Occurrence.objects.filter(pk=o.pk).update(checklist_results=answers, version=F("version") + 1)
    o.refresh_from_db()
    _log(o.series_id, actor, "checklist", now=_now(), occurrence=o)
    return o


@transaction.atomic
def complete_occurrence(
    occurrence: Occurrence,
    *,
    actor: User,
    expected_version: int | None,
    results: Sequence[ChecklistAnswer] | None = None,
    remark: str = "",
    minutes: int = 0,
) -> Occurrence:
    """Done: the activity was carried out without anomalies."""
    o = _lock_occurrence(occurrence, actor)
    _check_version(o, expected_version)
    _ensure_open(o)
    answers = _answers(o, results)
    remark = _clean(remark, field="reason", label=_("Remark"), max_length=REASON_MAX)
    minutes = _minutes(minutes, allow_zero=True)
    now = _now()
    o = _finish(
        o, status=OccurrenceStatus.DONE, actor=actor, reason=remark, answers=answers, minutes=minutes, now=now
    )
    _log(o.series_id, actor, "done", now=now, occurrence=o, detail=remark)
    return o


@transaction.atomic
def skip_occurrence(
    occurrence: Occurrence,
    *,
    reason: str,
    actor: User,
    expected_version: int | None,
) -> Occurrence:
    """Skipped: not carried out this time; the reason is required."""
    o = _lock_occurrence(occurrence, actor)
    _check_version(o, expected_version)
    _ensure_open(o)
    reason = _clean(reason, field="reason", label=_("Reason"), max_length=REASON_MAX, required=True)
    now = _now()
    o = _finish(
        o,
        status=OccurrenceStatus.SKIPPED,
        actor=actor,
        reason=reason,
        answers=list(o.checklist_results),
        minutes=0,
        now=now,
    )
    _log(o.series_id, actor, "skipped", now=now, occurrence=o, detail=reason)
    return o


def _anomaly_text(o: Occurrence, reason: str, answers: list[dict[str, Any]]) -> str:
    series = o.series
    zone = ZoneInfo(series.time_zone)
    lines = [
        _("Preventive activity: %(name)s") % {"name": series.name},
        _("Planned: %(at)s") % {"at": o.planned_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")},
        "",
        _("Anomaly: %(reason)s") % {"reason": reason},
    ]
    if answers:
        lines += ["", _("Checklist:")]
        for a in answers:
            line = f"[{'x' if a.get('done') else ' '}] {a.get('item', '')}"
            if a.get("remark"):
                line += f" ({a['remark']})"
            lines.append(line)
    if series.linked_objects:
        lines += ["", _("Objects: %(objects)s") % {"objects": ", ".join(series.linked_objects)}]
    return "\n".join(lines)


@transaction.atomic
def report_anomaly(
    occurrence: Occurrence,
    *,
    reason: str,
    actor: User,
    expected_version: int | None,
    results: Sequence[ChecklistAnswer] | None = None,
    minutes: int = 0,
) -> Occurrence:
    """Done with an anomaly: the reason is required and a melding is opened in the same step.

    Reporting the same anomaly again (a double click, a retried request) returns the occurrence
    with its one melding; it never opens a second one.
    """
    o = _lock_occurrence(occurrence, actor)
    if o.status == OccurrenceStatus.ANOMALY:
        return o
    _check_version(o, expected_version)
    _ensure_open(o)
    reason = _clean(reason, field="reason", label=_("Reason"), max_length=REASON_MAX, required=True)
    answers = _answers(o, results)
    minutes = _minutes(minutes, allow_zero=True)
    series = o.series
    group = series.operator_group
    if group is not None and not (group.active and group.is_first_line):
        group = None  # a new melding starts with the first line; the desk escalates it
    melding = servicedesk.open_melding(
        actor=actor,
        brief_description=(_("Anomaly: %(name)s") % {"name": series.name})[:80],
        request=_anomaly_text(o, reason, answers),
        entry_type=EntryType.PREVENTIVE,
        caller_name=_("Preventive activities"),
        object_name=(series.linked_objects[0] if series.linked_objects else "")[:200],
        operator_group=group,
    )
    now = _now()
    o = _finish(
        o,
        status=OccurrenceStatus.ANOMALY,
        actor=actor,
        reason=reason,
        answers=answers,
        minutes=minutes,
        now=now,
        melding=melding,
    )
    _log(o.series_id, actor, "anomaly", now=now, occurrence=o, detail=f"{melding.number}: {reason}")
    return o


@transaction.atomic
def record_time(occurrence: Occurrence, *, minutes: int, actor: User) -> Occurrence:
    """Add time spent; allowed while open and afterwards (appending, no version needed)."""
    o = _lock_occurrence(occurrence, actor)
    minutes = _minutes(minutes, allow_zero=False)
    Occurrence.objects.filter(pk=o.pk).update(time_spent_minutes=F("time_spent_minutes") + minutes)
    o.refresh_from_db()
    _log(o.series_id, actor, "time", now=_now(), occurrence=o, detail=str(minutes))  # shown as a duration
    return o


@transaction.atomic
def add_evidence(occurrence: Occurrence, *, upload: UploadedFile, actor: User) -> Evidence:
    """Attach a file as evidence; allowed while open and afterwards."""
    o = _lock_occurrence(occurrence, actor)
    checked = check_upload(upload)
    now = _now()
    evidence = Evidence(
        occurrence=o,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
        created_at=now,
    )
    evidence.file.save(checked.name, upload, save=False)
    evidence.save()
    _log(o.series_id, actor, "evidence", now=now, occurrence=o, detail=checked.name)
    return evidence
