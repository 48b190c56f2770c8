"""The recurrence builder in a real browser, on both forms that use it: the parts follow the chosen
frequency and the "next dates" preview follows every change."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from beheer.accounts.models import Role
from beheer.monitoring.models import MaintenanceWindow
from beheer.operations.models import ActivitySeries
from tests.helpers import make_person, restore_default_configuration
from tests.test_browser import PASSWORD, _login, browser_page, pytestmark  # noqa: F401


def _preview_dates(page: Any) -> list[str]:
    items = page.locator("[data-recurrence-preview] ol[data-next-dates] li")
    return [t.strip() for t in items.all_inner_texts()]


def _wait_for_preview(page: Any, check: Callable[[list[str]], bool]) -> list[str]:
    """The preview once it shows what `check` wants (bounded: 15 seconds)."""
    deadline = time.monotonic() + 15
    dates = _preview_dates(page)
    while not check(dates):
        assert time.monotonic() < deadline, f"the preview still shows {dates}"
        page.wait_for_timeout(100)
        dates = _preview_dates(page)
    return dates


@pytest.mark.django_db(transaction=True)
def test_the_builder_previews_a_maintenance_window(
    browser_page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    page, base = browser_page, live_server.url
    restore_default_configuration()
    make_person(Role.OPERATOR, username="olga", password=PASSWORD)
    _login(page, base, "olga")
    page.goto(f"{base}/monitoring/windows/new/")
    page.fill("#id_name", "Patchnacht")
    page.fill("#id_start_date", "2030-01-01")  # a Tuesday
    page.fill("#id_start_time", "22:00")
    assert page.locator("#id_rule_2_0").is_hidden()  # weekdays only for weekly
    page.select_option("#id_rule_0", "WEEKLY")
    assert page.locator("#id_rule_2_0").is_visible()
    page.check("#id_rule_2_6")  # Sunday
    dates = _wait_for_preview(page, lambda ds: len(ds) == 5 and all(d.startswith("Sunday") for d in ds))
    assert dates[0].startswith("Sunday 6 Jan 2030")
    page.select_option("#id_rule_0", "MONTHLY")
    page.check("#id_rule_3_1")  # on the ...
    page.select_option("#id_rule_5", "-1")  # last
    page.select_option("#id_rule_6", "FR")  # Friday
    dates = _wait_for_preview(page, lambda ds: len(ds) == 5 and all(d.startswith("Friday") for d in ds))
    assert dates[0].startswith("Friday 25 Jan 2030")
    assert "last Friday" in page.locator("[data-recurrence-words]").inner_text()
    page.fill("#id_hosts", "web01")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_url(lambda url: url.endswith("/monitoring/windows/"))
    assert MaintenanceWindow.objects.get().rule == "FREQ=MONTHLY;BYDAY=-1FR"
    assert "FREQ=" not in page.content()


@pytest.mark.django_db(transaction=True)
def test_the_builder_previews_a_preventive_series(
    browser_page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    page, base = browser_page, live_server.url
    restore_default_configuration()
    make_person(Role.COORDINATOR, username="cora", password=PASSWORD)
    _login(page, base, "cora")
    page.goto(f"{base}/preventief/reeksen/new/")
    page.fill("#id_name", "Back-up terugzetten")
    page.fill("#id_start_date", timezone.localdate().isoformat())
    page.fill("#id_start_time", "09:00")
    page.select_option("#id_rule_0", "WEEKLY")
    page.check("#id_rule_2_0")  # Monday
    dates = _wait_for_preview(page, lambda ds: len(ds) == 5 and all(d.startswith("Monday") for d in ds))
    page.fill("#id_rule_1", "2")  # every 2 weeks
    page.check("#id_rule_8_2")  # ends after ...
    page.fill("#id_rule_10", "3")  # ... 3 times
    page.locator("#id_rule_10").dispatch_event("change")
    dates = _wait_for_preview(page, lambda ds: 0 < len(ds) <= 3)
    assert all(d.startswith("Monday") for d in dates)
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_url(lambda url: "/preventief/reeksen/" in url and not url.endswith("/new/"))
    assert ActivitySeries.objects.get().rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=3"
