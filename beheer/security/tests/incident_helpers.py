"""What the security incident tests share: people with their marks, and a declared incident."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from beheer.accounts import services as accounts
from beheer.accounts.models import Role, User
from beheer.core import clock
from beheer.security.models import SecurityIncident
from beheer.security.services import incidents
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import EntryType, Melding
from tests.helpers import make_person


def officer(*, privacy: bool = False, security: bool = True, role: str = Role.OPERATOR) -> User:
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).first() or make_person(Role.ADMIN)
    person = make_person(role)
    accounts.set_officer_marks(person, security_officer=security, privacy_officer=privacy, actor=admin)
    person.refresh_from_db()
    return person


def new_melding(
    actor: User, caller: User | None = None, text: str = "Mail met cijferlijst naar verkeerde ouders"
) -> Melding:
    return servicedesk.open_melding(
        actor=actor,
        brief_description=text[:80],
        request=text,
        entry_type=EntryType.PHONE,
        caller=caller,
        caller_name="" if caller else "Mentor 3B",
    )


def declared(actor: User, *, hours_ago: float = 1, **kwargs: Any) -> SecurityIncident:
    melding = kwargs.pop("melding", None) or new_melding(actor)
    aware = clock.now() - timedelta(hours=hours_ago)
    return incidents.declare_incident(melding, actor=actor, aware_at=aware, **kwargs)


def data_of(incident: SecurityIncident, **changes: Any) -> incidents.IncidentData:
    values: dict[str, Any] = {
        "title": incident.title,
        "aware_at": incident.aware_at,
        "significant": incident.significant,
        "breach": incident.breach,
        "unlikely_risk": incident.unlikely_risk,
        "unlikely_risk_reason": incident.unlikely_risk_reason,
        "high_risk": incident.high_risk,
        "nature": incident.nature,
        "data_categories": incident.data_categories,
        "people_categories": incident.people_categories,
        "people_count": incident.people_count,
        "records_count": incident.records_count,
        "consequences": incident.consequences,
        "measures": incident.measures,
        "contact": incident.contact,
        "csirt_name": incident.csirt_name,
        "status": incident.status,
    }
    values.update(changes)
    return incidents.IncidentData(**values)


def fresh(incident: SecurityIncident) -> SecurityIncident:
    return SecurityIncident.objects.select_related("melding").get(pk=incident.pk)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
