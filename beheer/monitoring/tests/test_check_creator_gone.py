"""A check outlives the person who defined it: it can still be edited after they are deleted."""

from __future__ import annotations

import pytest

from beheer.accounts.models import Role
from beheer.monitoring import services
from tests.helpers import make_person


@pytest.mark.django_db
def test_a_check_whose_creator_was_deleted_can_still_be_edited(operator):
    leaver = make_person(Role.OPERATOR, first_name="Lex", last_name="Vertrokken")
    check = services.create_check(
        actor=leaver, data=services.CheckData(name="Website", kind="http", target="http://127.0.0.1:9/")
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
