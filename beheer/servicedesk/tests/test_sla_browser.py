"""A coordinator sets a calendar's opening hours and a closing day, and a policy target, in a browser."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from beheer.accounts.models import Role
from beheer.calendars.models import BusinessCalendar
from beheer.servicedesk.models import Priority, SlaPolicy, SlaTarget
from tests.helpers import make_person, restore_default_configuration
from tests.test_browser import PASSWORD, _login, browser_page, pytestmark  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_sets_opening_hours_a_closing_day_and_a_target(
    browser_page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    page, base = browser_page, live_server.url
    restore_default_configuration()
    make_person(Role.COORDINATOR, username="cora", password=PASSWORD)
    _login(page, base, "cora")
    page.click("nav .nav-menu > summary:has-text('More')")  # the less used screens
    page.click("nav a:has-text('Service levels')")
    page.click("a.tab:has-text('Business calendars')")
    page.click("a:has-text('New business calendar')")
    page.fill("#id_name", "Schooluren")
    for day in range(5):
        page.fill(f"#id_h{day}_0_start", "08:00")
        page.fill(f"#id_h{day}_0_end", "16:30")
    page.fill("#id_closing_0_date", "2026-10-02")
    page.fill("#id_closing_0_name", "Studiedag")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_selector("text=The business calendar has been created.")
    cal = BusinessCalendar.objects.get(name="Schooluren")
    assert cal.opening_hours.filter(weekday=4, start=time(8), end=time(16, 30)).exists()
    assert list(cal.closing_days.values_list("date", "name")) == [(date(2026, 10, 2), "Studiedag")]
    assert page.locator("[data-history]").count() == 1

    # A wrong period is refused with the message on the screen, nothing saved.
    page.fill("#id_h0_0_end", "07:00")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_selector("text=must be before the closing time")
    assert cal.opening_hours.get(weekday=0).end == time(16, 30)

    page.click("a.tab:has-text('SLA policies')")
    page.click("a:has-text('Standaard')")
    p1 = Priority.objects.get(level=1)
    page.fill(f"#id_t{p1.pk}_resolution_0", "1")
    page.select_option(f"#id_t{p1.pk}_resolution_1", "days")
    page.select_option("#id_calendar", str(cal.pk))
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_selector("text=The SLA policy has been saved.")
    policy = SlaPolicy.objects.get(name="Standaard")
    assert policy.calendar_id == cal.pk
    assert SlaTarget.objects.get(policy=policy, priority=p1).resolution_minutes == 510  # 08:00-16:30
