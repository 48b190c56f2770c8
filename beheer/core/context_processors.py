from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from beheer import __version__


def beheer(request: HttpRequest) -> dict[str, Any]:
    return {"beheer_version": __version__}
