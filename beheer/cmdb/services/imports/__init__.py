"""Importing configuration items, relations, people and licences from a CSV or XLSX file
(`cmdb/imports.py` reads it; `items.py`, `relations.py`, `people.py` and `licences.py` hold each
kind's importer, `jobs.py` runs an import in the background with its progress).

Every row is written through the services (`create_items`, `update_item`, `add_relation`; people
through the account services, licences through the licence services) in one transaction; a refused
row leaves nothing behind. New CIs go to `create_items` in batches of `BATCH` rows (the same checks
as `create_item`, written in bulk); a batch is written before an update row and before a CI is looked
up by name, so every row sees the rows before it as one by one.

The key column (for CIs the asset tag by default, or name, serial number or host name; for people
the username or e-mail address; for licences the reference or the product) makes an import
idempotent: a record with the row's key is updated, otherwise one is created; a second run of the
same file finds every row "unchanged".

A dry run does the same work and rolls the transaction back, so it reports exactly what the import
would do. Without `partial`, any refused row rolls the whole import back (all or nothing); with it,
the good rows are written and the refused ones reported.

References are looked up once for the whole file (types, people, branches, departments, locations,
suppliers, the existing CIs by key, attribute definitions per type), not per row.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access
from beheer.core.errors import DomainError, PermissionDenied

from ... import imports as reader
from .base import ACTIONS, CREATE, REJECT, UNCHANGED, UPDATE, ImportReport, Progress, RowResult
from .items import ItemImporter
from .licences import LicenceImporter
from .people import PeopleImporter
from .relations import RelationImporter

__all__ = [
    "ACTIONS",
    "CREATE",
    "REJECT",
    "UNCHANGED",
    "UPDATE",
    "ImportReport",
    "Progress",
    "RowResult",
    "check_options",
    "may_import",
    "run_import",
]

IMPORTERS = {
    reader.ITEMS: ItemImporter,
    reader.RELATIONS: RelationImporter,
    reader.PEOPLE: PeopleImporter,
    reader.LICENCES: LicenceImporter,
}


def _refuse_file(message: str) -> DomainError:
    return DomainError(message, field_errors={"file": message})


def may_import(actor: User, kind: str) -> bool:
    """Staff import CIs, relations and licences; people only coordinators and administrators."""
    if kind == reader.PEOPLE:
        return bool(actor.is_coordinator)
    return bool(actor.is_staff_member)


def check_options(actor: User, kind: str, key: str | None) -> str:
    """The key to use; DomainError naming the field, PermissionDenied for a kind the actor may not import."""
    access.ensure_staff(actor)
    if kind not in reader.KINDS:
        message = _("Choose configuration items, relations, people or licences.")
        raise DomainError(message, field_errors={"kind": message})
    if not may_import(actor, kind):
        raise PermissionDenied(_("Only coordinators and administrators may import people."))
    key = key or reader.default_key(kind)
    if key not in reader.KEYS_OF[kind]:
        message = _("Choose one of: %(choices)s.") % {"choices": ", ".join(reader.KEYS_OF[kind])}
        raise DomainError(message, field_errors={"key": message})
    return key


def run_import(
    *,
    actor: User,
    data: bytes,
    filename: str = "",
    kind: str = reader.ITEMS,
    key: str | None = None,
    dry_run: bool = False,
    partial: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the file; DomainError (field `file`, `kind` or `key`) when it cannot be read at all,
    PermissionDenied when the actor may not import this kind."""
    key = check_options(actor, kind, key)
    try:
        table = reader.read_table(data, filename)
        columns = reader.map_columns(table.header, kind, key=key)
    except reader.FileRefused as exc:
        raise _refuse_file(str(exc)) from None
    report = ImportReport(kind=kind, key=key, dry_run=dry_run, partial=partial)
    importer = IMPORTERS[kind](actor, columns, key)
    total = len(table.rows)
    if progress is not None:
        progress(0, total)
    with transaction.atomic():
        importer.prepare(table.rows)
        for done, (number, cells) in enumerate(table.rows, start=1):
            report.rows.append(importer.row(number, cells))
            if progress is not None:
                progress(done, total)
        importer.finish()
        keep = not dry_run and (partial or not report.rejected)
        if not keep:
            transaction.set_rollback(True)
    report.written = keep and any(r.action in (CREATE, UPDATE) for r in report.rows)
    return report
