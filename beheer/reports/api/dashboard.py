"""The dashboard's figures as JSON: GET /api/v1/reports/dashboard (staff only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Router

from beheer.core import access
from beheer.core.schemas import TextLine, errors

from ..dashboard import Figure, KnowledgeReview, build_dashboard, parse_scope
from ..schemas import (
    DashboardOut,
)

router = access.declare(
    Router(tags=["reports"]),
    access.Gate(access.Audience.STAFF, message=gettext_lazy("The dashboard is for operators.")),
)


def _figure(f: Figure) -> dict[str, Any]:
    return {"count": f.count, "label": f.label, "params": f.params}


@router.get(
    "/dashboard",
    response={200: DashboardOut, **errors(400, 403)},
    summary="The servicedesk dashboard's figures",
)
def dashboard(request: HttpRequest, operator_group: TextLine = "") -> dict[str, Any]:
    """Optional `operator_group`: a group's id, or `mine` for the user's own operator groups."""
    user = request.user
    scope = parse_scope(operator_group, user)
    d = build_dashboard(user, scope)
    return {
        "operator_group": scope.value,
        "generated_at": d.now,
        "figures": {key: _figure(f) for key, f in d.figures.items()},
        "sla_resolution": {
            "days": d.sla.days,
            "met": d.sla.met,
            "breached": d.sla.breached,
            "percent": d.sla.percent,
        },
        "groups": [
            {
                "id": g.id,
                "name": g.name,
                **{
                    k: _figure(getattr(g, k))
                    for k in ("open", "unassigned", "at_risk", "breached", "waiting")
                },
            }
            for g in d.groups
        ],
        "urgent": [
            {
                "id": r.melding.pk,
                "number": r.melding.number,
                "brief_description": r.melding.brief_description,
                "priority": r.melding.priority.name,
                "priority_level": r.melding.priority_level,
                "operator_group": r.melding.operator_group.name if r.melding.operator_group else None,
                "operator": str(r.melding.operator) if r.melding.operator else None,
                "sla_state": r.state,
                "resolution_due": r.due,
                "remaining_seconds": int(r.remaining.total_seconds()) if r.remaining is not None else None,
                "remaining": r.text,
            }
            for r in d.urgent
        ],
        "knowledge_review": _knowledge(d.knowledge),
    }


def _knowledge(review: KnowledgeReview | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {
        "count": review.count,
        "articles": [
            {
                "id": a.pk,
                "title": a.title,
                "owner": str(a.owner) if a.owner else None,
                "next_review_on": a.next_review_on,
            }
            for a in review.articles
        ],
    }
