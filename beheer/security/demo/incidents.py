"""Demo data of the security incidents: one closed personal-data breach three weeks ago. A mentor's
e-mail with the class list and the grades of class 3B went to the parents' distribution list of
class 2A; the desk made the call a security incident, the security officer recorded the facts,
reported it to the Autoriteit Persoonsgegevens within 72 hours, told the parents and students, and
the call was resolved and closed. Every step goes through the services, at its own moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from beheer.core import clock
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import ClosureCode, EntryType, Melding

from ..models import IncidentStatus
from ..services import incidents

if TYPE_CHECKING:
    from . import Cast

REQUEST = (
    "Ik heb vanochtend de cijferlijst van 3B (rapport periode 1) per ongeluk naar de maillijst "
    "'Ouders 2A' gestuurd in plaats van naar de docenten van 3B. Het bestand is een Excel-lijst met "
    "namen en cijfers. Kunnen jullie de mail nog terughalen?"
)
SOLUTION = (
    "Terughalen lukte niet meer: de mail was al bij externe adressen. De ontvangers is gevraagd de "
    "mail te verwijderen; de maillijst 'Ouders 2A' is afgeschermd zodat alleen de mentoren er nog "
    "naar kunnen mailen. Het datalek is afgehandeld door de beveiligingsfunctionaris."
)


def _at(base: datetime, days: int = 0, hours: float = 0) -> datetime:
    return base + timedelta(days=days, hours=hours)


def create(cast: Cast) -> None:
    desk, officer = cast.desk, cast.security_officer
    teachers = [c for c in cast.callers if c.username != "demo.melder"]
    mentor = teachers[1] if len(teachers) > 1 else None
    local = timezone.localtime(cast.now - timedelta(days=21))
    base = local.replace(hour=8, minute=50, second=0, microsecond=0)  # three weeks ago, before class

    with clock.frozen(base):
        melding = servicedesk.open_melding(
            actor=desk,
            brief_description="Cijferlijst 3B per ongeluk naar ouders 2A gemaild",
            request=REQUEST,
            entry_type=EntryType.PHONE,
            caller=mentor,
            caller_name="" if mentor else "Mentor 3B",
        )
    with clock.frozen(_at(base, hours=0.25)):
        incident = incidents.declare_incident(melding, actor=desk, aware_at=base, breach=True)
    with clock.frozen(_at(base, hours=2)):
        incident = incidents.edit_incident(
            incident,
            actor=officer,
            expected_version=incident.version,
            data=incidents.IncidentData(
                title="Cijferlijst 3B naar verkeerde oudermaillijst",
                aware_at=base,
                significant=False,
                breach=True,
                high_risk=True,
                nature=(
                    "Vertrouwelijkheid: een e-mail met een Excel-lijst is naar de verkeerde ontvangers "
                    "gestuurd (maillijst 'Ouders 2A', 31 adressen) in plaats van naar de docenten van 3B."
                ),
                data_categories="Naam, klas, leerlingnummer en rapportcijfers periode 1 van alle vakken.",
                people_categories="Leerlingen van klas 3B (minderjarig); ontvangers: ouders van klas 2A.",
                people_count=27,
                records_count=27,
                consequences=(
                    "Andere ouders kennen de cijfers van de leerlingen; kans op schaamte, pesten en "
                    "verlies van vertrouwen in de school. Geen financiële schade verwacht."
                ),
                measures=(
                    "Ontvangers gevraagd de mail en de bijlage te verwijderen en dat te bevestigen "
                    "(29 van 31 bevestigd). Maillijsten van ouders afgeschermd voor alleen mentoren. "
                    "Cijferlijsten gaan voortaan alleen via het leerlingvolgsysteem."
                ),
                contact="Functionaris gegevensbescherming, privacy@school.example, 030 123 45 67",
                status=IncidentStatus.OPEN,
            ),
        )
    ap_moment = _at(base, days=1, hours=5)  # the next afternoon: well within 72 hours
    with clock.frozen(_at(ap_moment, hours=0.1)):
        incidents.record_report(
            incident,
            actor=officer,
            kind="ap_report",
            made_at=ap_moment,
            reference=f"Meldnummer {ap_moment.year}-M-18734",
            note="Gemeld via het meldformulier datalekken van de Autoriteit Persoonsgegevens.",
        )
    people_moment = _at(base, days=1, hours=7)
    with clock.frozen(_at(people_moment, hours=0.1)):
        incidents.record_report(
            incident,
            actor=officer,
            kind="people_notice",
            made_at=people_moment,
            recipient="Leerlingen van 3B en hun ouders",
            reference="Brief van de rector via het ouderportaal",
            note=(
                "Brief met wat er gebeurd is, welke gegevens, wat de school gedaan heeft en wie je "
                "kunt bellen met vragen."
            ),
        )
    with clock.frozen(_at(base, days=2, hours=1)):
        current = Melding.objects.get(pk=melding.pk)
        servicedesk.resolve_melding(
            current,
            solution=SOLUTION,
            closure_code=ClosureCode.objects.filter(code="solved").first(),
            actor=desk,
            expected_version=current.version,
        )
    with clock.frozen(_at(base, days=5)):
        current = Melding.objects.get(pk=melding.pk)
        servicedesk.close_melding(current, actor=desk, expected_version=current.version)
        fresh = type(incident).objects.get(pk=incident.pk)
        incidents.edit_incident(
            fresh,
            actor=officer,
            expected_version=fresh.version,
            data=incidents.IncidentData(
                title=fresh.title,
                aware_at=fresh.aware_at,
                significant=fresh.significant,
                breach=fresh.breach,
                high_risk=fresh.high_risk,
                nature=fresh.nature,
                data_categories=fresh.data_categories,
                people_categories=fresh.people_categories,
                people_count=fresh.people_count,
                records_count=fresh.records_count,
                consequences=fresh.consequences,
                measures=fresh.measures,
                contact=fresh.contact,
                status=IncidentStatus.CLOSED,
            ),
        )
