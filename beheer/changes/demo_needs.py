"""Demo data for the needs inventory: the Wi-Fi change in the needs phase gets its stakeholders (the
client, key users, the supplier), two interviews, six requirements, an open question, the client's
approval of the needs and a functional design that names most requirements. Each step at its own
moment before now, through the services."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from beheer.accounts.models import User
from beheer.core import clock
from beheer.knowledge import services as knowledge
from beheer.knowledge.services.designs import template_sections

from . import services
from .models import Change

REQUIREMENTS = [
    (
        "Dekking in alle lokalen van gebouw B",
        "must",
        "In elk lokaal van gebouw B is het signaal minstens -67 dBm, gemeten op tafelhoogte.",
    ),
    (
        "Leerlingen loggen in met hun schoolaccount (eduroam)",
        "must",
        "Een leerling met een Chromebook maakt verbinding met eduroam zonder hulp van de servicedesk.",
    ),
    (
        "Digitale toetsen lopen zonder onderbreking in de aula",
        "must",
        "120 leerlingen tegelijk maken een toets van 60 minuten zonder verbroken verbinding.",
    ),
    (
        "Gasten krijgen een apart gastnetwerk met een dagcode",
        "should",
        "Het gastnetwerk kan niet bij de schoolservers; de code verloopt na 24 uur.",
    ),
    (
        "Het schoolplein heeft wifi bij de ingang",
        "could",
        "Bij de hoofdingang is het signaal minstens -72 dBm.",
    ),
    ("Wifi in de gymzaal", "wont", "De gymzaal valt buiten deze ronde; volgend schooljaar opnieuw bekijken."),
]

INTERVIEW_DIRECTOR = """Gesprek met de directeur over het doel van de vernieuwing.

- Klachten van docenten over **uitval tijdens lessen** in gebouw B.
- Digitale toetsen in de aula moeten betrouwbaar zijn: dat heeft de hoogste prioriteit.
- Budget volgens het projectplan; de gymzaal valt erbuiten.
"""

INTERVIEW_TEACHERS = """Workshop met twee docenten (sleutelgebruikers) en de ICT-coördinator.

1. Leerlingen loggen nu in met een apart wachtwoord; liever met het schoolaccount via eduroam.
2. Gasten (ouders, stagiairs) vragen vaak om het wachtwoord: een gastnetwerk met dagcode.
3. Wens: wifi op het schoolplein bij de ingang.
"""

SECTION_TEXT = {
    "Aanleiding en doel": "Betrouwbare wifi in alle lokalen, ook tijdens digitale toetsen in de aula.",
    "Scope": "Gebouw B, de aula en de ingang van het schoolplein. De gymzaal valt buiten deze ronde.",
    "Functionele eisen": (
        "- [REQ-1] Nieuwe access points in elk lokaal van gebouw B, op basis van de dekkingsmeting.\n"
        "- [REQ-2] Inloggen via eduroam met het schoolaccount (WPA3-Enterprise).\n"
        "- [REQ-3] De aula krijgt vier extra access points voor toetsen met 120 leerlingen."
    ),
    "Gebruikers en rollen": "Leerlingen en medewerkers via eduroam; gasten via het gastnetwerk [REQ-4].",
    "Beveiliging en privacy": (
        "Het gastnetwerk is een eigen VLAN zonder toegang tot de schoolservers [REQ-4]. "
        "Er worden geen locatiegegevens van leerlingen bewaard."
    ),
    "Acceptatiecriteria": "Dekkingsmeting na oplevering per lokaal; een proeftoets in de aula.",
    "Open vragen": "Welke lokalen gaan als eerste over?",
}


def _body() -> str:
    return "\n".join(
        f"## {s.heading_nl}\n\n{SECTION_TEXT.get(s.heading_nl, 'Zie het projectplan.')}\n"
        for s in template_sections("functional_design")
    )


def create(change: Change, *, coordinator: User, client: User, key_user: User | None, now: datetime) -> None:
    """Fill the needs of `change` (in the needs phase) at moments 18 to 15 days before `now`."""

    def at(days_ago: float) -> AbstractContextManager[None]:
        return clock.frozen(now - timedelta(days=days_ago))

    with at(17.9):
        services.add_stakeholder(
            change,
            actor=coordinator,
            person=client,
            role="client",
            interest="Betrouwbare toetsen in de aula; binnen het budget blijven.",
        )
        users = None
        if key_user is not None and key_user.pk != client.pk:
            users = services.add_stakeholder(
                change,
                actor=coordinator,
                person=key_user,
                role="key_user",
                interest="Lessen zonder uitval; leerlingen moeten zelf kunnen inloggen.",
            )
        services.add_stakeholder(
            change,
            actor=coordinator,
            name="M. Bakker (ICT-coördinator)",
            email="ict@school.example",
            role="key_user",
            interest="Minder vragen over het wifi-wachtwoord.",
        )
        services.add_stakeholder(
            change,
            actor=coordinator,
            name="NetWerk Leverancier BV",
            email="projecten@leverancier.example",
            role="supplier",
            interest="Levering en installatie van de access points.",
        )
    with at(17.5):
        services.add_needs_note(
            change,
            actor=coordinator,
            held_on=(now - timedelta(days=18)).date(),
            kind="interview",
            participants=f"{client}, {coordinator}",
            notes=INTERVIEW_DIRECTOR,
        )
    with at(16.8):
        services.add_needs_note(
            change,
            actor=coordinator,
            held_on=(now - timedelta(days=17)).date(),
            kind="workshop",
            participants="Twee docenten, M. Bakker (ICT-coördinator), " + str(coordinator),
            notes=INTERVIEW_TEACHERS,
        )
        for text, priority, criteria in REQUIREMENTS:
            services.add_requirement(
                change,
                actor=coordinator,
                text=text,
                priority=priority,
                acceptance_criteria=criteria,
                source=users,
            )
        services.ask_question(change, actor=coordinator, question="Welke lokalen gaan als eerste over?")
    with at(16.0):
        change.refresh_from_db()
        version = change.needs.version
        services.decide_needs(
            change, actor=client, needs_version=version, approve=True, comment="Akkoord, toetsen gaan voor."
        )
    with at(15.5):
        link = services.create_design(change, actor=coordinator, kind="functional_design")
        article = link.article
        knowledge.save_draft(
            article,
            actor=coordinator,
            expected_version=article.version,
            title=article.title,
            body=_body(),
            change_note="Eerste versie na de workshop.",
        )
        article.refresh_from_db()
        knowledge.submit_for_review(article, actor=coordinator, expected_version=article.version)
