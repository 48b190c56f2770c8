"""Demo data of the measures register (see __init__.py): the school's statement of applicability
for the shipped catalogue, an own control, and implementations of a handful of controls (access
control, backups, patching, incident handling, awareness, and two for Magister) with evidence: the
demo's knowledge procedures and preventive activities, and a restore-test report as a file."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from beheer.cmdb.models import ConfigurationItem
from beheer.knowledge.models import Article
from beheer.operations.models import ActivitySeries

from ..models import Applicability, CatalogueKind, Control, ImplementationStatus
from ..services import measures as services

if TYPE_CHECKING:
    from . import Cast

NOT_APPLICABLE = {
    "7.6": "De school heeft geen beveiligde ruimten behalve de serverruimte; die valt onder 7.3.",
    "8.4": "De school ontwikkelt zelf geen software en beheert geen broncode.",
    "8.11": "Er worden geen gegevens gemaskeerd: testomgevingen gebruiken geen echte leerlinggegevens.",
    "8.25": "Geen eigen softwareontwikkeling; eisen aan leveranciers staan onder 5.20.",
    "8.28": "Geen eigen softwareontwikkeling.",
    "8.30": "Er wordt geen ontwikkeling uitbesteed; de school koopt standaardpakketten en SaaS.",
}


def _article(actor: Any, title_start: str) -> list[Article]:
    found = Article.objects.visible_to(actor).filter(title__startswith=title_start).order_by("pk").first()
    return [found] if found is not None else []


def _series(actor: Any, *names: str) -> list[ActivitySeries]:
    return list(ActivitySeries.objects.visible_to(actor).filter(name__in=names).order_by("pk"))


def _ci(name: str) -> ConfigurationItem | None:
    return ConfigurationItem.objects.filter(name=name, ci_type__kind__in=["service", "software"]).first()


def _statement(cast: Cast) -> None:
    actor = cast.security_officer
    controls = Control.objects.filter(
        catalogue__kind=CatalogueKind.STANDARD, catalogue__current=True, active=True
    )
    for control in controls.order_by("sort_key"):
        number = control.number
        parent = number.rsplit(".", 1)[0] if number.count(".") == 2 else ""
        why = NOT_APPLICABLE.get(number) or NOT_APPLICABLE.get(parent, "")
        if why:
            services.set_applicability(
                control,
                actor=actor,
                applicability=Applicability.NOT_APPLICABLE,
                justification=why,
                expected_version=0,
            )
        else:
            services.set_applicability(
                control,
                actor=actor,
                applicability=Applicability.APPLICABLE,
                justification="",
                expected_version=0,
            )


def create(cast: Cast) -> None:
    if services.current_catalogue() is None:
        services.load_shipped(actor=cast.administrator)
    _statement(cast)
    officer = cast.security_officer
    today = timezone.localdate(cast.now)

    def control(number: str) -> Control:
        return Control.objects.get(
            catalogue__current=True, catalogue__kind=CatalogueKind.STANDARD, number=number
        )

    made: dict[str, Any] = {}
    made["5.15"] = services.create_implementation(
        control("5.15"),
        actor=officer,
        status=ImplementationStatus.IMPLEMENTED,
        owner=officer,
        description=(
            "Accounts van medewerkers en leerlingen komen uit de leerlingadministratie en de "
            "HR-koppeling. Rechten gaan via rollen (docent, mentor, leerling, beheer). Bij vertrek of "
            "verlies van een laptop wordt het account dezelfde dag geblokkeerd; eens per jaar beoordelen "
            "de applicatie-eigenaren alle rechten."
        ),
        review_on=today + timedelta(days=120),
        articles=_article(officer, "Account blokkeren"),
        series=_series(officer, "Jaarlijkse review toegangsrechten"),
    )
    made["8.13"] = services.create_implementation(
        control("8.13"),
        actor=officer,
        status=ImplementationStatus.IMPLEMENTED,
        owner=officer,
        description=(
            "Dagelijkse back-up van de fileserver en de virtuele servers met Veeam naar de NAS in gebouw B, "
            "met een onveranderbare kopie (immutable) in de cloud tegen ransomware. Bewaartermijn 30 dagen. "
            "Elke maand zetten we een steekproef terug (hersteltest)."
        ),
        review_on=today + timedelta(days=60),
        articles=_article(officer, "Back-up controleren"),
        series=_series(officer, "Wekelijkse back-upcontrole", "Maandelijkse hersteltest"),
    )
    made["8.8"] = services.create_implementation(
        control("8.8"),
        actor=officer,
        status=ImplementationStatus.PARTLY,
        owner=officer,
        description=(
            "Servers krijgen maandelijks updates in de patchronde; Chromebooks en Windows-laptops updaten "
            "automatisch via Google Admin en Intune. Nog niet geregeld: een vast proces voor kritieke "
            "kwetsbaarheden binnen een week (BIO2 8.8.01) en een jaarlijkse kwetsbaarheidsscan."
        ),
        review_on=today + timedelta(days=30),
        series=_series(officer, "Maandelijkse patchronde servers"),
    )
    made["5.24"] = services.create_implementation(
        control("5.24"),
        actor=officer,
        status=ImplementationStatus.IMPLEMENTED,
        owner=officer,
        description=(
            "Beveiligingsincidenten komen binnen als melding bij de servicedesk en gaan naar de "
            "beveiligingsfunctionaris. Datalekken beoordeelt de privacyfunctionaris binnen 72 uur."
        ),
        review_on=today + timedelta(days=200),
    )
    made["6.3"] = services.create_implementation(
        control("6.3"),
        actor=officer,
        status=ImplementationStatus.PLANNED,
        owner=cast.coordinator,
        description=(
            "Nieuwe medewerkers krijgen in hun eerste maand de e-learning phishing en wachtwoorden. "
            "Een jaarlijkse phishingtest voor alle medewerkers staat gepland voor het voorjaar."
        ),
        review_on=today - timedelta(days=5),  # overdue: the dashboard shows it
    )
    magister = _ci("Magister")
    if magister is not None:
        services.create_implementation(
            control("8.13"),
            actor=officer,
            scope_ci=magister,
            status=ImplementationStatus.PARTLY,
            owner=cast.coordinator,
            description=(
                "Magister is SaaS: de leverancier maakt de back-ups. De verwerkersovereenkomst noemt de "
                "hersteltermijn, maar een hersteltest hebben we nog niet gezien."
            ),
            review_on=today + timedelta(days=90),
        )
        services.create_implementation(
            control("8.5"),
            actor=officer,
            scope_ci=magister,
            status=ImplementationStatus.IMPLEMENTED,
            owner=cast.coordinator,
            description="Medewerkers loggen in via SSO met tweestapsverificatie; leerlingen via SSO.",
            review_on=today + timedelta(days=150),
        )
    services.add_evidence_file(
        made["8.13"],
        actor=officer,
        upload=SimpleUploadedFile(
            "hersteltest-verslag.txt",
            (
                b"Hersteltest back-up\n\nTeruggezet: map Administratie/2025 van de fileserver naar een "
                b"testmap. Resultaat: volledig en leesbaar, 12 minuten.\n"
            ),
            content_type="text/plain",
        ),
    )
    own = services.create_own_control(
        actor=officer,
        title_nl="Leerlingaccounts aan het eind van het schooljaar opschonen",
        title_en="Clean up student accounts at the end of the school year",
    )
    services.set_applicability(
        own, actor=officer, applicability=Applicability.APPLICABLE, justification="", expected_version=0
    )
    services.create_implementation(
        own,
        actor=officer,
        status=ImplementationStatus.IMPLEMENTED,
        owner=officer,
        description=(
            "In juli worden accounts van vertrokken leerlingen geblokkeerd en na drie maanden verwijderd."
        ),
        review_on=today + timedelta(days=240),
    )
