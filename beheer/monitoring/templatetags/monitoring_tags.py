"""Template helpers of the monitoring screens: the latency sparkline and status labels."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def sparkline_svg(
    points: Sequence[float | None], *, width: int = 120, height: int = 24, label: str = ""
) -> str:
    """An inline SVG line of the points (None leaves a gap); no script, no style attribute."""
    n = len(points)
    values = [p for p in points if p is not None]
    if n < 2 or not values:
        return ""
    peak = max(values) or 1.0
    lines: list[list[str]] = [[]]
    for i, p in enumerate(points):
        if p is None:
            if lines[-1]:
                lines.append([])
            continue
        x = width * i / (n - 1)
        y = height - 2 - (height - 4) * p / peak
        lines[-1].append(f"{x:.1f},{y:.1f}")
    body = "".join(
        f'<polyline fill="none" stroke="#1f5fa8" stroke-width="1.5" points="{" ".join(line)}"/>'
        if len(line) > 1
        else f'<circle r="1.5" fill="#1f5fa8" cx="{line[0].split(",")[0]}" cy="{line[0].split(",")[1]}"/>'
        for line in lines
        if line
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(label)}</title>{body}</svg>'
    )


@register.filter
def sparkline(points: Sequence[float | None]) -> SafeString:
    values = [p for p in points if p is not None]
    label = _("Latency over the last hour, up to %(max)s ms") % {"max": round(max(values))} if values else ""
    return mark_safe(sparkline_svg(points, label=label))  # noqa: S308 - numbers and escaped text


@register.filter
def status_label(status: str) -> str:
    labels = {
        "up": _("Up"),
        "down": _("Down"),
        "maintenance": _("Maintenance"),
        "flapping": _("Flapping"),
        "unknown": _("Unknown"),
        "degraded": _("Partly disrupted"),
    }
    return str(labels.get(status, status))
