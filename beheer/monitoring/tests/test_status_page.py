"""Public status pages: no login, public names only, never targets, hosts, details or internal names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beheer.core import clock
from beheer.monitoring.models import Check, StatusPage, StatusPageEntry
from beheer.monitoring.services import record_result, roll_up

SECRETS = ("INTERNAL-NAME-c1", "target-secret.example", "HOST-SECRET-01", "DETAIL-SECRET-9", "TAG-SECRET")


def _check(n: int, ok: bool = True) -> Check:
    check = Check.objects.create(
        name=f"{SECRETS[0]}-{n}",
        kind="http",
        target=f"https://{SECRETS[1]}/{n}",
        host=SECRETS[2],
        tags=SECRETS[4],
        max_attempts=1,
        created_at=clock.now() - timedelta(days=1),
    )
    for i in range(3):
        record_result(
            check, ok=ok, at=clock.now() - timedelta(minutes=3 - i), latency_ms=10, detail=SECRETS[3]
        )
    return check


@pytest.fixture
def page(db: Any) -> StatusPage:
    page = StatusPage.objects.create(slug="school", title="Status De Linde")
    StatusPageEntry.objects.create(page=page, check_obj=_check(1), public_name="Website", position=1)
    StatusPageEntry.objects.create(page=page, check_obj=_check(2, ok=False), public_name="E-mail", position=2)
    roll_up()
    return page


def test_anyone_sees_public_names_and_states_only(page):
    response = Client().get("/status/school/")
    assert response.status_code == 200
    services = response.context["page"]["services"]
    assert [(s["name"], s["status"]) for s in services] == [("Website", "up"), ("E-mail", "down")]
    assert response.context["page"]["status"] == "down"
    for secret in SECRETS:
        assert secret.encode() not in response.content
    api = Client().get("/api/v1/monitoring/status-pages/school")
    assert api.status_code == 200
    assert api.json()["services"][0]["name"] == "Website"
    for secret in SECRETS:
        assert secret not in api.text


def test_inactive_and_unknown_pages_are_not_found(page):
    StatusPage.objects.filter(pk=page.pk).update(active=False)
    assert Client().get("/status/school/").status_code == 404
    assert Client().get("/status/nothing/").status_code == 404
    assert Client().get("/api/v1/monitoring/status-pages/school").status_code == 404


def test_the_page_costs_the_same_queries_for_more_services(page):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert Client().get("/status/school/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(3, 9):
        StatusPageEntry.objects.create(page=page, check_obj=_check(n), public_name=f"Service {n}", position=n)
    assert count() == few


def test_coordinators_configure_pages_in_the_admin(page, coordinator, operator):
    from tests.helpers import client_for

    response = client_for(coordinator).get(f"/beheer-admin/monitoring/statuspage/{page.pk}/change/")
    assert response.status_code == 200
    assert b"entries-TOTAL_FORMS" in response.content
    assert client_for(operator).get(f"/beheer-admin/monitoring/statuspage/{page.pk}/change/").status_code in (
        302,
        403,
    )


def _visible(response: Any) -> str:
    import re

    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_status_page_speaks_the_language_the_browser_asks_for(page):
    dutch = _visible(Client().get("/status/school/", HTTP_ACCEPT_LANGUAGE="nl-NL,nl;q=0.9,en;q=0.5"))
    assert "Beschikbaar" in dutch
    assert "Storing" in dutch
    assert "Beschikbaarheid, 24 uur" in dutch
    for english in ("Up", "Down", "Service", "Availability", "Updated"):
        assert f" {english} " not in f" {dutch} ", english
    response = Client().get("/status/school/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    english = _visible(response)
    assert " Up " in english
    assert " Down " in english
    assert "Availability, 24 hours" in english
    for dutch_word in ("Beschikbaar", "Storing", "Dienst", "Bijgewerkt"):
        assert dutch_word not in english
    assert "Accept-Language" in response["Vary"]  # a shared cache keeps the languages apart


def test_without_a_preference_the_status_page_follows_the_installations_language(page, settings):
    assert " Storing " in _visible(Client().get("/status/school/"))  # Dutch is the default
    settings.LANGUAGE_CODE = "en"
    english = _visible(Client().get("/status/school/"))
    assert " Down " in english
    assert "Storing" not in english
