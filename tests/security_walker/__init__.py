"""The security register's objects for the route walker (tests/test_route_walker.py).

Each area of the security app (measures, risks, incidents, privacy) has a module here with
``build(school) -> dict[str, object]`` (its objects, made through the services, with the staff canary
``CANARY_S`` in their texts) and ``PARAMS: dict[str, str]`` (a path parameter of its routes -> a key of
what ``build`` returns). The walker fills every route under /security/ (pages) and /api/v1/security
(API) from here."""

from __future__ import annotations

from importlib import import_module
from typing import Any

AREAS = ("measures", "risks", "incidents", "privacy")


def _modules() -> list[Any]:
    return [import_module(f"{__name__}.{area}") for area in AREAS]


def build(school: Any) -> dict[str, Any]:
    objects: dict[str, Any] = {}
    for module in _modules():
        objects.update(module.build(school))
    return objects


def finder(template: str, param: str) -> str | None:
    """The key of the object that fills `param` of a route with this path, or None."""
    for module in _modules():
        special = getattr(module, "special", None)
        if special is not None:
            key = special(template, param)
            if key is not None:
                return key
    for module in _modules():
        if param in module.PARAMS:
            return str(module.PARAMS[param])
    return None


def is_security(template: str) -> bool:
    return "/security/" in template or template.rstrip("/").endswith("/security")
