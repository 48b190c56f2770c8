"""A CI's neighbourhood as an inline SVG picture, worked out on the server: the CI in the middle and
its direct relations around it, each line labelled with the relation as it reads from the CI. The
template draws the shapes; every name passes through the template's escaping."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT = 760, 460
CENTRE_X, CENTRE_Y = WIDTH / 2, HEIGHT / 2
RADIUS_X, RADIUS_Y = 290, 175
BOX_W, BOX_H = 150, 34
MAX_SHOWN = 16
NAME_LIMIT = 22


@dataclass(frozen=True)
class Node:
    pk: int
    name: str
    x: float
    y: float
    label: str  # the relation as it reads from the centre
    label_x: float
    label_y: float
    outgoing: bool

    @property
    def box_x(self) -> float:
        return round(self.x - BOX_W / 2, 1)

    @property
    def box_y(self) -> float:
        return round(self.y - BOX_H / 2, 1)


def _short(name: str) -> str:
    return name if len(name) <= NAME_LIMIT else name[: NAME_LIMIT - 1] + "…"


def neighbourhood(ci: Any, outgoing: list[Any], incoming: list[Any]) -> dict[str, Any]:
    """The picture's context: the centre, the nodes around it (at most MAX_SHOWN) and how many more
    relations there are."""
    ends = [(r.target, r.get_kind_display(), True) for r in outgoing]
    ends += [(r.source, r.reverse_label, False) for r in incoming]
    shown = ends[:MAX_SHOWN]
    nodes = []
    for n, (other, label, out) in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * n / max(len(shown), 1)
        x = CENTRE_X + RADIUS_X * math.cos(angle)
        y = CENTRE_Y + RADIUS_Y * math.sin(angle)
        nodes.append(
            Node(
                pk=other.pk,
                name=_short(other.name),
                x=round(x, 1),
                y=round(y, 1),
                label=str(label),
                label_x=round((x + CENTRE_X) / 2, 1),
                label_y=round((y + CENTRE_Y) / 2 - 4, 1),
                outgoing=out,
            )
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "centre": {
            "name": _short(ci.name),
            "x": CENTRE_X,
            "y": CENTRE_Y,
            "box_x": CENTRE_X - BOX_W / 2,
            "box_y": CENTRE_Y - BOX_H / 2,
        },
        "box_w": BOX_W,
        "box_h": BOX_H,
        "nodes": nodes,
        "more": max(len(ends) - MAX_SHOWN, 0),
    }
