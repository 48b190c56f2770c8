"""The monitor's ICMP ability: recorded with its heartbeat, read by the screens and the API, and a
warning (with what to do) when ping checks cannot work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from beheer.core import clock, scheduler
from beheer.core.models import ProcessHeartbeat
from beheer.monitoring import engine, monitor_status, probes
from beheer.monitoring.models import Check
from tests.helpers import client_for

WARNING = b'data-warning="icmp"'
MODES = [None, "none", "unprivileged", "raw"]  # None: no monitor ever recorded it


def _check(name: str, kind: str, target: str) -> Check:
    return Check.objects.create(
        name=name, kind=kind, target=target, created_at=clock.now() - timedelta(days=1), max_attempts=1
    )


@pytest.fixture
def ping(db: Any) -> Check:
    return _check("router", "ping", "192.0.2.1")


@pytest.fixture
def web(db: Any) -> Check:
    return _check("web", "http", "https://web.example/")


def _heartbeat(mode: str | None, *, pid: int = 4242, ago: timedelta = timedelta(seconds=5)) -> None:
    """A monitor's heartbeat row as `scheduler.beat` writes it (None: one without the answer)."""
    now = clock.now()
    ProcessHeartbeat.objects.create(
        kind="monitor",
        host="mon01",
        pid=pid,
        started_at=now - ago,
        seen_at=now - ago,
        capabilities={} if mode is None else {"icmp": mode},
    )


# --------------------------------------------------------------------------------------------------
# recording and reading


@pytest.mark.django_db(transaction=True)  # the heartbeat closes stale connections, as in the monitor
@pytest.mark.parametrize(("detected", "word"), [(None, "none"), (False, "unprivileged"), (True, "raw")])
def test_the_monitor_records_its_icmp_ability_with_its_heartbeat(monkeypatch, detected, word):
    monkeypatch.setattr(probes.ping, "_icmp_mode", [detected])
    engine._beat(clock.now())
    row = ProcessHeartbeat.objects.get(kind="monitor")
    assert row.capabilities == {"icmp": word}
    assert monitor_status.icmp_capability() == word
    assert monitor_status.ping_unavailable() is (word == "none")


def test_a_heartbeat_without_capabilities_keeps_the_recorded_ones(db):
    started = clock.now()
    scheduler.beat("monitor", started_at=started, capabilities={"icmp": "none"})
    scheduler.beat("monitor", started_at=started)
    assert ProcessHeartbeat.objects.get().capabilities == {"icmp": "none"}
    scheduler.beat("worker", started_at=started)
    assert ProcessHeartbeat.objects.get(kind="worker").capabilities == {}


def test_nothing_recorded_means_not_known(db):
    assert monitor_status.icmp_capability() is None
    now = clock.now()
    ProcessHeartbeat.objects.create(
        kind="worker", host="h", pid=1, started_at=now, seen_at=now, capabilities={"icmp": "none"}
    )
    _heartbeat(None)  # a monitor of an older version, or one that did not say
    ProcessHeartbeat.objects.create(
        kind="monitor", host="h", pid=2, started_at=now, seen_at=now, capabilities={"icmp": 7}
    )
    assert monitor_status.icmp_capability() is None
    assert monitor_status.ping_unavailable() is False


def test_the_worst_live_monitor_counts_and_dead_ones_are_forgotten(db):
    _heartbeat("raw", pid=1)
    _heartbeat("none", pid=2)
    assert monitor_status.icmp_capability() == "none"  # either may claim a ping check
    ProcessHeartbeat.objects.filter(pid=2).update(seen_at=clock.now() - timedelta(minutes=5))
    assert monitor_status.icmp_capability() == "raw"  # restarted with the capability
    ProcessHeartbeat.objects.filter(pid=1).update(seen_at=clock.now() - timedelta(minutes=10))
    assert monitor_status.icmp_capability() == "none"  # no monitor alive: the one seen last


# --------------------------------------------------------------------------------------------------
# the screens and the API


