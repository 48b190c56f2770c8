"""Scheduled reports: the only writes of the reports app.

A schedule belongs to a coordinator; every week or month `run_due_reports` (a periodic job) claims
each due schedule with a conditional UPDATE on next_run_at, so two workers never run it twice, and
stores the previous period's report as an XLSX or PDF file (the schedule's format; a PDF has the
availability of the monitored services too) under MEDIA_ROOT/reports/. A run for the same schedule
and period is never made twice (unique constraint). Each stored run is announced to its owner by
e-mail through the outbox, in the run's transaction; with `email_file` the file goes with it as an
attachment (stored with the message, up to the outbox's attachment limit; a larger file is linked
only), provided the owner may still see the run.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import access, clock, loops
from beheer.core.errors import DomainError, PermissionDenied
from beheer.core.loops import isolated
from beheer.notifications import services as notifications

from . import availability, exports, kpis, pdf
from .models import Frequency, ReportFormat, ReportRun, RunStatus, ScheduledReport

logger = logging.getLogger(__name__)
RUN_HOUR = time(6)
MAX_PER_SWEEP = 100


def _ensure_coordinator(actor: User) -> None:
    if not access.is_coordinator(actor):
        raise PermissionDenied(_("Only coordinators can schedule reports."))


def _clean_filters(filters: dict[str, Any]) -> dict[str, int]:
    unknown = set(filters) - set(kpis.FILTER_FIELDS)
    if unknown:
        raise DomainError(_("Unknown report filter: %(names)s") % {"names": ", ".join(sorted(unknown))})
    today = clock.now().date()
    parsed = kpis.parse_filter({"date_from": today, "date_to": today, **filters})
    return {k: v for k, v in parsed.dimensions().items() if v is not None}


def next_run(frequency: str, after: datetime) -> datetime:
    """The first run moment after `after`: Monday 06:00 (weekly) or the 1st at 06:00 (monthly), local."""
    tz = kpis.zone()
    local = after.astimezone(tz).date()
    if frequency == Frequency.WEEKLY:
        day = local - timedelta(days=local.weekday())
        candidate = datetime.combine(day, RUN_HOUR, tzinfo=tz)
        while candidate <= after:
            day += timedelta(days=7)
            candidate = datetime.combine(day, RUN_HOUR, tzinfo=tz)
        return candidate
    if frequency == Frequency.MONTHLY:
        day = local.replace(day=1)
        candidate = datetime.combine(day, RUN_HOUR, tzinfo=tz)
        while candidate <= after:
            day = (day + timedelta(days=32)).replace(day=1)
            candidate = datetime.combine(day, RUN_HOUR, tzinfo=tz)
        return candidate
    raise DomainError(
        _("Choose weekly or monthly."), field_errors={"frequency": _("Choose weekly or monthly.")}
    )


def period_for(frequency: str, run_at: datetime) -> tuple[date, date]:
    """The full week (Monday-Sunday) or month before the run moment's local date."""
    local = run_at.astimezone(kpis.zone()).date()
    if frequency == Frequency.WEEKLY:
        monday = local - timedelta(days=local.weekday()) - timedelta(days=7)
        return monday, monday + timedelta(days=6)
    end = local.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


@transaction.atomic
def schedule_report(
    *,
    actor: User,
    name: str,
    frequency: str,
    filters: dict[str, Any],
    file_format: str = ReportFormat.XLSX,
    email_file: bool = False,
) -> ScheduledReport:
    _ensure_coordinator(actor)
    name = (name or "").strip()
    if not name or len(name) > 100:
        message = _("Enter a name of at most 100 characters.")
        raise DomainError(message, field_errors={"name": message})
    if frequency not in Frequency.values:
        message = _("Choose weekly or monthly.")
        raise DomainError(message, field_errors={"frequency": message})
    if file_format not in ReportFormat.values:
        message = _("Choose Excel or PDF.")
        raise DomainError(message, field_errors={"file_format": message})
    now = clock.now()
    return ScheduledReport.objects.create(
        owner=actor,
        name=name,
        frequency=frequency,
        filters=_clean_filters(filters),
        file_format=file_format,
        next_run_at=next_run(frequency, now),
        active=True,
        created_at=now,
        email_file=bool(email_file),
    )


@transaction.atomic
def cancel_report(schedule: ScheduledReport, *, actor: User) -> ScheduledReport:
    """Stop a schedule (its stored runs stay downloadable). Owner or administrator only."""
    if not ScheduledReport.objects.visible_to(actor).filter(pk=schedule.pk).exists():
        raise PermissionDenied(_("You cannot change this scheduled report."))
    ScheduledReport.objects.filter(pk=schedule.pk).update(active=False)
    schedule.refresh_from_db()
    return schedule


