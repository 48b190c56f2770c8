"""The management report as a PDF: the same content as the printable monthly report page, with the
availability of the monitored services in the same period (the figures and the chart of the
availability report, `availability.py`) for the readers who may see that report.

Built with reportlab in memory (a report is a few pages). The charts are the SVG charts of
`charts.py`, converted to reportlab drawings by svglib, so the PDF and the page show the same
pictures. Text goes into reportlab paragraphs only through `_text`, which escapes it: a category
called ``<b>R&D`` is printed as it is and cannot break the paragraph markup. The PDF uses the
standard Helvetica fonts (nothing to install, nothing embedded), which cover Western European
text; characters outside that set print as a box.

The request parameters of the monthly report (page, PDF button, API) are parsed here too:
`monthly_filter` turns ``month`` (YYYY-MM) or ``date_from``/``date_to`` plus the dimension filters
into a `kpis.ReportFilter`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import IO, Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import formats
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from svglib.fonts import FontMap
from svglib.svglib import svg2rlg

from beheer.core import durations
from beheer.core.errors import DomainError
from beheer.core.pdf import (
    BOLD,
    FONT,
    FOOTER,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    HEAD,
    INK,
    MARGIN,
    MUTED,
    PDF,
    RULE,
)
from beheer.core.pdf import canvas_maker as _canvas_maker

from . import availability, charts, kpis
from .periods import month_end, parse_month

STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=17, leading=21, textColor=INK, spaceAfter=4),
    "h2": ParagraphStyle(
        "h2",
        fontName=BOLD,
        fontSize=12.5,
        leading=16,
        textColor=INK,
        spaceBefore=10,
        spaceAfter=5,
        keepWithNext=1,  # a heading never ends a page
    ),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK),
    "muted": ParagraphStyle("muted", fontName=FONT, fontSize=8, leading=10.5, textColor=MUTED),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=10.5, textColor=INK),
    "head": ParagraphStyle("head", fontName=BOLD, fontSize=8.5, leading=10.5, textColor=INK),
    "num": ParagraphStyle(
        "num", fontName=FONT, fontSize=8.5, leading=10.5, textColor=INK, alignment=TA_RIGHT
    ),
    "numhead": ParagraphStyle(
        "numhead", fontName=BOLD, fontSize=8.5, leading=10.5, textColor=INK, alignment=TA_RIGHT
    ),
    "kpi_label": ParagraphStyle("kpi_label", fontName=FONT, fontSize=8, leading=10, textColor=MUTED),
    "kpi_value": ParagraphStyle("kpi_value", fontName=BOLD, fontSize=15, leading=19, textColor=INK),
    "kpi_detail": ParagraphStyle("kpi_detail", fontName=FONT, fontSize=7.5, leading=9.5, textColor=MUTED),
}
for _name, _style in STYLES.items():
    # Headings, column heads and figures wrap between words only, never inside one; the columns are
    # made wide enough for their longest word (`fit_widths`). Body text may still break a word that
    # is wider than its whole column (a name of 40 letters), rather than run into the next column.
    _style.splitLongWords = 1 if _name == "cell" else 0
CELL_PADDING = 4
HEAD_SIZES = (8.5, 7.5, 6.5)  # column heads shrink before a word would have to be broken


# --------------------------------------------------------------------------------------------------
# request parameters


def monthly_filter(data: Mapping[str, Any], *, today: date) -> kpis.ReportFilter:
    """The filter of a monthly report request: ``month`` (YYYY-MM), or ``date_from`` and
    ``date_to``, or else last month; plus the dimension filters. DomainError on bad input."""
    month = str(data.get("month") or "").strip()
    dated = any(str(data.get(name) or "").strip() for name in ("date_from", "date_to"))
    dims = {name: data.get(name) for name in kpis.FILTER_FIELDS}
    if month:
        if dated:
            message = _("Give either a month or a period, not both.")
            raise DomainError(message, field_errors={"month": message})
        period = parse_month(month)
        if period is None:
            message = _("Give the month as YYYY-MM, for example 2026-10.")
            raise DomainError(message, field_errors={"month": message})
        return kpis.parse_filter({"date_from": period[0], "date_to": period[1], **dims})
    if dated:
        return kpis.parse_filter({"date_from": data.get("date_from"), "date_to": data.get("date_to"), **dims})
    last = today.replace(day=1) - timedelta(days=1)
    return kpis.parse_filter({"date_from": last.replace(day=1), "date_to": last, **dims})


def is_whole_month(date_from: date, date_to: date) -> bool:
    return date_from.day == 1 and date_to == month_end(date_from)


def report_title(date_from: date, date_to: date) -> str:
    """'Management report October 2026' for a calendar month, else 'Management report'."""
    if is_whole_month(date_from, date_to):
        return _("Management report %(m)s") % {"m": formats.date_format(date_from, "F Y")}
    return _("Management report")


# --------------------------------------------------------------------------------------------------
# small helpers


def _text(value: Any, style: str = "cell") -> Paragraph:
    """A paragraph of plain text: every <, > and & is escaped, so no input is read as markup."""
    return Paragraph(escape(str(value)), STYLES[style])


def _n(value: Any) -> str:
    """A figure as the page shows it: localised decimals, a dash for no value."""
    if value is None:
        return "–"
    return str(formats.localize(value))


def _pct(r: Mapping[str, Any]) -> str:
    return "–" if r.get("percent") is None else f"{_n(r['percent'])} %"


def _day(iso: str) -> date:
    return date.fromisoformat(iso)


_FONTS = FontMap()
# The charts ask for "system-ui, sans-serif": map both to Helvetica here, so svglib never asks the
# system's fontconfig and the PDF is the same on every machine.
_FONTS.register_font("system-ui", rlgFontName=FONT)
_FONTS.register_font("system-ui", weight="bold", rlgFontName=BOLD)


def svg_drawing(svg: str, *, max_width: float = FRAME_WIDTH, max_height: float = FRAME_HEIGHT) -> Drawing:
    """A chart of charts.py as a reportlab drawing, scaled to fit the given box."""
    drawing = svg2rlg(io.StringIO(str(svg)), font_map=_FONTS)
    if drawing is None:  # pragma: no cover - charts.py always writes valid SVG
        raise ValueError("not an SVG chart")
    scale = min(max_width / drawing.width, max_height / drawing.height, 1.0)
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    return drawing


class FitChart(Flowable):
    """A chart that takes the room left on the page, down to `least` of the size it would have on
    an empty page; when even that does not fit it moves on to the next page, at full size. So a
    chart shrinks a little rather than leave most of a page blank, and is never drawn tiny."""

    def __init__(self, svg: str, *, max_height: float = FRAME_HEIGHT, least: float = 0.7) -> None:
        super().__init__()
        self.drawing = svg_drawing(svg)
        self.max_height, self.least = max_height, least
        self.scale = 1.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        w, h = self.drawing.width, self.drawing.height
        full = min(1.0, avail_width / w, self.max_height / h)
        scale = min(full, avail_height / h)
        self.scale = full if scale < full * self.least else scale
        self.width, self.height = w * self.scale, h * self.scale
        return self.width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.scale(self.scale, self.scale)
        renderPDF.draw(self.drawing, self.canv, 0, 0)
        self.canv.restoreState()


def _longest_word(text: Any, style: ParagraphStyle) -> float:
    return max((stringWidth(word, style.fontName, style.fontSize) for word in str(text).split()), default=0.0)


def _text_width(text: Any, style: ParagraphStyle) -> float:
    return stringWidth(str(text), style.fontName, style.fontSize)


def fit_widths(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float] | None,
    *,
    numeric_from: int,
    head_size: float = HEAD_SIZES[0],
) -> list[float] | None:
    """Column widths near `widths` (the same total) in which every word of the header, every
    figure and every word of the text fits; None when that is impossible at `head_size`."""
    n = len(header)
    wanted = list(widths) if widths else [FRAME_WIDTH / n] * n
    total = sum(wanted)
    need = []
    for i in range(n):
        numeric = i >= numeric_from
        head = STYLES["numhead" if numeric else "head"].clone("fit", fontSize=head_size)
        least = _longest_word(header[i], head)
        for row in rows:
            value = row[i] if i < len(row) else ""
            if numeric:  # a figure is never wrapped
                least = max(least, _text_width(value, STYLES["num"]))
            else:  # a word of text, but a very long name may still break rather than squeeze all
                least = max(least, min(_longest_word(value, STYLES["cell"]), total * 0.4))
        need.append(least + 2 * CELL_PADDING + 1)
    if sum(need) > total:
        return None
    result = [max(w, m) for w, m in zip(wanted, need, strict=True)]
    excess = sum(result) - total
    if excess > 0:
        slack = [r - m for r, m in zip(result, need, strict=True)]
        room = sum(slack)
        result = [r - excess * sl / room for r, sl in zip(result, slack, strict=True)]
    return result


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    widths: Sequence[float] | None = None,
    numeric_from: int = 1,
    empty: str = "–",
) -> Table:
    """A data table with a repeated header row; column `numeric_from` onwards is right-aligned.

    The columns are fitted to their content (`fit_widths`): no word of the header is broken; when
    the header does not fit at the normal size its font shrinks a step or two first.
    """
    head_size = HEAD_SIZES[-1]
    fitted: list[float] | None = None
    for size in HEAD_SIZES:
        fitted = fit_widths(header, rows, widths, numeric_from=numeric_from, head_size=size)
        if fitted is not None:
            head_size = size
            break
    if fitted is None:  # pragma: no cover - more columns than fit on A4: keep the asked widths
        fitted = list(widths) if widths else None
    head_styles = {
        name: STYLES[name].clone(f"{name}-{head_size}", fontSize=head_size, leading=head_size + 2)
        for name in ("head", "numhead")
    }

    def cells(row: Sequence[Any], head: bool) -> list[Paragraph]:
        out = []
        for i, value in enumerate(row):
            numeric = i >= numeric_from
            if head:
                out.append(Paragraph(escape(str(value)), head_styles["numhead" if numeric else "head"]))
            else:
                out.append(_text(value, "num" if numeric else "cell"))
        return out

    body = [cells(row, False) for row in rows] or [[_text(empty, "muted")] + [""] * (len(header) - 1)]
    table = Table([cells(header, True), *body], colWidths=fitted, repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    if not rows:
        style.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(style))
    return table


def _columns(header: Sequence[str], rows: Sequence[Sequence[Any]], *, count: int = 3) -> list[Flowable]:
    """A long two-column table (one row per day) set in `count` columns side by side, in blocks of
    at most 12 rows per column: small blocks fill a page to its foot instead of jumping to the next."""
    gap = 8
    width = (FRAME_WIDTH - gap * (count - 1)) / count
    per_column = max(1, min(12, -(-len(rows) // count)))
    blocks: list[Flowable] = []
    for start in range(0, max(len(rows), 1), per_column * count):
        chunk = rows[start : start + per_column * count]
        tables = [
            _table(header, chunk[i : i + per_column], widths=[width * 0.6, width * 0.4])
            for i in range(0, max(len(chunk), 1), per_column)
        ]
        row = Table([tables], colWidths=[width + gap] * len(tables), hAlign="LEFT")
        row.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), gap),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        blocks.append(row)
    return blocks


# --------------------------------------------------------------------------------------------------
# the report


def _hours(value: Any, *, days: bool = True) -> str:
    return durations.format_duration(value, unit="hours", days=days)


def _minutes(value: Any, *, days: bool = False) -> str:
    return durations.format_duration(value, days=days)


def _kpis(data: Mapping[str, Any]) -> list[Flowable]:
    """The key figures as cards, four to a row. The SLA percentage (resolved meldingen only) and
    the open meldingen past their target sit side by side on one shaded band."""
    rt = data["resolution_time"]
    until_end = data["backlog"].get("until", data["period"]["date_to"]) == data["period"]["date_to"]
    at_start = {"n": _n(data["backlog"]["at_start"])}
    resolution = data["sla"]["resolution"]
    breached = data["sla"].get("open_breached", {}).get("count")
    ratios = {
        "fcr": (_("First-contact resolution"), data["first_contact_resolution"]),
        "flr": (_("First-line resolution rate"), data["first_line_resolution"]),
        "response": (_("Response within SLA"), data["sla"]["response"]),
        "reopen": (_("Reopen rate"), data["reopen_rate"]),
        "escalation": (_("Escalation rate"), data["escalation_rate"]),
    }

    def ratio_card(key: str) -> tuple[str, str, str]:
        label, r = ratios[key]
        return label, _pct(r), _("%(n)s of %(d)s") % {"n": _n(r["numerator"]), "d": _n(r["denominator"])}

    sat = data["satisfaction"]
    if sat["measured"]:
        counts = {"n": sat["rated"], "c": sat["confirmed"]}
        satisfaction = (
            _("Satisfaction"),
            _n(sat["average"]),
            _("of 5; %(n)s ratings from %(c)s confirmations") % counts,
        )
    else:
        satisfaction = (_("Satisfaction"), "–", _("no ratings in this period"))
    cards: list[tuple[str, str, str]] = [
        (_("Registered"), _n(data["volume"]["registered"]), _("in the period")),
        (_("Resolved"), _n(data["resolved"]), _("in the period")),
        (
            _("Open"),
            _n(data["backlog"]["at_end"]),
            (_("at the end (%(n)s at the start)") if until_end else _("now (%(n)s at the start)")) % at_start,
        ),
        ratio_card("fcr"),
        ratio_card("flr"),
        ratio_card("reopen"),
        ratio_card("escalation"),
        ratio_card("response"),
        (
            _("Resolution within SLA"),
            _pct(resolution),
            _("%(n)s of %(d)s resolved calls; open calls are not counted")
            % {"n": _n(resolution["numerator"]), "d": _n(resolution["denominator"])},
        ),
        (
            _("Open past target"),
            _n(breached),
            _("open at the end of the period and past their resolution target")
            if until_end
            else _("open now and past their resolution target"),
        ),
        (
            _("Resolution time (business hours)"),
            _hours(rt["business_hours"]["median"], days=False),
            _("median; mean %(m)s") % {"m": _hours(rt["business_hours"]["mean"], days=False)},
        ),
        (
            _("Resolution time (wall-clock hours)"),
            _hours(rt["wall_clock_hours"]["median"]),
            _("median; mean %(m)s") % {"m": _hours(rt["wall_clock_hours"]["mean"])},
        ),
        (_("Time spent"), _minutes(data["time_spent"]["total_minutes"]), _("registered in the period")),
        satisfaction,
    ]
    pair = (8, 9)  # the SLA percentage and the open meldingen past their target: one row, side by side

    columns = 4
    cells = [
        [_text(label, "kpi_label"), _text(value, "kpi_value"), _text(detail, "kpi_detail")]
        for label, value, detail in cards
    ]
    cells += [[] for _ in range(-len(cells) % columns)]
    grid = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    table = Table(grid, colWidths=[FRAME_WIDTH / columns] * columns, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 5)]
    for i in range(len(cards)):
        cell = (i % columns, i // columns)
        style.append(("BOX", cell, cell, 0.5, RULE))
    first, last = ((i % columns, i // columns) for i in pair)
    style += [("BACKGROUND", first, last, HEAD), ("BOX", first, last, 1, MUTED)]
    table.setStyle(TableStyle(style))
    out: list[Flowable] = [_text(_("Key figures"), "h2"), table]
    if not rt.get("business_hours_computed", True):
        out += [
            Spacer(1, 4),
            _text(
                _("Business hours are not computed for this many resolved calls; choose a shorter period."),
                "muted",
            ),
        ]
    return out


def _trend(data: Mapping[str, Any], pictures: Mapping[str, str]) -> list[Flowable]:
    labelled = charts.labelled(data)
    daily = data["backlog"]["granularity"] == "day"
    return [
        _text(_("Backlog, inflow and outflow"), "h2"),
        FitChart(pictures["trend"]),
        Spacer(1, 4),
        *_columns(
            [_("Date") if daily else _("Week"), _("Open")],
            [[p["label"], _n(p["open"])] for p in labelled["points"]],
        ),
        Spacer(1, 8),
        FitChart(pictures["flow"]),
        Spacer(1, 4),
        _table(
            [_("Week"), _("Inflow"), _("Outflow"), _("Open")],
            [
                [w["label"], _n(w["inflow"]), _n(w["outflow"]), _n(w["open_at_end"])]
                for w in labelled["weeks"]
            ],
            widths=[FRAME_WIDTH * 0.31, FRAME_WIDTH * 0.23, FRAME_WIDTH * 0.23, FRAME_WIDTH * 0.23],
        ),
    ]


def _groups(data: Mapping[str, Any], pictures: Mapping[str, str]) -> list[Flowable]:
    rows = [
        [
            g["name"],
            _n(g["registered"]),
            _n(g["escalated"]),
            _n(g["resolved"]),
            _n(g["reopened"]),
            _n(g["open_at_end"]),
            _pct(g["sla_resolution"]),
            _minutes(g["minutes"]),
        ]
        for g in data["groups"]
    ]
    header = [
        _("Operator group"),
        _("Registered"),
        _("Escalated"),
        _("Resolved"),
        _("Reopened"),
        _("Open at the end"),
        _("Resolution within SLA"),
        _("Time spent"),
    ]
    first = FRAME_WIDTH * 0.23
    rest = (FRAME_WIDTH - first) / 7
    return [
        _text(_("Operator groups"), "h2"),
        FitChart(pictures["groups"], max_height=FRAME_HEIGHT * 0.6),
        Spacer(1, 6),
        _table(header, rows, widths=[first] + [rest] * 7, empty=_("No calls in this period.")),
    ]


def _ola(data: Mapping[str, Any]) -> list[Flowable]:
    """OLA attainment per operator group, as on the report page."""
    header = [
        _("Operator group"),
        _("Decided"),
        _("Met"),
        _("Breached"),
        _("Met %"),
        _("Average time with the group (business hours)"),
    ]
    rows = [
        [
            r["name"],
            _n(r["total"]),
            _n(r["met"]),
            _n(r["breached"]),
            _n(r["met_percent"]),
            _minutes(r["average_minutes"]),
        ]
        for r in data.get("ola", [])
    ]
    first = FRAME_WIDTH * 0.3
    rest = (FRAME_WIDTH - first) / 5
    note = _(
        "A stint with a group is decided when the group hands the call on or it is resolved. "
        "Only the period and the operator group filter apply."
    )
    return [
        _text(_("OLA per operator group"), "h2"),
        _table(header, rows, widths=[first] + [rest] * 5, empty=_("No OLA targets apply in this period.")),
        Spacer(1, 4),
        _text(note, "muted"),
    ]


def _volume(data: Mapping[str, Any]) -> list[Flowable]:
    width = (FRAME_WIDTH - 12) / 3
    widths = [width * 0.62, width * 0.38]
    tables = [
        _table(
            [_("Entry type"), _("Registered")],
            [[r["label"], _n(r["count"])] for r in data["volume"]["by_entry_type"]],
            widths=widths,
        ),
        _table(
            [_("Call type"), _("Registered")],
            [[r["label"], _n(r["count"])] for r in data["volume"]["by_call_type"]],
            widths=widths,
        ),
        _table(
            [_("Line"), _("Time spent")],
            [[r["label"], _minutes(r["minutes"])] for r in data["time_spent"]["by_line"]],
            widths=widths,
        ),
    ]
    row = Table([tables], colWidths=[width + 6] * 3, hAlign="LEFT")
    row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    note = _(
        "Dates are local dates in %(tz)s. Merged duplicates and partial incidents are not counted as "
        "calls. See the KPI definitions in the user guide."
    ) % {"tz": data["period"]["time_zone"]}
    return [KeepTogether([_text(_("Volume and time spent"), "h2"), row, Spacer(1, 6), _text(note, "muted")])]


def _yes_no(value: bool | None) -> str:
    return "–" if value is None else (_("yes") if value else _("no"))


def _latency(r: Mapping[str, Any]) -> str:
    """The 95th percentile latency against the check's latency norm: '120 / 100 not met'."""
    if r["latency_target_ms"] is None:
        return _n(r["latency_p95"])
    shown = f"{_n(r['latency_p95'])} / {_n(r['latency_target_ms'])}"
    return f"{shown} {_('not met')}" if r["latency_met"] is False else shown


