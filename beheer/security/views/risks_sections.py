"""What risks and classification add to other pages: the section of the security dashboard (the
heat map of the current risks and the risks overdue for review) and the CI page's classification
panel (registered with `cmdb.extensions` from `extensions.register()`)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import URLPattern

from beheer.core import access

from ..models import Risk
from ..services.risks import queries
from .risks import heat_context, impact_labels

ACCESS = access.STAFF_HIDDEN
urlpatterns: list[URLPattern] = []
SHOWN_RISKS = 10


def dashboard_context(user: Any) -> dict[str, Any]:
    """Three grouped or bounded queries, plus the level names."""
    heat = queries.heat_map(Risk.objects.visible_to(user).current())
    return {
        "grid": heat_context(heat, "inherent"),
        "impacts": impact_labels(),
        "overdue": queries.overdue_for_review(user, limit=SHOWN_RISKS),
    }


def ci_section(request: Any, ci: Any) -> str:
    """The CI's own and suggested classification and its current risks; staff only. Four queries."""
    user = getattr(request, "user", None)
    if not access.is_staff(user):
        return ""
    row = queries.classification_row(ci)
    risks = list(Risk.objects.visible_to(user).current().filter(cis=ci).order_by("number")[:SHOWN_RISKS])
    return render_to_string("security/risks/_ci_section.html", {"row": row, "risks": risks}, request=request)
