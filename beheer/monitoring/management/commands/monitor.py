"""`beheer monitor`: the long-running probe process (see beheer/monitoring/engine.py)."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from beheer.monitoring.engine import Monitor
from beheer.monitoring.guard import NetworkPolicy
from beheer.monitoring.probes import default_tls_context

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Probe the checks that are due, record the results; SIGTERM stops it cleanly."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--concurrency", type=int, default=50, help="Probes at the same time.")
        parser.add_argument("--once", action="store_true", help="Probe what is due now, then exit.")

    def handle(self, *args: Any, concurrency: int, once: bool, **options: Any) -> None:
        policy = NetworkPolicy.from_text(
            denied=settings.MONITOR_DENIED_NETWORKS, allowed_only=settings.MONITOR_ALLOWED_NETWORKS
        )
        tls_context = default_tls_context(settings.MONITOR_CA_FILE or None)
        monitor = Monitor(policy=policy, concurrency=max(1, min(concurrency, 1000)), tls_context=tls_context)
        asyncio.run(self._main(monitor, once))

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
