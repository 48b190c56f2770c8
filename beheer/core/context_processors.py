from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest

from beheer import __version__
from beheer.core import access

from . import config_cache
from .scheduler import failing_jobs, missing_processes


def _missing_worker() -> list[str]:
    return missing_processes(kinds=("worker",))


def beheer(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"beheer_version": __version__}
    user = getattr(request, "user", None)
    if user is not None and access.is_staff(user):
        # Operators are told when background work (closing, reminders, later mail) is not running.
        # A callable: the template calls it where the page shows the warning, so a fragment (an
        # HTMX answer) that does not show it costs no query; the answer is kept in the per-process
        # configuration cache for a few seconds (a heartbeat counts as missing after two minutes).
        context["missing_processes"] = partial(config_cache.cached, "missing_processes", _missing_worker)
    if user is not None and access.is_administrator(user):
        # administrators are told when a background job keeps failing (see the job list)
        context["failing_jobs"] = partial(config_cache.cached, "failing_jobs", failing_jobs)
    return context
