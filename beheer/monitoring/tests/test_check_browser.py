"""The check form in a real browser: choosing a kind swaps in its fields with HTMX."""

from __future__ import annotations

import re
from typing import Any

import pytest

from beheer.accounts.models import Role
from beheer.monitoring import services
from beheer.monitoring.models import Check
from tests.helpers import make_person, restore_default_configuration
from tests.test_browser import PASSWORD, _login, browser_page, pytestmark  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_the_kind_swaps_the_option_fields_and_the_check_is_saved(browser_page: Any, live_server: Any) -> None:  # noqa: F811
    page, base = browser_page, live_server.url
    restore_default_configuration()
    make_person(Role.OPERATOR, username="olga", password=PASSWORD)
    _login(page, base, "olga")
    page.goto(f"{base}/monitoring/checks/new/")
    assert page.locator("#id_o_keyword").is_visible()
    page.select_option("#id_kind", "dns")
    page.wait_for_selector("#id_o_record_type")
    assert page.locator("#id_o_keyword").count() == 0
    assert page.locator("#kind-fields").count() == 1  # replaced, not nested
    page.fill("#id_name", "Intranet DNS")
    page.fill("#id_target", "intranet.school.test")
    page.select_option("#id_o_record_type", "MX")
    page.fill("#id_o_server", "resolver.example")  # not an address: a field error
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_selector("#id_o_server ~ .errorlist, .has-error .errorlist")
    assert not Check.objects.exists()
    page.fill("#id_o_server", "127.0.0.1:5353")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_url(lambda url: re.search(r"/monitoring/checks/\d+/$", url) is not None)  # its status page
    check = Check.objects.get()
    assert (check.kind, check.target) == ("dns", "intranet.school.test")
    assert services.plain_options(check) == {"record_type": "MX", "server": "127.0.0.1:5353"}
