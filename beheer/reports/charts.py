"""Server-side SVG charts: no JavaScript, no inline styles (CSP), every label escaped.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``; the page shows a data table
next to it, so the figures are readable without the picture. Colours are SVG presentation
attributes (not style attributes), so the same markup works in the page, the printable report and
a saved file.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#1f5fa8", "#c0392b", "#1e7a3c", "#8a5a00", "#6c3483")
_ids = itertools.count(1)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1.0
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _open(kind: str, title: str, desc: str, width: int, height: int) -> tuple[str, str]:
    uid = f"chart-{kind}-{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{uid}-title {uid}-desc" font-family="system-ui, sans-serif" font-size="12">'
        f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(desc)}</desc>'
    )
    return uid, head


def line_chart(
    *,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    width: int = 720,
    height: int = 280,
) -> SafeString:
    """Lines over a shared x axis (for example the backlog, inflow and outflow per day)."""
    names = ", ".join(name for name, _ in series)
    desc = f"{names}: {len(x_labels)} points" if x_labels else f"{names}: no data"
    _uid, head = _open("line", title, desc, width, height)
    parts = [head]
    left, right, top, bottom = 48, 12, 28, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((v for _, values in series for v in values), default=0))
    # horizontal grid lines and y labels
    for k in range(5):
        value = peak * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(y)}" y2="{_num(y)}" '
            'stroke="#d8dde4" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{_num(y + 4)}" text-anchor="end" fill="#5b6675">{_num(value)}</text>'
        )
    n = len(x_labels)

    def x_at(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    # x labels: at most about 8, evenly spread
    step = max(1, -(-n // 8))
    for i in range(0, n, step):
        parts.append(
            f'<text x="{_num(x_at(i))}" y="{height - bottom + 16}" text-anchor="middle" fill="#5b6675">'
            f"{escape(x_labels[i])}</text>"
        )
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        points = " ".join(
            f"{_num(x_at(i))},{_num(top + plot_h - plot_h * v / peak)}" for i, v in enumerate(values[:n])
        )
        if points:
            parts.append(
                f'<polyline class="series series-{s}" fill="none" stroke="{colour}" stroke-width="2" '
                f'points="{points}"/>'
            )
        # legend
        lx = left + s * 150
        parts.append(
            f'<rect x="{lx}" y="6" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="16" fill="#1d2530">{escape(name)}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#b9c1cc"/>'
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#b9c1cc"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def bar_chart(
    *,
    title: str,
    items: Sequence[tuple[str, float]],
    unit: str = "",
    width: int = 720,
    bar_height: int = 22,
) -> SafeString:
    """Horizontal bars, one per label (for example registered meldingen per operator group)."""
    desc = f"{len(items)} bars" + (f" ({unit})" if unit else "")
    label_w, value_w, gap = 200, 60, 8
    height = max(1, len(items)) * (bar_height + gap) + gap
    _uid, head = _open("bar", title, desc, width, height)
    parts = [head]
    peak = max((v for _, v in items), default=0) or 1
    plot_w = width - label_w - value_w
    for i, (label, value) in enumerate(items):
        y = gap + i * (bar_height + gap)
        w = max(0.0, plot_w * value / peak)
        text = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" fill="#1d2530">'
            f"{escape(text)}</text>"
            f'<rect class="bar" x="{label_w}" y="{y}" width="{_num(w)}" height="{bar_height}" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}" fill="#1d2530">'
            f"{escape(_num(value))}{escape(unit)}</text>"
        )
    if not items:
        parts.append(f'<text x="{label_w}" y="{gap + bar_height * 0.7:.1f}" fill="#5b6675">–</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def report_charts(data: dict) -> dict[str, SafeString]:
    """The two charts of the management report, from `kpis.compute`'s result."""
    from django.utils.translation import gettext as _

    points = data["backlog"]["points"]
    weeks = data["backlog"]["flow_per_week"]
    trend = line_chart(
        title=_("Open meldingen at the end of each %(unit)s")
        % {"unit": _("day") if data["backlog"]["granularity"] == "day" else _("week")},
        x_labels=[p["date"][5:] for p in points],
        series=[(_("Open"), [p["open"] for p in points])],
    )
    flow = line_chart(
        title=_("Inflow and outflow per week"),
        x_labels=[w["week"][5:] for w in weeks],
        series=[
            (_("Inflow"), [w["inflow"] for w in weeks]),
            (_("Outflow"), [w["outflow"] for w in weeks]),
            (_("Open at end of week"), [w["open_at_end"] for w in weeks]),
        ],
    )
    groups = bar_chart(
        title=_("Registered meldingen per operator group"),
        items=[(str(g["name"]), g["registered"]) for g in data["groups"]],
    )
    return {"trend": trend, "flow": flow, "groups": groups}
