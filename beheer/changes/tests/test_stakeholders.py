"""The stakeholders of a change: added by staff only, each person once, removal recorded."""

from __future__ import annotations

import pytest

from beheer.accounts.models import Role
from beheer.changes import services
from beheer.changes.models import ChangeHistoryEntry, Stakeholder
from beheer.core.errors import DomainError, PermissionDenied
from tests.helpers import make_person

from .helpers import make_change

pytestmark = pytest.mark.django_db


def test_add_person_and_named_stakeholder_then_remove() -> None:
    op = make_person(Role.OPERATOR)
    teacher = make_person(Role.CALLER, email="docent@school.test")
    change = make_change(op)
    row = services.add_stakeholder(change, actor=op, person=teacher, role="key_user")
    assert row.address == "docent@school.test"
    outsider = services.add_stakeholder(
        change, actor=op, name="Leverancier BV", email="info@lev.test", role="supplier"
    )
    assert outsider.address == "info@lev.test"
    with pytest.raises(DomainError) as twice:
        services.add_stakeholder(change, actor=op, person=teacher)
    assert "person" in twice.value.field_errors
    with pytest.raises(DomainError) as nameless:
        services.add_stakeholder(change, actor=op, email="x@y.test")
    assert "name" in nameless.value.field_errors
    with pytest.raises(DomainError) as bad_mail:
        services.add_stakeholder(change, actor=op, name="X", email="not an address")
    assert "email" in bad_mail.value.field_errors
    services.remove_stakeholder(row, actor=op)
    assert list(Stakeholder.objects.filter(change=change)) == [outsider]
    actions = list(ChangeHistoryEntry.objects.filter(change=change).values_list("action", flat=True))
    assert actions.count("stakeholder_added") == 2
    assert "stakeholder_removed" in actions


def test_caller_cannot_add_stakeholders() -> None:
    op = make_person(Role.OPERATOR)
    caller = make_person(Role.CALLER)
    change = make_change(op, client=caller)
    with pytest.raises(PermissionDenied):
        services.add_stakeholder(change, actor=caller, person=caller)
    assert not Stakeholder.objects.exists()
    assert not Stakeholder.objects.visible_to(caller).exists()
