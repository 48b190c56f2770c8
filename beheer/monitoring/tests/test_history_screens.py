"""The history of checks and windows on their pages and in the API: who, when, what, old -> new in
the reader's language; keyset pages in a fixed number of queries; 404 for what one may not see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import User
from beheer.core.history import SECRET_CHANGED
from beheer.monitoring import services
from beheer.monitoring.models import Check, CheckHistoryEntry, MaintenanceWindow
from beheer.monitoring.services import WindowData
from tests.helpers import client_for

API = "/api/v1/monitoring"
SECRET = "canary-secret-31ab"


def data(**kw: Any) -> services.CheckData:
    base: dict[str, Any] = {"name": "Intranet", "kind": "http", "target": "https://intranet.school.test/"}
    base.update(kw)
    return services.CheckData(**base)


def window_data(**kw: Any) -> WindowData:
    base: dict[str, Any] = {
        "name": "Patch night",
        "start": datetime(2026, 12, 6, 2, 0),
        "time_zone": "Europe/Amsterdam",
        "duration_minutes": 120,
        "hosts": "web01",
    }
    base.update(kw)
    return WindowData(**base)


def client_in(user: Any, language: str) -> Any:
    """A signed-in client whose pages and answers are in `language` (the person's own setting)."""
    User.objects.filter(pk=user.pk).update(language=language)
    return client_for(user)


@pytest.fixture
def check(operator: Any) -> Check:
    return services.create_check(actor=operator, data=data(options={"headers": {"X-Token": SECRET}}))


def edit(check: Check, actor: Any, times: int) -> None:
    for i in range(times):
        services.update_check(
            check,
            actor=actor,
            data=data(interval_seconds=30 + i, options={"headers": {"X-Token": SECRET}}),
            expected_version=None,
        )


# --------------------------------------------------------------------------------------------------
# the API


@pytest.mark.django_db
def test_the_check_history_api_pages_newest_first_with_a_cursor(operator, check):
    edit(check, operator, 6)
    client = client_in(operator, "en")
    seen: list[dict[str, Any]] = []
    url: str | None = f"{API}/checks/{check.pk}/history?limit=3"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        seen += body["items"]
        url = (
            f"{API}/checks/{check.pk}/history?limit=3&cursor={body['next_cursor']}"
            if body["next_cursor"]
            else None
        )
    expected = list(CheckHistoryEntry.objects.filter(check_obj=check).order_by("-at", "-id"))
    assert [item["id"] for item in seen] == [e.pk for e in expected]
    newest = seen[0]
    assert newest["action"] == "changed"
    assert newest["action_label"] == "Changed"
    assert (newest["field"], newest["field_label"]) == ("interval_seconds", "interval (seconds)")
    assert (newest["old_value"], newest["new_value"]) == ("34", "35")
    assert newest["actor"] == {"id": operator.pk, "name": str(operator)}
    assert seen[-1]["action"] == "created"


@pytest.mark.django_db
def test_the_history_api_shows_a_secret_change_without_the_secret(operator, check):
    services.update_check(
        check,
        actor=operator,
        data=data(options={"headers": {"X-Token": "another-31ab"}}),
        expected_version=None,
    )
    response = client_in(operator, "en").get(f"{API}/checks/{check.pk}/history")
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert "another-31ab" not in response.content.decode()
    (item,) = [i for i in response.json()["items"] if i["field"] == "options.headers.X-Token"]
    assert (item["old_value"], item["new_value"]) == ("", "changed")
    assert SECRET_CHANGED not in response.content.decode()  # the stored marker is shown as a word


@pytest.mark.django_db
def test_the_history_api_costs_the_same_number_of_queries_for_a_long_trail(operator, check):
    client = client_for(operator)
    url = f"{API}/checks/{check.pk}/history?limit=50"
    client.get(url)  # the session and the user are read once the same way every time

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    short = count()
    edit(check, operator, 30)
    assert CheckHistoryEntry.objects.filter(check_obj=check).count() == 31
    assert count() == short


@pytest.mark.django_db
def test_a_missing_a_deleted_and_a_callers_check_answer_404_alike(operator, caller, check):
    client = client_for(operator)
    gone = services.create_check(actor=operator, data=data(name="Old"))
    gone_id = gone.pk
    services.delete_check(gone, actor=operator)
    missing = client.get(f"{API}/checks/999999/history")
    deleted = client.get(f"{API}/checks/{gone_id}/history")
    assert missing.status_code == deleted.status_code == 404
    assert missing.json() == deleted.json()
    refused = client_for(caller).get(f"{API}/checks/{check.pk}/history")
    assert refused.status_code in (403, 404)  # as the rest of the monitoring API answers callers
    assert "items" not in refused.json()
    assert client.get(f"{API}/checks/{check.pk}/history?limit=0").status_code == 400
    bad_cursor = client.get(f"{API}/checks/{check.pk}/history?cursor=not-a-cursor")
    assert bad_cursor.status_code == 400
    assert "cursor" in bad_cursor.json()["fields"]


@pytest.mark.django_db
def test_the_window_history_api_and_its_404(operator, caller):
    window = services.create_window(actor=operator, data=window_data())
    services.update_window(
        window, actor=operator, data=window_data(duration_minutes=60), expected_version=None
    )
    client = client_in(operator, "en")
    body = client.get(f"{API}/windows/{window.pk}/history").json()
    assert [(i["action"], i["field"], i["old_value"], i["new_value"]) for i in body["items"]] == [
        ("changed", "duration_minutes", "120", "60"),
        ("created", "", "", ""),
    ]
    assert body["next_cursor"] is None
    window_id = window.pk
    services.delete_window(window, actor=operator)
    assert client.get(f"{API}/windows/{window_id}/history").status_code == 404
    assert (
        client.get(f"{API}/windows/999999/history").json()
        == client.get(f"{API}/windows/{window_id}/history").json()
    )
    assert client_for(caller).get(f"{API}/windows/{window_id}/history").status_code in (403, 404)


@pytest.mark.django_db
def test_pause_and_resume_through_the_api(operator, caller, check):
    client = client_for(operator)
    paused = client.post(f"{API}/checks/{check.pk}/pause")
    assert paused.status_code == 200, paused.content
    assert paused.json()["active"] is False
    assert client.post(f"{API}/checks/{check.pk}/resume").json()["active"] is True
    assert client_for(caller).post(f"{API}/checks/{check.pk}/pause").status_code in (403, 404)
    check.refresh_from_db()
    assert check.active is True
    actions = list(
        CheckHistoryEntry.objects.filter(check_obj=check).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["created", "paused", "resumed"]


# --------------------------------------------------------------------------------------------------
# the pages


@pytest.mark.django_db
def test_the_check_page_shows_its_history_in_the_readers_language(operator, check):
    services.pause_check(check, actor=operator)
    page = client_in(operator, "en").get(f"/monitoring/checks/{check.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="history"' in html
    assert 'data-history-row="paused"' in html
    assert "Paused: active" in html
    assert str(operator) in html
    dutch = client_in(operator, "nl").get(f"/monitoring/checks/{check.pk}/").content.decode()
    assert "Paused: active" not in dutch
    assert 'data-history-row="paused"' in dutch


@pytest.mark.django_db
def test_the_check_page_pages_its_history_and_survives_a_bad_cursor(operator, check):
    edit(check, operator, 25)
    client = client_in(operator, "en")
    first = client.get(f"/monitoring/checks/{check.pk}/").content.decode()
    assert first.count("data-history-row=") == 20
    assert "?cursor=" in first
    bad = client.get(f"/monitoring/checks/{check.pk}/?cursor=broken")
    assert bad.status_code == 200
    assert bad.content.decode().count("data-history-row=") == 20


@pytest.mark.django_db
def test_pause_and_resume_from_the_check_page(operator, caller, check):
    client = client_in(operator, "en")
    response = client.post(f"/monitoring/checks/{check.pk}/pause/")
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.active is False
    assert "This check is paused" in client.get(f"/monitoring/checks/{check.pk}/").content.decode()
    client.post(f"/monitoring/checks/{check.pk}/pause/", {"resume": "1"})
    check.refresh_from_db()
    assert check.active is True
    assert client_for(caller).post(f"/monitoring/checks/{check.pk}/pause/").status_code in (403, 404)
    assert client.get(f"/monitoring/checks/{check.pk}/pause/").status_code == 405
    assert client.post("/monitoring/checks/999999/pause/").status_code == 404
    check.refresh_from_db()
    assert check.active is True


@pytest.mark.django_db
def test_the_window_page_shows_its_history_and_callers_see_neither(operator, caller):
    window = services.create_window(actor=operator, data=window_data())
    services.update_window(
        window, actor=operator, data=window_data(name="Patch night 2"), expected_version=None
    )
    html = client_in(operator, "en").get(f"/monitoring/windows/{window.pk}/edit/").content.decode()
    assert 'id="history"' in html
    assert 'data-history-row="changed"' in html
    assert "Patch night 2" in html
    assert 'data-history-row="created"' in html
    assert client_for(caller).get(f"/monitoring/windows/{window.pk}/edit/").status_code in (403, 404)
    assert MaintenanceWindow.objects.filter(pk=window.pk).exists()
