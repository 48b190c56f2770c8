"""Recurrence as people say it, and as RFC 5545 writes it: compose, parse back, describe in words.

The recurrence builder (`core/recurrence_field.py`) lets people choose a frequency (daily, weekly,
monthly, yearly), every N, weekdays, a day of the month or "the first/second/third/fourth/last
<weekday>", and an end (never, on a date, after N times). :func:`compose` turns that into an RRULE
body such as ``FREQ=MONTHLY;BYDAY=1TU``; :func:`parse` turns a rule back into the builder's terms,
or gives None when the builder cannot express it (an hourly rule, several days of the month, ...):
such a rule is kept as it is and :func:`describe` says it in words. No ORM, no dateutil: the apps
that use a rule evaluate it with their own engine (`calendars.windows`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

DAILY, WEEKLY, MONTHLY, YEARLY = "DAILY", "WEEKLY", "MONTHLY", "YEARLY"
FREQUENCIES = (DAILY, WEEKLY, MONTHLY, YEARLY)
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINALS = (1, 2, 3, 4, -1)
NEVER, UNTIL, COUNT = "never", "until", "count"
BY_DAY, BY_WEEKDAY = "day", "weekday"
MAX_INTERVAL = 999
MAX_COUNT = 1000

_PART = re.compile(r"^[A-Z]+=[A-Z0-9,+\-]+$")
_NTH_DAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^(\d{4})(\d{2})(\d{2})(T(\d{2})(\d{2})(\d{2})Z?)?$")


@dataclass(frozen=True)
class Recurrence:
    """What the builder shows. ``freq`` "" is once (no rule)."""

    freq: str = ""
    interval: int = 1
    weekdays: tuple[str, ...] = ()  # WEEKLY: the days; empty means the first date's weekday
    monthly: str = BY_DAY  # MONTHLY and YEARLY: BY_DAY (month_day) or BY_WEEKDAY (ordinal weekday)
    month_day: int | None = None  # 1-31; None: the first date's day
    ordinal: int | None = None  # 1-4 or -1 (last)
    ordinal_weekday: str = ""
    month: int | None = None  # YEARLY: 1-12; None: the first date's month
    end: str = NEVER
    until: date | None = None
    count: int | None = None
    problems: dict[str, str] = field(default_factory=dict, compare=False)


class RecurrenceError(ValueError):
    """The builder's choices do not make a rule; ``field`` names the part that is wrong."""

    def __init__(self, message: str, *, part: str) -> None:
        super().__init__(message)
        self.part = part


def compose(rec: Recurrence) -> str:
    """The RRULE body of the builder's choices ("" for once); RecurrenceError when incomplete."""
    if not rec.freq:
        return ""
    if rec.freq not in FREQUENCIES:
        raise RecurrenceError(_("Choose how often it repeats."), part="freq")
    if not 1 <= rec.interval <= MAX_INTERVAL:
        raise RecurrenceError(_("Enter a number from 1 to %(max)d.") % {"max": MAX_INTERVAL}, part="interval")
    parts = [f"FREQ={rec.freq}"]
    if rec.interval > 1:
        parts.append(f"INTERVAL={rec.interval}")
    if rec.freq == WEEKLY and rec.weekdays:
        unknown = [d for d in rec.weekdays if d not in DAY_CODES]
        if unknown:
            raise RecurrenceError(_("Choose weekdays from the list."), part="weekdays")
        parts.append("BYDAY=" + ",".join(d for d in DAY_CODES if d in rec.weekdays))
    if rec.freq == YEARLY and rec.month is not None:
        if not 1 <= rec.month <= 12:
            raise RecurrenceError(_("Choose a month."), part="month")
        parts.append(f"BYMONTH={rec.month}")
    if rec.freq in (MONTHLY, YEARLY):
        if rec.monthly == BY_WEEKDAY:
            if rec.ordinal not in ORDINALS or rec.ordinal_weekday not in DAY_CODES:
                raise RecurrenceError(_("Choose which weekday of the month."), part="ordinal")
            parts.append(f"BYDAY={rec.ordinal}{rec.ordinal_weekday}")
        elif rec.month_day is not None:
            if not 1 <= rec.month_day <= 31:
                raise RecurrenceError(_("Enter a day of the month from 1 to 31."), part="month_day")
            parts.append(f"BYMONTHDAY={rec.month_day}")
    if rec.end == UNTIL:
        if rec.until is None:
            raise RecurrenceError(_("Enter the last date."), part="until")
        parts.append(f"UNTIL={rec.until:%Y%m%d}T235959")
    elif rec.end == COUNT:
        if rec.count is None or not 1 <= rec.count <= MAX_COUNT:
            raise RecurrenceError(_("Enter a number from 1 to %(max)d.") % {"max": MAX_COUNT}, part="count")
        parts.append(f"COUNT={rec.count}")
    return ";".join(parts)


