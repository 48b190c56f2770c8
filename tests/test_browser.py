"""End to end in a real browser: headless Debian chromium driven by Playwright.

An operator logs in, registers a melding by phone for a caller, escalates it to the second line and
resolves it; the caller then confirms the solution in the self-service portal.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from beheer.accounts.models import OperatorGroup, Role
from beheer.servicedesk.models import Line, Melding, StatusKind
from tests.helpers import make_person, restore_default_configuration

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAS_BROWSER = os.path.exists(CHROMIUM)
if not HAS_BROWSER and os.environ.get("BEHEER_REQUIRE_BROWSER"):
    raise RuntimeError("Browser tests are required here, but chromium is not installed")

# Every browser test module: pytestmark = BROWSER_MARKS (skipped where chromium is not installed,
# except where BEHEER_REQUIRE_BROWSER says it must be).
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not HAS_BROWSER, reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]
pytestmark = BROWSER_MARKS
PASSWORD = "browser-test-password-1"


@pytest.fixture
def browser_page(live_server: Any) -> Iterator[Any]:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            _close_database_connections()
        assert errors == []


def _close_database_connections() -> None:
    """Playwright's sync API runs the test in its own context, where Django opened a database
    connection of its own; close it, or the test database cannot be dropped at the end."""
    from django.db import connections

    connections.close_all()


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_url(lambda url: "/login/" not in url)


def _open_action(page: Any, name: str) -> None:
    page.click(f"details.action-{name} > summary")
    page.wait_for_selector(f"details.action-{name} form")
    htmx_settled(page)


def htmx_settled(page: Any) -> None:
    """Wait until htmx has settled what it swapped in: only then does the new content carry its own
    htmx behaviour (a change on a select sent before that would go unanswered)."""
    busy = page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
    expect(busy).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_operator_registers_escalates_resolves_and_caller_confirms(
    browser_page: Any, live_server: Any
) -> None:
    page, base = browser_page, live_server.url
    restore_default_configuration()
    desk = OperatorGroup.objects.create(name="Servicedesk", is_first_line=True)
    systems = OperatorGroup.objects.create(name="Systeembeheer", is_second_line=True)
    operator = make_person(
        Role.OPERATOR, username="olga", password=PASSWORD, first_name="Olga", last_name="Op"
    )
    specialist = make_person(
        Role.OPERATOR, username="sem", password=PASSWORD, first_name="Sem", last_name="Spec"
    )
    desk.members.add(operator)
    systems.members.add(specialist)
    caller = make_person(
        Role.CALLER, username="anna", password=PASSWORD, first_name="Anna", last_name="Zandvoort"
    )

    # The operator registers a phone call for Anna.
    _login(page, base, "olga")
    page.goto(f"{base}/meldingen/new/")
    page.fill("#caller-q", "Zandv")
    page.check(f"input[name=caller][value='{caller.pk}']")
    page.fill("#id_brief_description", "Beamer lokaal 2.14 geeft geen beeld")
    page.fill("#id_request", "Sinds vanochtend blijft het scherm zwart.")
    page.select_option("#id_entry_type", "phone")
    page.select_option("#id_operator_group", str(desk.pk))
    page.click("button:has-text('Register call')")
    page.wait_for_url(lambda url: "/meldingen/new/" not in url and "/meldingen/" in url)
    melding = Melding.objects.get(brief_description="Beamer lokaal 2.14 geeft geen beeld")
    assert melding.caller_id == caller.pk
    assert page.locator("h1").first.inner_text().endswith("Beamer lokaal 2.14 geeft geen beeld")

    # Escalate to the second line (HTMX, no full reload).
    _open_action(page, "escalate")
    page.select_option("#id_escalate-to_group", str(systems.pk))
    page.fill("#id_escalate-reason", "Lamp of kabel defect, ter plaatse kijken.")
    with page.expect_response(lambda r: r.url.endswith("/escalate/") and r.request.method == "POST"):
        page.click("details.action-escalate button[type=submit]")
    page.wait_for_selector("text=Second line")
    melding.refresh_from_db()
    assert melding.line == Line.SECOND
    assert melding.operator_group_id == systems.pk

    # Resolve it.
    _open_action(page, "resolve")
    page.fill("#id_resolve-solution", "Lamp van de beamer vervangen.")
    with page.expect_response(lambda r: r.url.endswith("/resolve/") and r.request.method == "POST"):
        page.click("details.action-resolve button[type=submit]")
    page.wait_for_selector("text=Lamp van de beamer vervangen.")
    melding.refresh_from_db()
    assert melding.status.kind == StatusKind.RESOLVED

    # The caller confirms the solution in the portal. First let the melding page's panels finish
    # loading: a late answer to the old session would set its CSRF cookie over the login form's.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    _login(page, base, "anna")
    page.goto(f"{base}/portal/{melding.pk}/")
    assert page.locator("text=Lamp van de beamer vervangen.").count() >= 1
    page.click("button:has-text('Confirm solution')")
    page.wait_for_load_state()
    melding.refresh_from_db()
    assert melding.status.kind == StatusKind.CLOSED
    assert melding.closed_at is not None
