"""The installation's time zone: the default of every time-zone field (calendars, windows, series)."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings


def installation_time_zone() -> str:
    """settings.TIME_ZONE when it is a known zone, otherwise UTC."""
    name = str(getattr(settings, "TIME_ZONE", "") or "UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


@functools.cache
def _names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def time_zone_choices() -> list[tuple[str, str]]:
    """Every zone of the tz database, sorted, for a select."""
    return [(name, name) for name in _names()]
