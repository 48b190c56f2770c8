"""This area's objects for the route walker (see __init__.py)."""

from __future__ import annotations

from typing import Any

# path parameter -> key of build()'s result
PARAMS: dict[str, str] = {}


def build(school: Any) -> dict[str, Any]:
    return {}


def special(template: str, param: str) -> str | None:
    """A key for a parameter whose object depends on the route (None: use PARAMS)."""
    return None
