"""Demo data of risks and classification: the CIA classification of the school's main services and
applications (Magister high confidentiality, the Wi-Fi medium), and two risks (ransomware on the file
server, phishing of staff accounts) with their controls when the catalogue holds them."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from beheer.cmdb.models import ConfigurationItem
from beheer.security.models import Control, RiskStatus, Treatment
from beheer.security.services import risks as services

if TYPE_CHECKING:
    from . import Cast

CLASSIFICATIONS = (
    # name, availability, integrity, confidentiality, justification
    (
        "Magister",
        2,
        3,
        3,
        "Leerlingdossiers, cijfers en zorgnotities: bijzondere persoonsgegevens van minderjarigen. "
        "Een dag zonder Magister is lastig, maar lessen gaan door.",
    ),
    (
        "Magister (applicatie)",
        2,
        3,
        3,
        "Zelfde gegevens als de dienst Magister; SaaS bij de leverancier.",
    ),
    (
        "E-mail en Office 365",
        3,
        2,
        2,
        "Alle communicatie met ouders en leerlingen loopt via mail en Teams; uitval raakt de hele school.",
    ),
    (
        "Bestandsopslag",
        2,
        2,
        3,
        "Afdelingsschijven met toetsen, verslagen van leerlingbesprekingen en personeelsdossiers.",
    ),
    (
        "Wifi (eduroam en gasten)",
        2,
        1,
        1,
        "Nodig voor digitale toetsen en Chromebooks; vertrouwelijke gegevens gaan er versleuteld over.",
    ),
    (
        "Active Directory",
        3,
        3,
        2,
        "Alle accounts van medewerkers en leerlingen; zonder AD kan niemand inloggen.",
    ),
)


def _controls(*numbers: str) -> list[Control]:
    """The current catalogue's controls with these numbers (none when the catalogue is not loaded)."""
    return list(Control.objects.filter(number__in=numbers, catalogue__current=True, active=True))


def create(cast: Cast) -> None:
    officer = cast.security_officer
    by_name = {
        ci.name: ci for ci in ConfigurationItem.objects.filter(name__in=[c[0] for c in CLASSIFICATIONS])
    }
    for name, a, i, c, why in CLASSIFICATIONS:
        ci = by_name.get(name)
        if ci is not None:
            services.classify(
                ci, actor=officer, availability=a, integrity=i, confidentiality=c, justification=why
            )
    fs01 = ConfigurationItem.objects.filter(name="fs01").first()
    if fs01 is not None:  # the file server takes over what rests on it, one click
        services.adopt_suggestion(fs01, actor=officer)

    today = timezone.localdate(cast.now)
    cis = {
        ci.name: ci
        for ci in ConfigurationItem.objects.filter(
            name__in=[
                "fs01",
                "Bestandsopslag",
                "Veeam Backup",
                "nas-backup01",
                "E-mail en Office 365",
                "Microsoft 365",
                "Magister",
            ]
        )
    }
    services.register_risk(
        actor=officer,
        data=services.RiskData(
            title="Ransomware op de bestandsserver",
            threat="Een criminele groep versleutelt de afdelingsschijven via een besmette laptop of een "
            "gestolen account en eist losgeld.",
            vulnerability="Medewerkers hebben schrijfrechten op veel mappen; de back-up-NAS staat in "
            "hetzelfde netwerk als de servers.",
            cis=[cis[n] for n in ("fs01", "Bestandsopslag", "Veeam Backup", "nas-backup01") if n in cis],
            likelihood=3,
            impact=5,
            treatment=Treatment.REDUCE,
            treatment_plan="Dagelijkse back-up met Veeam en een onveranderbare kopie buiten het netwerk; "
            "antivirus en EDR op alle werkplekken; maandelijks een hersteltest.",
            controls=_controls("8.13", "8.7"),
            residual_likelihood=2,
            residual_impact=3,
            owner=officer,
            review_date=today + timedelta(days=45),
            status=RiskStatus.TREATED,
        ),
    )
    services.register_risk(
        actor=officer,
        data=services.RiskData(
            title="Phishing op accounts van medewerkers",
            threat="Een nagemaakte inlogpagina van Microsoft 365 of Magister ontfutselt een docent zijn "
            "wachtwoord; de aanvaller leest mail en leerlinggegevens.",
            vulnerability="Nog niet alle medewerkers gebruiken MFA; veel collega's klikken op links in "
            "mails die dringend lijken.",
            cis=[cis[n] for n in ("E-mail en Office 365", "Microsoft 365", "Magister") if n in cis],
            likelihood=4,
            impact=4,
            treatment=Treatment.REDUCE,
            treatment_plan="MFA verplicht voor alle medewerkers voor de kerstvakantie; jaarlijkse "
            "bewustwordingstraining met een phishingtest in januari.",
            controls=_controls("6.3", "8.5"),
            residual_likelihood=2,
            residual_impact=4,
            owner=cast.coordinator,
            review_date=today - timedelta(days=6),  # the review is overdue: the dashboard shows it
            status=RiskStatus.OPEN,
        ),
    )