def _availability(avail: Mapping[str, Any], *, filtered: bool) -> list[Flowable]:
    """The availability of the monitored services in the report's period: the chart and the table
    of the availability report (`availability.compute`'s result, the same figures)."""
    out: list[Flowable] = [_text(_("Availability of monitored services"), "h2")]
    rows = avail["checks"]
    if not rows:
        return [*out, _text(_("No services were monitored in this period."), "body")]
    summary = avail["summary"]
    out.append(
        _text(
            _("%(met)s of %(measured)s measured checks met their availability norm.")
            % {"met": _n(summary["met"]), "measured": _n(summary["measured"])},
            "body",
        )
    )
    if filtered:
        out.append(
            _text(_("The report's filters do not apply to the checks: all checks are shown."), "muted")
        )
    out.append(Spacer(1, 4))
    if summary["measured"]:
        out += [FitChart(availability.chart(dict(avail)), max_height=FRAME_HEIGHT * 0.45), Spacer(1, 6)]
    header = [
        pgettext("monitoring", "Check"),
        _("Availability (%)"),
        _("Norm (%)"),
        _("Norm met"),
        _("95th percentile latency / norm (ms)"),
        _("Downtime"),
    ]
    table_rows = [
        [
            r["name"],
            "–" if r["availability"] is None else formats.number_format(r["availability"], 3),
            _n(r["availability_target"]),
            _yes_no(r["availability_met"]),
            _latency(r),
            _minutes(r["downtime_minutes"], days=True),
        ]
        for r in rows
    ]
    first = FRAME_WIDTH * 0.22
    rest = (FRAME_WIDTH - first) / 5
    note = _(
        "Time in maintenance windows does not count as downtime; time without results counts as neither "
        "up nor down. The availability report has the figures per tag."
    )
    return [
        *out,
        _table(header, table_rows, widths=[first] + [rest] * 5),
        Spacer(1, 6),
        _text(note, "muted"),
    ]


