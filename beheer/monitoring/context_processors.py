"""The "monitor not running" banner: for operators, when active probed checks exist and no monitor
process has sent a heartbeat in the last minute.

At most one query per request, and in production one per process every few seconds: the answer is
kept in the per-process configuration cache (`CONFIG_CACHE_SECONDS`, default 10 s).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists
from django.http import HttpRequest

from beheer.core import access, clock, config_cache
from beheer.core.models import ProcessHeartbeat

from .engine import PROBED_KINDS
from .models import Check
from .monitor_status import MONITOR_SILENT_AFTER


def monitor_missing() -> bool:
    """Whether active probed checks exist while no monitor has beaten within the last minute."""
    alive = ProcessHeartbeat.objects.filter(kind="monitor", seen_at__gte=clock.now() - MONITOR_SILENT_AFTER)
    row = (
        Check.objects.filter(active=True, kind__in=PROBED_KINDS)
        .annotate(monitor_alive=Exists(alive.values("pk")))
        .values_list("monitor_alive", flat=True)
        .first()
    )
    return row is not None and not row


def monitoring(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not access.is_staff(user):
        return {}
    return {"monitor_missing": config_cache.cached("monitor_missing", monitor_missing)}
