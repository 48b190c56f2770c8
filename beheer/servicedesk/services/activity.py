"""Notes, time registration, links and attachments."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core.durations import format_duration_lazy
from beheer.core.errors import DomainError
from beheer.core.files import check_upload

from ..models import (
    Attachment,
    Melding,
    MeldingLink,
    Note,
    StatusKind,
    TimeEntry,
    Visibility,
)
from . import notify
from ._base import (
    MAX_MINUTES_PER_ENTRY,
    _clean_text,
    _ensure_editable,
    _ensure_staff,
    _ensure_visible,
    _lock,
    _now,
    _record,
    _reindex,
    _save,
    _touch,
    default_status,
)
from .service_level import apply_sla


@transaction.atomic
def add_note(melding: Melding, *, text: str, visibility: str, actor: User) -> Note:
    """An internal note (operators) or a reply visible to the caller (operators and the caller)."""
    _ensure_visible(melding, actor)
    m = Melding.objects.select_for_update(of=("self",)).select_related("status").get(pk=melding.pk)
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
        fields += apply_sla(m, now=now)
        _save(m, fields, now=now)
    elif actor.is_staff_member and visibility == Visibility.CALLER:
        # A reply is an update to the caller: the update clock starts again (no version bump).
        changed = apply_sla(m, now=now)
        Melding.objects.filter(pk=m.pk).update(updated_at=now, **{f: getattr(m, f) for f in changed})
        m.updated_at = now
    else:
        _touch(m, now=now)
    _reindex(m)
    if actor.is_staff_member and visibility == Visibility.CALLER:
        notify.operator_replied(m, note, actor=actor)
    return note


@transaction.atomic
def register_time(
    melding: Melding, *, minutes: int, on: date | None = None, note: str = "", actor: User
) -> TimeEntry:
    """Register time spent, booked on the line and the operator group the melding is in now."""
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
        operator_group_id=m.operator_group_id,
        minutes=minutes,
        date=on,
        note=_clean_text(note, field="note", label=_("Note"), max_length=200),
        created_at=now,
    )
    _record(m, actor, "time", now=now, new=format_duration_lazy(minutes, days=False), detail=entry.note)
    return entry


def _lock_pair(a: Melding, b: Melding) -> None:
    """Lock two meldingen in id order (no deadlocks); both must still be editable."""
    for m in sorted([a, b], key=lambda x: x.pk):
        _lock(m, None)


@transaction.atomic
def link_meldingen(melding: Melding, *, other: Melding, actor: User) -> MeldingLink:
    _ensure_staff(actor)
    if melding.pk == other.pk:
        raise DomainError(_("A call cannot be linked to itself."))
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


@transaction.atomic
def add_attachment(
    melding: Melding, *, upload: UploadedFile, actor: User, visible_to_caller: bool = True
) -> Attachment:
    _ensure_visible(melding, actor)
    m = Melding.objects.select_for_update().get(pk=melding.pk)
    _ensure_editable(m)
    # the shared check: size, a safe name, the type sniffed from the bytes (programs and files that
    # are not the image their name says are refused), as for knowledge attachments
    checked = check_upload(upload)
    name = checked.name
    now = _now()
    attachment = Attachment(
        melding=m,
        original_name=name,
        content_type=checked.content_type[:100],
        size=checked.size,
        visible_to_caller=visible_to_caller if actor.is_staff_member else True,
        uploaded_by=actor,
        created_at=now,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _record(m, actor, "attachment", now=now, new=name, public=attachment.visible_to_caller)
    _touch(m, now=now)
    return attachment