def _header(data: Mapping[str, Any], generated: datetime) -> tuple[str, list[Flowable], str]:
    start, end = _day(data["period"]["date_from"]), _day(data["period"]["date_to"])
    title = report_title(start, end)
    period = _("Period: %(a)s – %(b)s") % {
        "a": formats.date_format(start, "j F Y"),
        "b": formats.date_format(end, "j F Y"),
    }
    labels = [str(label) for label in data.get("filter_labels", {}).values()]
    stamp = formats.date_format(generated.astimezone(kpis.zone()), "j F Y H:i")
    flowables: list[Flowable] = [
        _text(title, "title"),
        _text(" · ".join([period, *labels]), "body"),
        Spacer(1, 2),
        _text(_("Generated %(g)s.") % {"g": stamp}, "muted"),
        Spacer(1, 6),
    ]
    return title, flowables, stamp


def write_report_pdf(
    data: Mapping[str, Any],
    out: IO[bytes],
    *,
    generated: datetime,
    availability: Mapping[str, Any] | None = None,
) -> None:
    """Write the management report (`kpis.compute`'s result) as an A4 PDF to `out`, in the active
    language; `generated` is the moment printed in the header and the footer. `availability` is
    `availability.for_management_report`'s result for the same period: its section is left out
    when it is None (a reader who may not see the availability report)."""
    title, header, stamp = _header(data, generated)
    pictures = {name: str(svg) for name, svg in charts.report_charts(dict(data)).items()}
    story: list[Flowable] = [
        *header,
        *_kpis(data),
        *_trend(data, pictures),
        *_groups(data, pictures),
        *_ola(data),
        *_volume(data),
    ]
    if availability is not None:
        story += [
            CondPageBreak(FRAME_HEIGHT / 3),  # a new page only when less than a third is left
            *_availability(availability, filtered=bool(data.get("filter_labels"))),
        ]
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER,
        title=title,
        subject=" – ".join((data["period"]["date_from"], data["period"]["date_to"])),
        author="Beheer",
        creator="Beheer",
        lang=(get_language() or "nl")[:2],
    )
    footer = f"{title} · {_('Generated %(g)s.') % {'g': stamp}}"
    doc.build(story, canvasmaker=_canvas_maker(footer))


def report_pdf_bytes(
    data: Mapping[str, Any], *, generated: datetime, availability: Mapping[str, Any] | None = None
) -> bytes:
    buffer = io.BytesIO()
    write_report_pdf(data, buffer, generated=generated, availability=availability)
    return buffer.getvalue()


def filename(data: Mapping[str, Any]) -> str:
    p = data["period"]
    return f"report-{p['date_from'].replace('-', '')}-{p['date_to'].replace('-', '')}.pdf"


def report_pdf_response(
    data: Mapping[str, Any], *, generated: datetime, availability: Mapping[str, Any] | None = None
) -> HttpResponse:
    """The PDF as a download (built in memory: a report is a few pages)."""
    response = HttpResponse(
        report_pdf_bytes(data, generated=generated, availability=availability), content_type=PDF
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(data)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
