"""Carrying out an occurrence: its checklist, done, skipped or done with an anomaly (which opens a
melding), time spent and evidence files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core.errors import Conflict, DomainError, NotFound, ReadOnly
from beheer.core.files import check_upload
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import EntryType, Melding

from ..models import Evidence, Occurrence, OccurrenceStatus
from ._base import MAX_MINUTES, REASON_MAX, REMARK_MAX, _clean, _ensure_staff, _log, _now


@dataclass(frozen=True)
class ChecklistAnswer:
    done: bool
    remark: str = ""


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
    occurrence: Occurrence,
    *,
    results: Sequence[ChecklistAnswer],
    actor: User,
    expected_version: int | None,
    minutes: int = 0,
) -> Occurrence:
    """Record progress on the checklist of an open occurrence, and the time spent with it (if any,
    as `record_time` adds it): both or neither."""
    o = _lock_occurrence(occurrence, actor)
    _check_version(o, expected_version)
    _ensure_open(o)
    answers = _answers(o, results)
    Occurrence.objects.filter(pk=o.pk).update(checklist_results=answers, version=F("version") + 1)
    o.refresh_from_db()
    _log(o.series_id, actor, "checklist", now=_now(), occurrence=o)
    return record_time(o, minutes=minutes, actor=actor) if minutes else o


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
    minutes: int = 0,
) -> Occurrence:
    """Skipped: not carried out this time; the reason is required. Time spent on it anyway (if any)
    is added as `record_time` adds it, in the same step."""
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
    return record_time(o, minutes=minutes, actor=actor) if minutes else o


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
