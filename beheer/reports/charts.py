"""The charts of the management report, drawn with the SVG charts of `beheer.core.charts`.

Dates on an axis are day-month in the active language ("6 okt" / "6 Oct"); weeks are ISO weeks
("wk 41"), and a week the period or today cuts short says which days it covers ("wk 40 (from
Thu)", "wk 49 (to Wed)") and is drawn as partial, so a short week never looks like a drop.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from beheer.core.charts import bar_chart, line_chart

__all__ = ["bar_chart", "day_label", "labelled", "line_chart", "point_label", "report_charts", "week_label"]


def day_label(day: date | str) -> str:
    """A date on an axis: day and month, '6 okt' in Dutch, '6 Oct' in English (a Django date
    format, translated: Dutch writes months in lower case)."""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return formats.date_format(value, pgettext("date on a chart axis (Django date format)", "j M"))


def _weekday(day: date) -> str:
    return formats.date_format(day, "D")


def week_label(week: Mapping[str, Any], *, lines: int = 1) -> str:
    """'wk 41' for a whole week; with the days it covers when the period or today cut it short:
    'wk 40 (from Thu)', 'wk 49 (to Wed)', 'wk 49 (Tue–Wed)'. `lines=2` puts that part on a second
    line (for an axis)."""
    monday = date.fromisoformat(week["week"])
    first = date.fromisoformat(week.get("first") or week["week"])
    last = date.fromisoformat(week.get("last") or (monday + timedelta(days=6)).isoformat())
    text = _("wk %(number)s") % {"number": monday.isocalendar().week}
    cut_start, cut_end = first > monday, last < monday + timedelta(days=6)
    if not (cut_start or cut_end):
        return text
    if first == last:
        days = _("(%(day)s)") % {"day": _weekday(first)}
    elif cut_start and cut_end:
        days = _("(%(first)s–%(last)s)") % {"first": _weekday(first), "last": _weekday(last)}
    elif cut_start:
        days = _("(from %(day)s)") % {"day": _weekday(first)}
    else:
        days = _("(to %(day)s)") % {"day": _weekday(last)}
    return f"{text}\n{days}" if lines == 2 else f"{text} {days}"


def point_label(point: Mapping[str, Any], granularity: str, *, lines: int = 1) -> str:
    """The label of a backlog point: its date, or its week for weekly points."""
    if granularity == "day":
        return day_label(point["date"])
    day = date.fromisoformat(point["date"])
    monday = day - timedelta(days=day.weekday())
    return week_label(
        {"week": monday.isoformat(), "first": point.get("first"), "last": point["date"]}, lines=lines
    )


def labelled(data: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The backlog points and weeks with the labels the charts give them, for the data tables."""
    backlog = data["backlog"]
    return {
        "points": [{**p, "label": point_label(p, backlog["granularity"])} for p in backlog["points"]],
        "weeks": [{**w, "label": week_label(w)} for w in backlog["flow_per_week"]],
    }


def report_charts(data: dict[str, Any]) -> dict[str, SafeString]:
    """The three charts of the management report, from `kpis.compute`'s result."""
    backlog = data["backlog"]
    points = backlog["points"]
    weeks = backlog["flow_per_week"]
    daily = backlog["granularity"] == "day"
    trend = line_chart(
        title=_("Open calls at the end of each day") if daily else _("Open calls at the end of each week"),
        x_labels=[point_label(p, backlog["granularity"], lines=2) for p in points],
        series=[(_("Open"), [p["open"] for p in points])],
        partial=[bool(p.get("partial")) for p in points],
        partial_note=_("partial week"),
    )
    flow = line_chart(
        title=_("Inflow and outflow per week"),
        x_labels=[week_label(w, lines=2) for w in weeks],
        series=[
            (_("Inflow"), [w["inflow"] for w in weeks]),
            (_("Outflow"), [w["outflow"] for w in weeks]),
            (_("Open at end of week"), [w["open_at_end"] for w in weeks]),
        ],
        partial=[bool(w.get("partial")) for w in weeks],
        partial_note=_("partial week"),
    )
    groups = bar_chart(
        title=_("Registered calls per operator group"),
        items=[(str(g["name"]), g["registered"]) for g in data["groups"]],
    )
    return {"trend": trend, "flow": flow, "groups": groups}
