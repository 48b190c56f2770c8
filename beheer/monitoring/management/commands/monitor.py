"""`beheer monitor`: the long-running probe process (see beheer/monitoring/engine.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from beheer.core.outbound import configured_policy
from beheer.monitoring.engine import Monitor
from beheer.monitoring.probes import default_tls_context

logger = logging.getLogger(__name__)


def run(main: Coroutine[Any, Any, None]) -> None:
    """Run on uvloop where it is installed (Linux, macOS): about twice the probes per CPU-second."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


class Command(BaseCommand):
    help = "Probe the checks that are due, record the results; SIGTERM stops it cleanly."
    # the system checks would import every URLconf, view and API schema (about 40 MB) that the
    # monitor does not use; `beheer run` and the web process run them
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--concurrency", type=int, default=256, help="Probes at the same time.")
        parser.add_argument("--once", action="store_true", help="Probe what is due now, then exit.")
        parser.add_argument(
            "--stats-file", default="", help="On exit, write the number of probes and start lateness as JSON."
        )

    def handle(self, *args: Any, concurrency: int, once: bool, stats_file: str, **options: Any) -> None:
        # result details (stored, shown on the check pages, in meldingen and in alerts) are written in
        # the installation's language, whatever language the caller had active; the probes' tasks
        # inherit it (asyncio copies the context into the loop), and the database thread falls back
        # to the same LANGUAGE_CODE
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(concurrency=concurrency, once=once, stats_file=stats_file)

    def _handle(self, *, concurrency: int, once: bool, stats_file: str) -> None:
        policy = configured_policy()  # the one outbound address policy (beheer/core/outbound.py)
        tls_context = default_tls_context(settings.MONITOR_CA_FILE or None)
        monitor = Monitor(
            policy=policy, concurrency=max(1, min(concurrency, 5000)), tls_context=tls_context, tune_gc=True
        )
        run(self._main(monitor, once))
        if stats_file:
            Path(stats_file).write_text(json.dumps(monitor.stats()))

    async def _main(self, monitor: Monitor, once: bool) -> None:
        if once:
            async with monitor.session() as session:
                count = await monitor.run_once(session)
            self.stdout.write(f"Probed {count} checks.")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        logger.info("Monitor started (%s)", monitor.owner)
        await monitor.run(stop)
        logger.info("Monitor stopped")
