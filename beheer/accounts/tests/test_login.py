"""Login, throttling, logout and the language preference."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from beheer.accounts import services
from beheer.accounts.models import LoginFailure, Role
from tests.helpers import make_person

PASSWORD = "correct-horse-battery"


@pytest.fixture
def person(db):
    return make_person(Role.OPERATOR, username="olga", password=PASSWORD)


def login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_login_page_renders():
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_successful_login_clears_failures(person):
    client = Client()
    login(client, "olga", "wrong")
    assert LoginFailure.objects.count() == 1
    response = login(client, "olga", PASSWORD)
    assert response.status_code == 302
    assert not LoginFailure.objects.filter(username="olga").exists()
    assert client.get(reverse("profile")).status_code == 200


def test_wrong_password_is_refused(person):
    client = Client()
    response = login(client, "olga", "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_throttled_after_max_failures_even_with_correct_password(person):
    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES):
        login(client, "olga", "wrong")
    assert services.login_throttled(username="olga", address="10.0.0.1")
    response = login(client, "olga", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Too many failed attempts" in response.content.decode()
    # the same username from another address is throttled too (per username)
    other = Client()
    response = login(other, "OLGA", PASSWORD, address="10.9.9.9")
    assert "_auth_user_id" not in other.session


def test_not_throttled_just_below_the_limit(person):
    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        login(client, "olga", "wrong")
    response = login(client, "olga", PASSWORD)
    assert response.status_code == 302


def test_throttle_per_address(person, db):
    client = Client()
    for i in range(settings.LOGIN_MAX_FAILURES * 4):
        login(client, f"unknown{i}", "wrong", address="10.6.6.6")
    assert services.login_throttled(username="olga", address="10.6.6.6")
    response = login(client, "olga", PASSWORD, address="10.6.6.6")
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert login(Client(), "olga", PASSWORD, address="10.1.1.1").status_code == 302


def test_window_expires(person, settings):
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 0
    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES):
        login(client, "olga", "wrong")
    assert login(client, "olga", PASSWORD).status_code == 302


def test_inactive_user_cannot_log_in(person):
    person.is_active = False
    person.save()
    client = Client()
    login(client, "olga", PASSWORD)
    assert "_auth_user_id" not in client.session


def test_logout_requires_post(person):
    client = Client()
    login(client, "olga", PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_profile_sets_language(person):
    client = Client()
    login(client, "olga", PASSWORD)
    response = client.post(reverse("profile"), {"language": "en"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "en"
    page = client.get(reverse("profile"))
    assert page["Content-Language"] == "en"
    bad = client.post(reverse("profile"), {"language": "xx"})
    assert bad.status_code == 200
    person.refresh_from_db()
    assert person.language == "en"


def test_profile_token_secret_shown_once(person):
    client = Client()
    login(client, "olga", PASSWORD)
    response = client.post(reverse("profile"), {"name": "Mijn script"})
    assert response.status_code == 200
    token = person.api_tokens.get()
    secret = response.context["new_secret"]
    assert secret
    assert secret.encode() in response.content
    assert services.user_for_token(secret) == person
    again = client.get(reverse("profile"))
    assert secret.encode() not in again.content
    assert token.prefix.encode() in again.content
    revoke = client.post(reverse("token-revoke", args=[token.pk]))
    assert revoke.status_code == 302
    assert services.user_for_token(secret) is None


@pytest.mark.django_db
def test_the_throttle_message_is_dutch_for_a_dutch_browser(operator):
    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post(reverse("login"), {"username": "olga", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="nl")
    response = client.post(reverse("login"), {"username": "olga", "password": "x"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert "Te veel mislukte pogingen" in response.content.decode()
