"""Risks and classification objects for the route walker (see __init__.py): a risk and a classified
service with the staff canary in their texts, and the walker's server (which that service runs on)
with a suggestion inherited from it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

# path parameter -> key of build()'s result
PARAMS: dict[str, str] = {"risk_id": "risk"}


def build(school: Any) -> dict[str, Any]:
    from beheer.cmdb.models import ConfigurationItem
    from beheer.core import clock
    from beheer.security.services import risks as services
    from tests.test_route_walker import CANARY_S

    coordinator = school.people["coordinator"]
    server = school.ci  # "Roosters <canary>" runs on it
    service = ConfigurationItem.objects.filter(name__contains="Roosters").order_by("id").get()
    services.classify(
        service,
        actor=coordinator,
        availability=2,
        integrity=2,
        confidentiality=3,
        justification=f"Roostergegevens {CANARY_S}",
    )
    risk = services.register_risk(
        actor=coordinator,
        data=services.RiskData(
            title=f"Ransomware {CANARY_S}",
            likelihood=3,
            impact=5,
            threat=f"Versleuteling van de server {CANARY_S}",
            cis=[server],
            owner=coordinator,
            review_date=clock.now().date() - timedelta(days=3),
        ),
    )
    return {"risk": risk, "classified_ci": server}


def special(template: str, param: str) -> str | None:
    """A key for a parameter whose object depends on the route (None: use PARAMS)."""
    if "/security/risks" in template and param in ("pk", "risk_id"):
        return "risk"
    if "/security/classification" in template and param == "ci_id":
        return "classified_ci"
    return None
