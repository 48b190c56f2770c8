"""Who may manage whom: roles, activity, passwords and deletion, recorded in the person's history."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from django.utils import translation

from beheer.accounts import services
from beheer.accounts.models import PersonAction, PersonHistoryEntry, Role, User
from beheer.core.errors import DomainError, PermissionDenied
from tests.helpers import make_person

NEW_PASSWORD = "a-new-long-passphrase-42"

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


# --- roles ---------------------------------------------------------------------------------------------


def test_a_coordinator_cannot_demote_an_administrator(coordinator: User, administrator: User) -> None:
    make_person(Role.ADMIN)  # not the last one: the refusal is about who may, not about the count
    with pytest.raises(PermissionDenied):
        services.change_role(administrator, role=Role.CALLER, actor=coordinator)
    assert _fresh(administrator).role == Role.ADMIN
    assert _fresh(administrator).is_superuser
    assert not PersonHistoryEntry.objects.filter(person=administrator, action=PersonAction.ROLE_CHANGED)


def test_a_coordinator_cannot_raise_anyone_above_their_own_role(coordinator: User, caller: User) -> None:
    with pytest.raises(PermissionDenied):
        services.change_role(caller, role=Role.ADMIN, actor=coordinator)
    fresh = _fresh(caller)
    assert (fresh.role, fresh.is_superuser, fresh.is_staff) == (Role.CALLER, False, False)


def test_a_coordinator_raises_a_caller_up_to_coordinator_and_it_is_recorded(
    coordinator: User, caller: User
) -> None:
    services.change_role(caller, role=Role.COORDINATOR, actor=coordinator)
    fresh = _fresh(caller)
    assert (fresh.role, fresh.is_staff, fresh.is_superuser) == (Role.COORDINATOR, True, False)
    entry = PersonHistoryEntry.objects.get(person=caller, action=PersonAction.ROLE_CHANGED)
    assert (entry.actor, entry.field, entry.old_value, entry.new_value) == (
        coordinator,
        "role",
        "caller",
        "coordinator",
    )
    with translation.override("nl"):
        assert (entry.old_display, entry.new_display) == ("Melder", "Coördinator")
    with translation.override("en"):
        assert (entry.old_display, entry.new_display) == ("Caller", "Coordinator")


def test_an_operator_manages_nobody(operator: User, caller: User) -> None:
    with pytest.raises(PermissionDenied):
        services.change_role(caller, role=Role.OPERATOR, actor=operator)
    with pytest.raises(PermissionDenied):
        services.deactivate_person(caller, actor=operator)
    assert _fresh(caller).role == Role.CALLER
    assert _fresh(caller).is_active


def test_an_administrator_demotes_another_administrator(administrator: User) -> None:
    other = make_person(Role.ADMIN)
    services.change_role(other, role=Role.OPERATOR, actor=administrator)
    fresh = _fresh(other)
    assert (fresh.role, fresh.is_superuser, fresh.is_staff) == (Role.OPERATOR, False, False)
    assert PersonHistoryEntry.objects.filter(
        person=other, actor=administrator, old_value="admin", new_value="operator"
    ).exists()


def test_the_last_active_administrator_cannot_be_demoted(administrator: User) -> None:
    inactive = make_person(Role.ADMIN)
    services.deactivate_person(inactive, actor=administrator)  # an inactive administrator does not count
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.change_role(administrator, role=Role.COORDINATOR, actor=administrator)
    assert "last active administrator" in refused.value.message
    assert _fresh(administrator).role == Role.ADMIN


def test_the_last_active_administrator_cannot_be_deactivated_or_deleted(administrator: User) -> None:
    with pytest.raises(DomainError):
        services.deactivate_person(administrator, actor=administrator)
    with pytest.raises(DomainError):
        services.delete_person(administrator, actor=None)
    assert _fresh(administrator).is_active


def test_a_coordinator_cannot_deactivate_or_delete_an_administrator(
    coordinator: User, administrator: User
) -> None:
    make_person(Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.deactivate_person(administrator, actor=coordinator)
    with pytest.raises(PermissionDenied):
        services.delete_person(administrator, actor=coordinator)
    assert _fresh(administrator).is_active


def test_a_demoted_actor_loses_their_rights_at_once(administrator: User, caller: User) -> None:
    """The rules read the actor's role from the database, not from a stale object in memory."""
    other = make_person(Role.ADMIN)
    stale = User.objects.get(pk=other.pk)
    services.change_role(other, role=Role.OPERATOR, actor=administrator)
    with pytest.raises(PermissionDenied):
        services.change_role(caller, role=Role.COORDINATOR, actor=stale)
    assert _fresh(caller).role == Role.CALLER


def test_deactivate_and_activate_are_recorded(coordinator: User, operator: User) -> None:
    services.deactivate_person(operator, actor=coordinator)
    assert not _fresh(operator).is_active
    services.activate_person(operator, actor=coordinator)
    assert _fresh(operator).is_active
    actions = list(
        PersonHistoryEntry.objects.filter(person=operator, field="is_active")
        .order_by("id")
        .values_list("action", "old_value", "new_value")
    )
    assert actions == [("deactivated", "true", "false"), ("activated", "false", "true")]


def test_unknown_role_is_refused(administrator: User, caller: User) -> None:
    with pytest.raises(DomainError):
        services.change_role(caller, role="superhero", actor=administrator)


