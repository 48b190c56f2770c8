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


def _signed_in(person: User, password: str = "correct-horse-battery") -> Client:
    client = Client()
    assert client.post("/login/", {"username": person.username, "password": password}).status_code == 302
    return client


@pytest.mark.parametrize("role", ["operator", "caller"])
def test_everyone_changes_their_own_password(role: str, request: Any) -> None:
    from beheer.accounts.models import PersonAction, PersonHistoryEntry

    person: User = request.getfixturevalue(role)
    client, elsewhere = _signed_in(person), _signed_in(person)
    assert 'href="/profile/password/"' in client.get("/profile/").content.decode()
    page = client.get("/profile/password/")
    assert page.status_code == 200
    assert 'name="old_password"' in page.content.decode()

    wrong = client.post(
        "/profile/password/",
        {
            "old_password": "guess",
            "new_password1": "Nieuw-wachtwoord-2026",
            "new_password2": "Nieuw-wachtwoord-2026",
        },
    )
    assert wrong.status_code == 200
    assert "Your current password is not correct." in wrong.content.decode()
    weak = client.post(
        "/profile/password/",
        {"old_password": "correct-horse-battery", "new_password1": "12345", "new_password2": "12345"},
    )
    assert weak.status_code == 200
    assert "errorlist" in weak.content.decode()
    person.refresh_from_db()
    assert person.check_password("correct-horse-battery")  # nothing changed yet

    done = client.post(
        "/profile/password/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "Nieuw-wachtwoord-2026",
            "new_password2": "Nieuw-wachtwoord-2026",
        },
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Nieuw-wachtwoord-2026")
    assert client.get("/profile/").status_code == 200  # this session stays
    assert elsewhere.get("/profile/").status_code == 302  # the other one ends
    entry = PersonHistoryEntry.objects.filter(person=person).order_by("-id").first()
    assert entry is not None
    assert (entry.action, entry.actor_id) == (PersonAction.PASSWORD_SET, person.pk)
    _signed_in(person, "Nieuw-wachtwoord-2026")


def test_no_password_form_without_password_sign_in(operator: User) -> None:
    operator.set_unusable_password()
    operator.save()
    client = Client()
    client.force_login(operator)
    page = client.get("/profile/password/")
    assert page.status_code == 200
    assert "Password sign-in is off" in page.content.decode()
    assert client.post("/profile/password/", {"old_password": "x"}).status_code == 200


def test_own_password_through_the_api(caller: User) -> None:
    from beheer.accounts import services as account_services

    _token, secret = account_services.issue_api_token(caller, name="script", actor=caller)
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    url = "/api/v1/me/password"
    wrong = api.post(
        url, {"current_password": "guess", "new_password": "Nieuw-wachtwoord-2026"}, "application/json"
    )
    assert wrong.status_code == 400
    assert "current_password" in wrong.json()["fields"]
    weak = api.post(
        url, {"current_password": "correct-horse-battery", "new_password": "1"}, "application/json"
    )
    assert weak.status_code == 400
    assert "new_password" in weak.json()["fields"]
    empty = api.post(url, {}, "application/json")
    assert empty.status_code == 422
    done = api.post(
        url,
        {"current_password": "correct-horse-battery", "new_password": "Nieuw-wachtwoord-2026"},
        "application/json",
    )
    assert done.status_code == 204
    caller.refresh_from_db()
    assert caller.check_password("Nieuw-wachtwoord-2026")
    assert api.get("/api/v1/me").status_code == 200  # the token keeps working


def test_no_own_password_through_the_api_when_password_sign_in_is_off(caller: User) -> None:
    from beheer.accounts import services as account_services
    from beheer.accounts.models import LoginThrottle

    _token, secret = account_services.issue_api_token(caller, name="script", actor=caller)
    caller.set_unusable_password()
    caller.save(update_fields=["password"])
    answer = Client(headers={"Authorization": f"Bearer {secret}"}).post(
        "/api/v1/me/password",
        {"current_password": "correct-horse-battery", "new_password": "Nieuw-wachtwoord-2026"},
        "application/json",
    )
    assert answer.status_code == 400
    assert "Password sign-in is off" in answer.json()["detail"]
    caller.refresh_from_db()
    assert not caller.has_usable_password()
    assert not LoginThrottle.objects.exists()  # refused before anything was counted


def test_guessing_the_current_password_is_limited_like_a_sign_in(caller: User, settings: Any) -> None:
    """A stolen token or session cannot be used to guess the password: the check of the current
    password counts as a sign-in attempt, and past the limit even the right one is refused."""
    from beheer.accounts import services as account_services
    from beheer.accounts.models import LoginFailure

    _token, secret = account_services.issue_api_token(caller, name="script", actor=caller)
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    url = "/api/v1/me/password"
    for i in range(settings.LOGIN_MAX_FAILURES):
        wrong = api.post(
            url,
            {"current_password": f"guess-{i}", "new_password": "Nieuw-wachtwoord-2026"},
            "application/json",
        )
        assert wrong.status_code == 400
    assert LoginFailure.objects.filter(username=caller.username).count() == settings.LOGIN_MAX_FAILURES
    right = api.post(
        url,
        {"current_password": "correct-horse-battery", "new_password": "Nieuw-wachtwoord-2026"},
        "application/json",
    )
    assert right.status_code == 429
    assert "Too many failed attempts" in right.json()["detail"]
    caller.refresh_from_db()
    assert caller.check_password("correct-horse-battery")  # nothing changed

    # the screen shares the same counter
    client = Client()
    client.force_login(caller)
    page = client.post(
        "/profile/password/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "Nieuw-wachtwoord-2026",
            "new_password2": "Nieuw-wachtwoord-2026",
        },
    )
    assert page.status_code == 200
    assert "Too many failed attempts" in page.content.decode()
    caller.refresh_from_db()
    assert caller.check_password("correct-horse-battery")
