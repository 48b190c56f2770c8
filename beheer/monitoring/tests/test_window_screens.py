"""Maintenance windows on the screens and in the API: wiring, permissions, query counts, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from beheer.accounts.models import Role
from beheer.core import clock
from beheer.monitoring import services
from beheer.monitoring.models import Check, MaintenanceWindow
from beheer.monitoring.services import WindowData
from tests.helpers import client_for, make_person

API = "/api/v1/monitoring/windows"
NOW = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)  # Sunday 02:30 in Amsterdam


@pytest.fixture(autouse=True)
def _english_and_frozen() -> Any:
    """Messages are compared in English; "now" is a fixed Sunday night."""
    with translation.override("en"), clock.frozen(NOW):
        yield


@pytest.fixture
def operator_client(operator: Any) -> Client:
    """An operator whose browser asks for English (the default language is Dutch)."""
    client = client_for(operator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def web(db: Any) -> Check:
    return Check.objects.create(
        name="Website", kind="http", target="https://www.school.test/", host="web01", created_at=NOW
    )


@pytest.fixture
def mail(db: Any) -> Check:
    return Check.objects.create(name="Mail", kind="tcp", target="mail:25", host="mail01", created_at=NOW)


def make_window(actor: Any, **kw: Any) -> MaintenanceWindow:
    base: dict[str, Any] = {
        "name": "Patch night",
        "start": datetime(2026, 12, 6, 2, 0),
        "duration_minutes": 120,
        "hosts": "web01",
    }
    base.update(kw)
    return services.create_window(actor=actor, data=WindowData(**base))


def form_post(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Replacing web01",
        "start_date": "2026-12-13",
        "start_time": "22:00",
        "time_zone": "Europe/Amsterdam",
        "duration_0": "1.5",
        "duration_1": "hours",
        "rule_0": "",
        "rule_8": "never",
        "tags": "",
        "hosts": "web01",
        "active": "on",
    }
    values.update(overrides)
    return values


# --------------------------------------------------------------------------------------------------
# permissions


@pytest.mark.django_db
def test_callers_get_404_and_anonymous_visitors_the_login_page_on_every_screen(caller, operator, client):
    window = make_window(operator)
    caller_client = client_for(caller)
    urls = [
        reverse("monitoring:window-list"),
        reverse("monitoring:window-create"),
        reverse("monitoring:window-edit", args=[window.pk]),
        reverse("monitoring:window-delete", args=[window.pk]),
        reverse("monitoring:window-end", args=[window.pk]),
    ]
    for url in urls:
        assert caller_client.get(url).status_code == 404, url
        assert client.get(url).status_code == 302, url
        assert "/login" in client.get(url)["Location"] or "login" in client.get(url)["Location"]
    for url in urls[1:]:
        assert caller_client.post(url, form_post()).status_code == 404, url
    assert MaintenanceWindow.objects.get().version == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OPERATOR, Role.COORDINATOR, Role.ADMIN])
def test_staff_reach_every_screen(role, operator):
    window = make_window(operator)
    staff = client_for(make_person(role))
    for url in (
        reverse("monitoring:window-list"),
        reverse("monitoring:window-create"),
        reverse("monitoring:window-edit", args=[window.pk]),
        reverse("monitoring:window-delete", args=[window.pk]),
        reverse("monitoring:window-end", args=[window.pk]),
    ):
        assert staff.get(url).status_code == 200, url
    response = staff.get(API)
    assert response.status_code == 200
    assert [w["id"] for w in response.json()["items"]] == [window.pk]


@pytest.mark.django_db
def test_the_api_refuses_callers_with_403_and_anonymous_visitors_with_401(caller, operator, client):
    window = make_window(operator)
    caller_client = client_for(caller)
    body = {"name": "x", "start": "2026-12-13T22:00:00", "duration_minutes": 60, "hosts": "web01"}
    for who, status in ((caller_client, 403), (client, 401)):
        assert who.get(API).status_code == status
        assert who.get(f"{API}/{window.pk}").status_code == status
        assert who.post(API, body, content_type="application/json").status_code == status
        assert who.put(f"{API}/{window.pk}", body, content_type="application/json").status_code == status
        assert who.delete(f"{API}/{window.pk}").status_code == status
        assert who.post(f"{API}/{window.pk}/end").status_code == status
    window.refresh_from_db()
    assert (window.name, window.version, window.active) == ("Patch night", 1, True)


# --------------------------------------------------------------------------------------------------
# screens


@pytest.mark.django_db
def test_create_through_the_form(operator_client, web, mail):
    page = operator_client.get(reverse("monitoring:window-create") + f"?check={web.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'type="date"' in body
    assert 'type="time"' in body
    assert '<option value="Europe/Amsterdam" selected>' in body
    assert f'<option value="{web.pk}" selected>' in body
    response = operator_client.post(
        reverse("monitoring:window-create"), form_post(checks=[mail.pk], tags=" Extern ")
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("monitoring:window-list")
    window = MaintenanceWindow.objects.get()
    assert window.start == datetime(2026, 12, 13, 21, 0, tzinfo=UTC)  # 22:00 Amsterdam
    assert (window.duration_minutes, window.hosts, window.tags) == (90, "web01", "extern")
    assert list(window.checks.all()) == [mail]


@pytest.mark.django_db
def test_service_errors_land_on_the_form_fields(operator_client):
    response = operator_client.post(
        reverse("monitoring:window-create"),
        form_post(
            rule_0="keep",
            rule_11="FREQ=HOURLY;BYMINUTE=0,5",
            hosts="",
            start_date="2026-03-29",
            start_time="02:30",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"rule", "checks", "start_date"} <= set(errors)
    assert not MaintenanceWindow.objects.exists()
    shape = operator_client.post(reverse("monitoring:window-create"), form_post(duration_0="0", name=""))
    assert {"duration", "name"} <= set(shape.context["form"].errors)


@pytest.mark.django_db
def test_edit_shows_local_time_and_refuses_a_stale_version(operator, operator_client):
    window = make_window(operator, start=datetime(2026, 12, 13, 9, 0), time_zone="America/New_York")
    url = reverse("monitoring:window-edit", args=[window.pk])
    page = operator_client.get(url)
    assert page.status_code == 200
    assert b'value="09:00"' in page.content
    assert b'value="2026-12-13"' in page.content
    saved = operator_client.post(
        url,
        form_post(version=1, time_zone="America/New_York", start_date="2026-12-13", start_time="10:00"),
    )
    assert saved.status_code == 302
    window.refresh_from_db()
    assert window.start == datetime(2026, 12, 13, 15, 0, tzinfo=UTC)
    assert window.version == 2
    stale = operator_client.post(url, form_post(version=1))
    assert stale.status_code == 200
    assert "Somebody else changed" in " ".join(stale.context["form"].non_field_errors())


@pytest.mark.django_db
def test_delete_asks_first(operator, operator_client):
    window = make_window(operator)
    url = reverse("monitoring:window-delete", args=[window.pk])
    page = operator_client.get(url)
    assert b'method="post"' in page.content
    assert b"It is running now" in page.content
    assert MaintenanceWindow.objects.exists()
    response = operator_client.post(url)
    assert response["Location"] == reverse("monitoring:window-list")
    assert not MaintenanceWindow.objects.exists()
    assert operator_client.post(url).status_code == 404


@pytest.mark.django_db
def test_end_now_asks_first_then_ends_the_running_window(operator, operator_client, web):
    window = make_window(operator)
    url = reverse("monitoring:window-end", args=[window.pk])
    page = operator_client.get(url)
    assert page.status_code == 200
    assert b'data-plan="shortened"' in page.content
    assert b'method="post"' in page.content
    assert MaintenanceWindow.objects.get().duration_minutes == 120
    response = operator_client.post(url)
    assert response.status_code == 302
    window.refresh_from_db()
    assert (window.duration_minutes, window.active) == (30, True)
    assert not services.in_maintenance(web, NOW + timedelta(seconds=1))
    done = operator_client.get(url)
    assert b'data-plan="unchanged"' in done.content
    assert b'class="button button-primary" type="submit"' not in done.content


@pytest.mark.django_db
def test_the_list_shows_schedule_duration_recurrence_and_coverage(operator, operator_client, web):
    make_window(operator, checks=[web.pk], tags="extern")
    make_window(
        operator,
        name="Sunday backups",
        start=datetime(2026, 11, 1, 4, 0),
        duration_minutes=90,
        rule="FREQ=WEEKLY;BYDAY=SU",
        hosts="backup01",
    )
    make_window(
        operator,
        name="Odd rule",
        start=datetime(2026, 11, 1, 4, 0),
        rule="FREQ=MONTHLY;BYDAY=1TU",
        hosts="db01",
    )
    page = operator_client.get(reverse("monitoring:window-list"))
    assert page.status_code == 200
    body = page.content.decode()
    rows = {r.window.name: r for r in page.context["rows"]}
    assert rows["Patch night"].running
    assert rows["Patch night"].schedule.startswith("running until")
    assert rows["Patch night"].recurrence == "once"
    assert rows["Patch night"].duration == "2 h 00 min"
    assert not rows["Sunday backups"].running
    assert rows["Sunday backups"].recurrence == "every week on Sunday at 04:00"
    assert rows["Sunday backups"].duration == "1 h 30 min"
    assert rows["Odd rule"].recurrence == "every month, on the first Tuesday, from 04:00"  # never raw
    assert "FREQ=" not in body
    assert reverse("monitoring:check-detail", args=[web.pk]) in body
    assert "backup01" in body
    assert reverse("monitoring:window-end", args=[rows["Patch night"].window.pk]) in body
    assert reverse("monitoring:window-end", args=[rows["Sunday backups"].window.pk]) not in body


@pytest.mark.django_db
def test_the_list_pages_with_the_same_number_of_queries_for_many_windows(
    operator, operator_client, web, mail
):
    def count(url: str = reverse("monitoring:window-list")) -> tuple[int, Any]:
        with CaptureQueriesContext(connection) as ctx:
            response = operator_client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    make_window(operator, checks=[web.pk])
    few, _response = count()
    for i in range(60):
        make_window(operator, name=f"Window {i:02}", checks=[web.pk, mail.pk], rule="FREQ=DAILY", tags="x")
    many, response = count()
    assert many == few
    assert len(response.context["rows"]) == 50
    second, page2 = count(response.context["next_url"])
    assert second == few
    assert len(page2.context["rows"]) == 11
    assert operator_client.get(reverse("monitoring:window-list") + "?cursor=garbage").status_code == 200


@pytest.mark.django_db
def test_monitoring_screens_link_to_the_windows_and_the_check_page_to_its_windows(
    operator, operator_client, web
):
    window = make_window(operator)
    for name in ("monitoring:overview", "monitoring:check-manage"):
        assert reverse("monitoring:window-list") in operator_client.get(reverse(name)).content.decode()
    detail = operator_client.get(reverse("monitoring:check-detail", args=[web.pk])).content.decode()
    assert reverse("monitoring:window-edit", args=[window.pk]) in detail
    assert reverse("monitoring:window-create") + f"?check={web.pk}" in detail


# --------------------------------------------------------------------------------------------------
# API


@pytest.mark.django_db
def test_api_create_read_update_end_delete(operator_client, web):
    created = operator_client.post(
        API,
        {
            "name": "Patch night",
            "start": "2026-12-06T02:00:00",
            "duration_minutes": 120,
            "time_zone": "Europe/Amsterdam",
            "checks": [web.pk],
            "tags": ["Extern", "web"],
            "hosts": "WEB01",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["start"] == "2026-12-06T01:00:00Z"
    assert body["checks"] == [web.pk]
    assert (body["tags"], body["hosts"]) == ("extern, web", "web01")
    assert (body["running"], body["next_start"], body["version"]) == (True, None, 1)
    url = f"{API}/{body['id']}"
    assert operator_client.get(url).json() == body
    payload = {
        "name": "Patch night",
        "start": "2026-12-13T02:00:00+01:00",
        "duration_minutes": 60,
        "rule": "FREQ=WEEKLY;BYDAY=SU",
        "hosts": "web01",
        "version": 1,
    }
    updated = operator_client.put(url, payload, content_type="application/json")
    assert updated.status_code == 200, updated.content
    assert updated.json()["version"] == 2
    assert updated.json()["checks"] == []
    assert updated.json()["next_start"] == "2026-12-13T01:00:00Z"
    assert updated.json()["running"] is False
    conflict = operator_client.put(url, payload, content_type="application/json")
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "conflict"
    ended = operator_client.post(f"{url}/end")
    assert ended.status_code == 200
    assert ended.json()["outcome"] == "unchanged"  # the recurring window is not running now
    assert operator_client.delete(url).status_code == 204
    assert operator_client.get(url).status_code == 404
    assert operator_client.delete(url).status_code == 404
    assert operator_client.post(f"{url}/end").status_code == 404


@pytest.mark.django_db
def test_a_window_made_through_the_api_covers_a_check_by_host_until_it_is_ended(operator_client, web, mail):
    created = operator_client.post(
        API,
        {
            "name": "web01 replaced",
            "start": "2026-12-06T01:00:00Z",
            "duration_minutes": 240,
            "hosts": "Web01",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    inside = services.record_result(web, ok=False, at=NOW - timedelta(minutes=5))
    assert inside.in_maintenance is True
    assert services.record_result(mail, ok=False, at=NOW - timedelta(minutes=5)).in_maintenance is False
    ended = operator_client.post(f"{API}/{created.json()['id']}/end")
    assert ended.status_code == 200
    assert ended.json()["outcome"] == "shortened"
    assert ended.json()["duration_minutes"] == 30
    assert ended.json()["running"] is False
    after = services.record_result(web, ok=False, at=NOW + timedelta(minutes=1))
    assert after.in_maintenance is False


@pytest.mark.django_db
def test_api_list_pages_with_a_cursor_and_a_fixed_number_of_queries(operator, operator_client, web, mail):
    def count(url: str) -> tuple[int, Any]:
        with CaptureQueriesContext(connection) as ctx:
            response = operator_client.get(url)
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries), response.json()

    make_window(operator, name="A", checks=[web.pk])
    few, _body = count(f"{API}?limit=2")
    for i in range(15):
        make_window(operator, name=f"B{i:02}", checks=[web.pk, mail.pk], rule="FREQ=DAILY")
    many, first = count(f"{API}?limit=10")
    assert many == few
    assert [w["name"] for w in first["items"]][:3] == ["A", "B00", "B01"]
    assert first["items"][1]["checks"] == sorted([web.pk, mail.pk])
    _n, second = count(f"{API}?limit=10&cursor={first['next_cursor']}")
    assert len(second["items"]) == 6
    assert second["next_cursor"] is None
    assert operator_client.get(f"{API}?limit=0").status_code == 400
    assert operator_client.get(f"{API}?limit=201").status_code == 400
    bad_cursor = operator_client.get(f"{API}?cursor=not-a-cursor")
    assert bad_cursor.status_code == 400
    assert "cursor" in bad_cursor.json()["fields"]


@pytest.mark.django_db
def test_api_bad_input_is_a_400_with_field_messages(operator_client, web):
    response = operator_client.post(
        API,
        {
            "name": "",
            "start": "2026-12-06T02:00:00",
            "duration_minutes": 99999,
            "time_zone": "Nowhere/Town",
            "rule": "FREQ=MINUTELY",
            "checks": [web.pk, 123456],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert set(response.json()["fields"]) == {"name", "duration_minutes", "time_zone", "rule", "checks"}
    nothing = operator_client.post(
        API,
        {"name": "x", "start": "2026-12-06T02:00:00", "duration_minutes": 10},
        content_type="application/json",
    )
    assert nothing.status_code == 400
    assert set(nothing.json()["fields"]) == {"checks"}
    assert not MaintenanceWindow.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "x"},
        {"name": "x", "start": "yesterday", "duration_minutes": 10, "hosts": "a"},
        {"name": "x", "start": "0001-01-01T00:00:00Z", "duration_minutes": 10, "hosts": "a"},
        {"name": "x", "start": "9999-12-31T23:59:59-12:00", "duration_minutes": 10, "hosts": "a"},
        {"name": "x", "start": "2026-12-06T02:00:00", "duration_minutes": 2**80, "hosts": "a"},
        {"name": "x", "start": "2026-12-06T02:00:00", "duration_minutes": 1.5, "hosts": "a"},
        {"name": "x", "start": "2026-12-06T02:00:00", "duration_minutes": 10, "checks": [2**70]},
        {"name": "x", "start": "2026-12-06T02:00:00", "duration_minutes": 10, "checks": [-1]},
        {"name": "x", "start": "2026-12-06T02:00:00", "duration_minutes": 10, "checks": "1"},
        {"name": "x", "start": "2026-12-06T02:00:00", "duration_minutes": 10, "hosts": ["a", 5]},
        {"name": "x", "start": "2026-12-06T02:00:00", "duration_minutes": 10, "hosts": "a", "rule": "\x00"},
        {"name": "\x00", "start": "2026-12-06T02:00:00", "duration_minutes": 10, "hosts": "a\x00"},
        {
            "name": "x",
            "start": "2026-12-06T02:00:00",
            "duration_minutes": 10,
            "hosts": "a",
            "time_zone": "\x00",
        },
        {
            "name": "x",
            "start": "2026-12-06T02:00:00",
            "duration_minutes": 10,
            "hosts": "a",
            "rule": "FREQ=DAILY;COUNT=99999999999999999999",
        },
        {
            "name": "x",
            "start": "2026-12-06T02:00:00",
            "duration_minutes": 10,
            "hosts": "a",
            "rule": "FREQ=YEARLY;BYEASTER=0",
        },
        {
            "name": "x",
            "start": "2026-12-06T02:00:00",
            "duration_minutes": 10,
            "hosts": "a",
            "rule": "FREQ=DAILY;UNTIL=99999999T999999Z",
        },
        {
            "name": "x",
            "start": "2026-12-06T02:00:00",
            "duration_minutes": 10,
            "hosts": "a",
            "rule": "FREQ=DAILY;INTERVAL=0",
        },
    ],
)
def test_api_bad_input_never_gives_a_500(operator_client, body):
    created = operator_client.post(API, body, content_type="application/json")
    assert created.status_code in (201, 400, 422), created.content
    window = make_window(make_person(Role.OPERATOR), name="Target")
    changed = operator_client.put(f"{API}/{window.pk}", body, content_type="application/json")
    assert changed.status_code in (200, 400, 422), changed.content


@pytest.mark.django_db
def test_api_unknown_ids_are_404(operator_client):
    for url in (f"{API}/999999", f"{API}/{2**70}", f"{API}/999999/end"):
        response = operator_client.get(url) if not url.endswith("/end") else operator_client.post(url)
        assert response.status_code in (404, 422), url
    assert operator_client.get(f"{API}/999999").status_code == 404
    assert operator_client.get(f"{API}/abc").status_code == 422


@pytest.mark.django_db
def test_the_admin_shows_windows_read_only(operator, administrator):
    """The window screens (and the API) write through the services; the admin only shows windows,
    with a link to their screen (see test_admin_no_bypass.py)."""
    window = make_window(operator)
    name = window.name
    client: Client = client_for(administrator)
    url = reverse("admin:monitoring_maintenancewindow_change", args=[window.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("monitoring:window-edit", args=[window.pk]) in page.content.decode()
    response = client.post(
        url,
        {
            "name": "Renamed",
            "start_0": "2026-12-06",
            "start_1": "02:00:00",
            "duration_minutes": "120",
            "time_zone": "Europe/Amsterdam",
            "rule": "",
            "tags": "",
            "hosts": "web01",
            "active": "on",
        },
    )
    assert response.status_code == 403
    window.refresh_from_db()
    assert (window.name, window.version) == (name, 1)
