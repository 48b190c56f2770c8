"""Demo data of this area (see __init__.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Cast


def create(cast: Cast) -> None:
    return None
