"""The security dashboard's sections: each area of the app (measures, risks, incidents, privacy)
registers one from `extensions.register()`; the page draws them in order, each with its own
context, read through the models' `visible_to` for the reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    order: int
    template: str  # included with the context below
    context: Callable[[Any], dict[str, Any]]  # the reader -> the section's context


SECTIONS: list[Section] = []


def register_section(section: Section) -> None:
    if all(s.template != section.template for s in SECTIONS):
        SECTIONS.append(section)
        SECTIONS.sort(key=lambda s: s.order)
