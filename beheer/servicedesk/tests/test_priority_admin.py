"""A priority's fallback resolution time is entered in hours or days in the admin, not minutes."""

from __future__ import annotations

from django.test import Client
from django.utils import translation

from beheer.accounts.models import User
from beheer.core.durations import format_duration
from beheer.servicedesk.models import Priority
from tests.helpers import client_for


def _post(client: Client, priority: Priority, amount: str, unit: str) -> int:
    data = {
        "code": priority.code,
        "name_nl": priority.name_nl,
        "name_en": priority.name_en,
        "level": priority.level,
        "order": priority.order,
        "active": "on",
        "resolution_0": amount,
        "resolution_1": unit,
    }
    return client.post(f"/beheer-admin/servicedesk/priority/{priority.pk}/change/", data).status_code


def test_the_resolution_time_is_hours_or_days(coordinator: User) -> None:
    client = client_for(coordinator)
    priority = Priority.objects.order_by("level").first()
    assert priority is not None
    page = client.get(f"/beheer-admin/servicedesk/priority/{priority.pk}/change/").content.decode()
    assert 'name="resolution_0"' in page
    assert 'name="resolution_minutes"' not in page
    assert _post(client, priority, "4", "hours") == 302
    priority.refresh_from_db()
    assert priority.resolution_minutes == 240
    assert _post(client, priority, "1,5", "days") == 302
    priority.refresh_from_db()
    assert priority.resolution_minutes == 36 * 60
    page = client.get(f"/beheer-admin/servicedesk/priority/{priority.pk}/change/").content.decode()
    assert 'value="36"' in page  # shown back in hours (1.5 days is not a whole number of days)
    listing = client.get("/beheer-admin/servicedesk/priority/")
    with translation.override(listing["Content-Language"]):
        shown = format_duration(36 * 60)
    assert shown in listing.content.decode()


def test_bad_resolution_times_are_field_messages(coordinator: User) -> None:
    client = client_for(coordinator)
    priority = Priority.objects.order_by("level").first()
    assert priority is not None
    before = priority.resolution_minutes
    for amount, unit in (("", "hours"), ("-2", "hours"), ("abc", "days"), ("400", "days")):
        response = client.post(
            f"/beheer-admin/servicedesk/priority/{priority.pk}/change/",
            {
                "code": priority.code,
                "name_nl": priority.name_nl,
                "name_en": priority.name_en,
                "level": priority.level,
                "order": priority.order,
                "resolution_0": amount,
                "resolution_1": unit,
            },
        )
        assert response.status_code == 200, (amount, unit)
        assert "errorlist" in response.content.decode()
    priority.refresh_from_db()
    assert priority.resolution_minutes == before
