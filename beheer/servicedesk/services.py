"""Every write to meldingen: register, classify, assign, escalate, note, resolve, close, reopen.

Each function takes the melding first, keyword-only arguments after and an explicit actor. It checks
the rules, writes the history itself and raises DomainError (or a subclass) when a rule refuses.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import Supplier
from beheer.core import clock, search
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly

from . import priority as priority_rules
from .models import (
    MAX_ATTACHMENT_BYTES,
    Attachment,
    CallType,
    Category,
    ClosureCode,
    EntryType,
    HistoryEntry,
    Impact,
    Line,
    Melding,
    MeldingLink,
    Note,
    Priority,
    PriorityMatrixCell,
    ServicedeskSettings,
    Status,
    StatusKind,
    TimeEntry,
    Urgency,
    Visibility,
    format_number,
)
from .workflow import Action, Kind, allowed_status

BRIEF_MAX = 80
TEXT_MAX = 100_000
MAX_MINUTES_PER_ENTRY = 24 * 60
CALLER_ENTRY_TYPES = (EntryType.PORTAL, EntryType.API, EntryType.EMAIL)


# --------------------------------------------------------------------------------------------------
# helpers


def _now() -> datetime:
    return clock.now()


def _ensure_staff(actor: User) -> None:
    if not actor.is_staff_member:
        raise PermissionDenied(_("Only operators may do this."))


def _ensure_visible(melding: Melding, actor: User) -> None:
    if not Melding.objects.visible_to(actor).filter(pk=melding.pk).exists():
        raise NotFound(_("Melding not found."))


def _ensure_editable(melding: Melding) -> None:
    if melding.closed_at is not None:
        raise ReadOnly(
            _("Melding %(number)s is closed and can no longer be changed.") % {"number": melding.number}
        )


def _lock(melding: Melding, expected_version: int | None) -> Melding:
    """Re-read the melding under a row lock and check the version the editor saw."""
    fresh = Melding.objects.select_for_update().select_related("status", "priority").get(pk=melding.pk)
    _ensure_editable(fresh)
    if expected_version is not None and fresh.version != expected_version:
        raise Conflict(
            _("Somebody else changed melding %(number)s in the meantime. Reload it and try again.")
            % {"number": fresh.number}
        )
    return fresh


def _save(melding: Melding, fields: Iterable[str], *, now: datetime) -> None:
    melding.version += 1
    melding.updated_at = now
    melding.save(update_fields=[*set(fields), "version", "updated_at"])


def _touch(melding: Melding, *, now: datetime) -> None:
    """Record activity (a note, an attachment) without a new version: it conflicts with no editor."""
    Melding.objects.filter(pk=melding.pk).update(updated_at=now)
    melding.updated_at = now


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _texts(value: Any) -> tuple[str, str]:
    """The value as shown in Dutch and in English (names of statuses, lines, priorities differ)."""
    with translation.override("nl"):
        nl = _text(value)
    with translation.override("en"):
        en = _text(value)
    return nl, en


def _record(
    melding: Melding,
    actor: User | None,
    action: str,
    *,
    now: datetime,
    field: str = "",
    old: Any = None,
    new: Any = None,
    detail: str = "",
    public: bool = False,
) -> HistoryEntry:
    old_nl, old_en = _texts(old)
    new_nl, new_en = _texts(new)
    return HistoryEntry.objects.create(
        melding=melding,
        actor=actor,
        at=now,
        action=action,
        field=field,
        old_value=old_nl,
        new_value=new_nl,
        old_value_en=old_en,
        new_value_en=new_en,
        detail=detail,
        public=public,
    )


def _reindex(melding: Melding) -> None:
    """Two search documents: everything (for operators) and only what the caller may read (for callers),
    so a caller's search can never probe the words of internal notes."""
    rows = list(Note.objects.filter(melding=melding).order_by("id").values_list("text", "visibility"))
    title = f"{melding.number} {melding.brief_description}"
    base = f"{melding.request}\n{melding.object_name}"
    all_notes = "\n".join(text for text, _visibility in rows)
    search.index_document("melding", melding.pk, title=title, body=f"{base}\n{all_notes}")
    if melding.parent_id is None:
        public = "\n".join(text for text, visibility in rows if visibility == Visibility.CALLER)
        search.index_document("melding_public", melding.pk, title=title, body=f"{base}\n{public}")


