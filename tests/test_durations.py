"""Every screen that shows a duration writes it in the one house style (`core.durations`):
"2 h 05 min" / "2 u 05 min", "3 d 4 h" for long wall-clock spans. The pages are rendered with known
durations of 125 minutes and more; no other style ("125 min", "1:05 h", "2 hours, 5 minutes",
"2.08 h") may appear anywhere in their text."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from beheer.accounts.models import OperatorGroup, User
from beheer.calendars.models import BusinessCalendar
from beheer.core import clock
from beheer.monitoring.models import Check, CheckResult, MaintenanceWindow
from beheer.monitoring.services import roll_up
from beheer.operations.models import Occurrence
from beheer.operations.tests.helpers import first_open, make_series
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, Melding, OlaTarget, SlaPolicy
from tests.helpers import client_for as _client_for

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 12, 15, 0, tzinfo=AMS)  # Thursday
DAY = datetime(2026, 11, 9, 23, 0, tzinfo=UTC)  # 10 November 00:00 in Amsterdam

# the styles that must not appear: minutes past an hour, clock notation, spelled-out units, decimal hours
FORBIDDEN = {
    "minutes past an hour": re.compile(r"(?<![\d,.])([6-9]\d|\d{3,})\s*(min|minutes|minuten)\b"),
    "clock notation": re.compile(r"\b\d+:\d\d\s*(h|u|uur)\b"),
    # ("24 hours" alone names a period, as in the availability of the last 24 hours)
    "spelled-out units": re.compile(r"\b\d+\s+(minutes?|minuut|minuten)\b|\b\d+\s+(hours?|uur),?\s+\d"),
    "decimal hours": re.compile(r"\b\d+[.,]\d+\s*(h|u|uur|hours)\b"),
}


def client_for(user: User, language: str) -> Client:
    User.objects.filter(pk=user.pk).update(language=language)
    user.refresh_from_db()
    return _client_for(user)


def visible_text(response: Any) -> str:
    """The text a reader sees: no tags, scripts or attribute values, entities decoded."""
    assert response.status_code == 200, response
    body = response.content.decode()
    body = re.sub(r"<(script|style|title)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


def assert_house_style(text: str, where: str) -> None:
    for name, pattern in FORBIDDEN.items():
        found = pattern.search(text)
        assert found is None, f"{where}: {name}: …{text[max(0, found.start() - 60) : found.end() + 20]}…"


@pytest.fixture
def screens(
    coordinator: User, operator: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> dict[str, str]:
    """Known durations on every screen that shows one; the URLs of those screens."""
    SlaPolicy.objects.filter(name="Standaard").update(calendar=BusinessCalendar.objects.get(name="24x7"))
    OlaTarget.objects.create(
        operator_group=first_line, minutes=125, calendar=BusinessCalendar.objects.get(always_open=True)
    )
    with clock.frozen(NOW - timedelta(days=3, hours=4)):
        late = services.open_melding(
            actor=operator,
            brief_description="Server start niet",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=first_line,
        )
    with clock.frozen(NOW - timedelta(hours=3)):
        m = services.open_melding(
            actor=operator,
            brief_description="Printer",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=first_line,
        )
        services.register_time(m, minutes=125, actor=operator)
        m = services.set_estimates(
            Melding.objects.get(pk=m.pk),
            minutes=125,
            people=1,
            means="",
            actor=operator,
            expected_version=None,
        )
    with clock.frozen(NOW - timedelta(minutes=5)):
        services.resolve_melding(
            Melding.objects.get(pk=m.pk), solution="Klaar", actor=operator, expected_version=None
        )
    # monitoring: 125 minutes down on 10 November, a maintenance window of 125 minutes
    web = Check.objects.create(name="web", kind="http", target="https://web.example/", created_at=DAY)
    CheckResult.objects.bulk_create(
        CheckResult(check_obj=web, at=DAY + timedelta(minutes=n), ok=not 600 <= n < 725, latency_ms=90)
        for n in range(24 * 60)
    )
    window = MaintenanceWindow.objects.create(
        name="Patch", start=NOW + timedelta(days=1), duration_minutes=125, time_zone="Europe/Amsterdam"
    )
    window.checks.add(web)
    with clock.frozen(DAY + timedelta(days=2)):
        for _run in range(4):
            roll_up(now=DAY + timedelta(days=2))
    # a preventive activity with 125 minutes spent
    with clock.frozen(NOW):
        occurrence = first_open(make_series(coordinator, operator_group=first_line))
        client_for(operator, "en").post(
            reverse("operations-occurrence-action", args=[occurrence.pk, "time"]), {"time-minutes": "125"}
        )
    assert Occurrence.objects.get(pk=occurrence.pk).time_spent_minutes == 125
    return {
        "melding": reverse("melding-detail", args=[m.pk]),
        "late melding": reverse("melding-detail", args=[late.pk]),
        "dashboard": reverse("dashboard"),
        "report": reverse("reports") + "?preset=custom&date_from=2026-11-01&date_to=2026-11-30",
        "monthly report": reverse("report-monthly") + "?month=2026-11",
        "availability report": reverse("report-availability") + "?month=2026-11",
        "check": reverse("monitoring:check-detail", args=[web.pk]),
        "maintenance windows": reverse("monitoring:window-list"),
        "preventive activity": reverse("operations-occurrence", args=[occurrence.pk]),
    }


@pytest.mark.parametrize(("language", "style"), [("en", "2 h 05 min"), ("nl", "2 u 05 min")])
def test_every_screen_writes_durations_one_way(
    screens: dict[str, str], coordinator: User, language: str, style: str
) -> None:
    client = client_for(coordinator, language)
    expect = {
        "melding": 4,  # time spent per line, the registration, its history entry, the estimate
        "dashboard": 0,
        "report": 2,  # time spent in total and per line (and per group)
        "monthly report": 2,
        "availability report": 1,  # downtime
        "check": 2,  # downtime, the maintenance window
        "maintenance windows": 1,
        "preventive activity": 1,
        "late melding": 0,
    }
    for name, url in screens.items():
        with clock.frozen(NOW):
            text = visible_text(client.get(url))
        assert_house_style(text, name)
        assert text.count(style) >= expect[name], (name, text)
    with clock.frozen(NOW):
        late = visible_text(client.get(screens["late melding"]))
        dashboard = visible_text(client.get(screens["dashboard"]))
    # the late call: 3 d 4 h old against a 45 h target; on the dashboard the time past its deadline
    overdue = "overdue 1 d 7 h" if language == "en" else "1 d 7 u te laat"
    assert overdue in dashboard
    used = "used 76 h 00 min" if language == "en" else "76 u 00 min"
    assert used in late  # business time on the SLA clock: in hours, never in days
