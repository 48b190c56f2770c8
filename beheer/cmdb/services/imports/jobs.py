"""Import jobs: an import file checked (a dry run) and then imported in the background by the worker
(`cmdb.tasks.run_import_job`), with its progress and its report on an `ImportJob` row.

`start_job` reads the file's header at once (a file that cannot be read is refused in the request),
stores the file on the job and queues the check; a small file is checked in the request itself.
`confirm_job` queues the import of a checked file. `run_job` is the task: it claims a queued job
with a conditional UPDATE (safe to run twice), runs `run_import` as the job's owner in the owner's
language and stores the report; the file is removed once the import has run, or when the check
refused it. `sweep_jobs` (periodic) removes files nobody confirmed within the hour and jobs older
than a month.

The import runs in one transaction, so its progress cannot be written in it: on PostgreSQL it goes
to the job row through a second connection (committed at once), on SQLite (one machine, one writer
at a time) to a small file next to the worker, which the web process reads (`progress_of`).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied

from ... import imports as reader
from ...models import ImportJob, ImportState
from . import ImportReport, check_options, run_import

logger = logging.getLogger(__name__)

INLINE_ROWS = 200  # a check of at most this many rows runs in the request
MAX_AGE = timedelta(hours=1)  # a checked file waits this long for its confirmation
STOPPED = timedelta(hours=6)  # a job running this long lost its worker
KEEP = timedelta(days=30)  # finished jobs are deleted after this
EVERY = 1.0  # seconds between progress writes


def _queue(job_id: int) -> None:
    from ...tasks import run_import_job

    run_import_job.enqueue(job_id)


def _queue_after_commit(job_id: int) -> None:
    def start() -> None:
        try:
            _queue(job_id)
        except Exception:  # the job stays queued; the page says that the worker has not picked it up
            logger.exception("Could not queue import job %s", job_id)

    transaction.on_commit(start)


def start_job(
    *,
    actor: User,
    data: bytes,
    filename: str,
    kind: str,
    key: str | None,
    partial: bool,
    dry_run: bool = True,
) -> ImportJob:
    """A job for the file: its check (or, with dry_run False, its import) queued; a small check runs at
    once. DomainError (field `file`, `kind` or `key`) when the file cannot be read at all."""
    key = check_options(actor, kind, key)
    try:
        table = reader.read_table(data, filename)
        reader.map_columns(table.header, kind, key=key)
    except reader.FileRefused as exc:
        raise DomainError(str(exc), field_errors={"file": str(exc)}) from None
    now = timezone.now()
    with transaction.atomic():
        job = ImportJob.objects.create(
            owner=actor,
            kind=kind,
            key=key,
            filename=filename[:200],
            partial=partial,
            dry_run=dry_run,
            language=translation.get_language() or "",
            total=len(table.rows),
            data=data,
            created_at=now,
            queued_at=now,
        )
        if not (dry_run and job.total <= INLINE_ROWS):
            _queue_after_commit(job.pk)
    if dry_run and job.total <= INLINE_ROWS:
        run_job(job.pk)
        job.refresh_from_db()
    return job


def lock_job(job: ImportJob, actor: User) -> ImportJob:
    current = ImportJob.objects.visible_to(actor).select_for_update().filter(pk=job.pk).first()
    if current is None:
        raise NotFound(_("Import not found."))
    return current


def confirmable(job: ImportJob) -> bool:
    """A finished check whose file is still there, with no refused row (or a partial import)."""
    if not (job.dry_run and job.state == ImportState.FINISHED and job.report):
        return False
    refused = job.report.get("counts", {}).get("reject", 0)
    return bool(job.partial or not refused)


@transaction.atomic
def confirm_job(job: ImportJob, *, actor: User) -> ImportJob:
    """Queue the import of a checked file; only the person who uploaded it confirms it."""
    current = lock_job(job, actor)
    if current.owner_id != actor.pk:
        raise PermissionDenied(_("Only the person who uploaded the file can confirm its import."))
    if not confirmable(current) or not len(current.data or b""):
        raise Conflict(_("This file can no longer be imported: upload it again."))
    current.dry_run = False
    current.state = ImportState.QUEUED
    current.done = 0
    current.report = None
    current.queued_at = timezone.now()
    current.save(update_fields=["dry_run", "state", "done", "report", "queued_at"])
    _queue_after_commit(current.pk)
    return current


def run_job(job_id: int) -> str:
    """Run a queued job (the task); a job that is not queued any more is left alone."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, started_at=now, done=0
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    progress = _Progress(job.pk)
    report: ImportReport | None = None
    error = ""
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            try:
                report = run_import(
                    actor=job.owner,
                    data=bytes(job.data),
                    filename=job.filename,
                    kind=job.kind,
                    key=job.key,
                    dry_run=job.dry_run,
                    partial=job.partial,
                    progress=progress,
                )
            except DomainError as exc:
                error = exc.message
            except Exception:
                logger.exception("Import job %s failed", job_id)
                error = _("The import failed unexpectedly; nothing was imported.")
    finally:
        progress.close()
    keep_file = report is not None and job.dry_run
    fields: dict[str, Any] = {
        "state": ImportState.FINISHED if report is not None else ImportState.FAILED,
        "finished_at": timezone.now(),
        "error": error,
        "report": report.as_dict() if report is not None else None,
    }
    if report is not None:
        fields["done"] = fields["total"] = len(report.rows)
        keep_file = keep_file and bool(report.partial or not report.rejected)
    if not keep_file:
        fields["data"] = b""
    ImportJob.objects.filter(pk=job_id).update(**fields)
    return str(fields["state"])