def _clean_text(
    value: str, *, field: str, label: str, required: bool = False, max_length: int = TEXT_MAX
) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise DomainError(
            _("%(label)s is required.") % {"label": label}, field_errors={field: _("Required.")}
        )
    if len(value) > max_length:
        message = _("%(label)s may be at most %(max)d characters.") % {"label": label, "max": max_length}
        raise DomainError(message, field_errors={field: message})
    return value


def default_status(kind: StatusKind | str) -> Status:
    status = Status.objects.filter(kind=kind, active=True).order_by("-is_default", "order", "id").first()
    if status is None:
        raise DomainError(_("No status of kind %(kind)s is configured.") % {"kind": kind})
    return status


def priority_for(impact: Impact, urgency: Urgency) -> Priority:
    """The configured matrix cell, or the sum rule when an administrator left the cell empty."""
    cell = (
        PriorityMatrixCell.objects.filter(impact=impact, urgency=urgency).select_related("priority").first()
    )
    if cell is not None:
        return cell.priority
    priorities = list(Priority.objects.filter(active=True).order_by("level"))
    if not priorities:
        raise DomainError(_("No priorities are configured."))
    level = priority_rules.suggested_level(impact.level, urgency.level, priority_levels=len(priorities))
    return priorities[level - 1]


def _check_category(category: Category | None, subcategory: Category | None) -> None:
    if category is not None and category.parent_id is not None:
        raise DomainError(_("Choose a main category."), field_errors={"category": _("Not a main category.")})
    if subcategory is not None and (category is None or subcategory.parent_id != category.pk):
        message = _("The subcategory does not belong to the category.")
        raise DomainError(message, field_errors={"subcategory": message})


def _check_assignment(melding_line: str, group: OperatorGroup | None, operator: User | None) -> None:
    if group is not None:
        if not group.active:
            raise DomainError(
                _("This operator group is inactive."), field_errors={"operator_group": _("Inactive.")}
            )
        if melding_line == Line.FIRST and not group.is_first_line:
            message = _(
                "A first-line melding goes to a first-line group; escalate it to reach the second line."
            )
            raise DomainError(message, field_errors={"operator_group": message})
        if melding_line == Line.SECOND and not group.is_second_line:
            message = _("A second-line melding goes to a second-line group.")
            raise DomainError(message, field_errors={"operator_group": message})
    if operator is not None:
        if not operator.is_staff_member:
            message = _("Only operators can be assigned.")
            raise DomainError(message, field_errors={"operator": message})
        if group is not None and not group.members.filter(pk=operator.pk).exists():
            message = _("%(operator)s is not a member of %(group)s.") % {"operator": operator, "group": group}
            raise DomainError(message, field_errors={"operator": message})


def _open_partials(melding: Melding) -> int:
    return Melding.objects.filter(parent=melding, is_open=True).count()


# --------------------------------------------------------------------------------------------------
# registering


