"""The monitoring screens: permissions, the live overview's query count, hidden details, the banner."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from beheer.accounts.models import Role
from beheer.core import clock, config_cache, scheduler
from beheer.core.models import ProcessHeartbeat
from beheer.monitoring.models import Check, CheckResult, CheckState
from beheer.monitoring.services import record_result, roll_up
from tests.helpers import client_for, make_person

CANARY = "CANARY-response-body-7f3a"


def _check(name: str, *, creator: Any = None, tags: str = "", host: str = "", kind: str = "http") -> Check:
    return Check.objects.create(
        name=name,
        kind=kind,
        target=f"https://{name}.example/",
        host=host,
        tags=tags,
        created_by=creator,
        created_at=clock.now() - timedelta(days=1),
        max_attempts=1,
    )


def _feed(check: Check, n: int = 5, ok: bool = True) -> None:
    now = clock.now()
    for i in range(n):
        record_result(check, ok=ok, at=now - timedelta(minutes=n - i), latency_ms=100 + i, detail=CANARY)


@pytest.fixture
def admin_check(administrator: Any) -> Check:
    check = _check("web", creator=administrator, tags="school, web", host="web01")
    _feed(check)
    return check


def test_callers_and_anonymous_visitors_see_no_monitoring_screen(caller_client, admin_check, client):
    for url in (reverse("monitoring:overview"), reverse("monitoring:check-detail", args=[admin_check.pk])):
        assert caller_client.get(url).status_code == 403
        assert client.get(url).status_code == 302  # to the login page
    assert caller_client.get("/api/v1/monitoring/checks").status_code == 403


def test_the_overview_groups_per_tag_and_per_host(operator_client, admin_check):
    down = _check("mail", tags="school", host="mail01")
    _feed(down, ok=False)
    page = operator_client.get(reverse("monitoring:overview"))
    assert page.status_code == 200
    data = page.context["data"]
    assert data["counts"]["up"] == 1
    assert data["counts"]["down"] == 1
    school = next(g for g in data["by_tag"] if g.name == "school")
    assert school.counts["up"] == 1
    assert school.counts["down"] == 1
    assert {g.name for g in data["by_host"]} == {"web01", "mail01"}
    assert b'hx-trigger="every 10s"' in page.content
    by_host = operator_client.get(reverse("monitoring:overview") + "?by=host", HTTP_HX_REQUEST="true")
    assert by_host.templates[0].name == "monitoring/_overview.html"
    assert f'data-check="{down.pk}" data-status="down"'.encode() in by_host.content


def test_the_live_partial_costs_the_same_queries_for_many_checks(operator, administrator):
    client = client_for(operator)
    _feed(_check("a", tags="x"))
    roll_up()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("monitoring:overview"), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(12):
        _feed(_check(f"c{i}", tags=f"t{i % 3}", host=f"h{i % 4}"), n=3, ok=i % 2 == 0)
    roll_up()
    assert count() == few
    assert b"<svg" in client.get(reverse("monitoring:overview"), HTTP_HX_REQUEST="true").content


def test_result_details_are_for_administrators_and_the_creator_only(operator, admin_check, administrator):
    url = reverse("monitoring:check-detail", args=[admin_check.pk])
    page = client_for(operator).get(url)
    assert page.status_code == 200
    assert CANARY.encode() not in page.content
    assert page.context["show_details"] is False
    assert CANARY.encode() in client_for(administrator).get(url).content
    own = _check("own", creator=operator)
    _feed(own)
    assert (
        CANARY.encode() in client_for(operator).get(reverse("monitoring:check-detail", args=[own.pk])).content
    )
    coordinator = make_person(Role.COORDINATOR)
    assert CANARY.encode() not in client_for(coordinator).get(url).content


def test_the_detail_page_shows_availability_changes_and_the_melding(operator_client, admin_check):
    record_result(admin_check, ok=False, at=clock.now(), detail="HTTP 503")
    roll_up()
    page = operator_client.get(reverse("monitoring:check-detail", args=[admin_check.pk]))
    assert page.status_code == 200
    assert [c["status"] for c in page.context["changes"]] == ["down", "up"]
    melding = CheckState.objects.get(pk=admin_check.pk).melding
    assert melding is not None
    assert f'data-melding="{melding.pk}"'.encode() in page.content
    assert page.context["periods"][0]["totals"].percent == pytest.approx(100.0)  # down for less than a minute
    assert operator_client.get(reverse("monitoring:check-detail", args=[99999])).status_code == 404


def test_the_banner_shows_when_checks_are_probed_but_no_monitor_beats(
    operator_client, admin_check, caller_client
):
    home = reverse("monitoring:overview")
    assert b'data-banner="monitor"' in operator_client.get(home).content
    scheduler.beat("monitor", started_at=clock.now())
    assert b'data-banner="monitor"' not in operator_client.get(home).content
    ProcessHeartbeat.objects.update(seen_at=clock.now() - timedelta(minutes=5))
    assert b'data-banner="monitor"' in operator_client.get(home).content
    Check.objects.update(active=False)  # nothing to probe: nothing to warn about
    assert b'data-banner="monitor"' not in operator_client.get(home).content
    assert b'data-banner="monitor"' not in caller_client.get("/portal/").content


@override_settings(CONFIG_CACHE_SECONDS=30)
def test_the_banner_query_is_cached_per_process(operator_client, admin_check):
    config_cache.clear()
    try:
        from beheer.monitoring.context_processors import monitoring

        request: Any = type("R", (), {"user": admin_check.created_by})()
        with CaptureQueriesContext(connection) as first:
            assert monitoring(request) == {"monitor_missing": True}
        with CaptureQueriesContext(connection) as second:
            assert monitoring(request) == {"monitor_missing": True}
        assert len(first.captured_queries) == 1
        assert len(second.captured_queries) == 0
    finally:
        config_cache.clear()


def test_results_of_other_checks_do_not_leak_into_a_detail_page(operator_client, admin_check):
    other = _check("other")
    CheckResult.objects.create(check_obj=other, at=clock.now(), ok=False, latency_ms=4242)
    page = operator_client.get(reverse("monitoring:check-detail", args=[admin_check.pk]))
    assert b"4242" not in page.content


def test_the_status_api_hides_details_and_refuses_callers(operator, administrator, admin_check, caller):
    url = f"/api/v1/monitoring/checks/{admin_check.pk}/status"
    body = client_for(operator).get(url).json()
    assert body["status"] == "up"
    assert body["results"]
    assert "detail" not in body["results"][0]
    assert CANARY not in str(body)
    assert client_for(administrator).get(url).json()["results"][0]["detail"] == CANARY
    assert client_for(caller).get(url).status_code == 403
    assert client_for(operator).get("/api/v1/monitoring/checks/99999/status").status_code == 404
    listed = client_for(operator).get("/api/v1/monitoring/checks").json()["items"]
    assert listed[0]["availability_target"] == 99.9


def test_an_up_check_shows_since_when(operator_client):
    """A check that has been up since its first result shows that moment, on the overview and on
    its page (not a dash: it never changed state, but it has been up since then)."""
    check = _check("always-up")
    first = clock.now() - timedelta(minutes=5)
    for i in range(3):
        record_result(check, ok=True, at=first + timedelta(minutes=i), latency_ms=50)
    state = CheckState.objects.get(pk=check.pk)
    assert state.hard_status == "up"
    assert state.hard_changed_at == first
    local = timezone.localtime(first).isoformat()
    overview = operator_client.get(reverse("monitoring:overview")).content.decode()
    row = overview[overview.index(f'data-check="{check.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'datetime="{local}"' in row
    page = operator_client.get(reverse("monitoring:check-detail", args=[check.pk])).content.decode()
    assert f'data-since="{local}"' in page