def _claim(schedule_id: int, due_at: datetime, *, now: datetime, frequency: str) -> bool:
    """Move next_run_at on only if nobody else did: exactly one worker wins each due run."""
    with transaction.atomic():
        return (
            ScheduledReport.objects.filter(pk=schedule_id, active=True, next_run_at=due_at).update(
                next_run_at=next_run(frequency, max(now, due_at))
            )
            == 1
        )


def produce_run(schedule: ScheduledReport, *, due_at: datetime, now: datetime) -> ReportRun | None:
    """Compute and store the report of the period before `due_at`; None when that run exists."""
    start, end = period_for(schedule.frequency, due_at)
    if ReportRun.objects.filter(scheduled_report=schedule, period_start=start).exists():
        return None
    run = ReportRun(
        scheduled_report=schedule,
        period_start=start,
        period_end=end,
        created_at=now,
        file_format=schedule.file_format,
    )
    owner = schedule.owner
    try:
        if not owner.is_coordinator:
            raise PermissionDenied(_("The owner of this schedule is no longer a coordinator."))
        f = kpis.parse_filter({"date_from": start, "date_to": end, **schedule.filters})
        # Written in the owner's language, like the pages they read.
        with translation.override(owner.language or settings.LANGUAGE_CODE), tempfile.TemporaryFile() as tmp:
            data = kpis.compute(owner, f)
            if run.file_format == ReportFormat.PDF:
                monitored = availability.for_management_report(owner, start, end)
                pdf.write_report_pdf(data, tmp, generated=now, availability=monitored)
            else:
                exports.report_xlsx_file(data, tmp)
            tmp.seek(0)
            run.file.save(run.filename, File(tmp), save=False)
        run.status = RunStatus.DONE
    except DomainError as exc:
        run.status, run.error = RunStatus.FAILED, exc.message
    except Exception as exc:  # bad stored data or a bug: this run fails visibly, the others go on
        loops.record_failure("scheduled report", schedule.pk, exc)  # the reason, for administrators
        if run.file:
            run.file.delete(save=False)
        run.status = RunStatus.FAILED
        run.error = _(
            "The report could not be produced. An administrator finds the reason among the background jobs."
        )
    try:
        with transaction.atomic():
            run.save()
            if run.status == RunStatus.DONE:
                _announce(run, owner)
    except IntegrityError:  # another worker stored this period first
        if run.file:
            run.file.delete(save=False)
        return None
    return run


def _attachment(run: ReportRun, owner: User) -> list[notifications.OutgoingFile]:
    """The run's file for the e-mail, when the schedule asks for it, the owner may see the run and
    the file is within the outbox's limit; else nothing (the e-mail still links to it)."""
    if not run.scheduled_report.email_file or not run.file:
        return []
    if not (owner.is_active and ReportRun.objects.visible_to(owner).filter(pk=run.pk).exists()):
        return []
    if run.file.size > notifications.max_attachment_bytes():
        logger.info("Report run %s is too large to attach; the e-mail links to it", run.pk)
        return []
    with run.file.open("rb") as handle:
        content = handle.read()
    return [notifications.OutgoingFile(run.filename, run.content_type, content)]


def _announce(run: ReportRun, owner: User) -> None:
    """Mail the owner a link to the stored file (and the file, if asked), through the outbox, in
    the run's transaction: the message is queued with the run, or not at all."""
    period = f"{run.period_start:%d-%m-%Y} - {run.period_end:%d-%m-%Y}"
    link = str(settings.SITE_URL).rstrip("/") + reverse("report-run-download", args=[run.pk])
    files = _attachment(run, owner)
    notifications.enqueue(
        "report_ready",
        key=f"report-run:{run.pk}",
        recipients=[owner],
        context={
            "report_name": run.scheduled_report.name,
            "period": period,
            "file_format": "PDF" if run.file_format == ReportFormat.PDF else "Excel",
            "attached": "yes" if files else "",
            "link_url": link,
        },
        object_ref=("reports.reportrun", run.pk),
        attachments=files,
    )


def run_due_reports(*, now: datetime | None = None) -> int:
    """Run every due schedule once; returns the number of runs stored. Safe to call concurrently."""
    now = now or clock.now()
    due = list(
        ScheduledReport.objects.due(now)
        .order_by("next_run_at", "pk")
        .values_list("pk", "next_run_at", "frequency")[:MAX_PER_SWEEP]
    )
    made = 0
    for pk, due_at, frequency in due:
        # one broken schedule must not stop the others: its failure is logged and counted on the
        # job's run (no transaction around it: producing a file takes a while)
        with isolated("scheduled report", pk, atomic=False):
            if not _claim(pk, due_at, now=now, frequency=frequency):
                continue
            schedule = ScheduledReport.objects.select_related("owner").filter(pk=pk).first()
            if schedule is None:  # deleted a moment after it was claimed
                continue
            if produce_run(schedule, due_at=due_at, now=now) is not None:
                made += 1
    return made