@transaction.atomic
def open_melding(
    *,
    actor: User,
    brief_description: str,
    request: str = "",
    entry_type: str,
    call_type: CallType | None = None,
    caller: User | None = None,
    caller_name: str = "",
    caller_email: str = "",
    caller_phone: str = "",
    category: Category | None = None,
    subcategory: Category | None = None,
    object_name: str = "",
    impact: Impact | None = None,
    urgency: Urgency | None = None,
    target_date: datetime | None = None,
    operator_group: OperatorGroup | None = None,
    operator: User | None = None,
    estimated_minutes: int | None = None,
    estimated_people: int | None = None,
    estimated_means: str = "",
    now: datetime | None = None,
) -> Melding:
    """Register a melding. Callers register only for themselves, through the portal, API or e-mail."""
    if not actor.is_active:
        raise PermissionDenied(_("Your account is inactive."))
    now = now or _now()
    brief = _clean_text(
        brief_description,
        field="brief_description",
        label=_("Brief description"),
        required=True,
        max_length=BRIEF_MAX,
    )
    request_text = _clean_text(request, field="request", label=_("Request"))
    if entry_type not in EntryType.values:
        raise DomainError(_("Unknown entry type."), field_errors={"entry_type": _("Unknown entry type.")})

    if not actor.is_staff_member:
        # A caller registers for themself; the desk decides classification and assignment.
        if entry_type not in CALLER_ENTRY_TYPES:
            entry_type = EntryType.PORTAL
        caller, caller_name, caller_phone = actor, "", ""
        caller_email = ""
        impact = urgency = None
        target_date = None
        operator_group = operator = None
        estimated_minutes = estimated_people = None
        estimated_means = ""

    if caller is None and not caller_name.strip():
        message = _("Choose a caller or enter the name of an unregistered caller.")
        raise DomainError(message, field_errors={"caller": message})
    if caller is not None and not caller.is_active:
        raise DomainError(_("This caller is inactive."), field_errors={"caller": _("Inactive.")})
    _check_category(category, subcategory)

    call_type = call_type or CallType.objects.filter(active=True).order_by("order", "id").first()
    impact = impact or Impact.objects.filter(active=True).order_by("-level").first()
    urgency = urgency or Urgency.objects.filter(active=True).order_by("-level").first()
    if call_type is None or impact is None or urgency is None:
        raise DomainError(
            _("The servicedesk is not configured: call types, impacts and urgencies are missing.")
        )
    prio = priority_for(impact, urgency)

    if operator_group is None and operator is None:
        operator_group = ServicedeskSettings.current().default_first_line_group
    _check_assignment(Line.FIRST, operator_group, operator)
    if target_date is not None and target_date < now - timedelta(minutes=1):
        message = _("The target date lies in the past.")
        raise DomainError(message, field_errors={"target_date": message})
    if estimated_minutes is not None and estimated_minutes < 0:
        raise DomainError(
            _("Estimates cannot be negative."), field_errors={"estimated_minutes": _("Negative.")}
        )

    status = default_status(StatusKind.NEW)
    melding = Melding.objects.create(
        brief_description=brief,
        request=request_text,
        entry_type=entry_type,
        call_type=call_type,
        line=Line.FIRST,
        caller=caller,
        caller_name=_clean_text(caller_name, field="caller_name", label=_("Caller name"), max_length=150),
        caller_email=_clean_text(caller_email, field="caller_email", label=_("E-mail"), max_length=254),
        caller_phone=_clean_text(caller_phone, field="caller_phone", label=_("Phone"), max_length=40),
        caller_department=caller.department if caller else None,
        caller_branch=caller.branch if caller else None,
        category=category,
        subcategory=subcategory,
        object_name=_clean_text(object_name, field="object_name", label=_("Object"), max_length=200),
        impact=impact,
        urgency=urgency,
        priority=prio,
        priority_level=prio.level,
        target_date=target_date or now + prio.duration,
        estimated_minutes=estimated_minutes,
        estimated_people=estimated_people,
        estimated_means=_clean_text(
            estimated_means, field="estimated_means", label=_("Means"), max_length=500
        ),
        operator_group=operator_group,
        operator=operator,
        status=status,
        is_open=True,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _record(melding, actor, "created", now=now, detail=brief, public=True)
    _reindex(melding)
    return melding


# --------------------------------------------------------------------------------------------------
# classification, assignment, status


@transaction.atomic
def reclassify_melding(
    melding: Melding,
    *,
    actor: User,
    expected_version: int | None,
    brief_description: str,
    request: str,
    call_type: CallType,
    category: Category | None,
    subcategory: Category | None,
    object_name: str,
    impact: Impact,
    urgency: Urgency,
) -> Melding:
    """Change what the melding is about; a new impact or urgency recomputes priority and target date."""
    _ensure_staff(actor)
    m = _lock(melding, expected_version)
    now = _now()
    _check_category(category, subcategory)
    new_values: dict[str, Any] = {
        "brief_description": _clean_text(
            brief_description,
            field="brief_description",
            label=_("Brief description"),
            required=True,
            max_length=BRIEF_MAX,
        ),
        "request": _clean_text(request, field="request", label=_("Request")),
        "call_type": call_type,
        "category": category,
        "subcategory": subcategory,
        "object_name": _clean_text(object_name, field="object_name", label=_("Object"), max_length=200),
        "impact": impact,
        "urgency": urgency,
    }
    changed = []
    for field, value in new_values.items():
        old = getattr(m, field)
        if old != value:
            _record(m, actor, "changed", now=now, field=field, old=old, new=value)
            setattr(m, field, value)
            changed.append(field)
    if "impact" in changed or "urgency" in changed:
        prio = priority_for(impact, urgency)
        if prio.pk != m.priority_id:
            _record(m, actor, "changed", now=now, field="priority", old=m.priority, new=prio)
            new_target = m.created_at + prio.duration
            _record(m, actor, "changed", now=now, field="target_date", old=m.target_date, new=new_target)
            m.priority, m.priority_level, m.target_date = prio, prio.level, new_target
            changed += ["priority", "priority_level", "target_date"]
    if changed:
        _save(m, changed, now=now)
        if {"brief_description", "request", "object_name"} & set(changed):
            _reindex(m)
    return m


@transaction.atomic
def set_target_date(
    melding: Melding, *, target_date: datetime, actor: User, expected_version: int | None
) -> Melding:
    _ensure_staff(actor)
    m = _lock(melding, expected_version)
    now = _now()
    if target_date < m.created_at:
        message = _("The target date lies before the melding was registered.")
        raise DomainError(message, field_errors={"target_date": message})
    if target_date != m.target_date:
        _record(
            m, actor, "changed", now=now, field="target_date", old=m.target_date, new=target_date, public=True
        )
        m.target_date = target_date
        _save(m, ["target_date"], now=now)
    return m


@transaction.atomic
def assign_melding(
    melding: Melding,
    *,
    operator_group: OperatorGroup | None,
    operator: User | None,
    actor: User,
    expected_version: int | None,
) -> Melding:
    """Give the melding to a group and/or an operator within the melding's line."""
    _ensure_staff(actor)
    m = _lock(melding, expected_version)
    now = _now()
    if operator_group is None and operator is None:
        message = _("Choose an operator group or an operator.")
        raise DomainError(message, field_errors={"operator_group": message})
    _check_assignment(m.line, operator_group, operator)
    changed = []
    if m.operator_group_id != (operator_group.pk if operator_group else None):
        _record(
            m, actor, "assigned", now=now, field="operator_group", old=m.operator_group, new=operator_group
        )
        m.operator_group = operator_group
        changed.append("operator_group")
    if m.operator_id != (operator.pk if operator else None):
        _record(m, actor, "assigned", now=now, field="operator", old=m.operator, new=operator)
        m.operator = operator
        changed.append("operator")
    if changed:
        _save(m, changed, now=now)
    return m


@transaction.atomic
def change_status(melding: Melding, *, status: Status, actor: User, expected_version: int | None) -> Melding:
    """Move between working statuses (in progress, waiting for caller, waiting for supplier, ...)."""
    _ensure_staff(actor)
    m = _lock(melding, expected_version)
    now = _now()
    if status.pk == m.status_id:
        return m
    configured = set(m.status.allowed_next.values_list("pk", flat=True))
    if not status.active or not allowed_status(
        Action.CHANGE, Kind(m.status.kind), Kind(status.kind), configured_next=configured, target_id=status.pk
    ):
        message = _("A melding cannot go from '%(old)s' to '%(new)s' this way.") % {
            "old": m.status,
            "new": status,
        }
        raise DomainError(message, field_errors={"status": message})
    _record(m, actor, "status", now=now, field="status", old=m.status, new=status, public=True)
    fields = ["status"]
    if m.first_response_at is None:
        m.first_response_at = now
        fields.append("first_response_at")
    m.status = status
    _save(m, fields, now=now)
    return m


@transaction.atomic
def escalate_melding(
    melding: Melding,
    *,
    to_group: OperatorGroup,
    reason: str,
    actor: User,
    expected_version: int | None,
    operator: User | None = None,
) -> Melding:
    """First line -> second line, with a reason."""
    _ensure_staff(actor)
    m = _lock(melding, expected_version)
    now = _now()
    reason = _clean_text(reason, field="reason", label=_("Reason"), required=True, max_length=1000)
    if not m.is_open:
        raise DomainError(_("Only an open melding can be escalated."))
    if m.line != Line.FIRST:
        raise DomainError(_("Only a first-line melding can be escalated to the second line."))
    if not to_group.is_second_line:
        message = _("Choose a second-line group.")
        raise DomainError(message, field_errors={"to_group": message})
    _check_assignment(Line.SECOND, to_group, operator)
    _record(
        m,
        actor,
        "escalated",
        now=now,
        field="line",
        old=m.get_line_display(),
        new=Line.SECOND.label,
        detail=reason,
    )
    _record(m, actor, "assigned", now=now, field="operator_group", old=m.operator_group, new=to_group)
    if m.operator_id != (operator.pk if operator else None):
        _record(m, actor, "assigned", now=now, field="operator", old=m.operator, new=operator)
    m.line, m.operator_group, m.operator = Line.SECOND, to_group, operator
    _save(m, ["line", "operator_group", "operator"], now=now)
    return m


@transaction.atomic
def deescalate_melding(
    melding: Melding,
    *,
    to_group: OperatorGroup,
    reason: str,
    actor: User,
    expected_version: int | None,
    operator: User | None = None,
) -> Melding:
    """Second line -> first line, with a reason."""
    _ensure_staff(actor)
    m = _lock(melding, expected_version)
    now = _now()
    reason = _clean_text(reason, field="reason", label=_("Reason"), required=True, max_length=1000)
    if not m.is_open:
        raise DomainError(_("Only an open melding can be de-escalated."))
    if m.line != Line.SECOND:
        raise DomainError(_("Only a second-line melding can go back to the first line."))
    if not to_group.is_first_line:
        message = _("Choose a first-line group.")
        raise DomainError(message, field_errors={"to_group": message})
    _check_assignment(Line.FIRST, to_group, operator)
    _record(
        m,
        actor,
        "deescalated",
        now=now,
        field="line",
        old=m.get_line_display(),
        new=Line.FIRST.label,
        detail=reason,
    )
    _record(m, actor, "assigned", now=now, field="operator_group", old=m.operator_group, new=to_group)
    if m.operator_id != (operator.pk if operator else None):
        _record(m, actor, "assigned", now=now, field="operator", old=m.operator, new=operator)
    m.line, m.operator_group, m.operator = Line.FIRST, to_group, operator
    _save(m, ["line", "operator_group", "operator"], now=now)
    return m


@transaction.atomic
def set_estimates(
    melding: Melding,
    *,
    minutes: int | None,
    people: int | None,
    means: str,
    actor: User,
    expected_version: int | None,
) -> Melding:
    """Estimate the time, people and means the melding needs."""
    _ensure_staff(actor)
    m = _lock(melding, expected_version)
    now = _now()
    if (minutes is not None and minutes < 0) or (people is not None and people < 0):
        raise DomainError(_("Estimates cannot be negative."))
    means = _clean_text(means, field="means", label=_("Means"), max_length=500)
    changed = []
    for field, value in (
        ("estimated_minutes", minutes),
        ("estimated_people", people),
        ("estimated_means", means),
    ):
        if getattr(m, field) != value:
            _record(m, actor, "changed", now=now, field=field, old=getattr(m, field), new=value)
            setattr(m, field, value)
            changed.append(field)
    if changed:
        _save(m, changed, now=now)
    return m


# --------------------------------------------------------------------------------------------------
# notes, time, links, attachments


@transaction.atomic
def add_note(melding: Melding, *, text: str, visibility: str, actor: User) -> Note:
    """An internal note (operators) or a reply visible to the caller (operators and the caller)."""
    _ensure_visible(melding, actor)
    m = Melding.objects.select_for_update().select_related("status").get(pk=melding.pk)
    _ensure_editable(m)
    now = _now()
    text = _clean_text(text, field="text", label=_("Text"), required=True)
    if visibility not in Visibility.values:
        raise DomainError(_("Unknown visibility."), field_errors={"visibility": _("Unknown visibility.")})
    if not actor.is_staff_member:
        visibility = Visibility.CALLER
    note = Note.objects.create(melding=m, author=actor, text=text, visibility=visibility, created_at=now)
    fields = []
    if actor.is_staff_member and visibility == Visibility.CALLER and m.first_response_at is None:
        m.first_response_at = now
        fields.append("first_response_at")
    if not actor.is_staff_member and m.status.kind == StatusKind.WAITING:
        # The caller answered: the melding is back with the desk.
        new_status = default_status(StatusKind.OPEN)
        _record(
            m,
            actor,
            "status",
            now=now,
            field="status",
            old=m.status,
            new=new_status,
            public=True,
            detail=_("The caller replied."),
        )
        m.status = new_status
        fields.append("status")
    _record(
        m,
        actor,
        "note" if visibility == Visibility.INTERNAL else "reply",
        now=now,
        public=visibility == Visibility.CALLER,
    )
    if fields:
        _save(m, fields, now=now)
    else:
        _touch(m, now=now)
    _reindex(m)
    return note


@transaction.atomic
def register_time(
    melding: Melding, *, minutes: int, on: date | None = None, note: str = "", actor: User
) -> TimeEntry:
    """Register time spent, booked on the line the melding is in now."""
    _ensure_staff(actor)
    m = _lock(melding, None)
    now = _now()
    if minutes <= 0 or minutes > MAX_MINUTES_PER_ENTRY:
        message = _("Enter between 1 and %(max)d minutes.") % {"max": MAX_MINUTES_PER_ENTRY}
        raise DomainError(message, field_errors={"minutes": message})
    on = on or timezone.localdate(now)
    if on > timezone.localdate(now):
        raise DomainError(
            _("Time cannot be registered in the future."), field_errors={"date": _("In the future.")}
        )
    entry = TimeEntry.objects.create(
        melding=m,
        operator=actor,
        line=m.line,
        minutes=minutes,
        date=on,
        note=_clean_text(note, field="note", label=_("Note"), max_length=200),
        created_at=now,
    )
    _record(m, actor, "time", now=now, new=f"{minutes} min", detail=entry.note)
    return entry


def _lock_pair(a: Melding, b: Melding) -> None:
    """Lock two meldingen in id order (no deadlocks); both must still be editable."""
    for m in sorted([a, b], key=lambda x: x.pk):
        _lock(m, None)


@transaction.atomic
def link_meldingen(melding: Melding, *, other: Melding, actor: User) -> MeldingLink:
    _ensure_staff(actor)
    if melding.pk == other.pk:
        raise DomainError(_("A melding cannot be linked to itself."))
    low, high = sorted([melding, other], key=lambda x: x.pk)
    _lock_pair(low, high)
    link, created = MeldingLink.objects.get_or_create(
        from_melding=low, to_melding=high, defaults={"created_by": actor, "created_at": _now()}
    )
    if created:
        now = _now()
        _record(melding, actor, "linked", now=now, new=other.number)
        _record(other, actor, "linked", now=now, new=melding.number)
    return link


@transaction.atomic
def unlink_meldingen(melding: Melding, *, other: Melding, actor: User) -> None:
    _ensure_staff(actor)
    low, high = sorted([melding.pk, other.pk])
    _lock_pair(melding, other)
    deleted, _rows = MeldingLink.objects.filter(from_melding_id=low, to_melding_id=high).delete()
    if deleted:
        now = _now()
        _record(melding, actor, "unlinked", now=now, old=other.number)
        _record(other, actor, "unlinked", now=now, old=melding.number)


def _safe_filename(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name.replace("\x00", "").strip() or "bestand"
    return "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/|?*')[:200] or "bestand"


@transaction.atomic
def add_attachment(
    melding: Melding, *, upload: UploadedFile, actor: User, visible_to_caller: bool = True
) -> Attachment:
    _ensure_visible(melding, actor)
    m = Melding.objects.select_for_update().get(pk=melding.pk)
    _ensure_editable(m)
    size = upload.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        message = _("The file is too large: at most %(mb)d MB.") % {
            "mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)
        }
        raise DomainError(message, field_errors={"file": message})
    if size == 0:
        raise DomainError(_("The file is empty."), field_errors={"file": _("The file is empty.")})
    name = _safe_filename(upload.name or "")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    now = _now()
    attachment = Attachment(
        melding=m,
        original_name=name,
        content_type=content_type,
        size=size,
        visible_to_caller=visible_to_caller if actor.is_staff_member else True,
        uploaded_by=actor,
        created_at=now,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _record(m, actor, "attachment", now=now, new=name, public=attachment.visible_to_caller)
    _touch(m, now=now)
    return attachment


# --------------------------------------------------------------------------------------------------
# partial incidents and duplicates


@transaction.atomic
def create_partial(
    main: Melding,
    *,
    brief_description: str,
    request: str = "",
    operator_group: OperatorGroup | None = None,
    operator: User | None = None,
    supplier: Supplier | None = None,
    actor: User,
) -> Melding:
    """Deelmelding: a part of the work handed to another group or a supplier."""
    _ensure_staff(actor)
    m = _lock(main, None)
    now = _now()
    if m.parent_id is not None:
        raise DomainError(_("A partial incident cannot have partial incidents of its own."))
    if not m.is_open:
        raise DomainError(_("Partial incidents can only be made for an open melding."))
    if operator_group is None and supplier is None and operator is None:
        message = _("Choose an operator group or a supplier.")
        raise DomainError(message, field_errors={"operator_group": message})
    _check_assignment(Line.PARTIAL, operator_group, operator)
    brief = _clean_text(
        brief_description,
        field="brief_description",
        label=_("Brief description"),
        required=True,
        max_length=BRIEF_MAX,
    )
    partial = Melding.objects.create(
        brief_description=brief,
        request=_clean_text(request, field="request", label=_("Request")),
        entry_type=m.entry_type,
        call_type=m.call_type,
        line=Line.PARTIAL,
        parent=m,
        caller=m.caller,
        caller_name=m.caller_name,
        caller_email=m.caller_email,
        caller_phone=m.caller_phone,
        caller_department=m.caller_department,
        caller_branch=m.caller_branch,
        category=m.category,
        subcategory=m.subcategory,
        object_name=m.object_name,
        impact=m.impact,
        urgency=m.urgency,
        priority=m.priority,
        priority_level=m.priority_level,
        target_date=m.target_date,
        operator_group=operator_group,
        operator=operator,
        supplier=supplier,
        status=default_status(StatusKind.NEW),
        is_open=True,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _record(
        partial, actor, "created", now=now, detail=_("Partial incident of %(number)s") % {"number": m.number}
    )
    _record(m, actor, "partial_created", now=now, new=partial.number, detail=brief)
    _touch(m, now=now)
    search.index_document("melding", partial.pk, title=f"{partial.number} {brief}", body=partial.request)
    return partial


@transaction.atomic
def merge_melding(duplicate: Melding, *, into: Melding, actor: User) -> Melding:
    """Close a duplicate with a reference to the melding it duplicates; link the two."""
    _ensure_staff(actor)
    if duplicate.pk == into.pk:
        raise DomainError(_("A melding cannot be merged into itself."))
    # lock in id order, like links, so two opposite merges cannot deadlock
    locked = {m.pk: _lock(m, None) for m in sorted([duplicate, into], key=lambda x: x.pk)}
    dup, target = locked[duplicate.pk], locked[into.pk]
    if dup.parent_id is not None or target.parent_id is not None:
        raise DomainError(_("Partial incidents cannot be merged."))
    if target.merged_into_id is not None:
        raise DomainError(_("The target melding was itself merged into another one."))
    if _open_partials(dup):
        raise DomainError(_("The duplicate still has open partial incidents."))
    now = _now()
    closed = default_status(StatusKind.CLOSED)
    solution = _("Duplicate of %(number)s.") % {"number": target.number}
    _record(dup, actor, "merged", now=now, field="merged_into", new=target.number, public=True)
    _record(dup, actor, "status", now=now, field="status", old=dup.status, new=closed, public=True)
    dup.status, dup.is_open, dup.merged_into = closed, False, target
    dup.solution = dup.solution or solution
    dup.resolved_at = dup.resolved_at or now
    dup.closed_at = now
    dup.closure_code = ClosureCode.objects.filter(code="duplicate").first() or dup.closure_code
    _save(
        dup,
        ["status", "is_open", "merged_into", "solution", "resolved_at", "closed_at", "closure_code"],
        now=now,
    )
    Note.objects.create(
        melding=target,
        author=actor,
        visibility=Visibility.INTERNAL,
        created_at=now,
        text=_("Merged duplicate %(number)s: %(brief)s\n\n%(request)s")
        % {"number": dup.number, "brief": dup.brief_description, "request": dup.request},
    )
    _record(target, actor, "merged_duplicate", now=now, new=dup.number)
    _touch(target, now=now)
    low, high = sorted([dup.pk, target.pk])
    MeldingLink.objects.get_or_create(
        from_melding_id=low, to_melding_id=high, defaults={"created_by": actor, "created_at": now}
    )
    _reindex(target)
    return dup


# --------------------------------------------------------------------------------------------------
# resolution, confirmation, closing, reopening


@transaction.atomic
def resolve_melding(
    melding: Melding,
    *,
    solution: str,
    is_workaround: bool = False,
    closure_code: ClosureCode | None = None,
    actor: User,
    expected_version: int | None,
) -> Melding:
    """Afmelden: record the solution; the caller is asked to confirm."""
    _ensure_staff(actor)
    m = _lock(melding, expected_version)
    now = _now()
    solution = _clean_text(solution, field="solution", label=_("Solution"), required=True)
    if not allowed_status(Action.RESOLVE, Kind(m.status.kind), Kind.RESOLVED):
        raise DomainError(_("This melding is already resolved."))
    open_partials = _open_partials(m)
    if open_partials:
        message = _("%(count)d partial incident(s) are still open.") % {"count": open_partials}
        raise DomainError(message)
    resolved = default_status(StatusKind.RESOLVED)
    _record(
        m,
        actor,
        "resolved",
        now=now,
        field="status",
        old=m.status,
        new=resolved,
        detail=solution,
        public=True,
    )
    m.status, m.is_open = resolved, False
    m.solution, m.is_workaround, m.closure_code = solution, is_workaround, closure_code
    m.resolved_at = now
    fields = ["status", "is_open", "solution", "is_workaround", "closure_code", "resolved_at"]
    if m.first_response_at is None:
        m.first_response_at = now
        fields.append("first_response_at")
    _save(m, fields, now=now)
    if m.parent_id is not None:
        parent = Melding.objects.get(pk=m.parent_id)
        _record(parent, actor, "partial_resolved", now=now, new=m.number, detail=solution)
    return m


def _close(m: Melding, actor: User | None, *, now: datetime, detail: str = "") -> Melding:
    if not allowed_status(Action.CLOSE, Kind(m.status.kind), Kind.CLOSED):
        raise DomainError(_("Only a resolved melding can be closed."))
    closed = default_status(StatusKind.CLOSED)
    _record(m, actor, "closed", now=now, field="status", old=m.status, new=closed, detail=detail, public=True)
    m.status, m.closed_at, m.is_open = closed, now, False
    _save(m, ["status", "closed_at", "is_open"], now=now)
    return m


@transaction.atomic
def confirm_resolution(melding: Melding, *, actor: User) -> Melding:
    """The caller agrees with the solution: the melding is closed."""
    _ensure_visible(melding, actor)
    m = _lock(melding, None)
    return _close(m, actor, now=_now(), detail=_("Confirmed by the caller."))


@transaction.atomic
def close_melding(melding: Melding, *, actor: User, expected_version: int | None) -> Melding:
    _ensure_staff(actor)
    m = _lock(melding, expected_version)
    return _close(m, actor, now=_now())


@transaction.atomic
def reopen_melding(melding: Melding, *, reason: str, actor: User) -> Melding:
    """Back to work, within the reopen period after resolution."""
    _ensure_visible(melding, actor)
    m = _lock(melding, None)
    now = _now()
    reason = _clean_text(reason, field="reason", label=_("Reason"), required=True, max_length=2000)
    if not allowed_status(Action.REOPEN, Kind(m.status.kind), Kind.OPEN) or m.resolved_at is None:
        raise DomainError(_("Only a resolved melding can be reopened."))
    days = ServicedeskSettings.current().reopen_days
    if now > m.resolved_at + timedelta(days=days):
        raise DomainError(
            _("The reopen period of %(days)d days has passed; register a new melding instead.")
            % {"days": days}
        )
    status = default_status(StatusKind.OPEN)
    _record(
        m, actor, "reopened", now=now, field="status", old=m.status, new=status, detail=reason, public=True
    )
    Note.objects.create(melding=m, author=actor, text=reason, visibility=Visibility.CALLER, created_at=now)
    m.status, m.is_open, m.resolved_at = status, True, None
    m.reopen_count = F("reopen_count") + 1
    _save(m, ["status", "is_open", "resolved_at", "reopen_count"], now=now)
    m.refresh_from_db(fields=["reopen_count"])
    _reindex(m)
    return m


def auto_close_resolved(*, now: datetime | None = None, batch: int = 500) -> int:
    """Close resolved meldingen whose reopen period has passed. Safe to run twice or concurrently."""
    now = now or _now()
    cfg = ServicedeskSettings.current()
    if not cfg.auto_close:
        return 0
    cutoff = now - timedelta(days=cfg.reopen_days)
    closed = 0
    ids = list(
        Melding.objects.filter(is_open=False, closed_at__isnull=True, resolved_at__lt=cutoff)
        .order_by("resolved_at")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in ids:
        with transaction.atomic():
            m = Melding.objects.select_for_update().select_related("status").filter(pk=pk).first()
            if m is None or m.closed_at is not None or m.status.kind != StatusKind.RESOLVED:
                continue
            _close(m, None, now=now, detail=_("Closed automatically after the reopen period."))
            closed += 1
    return closed


def number_of(pk: int) -> str:
    return format_number(pk)
