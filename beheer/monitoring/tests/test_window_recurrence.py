"""Maintenance windows: the shared recurrence builder, its "next dates" preview, hours and days for
the duration, the installation's time zone as the default."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from beheer.core import clock
from beheer.monitoring import services
from beheer.monitoring.models import MaintenanceWindow
from beheer.monitoring.services import WindowData
from tests.helpers import client_for

NOW = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with clock.frozen(NOW):
        yield


def post(**changes: str) -> dict[str, str]:
    data = {
        "name": "Patchnacht",
        "start_date": "2026-12-08",
        "start_time": "22:00",
        "time_zone": "Europe/Amsterdam",
        "duration_0": "2",
        "duration_1": "hours",
        "rule_0": "MONTHLY",
        "rule_1": "1",
        "rule_3": "weekday",
        "rule_5": "1",
        "rule_6": "TU",
        "rule_8": "never",
        "hosts": "web01",
        "active": "on",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_form_has_a_builder_hours_and_the_installations_time_zone(operator):
    with override_settings(TIME_ZONE="Europe/Brussels"):
        html = client_for(operator).get(reverse("monitoring:window-create")).content.decode()
    assert '<option value="Europe/Brussels" selected>' in html
    assert "data-recurrence-builder" in html
    assert "RRULE" not in html
    assert "FREQ=" not in html
    assert "(minutes)" not in html


@pytest.mark.django_db
def test_the_first_tuesday_with_a_preview_and_a_duration_in_hours(operator):
    client = client_for(operator)
    preview = client.post(reverse("monitoring:window-preview"), post(), HTTP_ACCEPT_LANGUAGE="en")
    assert preview.status_code == 200
    dates = re.findall(r"<li>(.*?)</li>", preview.content.decode())
    assert len(dates) == 5
    assert dates[0].startswith("Tuesday")
    assert "January 6, 2026" not in dates[0]
    assert client.post(reverse("monitoring:window-create"), post(duration_0="1.5")).status_code == 302
    window = MaintenanceWindow.objects.get()
    assert (window.rule, window.duration_minutes) == ("FREQ=MONTHLY;BYDAY=1TU", 90)


@pytest.mark.django_db
def test_a_bad_builder_choice_shows_in_the_preview_not_a_500(operator):
    client = client_for(operator)
    response = client.post(reverse("monitoring:window-preview"), post(rule_8="until", rule_9=""))
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    caller_response = client.post(reverse("monitoring:window-preview"), post(), follow=False)
    assert caller_response.status_code == 200


@pytest.mark.django_db
def test_callers_get_no_preview(caller):
    assert client_for(caller).post(reverse("monitoring:window-preview"), post()).status_code == 404


@pytest.mark.django_db
def test_an_hourly_rule_is_kept_and_described_on_edit(operator):
    window = services.create_window(
        actor=operator,
        data=WindowData(
            name="Elke 4 uur",
            start=datetime(2026, 12, 6, 2, 0),
            duration_minutes=30,
            rule="FREQ=HOURLY;INTERVAL=4",
            hosts="web01",
        ),
    )
    client = client_for(operator)
    html = client.get(
        reverse("monitoring:window-edit", args=[window.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Keep: every 4 hours" in html
    assert "FREQ=" not in html.replace('value="FREQ=HOURLY;INTERVAL=4"', "")
    assert 'name="duration_0" value="0.5"' in html


@pytest.mark.django_db
def test_the_api_defaults_to_the_installations_time_zone(operator):
    body = {"name": "Patchnacht", "start": "2026-12-13T22:00:00", "duration_minutes": 60, "hosts": "web01"}
    with override_settings(TIME_ZONE="Europe/Brussels"):
        response = client_for(operator).post(
            "/api/v1/monitoring/windows", body, content_type="application/json"
        )
    assert response.status_code == 201, response.content
    assert MaintenanceWindow.objects.get().time_zone == "Europe/Brussels"
