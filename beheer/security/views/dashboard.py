"""The security dashboard (/security/): the sections the areas register (`dashboard.py`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from beheer.core import access

from ..dashboard import SECTIONS
from .nav import page_context

ACCESS = access.STAFF_HIDDEN


def dashboard(request: HttpRequest) -> HttpResponse:
    user = access.current_user(request)
    sections = [(s.template, s.context(user)) for s in SECTIONS]
    return render(
        request,
        "security/dashboard.html",
        {**page_context(request, "security-dashboard"), "sections": sections},
    )


urlpatterns = [path("security/", dashboard, name="security-dashboard")]
