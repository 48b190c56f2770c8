"""Demo data: a small school with callers, a first-line and two second-line groups and ~200 meldingen.

Everything is created through the services, so the demo has the same history and search index as
real work. Running it twice does nothing the second time.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from beheer.accounts import services as accounts
from beheer.accounts.models import Branch, Department, Location, OperatorGroup, Role, User
from beheer.cmdb.models import Supplier
from beheer.core.clock import frozen
from beheer.core.errors import DomainError
from beheer.servicedesk import services
from beheer.servicedesk.models import (
    CallType,
    Category,
    ClosureCode,
    EntryType,
    Impact,
    Melding,
    OlaTarget,
    ServicedeskSettings,
    Status,
    Urgency,
    Visibility,
)

PASSWORD = "demo-wachtwoord-2026"
FIRST = [
    "Anouk",
    "Bas",
    "Daan",
    "Eva",
    "Fleur",
    "Gijs",
    "Hanna",
    "Iris",
    "Jesse",
    "Kim",
    "Lars",
    "Lotte",
    "Milan",
    "Noor",
    "Olaf",
    "Priya",
    "Ruben",
    "Sanne",
    "Thijs",
    "Tess",
    "Yara",
    "Zeynep",
    "Mohamed",
    "Sophie",
    "Luuk",
]
LAST = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Yilmaz",
    "El Amrani",
]
CATEGORIES = {
    ("Hardware", "Hardware"): [
        ("Laptop", "Laptop"),
        ("Printer", "Printer"),
        ("Digibord en beamer", "Smartboard and projector"),
    ],
    ("Software", "Software"): [
        ("Microsoft 365", "Microsoft 365"),
        ("Magister", "Magister"),
        ("Windows", "Windows"),
    ],
    ("Netwerk", "Network"): [
        ("Wifi", "Wi-Fi"),
        ("Internet", "Internet"),
        ("Netwerkaansluiting", "Network port"),
    ],
    ("Accounts en rechten", "Accounts and access"): [
        ("Wachtwoord", "Password"),
        ("Rechten", "Access rights"),
        ("Nieuw account", "New account"),
    ],
    ("Telefonie", "Telephony"): [("Vaste telefoon", "Desk phone"), ("Mobiel", "Mobile")],
}
PROBLEMS = [
    (
        "Printer {room} drukt niet af",
        "De printer in lokaal {room} geeft een papierstoring en drukt niets af.",
        "Hardware",
        "Printer",
    ),
    (
        "Digibord in {room} reageert niet op aanraking",
        "Het digibord reageert niet meer; kalibreren helpt niet.",
        "Hardware",
        "Digibord en beamer",
    ),
    ("Laptop start niet op", "Mijn laptop blijft hangen op het logo van de fabrikant.", "Hardware", "Laptop"),
    (
        "Wachtwoord verlopen",
        "Ik kan niet meer inloggen, mijn wachtwoord is verlopen.",
        "Accounts en rechten",
        "Wachtwoord",
    ),
    (
        "Geen toegang tot de gedeelde map Sectie Wiskunde",
        "Ik zie de map van de sectie niet meer in de Verkenner.",
        "Accounts en rechten",
        "Rechten",
    ),
    (
        "Wifi valt steeds weg in {room}",
        "Leerlingen verliezen elke paar minuten de wifi-verbinding in {room}.",
        "Netwerk",
        "Wifi",
    ),
    (
        "Magister laadt heel traag",
        "Cijfers invoeren in Magister duurt minuten per klas.",
        "Software",
        "Magister",
    ),
    (
        "Outlook synchroniseert niet",
        "Nieuwe mail komt niet binnen in Outlook, wel in de webversie.",
        "Software",
        "Microsoft 365",
    ),
    (
        "Nieuw account voor stagiair",
        "Graag een account voor onze stagiair vanaf maandag.",
        "Accounts en rechten",
        "Nieuw account",
    ),
    ("Windows-update blijft hangen", "De update staat al twee uur op 30 procent.", "Software", "Windows"),
    (
        "Netwerkaansluiting {room} doet het niet",
        "Het lampje van de wandcontactdoos brandt niet.",
        "Netwerk",
        "Netwerkaansluiting",
    ),
    (
        "Telefoon receptie geeft in gesprek",
        "Bellers krijgen de in-gesprektoon terwijl niemand belt.",
        "Telefonie",
        "Vaste telefoon",
    ),
]
SOLUTIONS = [
    "Papierstoring verholpen en de fuser gereinigd.",
    "Wachtwoord opnieuw ingesteld; de gebruiker is ingelogd.",
    "Driver bijgewerkt en apparaat opnieuw gestart.",
    "Rechten op de map hersteld via de groep Sectie Wiskunde.",
    "Access point vervangen; de verbinding is stabiel.",
    "Cache van de browser geleegd; Magister laadt weer normaal.",
]
ROOMS = ["1.04", "1.12", "2.03", "2.14", "2.21", "3.07", "aula", "mediatheek", "docentenkamer"]


DEMO_ARTICLES = [
    (
        "Wachtwoord wijzigen",
        "Zo wijzigt u uw schoolwachtwoord:\n\n1. Ga naar **Mijn account** in het portaal van school.\n"
        "2. Kies *Wachtwoord wijzigen*.\n3. Kies een wachtwoord van minstens 12 tekens.\n\n"
        "Lukt het niet? Meld het via het selfserviceportaal.",
        "instruction",
        "callers",
    ),
    (
        "Printer lokaal toont 'offline'",
        "**Oorzaak**: de printer heeft na een stroomstoring een nieuw IP-adres gekregen.\n\n"
        "**Oplossing**: zet in het printbeheer het adres terug naar het vaste adres uit de CMDB en "
        "herstart de afdrukwachtrij.",
        "solution",
        "operators",
    ),
    (
        "Back-up controleren (wekelijks)",
        "Elke maandag:\n\n- controleer in het back-uplogboek dat alle nachtelijke back-ups zijn gelukt;\n"
        "- zet één willekeurig bestand terug naar een testmap;\n- noteer het resultaat in de melding "
        "*Wekelijkse back-upcontrole*.",
        "procedure_backup",
        "operators",
    ),
]


class Command(BaseCommand):
    help = "Load demo data: a small school with callers, operators, categories and ~200 meldingen."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--meldingen", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, meldingen: int, seed: int, **options: Any) -> None:
        if User.objects.filter(username="demo.behandelaar").exists():
            self._follow_site_url()
            self.stdout.write("Demo data is already loaded.")
            return
        rng = random.Random(seed)
        with transaction.atomic():
            people = self._organisation(rng)
        self._meldingen(rng, people, meldingen)
        while services.refresh_stale_olas():  # the OLA figures the worker would compute
            pass
        with transaction.atomic():
            self._knowledge(people)
            self._monitoring(people)
            from beheer.operations import demo as operations_demo

            desk, systems, _network = people["groups"]
            operations_demo.load(
                coordinator=people["coordinator"],
                desk=desk,
                systems=systems,
                operator=people["desk"][0],
                specialist=people["systems"],
            )
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {Melding.objects.count()} meldingen."))
        self.stdout.write(
            "Logins (password " + PASSWORD + "): demo.behandelaar (operator), demo.specialist (second line), "
            "demo.coordinator, demo.beheerder (administrator), demo.melder (caller)."
        )

    def _knowledge(self, people: dict[str, Any]) -> None:
        """A few published articles: one for callers in the portal, two for the desk."""
        from beheer.knowledge import services as knowledge

        author = people["desk"][0]
        for title, body, kind, audience in DEMO_ARTICLES:
            article = knowledge.create_article(
                actor=author, title=title, body=body, kind=kind, audience=audience, owner=author
            )
            if knowledge.review_required(article.kind):
                article = knowledge.submit_for_review(article, actor=author, expected_version=article.version)
                knowledge.approve_and_publish(
                    article, actor=people["coordinator"], expected_version=article.version
                )
            else:
                knowledge.publish(article, actor=author, expected_version=article.version)

    @staticmethod
    def _self_targets() -> dict[str, str]:
        """What the demo's checks of Beheer itself probe: the address this installation serves."""
        from django.conf import settings

        site = str(settings.SITE_URL).rstrip("/")
        port = urlsplit(site).port or (443 if site.startswith("https:") else 80)
        return {"Beheer zelf": site + "/api/v1/health", "Beheer webpoort": f"127.0.0.1:{port}"}

    def _follow_site_url(self) -> None:
        """Demo data loaded for another address (`BEHEER_BIND`): point its self-checks at this one, so
        they do not go down and open outage meldingen."""
        from dataclasses import fields

        from beheer.monitoring import services as monitoring
        from beheer.monitoring.models import Check

        admin = User.objects.filter(username="demo.beheerder").first()
        if admin is None:
            return
        for name, target in self._self_targets().items():
            check = Check.objects.filter(name=name, host="beheer", created_by=None).first()
            if check is None or check.target == target:
                continue
            values = {f.name: getattr(check, f.name) for f in fields(monitoring.CheckData)}
            values["options"] = monitoring.plain_options(check)
            values["target"] = target
            monitoring.update_check(
                check, actor=admin, data=monitoring.CheckData(**values), expected_version=check.version
            )
            self.stdout.write(f"Demo check {name!r} now probes {target}.")

    def _monitoring(self, people: dict[str, Any]) -> None:
        """Beheer's own health URL and web port (the monitor of `beheer run` probes them), a backup
        heartbeat and a weekly maintenance window for the file server."""
        from beheer.monitoring import services as monitoring
        from beheer.monitoring.models import Check, CheckKind

        desk = people["groups"][0]
        now = timezone.now()
        targets = self._self_targets()
        Check.objects.create(
            name="Beheer zelf",
            kind=CheckKind.HTTP,
            target=targets["Beheer zelf"],
            host="beheer",
            operator_group=desk,
            created_at=now,
        )
        backup = Check.objects.create(
            name="Nachtelijke back-up fileserver",
            kind=CheckKind.PUSH,
            host="fs01",
            interval_seconds=86400,
            grace_seconds=3600,
            operator_group=desk,
            created_at=now,
        )
        monitoring.issue_push_token(backup, actor=people["desk"][0])
        Check.objects.create(
            name="Beheer webpoort",
            kind=CheckKind.TCP,
            target=targets["Beheer webpoort"],
            host="beheer",
            tags="intern",
            operator_group=desk,
            created_at=now,
        )
        # the weekly patch evening of the file server: its backup's silence then opens no melding
        local = timezone.localtime(now)
        monitoring.create_window(
            actor=people["desk"][0],
            data=monitoring.WindowData(
                name="Patchavond fileserver",
                start=local.replace(hour=22, minute=0, second=0, microsecond=0, tzinfo=None),
                duration_minutes=120,
                rule="FREQ=WEEKLY;BYDAY=WE",
                hosts="fs01",
            ),
        )

    def _organisation(self, rng: random.Random) -> dict[str, Any]:
        main = Branch.objects.create(
            name="Het Baken College - Hoofdgebouw", address="Schoolstraat 1", city="Utrecht"
        )
        north = Branch.objects.create(
            name="Het Baken College - Dependance Noord", address="Noordweg 12", city="Utrecht"
        )
        departments = [
            Department.objects.create(name=n)
            for n in ("Onderwijs", "Administratie", "Directie", "Facilitair", "ICT")
        ]
        locations = [
            Location.objects.create(branch=main if i % 3 else north, name=f"Lokaal {room}")
            for i, room in enumerate(ROOMS)
        ]
        for (nl, en), children in CATEGORIES.items():
            parent = Category.objects.create(name=nl, name_en=en)
            for c_nl, c_en in children:
                Category.objects.create(name=c_nl, name_en=c_en, parent=parent)
        for name in ("Ricoh Nederland", "KPN Zakelijk", "Dell Technologies"):
            Supplier.objects.create(name=name, email=f"support@{name.split()[0].lower()}.example")

        desk = OperatorGroup.objects.create(
            name="Servicedesk", is_first_line=True, email="servicedesk@baken.example"
        )
        systems = OperatorGroup.objects.create(name="Systeembeheer", is_second_line=True)
        network = OperatorGroup.objects.create(name="Netwerkbeheer", is_second_line=True)
        settings = ServicedeskSettings.current()
        settings.default_first_line_group = desk
        settings.save()
        # OLA: a melding stays at most two office hours with the first line.
        OlaTarget.objects.create(operator_group=desk, minutes=120)

        def person(username: str, first: str, last: str, role: str, **kw: Any) -> User:
            return accounts.register_person(
                actor=None,
                username=username,
                first_name=first,
                last_name=last,
                role=role,
                email=f"{username}@baken.example",
                password=PASSWORD,
                branch=main,
                department=kw.pop("department", departments[4]),
                **kw,
            )

        operator = person("demo.behandelaar", "Bente", "Behandelaar", Role.OPERATOR)
        helper = person("demo.servicedesk", "Sam", "de Jong", Role.OPERATOR)
        specialist = person("demo.specialist", "Stefan", "Systeem", Role.OPERATOR)
        netops = person("demo.netwerk", "Nadia", "Netwerk", Role.OPERATOR)
        coordinator = person("demo.coordinator", "Carla", "Coördinator", Role.COORDINATOR)
        person("demo.beheerder", "Bart", "Beheerder", Role.ADMIN)
        desk.members.add(operator, helper, coordinator)
        systems.members.add(specialist, coordinator)
        network.members.add(netops)
        desk.coordinator = systems.coordinator = coordinator
        desk.save()
        systems.save()

        caller = person(
            "demo.melder",
            "Mila",
            "Melder",
            Role.CALLER,
            department=departments[0],
            location=locations[3],
            phone="030 123 45 67",
        )
        callers = [caller]
        for i in range(40):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            callers.append(
                accounts.register_person(
                    actor=None,
                    username=f"{first}.{last}.{i}".lower().replace(" ", ""),
                    first_name=first,
                    last_name=last,
                    email=f"{first}.{last.replace(' ', '')}{i}@baken.example".lower(),
                    role=Role.CALLER,
                    department=rng.choice(departments[:4]),
                    branch=rng.choice([main, north]),
                    location=rng.choice(locations),
                    phone=f"030 {rng.randint(100, 999)} {rng.randint(10, 99)} 00",
                )
            )
        return {
            "desk": [operator, helper],
            "systems": specialist,
            "network": netops,
            "callers": callers,
            "groups": (desk, systems, network),
            "coordinator": coordinator,
        }

    def _meldingen(self, rng: random.Random, p: dict[str, Any], count: int) -> None:
        desk, systems, network = p["groups"]
        call_types = list(CallType.objects.all())
        impacts, urgencies = list(Impact.objects.all()), list(Urgency.objects.all())
        in_progress = Status.objects.get(code="in_progress")
        waiting = list(Status.objects.filter(kind="waiting"))
        codes = list(ClosureCode.objects.exclude(code="duplicate"))
        categories = {c.name: c for c in Category.objects.all()}
        suppliers = list(Supplier.objects.all())
        start = timezone.now() - timedelta(days=60)
        for i in range(count):
            created = start + timedelta(minutes=int(i * 60 * 24 * 59 / max(count, 1)) + rng.randint(0, 50))
            brief, request, cat, sub = rng.choice(PROBLEMS)
            room = rng.choice(ROOMS)
            caller = p["callers"][0] if i % 15 == 0 else rng.choice(p["callers"])
            operator = rng.choice(p["desk"])
            age = (timezone.now() - created).days
            # Older meldingen are mostly finished; recent ones are still being worked on.
            fate = rng.choices(
                ["open", "waiting", "second", "resolved", "closed"],
                weights=[2, 1, 1, 2, 6] if age > 10 else [5, 2, 3, 2, 1],
            )[0]
            try:
                with frozen(created):
                    m = services.open_melding(
                        actor=caller if i % 4 == 0 else operator,
                        brief_description=brief.format(room=room)[:80],
                        request=request.format(room=room),
                        entry_type=EntryType.PORTAL
                        if i % 4 == 0
                        else rng.choice([EntryType.PHONE, EntryType.EMAIL, EntryType.DESK]),
                        call_type=rng.choice(call_types[:3]),
                        caller=caller,
                        category=categories[cat],
                        subcategory=categories[sub],
                        object_name=f"Lokaal {room}" if "{room}" in brief else "",
                        impact=rng.choice(impacts),
                        urgency=rng.choice(urgencies),
                        operator_group=desk,
                    )
                self._handle(
                    rng,
                    m,
                    fate,
                    created,
                    operator,
                    p,
                    in_progress,
                    waiting,
                    codes,
                    systems,
                    network,
                    suppliers,
                )
            except DomainError as exc:  # pragma: no cover - demo data is generated to be valid
                self.stderr.write(f"Skipped a demo melding: {exc.message}")

    def _handle(
        self,
        rng: random.Random,
        m: Melding,
        fate: str,
        created: Any,
        operator: User,
        p: dict[str, Any],
        in_progress: Status,
        waiting: list[Status],
        codes: list[ClosureCode],
        systems: OperatorGroup,
        network: OperatorGroup,
        suppliers: list[Supplier],
    ) -> None:
        t = created + timedelta(minutes=rng.randint(5, 90))
        with frozen(t):
            if m.created_by_id != operator.pk and fate == "open" and rng.random() < 0.4:
                return  # still new and unassigned to a person
            m = services.assign_melding(
                m,
                operator_group=m.operator_group,
                operator=operator,
                actor=operator,
                expected_version=m.version,
            )
            m = services.change_status(m, status=in_progress, actor=operator, expected_version=m.version)
            services.add_note(
                m, text="Melding opgepakt, ik kijk ernaar.", visibility=Visibility.CALLER, actor=operator
            )
            services.register_time(m, minutes=rng.choice([5, 10, 15, 20]), actor=operator)
        if fate == "waiting":
            with frozen(t + timedelta(minutes=30)):
                status = rng.choice(waiting)
                services.change_status(
                    m,
                    status=status,
                    supplier=suppliers[m.pk % len(suppliers)] if status.asks_supplier and suppliers else None,
                    actor=operator,
                    expected_version=m.version + 0,
                )
            return
        if fate in ("second", "resolved", "closed") and rng.random() < 0.45:
            group = network if m.category and m.category.name == "Netwerk" else systems
            specialist = p["network"] if group == network else p["systems"]
            with frozen(t + timedelta(hours=1)):
                m = services.escalate_melding(
                    m,
                    to_group=group,
                    operator=specialist,
                    reason="Vraagt kennis van de tweede lijn.",
                    actor=operator,
                    expected_version=m.version,
                )
                services.add_note(
                    m,
                    text="Logbestanden bekeken; oorzaak lijkt in de configuratie te zitten.",
                    visibility=Visibility.INTERNAL,
                    actor=specialist,
                )
                if rng.random() < 0.3:
                    services.create_partial(
                        m,
                        brief_description="Onderdeel bestellen bij leverancier",
                        supplier=rng.choice(suppliers),
                        actor=specialist,
                    )
            operator = specialist
        if fate in ("open", "second"):
            return
        with frozen(t + timedelta(hours=rng.randint(2, 30))):
            m.refresh_from_db()
            for partial in Melding.objects.filter(parent=m, is_open=True):
                services.resolve_melding(
                    partial,
                    solution="Onderdeel geleverd en geplaatst.",
                    actor=operator,
                    expected_version=partial.version,
                )
            m.refresh_from_db()
            m = services.resolve_melding(
                m,
                solution=rng.choice(SOLUTIONS),
                closure_code=rng.choice(codes),
                actor=operator,
                expected_version=m.version,
            )
        if fate == "closed" and m.caller is not None:
            rating = rng.choice([5, 5, 4, 4, 4, 3, 2, None, None])
            comment = rng.choice(["", "", "Snel en vriendelijk geholpen.", "Duurde wat lang."])
            with frozen(t + timedelta(days=1)):
                services.confirm_resolution(
                    m, actor=m.caller, rating=rating, comment=comment if rating else ""
                )
