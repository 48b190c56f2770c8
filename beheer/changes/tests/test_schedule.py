"""The forward schedule: changes in a period with their CIs and services, overlap warnings (a shared
CI or a shared affected service), the page's views and its query count, and the API's bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from beheer.accounts.models import User
from beheer.changes import services
from beheer.changes.services.schedule import forward_schedule
from beheer.core import clock
from tests.helpers import client_for

from .helpers import make_change, make_ci, wifi_world

pytestmark = pytest.mark.django_db
API = "/api/v1"
T0 = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def planned(actor: User, title: str, start: datetime, hours: int, cis: list[Any]) -> Any:
    return make_change(
        actor, title=title, planned_start=start, planned_end=start + timedelta(hours=hours), cis=cis
    )


def test_overlaps_by_shared_ci_and_by_shared_service(operator: User, coordinator: User) -> None:
    ap, wifi = wifi_world(operator, coordinator)
    other_ap = make_ci(operator, "ap-2.01", "access_point")
    from beheer.cmdb import services as cmdb
    from beheer.cmdb.models import RelationKind

    cmdb.add_relation(other_ap, actor=operator, target=wifi, kind=RelationKind.PART_OF)
    printer = make_ci(operator, "printer-1", "printer")
    a = planned(operator, "AP vervangen", T0, 4, [ap])
    b = planned(operator, "Firmware AP", T0 + timedelta(hours=2), 4, [ap])
    c = planned(operator, "Ander AP", T0 + timedelta(hours=3), 2, [other_ap])  # shares the Wi-Fi service
    d = planned(operator, "Printer", T0 + timedelta(hours=1), 2, [printer])  # overlaps in time only
    later = planned(operator, "Later", T0 + timedelta(days=2), 2, [ap])
    schedule = forward_schedule(operator, T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert [s.id for s in schedule.changes] == [a.pk, d.pk, b.pk, c.pk]
    pairs = {(o.first.id, o.second.id): o for o in schedule.overlaps}
    assert pairs[(a.pk, b.pk)].cis == ["ap-1.02"]
    assert pairs[(a.pk, c.pk)].services == ["Wifi"]
    assert (b.pk, c.pk) in pairs
    assert not any(d.pk in key for key in pairs)
    assert later.pk not in {s.id for s in schedule.changes}
    services.cancel_change(b, actor=operator, expected_version=b.version)
    assert b.pk not in {
        s.id for s in forward_schedule(operator, T0 - timedelta(days=1), T0 + timedelta(days=1)).changes
    }


def test_the_calendar_page_month_week_and_list_with_bounded_queries(
    operator: User, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    ap, _wifi = wifi_world(operator, coordinator)
    cis = [make_ci(operator, f"sw-{i}", "switch") for i in range(5)]
    for i in range(40):
        planned(operator, f"Wijziging {i}", T0 + timedelta(hours=5 * i), 6, [ap, cis[i % 5]])
    client = client_for(operator)
    for view in ("month", "week", "list"):
        with django_assert_max_num_queries(14):
            page = client.get(
                f"/changes/calendar/?view={view}&from=2026-03-09&to=2026-03-31", HTTP_ACCEPT_LANGUAGE="en"
            )
        assert page.status_code == 200
        html = page.content.decode()
        assert "data-calendar-change" in html
        assert "data-overlaps" in html
    assert client.get("/changes/calendar/?view=nonsense&from=garbage").status_code == 200
    assert 'href="/changes/calendar/"' in client.get("/changes/").content.decode()


def test_the_calendar_api_gives_items_and_overlaps_and_refuses_long_periods(
    operator: User, coordinator: User
) -> None:
    ap, _wifi = wifi_world(operator, coordinator)
    a = planned(operator, "Een", T0, 4, [ap])
    b = planned(operator, "Twee", T0 + timedelta(hours=1), 4, [ap])
    client = client_for(operator)
    data = client.get(f"{API}/changes-calendar?from=2026-03-01&to=2026-03-31").json()
    assert [i["id"] for i in data["items"]] == [a.pk, b.pk]
    assert data["items"][0]["services"] == [{"id": _wifi.pk, "name": "Wifi"}]
    assert data["overlaps"] == [
        {"first_id": a.pk, "second_id": b.pk, "cis": ["ap-1.02"], "services": ["Wifi"]}
    ]
    too_long = client.get(f"{API}/changes-calendar?from=2026-01-01&to=2027-06-01")
    assert too_long.status_code == 400
    assert "to" in too_long.json()["fields"]
    assert client.get(f"{API}/changes-calendar?from=2026-03-31&to=2026-03-01").status_code == 400
    assert client.get(f"{API}/changes-calendar?from=bad&to=2026-03-01").status_code in (400, 422)
    with clock.frozen(T0):
        assert client.get("/changes/calendar/").status_code == 200
