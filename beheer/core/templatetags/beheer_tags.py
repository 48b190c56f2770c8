"""Small presentation helpers shared by the templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from beheer.core.durations import UNITS, format_duration, remaining_text

register = template.Library()


# The numeric format characters of Django's date formats, as functions of a datetime.
_DATE_PARTS: dict[str, Callable[[datetime], str]] = {
    "d": lambda v: f"{v.day:02d}",
    "j": lambda v: str(v.day),
    "m": lambda v: f"{v.month:02d}",
    "n": lambda v: str(v.month),
    "Y": lambda v: f"{v.year:04d}",
    "y": lambda v: f"{v.year % 100:02d}",
    "H": lambda v: f"{v.hour:02d}",
    "G": lambda v: str(v.hour),
    "i": lambda v: f"{v.minute:02d}",
    "s": lambda v: f"{v.second:02d}",
}


@lru_cache(maxsize=32)
def _compiled_format(fmt: str) -> tuple[Callable[[datetime], str] | str, ...] | None:
    """A date format of numbers and separators as its parts (None for any other format)."""
    if "\\" in fmt or any(c.isalpha() and c not in _DATE_PARTS for c in fmt):
        return None
    return tuple(_DATE_PARTS.get(c, c) for c in fmt)


@register.filter(expects_localtime=True, is_safe=False)
def short_datetime(value: Any) -> str:
    """The same as ``{{ value|date:"SHORT_DATETIME_FORMAT" }}``, a few times faster for the usual
    formats (numbers and separators: ``j-n-Y H:i``), which pages with long histories show often."""
    if not isinstance(value, datetime):
        return date_filter(value, "SHORT_DATETIME_FORMAT")
    fmt = str(formats.get_format("SHORT_DATETIME_FORMAT"))
    parts = _compiled_format(fmt)
    if parts is None:
        return date_filter(value, "SHORT_DATETIME_FORMAT")
    return "".join(part if isinstance(part, str) else part(value) for part in parts)


@register.filter(expects_localtime=True, is_safe=False)
def iso_datetime(value: Any) -> str:
    """The same as ``{{ value|date:"c" }}`` (ISO 8601 in the current time zone), without the
    general date formatter."""
    if not isinstance(value, datetime):
        return date_filter(value, "c")
    return value.isoformat()


@register.filter
def duration(value: Any, options: str = "") -> str:
    """A duration in the house style (`core.durations`): ``{{ minutes|duration }}``, or with
    options separated by commas: a unit (``minutes``, the default, ``hours`` or ``seconds``; a
    timedelta needs none) and ``business`` for time counted in opening hours (never in days):
    ``{{ metric.target|duration:"no_days" }}``, ``{{ hours|duration:"hours,no_days" }}``."""
    words = {w.strip() for w in str(options).split(",") if w.strip()}
    unit = next((w for w in words if w in UNITS), "minutes")
    return format_duration(value, unit=unit, days="no_days" not in words)


@register.filter
def time_left(value: Any, options: str = "") -> str:
    """A timedelta to a deadline as '2 h 05 min left' or 'overdue 35 min'; ``no_days`` as
    for ``duration``."""
    if not isinstance(value, timedelta):
        return ""
    return remaining_text(value, days="no_days" not in str(options))


@register.filter
def hours_minutes(minutes: Any) -> str:
    """Kept for older templates: the same as ``duration``."""
    return format_duration(minutes)


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


SLA_LABELS = {
    "on_track": _("On track"),
    "at_risk": _("At risk"),
    "breached": _("Breached"),
    "met": _("Met"),
    "paused": _("Paused"),
}


@register.filter
def sla_state(melding: Any) -> str:
    """The melding's SLA state from its stored deadlines ("" without an SLA)."""
    from beheer.core import clock

    return str(melding.sla_state(clock.now())) if hasattr(melding, "sla_state") else ""


@register.filter
def sla_label(state: str) -> str:
    return str(SLA_LABELS.get(str(state), ""))


@register.filter
def minutes(value: Any) -> str:
    """Kept for older templates: business time, the same as ``duration:"no_days"``."""
    return format_duration(value, days=False)
