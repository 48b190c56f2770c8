"""Business calendars: create, change, archive and restore them; read them as business time.

Coordinators and administrators do this in the screens (`views.py`) and the API (`api.py`); both call
these functions, so the rules below are the only validation. Every change clears the configuration
cache (`core/config_cache.py`), so the next evaluation counts in the new hours. The apps that count
in calendars take part through `extensions.py`: they refuse the archiving of a calendar they use,
recompute what they derived from it, and record its changes in their history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from beheer.core import access, config_cache
from beheer.core.errors import DomainError, PermissionDenied
from beheer.core.timezones import installation_time_zone

from . import extensions
from .business_time import Calendar, calendar_24x7
from .holidays import closed_days
from .models import WEEKDAYS, BusinessCalendar, ClosingDay, OpeningHours, SchoolRegion

MAX_CLOSING_DAYS = 1000
MAX_PERIODS_PER_DAY = 6
_MIDNIGHT = timedelta(days=1)


def default_time_zone() -> str:
    """The installation's time zone (settings.TIME_ZONE), the default of every time-zone field."""
    return installation_time_zone()


# --------------------------------------------------------------------------------------------------
# input


@dataclass(frozen=True)
class Period:
    weekday: int  # 0 = Monday
    start: time
    end: time  # time(0): midnight at the end of the day


@dataclass(frozen=True)
class ClosingDate:
    date: date
    name: str = ""


@dataclass(frozen=True)
class CalendarData:
    name: str
    time_zone: str = ""  # empty: the installation's time zone
    always_open: bool = False
    public_holidays: bool = True
    liberation_day_every_year: bool = False
    school_holidays_region: str = ""
    hours: Sequence[Period] = ()
    closing_days: Sequence[ClosingDate] = ()


# --------------------------------------------------------------------------------------------------
# shared helpers


def ensure_may_configure(actor: Any) -> None:
    """Coordinators and administrators configure calendars and service levels; nobody else."""
    if not (access.is_coordinator(actor) or access.is_administrator(actor)):
        raise PermissionDenied(_("Only coordinators and administrators may configure service levels."))


def _fail(field_name: str, message: str) -> DomainError:
    return DomainError(message, field_errors={field_name: message})


def _name(value: str, *, exclude: int | None) -> str:
    value = (value or "").strip()
    if not value:
        raise _fail("name", _("Enter a name."))
    if len(value) > 100:
        raise _fail("name", _("At most %(max)d characters.") % {"max": 100})
    others = BusinessCalendar.objects.filter(name__iexact=value)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise _fail("name", _("Another one already has this name."))
    return value


def _diff(old: dict[str, str], new: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(key, old.get(key, ""), value) for key, value in new.items() if old.get(key, "") != value]


def _changed_configuration() -> None:
    """New settings apply from the next evaluation: drop this process's cached copies now."""
    config_cache.clear()
    transaction.on_commit(config_cache.clear)


def _hh(value: time) -> str:
    return value.strftime("%H:%M")


# --------------------------------------------------------------------------------------------------
# business calendars


def _check_time_zone(value: str) -> str:
    value = (value or "").strip() or default_time_zone()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail("time_zone", _("Unknown time zone: %(zone)s") % {"zone": value}) from None
    return value


def _check_hours(periods: Sequence[Period], *, always_open: bool) -> list[Period]:
    by_day: dict[int, list[Period]] = {}
    for period in periods:
        if not isinstance(period.weekday, int) or not 0 <= period.weekday <= 6:
            raise _fail("hours", _("A weekday is 0 (Monday) to 6 (Sunday)."))
        by_day.setdefault(period.weekday, []).append(period)
    day_names = dict(WEEKDAYS)
    result: list[Period] = []
    for weekday in sorted(by_day):
        day = sorted(by_day[weekday], key=lambda p: p.start)
        key = f"hours_{weekday}"
        if len(day) > MAX_PERIODS_PER_DAY:
            raise _fail(key, _("At most %(n)d periods a day.") % {"n": MAX_PERIODS_PER_DAY})
        previous_end: timedelta | None = None
        for period in day:
            start = timedelta(hours=period.start.hour, minutes=period.start.minute)
            end = (
                _MIDNIGHT
                if period.end == time(0)
                else timedelta(hours=period.end.hour, minutes=period.end.minute)
            )
            if end <= start:
                raise _fail(
                    key,
                    _("%(day)s: the opening time %(start)s must be before the closing time %(end)s.")
                    % {"day": day_names[weekday], "start": _hh(period.start), "end": _hh(period.end)},
                )
            if previous_end is not None and start < previous_end:
                raise _fail(
                    key,
                    _("%(day)s: the periods overlap; let each period start after the previous one ends.")
                    % {"day": day_names[weekday]},
                )
            previous_end = end
            result.append(Period(weekday, period.start.replace(second=0, microsecond=0), period.end))
    if not result and not always_open:
        raise _fail("hours", _("Enter opening hours for at least one day, or choose 24x7."))
    return result


def _check_closing_days(days: Sequence[ClosingDate]) -> list[ClosingDate]:
    if len(days) > MAX_CLOSING_DAYS:
        raise _fail("closing_days", _("At most %(n)d closing days.") % {"n": MAX_CLOSING_DAYS})
    seen: set[date] = set()
    result = []
    for day in days:
        if day.date in seen:
            raise _fail(
                "closing_days", _("%(date)s is listed twice.") % {"date": day.date.strftime("%Y-%m-%d")}
            )
        seen.add(day.date)
        name = (day.name or "").strip()
        if len(name) > 100:
            raise _fail("closing_days", _("A reason has at most 100 characters."))
        result.append(ClosingDate(day.date, name))
    return sorted(result, key=lambda d: d.date)


