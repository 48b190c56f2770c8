"""Configuring business calendars in the product's own screens and the API: one validation in the
services, history, permissions. The history rows are the servicedesk's (it records calendar changes
in its service-level history through calendars/extensions.py)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from django.test import override_settings

from beheer.calendars import services
from beheer.calendars.models import BusinessCalendar
from beheer.calendars.services import CalendarData, ClosingDate, Period
from beheer.core import config_cache
from beheer.core.errors import DomainError, PermissionDenied
from beheer.servicedesk.models import ServiceLevelChange
from tests.helpers import client_for


def office_data(name: str = "Schooluren", **changes: Any) -> CalendarData:
    values: dict[str, Any] = {
        "name": name,
        "time_zone": "Europe/Amsterdam",
        "hours": [Period(d, time(8), time(16)) for d in range(5)],
        "closing_days": [ClosingDate(date(2026, 12, 24), "Kerstavond")],
    }
    values.update(changes)
    return CalendarData(**values)


def calendar_post(**changes) -> dict[str, str]:
    data = {
        "name": "Schooluren",
        "time_zone": "Europe/Amsterdam",
        "public_holidays": "on",
        "school_holidays_region": "",
        "closing_rows": "2",
        "closing_0_date": "2026-12-24",
        "closing_0_name": "Kerstavond",
        "closing_1_date": "",
        "closing_1_name": "",
    }
    for day in range(5):
        data[f"h{day}_0_start"], data[f"h{day}_0_end"] = "08:00", "16:00"
    data.update(changes)
    return data


# --------------------------------------------------------------------------------------------------
# the services: one validation for screens and API


class TestCalendarRules:
    def test_create_with_hours_and_a_closing_day_records_history(self, coordinator):
        cal = services.create_calendar(data=office_data(), actor=coordinator)
        assert [(h.weekday, h.start, h.end) for h in cal.opening_hours.order_by("weekday")] == [
            (d, time(8), time(16)) for d in range(5)
        ]
        assert list(cal.closing_days.values_list("date", "name")) == [(date(2026, 12, 24), "Kerstavond")]
        rows = ServiceLevelChange.objects.filter(subject="calendar", subject_id=cal.pk)
        assert rows.filter(action="created", actor=coordinator, field="opening_hours").exists()

    @pytest.mark.parametrize(
        ("period", "field"),
        [
            (Period(0, time(17), time(8)), "hours_0"),  # closes before it opens
            (Period(2, time(9), time(9)), "hours_2"),  # empty
        ],
    )
    def test_opening_must_be_before_closing(self, coordinator, period, field):
        with pytest.raises(DomainError) as caught:
            services.create_calendar(data=office_data(hours=[period]), actor=coordinator)
        assert field in caught.value.field_errors
        assert not BusinessCalendar.objects.filter(name="Schooluren").exists()  # nothing half-saved

    def test_overlapping_periods_are_refused(self, coordinator):
        hours = [Period(0, time(8), time(12)), Period(0, time(11), time(17))]
        with pytest.raises(DomainError) as caught:
            services.create_calendar(data=office_data(hours=hours), actor=coordinator)
        assert "hours_0" in caught.value.field_errors

    def test_midnight_as_end_and_touching_periods_are_fine(self, coordinator):
        hours = [Period(5, time(8), time(12)), Period(5, time(12), time(0))]
        cal = services.create_calendar(data=office_data(hours=hours), actor=coordinator)
        assert cal.opening_hours.count() == 2

    def test_a_closing_day_twice_is_refused(self, coordinator):
        days = [ClosingDate(date(2026, 5, 15)), ClosingDate(date(2026, 5, 15), "brugdag")]
        with pytest.raises(DomainError) as caught:
            services.create_calendar(data=office_data(closing_days=days), actor=coordinator)
        assert "closing_days" in caught.value.field_errors

    @override_settings(TIME_ZONE="Europe/Brussels")
    def test_the_time_zone_defaults_to_the_installations(self, coordinator):
        cal = services.create_calendar(data=office_data(time_zone=""), actor=coordinator)
        assert cal.time_zone == "Europe/Brussels"

    def test_operators_and_callers_may_not(self, operator, caller):
        for person in (operator, caller):
            with pytest.raises(PermissionDenied):
                services.create_calendar(data=office_data(), actor=person)


class TestConfiguration:
    def test_the_cache_is_cleared_on_save(self, coordinator):
        config_cache.cached("probe", lambda: 1)
        services.create_calendar(data=office_data(), actor=coordinator)
        assert config_cache.cached("probe", lambda: 2) == 2


# --------------------------------------------------------------------------------------------------
# the screens


class TestScreens:
    @pytest.mark.parametrize(
        "url",
        [
            "/sla/calendars/",
            "/sla/calendars/new/",
        ],
    )
    def test_operators_and_callers_are_refused(self, operator, caller, url):
        assert client_for(operator).get(url).status_code == 403
        assert client_for(caller).get(url).status_code == 403
        assert client_for(operator).post(url, calendar_post()).status_code == 403

    def test_a_coordinator_creates_a_calendar_with_hours_and_a_closing_day(self, coordinator):
        client = client_for(coordinator)
        assert client.get("/sla/calendars/new/").status_code == 200
        response = client.post("/sla/calendars/new/", calendar_post())
        cal = BusinessCalendar.objects.get(name="Schooluren")
        assert response.status_code == 302
        assert response["Location"] == f"/sla/calendars/{cal.pk}/"
        assert cal.opening_hours.filter(weekday=0, start=time(8), end=time(16)).exists()
        assert cal.closing_days.get().date == date(2026, 12, 24)
        page = client.get(f"/sla/calendars/{cal.pk}/").content.decode()
        assert "Kerstavond" in page
        assert "data-history" in page

    def test_the_screen_shows_the_services_errors_on_the_field(self, coordinator):
        response = client_for(coordinator).post(
            "/sla/calendars/new/",
            calendar_post(h0_0_start="17:00", h0_0_end="08:00"),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 400
        assert not BusinessCalendar.objects.filter(name="Schooluren").exists()
        assert "must be before the closing time" in response.content.decode()

    def test_archive_asks_for_confirmation(self, coordinator):
        cal = services.create_calendar(data=office_data(), actor=coordinator)
        client = client_for(coordinator)
        page = client.get(f"/sla/calendars/{cal.pk}/archive/")
        assert page.status_code == 200
        assert "<form" in page.content.decode()
        assert BusinessCalendar.objects.get(pk=cal.pk).active
        client.post(f"/sla/calendars/{cal.pk}/archive/")
        assert not BusinessCalendar.objects.get(pk=cal.pk).active


# --------------------------------------------------------------------------------------------------
# the API: the same services


class TestApi:
    BODY: dict[str, Any] = {
        "name": "Avonddienst",
        "hours": [{"weekday": d, "start": "17:00", "end": "00:00"} for d in range(5)],
        "closing_days": [{"date": "2026-12-31", "name": "Oudjaar"}],
    }

    def test_a_coordinator_creates_reads_and_changes_a_calendar(self, coordinator):
        client = client_for(coordinator)
        response = client.post("/api/v1/sla/calendars", self.BODY, content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["hours"][0] == {"weekday": 0, "start": "17:00:00", "end": "00:00:00"}
        changed = {**self.BODY, "hours": [{"weekday": 0, "start": "18:00", "end": "22:00"}]}
        put = client.put(f"/api/v1/sla/calendars/{body['id']}", changed, content_type="application/json")
        assert put.status_code == 200
        assert put.json()["hours"] == [{"weekday": 0, "start": "18:00:00", "end": "22:00:00"}]
        assert ServiceLevelChange.objects.filter(subject_id=body["id"], action="changed").exists()

    def test_the_same_validation_as_the_screens(self, coordinator):
        bad = {**self.BODY, "hours": [{"weekday": 0, "start": "12:00", "end": "09:00"}]}
        response = client_for(coordinator).post("/api/v1/sla/calendars", bad, content_type="application/json")
        assert response.status_code == 400
        assert "hours_0" in response.json()["fields"]
        overlap = {
            **self.BODY,
            "hours": [
                {"weekday": 1, "start": "08:00", "end": "12:00"},
                {"weekday": 1, "start": "10:00", "end": "14:00"},
            ],
        }
        response = client_for(coordinator).post(
            "/api/v1/sla/calendars", overlap, content_type="application/json"
        )
        assert response.status_code == 400

    def test_operators_and_callers_are_refused(self, operator, caller):
        for person in (operator, caller):
            client = client_for(person)
            assert client.get("/api/v1/sla/calendars").status_code == 403
            assert (
                client.post("/api/v1/sla/calendars", self.BODY, content_type="application/json").status_code
                == 403
            )
        assert not BusinessCalendar.objects.filter(name="Avonddienst").exists()

    def test_the_calendar_list_does_not_grow_in_queries(self, coordinator, django_assert_max_num_queries):
        for n in range(5):
            services.create_calendar(data=office_data(name=f"Kalender {n}"), actor=coordinator)
        client = client_for(coordinator)
        with django_assert_max_num_queries(8):
            assert len(client.get("/api/v1/sla/calendars").json()["items"]) >= 7
