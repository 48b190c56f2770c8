"""Login, logout, profile: language and API tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import ApiToken, User
from tests.helpers import client_for

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def test_login_page_renders_and_logs_in(client: Client, operator: User) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Content-Security-Policy" in response.headers
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html
    assert 'action="/i18n/setlang/"' in html

    response = client.post("/login/", {"username": operator.username, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_login_wrong_password_shows_error(client: Client, operator: User) -> None:
    response = client.post("/login/", {"username": operator.username, "password": "wrong"})
    assert response.status_code == 200
    assert "message-error" in response.content.decode()


def test_logout_is_post_only(operator_client: Client) -> None:
    assert operator_client.get("/logout/").status_code == 405
    response = operator_client.post("/logout/")
    assert response.status_code == 302
    assert operator_client.get("/meldingen/").status_code == 302  # back to login


def test_profile_language_with_next(operator_client: Client, operator: User) -> None:
    response = operator_client.post("/profile/", {"language": "nl", "next": "/meldingen/?queue=all"})
    assert response.status_code == 302
    assert response["Location"] == "/meldingen/?queue=all"
    operator.refresh_from_db()
    assert operator.language == "nl"
    response = operator_client.post("/profile/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/profile/"


def test_profile_token_shown_once_and_revoked(caller: User) -> None:
    client = client_for(caller)
    response = client.post("/profile/", {"name": "script", "expires_in_days": "30"})
    assert response.status_code == 200
    html = response.content.decode()
    secret = re.search(r"bhr_[A-Za-z0-9_\-]+", html)
    assert secret is not None
    token = ApiToken.objects.get(user=caller)
    assert token.revoked_at is None
    assert secret.group(0) not in client.get("/profile/").content.decode()

    response = client.post(f"/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(caller: User, other_caller: User) -> None:
    client_for(caller).post("/profile/", {"name": "mine"})
    token = ApiToken.objects.get(user=caller)
    assert client_for(other_caller).post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
