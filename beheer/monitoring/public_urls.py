"""The public status pages under /status/<slug>/ (no login)."""

from django.urls import path

from . import public_views

urlpatterns = [path("status/<slug:slug>/", public_views.status_page, name="status-page")]