def test_register_person_refuses_a_role_above_the_actors(coordinator: User) -> None:
    with pytest.raises(PermissionDenied):
        services.register_person(actor=coordinator, first_name="X", last_name="Y", role=Role.ADMIN)
    assert not User.objects.filter(last_name="Y").exists()


# --- passwords -----------------------------------------------------------------------------------------


def test_a_coordinator_cannot_set_somebody_elses_password(
    coordinator: User, administrator: User, caller: User
) -> None:
    for person in (administrator, caller):
        before = _fresh(person).password
        with pytest.raises(PermissionDenied):
            services.set_password(person, password=NEW_PASSWORD, actor=coordinator)
        assert _fresh(person).password == before
    assert not PersonHistoryEntry.objects.filter(action=PersonAction.PASSWORD_SET).exists()


def test_an_administrator_sets_a_password_and_only_the_fact_is_recorded(
    administrator: User, coordinator: User
) -> None:
    services.set_password(coordinator, password=NEW_PASSWORD, actor=administrator)
    assert _fresh(coordinator).check_password(NEW_PASSWORD)
    entry = PersonHistoryEntry.objects.get(person=coordinator, action=PersonAction.PASSWORD_SET)
    assert entry.actor == administrator
    stored = " ".join([entry.old_value, entry.new_value, entry.detail, entry.field])
    assert NEW_PASSWORD not in stored
    assert _fresh(coordinator).password not in stored


def test_everybody_sets_their_own_password_but_a_weak_one_is_refused(caller: User) -> None:
    services.set_password(caller, password=NEW_PASSWORD, actor=caller)
    assert _fresh(caller).check_password(NEW_PASSWORD)
    with pytest.raises(DomainError) as refused:
        services.set_password(caller, password="12345", actor=caller)
    assert "password" in refused.value.field_errors
    assert _fresh(caller).check_password(NEW_PASSWORD)


def test_disable_password_is_for_administrators(administrator: User, coordinator: User, caller: User) -> None:
    with pytest.raises(PermissionDenied):
        services.disable_password(caller, actor=coordinator)
    assert _fresh(caller).has_usable_password()
    services.disable_password(caller, actor=administrator)
    assert not _fresh(caller).has_usable_password()
    assert PersonHistoryEntry.objects.filter(person=caller, action=PersonAction.PASSWORD_DISABLED).exists()


# --- deletion ------------------------------------------------------------------------------------------


def test_delete_person_is_recorded_with_the_username(coordinator: User) -> None:
    leaver = make_person(Role.CALLER, username="leaver")
    services.delete_person(leaver, actor=coordinator)
    assert not User.objects.filter(username="leaver").exists()
    entry = PersonHistoryEntry.objects.get(username="leaver", action=PersonAction.DELETED)
    assert entry.person is None
    assert entry.actor == coordinator


def test_a_person_who_acted_cannot_be_deleted_only_deactivated(
    administrator: User, coordinator: User
) -> None:
    services.change_role(make_person(Role.CALLER), role=Role.OPERATOR, actor=coordinator)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.delete_person(coordinator, actor=administrator)
    assert "deactivate" in refused.value.message
    assert User.objects.filter(pk=coordinator.pk).exists()


# --- races (two requests at once; PostgreSQL row locks, SQLite's IMMEDIATE transactions) -------------


def _with_busy_wait(job: Any) -> Any:
    """The test database on SQLite is shared-cache in memory, where a writer that finds the database
    locked gets an error at once instead of waiting (busy_timeout does not apply there): wait and try
    again, as busy_timeout does for the database file in production. PostgreSQL waits on row locks."""
    for _attempt in range(500):
        try:
            return job()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.01)
    raise AssertionError("the database stayed locked")


def _race(*jobs: Any) -> list[BaseException | None]:
    """Run the jobs in threads released together; return what each raised (None when it succeeded)."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    outcome: list[BaseException | None] = [None] * len(jobs)

    def run(index: int, job: Any) -> None:
        try:
            barrier.wait()
            _with_busy_wait(job)
        except BaseException as exc:  # collected and asserted by the test
            outcome[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcome


@pytest.mark.django_db(transaction=True)
def test_two_administrators_demoting_each_other_at_once_leave_one() -> None:
    first, second = make_person(Role.ADMIN), make_person(Role.ADMIN)
    outcome = _race(
        lambda: services.change_role(first, role=Role.COORDINATOR, actor=second),
        lambda: services.change_role(second, role=Role.COORDINATOR, actor=first),
    )
    errors = [exc for exc in outcome if exc is not None]
    assert len(errors) == 1, (connection.vendor, outcome)
    assert isinstance(errors[0], DomainError)
    assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 1
    assert PersonHistoryEntry.objects.filter(action=PersonAction.ROLE_CHANGED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_administrators_deactivating_each_other_at_once_leave_one() -> None:
    first, second = make_person(Role.ADMIN), make_person(Role.ADMIN)
    outcome = _race(
        lambda: services.deactivate_person(first, actor=second),
        lambda: services.deactivate_person(second, actor=first),
    )
    errors = [exc for exc in outcome if exc is not None]
    assert len(errors) == 1, (connection.vendor, outcome)
    assert isinstance(errors[0], DomainError)
    assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 1
