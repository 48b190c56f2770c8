"""One way to show a duration, on every page, in the PDF and in e-mail text.

The style, in the active language:

- under an hour: minutes, ``35 min`` (``< 1 min`` for a few seconds, ``0 min`` for nothing);
- under a day: hours and two-digit minutes, ``2 h 05 min`` (Dutch ``2 u 05 min``);
- a day or more: days and hours, minutes rounded off, ``3 d 4 h`` (Dutch ``3 d 4 u``).

Every value is rounded to the nearest minute first (the day form to the nearest hour), so the same
duration reads the same everywhere. Business time (time on an SLA or OLA clock, counted in opening
hours) and time worked (time registrations, estimates) are never written in days: a day of opening
hours or of work is not 24 hours, so ``days=False`` keeps hours and minutes (``45 h 00 min``). Only
wall-clock durations (time left before a deadline, wall-clock resolution time, downtime, a
maintenance window) use days. Figures that a spreadsheet or a script reads (CSV, XLSX, the
API) stay numbers with their unit in the column name; this module is for text people read.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext as _

UNITS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0}
_NUMBER = re.compile(r"(-?\d+(?:[.,]\d+)?)(?:\s*min)?")
EMPTY = "–"


def seconds_of(value: Any, unit: str = "minutes") -> float | None:
    """A timedelta, or a number in `unit`, as seconds; None for no value or a value that is not one."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, str):  # a number kept as text, also as an older record wrote it ("125 min")
        found = _NUMBER.fullmatch(value.strip())
        if found is None:
            return None
        value = found.group(1).replace(",", ".")
    try:
        return float(value) * UNITS[unit]
    except (TypeError, ValueError, KeyError):
        return None


def format_duration(value: Any, *, unit: str = "minutes", days: bool = True, empty: str = EMPTY) -> str:
    """`value` (a timedelta, or a number of `unit`: minutes by default) in the house style.

    A negative duration gets a minus sign; callers that mean "overdue" say so in words and pass the
    absolute value. None (or something that is not a duration) gives `empty`.
    """
    seconds = seconds_of(value, unit)
    if seconds is None or seconds != seconds:  # None or NaN
        return empty
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    minutes = int((seconds + 30) // 60)  # to the nearest minute, halves up
    if minutes == 0:
        return _("0 min") if seconds == 0 else sign + _("< 1 min")
    if minutes < 60:
        return sign + _("%(minutes)d min") % {"minutes": minutes}
    if minutes < 24 * 60 or not days:
        hours, rest = divmod(minutes, 60)
        return sign + _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}
    whole_days, hours = divmod((minutes + 30) // 60, 24)  # to the nearest hour
    return sign + _("%(days)d d %(hours)d h") % {"days": whole_days, "hours": hours}


def remaining_text(remaining: timedelta, *, days: bool = True) -> str:
    """Time left before a deadline, or how far past it: '2 h 05 min left', 'overdue 35 min'."""
    if remaining < timedelta(0):
        return _("overdue %(duration)s") % {"duration": format_duration(-remaining, days=days)}
    return _("%(duration)s left") % {"duration": format_duration(remaining, days=days)}


# The same text, written when it is read: history keeps a value per language (`str()` under each).
format_duration_lazy = lazy(format_duration, str)
