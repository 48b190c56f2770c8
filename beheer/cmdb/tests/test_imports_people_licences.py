"""Importing people and licences: dry runs per row, idempotence, all or nothing, partial imports,
the role rules of the account services and hostile cells."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from beheer.accounts.models import Branch, PersonHistoryEntry, Role, User
from beheer.cmdb import imports as reader
from beheer.cmdb import services
from beheer.cmdb.models import (
    CiType,
    ConfigurationItem,
    Licence,
    LicenceAssignment,
    LicenceHistoryEntry,
    Supplier,
)
from beheer.core.errors import DomainError, PermissionDenied
from tests.helpers import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def run(actor: User, text: str, **kwargs: object) -> services.ImportReport:
    return services.run_import(actor=actor, data=text.encode(), filename="x.csv", **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# people

PEOPLE = (
    "gebruikersnaam;voornaam;achternaam;e-mail;telefoon;mobiel;rol;vestiging;actief\n"
    "piet;Piet;Jansen;piet@school.example;+31 10 123 4567;06-12345678;operator;Noord;ja\n"
    "klaas;Klaas;de Vries;klaas@school.example;;;Melder;;nee\n"
)


@pytest.fixture
def noord(db: object) -> Branch:
    return Branch.objects.create(name="Noord")


def test_reader_maps_people_and_licence_columns() -> None:
    columns = reader.map_columns(
        ["Gebruikersnaam", "E-mail", "Actief", "Role"], reader.PEOPLE, key="username"
    )
    assert columns.fields == {"username": 0, "email": 1, "is_active": 2, "role": 3}
    licence = reader.map_columns(
        ["Product", "Licentiemodel", "Referentie", "Toegewezen aan"], reader.LICENCES, key="reference"
    )
    assert set(licence.fields) == {"product", "licence_model", "reference", "assigned_to"}
    with pytest.raises(reader.FileRefused, match="username"):
        reader.map_columns(["first name"], reader.PEOPLE, key="username")


@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "@SUM(1)", "-2+3+cmd|x", "+A1"])
def test_formulas_are_recognised(value: str) -> None:
    assert reader.formula(value)


@pytest.mark.parametrize("value", ["+31 6 1234 5678", "-12.50", "-", "Jansen", ""])
def test_ordinary_values_are_not_formulas(value: str) -> None:
    assert not reader.formula(value)


def test_people_are_created_without_password_through_the_services(coordinator: User, noord: Branch) -> None:
    dry = run(coordinator, PEOPLE, kind="people", dry_run=True)
    assert [(r.row, r.action) for r in dry.rows] == [(2, "create"), (3, "create")]
    assert not User.objects.filter(username__in=["piet", "klaas"]).exists()
    report = run(coordinator, PEOPLE, kind="people")
    assert report.written
    piet = User.objects.get(username="piet")
    assert (piet.role, piet.branch, piet.mobile, piet.phone) == (
        Role.OPERATOR,
        noord,
        "06-12345678",
        "+31 10 123 4567",
    )
    assert not piet.has_usable_password()
    klaas = User.objects.get(username="klaas")
    assert (klaas.role, klaas.is_active) == (Role.CALLER, False)
    assert PersonHistoryEntry.objects.filter(person=piet, actor=coordinator).exists()


def test_second_people_run_is_unchanged_then_updates(coordinator: User, noord: Branch) -> None:
    run(coordinator, PEOPLE, kind="people")
    people, history = User.objects.count(), PersonHistoryEntry.objects.count()
    again = run(coordinator, PEOPLE, kind="people")
    assert [r.action for r in again.rows] == ["unchanged", "unchanged"]
    assert (User.objects.count(), PersonHistoryEntry.objects.count()) == (people, history)
    changed = run(coordinator, PEOPLE.replace("Melder;;nee", "Melder;;ja"), kind="people")
    assert [r.action for r in changed.rows] == ["unchanged", "update"]
    assert User.objects.get(username="klaas").is_active


def test_people_by_email_key(coordinator: User) -> None:
    person = make_person(Role.CALLER, email="Anna@School.example", username="anna")
    report = run(
        coordinator,
        "email;job title;last name\n"
        "anna@school.example;Docent;Aa\n"
        "new@school.example;Conciërge;Nieuw\n"
        "nameless@school.example;;\n",
        kind="people",
        key="email",
        partial=True,
    )
    assert [r.action for r in report.rows] == ["update", "create", "reject"]
    assert report.rows[2].errors == [("last name", "A name is required.")]
    person.refresh_from_db()
    assert person.job_title == "Docent"
    assert User.objects.get(username="new@school.example").job_title == "Conciërge"


def test_one_bad_person_leaves_nothing(coordinator: User, noord: Branch) -> None:
    bad = PEOPLE + "jan;Jan;Bakker;not-an-address;;;boss;Zuid;misschien\n"
    report = run(coordinator, bad, kind="people")
    assert not report.written
    (refused,) = report.rejected
    assert refused.row == 4
    assert dict(refused.errors) == {
        "e-mail": "Enter a valid e-mail address.",
        "rol": "Unknown role.",
        "vestiging": "Unknown branch.",
        "actief": "Enter yes or no.",
    }
    assert not User.objects.filter(username__in=["piet", "klaas", "jan"]).exists()
    partial = run(coordinator, bad, kind="people", partial=True)
    assert partial.counts == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    assert set(
        User.objects.filter(username__in=["piet", "klaas", "jan"]).values_list("username", flat=True)
    ) == {
        "piet",
        "klaas",
    }


def test_hostile_and_over_long_cells_are_refused_with_a_message(coordinator: User) -> None:
    text = (
        "username;first_name;last_name;job_title\n"
        "evil;=cmd|' /C calc'!A0;Person;\n"
        f"long;Long;{'x' * 151};\n"
        "weird name;A;B;\n"
        "fine;Fine;Person;@SUM(A1)\n"
    )
    report = run(coordinator, text, kind="people", partial=True)
    assert [r.action for r in report.rows] == ["reject"] * 4
    messages = [dict(r.errors) for r in report.rows]
    assert "formula" in messages[0]["first_name"]
    assert messages[1] == {"last_name": "At most 150 characters."}
    assert "username" in messages[2]
    assert "formula" in messages[3]["job_title"]
    assert not User.objects.filter(username__in=["evil", "long", "fine"]).exists()


def test_only_coordinators_and_administrators_import_people(operator: User) -> None:
    with pytest.raises(PermissionDenied):
        run(operator, PEOPLE, kind="people", dry_run=True)
    assert not User.objects.filter(username="piet").exists()


def test_a_coordinator_cannot_create_or_manage_an_administrator(
    coordinator: User, administrator: User
) -> None:
    text = (
        "username;last_name;role\nboss;Boss;administrator\n"
        f"{administrator.username};Renamed;\nok;Ok;coordinator\n"
    )
    report = run(coordinator, text, kind="people", partial=True)
    actions = [r.action for r in report.rows]
    assert actions == ["reject", "reject", "create"]
    assert report.rows[0].errors == [("role", "You cannot give anyone a role above your own.")]
    assert report.rows[1].errors == [("username", "Only administrators may manage administrators.")]
    administrator.refresh_from_db()
    assert administrator.last_name == "Admin"
    assert not User.objects.filter(username="boss").exists()


def test_the_last_administrator_is_never_deactivated(administrator: User, coordinator: User) -> None:
    other = make_person(Role.ADMIN, username="second-admin")
    text = f"username;active\n{other.username};no\n{administrator.username};no\n"
    report = run(administrator, text, kind="people", partial=True)
    assert report.rows[1].errors == [("active", "You cannot deactivate yourself.")]
    other.refresh_from_db()
    assert not other.is_active
    # a second file makes the actor the only other active administrator; deactivating the other one
    # again is unchanged, and demoting the actor (the last) is refused by the services
    demote = run(
        administrator, f"username;role\n{administrator.username};coordinator\n", kind="people", partial=True
    )
    (refused,) = demote.rejected
    assert "administrator" in refused.errors[0][1]
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMIN


def test_built_in_accounts_are_not_imported(administrator: User) -> None:
    from beheer.accounts.services import service_user

    service_user("beheer-monitoring", first_name="Monitor")
    report = run(administrator, "username;role\nbeheer-monitoring;caller\n", kind="people", partial=True)
    assert report.rows[0].action == "reject"


def test_wrong_key_for_the_kind_is_refused(coordinator: User) -> None:
    with pytest.raises(DomainError) as exc:
        run(coordinator, PEOPLE, kind="people", key="asset_tag")
    assert "key" in exc.value.field_errors


# --------------------------------------------------------------------------------------------------
# licences

LICENCES = (
    "product;licentiemodel;aantal licenties;leverancier;applicatie;eigenaar;startdatum;vervaldatum;kosten;"
    "referentie;remind days;assigned to\n"
    "Office;Per device;30;Microsoft;Office app;olga;1-1-2026;31-12-2026;1.200,00;PO-1;30;LT-1;LT 2\n"
    "Adobe;per_user;5;;;;2026-02-01;;;PO-2;;olga\n"
    "Campus;Site licence;;Microsoft;;;2026-01-01;;;PO-3;;\n"
)


@pytest.fixture
def licence_world(operator: User) -> User:
    olga = make_person(Role.OPERATOR, username="olga", email="olga@school.example")
    Supplier.objects.create(name="Microsoft")
    laptop = CiType.objects.get(code="laptop")
    application = CiType.objects.get(code="application")
    for name, tag, ci_type in (
        ("LT 1", "LT-1", laptop),
        ("LT 2", "LT-2", laptop),
        ("Office app", "", application),
    ):
        services.create_item(
            actor=operator, data=services.ItemData(name=name, ci_type=ci_type, asset_tag=tag)
        )
    return olga


def licence_csv(text: str) -> str:
    return text.replace(";LT-1;LT 2\n", ';"LT-1;LT 2"\n')  # a cell with ";" is quoted


def test_licences_are_created_with_references_and_assignments(operator: User, licence_world: User) -> None:
    text = licence_csv(LICENCES)
    dry = run(operator, text, kind="licences", dry_run=True)
    assert [r.action for r in dry.rows] == ["create"] * 3, dry.rows
    assert Licence.objects.count() == 0
    report = run(operator, text, kind="licences")
    assert report.written
    office = Licence.objects.get(reference="PO-1")
    assert (office.licence_model, office.entitlements, office.cost) == ("per_device", 30, Decimal("1200.00"))
    assert office.supplier is not None
    assert office.supplier.name == "Microsoft"
    assert office.application is not None
    assert office.application.name == "Office app"
    assert office.owner == licence_world
    assert (office.start_date, office.expiry_date, office.remind_days) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        30,
    )
    assert set(LicenceAssignment.objects.filter(licence=office).values_list("ci__asset_tag", flat=True)) == {
        "LT-1",
        "LT-2",
    }
    adobe = Licence.objects.get(reference="PO-2")
    assert LicenceAssignment.objects.get(licence=adobe).person == licence_world
    assert Licence.objects.get(reference="PO-3").entitlements is None


def test_second_licence_run_is_unchanged(operator: User, licence_world: User) -> None:
    text = licence_csv(LICENCES)
    run(operator, text, kind="licences")
    counts = (Licence.objects.count(), LicenceAssignment.objects.count(), LicenceHistoryEntry.objects.count())
    again = run(operator, text, kind="licences")
    assert [r.action for r in again.rows] == ["unchanged"] * 3
    assert (
        Licence.objects.count(),
        LicenceAssignment.objects.count(),
        LicenceHistoryEntry.objects.count(),
    ) == counts
    changed = run(operator, text.replace("PO-2;;olga\n", "PO-2;90;olga\n"), kind="licences")
    assert [r.action for r in changed.rows] == ["unchanged", "update", "unchanged"]
    assert Licence.objects.get(reference="PO-2").remind_days == 90


def test_one_bad_licence_leaves_nothing_and_partial_writes_the_good(
    operator: User, licence_world: User
) -> None:
    bad = licence_csv(LICENCES) + "Bad;sometimes;many;Nobody;;;someday;;;PO-4;;ghost\n"
    report = run(operator, bad, kind="licences")
    assert not report.written
    assert Licence.objects.count() == 0
    (refused,) = report.rejected
    assert refused.row == 5
    columns = dict(refused.errors)
    assert set(columns) == {"licentiemodel", "aantal licenties", "leverancier", "startdatum", "assigned to"}
    assert columns["licentiemodel"] == "Unknown licence model."
    assert columns["assigned to"].startswith("ghost: ")
    partial = run(operator, bad, kind="licences", partial=True)
    assert partial.counts["create"] == 3
    assert set(Licence.objects.values_list("reference", flat=True)) == {"PO-1", "PO-2", "PO-3"}


def test_licence_service_refusals_name_the_column(operator: User, licence_world: User) -> None:
    text = (
        "product;licence model;entitlements;start date;expiry date;reference;assigned to\n"
        "Late;per_device;1;2026-05-01;2026-01-01;PO-9;\n"
        f"{'P' * 201};per_device;1;2026-05-01;;PO-10;\n"
        "=HYPERLINK(1);per_device;1;2026-05-01;;PO-11;\n"
        "Wrong holder;per_device;1;2026-05-01;;PO-12;olga\n"
    )
    report = run(operator, text, kind="licences", partial=True)
    assert [r.action for r in report.rows] == ["reject"] * 4
    assert report.rows[0].errors == [("expiry date", "The licence cannot expire before it starts.")]
    assert report.rows[1].errors == [("product", "At most 200 characters.")]
    assert "formula" in report.rows[2].errors[0][1]
    assert report.rows[3].errors[0][0] == "assigned to"
    assert Licence.objects.count() == 0


def test_licences_by_product_key_and_callers_refused(
    operator: User, licence_world: User, caller: User
) -> None:
    text = "product;licence model;entitlements;start date\nOffice;per_user;3;2026-01-01\n"
    assert run(operator, text, kind="licences", key="product").rows[0].action == "create"
    assert (
        run(operator, text.replace(";3;", ";4;"), kind="licences", key="product").rows[0].action == "update"
    )
    assert Licence.objects.get().entitlements == 4
    with pytest.raises(PermissionDenied):
        run(caller, text, kind="licences", key="product")
    assert ConfigurationItem.objects.count() == 3
