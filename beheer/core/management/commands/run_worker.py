"""The worker: periodic jobs and queued background tasks, until SIGINT/SIGTERM."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from beheer.core import scheduler

logger = logging.getLogger("beheer.worker")


class Command(BaseCommand):
    help = "Run periodic jobs and queued tasks (any number of workers may run at once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between polls.")
        parser.add_argument(
            "--once", action="store_true", help="Run due jobs and queued tasks once, then exit."
        )

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            logger.info("Worker stopping (signal %s)", signum)
            stop.set()

        if not once:
            signal.signal(signal.SIGINT, _stop)
            signal.signal(signal.SIGTERM, _stop)
        scheduler.autodiscover()
        started = timezone.now()
        logger.info("Worker started with jobs: %s", ", ".join(sorted(scheduler.JOBS)))
        while not stop.is_set():
            close_old_connections()
            try:
                scheduler.beat("worker", started_at=started)
                scheduler.run_due_jobs()
                Worker(
                    queue_names=["*"],
                    interval=0,
                    batch=True,
                    backend_name="default",
                    startup_delay=False,
                    max_tasks=100,
                    worker_id=f"beheer-{timezone.now().timestamp():.0f}",
                    excluded_queue_names=[],
                ).run()
            except Exception:
                logger.exception("Worker iteration failed; retrying")
            if once:
                break
            stop.wait(interval)
        close_old_connections()
