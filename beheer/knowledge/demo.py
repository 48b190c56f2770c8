"""The demo's knowledge base: a dozen articles, written and published through the knowledge services
at moments in the past, so versions, review dates and the search index are as real work makes them.

User instructions are for callers (they show in the portal and are suggested there); solutions and
procedures are for operators. One security procedure is approved by a second person, one backup
procedure is past its review date and one instruction has a second version.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta

from beheer.accounts.models import User
from beheer.calendars.demo import WorkingTime
from beheer.core.simulation import Process

from . import services as knowledge
from .models import Article, Audience, Kind


@dataclass(frozen=True)
class Draft:
    key: str
    title: str
    body: str
    kind: str
    audience: str
    tags: str
    author: str  # "desk", "helper", "systems", "network" or "coordinator"
    days_ago: int  # published this many days before today
    review_days: int = 365
    update: tuple[int, str, str] | None = None  # (days ago, new body, change note)


ARTICLES: tuple[Draft, ...] = (
    Draft(
        key="wachtwoord",
        title="Wachtwoord vergeten of verlopen: zelf een nieuw wachtwoord instellen",
        body=(
            "Je schoolwachtwoord verloopt elk jaar. Zo stel je zelf een nieuw wachtwoord in:\n\n"
            "1. Ga naar **wachtwoord.baken.example**.\n"
            "2. Vul je gebruikersnaam in en kies *Wachtwoord vergeten*.\n"
            "3. Je krijgt een code per sms op het telefoonnummer dat bij school bekend is.\n"
            "4. Kies een wachtwoord van minstens 12 tekens.\n\n"
            "Is je account geblokkeerd na te vaak een verkeerd wachtwoord? Wacht een kwartier of meld het "
            "via het selfserviceportaal."
        ),
        kind=Kind.INSTRUCTION,
        audience=Audience.CALLERS,
        tags="wachtwoord, inloggen, account",
        author="desk",
        days_ago=240,
        update=(
            35,
            "Je schoolwachtwoord verloopt elk jaar. Zo stel je zelf een nieuw wachtwoord in:\n\n"
            "1. Ga naar **wachtwoord.baken.example** of scan de QR-code op de poster in de docentenkamer.\n"
            "2. Vul je gebruikersnaam in en kies *Wachtwoord vergeten*.\n"
            "3. Bevestig met de Authenticator-app of met de code per sms.\n"
            "4. Kies een wachtwoord van minstens 12 tekens; een zin van vier woorden werkt goed.\n\n"
            "Werkt de mail op je telefoon daarna niet meer? Vul daar ook je nieuwe wachtwoord in, anders "
            "raakt je account na een paar pogingen geblokkeerd.",
            "Bevestigen met de Authenticator-app; tip over de mail op de telefoon.",
        ),
    ),
    Draft(
        key="wifi",
        title="Verbinden met het wifi-netwerk eduroam",
        body=(
            "Op school gebruik je het draadloze netwerk **eduroam** (medewerkers en leerlingen).\n\n"
            "- Kies eduroam en log in met je volledige e-mailadres van school.\n"
            "- Accepteer het certificaat van *radius.baken.example*.\n"
            "- Lukt het niet op je telefoon? Installeer het profiel via **cat.eduroam.org**.\n\n"
            "Bezoekers gebruiken het netwerk **Baken-Gast** met een dagcode van de receptie."
        ),
        kind=Kind.INSTRUCTION,
        audience=Audience.CALLERS,
        tags="wifi, eduroam, draadloos",
        author="network",
        days_ago=200,
    ),
    Draft(
        key="printen",
        title="Printen op school: printer toevoegen en afdrukken ophalen",
        body=(
            "Alle printers werken met *Follow Me*: je print naar **Baken-Print** en haalt je afdruk op bij "
            "elke printer met je schoolpas.\n\n"
            "1. Ga in Windows naar *Instellingen > Printers en scanners* en kies *Apparaat toevoegen*.\n"
            "2. Kies **Baken-Print**.\n"
            "3. Houd bij de printer je pas tegen de lezer en kies je afdruk.\n\n"
            "Papierstoring? Volg de aanwijzingen op het display en open alleen de aangegeven klep."
        ),
        kind=Kind.INSTRUCTION,
        audience=Audience.CALLERS,
        tags="printer, printen, afdrukken, schoolpas",
        author="helper",
        days_ago=150,
    ),
    Draft(
        key="magister",
        title="Inloggen in Magister en de Magister-app",
        body=(
            "Je logt in Magister in met je schoolaccount via **Inloggen met Entree**.\n\n"
            "- Web: ga naar baken.magister.net en kies *Inloggen met Entree*.\n"
            "- App: kies de school *Het Baken College* en daarna *Inloggen met Entree*.\n\n"
            "Geeft de app een foutmelding? Log uit, wis de app-gegevens en log opnieuw in. Ouders loggen in "
            "met het account dat ze per brief hebben gekregen."
        ),
        kind=Kind.INSTRUCTION,
        audience=Audience.CALLERS,
        tags="magister, inloggen, entree, app",
        author="systems",
        days_ago=120,
    ),
    Draft(
        key="beamer",
        title="Beamer en digibord aansluiten in het lokaal",
        body=(
            "1. Zet het digibord aan met de knop rechtsonder.\n"
            "2. Sluit je laptop aan met de **HDMI**- of **USB-C**-kabel uit de wandaansluiting.\n"
            "3. Kies met de afstandsbediening de ingang *HDMI 1*.\n\n"
            "Geen geluid? Kies in Windows bij het luidsprekerpictogram de speakers van het digibord."
        ),
        kind=Kind.INSTRUCTION,
        audience=Audience.CALLERS,
        tags="beamer, digibord, hdmi, geluid",
        author="helper",
        days_ago=90,
    ),
    Draft(
        key="elo",
        title="Opdrachten inleveren in de ELO (itslearning)",
        body=(
            "1. Open de cursus en kies de opdracht.\n"
            "2. Kies *Bestand toevoegen* en daarna *Inleveren*.\n"
            "3. Je ziet een groene melding als het is gelukt.\n\n"
            "Bestanden mogen tot 50 MB zijn. Lukt inleveren niet, maak dan een schermafdruk van de "
            "foutmelding en stuur die naar je docent."
        ),
        kind=Kind.INSTRUCTION,
        audience=Audience.CALLERS,
        tags="elo, itslearning, inleveren, opdracht",
        author="systems",
        days_ago=75,
    ),
    Draft(
        key="chromebook_powerwash",
        title="Chromebook herstellen met een powerwash en opnieuw inschrijven",
        body=(
            "Bij een Chromebook die vastloopt of 'eigendom van een andere organisatie' meldt:\n\n"
            "1. Log uit en druk op **Ctrl + Alt + Shift + R** voor een powerwash.\n"
            "2. Kies bij het opstarten **Ctrl + Alt + E** voor de ondernemingsinschrijving.\n"
            "3. Schrijf in met het account *inschrijven@baken.example* (wachtwoord in de kluis).\n"
            "4. Controleer in de Google Admin-console dat de Chromebook in de juiste "
            "organisatie-eenheid staat."
        ),
        kind=Kind.SOLUTION,
        audience=Audience.OPERATORS,
        tags="chromebook, powerwash, inschrijven, google admin",
        author="systems",
        days_ago=180,
    ),
    Draft(
        key="outlook_profiel",
        title="Outlook synchroniseert niet: profiel opnieuw aanmaken",
        body=(
            "**Symptoom**: nieuwe mail komt niet binnen in Outlook, wel in Outlook op het web.\n\n"
            "1. Controleer of *Offline werken* uit staat (tabblad Verzenden/ontvangen).\n"
            "2. Sluit Outlook en open *Configuratiescherm > Mail > Profielen weergeven*.\n"
            "3. Voeg een nieuw profiel toe en stel het in als standaard.\n"
            "4. Start Outlook en wacht tot de mailbox is gesynchroniseerd."
        ),
        kind=Kind.SOLUTION,
        audience=Audience.OPERATORS,
        tags="outlook, mail, synchroniseren, profiel",
        author="desk",
        days_ago=160,
    ),
    Draft(
        key="printer_offline",
        title="Printer staat offline na een stroomstoring",
        body=(
            "**Oorzaak**: na een stroomstoring krijgt de printer soms een ander IP-adres van DHCP.\n\n"
            "**Oplossing**: zet op het display het vaste adres uit de printerlijst terug (*Instellingen > "
            "Netwerk > IPv4*) en start de afdrukwachtrij op de printserver opnieuw."
        ),
        kind=Kind.SOLUTION,
        audience=Audience.OPERATORS,
        tags="printer, offline, ip-adres, printserver",
        author="systems",
        days_ago=130,
    ),
    Draft(
        key="backup",
        title="Back-up controleren (wekelijks)",
        body=(
            "Elke maandag:\n\n"
            "- controleer in het back-uplogboek dat alle nachtelijke back-ups zijn gelukt;\n"
            "- zet één willekeurig bestand terug naar een testmap;\n"
            "- noteer het resultaat in de beheeractiviteit *Wekelijkse back-upcontrole*."
        ),
        kind=Kind.PROCEDURE_BACKUP,
        audience=Audience.OPERATORS,
        tags="back-up, controle, procedure",
        author="systems",
        days_ago=190,
        review_days=180,  # past its review date: it shows on the dashboard
    ),
    Draft(
        key="vertrek",
        title="Account blokkeren bij vertrek of verlies van een laptop",
        body=(
            "Bij vertrek van een medewerker of verlies of diefstal van een laptop:\n\n"
            "1. Blokkeer het account in Active Directory en trek de sessies in Microsoft 365 in.\n"
            "2. Wis de laptop op afstand via Intune.\n"
            "3. Stuur de mail door naar de leidinggevende (alleen na toestemming van de directie).\n"
            "4. Meld verlies of diefstal ook bij de beveiligingsfunctionaris."
        ),
        kind=Kind.PROCEDURE_SECURITY,
        audience=Audience.OPERATORS,
        tags="account, blokkeren, vertrek, verlies, beveiliging",
        author="systems",
        days_ago=355,  # review due in about ten days
    ),
    Draft(
        key="chromebook_uitrol",
        title="Nieuwe leerling-Chromebooks uitrollen",
        body=(
            "1. Pak de Chromebooks uit en plak het inventarislabel op de onderkant.\n"
            "2. Schrijf elke Chromebook in (zie de powerwash-instructie) en zet hem in de "
            "organisatie-eenheid van het leerjaar.\n"
            "3. Noteer serienummer en leerling in de uitleenlijst.\n"
            "4. Laat de leerling bij de uitgifte tekenen voor ontvangst."
        ),
        kind=Kind.PROCEDURE_MAINTENANCE,
        audience=Audience.OPERATORS,
        tags="chromebook, uitrol, inventaris",
        author="coordinator",
        days_ago=45,
    ),
)


@dataclass(frozen=True)
class Writers:
    """Who writes the demo's articles: the authors by the keys the drafts name ("desk", "helper",
    "systems", "network", "coordinator"), the reviewer who approves what needs a second person, and
    the one who approves what the reviewer wrote."""

    authors: Mapping[str, User]
    reviewer: User
    stand_in: User


def _publish(writers: Writers, article: Article, author: User) -> Article:
    if knowledge.review_required(article.kind):
        reviewer = writers.reviewer if author.pk != writers.reviewer.pk else writers.stand_in
        article = knowledge.submit_for_review(article, actor=author, expected_version=article.version)
        return knowledge.approve_and_publish(article, actor=reviewer, expected_version=article.version)
    return knowledge.publish(article, actor=author, expected_version=article.version)


def processes(writers: Writers, hours: WorkingTime, articles: dict[str, Article]) -> Iterator[Process]:
    """A process per article for the demo's timeline; `articles` holds each one as it is published,
    by its draft's key, for the meldingen and problems that refer to it."""
    for draft in ARTICLES:
        yield process(writers, hours, articles, draft)


def process(writers: Writers, hours: WorkingTime, articles: dict[str, Article], draft: Draft) -> Process:
    """Write and publish one article (and a later version when it has one)."""
    today = hours.today()
    written = hours.add(hours.at(today - timedelta(days=draft.days_ago), 8), 60 + 7 * len(draft.key))
    yield written
    author = writers.authors[draft.author]
    article = knowledge.create_article(
        actor=author,
        title=draft.title,
        body=draft.body,
        kind=draft.kind,
        audience=draft.audience,
        tags=draft.tags,
        owner=author,
        review_interval_days=draft.review_days,
    )
    yield hours.add(written, 50)
    articles[draft.key] = article = _publish(writers, article, author)
    if draft.update is None:
        return
    days_ago, body, note = draft.update
    yield hours.add(hours.at(today - timedelta(days=days_ago), 9), 30)
    article = Article.objects.get(pk=article.pk)
    article = knowledge.save_draft(
        article,
        actor=author,
        expected_version=article.version,
        title=article.title,
        body=body,
        change_note=note,
        tags=article.tags,
    )
    articles[draft.key] = _publish(writers, article, author)
