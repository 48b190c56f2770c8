"""Periodic jobs registered in code and run by `beheer worker`.

Each job has a ScheduledRun row; a worker claims a due job with a conditional UPDATE, so any number
of workers on any number of machines run each job once per interval. A job's failure, and the
failures of the items it loops over (`core.loops`), are recorded on that row.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import loops
from .models import ProcessHeartbeat, ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    func: Callable[[], object]


JOBS: dict[str, Job] = {}


def periodic(
    *, every: timedelta, name: str | None = None
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    def register(func: Callable[[], object]) -> Callable[[], object]:
        job_name = name or f"{func.__module__}.{func.__name__}"
        JOBS[job_name] = Job(job_name, every, func)
        return func

    return register


def autodiscover() -> None:
    """Import `<app>.periodic` for every Beheer app so its jobs register."""
    for config in apps.get_app_configs():
        if config.name.startswith("beheer."):
            try:
                importlib.import_module(f"{config.name}.periodic")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.periodic":
                    raise


def claim(job: Job, *, now: datetime) -> bool:
    ScheduledRun.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    claimed = ScheduledRun.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=now + job.every, last_started_at=now
    )
    return claimed == 1


def run_due_jobs(*, now: datetime | None = None) -> list[str]:
    """Run every job that is due and not claimed by another worker; return the names run.

    One job that raises does not stop the others, and a job's items that fail
    (`core.loops.isolated`) do not stop the job: both are recorded on the job's ScheduledRun
    (message, time, failed runs in a row, failed items), where administrators see them."""
    ran = []
    for job in list(JOBS.values()):
        now_ = now or timezone.now()
        try:
            with transaction.atomic():
                claimed = claim(job, now=now_)
        except Exception:  # the database, not the job: try the next job, and this one next time
            logger.exception("Claiming periodic job %s failed", job.name)
            continue
        if not claimed:
            continue
        run_job(job)
        ran.append(job.name)
    return ran


def run_job(job: Job) -> None:
    """Run one claimed job and record on its ScheduledRun how it went; never raises."""
    failures, token = loops.collect()
    error = ""
    try:
        job.func()
    except Exception as exc:  # one failing job must not stop the others
        logger.exception("Periodic job %s failed", job.name)
        error = loops.describe(exc)
    finally:
        loops.stop_collecting(token)
    try:
        _finished(job, error=error, failures=failures)
    except Exception:
        logger.exception("Recording the run of periodic job %s failed", job.name)


def _finished(job: Job, *, error: str, failures: loops.Failures) -> None:
    finished = timezone.now()
    runs = ScheduledRun.objects.filter(name=job.name)
    if not error and not failures:
        runs.update(last_finished_at=finished, last_error="", error_count=0, failed_items=0)
        return
    if failures:
        logger.warning("Periodic job %s: %d item(s) failed", job.name, len(failures.items))
        error = "\n".join(part for part in (error, failures.summary()) if part)
    runs.update(
        last_finished_at=finished,
        last_error=error[: loops.ERROR_MAX],
        last_error_at=finished,
        error_count=F("error_count") + 1,
        failed_items=len(failures.items),
    )


def failing_jobs() -> list[ScheduledRun]:
    """The jobs whose last run failed (for the administrators' warning)."""
    return list(ScheduledRun.objects.filter(error_count__gt=0).order_by("name"))


def beat(kind: str, *, started_at: datetime, capabilities: dict[str, str] | None = None) -> None:
    """Record that this process is alive, and what it can do on its machine when it says so
    (`capabilities`, kept as the last value given)."""
    defaults: dict[str, object] = {"seen_at": timezone.now(), "started_at": started_at}
    if capabilities is not None:
        defaults["capabilities"] = capabilities
    ProcessHeartbeat.objects.update_or_create(
        kind=kind, host=socket.gethostname()[:200], pid=os.getpid(), defaults=defaults
    )


def missing_processes(
    *, kinds: tuple[str, ...] = ("worker",), within: timedelta = timedelta(minutes=2)
) -> list[str]:
    """Kinds of process that have not sent a heartbeat recently."""
    since = timezone.now() - within
    alive = set(ProcessHeartbeat.objects.filter(seen_at__gte=since).values_list("kind", flat=True))
    return [k for k in kinds if k not in alive]
