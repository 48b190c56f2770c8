from __future__ import annotations

from typing import Any

from django.http import HttpRequest

import beheer


def beheer(request: HttpRequest) -> dict[str, Any]:
    return {"beheer_version": beheer.__version__}
