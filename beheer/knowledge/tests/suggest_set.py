"""A small labelled set for the suggestion ranking: articles, solved meldingen, queries with their
relevant documents. Used by test_suggest_quality.py and bench/suggest_quality.py.

Realistic for a Dutch school or municipality: printers, Wi-Fi/eduroam, passwords, Outlook, Teams,
SharePoint, VPN, smartboards, Chromebooks, Magister/Somtoday, scanners, licences, backups. Queries are
phrased as callers and operators write them (Dutch and English, typos left out), and deliberately do
not copy the titles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# key: (title, body, tags, audience)
ARTICLES: dict[str, tuple[str, str, str, str]] = {
    "a_printer_jam": (
        "Papierstoring verhelpen bij de Kyocera-printers",
        "Open klep A aan de zijkant, verwijder het vastgelopen papier voorzichtig en sluit de klep. "
        "Controleer of de papierlade goed is aangedrukt. Blijft de printer een storing melden, zet hem "
        "dan 30 seconden uit.",
        "printer,papier,storing",
        "callers",
    ),
    "a_printer_queue": (
        "Printopdrachten blijven hangen in de wachtrij",
        "Herstart de spooler-service op de printserver (services.msc > Print Spooler). Verwijder "
        "vastgelopen opdrachten uit C:\\Windows\\System32\\spool\\PRINTERS.",
        "printer,spooler,wachtrij",
        "operators",
    ),
    "a_printer_add": (
        "Een printer toevoegen op je laptop",
        "Ga naar Instellingen > Bluetooth en apparaten > Printers en scanners en kies Apparaat toevoegen. "
        "Kies de printer van je lokaal, bijvoorbeeld PR-2.14.",
        "printer,installeren,laptop",
        "callers",
    ),
    "a_wifi_eduroam": (
        "Verbinden met eduroam op je telefoon of laptop",
        "Kies het netwerk eduroam en log in met je volledige e-mailadres en je wachtwoord. Lukt het niet, "
        "installeer dan het profiel via cat.eduroam.org.",
        "wifi,eduroam,draadloos,netwerk",
        "callers",
    ),
    "a_wifi_guest": (
        "Wifi voor gasten en bezoekers",
        "Bezoekers gebruiken het netwerk Gast. De receptie geeft een dagcode uit.",
        "wifi,gast,bezoekers",
        "callers",
    ),
    "a_wifi_controller": (
        "Access points herstarten via de Unifi-controller",
        "Log in op de controller, kies Devices, selecteer het access point en kies Restart. Controleer "
        "daarna de kanaalbezetting.",
        "wifi,access point,unifi",
        "operators",
    ),
    "a_password_reset": (
        "Wachtwoord vergeten: zelf je wachtwoord herstellen",
        "Ga naar wachtwoord.school.nl, vul je gebruikersnaam in en volg de code die je per sms krijgt. "
        "Je nieuwe wachtwoord moet minstens 12 tekens hebben.",
        "wachtwoord,account,inloggen",
        "callers",
    ),
    "a_account_locked": (
        "Account geblokkeerd na te vaak een verkeerd wachtwoord",
        "Na vijf mislukte pogingen wordt een account 15 minuten geblokkeerd. Een behandelaar kan het "
        "account eerder vrijgeven in Active Directory (Unlock account).",
        "account,geblokkeerd,wachtwoord,active directory",
        "operators",
    ),
    "a_mfa": (
        "Set up two-factor authentication with the Authenticator app",
        "Install Microsoft Authenticator on your phone, go to mysignins.microsoft.com and add a sign-in "
        "method. Scan the QR code with the app.",
        "mfa,authenticator,2fa,sign-in",
        "callers",
    ),
    "a_outlook_profile": (
        "Outlook start niet of blijft hangen bij het laden van het profiel",
        "Start Outlook in veilige modus (outlook.exe /safe). Helpt dat niet, maak dan een nieuw profiel "
        "aan via Configuratiescherm > E-mail > Profielen weergeven.",
        "outlook,mail,profiel",
        "callers",
    ),
    "a_outlook_mailbox_full": (
        "Mailbox vol: ruimte vrijmaken in Outlook",
        "Leeg de map Verwijderde items, archiveer oude mail en verwijder grote bijlagen. De limiet is 50 GB.",
        "outlook,mailbox,opslag",
        "callers",
    ),
    "a_shared_mailbox": (
        "Toegang geven tot een gedeelde mailbox",
        "Voeg de gebruiker in het Exchange-beheercentrum toe aan Machtigingen > Volledige toegang van de "
        "gedeelde mailbox. Het duurt tot een uur voor de mailbox in Outlook verschijnt.",
        "exchange,gedeelde mailbox,outlook",
        "operators",
    ),
    "a_teams_camera": (
        "Teams: camera or microphone not working in a meeting",
        "In Teams open Settings > Devices and choose the right camera and microphone. Close other apps "
        "that use the camera. Check Windows privacy settings for camera access.",
        "teams,camera,microfoon,vergadering",
        "callers",
    ),
    "a_teams_cache": (
        "Teams cache legen bij vreemde fouten",
        "Sluit Teams af, verwijder de map %appdata%\\Microsoft\\Teams\\Cache en start Teams opnieuw.",
        "teams,cache",
        "operators",
    ),
    "a_sharepoint_access": (
        "Geen toegang tot een SharePoint-site of teamsite",
        "Vraag de eigenaar van de site om je toe te voegen. De eigenaar staat onder Site-instellingen > "
        "Sitemachtigingen. Beheerders kunnen de toegang controleren in het SharePoint-beheercentrum.",
        "sharepoint,toegang,rechten",
        "callers",
    ),
    "a_onedrive_sync": (
        "OneDrive synchroniseert niet",
        "Klik op het wolkje in de taakbalk, kies Instellingen > Account > Deze pc ontkoppelen en log "
        "opnieuw in. Controleer of er bestanden met ongeldige tekens in de naam zijn.",
        "onedrive,synchronisatie,bestanden",
        "callers",
    ),
    "a_vpn": (
        "Thuiswerken: verbinden met de VPN (FortiClient)",
        "Start FortiClient, kies de verbinding Kantoor en log in met je account en de code uit de "
        "Authenticator-app. Lukt het niet, controleer dan eerst je internetverbinding thuis.",
        "vpn,forticlient,thuiswerken",
        "callers",
    ),
    "a_vpn_certificate": (
        "VPN certificate expired on the FortiGate",
        "Renew the server certificate on the FortiGate (System > Certificates) and select it in the "
        "SSL-VPN settings. Clients show a certificate warning until then.",
        "vpn,fortigate,certificaat",
        "operators",
    ),
    "a_smartboard": (
        "Digibord of touchscreen geeft geen beeld",
        "Controleer of de HDMI-kabel goed vastzit en kies de juiste bron op het scherm (HDMI 1). Zet het "
        "scherm en de pc uit en weer aan.",
        "digibord,smartboard,beeld,hdmi",
        "callers",
    ),
    "a_smartboard_calibrate": (
        "Touch op het digibord reageert verkeerd: kalibreren",
        "Open de SMART Settings en kies Orientatie/uitlijning. Tik de punten op het scherm aan.",
        "digibord,smartboard,touch,kalibreren",
        "callers",
    ),
    "a_chromebook": (
        "Chromebook laadt niet op of gaat niet aan",
        "Sluit de lader minstens 30 minuten aan. Houd daarna de aan-uitknop en de vernieuwknop tegelijk "
        "ingedrukt (hard reset).",
        "chromebook,opladen,accu",
        "callers",
    ),
    "a_chromebook_enroll": (
        "Chromebook enrollment in the Google Admin console",
        "Press Ctrl+Alt+E on the sign-in screen and enter the enrollment account. The device then gets "
        "the school policies.",
        "chromebook,google admin,enrollment",
        "operators",
    ),
    "a_magister": (
        "Inloggen bij Magister lukt niet",
        "Gebruik de knop Inloggen met Microsoft en je schoolaccount. Ouders gebruiken hun eigen "
        "Magister-account. Leeg de cookies van de browser als de pagina blijft laden.",
        "magister,inloggen,leerlingvolgsysteem",
        "callers",
    ),
    "a_somtoday": (
        "Somtoday: cijfers of rooster niet zichtbaar",
        "Het rooster wordt elke nacht gesynchroniseerd vanuit Zermelo. Vernieuw de app of log opnieuw in.",
        "somtoday,rooster,cijfers",
        "callers",
    ),
    "a_scanner": (
        "Scannen naar e-mail op de multifunctional",
        "Kies Scannen > E-mail op het scherm van de multifunctional, log in met je pasje en kies "
        "Naar mij verzenden. De scan komt als pdf in je mailbox.",
        "scanner,scannen,multifunctional,pdf",
        "callers",
    ),
    "a_scanner_smtp": (
        "Scan to e-mail fails: SMTP relay settings of the copiers",
        "The copiers send through the relay smtp-relay.school.nl on port 587. Check the relay connector "
        "in Exchange and the copier's address book.",
        "scanner,smtp,relay,copier",
        "operators",
    ),
    "a_license_office": (
        "Office vraagt om activering of licentie",
        "Log uit bij Office (Bestand > Account > Afmelden) en log in met je schoolaccount. De licentie "
        "wordt dan automatisch geactiveerd.",
        "office,licentie,activering",
        "callers",
    ),
    "a_license_adobe": (
        "Adobe-licentie aanvragen",
        "Adobe Creative Cloud-licenties worden per sectie toegewezen. Vraag een licentie aan via het "
        "portaal met het type Aanvraag.",
        "adobe,licentie,software",
        "callers",
    ),
    "a_backup_restore": (
        "Restore a deleted file from the Veeam backup",
        "Open the Veeam console, choose the file server job and Restore guest files. Pick the restore "
        "point from before the deletion.",
        "backup,veeam,restore,bestand",
        "operators",
    ),
    "a_recycle_bin": (
        "Per ongeluk verwijderd bestand terughalen",
        "Kijk eerst in de prullenbak van OneDrive of SharePoint (93 dagen bewaard). Daarna kan de "
        "servicedesk het bestand uit de back-up terugzetten.",
        "bestand,verwijderd,prullenbak,back-up",
        "callers",
    ),
}

# key: (brief description, request, solution)
MELDINGEN: dict[str, tuple[str, str, str]] = {
    "m_printer_jam": (
        "Printer 2.14 papierstoring",
        "De printer in lokaal 2.14 geeft steeds een papierstoring in lade 2.",
        "Vastgelopen papier uit klep A verwijderd, lade 2 opnieuw afgesteld.",
    ),
    "m_printer_offline": (
        "Printer offline in personeelskamer",
        "Niemand kan printen naar de printer in de personeelskamer, hij staat op offline.",
        "Netwerkkabel van de printer zat los; opnieuw aangesloten en printerwachtrij geleegd.",
    ),
    "m_eduroam": (
        "Eduroam werkt niet op iPhone",
        "Leerling krijgt geen verbinding met eduroam op zijn iPhone, wachtwoord wordt steeds gevraagd.",
        "Netwerk vergeten en opnieuw verbonden met volledige e-mailadres als gebruikersnaam.",
    ),
    "m_wifi_slow": (
        "Wifi traag in gymzaal",
        "In de gymzaal valt de wifi steeds weg en is het erg traag.",
        "Access point in de gymzaal herstart via de controller en kanaal aangepast.",
    ),
    "m_password": (
        "Wachtwoord vergeten docent",
        "Docent is zijn wachtwoord vergeten en kan niet inloggen op de computer.",
        "Tijdelijk wachtwoord ingesteld, docent wijzigt het bij de eerste keer inloggen.",
    ),
    "m_locked": (
        "Account locked after holiday",
        "After the holiday I cannot sign in, it says my account is locked.",
        "Account unlocked in Active Directory; the old password was still saved on the phone.",
    ),
    "m_outlook_hangs": (
        "Outlook blijft hangen bij opstarten",
        "Outlook blijft op Profiel laden staan en start niet.",
        "Nieuw Outlook-profiel aangemaakt, daarna werkte het weer.",
    ),
    "m_mailbox_full": (
        "Mailbox is vol",
        "Ik krijg een melding dat mijn postvak bijna vol is en kan geen mail meer versturen.",
        "Samen met de gebruiker oude mail gearchiveerd en verwijderde items geleegd.",
    ),
    "m_teams_mic": (
        "Microfoon doet het niet in Teams",
        "Tijdens een Teams-vergadering hoort niemand mij, mijn microfoon werkt niet.",
        "In Teams bij Apparaten de headset als microfoon gekozen.",
    ),
    "m_sharepoint": (
        "No access to the Finance SharePoint site",
        "New colleague cannot open the Finance site in SharePoint, access denied.",
        "Added the colleague to the Finance members group.",
    ),
    "m_vpn": (
        "VPN verbindt niet vanuit huis",
        "Sinds vanochtend kan ik thuis geen verbinding maken met de VPN, FortiClient geeft een fout.",
        "FortiClient bijgewerkt naar de laatste versie, verbinding werkt weer.",
    ),
    "m_vpn_cert": (
        "VPN certificaat waarschuwing",
        "Bij het verbinden met de VPN krijgen alle gebruikers een certificaatwaarschuwing.",
        "Servercertificaat op de FortiGate vernieuwd.",
    ),
    "m_smartboard": (
        "Digibord lokaal 1.05 geen beeld",
        "Het digibord in lokaal 1.05 blijft zwart, de pc staat wel aan.",
        "HDMI-kabel vervangen, bron op HDMI 1 gezet.",
    ),
    "m_chromebook": (
        "Chromebook gaat niet meer aan",
        "De chromebook van een leerling gaat niet meer aan, ook niet na opladen.",
        "Hard reset uitgevoerd (aan-uit + vernieuwen), daarna startte hij weer.",
    ),
    "m_magister": (
        "Ouder kan niet inloggen in Magister",
        "Een ouder krijgt bij Magister de melding dat de gebruikersnaam onbekend is.",
        "Ouderaccount in Magister opnieuw geactiveerd en nieuwe inloggegevens gestuurd.",
    ),
    "m_somtoday": (
        "Rooster klopt niet in Somtoday",
        "Het rooster van klas 3B in Somtoday laat de oude lessen zien.",
        "Synchronisatie met Zermelo handmatig gestart.",
    ),
    "m_scanner": (
        "Scan to mail komt niet aan",
        "Als ik scan naar mijn e-mail op de kopieermachine komt er niets binnen.",
        "Relay connector in Exchange aangepast voor het nieuwe IP-adres van de copier.",
    ),
    "m_office_license": (
        "Word zegt product niet geactiveerd",
        "Word geeft een gele balk: product niet geactiveerd, licentie verlopen.",
        "Afgemeld en opnieuw aangemeld met het schoolaccount, licentie weer actief.",
    ),
    "m_file_deleted": (
        "Map per ongeluk verwijderd op de S-schijf",
        "Ik heb per ongeluk de map Toetsen verwijderd van de gedeelde schijf.",
        "Map teruggezet uit de Veeam-back-up van gisteravond.",
    ),
    "m_onedrive": (
        "OneDrive sync error",
        "OneDrive shows a red cross and my files do not sync anymore.",
        "Unlinked and relinked the PC in OneDrive settings; a file name with a colon was renamed.",
    ),
    "m_projector": (
        "Beamer aula flikkert",
        "De beamer in de aula flikkert tijdens presentaties.",
        "Lamp van de beamer vervangen.",
    ),
}

# (query brief description, query request, relevant article keys, relevant melding keys)
QUERIES: list[tuple[str, str, set[str], set[str]]] = [
    ("Papier vast in printer", "De printer zegt dat er papier vastzit", {"a_printer_jam"}, {"m_printer_jam"}),
    (
        "Kan niet printen",
        "Mijn printopdracht blijft in de wachtrij staan",
        {"a_printer_queue"},
        {"m_printer_offline"},
    ),
    (
        "Nieuwe printer installeren",
        "Hoe voeg ik de printer van mijn lokaal toe aan mijn laptop?",
        {"a_printer_add"},
        set(),
    ),
    (
        "eduroam lukt niet",
        "Ik krijg geen verbinding met eduroam op mijn telefoon",
        {"a_wifi_eduroam"},
        {"m_eduroam"},
    ),
    ("Wifi voor bezoekers", "Wij krijgen morgen gasten, hoe komen die op de wifi?", {"a_wifi_guest"}, set()),
    ("Wifi valt steeds weg", "In lokaal 3 valt de wifi steeds weg", {"a_wifi_controller"}, {"m_wifi_slow"}),
    (
        "Wachtwoord vergeten",
        "Ik ben mijn wachtwoord kwijt en kan niet inloggen",
        {"a_password_reset"},
        {"m_password"},
    ),
    (
        "Account geblokkeerd",
        "Ik heb te vaak een verkeerd wachtwoord ingetypt",
        {"a_account_locked"},
        {"m_locked"},
    ),
    ("I forgot my password", "I cannot log in anymore", {"a_password_reset"}, {"m_password", "m_locked"}),
    (
        "Authenticator app instellen",
        "Hoe stel ik tweestapsverificatie in met de authenticator?",
        {"a_mfa"},
        set(),
    ),
    (
        "Outlook start niet op",
        "Outlook blijft hangen bij het laden",
        {"a_outlook_profile"},
        {"m_outlook_hangs"},
    ),
    (
        "Postvak vol",
        "Mijn mailbox is vol, ik kan niets meer versturen",
        {"a_outlook_mailbox_full"},
        {"m_mailbox_full"},
    ),
    (
        "Toegang tot gedeelde mailbox",
        "Kan ik toegang krijgen tot de gedeelde mailbox van de administratie?",
        {"a_shared_mailbox"},
        set(),
    ),
    (
        "Camera werkt niet in Teams",
        "Anderen zien mij niet in de Teams vergadering",
        {"a_teams_camera"},
        set(),
    ),
    ("Teams microphone", "Nobody can hear me in Teams meetings", {"a_teams_camera"}, {"m_teams_mic"}),
    ("Teams doet raar", "Teams geeft steeds vreemde fouten en laadt niet goed", {"a_teams_cache"}, set()),
    (
        "SharePoint access denied",
        "I get access denied on the team site",
        {"a_sharepoint_access"},
        {"m_sharepoint"},
    ),
    (
        "OneDrive synchroniseert niet",
        "Mijn bestanden worden niet meer gesynchroniseerd met OneDrive",
        {"a_onedrive_sync"},
        {"m_onedrive"},
    ),
    ("VPN werkt niet thuis", "Ik kan thuis geen verbinding maken met FortiClient", {"a_vpn"}, {"m_vpn"}),
    (
        "VPN certificate warning",
        "Users see a certificate warning when connecting to the VPN",
        {"a_vpn_certificate"},
        {"m_vpn_cert"},
    ),
    ("Digibord zwart", "Het digibord geeft geen beeld", {"a_smartboard"}, {"m_smartboard"}),
    (
        "Touchscreen reageert verkeerd",
        "Als ik op het digibord tik reageert hij op een andere plek",
        {"a_smartboard_calibrate"},
        set(),
    ),
    ("Chromebook start niet", "De chromebook gaat niet aan", {"a_chromebook"}, {"m_chromebook"}),
    (
        "Enroll new chromebooks",
        "How do we add new Chromebooks to the Google Admin console?",
        {"a_chromebook_enroll"},
        set(),
    ),
    ("Magister inloggen", "Ik kan niet inloggen in Magister", {"a_magister"}, {"m_magister"}),
    ("Rooster Somtoday", "Mijn rooster in Somtoday klopt niet", {"a_somtoday"}, {"m_somtoday"}),
    (
        "Scannen naar mail",
        "Hoe scan ik een document naar mijn e-mail?",
        {"a_scanner", "a_scanner_smtp"},
        {"m_scanner"},
    ),
    (
        "Scan komt niet aan",
        "De scan van de kopieermachine komt niet in mijn mail",
        {"a_scanner_smtp", "a_scanner"},
        {"m_scanner"},
    ),
    ("Office licentie", "Word vraagt om activering", {"a_license_office"}, {"m_office_license"}),
    ("Adobe licentie nodig", "Ik wil Photoshop gebruiken voor mijn lessen", {"a_license_adobe"}, set()),
    (
        "Bestand verwijderd",
        "Ik heb per ongeluk een bestand verwijderd, kan het terug?",
        {"a_recycle_bin", "a_backup_restore"},
        {"m_file_deleted"},
    ),
    (
        "Restore from backup",
        "Please restore a deleted folder from last night's backup",
        {"a_backup_restore", "a_recycle_bin"},
        {"m_file_deleted"},
    ),
    ("Beamer flikkert", "De beamer in de aula flikkert", set(), {"m_projector"}),
]


@dataclass
class Corpus:
    articles: dict[str, int]  # key -> article id
    meldingen: dict[str, int]  # key -> melding id


def load(operator: Any, caller: Any) -> Corpus:
    """Create the articles (published) and the solved meldingen through the services."""
    from beheer.knowledge import services as kb
    from beheer.servicedesk import services as sd

    articles: dict[str, int] = {}
    for key, (title, body, tags, audience) in ARTICLES.items():
        article = kb.create_article(actor=operator, title=title, body=body, tags=tags, audience=audience)
        kb.publish(article, actor=operator, expected_version=article.version)
        articles[key] = article.pk
    meldingen: dict[str, int] = {}
    for key, (brief, request, solution) in MELDINGEN.items():
        m = sd.open_melding(
            actor=operator, brief_description=brief, request=request, entry_type="phone", caller=caller
        )
        sd.resolve_melding(m, solution=solution, actor=operator, expected_version=None)
        meldingen[key] = m.pk
    return Corpus(articles=articles, meldingen=meldingen)


@dataclass
class Quality:
    precision_at_5: float  # relevant among the shown (at most 5) suggestions, mean over lists
    hit_at_5: float  # a relevant document among the first 5
    mrr: float  # mean reciprocal rank of the first relevant document
    recall_at_5: float
    lists: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "suggest_precision_at_5": round(self.precision_at_5, 3),
            "suggest_hit_at_5": round(self.hit_at_5, 3),
            "suggest_mrr": round(self.mrr, 3),
            "suggest_recall_at_5": round(self.recall_at_5, 3),
            "suggest_lists": self.lists,
        }


def evaluate(corpus: Corpus, operator: Any) -> Quality:
    """Every query with relevant documents of a kind is one ranked list (articles, meldingen)."""
    from beheer.servicedesk.suggestions import suggest

    precision = hits = rr = recall = 0.0
    lists = 0
    for brief, request, rel_articles, rel_meldingen in QUERIES:
        result = suggest(brief, request, operator)
        for shown, relevant in (
            ([a.id for a in result.articles], {corpus.articles[k] for k in rel_articles}),
            ([m.id for m in result.meldingen], {corpus.meldingen[k] for k in rel_meldingen}),
        ):
            if not relevant:
                continue
            lists += 1
            top = shown[:5]
            found = [pk for pk in top if pk in relevant]
            precision += len(found) / len(top) if top else 0.0
            recall += len(found) / len(relevant)
            hits += 1.0 if found else 0.0
            rank = next((i for i, pk in enumerate(top, 1) if pk in relevant), None)
            rr += 1.0 / rank if rank else 0.0
    n = max(lists, 1)
    return Quality(precision / n, hits / n, rr / n, recall / n, lists)
