"""The screens where operators, coordinators and administrators schedule maintenance windows:
the list, create, edit, delete (after a confirmation page) and end now (after one too).

Thin adapters: the form checks shape, the services check every rule (DomainError -> form errors or
a message). Callers get 404, as on the check definition screens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beheer.calendars.windows import Window, WindowError
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.durations import format_duration
from beheer.core.errors import DomainError
from beheer.core.forms import parse_id
from beheer.core.history import subject_screen_page
from beheer.core.pagination import SortKey, page_for_request
from beheer.core.recurrence import describe
from beheer.core.timezones import installation_time_zone

from .. import services
from ..forms.windows import WindowForm, initial_for
from ..models import Check, MaintenanceWindow, MaintenanceWindowHistoryEntry
from ..services import Ending

ACCESS = access.STAFF_HIDDEN

ORDER = [SortKey("name"), SortKey("id")]
PAGE_SIZE = 50


_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_PLAIN_DAY = re.compile(r"^(MO|TU|WE|TH|FR|SA|SU)$")


# --------------------------------------------------------------------------------------------------
# what a window looks like in words


def _local(window: MaintenanceWindow) -> datetime:
    try:
        return window.start.astimezone(ZoneInfo(window.time_zone))
    except Exception:
        return timezone.localtime(window.start)


def when(moment: datetime, window: MaintenanceWindow) -> str:
    """A moment as local time of the window (with the zone's name when it is not the site's)."""
    try:
        zone = ZoneInfo(window.time_zone)
    except Exception:
        zone = timezone.get_current_timezone()
    text = formats.date_format(moment.astimezone(zone), "SHORT_DATETIME_FORMAT")
    return text if str(zone) == str(timezone.get_current_timezone()) else f"{text} ({zone})"


def duration_text(minutes: int) -> str:
    """90 -> "1 h 30 min": the house style of durations (`core.durations`)."""
    return format_duration(minutes)


def _every(freq: str, n: int) -> str | None:
    texts = {
        "HOURLY": (_("every hour"), _("every %(n)s hours")),
        "DAILY": (_("every day"), _("every %(n)s days")),
        "WEEKLY": (_("every week"), _("every %(n)s weeks")),
        "MONTHLY": (_("every month"), _("every %(n)s months")),
        "YEARLY": (_("every year"), _("every %(n)s years")),
    }
    if freq not in texts:
        return None
    one, more = texts[freq]
    return one if n == 1 else more % {"n": n}


def recurrence_text(window: MaintenanceWindow) -> str:
    """The recurrence in words: the simple rules (FREQ, INTERVAL, plain BYDAY, BYMONTHDAY) with the
    start time, any other rule as `core.recurrence.describe` says it (never the raw rule)."""
    rule = window.rule.strip()
    if not rule:
        return _("once")
    try:
        parts = dict(p.split("=", 1) for p in rule.upper().split(";") if p)
    except ValueError:
        return _words(window)
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY"}:
        return _words(window)
    freq = parts.get("FREQ", "")
    try:
        n = int(parts.get("INTERVAL", "1"))
        monthdays = [int(d) for d in parts["BYMONTHDAY"].split(",")] if "BYMONTHDAY" in parts else []
    except ValueError:
        return _words(window)
    days = parts["BYDAY"].split(",") if "BYDAY" in parts else []
    if any(not _PLAIN_DAY.match(d) for d in days) or any(not 1 <= d <= 31 for d in monthdays):
        return _words(window)
    every = _every(freq, n)
    if every is None:
        return _words(window)
    local = _local(window)
    time = local.strftime("%H:%M")
    if freq == "HOURLY":
        if days or monthdays:
            return _words(window)
        return _("%(every)s from %(time)s") % {"every": every, "time": time}
    if freq == "DAILY" and days and n == 1:
        freq, every = "WEEKLY", _every("WEEKLY", 1) or every
    if freq == "WEEKLY" and not monthdays:
        codes = days or [_CODES[local.weekday()]]
        names = ", ".join(str(WEEKDAYS[_CODES.index(c)]) for c in _CODES if c in codes)
        what = _("%(every)s on %(days)s") % {"every": every, "days": names}
    elif freq == "MONTHLY" and not days:
        numbers = ", ".join(str(d) for d in sorted(monthdays or [local.day]))
        what = _("%(every)s on day %(days)s") % {"every": every, "days": numbers}
    elif freq == "YEARLY" and not days and not monthdays:
        what = _("%(every)s on %(date)s") % {"every": every, "date": formats.date_format(local, "j F")}
    elif freq == "DAILY" and not days and not monthdays:
        what = every
    else:
        return _words(window)
    return _("%(when)s at %(time)s") % {"when": what, "time": time}


def _words(window: MaintenanceWindow) -> str:
    """Any rule in words with the start time, for rules the short form above does not cover."""
    return _("%(rule)s, from %(time)s") % {
        "rule": describe(window.rule),
        "time": _local(window).strftime("%H:%M"),
    }


@dataclass(frozen=True)
class Row:
    window: MaintenanceWindow
    schedule: str  # the next start, "running until ...", or why there is none
    running: bool
    duration: str
    recurrence: str
    can_end: bool


def _row(window: MaintenanceWindow, now: datetime) -> Row:
    pure = window.window()
    running = False
    if not window.active:
        schedule = "–"
    elif pure is None:
        schedule = _("The rule cannot be evaluated.")
    elif (occurrence := pure.occurrence_at(now)) is not None:
        running = True
        schedule = _("running until %(end)s") % {"end": when(occurrence[1], window)}
    elif (following := pure.next_start(now)) is not None:
        schedule = when(following, window)
    else:
        schedule = _("ended")
    return Row(
        window=window,
        schedule=schedule,
        running=running,
        duration=duration_text(window.duration_minutes),
        recurrence=recurrence_text(window),
        can_end=services.plan_end(window, now).outcome != Ending.UNCHANGED,
    )


# --------------------------------------------------------------------------------------------------
# views


def _visible(request: HttpRequest, pk: int) -> MaintenanceWindow:
    window = MaintenanceWindow.objects.visible_to(current_user(request)).filter(pk=pk).first()
    if window is None:
        raise Http404
    return window


def _form(
    request: HttpRequest, *, initial: dict[str, Any], window: MaintenanceWindow | None = None
) -> WindowForm:
    checks = Check.objects.visible_to(current_user(request)).only("pk", "name")
    return WindowForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        checks=checks,
        user=current_user(request),
        current_cis=window.cis.all() if window is not None else (),
    )


@require_GET
def window_list(request: HttpRequest) -> HttpResponse:
    """Every maintenance window by name: when it next starts (or until when it runs), its duration,
    recurrence and what it covers."""
    qs = MaintenanceWindow.objects.visible_to(current_user(request))
    page = page_for_request(request, qs, ORDER, size=PAGE_SIZE)
    prefetch_related_objects(
        page.items,
        Prefetch("checks", queryset=Check.objects.only("pk", "name")),
        Prefetch("cis", queryset=ConfigurationItem.objects.only("pk", "name")),
    )
    now = clock.now()
    next_url = None
    if page.next_cursor:
        next_url = reverse("monitoring:window-list") + "?" + urlencode({"cursor": page.next_cursor})
    rows = [_row(w, now) for w in page.items]
    return render(
        request,
        "monitoring/window_list.html",
        {"page": page, "rows": rows, "next_url": next_url},
    )


def window_create(request: HttpRequest) -> HttpResponse:
    soon = timezone.localtime(clock.now()).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    initial: dict[str, Any] = {
        "start_date": soon.date(),
        "start_time": soon.time().replace(tzinfo=None),
        "time_zone": installation_time_zone(),
    }
    check_id = parse_id(request.GET.get("check"))
    if check_id:  # "schedule maintenance" from a check's page
        initial["checks"] = [check_id]
    form = _form(request, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            window = services.create_window(actor=current_user(request), data=form.data_for_services())
        except DomainError as exc:
            form.place_errors(exc)
        else:
            messages.success(request, _("Maintenance window %(name)s created.") % {"name": window.name})
            return redirect("monitoring:window-list")
    return render(request, "monitoring/window_form.html", {"form": form, "window": None})


def window_edit(request: HttpRequest, pk: int) -> HttpResponse:
    window = _visible(request, pk)
    form = _form(request, initial=initial_for(window), window=window)
    if form.is_bound and form.is_valid():
        try:
            window = services.update_window(
                window,
                actor=current_user(request),
                data=form.data_for_services(),
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            form.place_errors(exc)
        else:
            messages.success(request, _("Maintenance window %(name)s saved.") % {"name": window.name})
            return redirect("monitoring:window-list")
    row = _row(window, clock.now())
    trail = subject_screen_page(request, MaintenanceWindowHistoryEntry, window)
    window_cis = list(window.cis.only("pk", "name"))
    context = {"form": form, "window": window, "row": row, "window_cis": window_cis, **trail}
    return render(request, "monitoring/window_form.html", context)


def window_delete(request: HttpRequest, pk: int) -> HttpResponse:
    window = _visible(request, pk)
    if request.method == "POST":
        try:
            services.delete_window(window, actor=current_user(request))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("monitoring:window-list")
        messages.success(request, _("Maintenance window %(name)s deleted.") % {"name": window.name})
        return redirect("monitoring:window-list")
    return render(
        request, "monitoring/window_delete.html", {"window": window, "row": _row(window, clock.now())}
    )


def window_end(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what ending the window now would do; POST: do it."""
    window = _visible(request, pk)
    if request.method == "POST":
        try:
            window, outcome = services.end_window_now(window, actor=current_user(request))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("monitoring:window-list")
        values = {"name": window.name, "next": when(window.start, window)}
        if outcome == Ending.SHORTENED:
            messages.success(request, _("Maintenance window %(name)s ended now.") % values)
        elif outcome == Ending.CANCELLED:
            messages.success(
                request, _("Maintenance window %(name)s is cancelled: it is now inactive.") % values
            )
        elif outcome == Ending.NEXT_OCCURRENCE:
            messages.success(
                request, _("This occurrence of %(name)s ended; it starts again on %(next)s.") % values
            )
        else:
            messages.info(
                request, _("Maintenance window %(name)s was not running: nothing changed.") % values
            )
        return redirect("monitoring:window-list")
    plan = services.plan_end(window, clock.now())
    context = {
        "window": window,
        "plan": plan,
        "next": when(plan.start, window) if plan.start else "",
        "row": _row(window, clock.now()),
    }
    return render(request, "monitoring/window_end.html", context)


