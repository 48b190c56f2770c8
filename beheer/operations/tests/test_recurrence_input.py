"""Preventive series: the shared recurrence builder, its preview, the time zone default; and one
"time spent" input on an occurrence."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from beheer.core import clock
from beheer.operations.models import ActivitySeries
from tests.helpers import client_for

from .helpers import first_open, make_series

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with clock.frozen(NOW):
        yield NOW


def form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Patchronde",
        "kind": "patch_round",
        "rule_0": "MONTHLY",
        "rule_1": "1",
        "rule_3": "weekday",
        "rule_5": "2",
        "rule_6": "TU",
        "rule_8": "never",
        "start_date": "2026-03-01",
        "start_time": "20:00",
        "time_zone": "Europe/Amsterdam",
        "lead_days": "30",
        "grace_hours": "24",
    }
    data.update(changes)
    return data


def test_the_series_form_has_no_raw_rule_field_and_defaults_to_the_installations_zone(coordinator, frozen):
    with override_settings(TIME_ZONE="Europe/Brussels"):
        html = client_for(coordinator).get(reverse("operations-series-create")).content.decode()
    assert '<option value="Europe/Brussels" selected>' in html
    assert "data-recurrence-builder" in html
    assert "RRULE" not in html
    assert "FREQ=" not in html


def test_the_second_tuesday_of_the_month_is_built_and_previewed_in_the_readers_language(coordinator, frozen):
    client = client_for(coordinator)
    preview = client.post(reverse("operations-preview"), form(), HTTP_ACCEPT_LANGUAGE="nl")
    html = preview.content.decode()
    dates = re.findall(r"<li>(.*?)</li>", html)
    assert len(dates) == 5
    assert dates[0].startswith("dinsdag 10 maart 2026")  # the second Tuesday of March
    assert "elke maand, op de tweede dinsdag" in html.lower()
    assert client.post(reverse("operations-series-create"), form()).status_code == 302
    assert ActivitySeries.objects.get().rule == "FREQ=MONTHLY;BYDAY=2TU"


def test_a_rule_the_builder_cannot_express_is_kept_and_described(coordinator, frozen):
    series = make_series(coordinator, rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;WKST=SU")
    client = client_for(coordinator)
    html = client.get(
        reverse("operations-series-edit", args=[series.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Keep: every 2 weeks, on Monday" in html
    shown = html.replace('value="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;WKST=SU"', "")
    assert "FREQ=" not in shown
    data = form(rule_0="keep", rule_11="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;WKST=SU", version=str(series.version))
    assert client.post(reverse("operations-series-edit", args=[series.pk]), data).status_code == 302
    series.refresh_from_db()
    assert series.rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;WKST=SU"


def test_an_open_occurrence_has_one_time_spent_input(coordinator, operator, frozen):
    o = first_open(make_series(coordinator))
    html = client_for(operator).get(reverse("operations-occurrence", args=[o.pk])).content.decode()
    inputs = re.findall(r'<input[^>]*name="(?:time-)?minutes"', html)
    assert len(inputs) == 1


def test_time_typed_before_skipping_is_recorded(coordinator, operator, frozen):
    o = first_open(make_series(coordinator))
    client = client_for(operator)
    url = reverse("operations-occurrence-action", args=[o.pk, "skip"])
    assert (
        client.post(url, {"version": o.version, "reason": "Server vervangen", "minutes": "15"}).status_code
        == 302
    )
    o.refresh_from_db()
    assert (o.status, o.time_spent_minutes) == ("skipped", 15)
    html = client.get(reverse("operations-occurrence", args=[o.pk])).content.decode()
    assert len(re.findall(r'<input[^>]*name="(?:time-)?minutes"', html)) == 1  # afterwards: the time form


def test_the_api_defaults_to_the_installations_time_zone_and_keeps_taking_an_rrule(coordinator, frozen):
    body = {
        "name": "Patchronde",
        "kind": "patch_round",
        "rule": "FREQ=MONTHLY;BYDAY=2TU",
        "start_date": "2026-01-01",
        "start_time": "19:00",
    }
    client = client_for(coordinator)
    with override_settings(TIME_ZONE="Europe/Brussels"):
        response = client.post("/api/v1/operations/series", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert ActivitySeries.objects.get().time_zone == "Europe/Brussels"
    bad = client.post(
        "/api/v1/operations/series",
        {**body, "name": "x", "rule": "FREQ=HOURLY"},
        content_type="application/json",
    )
    assert bad.status_code == 400  # validated by the same service as the builder's rules
