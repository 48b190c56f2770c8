"""This area's objects for the route walker (see __init__.py): a security incident (a breach with a
report, the staff canary in its texts) declared by the walker's operator on a melding of its own, and
a fresh melding for the page that makes one a security incident."""

from __future__ import annotations

from typing import Any

from beheer.accounts.models import User
from beheer.core import clock
from beheer.security.models import SecurityIncident
from beheer.security.services import incidents
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import EntryType
from tests.test_route_walker import CANARY_S

# path parameter -> key of build()'s result
PARAMS: dict[str, str] = {}

ROUTES = ("/security/incidents/", "/security/breaches")


def build(school: Any) -> dict[str, Any]:
    operator = school.people["operator"]
    officer = User.objects.filter(security_officer=True, is_active=True).order_by("id").first()
    assert officer is not None, "the demo makes a security officer"
    melding = servicedesk.open_melding(
        actor=operator,
        brief_description=f"Datalek {CANARY_S}",
        request=f"Lijst {CANARY_S} verkeerd gemaild",
        entry_type=EntryType.PHONE,
        caller_name=f"Mentor {CANARY_S}",
    )
    incident = incidents.declare_incident(melding, actor=operator, breach=True)
    incident = incidents.edit_incident(
        incident,
        actor=officer,
        expected_version=incident.version,
        data=incidents.IncidentData(
            title=f"Datalek {CANARY_S}",
            aware_at=incident.aware_at,
            significant=True,
            breach=True,
            nature=f"Cijferlijst {CANARY_S}",
            data_categories=f"Cijfers {CANARY_S}",
            people_count=3,
        ),
    )
    incidents.record_report(
        incident, actor=officer, kind="ap_report", made_at=clock.now(), reference=f"AP-{CANARY_S}"
    )
    declare_on = servicedesk.open_melding(
        actor=operator,
        brief_description=f"Phishing {CANARY_S}",
        entry_type=EntryType.PHONE,
        caller_name="Conciërge",
    )
    return {
        "security_incident": SecurityIncident.objects.get(pk=incident.pk),
        "security_incident_person": operator,
        "security_declare_melding": declare_on,
    }


def special(template: str, param: str) -> str | None:
    """A key for a parameter whose object depends on the route (None: use PARAMS)."""
    if not any(part in template for part in ROUTES) and "/security/incidents" not in template:
        return None
    if param == "incident_id":
        return "security_incident"
    if param == "person_id":
        return "security_incident_person"
    if param == "melding_id":
        return "security_declare_melding"
    return None
