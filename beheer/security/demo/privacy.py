"""Demo data of privacy (AVG): the school's register of processing activities, its retention
periods, one run of the retention job and one request for access carried out."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from beheer.cmdb.models import ConfigurationItem
from beheer.security.models import Control, LegalBasis, RetentionKind
from beheer.security.services import privacy

if TYPE_CHECKING:
    from . import Cast


def _cis(*names: str) -> tuple[ConfigurationItem, ...]:
    return tuple(ConfigurationItem.objects.filter(name__in=names).order_by("name"))


def _controls(*numbers: str) -> tuple[Control, ...]:
    return tuple(Control.objects.filter(number__in=numbers, active=True).order_by("sort_key"))


def create(cast: Cast) -> None:
    officer = cast.privacy_officer
    review = (cast.now + timedelta(days=120)).date()
    activities = [
        privacy.ActivityData(
            name="Leerlingadministratie",
            purpose=(
                "Inschrijving, onderwijs geven en begeleiden, cijfers en verzuim bijhouden, "
                "communicatie met leerlingen en ouders."
            ),
            legal_basis=LegalBasis.LEGAL_OBLIGATION,
            legal_basis_note=(
                "Wet voortgezet onderwijs 2020 en het Inrichtingsbesluit WVO; verzuim: Leerplichtwet."
            ),
            people_categories="Leerlingen, ouders en verzorgers",
            data_categories=(
                "NAW-gegevens, geboortedatum, BSN/onderwijsnummer, cijfers, verzuim, "
                "zorg- en begeleidingsgegevens"
            ),
            special_categories=True,
            recipients="DUO, leerplichtambtenaar van de gemeente, samenwerkingsverband passend onderwijs",
            retention=(
                "Tot 2 jaar na uitschrijving; het diploma-overzicht 5 jaar (Archiefwet, selectielijst VO)."
            ),
            owner=officer,
            review_date=review,
            applications=_cis("Magister (applicatie)", "Magister"),
            measures=_controls("5.15", "5.34", "8.5"),
        ),
        privacy.ActivityData(
            name="Personeelsadministratie",
            purpose="Aanstelling, salarisbetaling, verlof en verzuim, functioneringsgesprekken.",
            legal_basis=LegalBasis.CONTRACT,
            people_categories="Medewerkers, sollicitanten, invalkrachten",
            data_categories="NAW-gegevens, BSN, bankrekening, salaris, verzuim, beoordelingen",
            special_categories=True,
            recipients="Belastingdienst, pensioenfonds ABP, arbodienst, salarisverwerker",
            retention=(
                "7 jaar na uitdiensttreding voor fiscale gegevens; sollicitaties 4 weken na de procedure."
            ),
            owner=cast.administrator,
            review_date=review,
            applications=_cis("Microsoft 365"),
            measures=_controls("5.15", "5.34", "6.1"),
        ),
        privacy.ActivityData(
            name="Camerabewaking",
            purpose="Bescherming van gebouw, fietsenstalling en eigendommen; onderzoek na een incident.",
            legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
            legal_basis_note=(
                "Belangenafweging vastgelegd in de DPIA camerabewaking (2025); borden bij de ingangen."
            ),
            people_categories="Leerlingen, medewerkers, bezoekers",
            data_categories="Camerabeelden van ingangen, fietsenstalling en aula",
            recipients="Politie, alleen op een vordering",
            retention="4 weken; beelden van een incident tot de afhandeling ervan.",
            owner=officer,
            review_date=(cast.now - timedelta(days=20)).date(),
            measures=_controls("7.4", "8.15"),
        ),
        privacy.ActivityData(
            name="Servicedesk ICT (Beheer)",
            purpose=(
                "Meldingen over ICT-storingen en -verzoeken afhandelen, "
                "wijzigingen en toegangsrechten beheren."
            ),
            legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
            people_categories="Leerlingen, medewerkers, ouders die een melding doen",
            data_categories="Naam, e-mailadres, telefoonnummer, gebruikersnaam, de tekst van meldingen",
            recipients="Leveranciers bij een doorgezette melding (alleen de melding, geen contactgegevens)",
            transfer_outside_eu=False,
            retention="Gesloten meldingen 2 jaar, daarna geanonimiseerd door de bewaartermijnen in Beheer.",
            owner=officer,
            review_date=review,
            measures=_controls("5.34", "8.10", "8.15"),
        ),
    ]
    for data in activities:
        privacy.create_activity(data, actor=officer)
    privacy.set_retention(RetentionKind.CLOSED_MELDINGEN, actor=officer, expected_version=0, months=24)
    privacy.set_retention(RetentionKind.MAIL_INTAKE, actor=officer, expected_version=0, months=3)
    privacy.set_retention(RetentionKind.SIGN_IN_LOG, actor=officer, expected_version=0, months=12)
    privacy.run_retention(actor=officer)
    if cast.callers:
        privacy.export_person(cast.callers[-1], actor=officer, reference="AVG-2026-004 inzageverzoek")
