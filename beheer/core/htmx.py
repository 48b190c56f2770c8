"""Small helpers for HTMX-aware views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def trigger(response: HttpResponse, event: str) -> HttpResponse:
    response["HX-Trigger"] = event
    return response
