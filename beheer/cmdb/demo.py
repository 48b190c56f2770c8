"""The CMDB's part of the demo school: Het Baken College's services, applications, servers and
network, with their relations, made through the CMDB services as the administrator documented them
when Beheer was introduced.

The names match what the rest of the demo points at (the file server `fs01` whose backup is checked,
`dc01`, `app01`, `nas-backup01` and the UPS of the server room in the preventive activities; the
access points of the Dependance Noord whose firmware the Wi-Fi problem is about).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from beheer.accounts.models import Branch, User

from . import services
from .models import AttributeKind, CiKind, CiStatus, CiType, ConfigurationItem, RelationKind, Supplier

UNIFI_FIRMWARE_NORTH = "6.6.55"  # the update behind the demo's Wi-Fi problem
UNIFI_FIRMWARE_MAIN = "6.5.62"


@dataclass
class Network:
    """What the demo made, by name."""

    items: dict[str, ConfigurationItem] = field(default_factory=dict)

    def __getitem__(self, name: str) -> ConfigurationItem:
        return self.items[name]


def _attribute(admin: User, ci_type: CiType, code: str, nl: str, en: str, kind: str, **extra: Any) -> None:
    services.save_attribute(
        None,
        actor=admin,
        ci_type=ci_type,
        data=services.AttributeData(code=code, label_nl=nl, label_en=en, kind=kind, **extra),
    )


def _types(admin: User) -> dict[str, CiType]:
    """The shipped types the school uses get their attributes; a type of its own for the UPS."""
    types = {t.code: t for t in CiType.objects.all()}
    _attribute(admin, types["laptop"], "geheugen-gb", "Geheugen (GB)", "Memory (GB)", AttributeKind.NUMBER)
    _attribute(
        admin,
        types["laptop"],
        "besturingssysteem",
        "Besturingssysteem",
        "Operating system",
        AttributeKind.CHOICE,
        choices=["Windows 11", "ChromeOS", "macOS"],
    )
    _attribute(admin, types["access_point"], "firmware", "Firmware", "Firmware", AttributeKind.TEXT)
    _attribute(admin, types["switch"], "firmware", "Firmware", "Firmware", AttributeKind.TEXT)
    _attribute(admin, types["switch"], "poorten", "Aantal poorten", "Number of ports", AttributeKind.NUMBER)
    _attribute(
        admin,
        types["application"],
        "saas",
        "Clouddienst (SaaS)",
        "Cloud service (SaaS)",
        AttributeKind.BOOLEAN,
    )
    types["ups"] = services.save_type(
        None,
        actor=admin,
        data=services.TypeData(code="ups", name_nl="UPS", name_en="UPS", kind=CiKind.HARDWARE, order=200),
    )
    _attribute(admin, types["ups"], "capaciteit-va", "Capaciteit (VA)", "Capacity (VA)", AttributeKind.NUMBER)
    _attribute(
        admin, types["ups"], "accu-vervangen", "Accu vervangen op", "Battery replaced on", AttributeKind.DATE
    )
    return types


def create(
    *,
    administrator: User,
    coordinator: User,
    systems: User,
    network: User,
    main: Branch,
    north: Branch,
    callers: Sequence[User],
    suppliers: Mapping[str, Supplier],
    today: date,
    rng: random.Random,
) -> Network:
    """The school's CMDB: six services, their applications, servers and VMs, the network of both
    buildings, the printers and a dozen laptops of staff, related as they rest on each other."""
    types = _types(administrator)
    made = Network()
    bought = today - timedelta(days=3 * 365 + 40)

    def ci(name: str, code: str, **kw: Any) -> ConfigurationItem:
        made.items[name] = services.create_item(
            actor=administrator, data=services.ItemData(name=name, ci_type=types[code], **kw)
        )
        return made.items[name]

    def rel(source: str, kind: str, target: str) -> None:
        services.add_relation(made[source], actor=administrator, target=made[target], kind=kind)

    kpn, dell = suppliers.get("KPN Zakelijk"), suppliers.get("Dell Technologies")
    ricoh = suppliers.get("Ricoh Nederland")
    for name, owner in (
        ("Wifi (eduroam en gasten)", network),
        ("Internetverbinding", network),
        ("Magister", coordinator),
        ("E-mail en Office 365", systems),
        ("Bestandsopslag", systems),
        ("Printen", systems),
    ):
        ci(
            name,
            "service",
            owner=owner,
            description="Dienst voor medewerkers en leerlingen van Het Baken College.",
        )
    ci("Magister (applicatie)", "application", owner=coordinator, attributes={"saas": "ja"})
    ci("Microsoft 365", "application", owner=systems, attributes={"saas": "ja"})
    ci("Active Directory", "application", owner=systems)
    ci("PaperCut MF", "application", owner=systems)
    ci("Veeam Backup", "application", owner=systems)
    ci("UniFi Network Application", "application", owner=network)

    room = {
        "branch": main,
        "supplier": dell,
        "purchase_date": bought,
        "warranty_until": bought + timedelta(days=5 * 365),
    }
    ci(
        "hv01",
        "server",
        owner=systems,
        host_name="hv01",
        serial_number="DL380-7731",
        cost=Decimal("8450.00"),
        **room,
    )
    ci(
        "hv02",
        "server",
        owner=systems,
        host_name="hv02",
        serial_number="DL380-7732",
        cost=Decimal("8450.00"),
        **room,
    )
    ci("nas-backup01", "server", owner=systems, host_name="nas-backup01", branch=main)
    for name, host in (
        ("dc01", "hv01"),
        ("dc02", "hv02"),
        ("fs01", "hv01"),
        ("app01", "hv02"),
        ("print01", "hv02"),
    ):
        ci(name, "virtual_machine", owner=systems, host_name=name, branch=main)
        rel(name, RelationKind.RUNS_ON, host)
    ci(
        "ups-serverruimte",
        "ups",
        owner=systems,
        branch=main,
        attributes={"capaciteit-va": "3000", "accu-vervangen": (today - timedelta(days=400)).isoformat()},
    )

    net = {"owner": network}
    ci("fw01", "firewall", host_name="fw01", branch=main, **net)
    ci("rtr-kpn01", "router", host_name="rtr-kpn01", branch=main, supplier=kpn, **net)
    ci(
        "sw-core01",
        "switch",
        host_name="sw-core01",
        branch=main,
        attributes={"poorten": "48", "firmware": "7.1.68"},
        **net,
    )
    ci(
        "Glasvezel Hoofdgebouw - Noord",
        "network_link",
        description="Glasvezel tussen de serverruimte en de Dependance Noord.",
        **net,
    )
    for n in range(1, 5):
        ci(
            f"sw-hoofd0{n}",
            "switch",
            host_name=f"sw-hoofd0{n}",
            branch=main,
            attributes={"poorten": "24", "firmware": "7.1.68"},
            **net,
        )
        rel(f"sw-hoofd0{n}", RelationKind.CONNECTED_TO, "sw-core01")
    for n in range(1, 3):
        ci(
            f"sw-noord0{n}",
            "switch",
            host_name=f"sw-noord0{n}",
            branch=north,
            attributes={"poorten": "24", "firmware": "7.1.68"},
            **net,
        )
        rel(f"sw-noord0{n}", RelationKind.CONNECTED_TO, "Glasvezel Hoofdgebouw - Noord")
    for n in range(1, 9):
        name = f"ap-hoofd-{n // 3}.{n:02d}"
        ci(
            name,
            "access_point",
            host_name=name,
            branch=main,
            attributes={"firmware": UNIFI_FIRMWARE_MAIN},
            **net,
        )
        rel(name, RelationKind.CONNECTED_TO, f"sw-hoofd0{1 + n % 4}")
        rel(name, RelationKind.PART_OF, "Wifi (eduroam en gasten)")
    for n in range(1, 5):
        name = f"ap-noord-0.{n:02d}"
        ci(
            name,
            "access_point",
            host_name=name,
            branch=north,
            attributes={"firmware": UNIFI_FIRMWARE_NORTH},
            **net,
        )
        rel(name, RelationKind.CONNECTED_TO, f"sw-noord0{1 + n % 2}")
        rel(name, RelationKind.PART_OF, "Wifi (eduroam en gasten)")
    for room_name in ("2.03", "2.14", "2.21"):
        name = f"PRN-{room_name}"
        ci(
            name,
            "printer",
            host_name=f"prn-{room_name.replace('.', '')}",
            branch=main,
            supplier=ricoh,
            owner=systems,
        )
        rel(name, RelationKind.CONNECTED_TO, "sw-hoofd02")
        rel(name, RelationKind.PART_OF, "Printen")

    for a, kind, b in (
        ("Glasvezel Hoofdgebouw - Noord", RelationKind.CONNECTED_TO, "sw-core01"),
        ("sw-core01", RelationKind.CONNECTED_TO, "fw01"),
        ("fw01", RelationKind.CONNECTED_TO, "rtr-kpn01"),
        ("rtr-kpn01", RelationKind.PART_OF, "Internetverbinding"),
        ("hv01", RelationKind.CONNECTED_TO, "sw-core01"),
        ("hv02", RelationKind.CONNECTED_TO, "sw-core01"),
        ("nas-backup01", RelationKind.CONNECTED_TO, "sw-core01"),
        ("hv01", RelationKind.DEPENDS_ON, "ups-serverruimte"),
        ("hv02", RelationKind.DEPENDS_ON, "ups-serverruimte"),
        ("sw-core01", RelationKind.DEPENDS_ON, "ups-serverruimte"),
        ("dc01", RelationKind.DEPENDS_ON, "dc02"),  # the two domain controllers replicate: a cycle
        ("dc02", RelationKind.DEPENDS_ON, "dc01"),
        ("Active Directory", RelationKind.RUNS_ON, "dc01"),
        ("fs01", RelationKind.DEPENDS_ON, "Active Directory"),
        ("Bestandsopslag", RelationKind.DEPENDS_ON, "fs01"),
        ("Veeam Backup", RelationKind.INSTALLED_ON, "app01"),
        ("Veeam Backup", RelationKind.DEPENDS_ON, "nas-backup01"),
        ("UniFi Network Application", RelationKind.INSTALLED_ON, "app01"),
        ("PaperCut MF", RelationKind.INSTALLED_ON, "print01"),
        ("print01", RelationKind.DEPENDS_ON, "Active Directory"),
        ("print01", RelationKind.PART_OF, "Printen"),
        ("PaperCut MF", RelationKind.PART_OF, "Printen"),
        ("Magister (applicatie)", RelationKind.DEPENDS_ON, "Internetverbinding"),
        ("Magister", RelationKind.DEPENDS_ON, "Magister (applicatie)"),
        ("Microsoft 365", RelationKind.DEPENDS_ON, "Internetverbinding"),
        ("E-mail en Office 365", RelationKind.DEPENDS_ON, "Microsoft 365"),
        ("Wifi (eduroam en gasten)", RelationKind.DEPENDS_ON, "Internetverbinding"),
    ):
        rel(a, kind, b)

    for n, person in enumerate(rng.sample(list(callers), min(12, len(callers))), start=1):
        name = f"LT-{2300 + n:04d}"
        ci(
            name,
            "laptop",
            owner=person,
            users=[person],
            asset_tag=f"HBC-{2300 + n:05d}",
            serial_number=f"5CG{rng.randrange(10**6, 10**7)}",
            supplier=dell,
            purchase_date=bought + timedelta(days=rng.randrange(0, 500)),
            status=CiStatus.IN_USE if n != 12 else CiStatus.IN_REPAIR,
            attributes={"geheugen-gb": rng.choice(["8", "16"]), "besturingssysteem": "Windows 11"},
        )
        rel("Wifi (eduroam en gasten)", RelationKind.USED_BY, name)
    _network(network, made, main)
    _licences_and_contracts(made, administrator, systems, network, callers, suppliers, today)
    return made


SERVER_ADDRESSES = {
    "hv01": "10.10.0.11",
    "hv02": "10.10.0.12",
    "nas-backup01": "10.10.0.20",
    "dc01": "10.10.0.31",
    "dc02": "10.10.0.32",
    "fs01": "10.10.0.40",
    "app01": "10.10.0.50",
    "print01": "10.10.0.60",
}


def _network(admin: User, made: Network, main: Branch) -> None:
    """The network administrator's part: VLANs for staff, students and guests, their prefixes, the
    ports of sw-core01 and the access switches with the cables to the access points and servers, and
    the servers' addresses."""
    vlans = {
        key: services.save_vlan(
            None, actor=admin, data=services.VlanData(number=number, name=name, description=text, branch=main)
        )
        for key, number, name, text in (
            ("staff", 10, "medewerkers", "Medewerkers en servers"),
            ("students", 20, "leerlingen", "Leerlingen (eduroam)"),
            ("guests", 30, "gasten", "Gastennetwerk, alleen internet"),
        )
    }
    services.save_prefix(
        None,
        actor=admin,
        data=services.PrefixData(
            prefix="10.10.0.0/24", vlan=vlans["staff"], description="Medewerkers en servers"
        ),
    )
    services.save_prefix(
        None,
        actor=admin,
        data=services.PrefixData(prefix="10.20.0.0/22", vlan=vlans["students"], description="Leerlingen"),
    )
    services.save_prefix(
        None,
        actor=admin,
        data=services.PrefixData(prefix="10.30.0.0/24", vlan=vlans["guests"], description="Gasten"),
    )

    def port(ci_name: str, name: str, kind: str = "ethernet", speed: int = 1000) -> Any:
        return services.create_interface(
            made[ci_name], actor=admin, data=services.InterfaceData(name=name, kind=kind, speed_mbit=speed)
        )

    def cable(a: Any, b: Any, label: str) -> None:
        services.connect(a, actor=admin, other=b, label=label)

    for n in range(1, 5):  # the access switches' uplinks to the core
        uplink = port(f"sw-hoofd0{n}", "Te1/0/1", "fibre", 10000)
        cable(port("sw-core01", f"Te1/0/{n}", "fibre", 10000), uplink, f"G-{n:02d}")
    for n in range(1, 9):  # each access point on a port of its access switch
        switch = f"sw-hoofd0{1 + n % 4}"
        ap = f"ap-hoofd-{n // 3}.{n:02d}"
        cable(port(switch, f"Gi1/0/{n + 10}"), port(ap, "eth0"), f"K-{100 + n}")
    for n, (server, host_address) in enumerate(SERVER_ADDRESSES.items(), start=1):
        if server in ("dc01", "dc02", "fs01", "app01", "print01"):  # VMs: a virtual interface
            eth = port(server, "eth0", "virtual", 10000)
        else:
            eth = port(server, "eth0", "ethernet", 10000)
            cable(port("sw-core01", f"Gi1/0/{n}", "ethernet", 10000), eth, f"S-{n:02d}")
        services.save_address(
            None,
            actor=admin,
            data=services.AddressData(
                address=host_address, interface=eth, dns_name=f"{server}.hetbaken.local"
            ),
        )


