"""The control catalogue: the shipped data, loading versions, making one current, own controls."""

from __future__ import annotations

import copy

import pytest

from beheer.accounts.models import Role, User
from beheer.core.errors import DomainError, PermissionDenied
from beheer.security.models import (
    Catalogue,
    CatalogueHistoryEntry,
    CatalogueKind,
    Control,
    ControlHistoryEntry,
    Theme,
)
from beheer.security.services import measures as services
from beheer.security.services.measures.catalogue import checked_data, read_data
from tests.helpers import make_person

from .test_measures_support import officer, shipped

pytestmark = pytest.mark.django_db


def test_shipped_catalogue_has_the_93_controls_and_bio2_sub_items() -> None:
    catalogue = shipped()
    assert catalogue.current
    assert catalogue.kind == CatalogueKind.STANDARD
    mains = Control.objects.filter(catalogue=catalogue, parent__isnull=True)
    assert mains.count() == 93
    themes = {t: mains.filter(theme=t).count() for t in Theme.values}
    assert themes == {"organisational": 37, "people": 8, "physical": 14, "technological": 34, "own": 0}
    backup = Control.objects.get(catalogue=catalogue, number="8.13.04")
    assert backup.parent is not None
    assert backup.parent.number == "8.13"
    assert backup.theme == Theme.TECHNOLOGICAL
    assert Control.objects.filter(catalogue=catalogue, parent__isnull=False).count() >= 30
    # ordered by number, not as text: 5.2 before 5.10
    numbers = list(
        Control.objects.filter(catalogue=catalogue, parent=None)
        .order_by("sort_key")
        .values_list("number", flat=True)
    )
    assert numbers.index("5.2") < numbers.index("5.10") < numbers.index("6.1")


def test_data_file_titles_are_short_and_in_both_languages() -> None:
    controls = checked_data(read_data())
    assert all(c["title_nl"] and c["title_en"] and len(c["title_en"]) <= 80 for c in controls)


def test_loading_a_version_twice_changes_nothing() -> None:
    actor = officer()
    before = Control.objects.count()
    again = services.load_catalogue(read_data(), actor=actor)
    assert again == shipped()
    assert Control.objects.count() == before
    assert not CatalogueHistoryEntry.objects.filter(catalogue=again, action="loaded").exists()


def test_a_second_version_sits_beside_the_first_until_made_current() -> None:
    actor = officer()
    data = copy.deepcopy(read_data())
    data["controls"][0]["title_en"] = "Security policy (2027)"
    second = services.load_catalogue(data, actor=actor, code="iso27002-2027", make_current=True)
    assert second.pk != shipped().pk
    assert (
        Control.objects.filter(catalogue=second).count()
        == Control.objects.filter(catalogue=shipped()).count()
    )
    assert not second.current
    assert shipped().current
    services.make_current(second, actor=actor)
    second.refresh_from_db()
    assert second.current
    assert not shipped().current
    assert CatalogueHistoryEntry.objects.filter(catalogue=second, action="made_current").count() == 1
    assert services.current_catalogue() == second


def test_the_same_code_with_other_controls_is_refused() -> None:
    data = copy.deepcopy(read_data())
    data["controls"].append({"number": "9.1", "theme": "technological", "title_nl": "Nieuw"})
    with pytest.raises(DomainError) as caught:
        services.load_catalogue(data, actor=officer())
    assert "data" in caught.value.field_errors


@pytest.mark.parametrize(
    "broken",
    [
        {"controls": []},
        {"controls": [{"number": "5.1", "theme": "nope", "title_nl": "x"}]},
        {"controls": [{"number": "5.1", "theme": "people", "title_nl": ""}]},
        {"controls": [{"number": "5.1.01", "parent": "5.1", "theme": "people", "title_nl": "x"}]},
        {
            "controls": [
                {"number": "5.1", "theme": "people", "title_nl": "x"},
                {"number": "5.1", "theme": "people", "title_nl": "y"},
            ]
        },
    ],
)
def test_bad_catalogue_data_is_refused_and_nothing_is_saved(broken: dict) -> None:
    count = Catalogue.objects.count()
    with pytest.raises(DomainError):
        services.load_catalogue(broken, actor=officer(), code="broken")
    assert Catalogue.objects.count() == count


def test_only_register_managers_load_catalogues(operator: User) -> None:
    with pytest.raises(PermissionDenied):
        services.load_catalogue(read_data(), actor=operator, code="other")
    with pytest.raises(PermissionDenied):
        services.make_current(shipped(), actor=operator)


def test_own_controls_are_numbered_edited_and_archived(coordinator: User, operator: User) -> None:
    first = services.create_own_control(actor=coordinator, title_nl="Leerlingaccounts jaarlijks opschonen")
    second = services.create_own_control(
        actor=coordinator, title_nl="Camera's op het plein", title_en="Cameras"
    )
    assert (first.number, second.number) == ("EIG-1", "EIG-2")
    assert first.theme == Theme.OWN
    assert first.title_en == first.title_nl
    edited = services.edit_own_control(
        first,
        actor=coordinator,
        expected_version=first.version,
        title_nl="Accounts opschonen",
        title_en="Clean up accounts",
    )
    assert edited.version == 2
    assert edited.title_en == "Clean up accounts"
    row = ControlHistoryEntry.objects.get(control=first, field="title_nl")
    assert (row.old_value, row.new_value) == ("Leerlingaccounts jaarlijks opschonen", "Accounts opschonen")
    with pytest.raises(DomainError):  # an old version
        services.edit_own_control(first, actor=coordinator, expected_version=1, title_nl="x")
    archived = services.set_control_active(first, actor=coordinator, expected_version=2, active=False)
    assert not archived.active
    assert services.create_own_control(actor=coordinator, title_nl="Derde").number == "EIG-3"
    with pytest.raises(PermissionDenied):
        services.create_own_control(actor=operator, title_nl="Niet mijn taak")
    with pytest.raises(DomainError):
        services.create_own_control(actor=coordinator, title_nl="   ")


def test_catalogue_controls_cannot_be_edited_as_own(coordinator: User) -> None:
    c = Control.objects.get(catalogue=shipped(), number="5.15")
    with pytest.raises(DomainError):
        services.edit_own_control(c, actor=coordinator, expected_version=c.version, title_nl="Anders")


def test_security_officer_without_coordinator_role_manages_the_register() -> None:
    person = make_person(Role.OPERATOR)
    with pytest.raises(PermissionDenied):
        services.create_own_control(actor=person, title_nl="x")
    User.objects.filter(pk=person.pk).update(security_officer=True)
    person.refresh_from_db()
    assert services.create_own_control(actor=person, title_nl="x").number.startswith("EIG-")
