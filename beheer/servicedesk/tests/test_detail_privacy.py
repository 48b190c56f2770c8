"""A caller's view of their own melding never reveals other callers' meldingen or hidden partials:
linked ids and partial counts go through visible_to, in the API and in the portal."""

from __future__ import annotations

import pytest

from beheer.accounts.models import User
from beheer.servicedesk import services
from beheer.servicedesk.models import Melding, MeldingLink, TimeEntry
from beheer.servicedesk.tests.test_api import open_for, session_client, token_client
from tests.helpers import client_for


@pytest.fixture
def linked(operator: User, caller: User, other_caller: User, second_line) -> tuple[Melding, Melding, Melding]:
    mine = open_for(operator, caller, "Beamer lokaal 1 doet het niet")
    theirs = open_for(operator, other_caller, "Geheim: salarisadministratie van Bram")
    services.link_meldingen(mine, other=theirs, actor=operator)
    partial = services.create_partial(
        mine, brief_description="Leverancier vervangt lamp", operator_group=second_line, actor=operator
    )
    return mine, theirs, partial


@pytest.mark.parametrize("make_client", [token_client, session_client])
def test_caller_api_detail_hides_foreign_links_and_partials(make_client, caller, linked):
    mine, theirs, _partial = linked
    response = make_client(caller).get(f"/meldingen/{mine.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["linked_ids"] == []
    assert theirs.pk not in body["linked_ids"]
    assert body["partials_total"] == 0
    assert body["partials_resolved"] == 0


def test_caller_sees_a_link_between_their_own_meldingen(operator, caller, linked):
    mine, _theirs, _partial = linked
    second = open_for(operator, caller, "Tweede melding van Anna")
    services.link_meldingen(mine, other=second, actor=operator)
    body = token_client(caller).get(f"/meldingen/{mine.pk}").json()
    assert body["linked_ids"] == [second.pk]


def test_operator_api_detail_shows_everything(operator, linked):
    mine, theirs, partial = linked
    body = token_client(operator).get(f"/meldingen/{mine.pk}").json()
    assert body["linked_ids"] == [theirs.pk]
    assert body["partials_total"] == 1
    assert partial.parent_id == mine.pk


def test_portal_detail_shows_no_foreign_melding(caller, linked):
    mine, theirs, partial = linked
    response = client_for(caller).get(f"/portal/{mine.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert mine.brief_description in page
    for hidden in (theirs, partial):
        assert hidden.number not in page
        assert hidden.brief_description not in page


def test_child_rows_are_read_through_visible_to(operator, caller, other_caller, linked):
    """Time entries are operator information and a link shows only when both ends may be seen."""
    mine, _theirs, _partial = linked
    services.register_time(mine, minutes=15, on=None, note="Lamp besteld", actor=operator)
    second = open_for(operator, caller, "Tweede melding van Anna")
    services.link_meldingen(mine, other=second, actor=operator)
    assert TimeEntry.objects.visible_to(operator).filter(melding=mine).count() == 1
    assert not TimeEntry.objects.visible_to(caller).exists()
    assert MeldingLink.objects.visible_to(operator).count() == 2
    own = MeldingLink.objects.visible_to(caller)
    assert [(link.from_melding_id, link.to_melding_id) for link in own] == [(mine.pk, second.pk)]
    assert not MeldingLink.objects.visible_to(other_caller).exists()
