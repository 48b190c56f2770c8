"""Helpers for the risks and classification tests: people, CIs related as in a school, controls."""

from __future__ import annotations

from typing import Any

from beheer.accounts import services as accounts
from beheer.accounts.models import Role, User
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import CiType, ConfigurationItem, RelationKind
from beheer.core import clock
from beheer.security.models import Catalogue, CatalogueKind, Control, Theme, sort_key
from tests.helpers import make_person


def make_ci(actor: User, name: str, code: str, **kw: Any) -> ConfigurationItem:
    return cmdb.create_item(
        actor=actor, data=cmdb.ItemData(name=name, ci_type=CiType.objects.get(code=code), **kw)
    )


def relate(actor: User, source: ConfigurationItem, kind: str, target: ConfigurationItem) -> None:
    cmdb.add_relation(source, actor=actor, target=target, kind=kind)


def officer() -> User:
    admin = make_person(Role.ADMIN)
    person = make_person(Role.OPERATOR)
    accounts.set_officer_marks(person, security_officer=True, privacy_officer=False, actor=admin)
    person.refresh_from_db()
    return person


def school(actor: User) -> dict[str, ConfigurationItem]:
    """Magister (service) -> Magister app -> app01 (VM) -> hv02 (server); the Wi-Fi service -> an
    access point; dc01 and dc02 depend on each other (a cycle) and AD runs on dc01."""
    cis = {
        "magister": make_ci(actor, "Magister", "service"),
        "app": make_ci(actor, "Magister (applicatie)", "application"),
        "vm": make_ci(actor, "app01", "virtual_machine"),
        "host": make_ci(actor, "hv02", "server"),
        "wifi": make_ci(actor, "Wifi", "service"),
        "ap": make_ci(actor, "ap-1.01", "access_point"),
        "ad": make_ci(actor, "Active Directory", "application"),
        "dc01": make_ci(actor, "dc01", "virtual_machine"),
        "dc02": make_ci(actor, "dc02", "virtual_machine"),
    }
    relate(actor, cis["magister"], RelationKind.DEPENDS_ON, cis["app"])
    relate(actor, cis["app"], RelationKind.RUNS_ON, cis["vm"])
    relate(actor, cis["vm"], RelationKind.RUNS_ON, cis["host"])
    relate(actor, cis["ap"], RelationKind.PART_OF, cis["wifi"])
    relate(actor, cis["ad"], RelationKind.RUNS_ON, cis["dc01"])
    relate(actor, cis["dc01"], RelationKind.DEPENDS_ON, cis["dc02"])
    relate(actor, cis["dc02"], RelationKind.DEPENDS_ON, cis["dc01"])
    return cis


def controls(*numbers: str) -> list[Control]:
    catalogue, _ = Catalogue.objects.get_or_create(
        code="iso27002-test",
        defaults={
            "kind": CatalogueKind.STANDARD,
            "name_nl": "ISO",
            "name_en": "ISO",
            "loaded_at": clock.now(),
        },
    )
    return [
        Control.objects.get_or_create(
            catalogue=catalogue,
            number=n,
            defaults={
                "theme": Theme.TECHNOLOGICAL,
                "title_nl": f"Maatregel {n}",
                "title_en": f"Control {n}",
                "sort_key": sort_key(n),
            },
        )[0]
        for n in numbers
    ]