@pytest.mark.parametrize("mode", MODES)
def test_the_check_form_warns_for_ping_only_when_the_monitor_cannot_ping(operator_client, ping, web, mode):
    if mode is not None:
        _heartbeat(mode)
    shown = mode == "none"
    fields = reverse("monitoring:check-kind-fields")
    pages = {  # name: (page, is it about a ping check)
        "new ping": (operator_client.get(reverse("monitoring:check-create"), {"kind": "ping"}), True),
        "kind fields ping": (operator_client.get(fields, {"kind": "ping"}), True),  # HTMX swap
        "edit ping": (operator_client.get(reverse("monitoring:check-edit", args=[ping.pk])), True),
        "new http": (operator_client.get(reverse("monitoring:check-create"), {"kind": "http"}), False),
        "kind fields tcp": (operator_client.get(fields, {"kind": "tcp"}), False),
        "edit http": (operator_client.get(reverse("monitoring:check-edit", args=[web.pk])), False),
    }
    for name, (page, is_ping) in pages.items():
        assert page.status_code == 200, name
        assert (WARNING in page.content) is (shown and is_ping), name
    # the form without JavaScript: choosing ping and asking for its fields
    refreshed = operator_client.post(
        reverse("monitoring:check-create"), {"kind": "ping", "name": "x", "_refresh": "1"}
    )
    assert (WARNING in refreshed.content) is shown


@pytest.mark.parametrize("mode", MODES)
def test_the_detail_page_of_a_ping_check_warns(operator_client, ping, web, mode):
    if mode is not None:
        _heartbeat(mode)
    page = operator_client.get(reverse("monitoring:check-detail", args=[ping.pk]))
    assert page.status_code == 200
    assert (WARNING in page.content) is (mode == "none")
    other = operator_client.get(reverse("monitoring:check-detail", args=[web.pk]))
    assert WARNING not in other.content


@pytest.mark.parametrize("mode", MODES)
def test_the_overview_warns_while_an_active_ping_check_exists(operator_client, ping, web, mode):
    if mode is not None:
        _heartbeat(mode)
    url = reverse("monitoring:overview")
    assert (WARNING in operator_client.get(url).content) is (mode == "none")
    assert WARNING not in operator_client.get(url, HTTP_HX_REQUEST="true").content  # the refreshed part
    Check.objects.filter(pk=ping.pk).update(active=False)
    assert WARNING not in operator_client.get(url).content


def test_the_warning_says_what_to_do_in_english_and_dutch(operator, ping):
    _heartbeat("none")
    url = reverse("monitoring:check-detail", args=[ping.pk])
    english = client_for(operator).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in (
        "Ping checks cannot work",
        "net.ipv4.ping_group_range",
        "CAP_NET_RAW",
        "restart the monitor",
    ):
        assert text in english
    operator.language = "nl"
    operator.save(update_fields=["language"])
    dutch = client_for(operator).get(url).content.decode()
    assert 'data-warning="icmp"' in dutch
    assert 'lang="nl"' in dutch
    assert "net.ipv4.ping_group_range" in dutch


@pytest.mark.parametrize("mode", MODES)
def test_the_check_api_shows_the_ability_for_ping_checks(operator, ping, web, mode):
    if mode is not None:
        _heartbeat(mode)
    client = client_for(operator)
    body = client.get(f"/api/v1/monitoring/checks/{ping.pk}").json()
    assert body["monitor_icmp"] == mode
    assert "monitor_icmp" not in client.get(f"/api/v1/monitoring/checks/{web.pk}").json()


def test_callers_see_neither_the_pages_nor_the_api(caller, ping):
    _heartbeat("none")
    client = client_for(caller)
    assert client.get(reverse("monitoring:overview")).status_code == 403
    assert client.get(reverse("monitoring:check-detail", args=[ping.pk])).status_code == 403
    assert client.get(reverse("monitoring:check-create"), {"kind": "ping"}).status_code == 404
    assert client.get(f"/api/v1/monitoring/checks/{ping.pk}").status_code == 403