PREVIEW_COUNT = 5


@require_POST
def window_preview(request: HttpRequest) -> HttpResponse:
    """The next five starts of the window the form describes, in its time zone (HTMX partial)."""
    form = WindowForm(request.POST, checks=Check.objects.none())
    form.is_valid()
    d = form.cleaned_data
    error = ""
    starts: list[datetime] = []
    rule = d.get("rule")
    if rule is None or "rule" in form.errors:
        error = "; ".join(str(e) for e in form.errors.get("rule", [])) or _("Complete the recurrence.")
    elif not d.get("start_date") or not d.get("start_time") or not d.get("time_zone"):
        error = _("Fill in the first date, the start time and the time zone.")
    else:
        try:
            pure = Window(
                start=datetime.combine(d["start_date"], d["start_time"].replace(tzinfo=None)),
                duration=timedelta(minutes=max(1, min(form.duration_minutes() or 1, 31 * 24 * 60))),
                time_zone=d["time_zone"],
                rule=rule,
            )
            cursor = clock.now()
            while len(starts) < PREVIEW_COUNT:
                moment = pure.next_start(cursor)
                if moment is None:
                    break
                starts.append(moment.astimezone(ZoneInfo(d["time_zone"])))
                cursor = moment
        except (WindowError, ValueError, OverflowError):
            error = _("This recurrence cannot be evaluated.")
    context = {"dates": starts, "error": error, "words": describe(rule or "") if not error else ""}
    return render(request, "core/recurrence_preview.html", context)