def _parts(rule: str) -> dict[str, str] | None:
    text = (rule or "").strip().upper()
    if text.startswith("RRULE:"):
        text = text[6:]
    if not text:
        return {}
    result: dict[str, str] = {}
    for piece in text.split(";"):
        if not piece:
            continue
        if not _PART.match(piece):
            return None
        key, value = piece.split("=", 1)
        if key in result:
            return None
        result[key] = value
    return result


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _until(value: str) -> date | None:
    match = _UNTIL.match(value)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse(rule: str) -> Recurrence | None:
    """The builder's terms for a rule, or None when the builder cannot express it exactly."""
    parts = _parts(rule)
    if parts is None:
        return None
    if not parts:
        return Recurrence()
    allowed = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "UNTIL", "COUNT"}
    if set(parts) - allowed or parts.get("FREQ") not in FREQUENCIES:
        return None
    freq = parts["FREQ"]
    interval = _int(parts.get("INTERVAL", "1"))
    if interval is None or not 1 <= interval <= MAX_INTERVAL:
        return None
    values: dict[str, object] = {"freq": freq, "interval": interval}
    days = parts["BYDAY"].split(",") if "BYDAY" in parts else []
    if "BYMONTH" in parts:
        month = _int(parts["BYMONTH"])
        if freq != YEARLY or month is None or not 1 <= month <= 12:
            return None
        values["month"] = month
    if "BYMONTHDAY" in parts:
        day = _int(parts["BYMONTHDAY"])
        if freq not in (MONTHLY, YEARLY) or day is None or not 1 <= day <= 31 or days:
            return None
        values["month_day"] = day
    if days:
        if freq == WEEKLY:
            if any(d not in DAY_CODES for d in days) or len(set(days)) != len(days):
                return None
            values["weekdays"] = tuple(d for d in DAY_CODES if d in days)
        elif freq in (MONTHLY, YEARLY) and len(days) == 1:
            match = _NTH_DAY.match(days[0])
            ordinal = _int(match.group(1)) if match and match.group(1) else None
            if match is None or ordinal not in ORDINALS or (freq == YEARLY and "month" not in values):
                return None
            values.update(monthly=BY_WEEKDAY, ordinal=ordinal, ordinal_weekday=match.group(2))
        else:
            return None
    if "UNTIL" in parts and "COUNT" in parts:
        return None
    if "UNTIL" in parts:
        until = _until(parts["UNTIL"])
        if until is None:
            return None
        values.update(end=UNTIL, until=until)
    if "COUNT" in parts:
        count = _int(parts["COUNT"])
        if count is None or not 1 <= count <= MAX_COUNT:
            return None
        values.update(end=COUNT, count=count)
    return Recurrence(**values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# in words


def day_name(code: str) -> str:
    names = {
        "MO": _("Monday"),
        "TU": _("Tuesday"),
        "WE": _("Wednesday"),
        "TH": _("Thursday"),
        "FR": _("Friday"),
        "SA": _("Saturday"),
        "SU": _("Sunday"),
    }
    return names.get(code, code)


def month_name(number: int) -> str:
    names = [
        _("January"),
        _("February"),
        _("March"),
        _("April"),
        _("May"),
        _("June"),
        _("July"),
        _("August"),
        _("September"),
        _("October"),
        _("November"),
        _("December"),
    ]
    return names[number - 1] if 1 <= number <= 12 else str(number)


def ordinal_name(n: int) -> str:
    names = {1: _("first"), 2: _("second"), 3: _("third"), 4: _("fourth"), 5: _("fifth"), -1: _("last")}
    if n in names:
        return names[n]
    if n == -2:
        return _("second to last")
    return _("number %(n)d") % {"n": n}


def _every(freq: str, n: int) -> str:
    if freq == "HOURLY":
        return ngettext("every hour", "every %(n)d hours", n) % {"n": n}
    if freq == DAILY:
        return ngettext("every day", "every %(n)d days", n) % {"n": n}
    if freq == WEEKLY:
        return ngettext("every week", "every %(n)d weeks", n) % {"n": n}
    if freq == MONTHLY:
        return ngettext("every month", "every %(n)d months", n) % {"n": n}
    if freq == YEARLY:
        return ngettext("every year", "every %(n)d years", n) % {"n": n}
    if freq == "MINUTELY":
        return ngettext("every minute", "every %(n)d minutes", n) % {"n": n}
    return _("repeatedly")


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _weekday_words(value: str) -> str | None:
    words = []
    for item in value.split(","):
        match = _NTH_DAY.match(item)
        if match is None:
            return None
        name = day_name(match.group(2))
        n = _int(match.group(1)) if match.group(1) else None
        words.append(_("the %(nth)s %(day)s") % {"nth": ordinal_name(n), "day": name} if n else name)
    return _join(words)


def describe(rule: str) -> str:
    """The rule in words, in the active language; also for rules the builder cannot express."""
    parts = _parts(rule)
    if parts is None:
        return _("a custom recurrence that cannot be read")
    if not parts:
        return _("once")
    freq = parts.get("FREQ", "")
    interval = _int(parts.get("INTERVAL", "1")) or 1
    words = [_every(freq, interval)]
    if "BYMONTH" in parts:
        months = [_int(m) for m in parts["BYMONTH"].split(",")]
        words.append(_("in %(months)s") % {"months": _join([month_name(m or 0) for m in months])})
    if "BYMONTHDAY" in parts:
        days = parts["BYMONTHDAY"].split(",")
        names = [_("the last day") if d == "-1" else d for d in days]
        words.append(
            ngettext("on day %(days)s of the month", "on days %(days)s of the month", len(days))
            % {"days": _join(names)}
        )
    if "BYDAY" in parts:
        text = _weekday_words(parts["BYDAY"])
        words.append(_("on %(days)s") % {"days": text} if text else _("on some weekdays"))
    if "BYSETPOS" in parts:
        positions = [ordinal_name(_int(p) or 0) for p in parts["BYSETPOS"].split(",")]
        words.append(_("only the %(which)s of each period") % {"which": _join(positions)})
    if "BYHOUR" in parts or "BYMINUTE" in parts:
        hours = (parts.get("BYHOUR") or "").split(",") if "BYHOUR" in parts else [""]
        minutes = (parts.get("BYMINUTE") or "0").split(",")
        times = [f"{int(h):02d}:{int(m):02d}" for h in hours if h.isdigit() for m in minutes if m.isdigit()]
        if times:
            words.append(_("at %(times)s") % {"times": _join(times)})
    others = set(parts) - {
        "FREQ",
        "INTERVAL",
        "BYMONTH",
        "BYMONTHDAY",
        "BYDAY",
        "BYSETPOS",
        "BYHOUR",
        "BYMINUTE",
    }
    others -= {"UNTIL", "COUNT", "WKST"}
    if others:
        words.append(_("with further conditions"))
    if "COUNT" in parts:
        count = _int(parts["COUNT"]) or 0
        words.append(ngettext("%(n)d time in all", "%(n)d times in all", count) % {"n": count})
    if "UNTIL" in parts:
        until = _until(parts["UNTIL"])
        if until is not None:
            words.append(_("until %(date)s") % {"date": formats.date_format(until, "DATE_FORMAT")})
    return ", ".join(words)


def describe_start(rule: str, first: datetime) -> str:
    """The rule in words with the first occurrence's time: "every week on Sunday, at 02:00"."""
    text = describe(rule)
    if not (rule or "").strip():
        return _("once, on %(when)s") % {"when": formats.date_format(first, "DATETIME_FORMAT")}
    return _("%(rule)s, at %(time)s") % {"rule": text, "time": first.strftime("%H:%M")}
