"""What the demo school's callers report: meldingen in families, each with its own words.

A family is one kind of trouble (printers, Wi-Fi, Magister, Chromebooks, ...) with one subcategory, a
few believable cases written the way teachers and staff of a Dutch school write them, and for every
case the solutions an operator would record. Because a family's meldingen share their words and
differ from the other families', the suggestions on an open melding show solved meldingen of the
same family (tests/test_demo.py checks this with `knowledge.suggest`).

Placeholders filled per melding: {room}, {klas}, {leerling}, {vak}, {naam}, {mailbox}.
Routes: "desk" (the first line solves it), "second" (escalated to the family's second-line group),
"supplier" (escalated, and a partial incident waits for the family's supplier).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    brief: str
    request: str
    solutions: tuple[str, ...]
    route: str = "desk"
    call_type: str = "incident"
    # (impact code, urgency code) when the case is more or less urgent than its family
    priority: tuple[str, str] | None = None


@dataclass(frozen=True)
class Family:
    key: str
    category: str
    subcategory: str
    weight: int  # how often the family comes up
    group: str  # the second-line group: "systems" or "network"
    supplier: str
    escalation: str  # the reason the desk gives when escalating
    partial: str  # the brief description of a partial incident for the supplier
    priorities: tuple[tuple[str, str, int], ...]  # (impact code, urgency code, weight)
    cases: tuple[Case, ...]
    article: str = ""  # the key of an article for callers that a desk solution may refer to


PERSON = "person"
DEPARTMENT = "department"
ORGANISATION = "organisation"
CANNOT = "cannot_work"
LIMITED = "limited"
CAN = "can_work"

ROOMS = (
    "lokaal 1.04",
    "lokaal 1.12",
    "lokaal 2.03",
    "lokaal 2.14",
    "lokaal 2.21",
    "lokaal 3.07",
    "lokaal 3.15",
    "de aula",
    "de mediatheek",
    "de docentenkamer",
    "het technieklokaal",
    "de gymzaal",
)
NORTH_ROOMS = ("lokaal N0.02", "lokaal N0.05", "lokaal N1.01", "lokaal N1.08", "de kantine Noord")
KLASSEN = ("1A", "1C", "2B", "2D", "3 havo", "3 vwo", "4 havo", "4 vwo", "5 havo", "6 vwo")
LEERLINGEN = (
    "Noah",
    "Emma",
    "Liam",
    "Julia",
    "Sem",
    "Mila",
    "Finn",
    "Saar",
    "Daan",
    "Yasmin",
    "Levi",
    "Nora",
    "Bilal",
    "Lina",
    "Jayden",
    "Fenna",
)
VAKKEN = ("wiskunde", "Nederlands", "Engels", "biologie", "geschiedenis", "economie", "aardrijkskunde")
NIEUWE_COLLEGAS = ("Femke Willems", "Joris van Dijk", "Ayla Kaya", "Ruud Verhoeven", "Inge Postma")
MAILBOXES = ("administratie@", "leerlingzaken@", "examens@", "stage@")


FAMILIES: tuple[Family, ...] = (
    Family(
        key="wachtwoord",
        category="Accounts en rechten",
        subcategory="Wachtwoord",
        weight=14,
        group="systems",
        supplier="",
        escalation="Tweestapsverificatie moet door een beheerder worden gereset.",
        partial="",
        priorities=((PERSON, CANNOT, 6), (PERSON, LIMITED, 3)),
        article="wachtwoord",
        cases=(
            Case(
                "Wachtwoord verlopen, kan niet meer inloggen",
                "Sinds vanochtend krijg ik de melding dat mijn wachtwoord verlopen is. Via de link in de "
                "melding lukt het wijzigen niet, ik krijg steeds een foutmelding.",
                (
                    "Wachtwoord gereset en een tijdelijk wachtwoord telefonisch doorgegeven; bij de eerste "
                    "keer inloggen heeft de aanmelder zelf een nieuw wachtwoord gekozen.",
                    "Samen met de aanmelder een nieuw wachtwoord ingesteld via de wachtwoordportal. "
                    "Inloggen lukt weer.",
                ),
            ),
            Case(
                "Account geblokkeerd na te vaak een verkeerd wachtwoord",
                "Ik heb een paar keer mijn oude wachtwoord ingetypt en nu is mijn account geblokkeerd. "
                "Ik moet over tien minuten lesgeven.",
                (
                    "Account vrijgegeven in Active Directory. De mail-app op de telefoon probeerde het "
                    "oude wachtwoord steeds opnieuw; wachtwoord daar bijgewerkt.",
                    "Blokkade opgeheven en het wachtwoord opnieuw ingesteld. Uitgelegd dat de blokkade na "
                    "een kwartier vanzelf vervalt.",
                ),
            ),
            Case(
                "Wachtwoord vergeten na de vakantie",
                "Na de vakantie weet ik mijn wachtwoord niet meer. Kunnen jullie het resetten?",
                (
                    "Identiteit gecontroleerd en het wachtwoord gereset; de aanmelder heeft zelf een nieuw "
                    "wachtwoord gekozen via de wachtwoordportal.",
                ),
            ),
            Case(
                "Leerling {leerling} ({klas}) is wachtwoord kwijt",
                "{leerling} uit {klas} weet het wachtwoord van het schoolaccount niet meer en kan "
                "daardoor nergens inloggen. Kan het wachtwoord gereset worden?",
                (
                    "Wachtwoord van de leerling gereset; het tijdelijke wachtwoord is via de mentor "
                    "doorgegeven.",
                    "Wachtwoord van het leerlingaccount opnieuw ingesteld en samen met de leerling een "
                    "nieuw wachtwoord gekozen.",
                ),
            ),
            Case(
                "Nieuwe telefoon: geen inlogcodes meer voor tweestapsverificatie",
                "Ik heb een nieuwe telefoon en krijg geen codes meer uit de Authenticator-app. Daardoor "
                "kan ik niet inloggen op mijn schoolaccount en mijn wachtwoord alleen helpt niet.",
                (
                    "Registratie van de tweestapsverificatie verwijderd; de aanmelder heeft de "
                    "Authenticator-app op de nieuwe telefoon opnieuw gekoppeld.",
                ),
                route="second",
            ),
        ),
    ),
    Family(
        key="printer",
        category="Hardware",
        subcategory="Printer",
        weight=12,
        group="systems",
        supplier="Ricoh Nederland",
        escalation="Printer of printserver: graag bekijken door systeembeheer.",
        partial="Monteur Ricoh: printer repareren",
        priorities=((DEPARTMENT, CAN, 3), (PERSON, LIMITED, 4), (DEPARTMENT, LIMITED, 2)),
        article="printen",
        cases=(
            Case(
                "Printer in {room} geeft papierstoring",
                "De printer in {room} geeft een papierstoring in lade 2. Ik heb het papier eruit gehaald "
                "maar de storing blijft op het display staan.",
                (
                    "Vastgelopen papier achter klep B verwijderd en de invoerrollen van lade 2 "
                    "schoongemaakt; de printer drukt weer af.",
                    "Een gescheurd stukje papier uit de fuser gehaald en een testpagina afgedrukt.",
                ),
            ),
            Case(
                "Printer in {room} staat offline",
                "Als ik wil afdrukken op de printer in {room} staat hij op offline. Collega's hebben "
                "hetzelfde probleem met deze printer.",
                (
                    "De printer had na een stroomstoring een ander IP-adres gekregen. Vast adres "
                    "teruggezet en de afdrukwachtrij op de printserver opnieuw gestart.",
                ),
                route="second",
            ),
            Case(
                "Toner bijna op bij de printer in {room}",
                "De printer in {room} meldt dat de zwarte toner bijna op is en de afdrukken worden heel "
                "licht.",
                (
                    "Nieuwe zwarte toner geplaatst; er ligt nog één reservetoner in de kast.",
                    "Toner vervangen en een nieuwe toner bij Ricoh besteld voor de voorraad.",
                ),
                call_type="service_request",
            ),
            Case(
                "Scannen naar e-mail werkt niet op de printer in {room}",
                "Als ik op de printer in {room} scan naar mijn e-mail komt er niets binnen. Vorige week "
                "werkte het nog wel.",
                (
                    "Het wachtwoord van het scanaccount op de printer was verlopen; vernieuwd. Scannen "
                    "naar e-mail werkt weer.",
                ),
                route="second",
            ),
            Case(
                "Printopdracht blijft in de wachtrij hangen",
                "Ik stuur een toets van 30 pagina's naar de printer in {room}, maar er komt niets uit. "
                "In de afdrukwachtrij staat de opdracht op fout.",
                (
                    "Print Spooler op de printserver opnieuw gestart en de vastgelopen printopdracht "
                    "verwijderd; de toets is afgedrukt.",
                ),
            ),
            Case(
                "Printer in {room} maakt strepen op elke afdruk",
                "Over elke afdruk van de printer in {room} loopt een grijze streep, ook na het vervangen "
                "van de toner.",
                ("Monteur van Ricoh heeft de drum van de printer vervangen; de afdrukken zijn weer schoon.",),
                route="supplier",
            ),
        ),
    ),
    Family(
        key="wifi",
        category="Netwerk",
        subcategory="Wifi",
        weight=10,
        group="network",
        supplier="",
        escalation="Wifi-probleem in het lokaal: access point laten bekijken door netwerkbeheer.",
        partial="",
        priorities=((DEPARTMENT, LIMITED, 5), (PERSON, LIMITED, 2), (DEPARTMENT, CANNOT, 1)),
        article="wifi",
        cases=(
            Case(
                "Wifi valt steeds weg in {room}",
                "In {room} valt de wifi-verbinding elke paar minuten weg. De leerlingen moeten steeds "
                "opnieuw verbinden met het draadloze netwerk.",
                (
                    "Access point in het lokaal hing; via de Unifi-controller herstart en een ander "
                    "wifi-kanaal ingesteld. De verbinding is stabiel.",
                    "Access point vervangen door een nieuw exemplaar; wifi-dekking in het lokaal gemeten "
                    "en in orde.",
                ),
                route="second",
            ),
            Case(
                "Telefoon maakt geen verbinding met eduroam",
                "Mijn telefoon maakt geen verbinding meer met het wifi-netwerk eduroam. Hij blijft op "
                "verbinden staan en geeft dan een fout over het certificaat.",
                (
                    "Het eduroam-profiel op de telefoon verwijderd en opnieuw geïnstalleerd via "
                    "cat.eduroam.org; de wifi-verbinding werkt.",
                ),
            ),
            Case(
                "Wifi heel traag in {room}",
                "Tijdens de les laden video's niet in {room}; het draadloze netwerk is heel traag als de "
                "hele klas verbonden is.",
                (
                    "Te veel apparaten op één access point. Het tweede access point in de gang aangezet "
                    "en band steering ingeschakeld; de wifi is weer snel.",
                ),
                route="second",
            ),
            Case(
                "Gasten kunnen niet op het wifi-netwerk Baken-Gast",
                "Bezoekers kunnen niet op het gastnetwerk Baken-Gast; de dagcode van de receptie wordt "
                "niet geaccepteerd.",
                (
                    "De wifi-vouchers op de controller waren verlopen; nieuwe dagcodes aangemaakt en aan "
                    "de receptie gegeven.",
                ),
            ),
            Case(
                "Geen wifi-signaal in {room}",
                "In {room} is helemaal geen wifi. Het lampje van het access point aan het plafond brandt "
                "niet.",
                (
                    "De PoE-poort van de switch was uitgevallen; access point op een andere poort "
                    "aangesloten en de wifi werkt weer.",
                ),
                route="second",
            ),
        ),
    ),
    Family(
        key="magister",
        category="Software",
        subcategory="Magister",
        weight=10,
        group="systems",
        supplier="",
        escalation="Instelling in Magister: graag oppakken door de applicatiebeheerder.",
        partial="",
        priorities=((PERSON, LIMITED, 5), (DEPARTMENT, LIMITED, 2), (PERSON, CANNOT, 2)),
        article="magister",
        cases=(
            Case(
                "Kan niet inloggen in Magister: gebruiker onbekend",
                "Als ik inlog in Magister krijg ik de melding 'gebruiker onbekend'. Gisteren kon ik nog "
                "gewoon cijfers invoeren.",
                (
                    "Het Magister-account was na de nachtelijke synchronisatie niet meer gekoppeld aan "
                    "het schoolaccount; koppeling hersteld.",
                ),
                route="second",
            ),
            Case(
                "Leerling {leerling} ontbreekt in Magister-lesgroep {klas}",
                "In mijn lesgroep {klas} in Magister staat {leerling} niet, waardoor ik geen cijfers kan "
                "invoeren voor de laatste toets.",
                (
                    "Leerling alsnog aan de lesgroep in Magister toegevoegd; de cijfers kunnen worden "
                    "ingevoerd.",
                ),
                route="second",
            ),
            Case(
                "Ouders zien cijfers van {klas} niet in Magister",
                "Ouders van {klas} zien het cijfer van de laatste toets {vak} niet in de Magister-app.",
                (
                    "De cijferkolom stond op 'niet zichtbaar voor ouders en leerlingen'; instelling in "
                    "Magister aangepast.",
                ),
            ),
            Case(
                "Rooster in Magister toont de vorige periode",
                "Mijn rooster in Magister laat nog de lessen van de vorige periode zien.",
                ("Roosterimport in Magister opnieuw gedraaid; het rooster toont de huidige periode.",),
                route="second",
            ),
            Case(
                "Magister-app geeft foutmelding na inloggen",
                "De Magister-app op mijn telefoon geeft 'Er is iets misgegaan' direct na het inloggen. "
                "Op de laptop werkt Magister wel.",
                ("App-gegevens van de Magister-app gewist en opnieuw ingelogd; de app werkt weer.",),
            ),
        ),
    ),
    Family(
        key="chromebook",
        category="Hardware",
        subcategory="Chromebook",
        weight=14,
        group="systems",
        supplier="Dell Technologies",
        escalation="Chromebook moet opnieuw worden ingeschreven in de Google Admin-console.",
        partial="Reparatie Chromebook onder garantie",
        priorities=((PERSON, LIMITED, 6), (PERSON, CANNOT, 3)),
        cases=(
            Case(
                "Chromebook van {leerling} ({klas}) laadt niet meer op",
                "De Chromebook van {leerling} uit {klas} laadt niet meer op, ook niet met de oplader van "
                "een klasgenoot.",
                (
                    "Harde reset van de Chromebook gedaan (Vernieuwen + aan/uit); hij laadt weer op.",
                    "Laadpoort van de Chromebook defect; onder garantie gerepareerd door Dell. De leerling "
                    "had zolang een leen-Chromebook.",
                ),
                route="supplier",
            ),
            Case(
                "Scherm van Chromebook gebarsten ({klas})",
                "{leerling} uit {klas} heeft de Chromebook laten vallen en het scherm is gebarsten.",
                ("Scherm van de Chromebook vervangen via Dell; de leerling heeft hem terug.",),
                route="supplier",
            ),
            Case(
                "Chromebook: 'apparaat is van een andere organisatie'",
                "De Chromebook van {leerling} ({klas}) meldt bij het aanzetten dat het apparaat eigendom "
                "is van een andere organisatie. Aanmelden met het leerlingaccount lukt niet.",
                (
                    "Powerwash uitgevoerd en de Chromebook opnieuw ingeschreven in de Google "
                    "Admin-console; de leerling kan weer aanmelden.",
                ),
                route="second",
            ),
            Case(
                "Toetsen van de Chromebook van {leerling} werken niet",
                "Op de Chromebook van {leerling} ({klas}) werken de toetsen e, r en t niet meer.",
                ("Toetsenbord van de Chromebook vervangen door Dell.",),
                route="supplier",
            ),
            Case(
                "Chromebook loopt steeds vast",
                "De Chromebook van {leerling} uit {klas} loopt elke les vast als er meer dan een paar "
                "tabbladen open staan.",
                (
                    "Powerwash uitgevoerd en ChromeOS bijgewerkt; de Chromebook werkt weer vlot.",
                    "Extensies verwijderd en de Chromebook bijgewerkt naar de nieuwste ChromeOS-versie.",
                ),
            ),
            Case(
                "Leen-Chromebook nodig voor {leerling} ({klas})",
                "{leerling} uit {klas} heeft de Chromebook thuis laten liggen. Is er vandaag een "
                "leen-Chromebook beschikbaar?",
                ("Leen-Chromebook uitgegeven in de mediatheek; terugbrengen aan het eind van de dag.",),
                call_type="service_request",
            ),
        ),
    ),
    Family(
        key="beamer",
        category="Hardware",
        subcategory="Digibord en beamer",
        weight=8,
        group="systems",
        supplier="Prowise",
        escalation="Beamer of digibord: onderdeel nodig, graag oppakken.",
        partial="Digibord of beamer repareren",
        priorities=((DEPARTMENT, LIMITED, 4), (PERSON, LIMITED, 3)),
        article="beamer",
        cases=(
            Case(
                "Beamer in {room} geeft geen beeld via HDMI",
                "De beamer in {room} staat aan maar geeft 'geen signaal' als ik mijn laptop via de "
                "HDMI-kabel aansluit.",
                (
                    "De HDMI-kabel in de wandaansluiting zat los; vastgezet en beeld getest.",
                    "De beamer stond op de verkeerde ingang; ingang HDMI 1 gekozen en uitgelegd hoe je "
                    "die met de afstandsbediening kiest.",
                ),
            ),
            Case(
                "Digibord in {room} reageert niet op aanraking",
                "Het digibord in {room} reageert niet meer als ik erop schrijf. Kalibreren helpt niet.",
                ("USB-kabel van het aanraakframe van het digibord vervangen; het bord reageert weer.",),
            ),
            Case(
                "Lampje van de beamer in {room} knippert rood",
                "Het lampje van de beamer in {room} knippert rood en de beamer gaat na vijf minuten uit.",
                ("Beamerlamp vervangen en de lampuren gereset; het beeld is weer helder.",),
                route="supplier",
            ),
            Case(
                "Geen geluid via het digibord in {room}",
                "Filmpjes op het digibord in {room} hebben geen geluid; de speakers van het bord doen niets.",
                (
                    "Geluidsuitvoer van de pc stond op de koptelefoon; ingesteld op de speakers van het "
                    "digibord.",
                ),
            ),
            Case(
                "Digibord in {room} blijft zwart",
                "Het touchscreen in {room} blijft zwart; het lampje aan de zijkant brandt oranje.",
                ("Prowise heeft de voeding van het digibord vervangen; het scherm werkt weer.",),
                route="supplier",
            ),
        ),
    ),
    Family(
        key="teams_outlook",
        category="Software",
        subcategory="Microsoft 365",
        weight=9,
        group="systems",
        supplier="",
        escalation="Instelling in Microsoft 365: graag oppakken door systeembeheer.",
        partial="",
        priorities=((PERSON, LIMITED, 6), (PERSON, CAN, 2)),
        cases=(
            Case(
                "Outlook synchroniseert niet",
                "Nieuwe mail komt niet binnen in Outlook op mijn laptop; in Outlook op het web zie ik "
                "de mail wel.",
                (
                    "Outlook-profiel opnieuw aangemaakt; de mailbox synchroniseert weer.",
                    "Outlook stond op 'Offline werken'; uitgezet en de mail komt weer binnen.",
                ),
            ),
            Case(
                "Geen geluid in Teams-vergadering",
                "In Teams-vergaderingen hoort niemand mij, terwijl mijn headset in andere programma's "
                "wel werkt.",
                (
                    "In Teams het juiste microfoonapparaat gekozen en de toegang tot de microfoon in de "
                    "privacy-instellingen van Windows aangezet.",
                ),
            ),
            Case(
                "Gedeelde mailbox {mailbox} niet zichtbaar in Outlook",
                "Ik zou toegang hebben tot de gedeelde mailbox {mailbox}, maar ik zie hem niet in Outlook.",
                (
                    "Rechten op de gedeelde mailbox toegekend in Exchange Online; na het opnieuw starten "
                    "van Outlook is de mailbox zichtbaar.",
                ),
                route="second",
                call_type="service_request",
            ),
            Case(
                "Opname van Teams-les niet terug te vinden",
                "Ik heb gisteren een les in Teams opgenomen, maar ik kan de opname nergens vinden.",
                (
                    "De opname staat in de OneDrive van de organisator, map Opnamen; de link met de "
                    "docent gedeeld.",
                ),
                call_type="question",
            ),
            Case(
                "Agenda delen met de sectie lukt niet in Outlook",
                "Als ik mijn Outlook-agenda wil delen met de sectie {vak} krijg ik een foutmelding.",
                (
                    "Agenda gedeeld via Outlook op het web; de oude desktopversie gaf een onterechte "
                    "foutmelding. Outlook bijgewerkt.",
                ),
            ),
        ),
    ),
    Family(
        key="elo",
        category="Software",
        subcategory="ELO",
        weight=8,
        group="systems",
        supplier="",
        escalation="Instelling in de ELO: graag oppakken door de applicatiebeheerder.",
        partial="",
        priorities=((DEPARTMENT, LIMITED, 4), (PERSON, LIMITED, 4)),
        article="elo",
        cases=(
            Case(
                "Opdracht inleveren in de ELO lukt niet ({klas})",
                "Leerlingen van {klas} krijgen een foutmelding bij het inleveren van de opdracht {vak} "
                "in de ELO (itslearning).",
                (
                    "De inleveropdracht in itslearning had een maximale bestandsgrootte van 5 MB; "
                    "verhoogd naar 50 MB. Inleveren lukt.",
                ),
                route="second",
            ),
            Case(
                "Studiewijzer {vak} niet zichtbaar voor {klas}",
                "Ik heb de studiewijzer {vak} in itslearning gepubliceerd, maar de leerlingen van {klas} "
                "zien hem niet in de ELO.",
                ("De studiewijzer was aan de verkeerde lesgroep gekoppeld; koppeling in de ELO aangepast.",),
            ),
            Case(
                "Cursus {vak} ontbreekt in mijn ELO-overzicht",
                "De cursus {vak} voor {klas} staat niet in mijn overzicht in itslearning.",
                ("Docent toegevoegd als cursusbeheerder in de ELO; de cursus staat in het overzicht.",),
                route="second",
            ),
            Case(
                "Digitale toets in de ELO sloot te vroeg",
                "De digitale toets {vak} in itslearning sloot voor {klas} al na 20 minuten in plaats "
                "van na 50 minuten.",
                (
                    "De tijdslimiet van de toets stond op 20 minuten; aangepast en de toets in de ELO "
                    "heropend voor de betrokken leerlingen.",
                ),
            ),
        ),
    ),
    Family(
        key="laptop",
        category="Hardware",
        subcategory="Laptop",
        weight=7,
        group="systems",
        supplier="Dell Technologies",
        escalation="Laptop moet opnieuw worden geïnstalleerd door systeembeheer.",
        partial="Reparatie laptop onder garantie",
        priorities=((PERSON, CANNOT, 4), (PERSON, LIMITED, 4)),
        cases=(
            Case(
                "Laptop start niet op, blijft hangen op het logo",
                "Mijn laptop blijft bij het opstarten hangen op het Dell-logo.",
                (
                    "BIOS-instellingen teruggezet en Windows-herstel uitgevoerd; de laptop start weer.",
                    "Harde schijf van de laptop defect; vervangen door Dell onder garantie. Zolang een "
                    "leenlaptop uitgegeven.",
                ),
                route="supplier",
            ),
            Case(
                "Windows-update blijft hangen op 30 procent",
                "De update op mijn laptop staat al twee uur op 30 procent.",
                ("Update-cache van Windows geleegd en de update opnieuw geïnstalleerd.",),
            ),
            Case(
                "Laptop is erg traag sinds vorige week",
                "Mijn laptop is sinds vorige week erg traag; opstarten duurt tien minuten.",
                (
                    "Opstartprogramma's opgeschoond en de schijf vrijgemaakt; de laptop werkt weer vlot.",
                    "Laptop opnieuw geïnstalleerd met het standaard schoolimage.",
                ),
                route="second",
            ),
            Case(
                "Accu van de laptop is na een uur leeg",
                "De accu van mijn laptop houdt het maar een uur vol; daarna moet hij aan de lader.",
                ("Accu van de laptop vervangen onder garantie.",),
                route="supplier",
            ),
            Case(
                "Laptop herkent het dockingstation in {room} niet",
                "Mijn laptop geeft geen beeld op de monitoren als ik hem in het dockingstation in {room} "
                "zet.",
                ("Firmware van het dockingstation en de driver van de laptop bijgewerkt; beeld werkt.",),
            ),
        ),
    ),
    Family(
        key="account",
        category="Accounts en rechten",
        subcategory="Nieuw account",
        weight=6,
        group="systems",
        supplier="",
        escalation="Account en groepslidmaatschappen aanmaken door systeembeheer.",
        partial="",
        priorities=((PERSON, CAN, 5), (PERSON, LIMITED, 2)),
        cases=(
            Case(
                "Account aanvragen voor nieuwe collega {naam}",
                "Binnenkort start {naam} als docent {vak}. Graag een schoolaccount met e-mailadres en "
                "toegang tot de sectiemap {vak}.",
                (
                    "Account aangemaakt, lid gemaakt van de groep Sectie {vak} en de inloggegevens in een "
                    "gesloten envelop bij de teamleider gelegd.",
                ),
                route="second",
                call_type="service_request",
            ),
            Case(
                "Geen toegang tot de sectiemap {vak}",
                "Ik zie de map van de sectie {vak} niet meer in de Verkenner.",
                (
                    "Aanmelder toegevoegd aan de groep Sectie {vak}; na opnieuw aanmelden is de map "
                    "zichtbaar.",
                ),
                route="second",
                call_type="service_request",
            ),
            Case(
                "Account voor stagiair vanaf maandag",
                "Vanaf maandag loopt er een stagiair mee bij de sectie {vak}. Kan er een tijdelijk "
                "account komen tot het eind van het schooljaar?",
                ("Tijdelijk account aangemaakt dat aan het eind van het schooljaar vervalt.",),
                route="second",
                call_type="service_request",
            ),
            Case(
                "Account van vertrokken collega blokkeren",
                "{naam} is per vandaag uit dienst. Wil je het account blokkeren en de mail laten "
                "doorsturen naar de teamleider?",
                ("Account geblokkeerd, mail doorgestuurd naar de teamleider en de bestanden overgedragen.",),
                route="second",
                call_type="service_request",
            ),
        ),
    ),
    Family(
        key="netwerk",
        category="Netwerk",
        subcategory="Netwerkaansluiting",
        weight=3,
        group="network",
        supplier="",
        escalation="Wandcontactdoos of switchpoort: graag doormeten door netwerkbeheer.",
        partial="",
        priorities=((PERSON, LIMITED, 3), (DEPARTMENT, LIMITED, 1)),
        cases=(
            Case(
                "Netwerkaansluiting in {room} doet het niet",
                "De netwerkaansluiting in de wand van {room} geeft geen verbinding; het lampje op de "
                "netwerkkaart blijft uit.",
                ("Wandcontactdoos doorgemeten en opnieuw aangesloten op de patchkast.",),
                route="second",
            ),
            Case(
                "Pc in {room} krijgt geen netwerk",
                "De vaste pc in {room} heeft sinds vanochtend geen netwerkverbinding via de kabel.",
                ("Switchpoort stond uitgeschakeld na een storing; poort weer ingeschakeld.",),
                route="second",
            ),
        ),
    ),
    Family(
        key="telefonie",
        category="Telefonie",
        subcategory="Vaste telefoon",
        weight=3,
        group="network",
        supplier="KPN Zakelijk",
        escalation="Telefooncentrale: storing doorzetten.",
        partial="Storing telefonie bij KPN",
        priorities=((DEPARTMENT, LIMITED, 3),),
        cases=(
            Case(
                "Telefoon van de receptie geeft in gesprek",
                "Bellers krijgen de in-gesprektoon als ze de receptie bellen, terwijl niemand aan het "
                "bellen is.",
                ("Toestel van de receptie opnieuw aangemeld bij de telefooncentrale.",),
            ),
            Case(
                "Doorschakelen naar mobiel werkt niet",
                "Als ik mijn vaste toestel doorschakel naar mijn mobiel, krijgen bellers een foutmelding.",
                ("KPN heeft de doorschakelrechten van het nummer hersteld.",),
                route="supplier",
            ),
            Case(
                "Vaste telefoon in {room} geeft geen kiestoon",
                "Het vaste toestel in {room} geeft geen kiestoon; het display blijft leeg.",
                ("Netwerkkabel van het toestel zat los; aangesloten en getest.",),
            ),
        ),
    ),
)

FAMILY = {family.key: family for family in FAMILIES}

# Caller satisfaction as callers write it: what they say agrees with the stars they give.
COMMENTS: dict[int, tuple[str, ...]] = {
    5: ("Top, dank je!", "Super snel geholpen, bedankt!", "Heel fijn, het werkt weer.", "", ""),
    4: ("Prima geholpen.", "Opgelost, dank je.", "Goed geholpen, het duurde alleen even.", "", ""),
    3: ("Opgelost, maar het duurde wel lang.", "Het werkt, al moest ik er twee keer om vragen.", ""),
    2: (
        "Pas na een week opgelost; ik heb al die tijd zonder gezeten.",
        "Ik moest zelf steeds navragen hoe het ervoor stond.",
    ),
    1: (
        "Het probleem komt steeds terug en niemand houdt me op de hoogte.",
        "Veel te lang gewacht en het is nog steeds niet goed.",
    ),
}

PICKUP_REPLIES = (
    "Ik heb je melding opgepakt en kijk ernaar.",
    "Dank voor je melding, ik ga ermee aan de slag.",
    "Ik kom zo even langs om te kijken.",
)
QUESTIONS = (
    (
        "Wanneer ben je in het lokaal, zodat ik langs kan komen?",
        "Morgen het eerste uur ben ik er, dan kun je langskomen.",
    ),
    (
        "Kun je een foto van de foutmelding sturen?",
        "Ik heb het nog eens geprobeerd; de melding verschijnt elke keer direct na het opstarten.",
    ),
    (
        "Bij welke leerlingen of collega's speelt dit nog meer?",
        "Voor zover ik weet alleen bij mij, collega's hebben er geen last van.",
    ),
)
SECOND_LINE_NOTES = (
    "Logbestanden bekeken; de oorzaak zit in de configuratie.",
    "Op afstand meegekeken en het probleem kunnen nadoen.",
    "Ingepland voor vanmiddag, ik ga ter plekke kijken.",
)
REOPEN_REASONS = (
    "Het probleem is terug, sinds vanochtend precies hetzelfde.",
    "Het werkte een dag, nu gaat het weer mis.",
)
