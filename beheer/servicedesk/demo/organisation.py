"""The demo school, Het Baken College: branches, departments, rooms, categories, suppliers, groups
and people.

People and operator groups are made through the accounts services. Branches, departments, rooms,
categories, suppliers, the servicedesk settings and the OLA are configuration rows, which have no
services (an administrator edits them in the configuration screens), so they are written directly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from beheer.accounts import services as accounts
from beheer.accounts.models import Branch, Department, Location, OperatorGroup, Role, User
from beheer.cmdb.models import Supplier

from ..models import Category, OlaTarget, ServicedeskSettings
from .families import NORTH_ROOMS, ROOMS

PASSWORD = "demo-wachtwoord-2026"
OPERATOR_USERNAME = "demo.behandelaar"  # its existence means: the demo is loaded
ADMIN_USERNAME = "demo.beheerder"

FIRST = (
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
)
LAST = (
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
)
CATEGORIES = {
    ("Hardware", "Hardware"): [
        ("Laptop", "Laptop"),
        ("Chromebook", "Chromebook"),
        ("Printer", "Printer"),
        ("Digibord en beamer", "Smartboard and projector"),
    ],
    ("Software", "Software"): [
        ("Microsoft 365", "Microsoft 365"),
        ("Magister", "Magister"),
        ("ELO", "Learning environment"),
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
SUPPLIERS = ("Ricoh Nederland", "KPN Zakelijk", "Dell Technologies", "Prowise")
CALLERS = 40


@dataclass
class School:
    main: Branch
    north: Branch
    desk: OperatorGroup
    systems: OperatorGroup
    network: OperatorGroup
    desk_operators: list[User]
    specialist: User
    network_specialist: User
    coordinator: User
    administrator: User
    callers: list[User]
    north_callers: list[User]
    demo_caller: User
    categories: dict[str, Category] = field(default_factory=dict)
    suppliers: dict[str, Supplier] = field(default_factory=dict)

    def group(self, key: str) -> OperatorGroup:
        return self.network if key == "network" else self.systems

    def specialist_of(self, group: OperatorGroup) -> User:
        return self.network_specialist if group.pk == self.network.pk else self.specialist


def create(rng: random.Random) -> School:
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
    rooms = [Location.objects.create(branch=main, name=room[0].upper() + room[1:]) for room in ROOMS]
    north_rooms = [
        Location.objects.create(branch=north, name=room[0].upper() + room[1:]) for room in NORTH_ROOMS
    ]
    categories: dict[str, Category] = {}
    for order, ((nl, en), children) in enumerate(CATEGORIES.items()):
        parent = Category.objects.create(name=nl, name_en=en, order=order)
        categories[nl] = parent
        for child_order, (c_nl, c_en) in enumerate(children):
            categories[c_nl] = Category.objects.create(
                name=c_nl, name_en=c_en, parent=parent, order=child_order
            )
    suppliers = {
        name: Supplier.objects.create(name=name, email=f"support@{name.split()[0].lower()}.example")
        for name in SUPPLIERS
    }

    desk = accounts.create_operator_group(
        name="Servicedesk",
        is_first_line=True,
        is_second_line=False,
        actor=None,
        email="servicedesk@baken.example",
    )
    systems = accounts.create_operator_group(
        name="Systeembeheer", is_first_line=False, is_second_line=True, actor=None
    )
    network = accounts.create_operator_group(
        name="Netwerkbeheer", is_first_line=False, is_second_line=True, actor=None
    )
    settings = ServicedeskSettings.current()
    settings.default_first_line_group = desk
    settings.save()
    # OLA: a melding stays at most two office hours with the first line before it is solved or escalated.
    OlaTarget.objects.create(operator_group=desk, minutes=120)

    def person(username: str, first: str, last: str, role: str, **kw: object) -> User:
        return accounts.register_person(
            actor=None,
            username=username,
            first_name=first,
            last_name=last,
            role=role,
            email=f"{username}@baken.example",
            password=PASSWORD,
            branch=main,
            department=kw.pop("department", departments[4]),  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )

    operator = person(OPERATOR_USERNAME, "Bente", "Behandelaar", Role.OPERATOR)
    helper = person("demo.servicedesk", "Sam", "de Jong", Role.OPERATOR)
    specialist = person("demo.specialist", "Stefan", "Systeem", Role.OPERATOR)
    netops = person("demo.netwerk", "Nadia", "Netwerk", Role.OPERATOR)
    coordinator = person("demo.coordinator", "Carla", "Coördinator", Role.COORDINATOR)
    administrator = person(ADMIN_USERNAME, "Bart", "Beheerder", Role.ADMIN)
    for group, members in (
        (desk, (operator, helper, coordinator)),
        (systems, (specialist, coordinator)),
        (network, (netops,)),
    ):
        for member in members:
            accounts.add_group_member(group, member=member, actor=None)
    desk.coordinator = systems.coordinator = network.coordinator = coordinator  # configuration, no service
    for group in (desk, systems, network):
        group.save(update_fields=["coordinator"])

    demo_caller = person(
        "demo.melder",
        "Mila",
        "Melder",
        Role.CALLER,
        department=departments[0],
        location=rooms[3],
        phone="030 123 45 67",
    )
    callers: list[User] = [demo_caller]
    north_callers: list[User] = []
    for i in range(CALLERS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        in_north = i % 4 == 3
        caller = accounts.register_person(
            actor=None,
            username=f"{first}.{last}.{i}".lower().replace(" ", ""),
            first_name=first,
            last_name=last,
            email=f"{first}.{last.replace(' ', '')}{i}@baken.example".lower(),
            role=Role.CALLER,
            department=departments[0] if i % 5 else rng.choice(departments[1:4]),
            branch=north if in_north else main,
            location=rng.choice(north_rooms if in_north else rooms),
            phone=f"030 {rng.randint(100, 999)} {rng.randint(10, 99)} 00",
        )
        (north_callers if in_north else callers).append(caller)
    return School(
        main=main,
        north=north,
        desk=desk,
        systems=systems,
        network=network,
        desk_operators=[operator, helper],
        specialist=specialist,
        network_specialist=netops,
        coordinator=coordinator,
        administrator=administrator,
        callers=callers,
        north_callers=north_callers,
        demo_caller=demo_caller,
        categories=categories,
        suppliers=suppliers,
    )
