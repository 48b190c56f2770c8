"""Server-side SVG charts: no JavaScript, no inline styles (CSP), every label escaped.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``; the page shows a data table
next to it, so the figures are readable without the picture. Colours are SVG presentation
attributes (not style attributes), so the same markup works in the page, the printable report and
the PDF (svglib).

Rules every chart keeps:

- Labels never overlap: their widths are measured (Helvetica metrics with a margin for the
  browser's font) and only as many x labels are drawn as fit; long bar labels are shortened.
- One data point is drawn as a visible marker with its value, not as a line of no length.
- A point marked *partial* (a week or month the period or today cuts short) is drawn hollow, the
  line to it dashed, and the legend says what that means; its label says it too (the caller's text,
  for example "wk 49 (to Wed)").
- Numbers are written in the active language (decimal comma in Dutch).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from reportlab.pdfbase.pdfmetrics import stringWidth

COLOURS = ("#1f5fa8", "#c0392b", "#1e7a3c", "#8a5a00", "#6c3483")
INK, MUTED, GRID, AXIS = "#1d2530", "#5b6675", "#d8dde4", "#b9c1cc"
FONT_SIZE = 12
LINE_HEIGHT = 14
LABEL_GAP = 8  # the least room between two labels
_ids = itertools.count(1)


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """The width of `text` in pixels: Helvetica's metrics plus 12% for wider screen fonts."""
    return stringWidth(text, "Helvetica", size) * 1.12


def label_width(label: str, size: float = FONT_SIZE) -> float:
    """The width of a label that may have several lines (separated by newlines)."""
    return max((text_width(line, size) for line in label.split("\n")), default=0.0)


def number(value: float, decimals: int = 1) -> str:
    """A figure in the active language, at most `decimals` decimals, no trailing zeros."""
    rounded = round(float(value), decimals)
    if rounded == int(rounded):
        return formats.number_format(int(rounded), use_l10n=True)
    text = formats.number_format(rounded, decimal_pos=decimals, use_l10n=True)
    separator = str(formats.get_format("DECIMAL_SEPARATOR"))
    return text.rstrip("0").rstrip(separator) if separator in text else text


