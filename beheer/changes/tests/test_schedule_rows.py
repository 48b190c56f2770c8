"""The forward schedule's lean rows: the list view, the `Scheduled` objects and the API say the same;
a person without staff rights gets an empty schedule (not an error); a period with more changes than
the page holds is cut with a message, and only the changes shown are read with their CIs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from beheer.accounts.models import User
from beheer.changes.models import format_change_number
from beheer.changes.services import schedule
from beheer.changes.services.schedule import forward_schedule
from tests.helpers import client_for

from .helpers import make_change, make_ci, wifi_world

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def planned(actor: User, title: str, start: datetime, hours: int, cis: list[Any]) -> Any:
    return make_change(
        actor, title=title, planned_start=start, planned_end=start + timedelta(hours=hours), cis=cis
    )


def test_rows_and_objects_agree_and_the_list_escapes(operator: User, coordinator: User) -> None:
    ap, wifi = wifi_world(operator, coordinator)
    switch = make_ci(operator, "sw-<1>", "switch")
    a = planned(operator, "Kabels <vervangen> & testen", T0, 4, [switch, ap])
    b = planned(operator, "Zonder CI", T0 + timedelta(hours=1), 2, [])
    found = forward_schedule(operator, T0 - DAY, T0 + DAY)
    assert [c.id for c in found.changes] == [row[0] for row in found.rows] == [a.pk, b.pk]
    first = found.changes[0]
    assert first.cis == ((ap.pk, "ap-1.02"), (switch.pk, "sw-<1>"))
    assert first.ci_ids == {ap.pk, switch.pk}
    assert first.services == {wifi.pk}
    assert first.start == T0
    assert first.start.tzinfo is not None
    assert found.changes[1].cis == ()
    assert found.changes[1].services == frozenset()
    html = client_for(operator).get(
        "/changes/calendar/?view=list&from=2026-03-09&to=2026-03-09", HTTP_ACCEPT_LANGUAGE="en"
    )
    text = html.content.decode()
    assert "Kabels &lt;vervangen&gt; &amp; testen" in text
    assert "sw-&lt;1&gt;" in text
    assert "Wifi" in text
    assert f">{format_change_number(a.pk)}</a>" in text
    assert text.count("data-calendar-change=") == 2


def test_no_staff_no_schedule(operator: User, caller: User) -> None:
    planned(operator, "Een", T0, 2, [])
    found = forward_schedule(caller, T0 - DAY, T0 + DAY)
    assert found.rows == []
    assert found.changes == []
    assert found.overlaps == []


def test_a_full_period_is_cut_and_says_so(
    operator: User, coordinator: User, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    ap, _wifi = wifi_world(operator, coordinator)
    made = [planned(operator, f"Wijziging {i}", T0 + timedelta(hours=i), 2, [ap]) for i in range(4)]
    monkeypatch.setattr(schedule, "MAX_CHANGES", 2)
    found = forward_schedule(operator, T0 - DAY, T0 + DAY)
    assert found.truncated
    assert [c.id for c in found.changes] == [made[0].pk, made[1].pk]
    assert [(o.first.id, o.second.id) for o in found.overlaps] == [(made[0].pk, made[1].pk)]
    client = client_for(operator)
    with django_assert_max_num_queries(14):
        page = client.get(
            "/changes/calendar/?view=list&from=2026-03-09&to=2026-03-10", HTTP_ACCEPT_LANGUAGE="en"
        )
    text = page.content.decode()
    assert text.count("data-calendar-change=") == 2
    assert "Only the first 2 changes are shown" in text
