"""In a real browser: an operator finds calls by their caller's name, by number and with the caller
filter of the list (headless Debian chromium driven by Playwright, see test_browser.py)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from beheer.accounts.models import OperatorGroup, Role
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType
from tests.helpers import make_person, restore_default_configuration
from tests.test_browser import PASSWORD, _login, browser_page, pytestmark  # noqa: F401 (fixture, marks)


@pytest.mark.django_db(transaction=True)
def test_operator_finds_a_call_by_its_callers_name(browser_page: Any, live_server: Any) -> None:  # noqa: F811
    page, base = browser_page, live_server.url
    restore_default_configuration()
    desk = OperatorGroup.objects.create(name="Servicedesk", is_first_line=True)
    operator = make_person(
        Role.OPERATOR, username="olga", password=PASSWORD, first_name="Olga", last_name="Op"
    )
    desk.members.add(operator)
    anna = make_person(Role.CALLER, first_name="Anna", last_name="Zandvoort", phone="06-12345678")
    bram = make_person(Role.CALLER, first_name="Bram", last_name="Bakker")
    hers = services.open_melding(
        actor=operator,
        brief_description="Beamer lokaal 2.14 flikkert",
        entry_type=EntryType.PHONE,
        caller=anna,
    )
    services.open_melding(
        actor=operator, brief_description="Laptop start niet op", entry_type=EntryType.PHONE, caller=bram
    )

    _login(page, base, "olga")
    # the quick search in the top bar: the caller's name finds her call, not Bram's
    page.fill("#nav-search", "Zandvoort")
    page.press("#nav-search", "Enter")
    page.wait_for_url(lambda url: "q=Zandvoort" in url)
    results = page.locator("#queue-results")
    assert results.get_by_text("Beamer lokaal 2.14 flikkert").is_visible()
    assert results.get_by_text("Laptop start niet op").count() == 0

    # the caller filter of the list: type part of a phone number, choose the person
    page.goto(f"{base}/meldingen/?queue=all")
    assert page.locator("#queue-results").get_by_text("Laptop start niet op").is_visible()
    page.fill("#caller-filter-q", "0612345678")
    page.check(f"#caller-filter-options input[name=caller][value='{anna.pk}']")
    page.wait_for_url(lambda url: f"caller={anna.pk}" in url)
    expect(page.locator("#queue-results").get_by_text("Laptop start niet op")).to_have_count(0)
    assert page.locator("#queue-results").get_by_text("Beamer lokaal 2.14 flikkert").is_visible()

    # a number in the quick search opens the call itself
    page.fill("#nav-search", hers.number.lower())
    page.press("#nav-search", "Enter")
    page.wait_for_url(f"{base}/meldingen/{hers.pk}/")
    assert "Beamer lokaal 2.14 flikkert" in page.locator("h1").first.inner_text()
