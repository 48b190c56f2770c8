"""The melding page's "Create a change" button, registered through the servicedesk's extension
points (`apps.py`): for staff only, and without a query of its own."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from beheer.core import access


def melding_changes_panel(context: Any, melding: Any) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not access.is_staff(user):
        return ""
    return render_to_string("changes/_melding_section.html", {"melding": melding}, request=request)