def _px(value: float) -> str:
    """A coordinate: at most one decimal, always with a point (SVG is not localised)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def shorten(label: str, width: float, size: float = FONT_SIZE) -> str:
    """`label` cut to fit `width` pixels, with an ellipsis when it was cut."""
    if text_width(label, size) <= width:
        return label
    while label and text_width(label + "…", size) > width:
        label = label[:-1]
    return label + "…"


def nice_scale(peak: float, *, integers: bool, steps: int = 4) -> tuple[float, float]:
    """(axis maximum, step) with `steps` round steps (1, 2, 2.5, 5 x 10^n) covering `peak`."""
    if peak <= 0:
        return float(steps), 1.0
    raw = peak / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if integers and (step < 1 or step != int(step)):
            continue
        if step * steps >= peak:
            return step * steps, step
    return 10 * magnitude * steps, 10 * magnitude  # pragma: no cover - 10 always covers


def _open(kind: str, title: str, desc: str, width: int, height: int) -> str:
    uid = f"chart-{kind}-{next(_ids)}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{uid}-title {uid}-desc" font-family="system-ui, sans-serif" '
        f'font-size="{FONT_SIZE}">'
        f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(desc)}</desc>'
    )


def _text(x: float, y: float, label: str, *, anchor: str = "middle", fill: str = MUTED, cls: str = "") -> str:
    """A label of one or more lines (newlines), each line a <text> of its own (svglib has no tspan
    layout)."""
    attr = f' class="{cls}"' if cls else ""
    return "".join(
        f'<text{attr} x="{_px(x)}" y="{_px(y + n * LINE_HEIGHT)}" text-anchor="{anchor}" fill="{fill}">'
        f"{escape(line)}</text>"
        for n, line in enumerate(label.split("\n"))
    )


def label_positions(
    centres: Sequence[float], widths: Sequence[float], low: float, high: float
) -> list[tuple[int, float]]:
    """Which of the evenly spaced labels to draw, and where, so that none overlaps another and none
    runs off the picture (`low`..`high`): every k-th label (k as small as fits) and always the last
    one (the end of the period), each moved inwards at the edges when it would stick out."""
    n = len(centres)
    if n == 0:
        return []
    xs = [min(max(c, low + w / 2), high - w / 2) for c, w in zip(centres, widths, strict=True)]

    def fits(a: int, b: int) -> bool:
        return xs[b] - xs[a] >= (widths[a] + widths[b]) / 2 + LABEL_GAP

    slot = centres[1] - centres[0] if n > 1 else high - low
    step = max(1, math.ceil((max(widths) + LABEL_GAP) / slot)) if slot > 0 else n
    shown: list[int] = []
    for i in range(0, n, step):
        if not shown or fits(shown[-1], i):
            shown.append(i)
    last = n - 1
    if shown[-1] != last:
        while shown and not fits(shown[-1], last):
            shown.pop()
        shown.append(last)
    return [(i, xs[i]) for i in shown]


def _legend(items: Sequence[tuple[str, str, bool]], left: float, width: float) -> tuple[list[str], int]:
    """Legend entries (name, colour, dashed sample) placed in rows that fit; (parts, rows)."""
    parts: list[str] = []
    x, row = left, 0
    for name, colour, dashed in items:
        need = 16 + text_width(name) + 18
        if x > left and x + need > width:
            x, row = left, row + 1
        y = 6 + row * 16
        if dashed:
            parts.append(
                f'<line x1="{_px(x)}" x2="{_px(x + 12)}" y1="{y + 6}" y2="{y + 6}" stroke="{colour}" '
                'stroke-width="2" stroke-dasharray="3 2"/>'
            )
        else:
            parts.append(f'<rect x="{_px(x)}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 16, y + 10, name, anchor="start", fill=INK))
        x += need
    return parts, row + 1


def line_chart(
    *,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    partial: Sequence[bool] = (),
    partial_note: str = "",
    width: int = 720,
    height: int = 280,
) -> SafeString:
    """Lines over a shared x axis (for example the backlog, inflow and outflow per week).

    `x_labels` may have two lines (a newline). `partial` marks points that cover less than the others
    (a week cut short); `partial_note` is the legend's word for them ("partial week").
    """
    names = ", ".join(name for name, _values in series)
    n = len(x_labels)
    desc = f"{names}: {n} points" if n else f"{names}: no data"
    flags = [bool(partial[i]) if i < len(partial) else False for i in range(n)]
    parts = [_open("line", title, desc, width, height)]
    legend_items = [(name, COLOURS[s % len(COLOURS)], False) for s, (name, _values) in enumerate(series)]
    if any(flags):
        legend_items.append((partial_note or _("partial"), MUTED, True))
    left, right = 48, 12
    legend, rows = _legend(legend_items, left, width - right)
    label_lines = max((label.count("\n") + 1 for label in x_labels), default=1)
    top = 12 + rows * 16 + (8 if n == 1 else 0)
    bottom = 20 + LINE_HEIGHT * label_lines
    plot_w, plot_h = width - left - right, height - top - bottom
    values_all = [v for _name, values in series for v in values[:n]]
    integers = all(float(v).is_integer() for v in values_all)
    peak, step = nice_scale(max(values_all, default=0), integers=integers)
    # horizontal grid lines and y labels
    for k in range(round(peak / step) + 1):
        value = step * k
        y = top + plot_h - plot_h * value / peak
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_px(y)}" y2="{_px(y)}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, number(value, 2), anchor="end"))
    slot = plot_w / n if n else plot_w

    def x_at(i: int) -> float:
        return left + slot * (i + 0.5)

    def y_at(v: float) -> float:
        return top + plot_h - plot_h * v / peak

    centres = [x_at(i) for i in range(n)]
    widths = [label_width(label) for label in x_labels]
    for i, x in label_positions(centres, widths, 2, width - 2):
        parts.append(_text(x, top + plot_h + 16, x_labels[i], cls="x-label"))
    markers = n <= 60
    value_labels: list[tuple[float, str, str]] = []
    for s, (_name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        pts = [(x_at(i), y_at(v)) for i, v in enumerate(values[:n])]
        # solid runs as polylines, segments touching a partial point dashed
        run: list[tuple[float, float]] = pts[:1]
        for i in range(1, len(pts)):
            if flags[i] or flags[i - 1]:
                if len(run) > 1:
                    parts.append(_polyline(s, colour, run))
                a, b = pts[i - 1], pts[i]
                parts.append(
                    f'<line class="series series-{s} partial" x1="{_px(a[0])}" y1="{_px(a[1])}" '
                    f'x2="{_px(b[0])}" y2="{_px(b[1])}" stroke="{colour}" stroke-width="2" '
                    'stroke-dasharray="5 4"/>'
                )
                run = [b]
            else:
                run.append(pts[i])
        if len(run) > 1:
            parts.append(_polyline(s, colour, run))
        if markers or len(pts) == 1:
            radius = 4 if len(pts) == 1 else 3
            for i, (x, y) in enumerate(pts):
                fill = "#ffffff" if flags[i] else colour
                cls = "point partial" if flags[i] else "point"
                parts.append(
                    f'<circle class="{cls}" cx="{_px(x)}" cy="{_px(y)}" r="{radius}" fill="{fill}" '
                    f'stroke="{colour}" stroke-width="2"/>'
                )
        if len(pts) == 1:
            value_labels.append((pts[0][1], number(values[0], 2), colour))
    # one point: its value next to the marker (several series: spread so they do not overlap)
    previous = -math.inf
    for y, text, colour in sorted(value_labels):
        y = max(y + 4, previous + LINE_HEIGHT)
        parts.append(_text(x_at(0) + 9, y, text, anchor="start", fill=colour, cls="value-label"))
        previous = y
    parts += legend
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{AXIS}"/>'
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{AXIS}"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _polyline(s: int, colour: str, points: Sequence[tuple[float, float]]) -> str:
    coords = " ".join(f"{_px(x)},{_px(y)}" for x, y in points)
    return (
        f'<polyline class="series series-{s}" fill="none" stroke="{colour}" stroke-width="2" '
        f'points="{coords}"/>'
    )


def bar_chart(
    *,
    title: str,
    items: Sequence[tuple[str, float]],
    unit: str = "",
    decimals: int = 1,
    width: int = 720,
    bar_height: int = 22,
) -> SafeString:
    """Horizontal bars, one per label (for example registered meldingen per operator group)."""
    desc = f"{len(items)} bars" + (f" ({unit})" if unit else "")
    label_w, value_w, gap = 200, 70, 8
    height = max(1, len(items)) * (bar_height + gap) + gap
    parts = [_open("bar", title, desc, width, height)]
    peak = max((v for _label, v in items), default=0) or 1
    plot_w = width - label_w - value_w
    for i, (label, value) in enumerate(items):
        y = gap + i * (bar_height + gap)
        w = max(0.0, plot_w * value / peak)
        parts.append(
            _text(label_w - 8, y + bar_height * 0.7, shorten(label, label_w - 12), anchor="end", fill=INK)
        )
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y}" width="{_px(w)}" height="{bar_height}" '
            f'fill="{COLOURS[0]}"/>'
        )
        parts.append(
            _text(
                label_w + w + 6,
                y + bar_height * 0.7,
                number(value, decimals) + unit,
                anchor="start",
                fill=INK,
            )
        )
    if not items:
        parts.append(_text(label_w, gap + bar_height * 0.7, "–", anchor="start"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
