"""A licence's files, archived with versions: upload (a new file, or a new version of a file of the
same name) and delete one version.

Staff only. Each upload and each deleted version is written in the licence's history. The type is
sniffed from the bytes, the name cleaned, the size checked (`core.files`); the stored file is removed
once a deletion is committed, and a failed upload leaves no file behind.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, clock, history
from beheer.core.errors import DomainError, NotFound
from beheer.core.files import check_upload, safe_filename

from ..models import Licence, LicenceAction, LicenceFile, LicenceFileVersion, LicenceHistoryEntry
from .licences import lock_licence

MAX_FILES = 50  # named files per licence
MAX_VERSIONS = 100  # versions per file


def _label(version: LicenceFileVersion, name: str) -> str:
    return f"{name} ({version.number})"


@transaction.atomic
def upload_licence_file(
    licence: Licence, *, actor: User, upload: Any, name: str = "", note: str = ""
) -> LicenceFileVersion:
    """Store `upload` under `name` (the file's own name when empty): a new file, or the next version
    of the licence's file of that name (case-insensitive)."""
    access.ensure_staff(actor)
    current = lock_licence(licence, None)
    if upload is None:
        message = _("Choose a file.")
        raise DomainError(message, field_errors={"file": message})
    checked = check_upload(upload)
    title = safe_filename(name).strip() if (name or "").strip() else checked.name
    note = " ".join((note or "").replace("\x00", "").split())
    if len(note) > 500:
        message = _("The note may be at most 500 characters.")
        raise DomainError(message, field_errors={"note": message})
    now = clock.now()
    named = LicenceFile.objects.filter(licence=current, name__iexact=title).first()
    if named is None:
        if LicenceFile.objects.filter(licence=current).count() >= MAX_FILES:
            message = _("A licence can have at most %(n)d files.") % {"n": MAX_FILES}
            raise DomainError(message, field_errors={"file": message})
        named = LicenceFile.objects.create(licence=current, name=title, created_at=now)
    versions = LicenceFileVersion.objects.filter(licence_file=named)
    if versions.count() >= MAX_VERSIONS:
        message = _("A file can have at most %(n)d versions; delete old ones first.") % {"n": MAX_VERSIONS}
        raise DomainError(message, field_errors={"file": message})
    number = (versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = LicenceFileVersion(
        licence_file=named,
        number=number,
        original_name=checked.name,
        content_type=checked.content_type[:100],
        size=checked.size,
        note=note,
        uploaded_by=actor,
        uploaded_at=now,
    )
    version.file.save(checked.name, upload, save=False)
    stored = version.file.name or ""
    try:
        version.save()
    except Exception:
        version.file.storage.delete(stored)
        raise
    history.record(
        LicenceHistoryEntry,
        current,
        actor=actor,
        action=LicenceAction.FILE_UPLOADED,
        field="file",
        new=_label(version, named.name),
        detail=note,
        at=now,
    )
    return version


@transaction.atomic
def delete_licence_file_version(version: LicenceFileVersion, *, actor: User) -> None:
    """Delete one version (the file's name goes with its last version); the stored file is removed
    once the deletion is committed."""
    access.ensure_staff(actor)
    row = (
        LicenceFileVersion.objects.select_related("licence_file")
        .select_for_update(of=("self",))
        .filter(pk=version.pk)
        .first()
    )
    if row is None:
        raise NotFound(_("File not found."))
    licence = lock_licence(row.licence_file.licence, None)
    history.record(
        LicenceHistoryEntry,
        licence,
        actor=actor,
        action=LicenceAction.FILE_DELETED,
        field="file",
        old=_label(row, row.licence_file.name),
    )
    storage, name = row.file.storage, row.file.name
    named = row.licence_file
    row.delete()
    if not LicenceFileVersion.objects.filter(licence_file=named).exists():
        named.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