def _calendar_fields(cal: BusinessCalendar) -> dict[str, str]:
    hours = "; ".join(
        f"{dict(WEEKDAYS)[h.weekday]} {_hh(h.start)}-{_hh(h.end)}"
        for h in cal.opening_hours.order_by("weekday", "start")
    )
    days = "; ".join(
        f"{d.date:%Y-%m-%d}{' ' + d.name if d.name else ''}" for d in cal.closing_days.order_by("date")
    )
    return {
        "name": cal.name,
        "time_zone": cal.time_zone,
        "always_open": str(cal.always_open),
        "public_holidays": str(cal.public_holidays),
        "liberation_day_every_year": str(cal.liberation_day_every_year),
        "school_holidays_region": cal.school_holidays_region,
        "opening_hours": hours,
        "closing_days": days,
        "active": str(cal.active),
    }


def _write_calendar(cal: BusinessCalendar, data: CalendarData, *, exclude: int | None) -> None:
    name = _name(data.name, exclude=exclude)
    zone = _check_time_zone(data.time_zone)
    if data.school_holidays_region not in SchoolRegion.values:
        raise _fail("school_holidays_region", _("Choose a region from the list."))
    hours = _check_hours(data.hours, always_open=data.always_open)
    days = _check_closing_days(data.closing_days)
    cal.name, cal.time_zone, cal.always_open = name, zone, bool(data.always_open)
    cal.public_holidays = bool(data.public_holidays)
    cal.liberation_day_every_year = bool(data.liberation_day_every_year)
    cal.school_holidays_region = data.school_holidays_region
    try:
        with transaction.atomic():
            cal.save()
    except IntegrityError:
        raise _fail("name", _("Another one already has this name.")) from None
    cal.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(calendar=cal, weekday=p.weekday, start=p.start, end=p.end) for p in hours
    )
    cal.closing_days.all().delete()
    ClosingDay.objects.bulk_create(ClosingDay(calendar=cal, date=d.date, name=d.name) for d in days)


@transaction.atomic
def create_calendar(*, data: CalendarData, actor: Any) -> BusinessCalendar:
    ensure_may_configure(actor)
    cal = BusinessCalendar()
    _write_calendar(cal, data, exclude=None)
    extensions.record(cal, actor, "created", _diff({}, _calendar_fields(cal)))
    _changed_configuration()
    return cal


@transaction.atomic
def update_calendar(calendar: BusinessCalendar, *, data: CalendarData, actor: Any) -> BusinessCalendar:
    ensure_may_configure(actor)
    cal = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    before = _calendar_fields(cal)
    _write_calendar(cal, data, exclude=cal.pk)
    changes = _diff(before, _calendar_fields(cal))
    if changes:
        extensions.record(cal, actor, "changed", changes)
        extensions.changed(cal)
    _changed_configuration()
    return cal


@transaction.atomic
def archive_calendar(calendar: BusinessCalendar, *, actor: Any) -> BusinessCalendar:
    """Make a calendar inactive; refused while something active counts in it (`extensions`)."""
    ensure_may_configure(actor)
    cal = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    if not cal.active:
        return cal
    extensions.refuse_archive(cal)
    cal.active = False
    cal.save(update_fields=["active"])
    extensions.record(cal, actor, "archived", [("active", "True", "False")])
    _changed_configuration()
    return cal


@transaction.atomic
def restore_calendar(calendar: BusinessCalendar, *, actor: Any) -> BusinessCalendar:
    ensure_may_configure(actor)
    cal = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    if not cal.active:
        cal.active = True
        cal.save(update_fields=["active"])
        extensions.record(cal, actor, "restored", [("active", "False", "True")])
        _changed_configuration()
    return cal


# --------------------------------------------------------------------------------------------------
# reading a calendar as business time


def business_day_minutes(calendar: BusinessCalendar | None) -> int | None:
    """How many business minutes a "business day" has in this calendar; None when it has no days.

    24x7: 1440. Otherwise the opening time of the most common open weekday (Monday to Friday 08:00-17:00:
    540), so "2 business days" means what a coordinator expects.
    """
    if calendar is None:
        return None
    if calendar.always_open:
        return 24 * 60
    totals: dict[int, int] = {}
    for row in calendar.opening_hours.all():
        end = 24 * 60 if row.end == time(0) else row.end.hour * 60 + row.end.minute
        totals[row.weekday] = totals.get(row.weekday, 0) + end - (row.start.hour * 60 + row.start.minute)
    values = [v for v in totals.values() if v > 0]
    if not values:
        return None
    return max(set(values), key=lambda v: (values.count(v), v))


def calendar_for(cal: BusinessCalendar, *, years: range) -> Calendar:
    """The pure Calendar of a configured business calendar, with its holidays for `years`."""
    tz = ZoneInfo(cal.time_zone)
    if cal.always_open:
        return calendar_24x7(tz)
    hours: dict[int, list[tuple[time, time]]] = {}
    for row in cal.opening_hours.all():
        hours.setdefault(row.weekday, []).append((row.start, row.end))
    closed = set(
        closed_days(
            tuple(years),
            public=cal.public_holidays,
            liberation_yearly=cal.liberation_day_every_year,
            region=cal.school_holidays_region,
        )
    )
    closed |= set(
        cal.closing_days.filter(date__year__gte=years.start, date__year__lt=years.stop).values_list(
            "date", flat=True
        )
    )
    return Calendar(hours={d: sorted(v) for d, v in hours.items()}, closed=frozenset(closed), tz=tz)
