"""Login, throttling, logout and the language preference."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import connection, connections
from django.test import Client, RequestFactory
from django.urls import reverse

from beheer.accounts import services
from beheer.accounts.models import LoginFailure, LoginThrottle, Role
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


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_guesses_cannot_race_past_the_limit(settings):
    """Many wrong guesses at once: only the first LOGIN_MAX_FAILURES have their password checked, every
    further one is refused, and the counter holds every attempt. A slow hasher (Argon2) keeps the
    checks in flight together, so counting before the check and recording after it would let them all
    through. On PostgreSQL the threads run truly in parallel and queue on the counter's row lock; the
    shared in-memory SQLite test database cannot take parallel writers, so there they take turns (as
    SQLite's IMMEDIATE transactions make them do on a database file)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    make_person(Role.OPERATOR, username="olga", password=PASSWORD)
    limit = settings.LOGIN_MAX_FAILURES
    attempts = limit + 7
    barrier = threading.Barrier(attempts, timeout=30)
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()
    results: list[object] = []

    def guess(n: int) -> None:
        request = RequestFactory().post("/login/", REMOTE_ADDR=f"10.0.1.{n}")
        try:
            barrier.wait()
            with turns:
                results.append(authenticate(request, username="olga", password=f"wrong-{n}"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert results == [None] * attempts
    assert LoginFailure.objects.filter(username="olga").count() == limit  # passwords actually checked
    assert LoginThrottle.objects.get(key="user:olga").attempts == attempts
    # the right password is refused too until the window has passed
    assert authenticate(RequestFactory().post("/login/"), username="olga", password=PASSWORD) is None
