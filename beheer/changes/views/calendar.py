"""The forward schedule of changes (wijzigingskalender): a month (default), a week or a list of the
open changes with a planned window, with warnings for overlapping changes that share a CI or an
affected service. ?view=month|week|list, ?from=YYYY-MM-DD (and ?to= for the list, at most 366 days)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from beheer.core import access, clock

from ..models import format_change_number
from ..services.schedule import MAX_DAYS, Row, Scheduled, forward_schedule

ACCESS = access.STAFF
VIEWS = ("month", "week", "list")
PER_DAY = 6  # changes shown in a day of the month view; the rest as "n more"


def _date(text: str | None) -> date | None:
    """A date from the query string; none when it is not one, or lies far outside the present era
    (the period arithmetic would overflow at year 1 or 9999)."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and date(2000, 1, 1) <= day <= date(2199, 12, 31) else None


def period(view: str, first: date, to: date | None) -> tuple[date, date]:
    """The first day and the day after the last of the period shown."""
    if view == "month":
        start = first.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    elif view == "week":
        start = first - timedelta(days=first.weekday())
        end = start + timedelta(days=7)
    else:
        start = first
        end = to + timedelta(days=1) if to is not None and to >= first else start + timedelta(days=31)
        end = min(end, start + timedelta(days=MAX_DAYS))
    return start, end


@dataclass(frozen=True)
class Day:
    day: date
    in_period: bool
    changes: list[Scheduled]
    more: int


def _days(start: date, end: date, changes: list[Scheduled], zone: object) -> list[list[Day]]:
    """The weeks (Monday first) covering start..end, each day with the changes active on it."""
    first = start - timedelta(days=start.weekday())
    last = end + timedelta(days=(7 - end.weekday()) % 7)
    on: dict[date, list[Scheduled]] = {}
    for c in changes:
        d = max(timezone.localtime(c.start, zone).date(), first)  # type: ignore[arg-type]
        stop = min(timezone.localtime(c.end - timedelta(microseconds=1), zone).date(), last)  # type: ignore[arg-type]
        while d <= stop:
            on.setdefault(d, []).append(c)
            d += timedelta(days=1)
    weeks: list[list[Day]] = []
    d = first
    while d < last:
        week = []
        for _i in range(7):
            rows = on.get(d, [])
            week.append(Day(d, start <= d < end, rows[:PER_DAY], max(0, len(rows) - PER_DAY)))
            d += timedelta(days=1)
        weeks.append(week)
    return weeks


def list_html(changes: list[Row], overlapping: set[int], names: dict[int, str], zone: Any) -> str:
    """The list view's table rows, built here rather than in the template: a year can hold
    thousands of changes and each row is the same small shape (everything user-given escaped).
    Phases, CI lists, service lists and times repeat across rows, so each is escaped or formatted
    once a page (the caches below)."""
    marker = "999999999"
    before, after = reverse("change-detail", args=[int(marker)]).split(marker)
    badge: str = format_html(' <span class="badge" title="{}">!</span>', _("Overlaps another change"))
    phases: dict[str, str] = {}
    ci_lists: dict[tuple[tuple[int, str], ...], str] = {}
    service_lists: dict[tuple[int, ...], str] = {}
    times: dict[datetime, str] = {}

    def when(moment: datetime) -> str:
        text = times.get(moment)
        if text is None:  # "YYYY-MM-DD HH:MM" in the page's time zone
            text = times[moment] = moment.astimezone(zone).isoformat(" ", "minutes")[:16]
        return text

    out = []
    for pk, title, _kind, phase_name, start, end, cis, service_ids in changes:
        phase = phases.get(phase_name)
        if phase is None:
            phase = phases[phase_name] = html.escape(phase_name)
        ci_list = ci_lists.get(cis)
        if ci_list is None:
            ci_list = ci_lists[cis] = html.escape(", ".join(name for _pk, name in cis)) or "—"
        services = service_lists.get(service_ids)
        if services is None:
            services = service_lists[service_ids] = (
                html.escape(", ".join(sorted(names[s] for s in service_ids))) or "—"
            )
        if pk in overlapping:
            warn, mark = ' class="warning" data-overlapping', badge
        else:
            warn, mark = "", ""
        out.append(
            f'<tr data-calendar-change="{pk}"{warn}><td class="nowrap"><a href="{before}{pk}{after}">'
            f"{format_change_number(pk)}</a>{mark}</td><td>{html.escape(title)}</td><td>{phase}</td>"
            f'<td class="nowrap">{when(start)} – {when(end)}</td><td>{ci_list}</td><td>{services}</td></tr>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or ours


@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "month")
    view = view if view in VIEWS else "month"
    today = timezone.localdate(clock.now())
    first = _date(request.GET.get("from")) or today
    start, end = period(view, first, _date(request.GET.get("to")))
    zone = timezone.get_current_timezone()
    schedule = forward_schedule(
        request.user,
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end, time.min, tzinfo=zone),
    )
    overlapping = schedule.overlapping_ids()
    names = schedule.service_names
    if view == "month":
        previous = (start - timedelta(days=1)).replace(day=1)
        following = end
    elif view == "week":
        previous, following = start - timedelta(days=7), end
    else:
        span = end - start
        previous, following = start - span, end
    return render(
        request,
        "changes/plan/calendar.html",
        {
            "tab": "calendar",
            "view": view,
            "start": start,
            "last": end - timedelta(days=1),
            "schedule": schedule,
            "list_rows": list_html(schedule.rows, overlapping, names, zone) if view == "list" else "",
            "weeks": _days(start, end, schedule.changes, zone) if view != "list" else [],
            "overlapping": overlapping,
            "previous": previous.isoformat(),
            "following": following.isoformat(),
            "today": today,
            "to": (end - timedelta(days=1)).isoformat(),
        },
    )
