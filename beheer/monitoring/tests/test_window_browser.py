"""Maintenance windows in a real browser: scheduled with the keyboard, then ended now."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from beheer.accounts.models import Role
from beheer.monitoring.models import Check, MaintenanceWindow
from tests.helpers import make_person, restore_default_configuration
from tests.test_browser import PASSWORD, _login, browser_page, pytestmark  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_a_window_is_scheduled_with_the_keyboard_and_ended_now(browser_page: Any, live_server: Any) -> None:  # noqa: F811
    page, base = browser_page, live_server.url
    restore_default_configuration()
    make_person(Role.OPERATOR, username="olga", password=PASSWORD)
    web = Check.objects.create(
        name="Website",
        kind="http",
        target="https://www.school.test/",
        host="web01",
        created_at=timezone.now(),
    )
    _login(page, base, "olga")
    page.goto(f"{base}/monitoring/")
    page.click("a:has-text('Maintenance windows')")
    page.wait_for_url(lambda url: url.endswith("/monitoring/windows/"))
    page.click("a:has-text('New maintenance window')")
    page.wait_for_selector("#id_name:focus")  # the name has the focus: start typing
    page.keyboard.type("Replacing web01")
    page.fill("#id_start_date", timezone.localdate().isoformat())  # today 00:00, 31 days: running
    page.fill("#id_start_time", "00:00")
    page.fill("#id_duration_0", "31")
    page.select_option("#id_duration_1", "days")
    page.select_option("#id_checks", [str(web.pk)])
    page.fill("#id_hosts", "Web01, db01")
    page.focus("#id_hosts")
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_url(lambda url: url.endswith("/monitoring/windows/"))
    window = MaintenanceWindow.objects.get()
    assert (window.hosts, list(window.checks.all())) == ("web01, db01", [web])
    row = page.locator(f"tr[data-window='{window.pk}']")
    assert row.locator(".monitor-maintenance").count() == 1  # running now
    row.locator("a[href$='/end/']").click()
    page.wait_for_url(lambda url: url.endswith("/end/"))  # the confirmation page, not the list's buttons
    page.click("button[type=submit]:has-text('End')")
    page.wait_for_url(lambda url: url.endswith("/monitoring/windows/"))
    window.refresh_from_db()
    assert window.duration_minutes < 31 * 24 * 60
    assert page.locator(f"tr[data-window='{window.pk}'] .monitor-maintenance").count() == 0
