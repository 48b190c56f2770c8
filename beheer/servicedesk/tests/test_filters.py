"""The list filters the dashboard links to: SLA state, age, day registered or resolved, assignment, groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from beheer.accounts.models import OperatorGroup, User
from beheer.calendars.models import BusinessCalendar
from beheer.cmdb.models import Supplier
from beheer.core.clock import frozen
from beheer.servicedesk import services
from beheer.servicedesk.forms import QueueFilterForm
from beheer.servicedesk.models import EntryType, Melding, SlaPolicy, Status
from beheer.servicedesk.queries import day_bounds
from tests.helpers import client_for

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 7, 1, 9, 0, tzinfo=AMS)  # summer time: local midnight is 22:00 UTC


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def fresh(m: Melding) -> Melding:
    return Melding.objects.get(pk=m.pk)


@pytest.fixture
def calls(
    db: Any, operator: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> dict[str, Melding]:
    """P4 on a 24x7 clock: 45 h to resolve, at risk after 33 h 45 min."""
    SlaPolicy.objects.filter(name="Standaard").update(calendar=BusinessCalendar.objects.get(name="24x7"))

    def reg(key: str, hours: float, group: OperatorGroup = first_line, **kw: Any) -> Melding:
        with frozen(NOW - timedelta(hours=hours)):
            return services.open_melding(
                actor=operator,
                brief_description=f"Call {key}",
                entry_type=EntryType.PHONE,
                caller=caller,
                operator_group=group,
                **kw,
            )

    c = {
        "new": reg("new", 1, operator=operator),  # on track, today
        "night": reg("night", 8.5),  # 00:30 local today = 22:30 UTC yesterday
        "risk": reg("risk", 40),  # at risk, 1 day old, registered the day before yesterday
        "old": reg("old", 24 * 9),  # breached, 9 days old; on the second line below
        "ancient": reg("ancient", 24 * 45),  # breached, 45 days old
        "paused": reg("paused", 24 * 4, operator=operator),
        "done": reg("done", 20),  # registered yesterday 13:00, resolved today
    }
    with frozen(NOW - timedelta(hours=24 * 9 - 1)):
        services.escalate_melding(
            fresh(c["old"]), to_group=second_line, reason="Server", actor=operator, expected_version=None
        )
    with frozen(NOW - timedelta(hours=24 * 4 - 1)):
        services.change_status(
            fresh(c["paused"]),
            status=Status.objects.get(code="waiting_supplier"),
            supplier=Supplier.objects.get_or_create(name="Leverancier")[0],
            actor=operator,
            expected_version=None,
        )
    with frozen(NOW - timedelta(hours=2)):
        services.resolve_melding(fresh(c["done"]), solution="Klaar", actor=operator, expected_version=None)
    return c


def api_ids(client: Client, **params: Any) -> set[int]:
    with frozen(NOW):
        r = client.get("/api/v1/meldingen", {"limit": 200, **params})
    assert r.status_code == 200, r.content
    return {item["id"] for item in r.json()["items"]}


def ids(calls: dict[str, Melding], *keys: str) -> set[int]:
    return {calls[k].pk for k in keys}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sla": "on_track"}, ("new", "night")),
        ({"sla": "at_risk"}, ("risk",)),
        ({"sla": "breached"}, ("old", "ancient")),
        ({"sla": "paused"}, ("paused",)),
        ({"sla": "met"}, ("done",)),
        ({"age": "0-2"}, ("new", "night", "risk", "done")),
        ({"age": "3-7"}, ("paused",)),
        ({"age": "8-30"}, ("old",)),
        ({"age": "31+"}, ("ancient",)),
        ({"created": "today"}, ("new", "night")),
        ({"created": "yesterday"}, ("done",)),
        ({"resolved": "today"}, ("done",)),
        ({"resolved": "yesterday"}, ()),
        ({"unassigned": "true"}, ("night", "risk", "old", "ancient", "done")),
        ({"status_code": "waiting_supplier"}, ("paused",)),
        ({"status_kind": "waiting"}, ("paused",)),
        ({"status_kind": "resolved"}, ("done",)),
        ({"groups": "mine"}, ("new", "night", "risk", "ancient", "paused", "done")),
        ({"groups": "none"}, ()),
        ({"queue": "open", "sla": "breached", "groups": "mine"}, ("ancient",)),
    ],
)
def test_api_filters(
    calls: dict[str, Melding], operator: User, params: dict[str, str], expected: tuple
) -> None:
    assert api_ids(client_for(operator), **params) == ids(calls, *expected)


@pytest.mark.parametrize(
    "params",
    [
        {"sla": "late"},
        {"age": "2-3"},
        {"created": "tomorrow"},
        {"resolved": "x"},
        {"groups": "all"},
        {"status_kind": "x"},
    ],
)
def test_api_rejects_unknown_filter_values(operator: User, params: dict[str, str]) -> None:
    r = client_for(operator).get("/api/v1/meldingen", params)
    assert r.status_code == 422
    assert next(iter(params)) in r.json()["fields"]


def test_local_day_bounds_follow_amsterdam_time() -> None:
    start, end = day_bounds("today", NOW)
    assert start == datetime(2026, 7, 1, tzinfo=AMS)
    assert end == datetime(2026, 7, 2, tzinfo=AMS)
    y_start, y_end = day_bounds("yesterday", datetime(2026, 3, 30, 0, 30, tzinfo=AMS))  # after DST began
    assert y_end.astimezone(UTC) - y_start.astimezone(UTC) == timedelta(hours=23)


def test_a_caller_filtering_sees_only_their_own(
    calls: dict[str, Melding], caller: User, other_caller: User
) -> None:
    assert api_ids(client_for(other_caller), sla="breached") == set()
    assert api_ids(client_for(caller), sla="breached", groups="mine") == set()  # a caller has no groups


def test_the_list_page_applies_and_keeps_the_filters(calls: dict[str, Melding], operator: User) -> None:
    client = client_for(operator)
    with frozen(NOW):
        r = client.get("/meldingen/", {"queue": "all", "created": "yesterday", "unassigned": "1"})
    assert r.status_code == 200
    assert {m.pk for m in r.context["page"].items} == ids(calls, "done")
    text = r.content.decode()
    # the dashboard-only filters are shown (and can be cleared) when set
    assert '<option value="yesterday" selected>' in text
    assert '<option value="1" selected>' in text
    assert 'name="resolved"' not in text
    assert 'name="groups"' not in text
    with frozen(NOW):
        r = client.get("/meldingen/", {"queue": "open", "sla": "breached", "age": "31+"})
    assert {m.pk for m in r.context["page"].items} == ids(calls, "ancient")
    assert '<option value="breached" selected>' in r.content.decode()
    # the export follows the same filters
    assert "sla=breached" in r.context["export_url"]


def test_the_list_page_with_status_code_and_groups(calls: dict[str, Melding], operator: User) -> None:
    client = client_for(operator)
    with frozen(NOW):
        r = client.get("/meldingen/", {"queue": "open", "status_code": "waiting_supplier", "groups": "mine"})
    assert {m.pk for m in r.context["page"].items} == ids(calls, "paused")
    text = r.content.decode()
    assert '<option value="waiting_supplier" selected>' in text
    assert '<option value="mine" selected>' in text


def test_unknown_values_on_the_list_page_are_ignored_not_an_error(
    calls: dict[str, Melding], operator: User
) -> None:
    with frozen(NOW):
        r = client_for(operator).get(
            "/meldingen/", {"queue": "open", "sla": "late", "age": "x", "created": "x"}
        )
    assert r.status_code == 200
    assert len(r.context["page"].items) == 6


def test_the_form_shows_dashboard_filters_only_when_set() -> None:
    assert "created" not in QueueFilterForm({})
    assert "sla" in QueueFilterForm({}).fields
    assert "age" in QueueFilterForm({}).fields
    form = QueueFilterForm({"resolved": "today", "status_kind": "waiting"})
    assert "resolved" in form.fields
    assert "status_kind" in form.fields
    assert form.is_valid()
    assert list(form.fields)[-1] == "sort"
