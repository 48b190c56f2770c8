"""The report charts: one point, partial weeks, day-month labels in both languages, no overlap."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from reportlab.pdfbase.pdfmetrics import stringWidth

from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock
from beheer.core.charts import line_chart
from beheer.reports import charts, kpis

from .test_kpis import OCTOBER, Month, build_month

AMS = ZoneInfo("Europe/Amsterdam")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def month(
    operator: User, specialist: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> Month:
    return build_month(operator, specialist, caller, first_line, second_line)


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def _texts(svg: str, cls: str = "") -> list[ET.Element]:
    return [t for t in _tree(svg).iter(f"{SVG}text") if not cls or t.get("class") == cls]


def _labels(svg: str) -> list[str]:
    """The x-axis labels, their lines joined with a space (a label may have two lines)."""
    out: list[str] = []
    last_x = None
    for t in _texts(svg, "x-label"):
        if t.get("x") == last_x:
            out[-1] += " " + (t.text or "")
        else:
            out.append(t.text or "")
        last_x = t.get("x")
    return out


def _extent(t: ET.Element) -> tuple[float, float, float]:
    """(left, right, baseline) of a text element, measured with Helvetica's metrics plus the same
    margin for screen fonts the charts allow (12 %)."""
    x, y = float(t.get("x", 0)), float(t.get("y", 0))
    w = stringWidth(t.text or "", "Helvetica", 12) * 1.12
    anchor = t.get("text-anchor", "start")
    left = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    return left, left + w, y


def _assert_no_overlap(elements: list[ET.Element]) -> None:
    boxes = [_extent(t) for t in elements]
    for i, (l1, r1, y1) in enumerate(boxes):
        for l2, r2, y2 in boxes[i + 1 :]:
            if abs(y1 - y2) < 12:  # on the same line
                assert r1 <= l2 or r2 <= l1, (l1, r1, l2, r2)


# --------------------------------------------------------------------------------------------------
# one data point


def test_one_point_draws_a_marker_with_its_value_and_label() -> None:
    svg = line_chart(title="One day", x_labels=["6 Dec"], series=[("Open", [7])])
    tree = _tree(svg)
    circles = list(tree.iter(f"{SVG}circle"))
    assert len(circles) == 1
    assert float(circles[0].get("r", 0)) >= 3
    assert [t.text for t in _texts(svg, "value-label")] == ["7"]
    assert _labels(svg) == ["6 Dec"]
    # the point lies inside the plot, not on its edge
    assert 48 < float(circles[0].get("cx", 0)) < 708


def test_a_one_day_report_draws_both_charts(month: Month, coordinator: User) -> None:
    f = kpis.ReportFilter(date_from=date(2026, 10, 7), date_to=date(2026, 10, 7))
    with translation.override("en"):
        pictures = charts.report_charts(kpis.compute(coordinator, f))
    trend, flow = pictures["trend"], pictures["flow"]
    assert len(list(_tree(trend).iter(f"{SVG}circle"))) == 1
    assert [t.text for t in _texts(trend, "value-label")] == ["2"]  # F and K open at the end of 7 Oct
    assert _labels(trend) == ["7 Oct"]
    assert len(list(_tree(flow).iter(f"{SVG}circle"))) == 3  # inflow, outflow, open: one point each
    assert _labels(flow) == ["wk 41 (Wed)"]


# --------------------------------------------------------------------------------------------------
# partial weeks


def test_weeks_cut_short_by_the_period_are_marked_partial(month: Month, coordinator: User) -> None:
    weeks = kpis.backlog(coordinator, OCTOBER)["flow_per_week"]
    # 1 October 2026 is a Thursday, 31 October a Saturday
    assert [(w["week"], w["first"], w["last"], w["partial"]) for w in (weeks[0], weeks[1], weeks[-1])] == [
        ("2026-09-28", "2026-10-01", "2026-10-04", True),
        ("2026-10-05", "2026-10-05", "2026-10-11", False),
        ("2026-10-26", "2026-10-26", "2026-10-31", True),
    ]


@pytest.mark.parametrize(
    ("language", "first", "last"),
    [("en", "wk 40 (from Thu)", "wk 44 (to Sat)"), ("nl", "wk 40 (vanaf do)", "wk 44 (t/m za)")],
)
def test_partial_weeks_are_labelled_and_drawn_as_partial(
    month: Month, coordinator: User, language: str, first: str, last: str
) -> None:
    with translation.override(language):
        flow = charts.report_charts(kpis.compute(coordinator, OCTOBER))["flow"]
    labels = _labels(flow)
    assert labels[0] == first
    assert labels[-1] == last
    assert labels[1] == "wk 41"
    tree = _tree(flow)
    hollow = [c for c in tree.iter(f"{SVG}circle") if c.get("class") == "point partial"]
    assert len(hollow) == 2 * 3  # first and last week, three series
    assert all(c.get("fill") == "#ffffff" for c in hollow)
    dashed = [e for e in tree.iter(f"{SVG}line") if "partial" in (e.get("class") or "")]
    assert len(dashed) == 2 * 3  # the segment into the last week and out of the first, per series
    assert all(e.get("stroke-dasharray") for e in dashed)
    legend = "partial week" if language == "en" else "onvolledige week"
    assert legend in [t.text for t in _texts(flow)]


def test_the_running_week_stops_at_today(month: Month, coordinator: User) -> None:
    """A period that runs on past today draws up to today: no zero inflow for days to come."""
    f = kpis.ReportFilter(date_from=date(2026, 11, 30), date_to=date(2026, 12, 31))
    with clock.frozen(datetime(2026, 12, 2, 15, tzinfo=AMS)):  # Wednesday
        data = kpis.compute(coordinator, f)
    backlog = data["backlog"]
    assert backlog["until"] == "2026-12-02"
    assert [p["date"] for p in backlog["points"]] == ["2026-11-30", "2026-12-01", "2026-12-02"]
    assert len(backlog["flow_per_week"]) == 1
    with translation.override("nl"):
        flow = charts.report_charts(data)["flow"]
    assert _labels(flow) == ["wk 49 (t/m wo)"]
    with translation.override("en"):
        flow = charts.report_charts(data)["flow"]
    assert _labels(flow) == ["wk 49 (to Wed)"]


def test_weekly_backlog_marks_its_cut_weeks(month: Month, coordinator: User) -> None:
    f = kpis.ReportFilter(date_from=date(2026, 6, 3), date_to=date(2026, 10, 31))  # Wed .. Sat
    with clock.frozen(datetime(2026, 11, 14, tzinfo=AMS)):
        backlog = kpis.backlog(coordinator, f)
    points = backlog["points"]
    assert backlog["granularity"] == "week"
    assert (points[0]["partial"], points[1]["partial"], points[-1]["partial"]) == (True, False, True)
    with translation.override("en"):
        trend = charts.report_charts({**kpis.compute(coordinator, f), "backlog": backlog})["trend"]
    labels = _labels(trend)
    assert labels[0] == "wk 23 (from Wed)"
    assert labels[-1] == "wk 44 (to Sat)"


# --------------------------------------------------------------------------------------------------
# date labels


@pytest.mark.parametrize(("language", "expected"), [("nl", ["1 okt", "31 okt"]), ("en", ["1 Oct", "31 Oct"])])
def test_date_labels_are_day_month(
    month: Month, coordinator: User, language: str, expected: list[str]
) -> None:
    with translation.override(language):
        trend = charts.report_charts(kpis.compute(coordinator, OCTOBER))["trend"]
    labels = _labels(trend)
    assert [labels[0], labels[-1]] == expected
    assert not any(re.fullmatch(r"\d\d-\d\d", label) for label in labels)  # never month-day


# --------------------------------------------------------------------------------------------------
# no overlapping labels


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("days", [1, 7, 31, 92, 93, 400, 1096])
def test_axis_and_legend_labels_never_overlap(language: str, days: int) -> None:
    start = date(2024, 1, 3)  # a Wednesday: the first and last weeks are cut short
    end = start + timedelta(days=days - 1)
    points: list[dict[str, Any]] = []
    weeks: list[dict[str, Any]] = []
    day = start
    while day <= end:
        monday = day - timedelta(days=day.weekday())
        if not weeks or weeks[-1]["week"] != monday.isoformat():
            weeks.append({"week": monday.isoformat(), "first": day.isoformat(), "inflow": 12, "outflow": 9})
        weeks[-1]["last"] = day.isoformat()
        weeks[-1]["open_at_end"] = 40
        weeks[-1]["partial"] = weeks[-1]["first"] != monday.isoformat() or day.weekday() != 6
        if days <= 92:
            points.append({"date": day.isoformat(), "open": 40})
        elif day.weekday() == 6 or day == end:
            points.append(
                {"date": day.isoformat(), "open": 40, "first": weeks[-1]["first"], "partial": False}
            )
        day += timedelta(days=1)
    data = {
        "backlog": {"granularity": "day" if days <= 92 else "week", "points": points, "flow_per_week": weeks},
        "groups": [
            {"name": f"Groep {n} met een heel lange naam die niet past", "registered": n} for n in range(5)
        ],
    }
    with translation.override(language):
        pictures = charts.report_charts(data)
    for name in ("trend", "flow"):
        labels = _texts(pictures[name], "x-label")
        assert labels, name
        _assert_no_overlap(labels)
        legend = [
            t for t in _texts(pictures[name]) if t.get("text-anchor") == "start" and t.get("class") is None
        ]
        _assert_no_overlap(legend)
        # every label lies inside the picture
        width = float(_tree(pictures[name]).get("width", 0))
        for t in labels + legend:
            left, right, _y = _extent(t)
            assert left >= 0, (t.text, left)
            assert right <= width, (t.text, right)
    # bar labels are shortened to their column, never running into the bars
    for t in _texts(pictures["groups"]):
        if t.get("text-anchor") == "end":
            assert _extent(t)[0] >= 0
