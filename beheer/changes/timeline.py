"""The plan's timeline (a Gantt-like chart drawn on the server) and the dependency rules, pure: no
ORM. `layout` turns activities with dates into bars, arrows, the today line and the change window
in SVG coordinates; `creates_cycle` says whether new dependencies would close a loop."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

LABEL_WIDTH = 220  # the activity titles left of the bars
CHART_WIDTH = 720
ROW_HEIGHT = 26
BAR_HEIGHT = 16
AXIS_HEIGHT = 28
MAX_ROWS = 200


def creates_cycle(activity: int, depends_on: Iterable[int], edges: Mapping[int, Iterable[int]]) -> bool:
    """Whether `activity` depending on `depends_on` closes a loop, given the other dependencies
    `edges` (activity -> what it depends on; the activity's own current edges are ignored)."""
    stack = list(depends_on)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if node == activity:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(d for d in edges.get(node, ()) if node != activity)
    return False


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    start: datetime | None
    end: datetime | None
    done: bool = False
    depends_on: tuple[int, ...] = ()


@dataclass(frozen=True)
class Bar:
    id: int
    title: str
    row: int
    x: float
    y: float
    width: float
    done: bool
    start: datetime
    end: datetime

    @property
    def text_y(self) -> float:
        return self.y + 12


@dataclass(frozen=True)
class Arrow:
    path: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: datetime


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    arrows: list[Arrow]
    ticks: list[Tick]
    today_x: float | None
    window_x: float | None
    window_width: float
    label_width: int = LABEL_WIDTH
    axis_height: int = AXIS_HEIGHT
    row_height: int = ROW_HEIGHT

    @property
    def chart_right(self) -> int:
        return self.width


def _tick_step(span: timedelta) -> timedelta:
    for step in (
        timedelta(hours=1),
        timedelta(hours=3),
        timedelta(hours=6),
        timedelta(days=1),
        timedelta(days=7),
    ):
        if span / step <= 12:
            return step
    return timedelta(days=30)


def layout(
    items: Sequence[Item], *, now: datetime, window: tuple[datetime | None, datetime | None] = (None, None)
) -> Chart | None:
    """The chart of the items that have both dates (at most MAX_ROWS), or None when none has."""
    dated = [i for i in items if i.start is not None and i.end is not None][:MAX_ROWS]
    if not dated:
        return None
    lo = min(i.start for i in dated if i.start is not None)
    hi = max(i.end for i in dated if i.end is not None)
    w_start, w_end = window
    if w_start is not None and w_end is not None:
        lo, hi = min(lo, w_start), max(hi, w_end)
    span = hi - lo
    if span <= timedelta(0):
        span = timedelta(hours=1)
    pad = span / 40
    lo, hi = lo - pad, hi + pad
    total = (hi - lo).total_seconds()

    def x(at: datetime) -> float:
        return round(LABEL_WIDTH + CHART_WIDTH * (at - lo).total_seconds() / total, 1)

    bars: list[Bar] = []
    for row, item in enumerate(dated):
        assert item.start is not None
        assert item.end is not None
        left = x(item.start)
        bars.append(
            Bar(
                id=item.id,
                title=item.title,
                row=row,
                x=left,
                y=AXIS_HEIGHT + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                width=max(3.0, round(x(item.end) - left, 1)),
                done=item.done,
                start=item.start,
                end=item.end,
            )
        )
    by_id = {b.id: b for b in bars}
    arrows: list[Arrow] = []
    for item in dated:
        target = by_id[item.id]
        for dep in item.depends_on:
            source = by_id.get(dep)
            if source is None:
                continue
            sx, sy = source.x + source.width, source.y + BAR_HEIGHT / 2
            tx, ty = target.x, target.y + BAR_HEIGHT / 2
            mid = max(sx + 6, min(tx - 6, sx + 12))
            arrows.append(Arrow(f"M{sx},{sy} H{mid} V{ty} H{tx - 2}"))
    step = _tick_step(hi - lo)
    first = lo.replace(minute=0, second=0, microsecond=0)
    if step >= timedelta(days=1):
        first = first.replace(hour=0)
    ticks: list[Tick] = []
    at = first
    while at <= hi and len(ticks) < 40:
        if at >= lo:
            ticks.append(Tick(x(at), at))
        at += step
    today_x = x(now) if lo <= now <= hi else None
    window_x = None
    window_width = 0.0
    if w_start is not None and w_end is not None and w_end > w_start:
        window_x = x(w_start)
        window_width = round(x(w_end) - window_x, 1)
    return Chart(
        width=LABEL_WIDTH + CHART_WIDTH + 10,
        height=AXIS_HEIGHT + len(bars) * ROW_HEIGHT + 6,
        bars=bars,
        arrows=arrows,
        ticks=ticks,
        today_x=today_x,
        window_x=window_x,
        window_width=window_width,
    )
