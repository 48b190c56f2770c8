"""What the security incidents show elsewhere, registered from `extensions.register()`: the
melding page's "Security incident" panel (its action for operators), the API's melding detail key
`security_incident`, and the security dashboard's section of open reporting deadlines."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import render_to_string

from beheer.core import access, clock

from ..models import IncidentReport, SecurityIncident
from ..services.incidents import deadlines_of
from .incidents import deadline_rows

DASHBOARD_INCIDENTS = 20


def _incident_of(melding: Any) -> SecurityIncident | None:
    try:
        found = melding.security_incident
    except ObjectDoesNotExist:
        return None
    return found if isinstance(found, SecurityIncident) else None


def melding_section(context: Any, melding: Any) -> str:
    """Staff see the melding's incident, or the action that makes the melding one."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not access.is_staff(user):
        return ""
    incident = _incident_of(melding)
    if incident is not None and not SecurityIncident.objects.visible_to(user).filter(pk=incident.pk).exists():
        incident = None
        if getattr(melding, "restricted", False):
            return ""
    return render_to_string(
        "security/incidents/_melding_section.html",
        {"melding": melding, "incident": incident},
        request=request,
    )


def melding_detail(melding: Any, viewer: Any) -> dict[str, Any] | None:
    """The API's melding detail: the incident's id and number, for staff."""
    if not access.is_staff(viewer):
        return None
    incident = _incident_of(melding)
    return {"id": incident.pk, "number": incident.number} if incident is not None else None


def dashboard_context(user: Any) -> dict[str, Any]:
    """The open deadlines of the incidents `user` sees (the latest `DASHBOARD_INCIDENTS`), soonest
    first; two queries."""
    incidents = list(
        SecurityIncident.objects.visible_to(user)
        .filter(clocks_open=True)
        .order_by("-aware_at", "-id")[:DASHBOARD_INCIDENTS]
    )
    made: dict[int, dict[str, Any]] = {i.pk: {} for i in incidents}
    for incident_id, kind, at in (
        IncidentReport.objects.filter(incident__in=list(made))
        .order_by("made_at", "id")
        .values_list("incident_id", "kind", "made_at")
    ):
        made[incident_id].setdefault(kind, at)
    now = clock.now()
    rows = []
    for incident in incidents:
        for d in deadline_rows(deadlines_of(incident, made[incident.pk]), now):
            if not d["met_at"]:
                rows.append((incident, d))
    far = now.replace(year=now.year + 100)
    rows.sort(key=lambda r: (not r[1]["immediate"], r[1]["due"] or far))
    return {"rows": rows}
