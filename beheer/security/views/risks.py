"""The security pages of this area; each module keeps its own routes (`urlpatterns`)."""

from __future__ import annotations

from django.urls import URLPattern

from beheer.core import access

ACCESS = access.STAFF_HIDDEN

urlpatterns: list[URLPattern] = []
