"""Requests the API refuses before they reach an endpoint still answer in the API's JSON error shape:
a body above DATA_UPLOAD_MAX_MEMORY_SIZE (413), too many form fields or files (400)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from beheer.accounts import services as account_services
from beheer.accounts.models import Role, User
from tests.helpers import client_for, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> User:
    return make_person(Role.OPERATOR)


@pytest.fixture
def token_client(person: User) -> Client:
    _token, secret = account_services.issue_api_token(person, name="limits", actor=person)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _browser_session(person: User) -> Client:
    """A signed-in browser: CSRF checks enforced, the CSRF cookie set by a page."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    assert client.get("/profile/").status_code == 200
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response.content[:500]
    body = json.loads(response.content)
    assert body["error"] == code
    assert body["detail"]
    return body


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_000)
def test_an_oversized_json_body_answers_413_json(token_client: Client, person: User) -> None:
    body = json.dumps({"name": "x" * 5_000})
    response = token_client.post("/api/v1/tokens", body, content_type="application/json")
    _error(response, 413, "too_large")
    assert person.api_tokens.count() == 1  # only the token the test signs in with


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_000)
def test_an_oversized_body_with_a_session_answers_413_json(person: User) -> None:
    """With a session the CSRF check reads the body before the endpoint does."""
    client = _browser_session(person)
    response = client.post("/api/v1/tokens", {"name": "x" * 5_000})
    _error(response, 413, "too_large")


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
def test_too_many_fields_answers_400_json(token_client: Client, person: User) -> None:
    fields = {f"f{n}": "v" for n in range(30)}
    response = token_client.post("/api/v1/knowledge/articles/999999/attachments", fields)
    _error(response, 400, "too_many_fields")
    session = _browser_session(person)
    _error(session.post("/api/v1/tokens", fields), 400, "too_many_fields")


def test_outside_the_api_the_page_stays_html(person: User) -> None:
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_000):
        response = client_for(person).post("/profile/", {"name": "x" * 5_000})
    assert response.status_code in (400, 413)
    assert not response["Content-Type"].startswith("application/json")
