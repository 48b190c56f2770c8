"""The public status pages: no login, only public names and coarse states (see queries.public_status)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from beheer.core import access

from .. import queries

ACCESS = access.PUBLIC


@require_GET
def status_page(request: HttpRequest, slug: str) -> HttpResponse:
    data = queries.public_status(slug)
    if data is None:
        raise Http404
    response = render(request, "monitoring/status_page.html", {"page": data})
    response["Cache-Control"] = "public, max-age=30"
    return response
