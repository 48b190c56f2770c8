"""Security and privacy officers: only administrators give the marks, only to staff members; the
change is in the person's history; the page and the API show who they are."""

from __future__ import annotations

import pytest

from beheer.accounts import services as accounts
from beheer.accounts.models import PersonHistoryEntry, Role, User
from beheer.core.errors import DomainError, PermissionDenied
from beheer.servicedesk.tests.test_api import token_client
from tests.helpers import client_for, make_person

pytestmark = pytest.mark.django_db


def test_administrators_give_the_marks_and_the_history_says_so(administrator: User, operator: User) -> None:
    accounts.set_officer_marks(operator, security_officer=True, privacy_officer=False, actor=administrator)
    operator.refresh_from_db()
    assert operator.security_officer
    assert not operator.privacy_officer
    entry = PersonHistoryEntry.objects.get(person=operator, field="security_officer")
    assert (entry.old_value, entry.new_value, entry.actor_id) == ("false", "true", administrator.pk)
    accounts.set_officer_marks(operator, security_officer=True, privacy_officer=False, actor=administrator)
    assert PersonHistoryEntry.objects.filter(person=operator, field="security_officer").count() == 1


@pytest.mark.parametrize("who", ["coordinator", "operator"])
def test_nobody_below_administrator_gives_them(request, who: str, operator: User) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        accounts.set_officer_marks(operator, security_officer=True, privacy_officer=True, actor=actor)
    operator.refresh_from_db()
    assert not operator.security_officer


def test_a_caller_cannot_be_officer(administrator: User, caller: User) -> None:
    with pytest.raises(DomainError) as refused:
        accounts.set_officer_marks(caller, security_officer=True, privacy_officer=False, actor=administrator)
    assert "security_officer" in refused.value.field_errors
    caller.refresh_from_db()
    assert not caller.security_officer


def test_the_page_lists_officers_and_only_administrators_change_them(
    administrator: User, coordinator: User, operator: User, caller: User
) -> None:
    officer = make_person(Role.OPERATOR, first_name="Bo", last_name="Beveiliging")
    accounts.set_officer_marks(officer, security_officer=True, privacy_officer=False, actor=administrator)
    page = client_for(operator).get("/security/officers/")
    assert page.status_code == 200
    assert "Beveiliging" in page.content.decode()
    assert client_for(caller).get("/security/officers/").status_code == 404
    refused = client_for(coordinator).post(
        "/security/officers/", {"person": operator.pk, "privacy_officer": "on"}, follow=True
    )
    assert refused.status_code == 200
    operator.refresh_from_db()
    assert not operator.privacy_officer
    client_for(administrator).post("/security/officers/", {"person": operator.pk, "privacy_officer": "on"})
    operator.refresh_from_db()
    assert operator.privacy_officer


def test_the_api(administrator: User, coordinator: User, operator: User, caller: User) -> None:
    path = f"/security/officers/{operator.pk}"
    body = {"security_officer": True, "privacy_officer": True}
    assert token_client(coordinator).put(path, body).status_code == 403
    assert token_client(caller).get("/security/officers").status_code == 403
    answer = token_client(administrator).put(path, body)
    assert answer.status_code == 200
    assert answer.json()["security_officer"] is True
    listed = token_client(operator).get("/security/officers").json()
    assert [p["id"] for p in listed] == [operator.pk]
    assert token_client(administrator).put("/security/officers/987654321", body).status_code == 404
    bad = token_client(administrator).put(path, {"security_officer": "misschien"})
    assert bad.status_code in (400, 422)
    me = token_client(operator).get("/me").json()
    assert me["security_officer"] is True