def _licences_and_contracts(
    made: Network,
    administrator: User,
    systems: User,
    network: User,
    callers: Sequence[User],
    suppliers: Mapping[str, Supplier],
    today: date,
) -> None:
    """Licences (Microsoft 365 per user, Magister site licence, Veeam per device on the hosts,
    PaperCut) and contracts (Ricoh printer lease, KPN internet, Dell support on hv01/hv02), dated
    from today; the Dell support contract is close to its notice date."""
    kpn, dell = suppliers.get("KPN Zakelijk"), suppliers.get("Dell Technologies")
    ricoh = suppliers.get("Ricoh Nederland")
    year_start = today - timedelta(days=200)

    def licence(product: str, model: str, application: str, **kw: Any) -> Any:
        return services.create_licence(
            actor=administrator,
            data=services.LicenceData(
                product=product,
                licence_model=model,
                start_date=year_start,
                application=made.items.get(application),
                **kw,
            ),
        )

    m365 = licence(
        "Microsoft 365 A3",
        "per_user",
        "Microsoft 365",
        entitlements=25,
        owner=systems,
        expiry_date=today + timedelta(days=165),
        reference="EA-2025-0142",
    )
    for person in list(callers)[:20]:
        services.assign_licence(m365, actor=administrator, person=person)
    licence(
        "Magister",
        "site",
        "Magister (applicatie)",
        expiry_date=today + timedelta(days=300),
        notes="Schoollicentie voor alle leerlingen en medewerkers.",
    )
    veeam = licence(
        "Veeam Backup & Replication",
        "per_device",
        "Veeam Backup",
        entitlements=2,
        supplier=dell,
        owner=systems,
        expiry_date=today + timedelta(days=45),
    )
    for host in ("hv01", "hv02"):
        services.assign_licence(veeam, actor=administrator, ci=made[host])
    papercut = licence(
        "PaperCut MF", "per_device", "PaperCut MF", entitlements=1, supplier=ricoh, owner=systems
    )
    services.assign_licence(papercut, actor=administrator, ci=made["print01"])

    def contract(title: str, supplier: Supplier | None, kind: str, **kw: Any) -> None:
        if supplier is None:
            return
        services.create_contract(
            actor=administrator,
            data=services.ContractData(
                supplier=supplier, kind=kind, title=title, start_date=year_start, **kw
            ),
        )

    printers = [ci for ci in made.items.values() if ci.ci_type.code == "printer"]
    contract(
        "Lease multifunctionals",
        ricoh,
        "lease",
        reference="RICOH-L-2291",
        end_date=today + timedelta(days=3 * 365),
        notice_days=180,
        covered_cis=printers,
        response_time="8 uur",
        contacts="Servicedesk Ricoh: 088 123 4567",
        owner=systems,
    )
    contract(
        "Zakelijk internet glasvezel",
        kpn,
        "subscription",
        reference="KPN-ZI-5520",
        end_date=today + timedelta(days=400),
        notice_days=30,
        auto_renewal=True,
        covered_cis=[made["rtr-kpn01"]],
        response_time="4 uur",
        owner=network,
    )
    contract(
        "ProSupport hypervisors",
        dell,
        "support",
        reference="DELL-PS-88231",
        end_date=today + timedelta(days=120),
        notice_days=90,  # notice date in 30 days: the reminder is due
        covered_cis=[made["hv01"], made["hv02"]],
        response_time="Volgende werkdag",
        contacts="Dell ProSupport: 020 674 5000",
        owner=systems,
    )
