"""Notes, time registration, links and attachments."""

from __future__ import annotations

from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import clock
from beheer.core.access import ensure_staff
from beheer.core.checks import checked_text
from beheer.core.durations import format_duration_lazy
from beheer.core.errors import DomainError, PermissionDenied
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
    _ensure_editable,
    _ensure_visible,
    _reindex,
    _save,
    _touch,
    default_status,
    lock_melding,
    record_history,
)
from .service_level import apply_sla


@transaction.atomic
def add_note(
    melding: Melding, *, text: str, visibility: str, actor: User, attachment: UploadedFile | None = None
) -> Note:
    """An internal note (operators) or a reply visible to the caller (operators and the caller),
    with a file attached to the melding in the same step when one is given (seen by the caller
    when the note is): both or neither."""
    _ensure_visible(melding, actor)
    m = Melding.objects.select_for_update(of=("self",)).select_related("status").get(pk=melding.pk)
    _ensure_editable(m)
    now = clock.now()
    text = checked_text(text, field="text", label=_("Text"), required=True)
    if visibility not in Visibility.values:
        raise DomainError(_("Unknown visibility."), field_errors={"visibility": _("Unknown visibility.")})
    if not actor.is_staff_member:
        visibility = Visibility.CALLER
    note = Note.objects.create(melding=m, author=actor, text=text, visibility=visibility, created_at=now)
    fields = []
    if actor.is_staff_member and visibility == Visibility.CALLER and m.first_response_at is None:
        m.first_response_at = now
        fields.append("first_response_at")
    if not actor.is_staff_member:
        fields += _caller_replied(m, actor, now=now)
    record_history(
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
    if attachment is not None:
        add_attachment(m, upload=attachment, actor=actor, visible_to_caller=visibility == Visibility.CALLER)
    return note


def _caller_replied(m: Melding, actor: User | None, *, now: datetime) -> list[str]:
    """The caller answered: a waiting melding is back with the desk (its status becomes the default
    open status, recorded for the caller to see). Returns the changed fields; nothing is saved."""
    if m.status.kind != StatusKind.WAITING:
        return []
    new_status = default_status(StatusKind.OPEN)
    record_history(
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
    return ["status"]


@transaction.atomic
def add_unregistered_caller_reply(
    melding: Melding, *, text: str, address: str, now: datetime | None = None
) -> Note:
    """A reply from a caller without an account, known by the address the melding was registered
    with (a reply by e-mail): a note the caller sees, without an author, and like `add_note` by a
    caller a waiting melding goes back to open. Refused for any other address and for a closed
    melding."""
    m = Melding.objects.select_for_update(of=("self",)).select_related("status").get(pk=melding.pk)
    _ensure_editable(m)
    registered_address = (m.caller_email or "").strip().lower()
    if m.caller_id is not None or not registered_address or registered_address != address.strip().lower():
        raise PermissionDenied(_("Only the caller of this call can reply to it this way."))
    now = now or clock.now()
    text = checked_text(text, field="text", label=_("Text"), required=True)
    note = Note.objects.create(
        melding=m, author=None, text=text, visibility=Visibility.CALLER, created_at=now
    )
    fields = _caller_replied(m, None, now=now)
    record_history(m, None, "reply", now=now, public=True, detail=address)
    if fields:
        _save(m, [*fields, *apply_sla(m, now=now)], now=now)
    else:
        _touch(m, now=now)
    _reindex(m)
    return note


@transaction.atomic
def register_time(
    melding: Melding, *, minutes: int, on: date | None = None, note: str = "", actor: User
) -> TimeEntry:
    """Register time spent, booked on the line and the operator group the melding is in now."""
    ensure_staff(actor)
    m = lock_melding(melding, None)
    now = clock.now()
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
        note=checked_text(note, field="note", label=_("Note"), max_length=200),
        created_at=now,
    )
    record_history(
        m, actor, "time", now=now, new=format_duration_lazy(minutes, days=False), detail=entry.note
    )
    return entry


def _lock_pair(a: Melding, b: Melding) -> None:
    """Lock two meldingen in id order (no deadlocks); both must still be editable."""
    for m in sorted([a, b], key=lambda x: x.pk):
        lock_melding(m, None)


@transaction.atomic
def link_meldingen(melding: Melding, *, other: Melding, actor: User) -> MeldingLink:
    ensure_staff(actor)
    if melding.pk == other.pk:
        raise DomainError(_("A call cannot be linked to itself."))
    low, high = sorted([melding, other], key=lambda x: x.pk)
    _lock_pair(low, high)
    link, created = MeldingLink.objects.get_or_create(
        from_melding=low, to_melding=high, defaults={"created_by": actor, "created_at": clock.now()}
    )
    if created:
        now = clock.now()
        record_history(melding, actor, "linked", now=now, new=other.number)
        record_history(other, actor, "linked", now=now, new=melding.number)
    return link


@transaction.atomic
def link_to_closed_melding(
    melding: Melding, *, closed: Melding, actor: User, now: datetime | None = None
) -> MeldingLink:
    """Relate a melding to a closed one it follows up (a caller answered a closed call, so a new
    melding was opened). The closed melding stays as it was: no lock, no history on it."""
    ensure_staff(actor)
    if melding.pk == closed.pk:
        raise DomainError(_("A call cannot be linked to itself."))
    m = lock_melding(melding, None)
    now = now or clock.now()
    low, high = sorted([m, closed], key=lambda x: x.pk)
    link, created = MeldingLink.objects.get_or_create(
        from_melding=low, to_melding=high, defaults={"created_by": actor, "created_at": now}
    )
    if created:
        record_history(m, actor, "linked", now=now, new=closed.number)
    return link


@transaction.atomic
def unlink_meldingen(melding: Melding, *, other: Melding, actor: User) -> None:
    ensure_staff(actor)
    low, high = sorted([melding.pk, other.pk])
    _lock_pair(melding, other)
    deleted, _rows = MeldingLink.objects.filter(from_melding_id=low, to_melding_id=high).delete()
    if deleted:
        now = clock.now()
        record_history(melding, actor, "unlinked", now=now, old=other.number)
        record_history(other, actor, "unlinked", now=now, old=melding.number)


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
    now = clock.now()
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
    record_history(m, actor, "attachment", now=now, new=name, public=attachment.visible_to_caller)
    _touch(m, now=now)
    return attachment