def progress_of(job: ImportJob) -> tuple[int, int]:
    """(done, total) of a job: the row's figures, or on SQLite the running import's progress file."""
    if job.state == ImportState.RUNNING and connection.vendor != "postgresql":
        try:
            done, total = _progress_path(job.pk).read_text().split()
            return int(done), int(total)
        except (OSError, ValueError):
            pass
    return job.done, job.total


def sweep_jobs() -> int:
    """Remove the files of checks nobody confirmed within the hour and jobs older than a month; a job
    still running after a few hours lost its worker: it failed (its transaction was rolled back)."""
    now = timezone.now()
    stopped = ImportJob.objects.filter(state=ImportState.RUNNING, started_at__lt=now - STOPPED).update(
        state=ImportState.FAILED,
        finished_at=now,
        data=b"",
        error=_("The import stopped with its worker; nothing was imported. Upload the file again."),
    )
    cleared = (
        ImportJob.objects.filter(state=ImportState.FINISHED, finished_at__lt=now - MAX_AGE)
        .exclude(data=b"")
        .update(data=b"")
    )
    deleted, _counts = (
        ImportJob.objects.filter(created_at__lt=now - KEEP)
        .exclude(state__in=(ImportState.QUEUED, ImportState.RUNNING))
        .delete()
    )
    return stopped + cleared + deleted


def _progress_dir() -> Path:
    path = Path(tempfile.gettempdir()) / "beheer-cmdb-imports"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _progress_path(job_id: int) -> Path:
    return _progress_dir() / f"job-{int(job_id)}.progress"


class _Progress:
    """Writes a running import's progress at most once a second, outside its transaction."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.written = 0.0
        self.postgres = connection.vendor == "postgresql"
        self.connection: Any = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.written < EVERY and done != total:
            return
        self.written = now
        try:
            if self.postgres:
                self._write_row(done, total)
            else:
                path = _progress_path(self.job_id)
                temporary = path.with_suffix(".tmp")
                temporary.write_text(f"{done} {total}")
                os.replace(temporary, path)
        except Exception:  # progress is a courtesy: never let it stop the import
            logger.warning("Could not record the progress of import job %s", self.job_id, exc_info=True)

    def _write_row(self, done: int, total: int) -> None:
        if self.connection is None:
            self.connection = connections[DEFAULT_DB_ALIAS].copy()  # a second connection of its own
        with self.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cmdb_importjob SET done = %s, total = %s WHERE id = %s",
                [done, total, self.job_id],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        if not self.postgres:
            _progress_path(self.job_id).unlink(missing_ok=True)
