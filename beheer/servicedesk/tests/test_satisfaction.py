"""Caller satisfaction: a rating 1-5 and a comment given when the caller confirms the solution."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from beheer.accounts.models import User
from beheer.core.errors import DomainError, PermissionDenied, ReadOnly
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, HistoryEntry, Melding, StatusKind
from beheer.servicedesk.sla.queries import satisfaction_summary
from tests.helpers import client_for


def resolved(melding: Melding, operator: User) -> Melding:
    return services.resolve_melding(
        melding, solution="Papier verwijderd.", actor=operator, expected_version=melding.version
    )


@pytest.fixture
def solved(melding: Melding, operator: User) -> Melding:
    return resolved(melding, operator)


def test_the_caller_confirms_with_a_rating_and_a_comment(solved, caller):
    m = services.confirm_resolution(solved, actor=caller, rating=4, comment="Snel opgelost, dank!")
    m.refresh_from_db()
    assert m.closed_at is not None
    assert m.confirmed_at == m.closed_at
    assert m.satisfaction_rating == 4
    assert m.satisfaction_comment == "Snel opgelost, dank!"
    entry = HistoryEntry.objects.get(melding=m, action="rated")
    assert entry.actor == caller
    assert entry.new_value == "4/5"
    assert entry.detail == "Snel opgelost, dank!"
    assert entry.public is False  # for operators; the caller sees the rating on the melding


def test_confirming_without_a_rating_still_counts_as_confirmed(solved, caller):
    m = services.confirm_resolution(solved, actor=caller)
    m.refresh_from_db()
    assert m.confirmed_at is not None
    assert m.satisfaction_rating is None
    assert not HistoryEntry.objects.filter(melding=m, action="rated").exists()


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_1_to_5_is_refused_and_nothing_is_saved(solved, caller, rating):
    with pytest.raises(DomainError) as exc:
        services.confirm_resolution(solved, actor=caller, rating=rating)
    assert "rating" in exc.value.field_errors
    m = Melding.objects.get(pk=solved.pk)
    assert m.status.kind == StatusKind.RESOLVED
    assert m.satisfaction_rating is None
    assert m.confirmed_at is None


def test_a_comment_needs_a_rating(solved, caller):
    with translation.override("en"), pytest.raises(DomainError) as exc:
        services.confirm_resolution(solved, actor=caller, comment="Matig")
    assert exc.value.field_errors == {"rating": "Choose a rating from 1 to 5."}


def test_only_the_caller_rates(solved, operator, caller):
    with pytest.raises(PermissionDenied):
        services.confirm_resolution(solved, actor=operator, rating=5)
    m = services.confirm_resolution(solved, actor=operator)  # an operator may still confirm
    m.refresh_from_db()
    assert m.closed_at is not None
    assert m.confirmed_at is None  # not confirmed by the caller
    assert m.satisfaction_rating is None


def test_a_rating_cannot_be_changed_afterwards(solved, caller):
    services.confirm_resolution(solved, actor=caller, rating=2, comment="Duurde lang")
    with pytest.raises(ReadOnly):
        services.confirm_resolution(solved, actor=caller, rating=5)
    m = Melding.objects.get(pk=solved.pk)
    assert m.satisfaction_rating == 2
    assert m.satisfaction_comment == "Duurde lang"


def test_another_caller_cannot_confirm_or_rate(solved, other_caller):
    with pytest.raises(DomainError) as exc:
        services.confirm_resolution(solved, actor=other_caller, rating=1)
    assert exc.value.status_code == 404
    assert Melding.objects.get(pk=solved.pk).satisfaction_rating is None


# --------------------------------------------------------------------------------------------------
# portal


def test_the_portal_offers_optional_radio_buttons(solved, caller_client):
    html = caller_client.get(f"/portal/{solved.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count('type="radio" name="rating"') == 6  # no rating, 1 to 5
    assert "<legend>How satisfied are you with how your call was handled? (optional)</legend>" in html
    assert 'name="comment"' in html
    assert "5 - very satisfied" in html
    assert "style=" not in html
    assert "<script>" not in html


def test_the_portal_confirm_stores_the_rating(solved, caller_client, operator):
    response = caller_client.post(
        f"/portal/{solved.pk}/confirm/", {"rating": "5", "comment": "Top geholpen"}, follow=True
    )
    assert response.status_code == 200
    m = Melding.objects.get(pk=solved.pk)
    assert m.closed_at is not None
    assert (m.satisfaction_rating, m.satisfaction_comment) == (5, "Top geholpen")
    own = caller_client.get(f"/portal/{m.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your rating: 5 of 5" in own
    detail = client_for(operator).get(f"/meldingen/{m.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Caller satisfaction" in detail
    assert "5 of 5" in detail
    assert "Top geholpen" in detail


def test_the_portal_confirm_without_a_rating(solved, caller_client):
    assert caller_client.post(f"/portal/{solved.pk}/confirm/", {"rating": ""}).status_code == 302
    m = Melding.objects.get(pk=solved.pk)
    assert m.closed_at is not None
    assert m.satisfaction_rating is None


@pytest.mark.parametrize(
    ("data", "field"), [({"rating": "9"}, "rating"), ({"rating": "3", "comment": "x" * 2001}, "comment")]
)
def test_bad_portal_input_shows_the_form_again(solved, caller_client, data, field):
    response = caller_client.post(f"/portal/{solved.pk}/confirm/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["confirm_form"].errors[field]
    m = Melding.objects.get(pk=solved.pk)
    assert m.closed_at is None
    assert m.satisfaction_rating is None


def test_the_portal_shows_a_service_refusal_on_the_form(solved, caller_client):
    response = caller_client.post(
        f"/portal/{solved.pk}/confirm/", {"rating": "", "comment": "Geen cijfer"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Choose a rating from 1 to 5." in response.content.decode()
    assert Melding.objects.get(pk=solved.pk).closed_at is None


# --------------------------------------------------------------------------------------------------
# API


def test_the_api_confirm_accepts_a_rating(solved, caller_client, operator):
    response = caller_client.post(
        f"/api/v1/meldingen/{solved.pk}/confirm",
        {"rating": 3, "comment": "Prima"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["satisfaction_rating"] == 3
    assert body["satisfaction_comment"] == "Prima"
    assert body["confirmed_at"] is not None
    detail = client_for(operator).get(f"/api/v1/meldingen/{solved.pk}").json()
    assert detail["satisfaction_rating"] == 3


def test_the_api_confirm_still_works_without_a_body(solved, caller_client):
    response = caller_client.post(
        f"/api/v1/meldingen/{solved.pk}/confirm", data="", content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["satisfaction_rating"] is None
    assert response.json()["closed_at"] is not None


@pytest.mark.parametrize(
    "payload", [{"rating": 0}, {"rating": 6}, {"rating": "veel"}, {"comment": "x" * 2001}]
)
def test_the_api_refuses_bad_ratings(solved, caller_client, payload):
    response = caller_client.post(
        f"/api/v1/meldingen/{solved.pk}/confirm", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert Melding.objects.get(pk=solved.pk).closed_at is None


def test_an_operator_cannot_rate_through_the_api(solved, operator_client):
    response = operator_client.post(
        f"/api/v1/meldingen/{solved.pk}/confirm", {"rating": 5}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Melding.objects.get(pk=solved.pk).closed_at is None


# --------------------------------------------------------------------------------------------------
# the summary for reports


def test_the_satisfaction_summary(operator, caller, other_caller, first_line, django_assert_num_queries):
    def new(for_caller: User) -> Melding:
        return services.open_melding(
            actor=operator,
            brief_description="Beamer doet het niet",
            entry_type=EntryType.PHONE,
            caller=for_caller,
            operator_group=first_line,
        )

    ratings: list[tuple[User, Any]] = [(caller, 5), (caller, 4), (other_caller, 2), (other_caller, None)]
    for person, rating in ratings:
        m = resolved(new(person), operator)
        services.confirm_resolution(m, actor=person, rating=rating)
    resolved(new(caller), operator)  # resolved, not confirmed
    with django_assert_num_queries(1):
        summary = satisfaction_summary(Melding.objects.all())
    assert summary.confirmed == 4
    assert summary.rated == 3
    assert summary.average == round((5 + 4 + 2) / 3, 2)
    assert summary.response_rate == 75.0
    assert summary.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    mine = satisfaction_summary(Melding.objects.visible_to(caller))
    assert (mine.confirmed, mine.rated, mine.average) == (2, 2, 4.5)
    empty = satisfaction_summary(Melding.objects.none())
    assert (empty.confirmed, empty.average, empty.response_rate) == (0, None, None)
