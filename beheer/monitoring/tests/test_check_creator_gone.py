"""A check outlives the person who defined it: it can still be edited after they are deleted.

Whoever defines a check through the services is its history's actor, and an actor is never deleted
(deactivated instead, like anyone who has acted); a check defined before the history existed, or a
creator without history rows, may still lose its creator."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from beheer.accounts.models import Role
from beheer.core import clock
from beheer.monitoring import services
from beheer.monitoring.models import Check
from tests.helpers import make_person


@pytest.mark.django_db
def test_a_check_whose_creator_was_deleted_can_still_be_edited(operator):
    leaver = make_person(Role.OPERATOR, first_name="Lex", last_name="Vertrokken")
    check = Check.objects.create(  # defined before the check history existed
        name="Website", kind="http", target="http://127.0.0.1:9/", created_by=leaver, created_at=clock.now()
    )
    leaver.delete()
    check.refresh_from_db()
    assert check.created_by is None
    updated = services.update_check(
        check,
        actor=operator,
        data=services.CheckData(name="Website school", kind="http", target="http://127.0.0.1:9/"),
        expected_version=check.version,
    )
    assert updated.name == "Website school"


@pytest.mark.django_db
def test_a_person_in_a_checks_history_is_not_deleted(operator):
    author = make_person(Role.OPERATOR, first_name="Ada", last_name="Auteur")
    services.create_check(
        actor=author, data=services.CheckData(name="Website", kind="http", target="http://127.0.0.1:9/")
    )
    with pytest.raises(ProtectedError):
        author.delete()
