"""The Django admin's person pages go through the account services and their rules."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from beheer.accounts.models import PersonAction, PersonHistoryEntry, Role, User
from tests.helpers import client_for, make_person

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-long-passphrase-42"


def _change_url(person: User) -> str:
    return reverse("admin:accounts_user_change", args=[person.pk])


def _password_url(person: User) -> str:
    return reverse("admin:auth_user_password_change", args=[person.pk])


def _form(person: User, **changes: Any) -> dict[str, Any]:
    """The person form as the browser posts it."""
    data: dict[str, Any] = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "mobile": person.mobile,
        "employee_number": person.employee_number,
        "job_title": person.job_title,
        "language": person.language,
        "branch": person.branch_id or "",
        "department": person.department_id or "",
        "location": person.location_id or "",
        "role": person.role,
        "is_active": "on" if person.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if not (k == "is_active" and v == "")}


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


# --- passwords -----------------------------------------------------------------------------------------


def test_a_coordinator_cannot_open_or_post_an_administrators_password_form(
    coordinator: User, administrator: User
) -> None:
    client = client_for(coordinator)
    before = _fresh(administrator).password
    assert client.get(_password_url(administrator)).status_code == 403
    response = client.post(
        _password_url(administrator), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 403
    assert _fresh(administrator).password == before
    # ... and so cannot sign in as the administrator with a password of their choosing
    assert not Client().login(username=administrator.username, password=NEW_PASSWORD)


def test_a_coordinator_cannot_set_a_callers_password_either(coordinator: User, caller: User) -> None:
    client = client_for(coordinator)
    before = _fresh(caller).password
    assert client.get(_password_url(caller)).status_code == 403
    client.post(_password_url(caller), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert _fresh(caller).password == before


def test_a_coordinator_sees_no_password_link(coordinator: User, caller: User) -> None:
    page = client_for(coordinator).get(_change_url(caller))
    assert page.status_code == 200
    assert _password_url(caller) not in page.content.decode()
    assert b"../password/" not in page.content


def test_an_administrator_sets_a_password_through_the_admin(administrator: User, coordinator: User) -> None:
    client = client_for(administrator)
    page = client.get(_change_url(coordinator))
    assert b"../password/" in page.content or _password_url(coordinator).encode() in page.content
    assert client.get(_password_url(coordinator)).status_code == 200
    response = client.post(
        _password_url(coordinator),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _fresh(coordinator).check_password(NEW_PASSWORD)
    entry = PersonHistoryEntry.objects.get(person=coordinator, action=PersonAction.PASSWORD_SET)
    assert entry.actor == administrator
    # the history shows on the person's page
    history = client.get(_change_url(coordinator)).content.decode()
    assert "Password set" in history or "Wachtwoord ingesteld" in history


def test_a_weak_password_is_refused_by_the_admin(administrator: User, coordinator: User) -> None:
    before = _fresh(coordinator).password
    response = client_for(administrator).post(
        _password_url(coordinator), {"password1": "12345", "password2": "12345", "usable_password": "true"}
    )
    assert response.status_code == 200
    assert _fresh(coordinator).password == before


def test_the_own_password_page_is_recorded(coordinator: User) -> None:
    client = client_for(coordinator)
    response = client.post(
        reverse("admin:password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert _fresh(coordinator).check_password(NEW_PASSWORD)
    entry = PersonHistoryEntry.objects.get(person=coordinator, action=PersonAction.PASSWORD_SET)
    assert entry.actor == coordinator
    assert client.get(reverse("admin:index")).status_code == 200  # the session survived


def test_the_changepassword_command_is_recorded(caller: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", caller.username, stdout=StringIO())
    assert _fresh(caller).check_password(NEW_PASSWORD)
    entry = PersonHistoryEntry.objects.get(person=caller, action=PersonAction.PASSWORD_SET)
    assert entry.actor is None


# --- roles and activity --------------------------------------------------------------------------------


def test_a_coordinator_cannot_demote_or_deactivate_an_administrator_by_saving_the_form(
    coordinator: User, administrator: User
) -> None:
    make_person(Role.ADMIN)  # not the last one
    client = client_for(coordinator)
    page = client.get(_change_url(administrator))
    assert page.status_code == 200
    assert b'name="role"' not in page.content  # shown read-only
    assert client.post(_change_url(administrator), _form(administrator, role="caller")).status_code == 403
    assert client.post(_change_url(administrator), _form(administrator, is_active="")).status_code == 403
    fresh = _fresh(administrator)
    assert (fresh.role, fresh.is_active, fresh.is_superuser) == (Role.ADMIN, True, True)
    assert (
        client.post(
            reverse("admin:accounts_user_delete", args=[administrator.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert User.objects.filter(pk=administrator.pk).exists()


def test_a_coordinator_cannot_raise_a_caller_to_administrator(coordinator: User, caller: User) -> None:
    client = client_for(coordinator)
    page = client.get(_change_url(caller)).content.decode()
    assert 'value="admin"' not in page
    response = client.post(_change_url(caller), _form(caller, role="admin"))
    assert response.status_code == 200  # the form again, with an error
    fresh = _fresh(caller)
    assert (fresh.role, fresh.is_superuser, fresh.is_staff) == (Role.CALLER, False, False)


def test_a_coordinator_cannot_add_an_administrator(coordinator: User) -> None:
    response = client_for(coordinator).post(
        reverse("admin:accounts_user_add"),
        {
            "username": "sneaky",
            "first_name": "S",
            "last_name": "Neaky",
            "role": "admin",
            "usable_password": "false",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="sneaky").exists()


def test_a_coordinator_promotes_a_caller_to_operator_and_it_is_recorded(
    coordinator: User, caller: User
) -> None:
    response = client_for(coordinator).post(
        _change_url(caller), _form(caller, role="operator", job_title="ICT")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    fresh = _fresh(caller)
    assert (fresh.role, fresh.job_title) == (Role.OPERATOR, "ICT")
    assert PersonHistoryEntry.objects.filter(
        person=caller, actor=coordinator, action=PersonAction.ROLE_CHANGED, new_value="operator"
    ).exists()
    assert PersonHistoryEntry.objects.filter(
        person=caller, action=PersonAction.CHANGED, field="job_title", new_value="ICT"
    ).exists()


def test_an_administrator_demotes_and_deactivates_another_administrator(administrator: User) -> None:
    other = make_person(Role.ADMIN)
    client = client_for(administrator)
    response = client.post(_change_url(other), _form(other, role="coordinator", is_active=""))
    assert response.status_code == 302, response.content.decode()[:3000]
    fresh = _fresh(other)
    assert (fresh.role, fresh.is_active, fresh.is_superuser, fresh.is_staff) == (
        Role.COORDINATOR,
        False,
        False,
        True,
    )
    actions = set(PersonHistoryEntry.objects.filter(person=other).values_list("action", flat=True))
    assert {PersonAction.ROLE_CHANGED, PersonAction.DEACTIVATED} <= actions


def test_an_administrator_adds_a_person_through_the_service(administrator: User) -> None:
    response = client_for(administrator).post(
        reverse("admin:accounts_user_add"),
        {
            "username": "nieuw",
            "first_name": "Nina",
            "last_name": "Nieuw",
            "email": "nina@school.example",
            "role": "operator",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person = User.objects.get(username="nieuw")
    assert person.role == Role.OPERATOR
    assert person.check_password(NEW_PASSWORD)
    assert PersonHistoryEntry.objects.filter(person=person, actor=administrator, action="created").exists()


def test_the_last_administrator_cannot_demote_or_deactivate_themself_in_the_admin(
    administrator: User,
) -> None:
    client = client_for(administrator)
    for changes in ({"role": "coordinator"}, {"is_active": ""}):
        response = client.post(_change_url(administrator), _form(administrator, **changes))
        assert response.status_code == 200
        assert "last active administrator" in response.content.decode() or "laatste actieve" in (
            response.content.decode()
        )
        fresh = _fresh(administrator)
        assert (fresh.role, fresh.is_active) == (Role.ADMIN, True)


def test_bulk_delete_goes_through_the_service(coordinator: User) -> None:
    leavers = [make_person(Role.CALLER), make_person(Role.CALLER)]
    response = client_for(coordinator).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [p.pk for p in leavers], "post": "yes"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[p.pk for p in leavers]).exists()
    assert PersonHistoryEntry.objects.filter(action=PersonAction.DELETED, actor=coordinator).count() == 2


def test_a_coordinator_cannot_bulk_delete_an_administrator(coordinator: User, administrator: User) -> None:
    make_person(Role.ADMIN)
    response = client_for(coordinator).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [administrator.pk], "post": "yes"},
    )
    assert response.status_code in (200, 403)
    assert User.objects.filter(pk=administrator.pk).exists()


def test_createsuperuser_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NEW_PASSWORD)
    call_command(
        "createsuperuser", interactive=False, username="root2", email="r@x.example", stdout=StringIO()
    )
    person = User.objects.get(username="root2")
    assert (person.role, person.is_superuser) == (Role.ADMIN, True)
    entry = PersonHistoryEntry.objects.get(person=person)
    assert (entry.action, entry.new_value, entry.actor) == (PersonAction.CREATED, "admin", None)
