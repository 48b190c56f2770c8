"""The servicedesk dashboard: figures on a known data set, links, live update, API, permissions, queries."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import OperatorGroup, User
from beheer.calendars.models import BusinessCalendar
from beheer.cmdb.models import Supplier
from beheer.core.clock import frozen
from beheer.reports.dashboard import Scope, build_dashboard, format_duration, remaining_text
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, Melding, SlaPolicy, Status

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 11, 14, 0, tzinfo=AMS)  # a Wednesday; today = 11 March, yesterday = 10 March


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """Assert on the English source strings, whatever translations exist."""
    settings.LANGUAGE_CODE = "en"


def ago(**kwargs: float) -> datetime:
    return NOW - timedelta(**kwargs)


def register(actor: User, caller: User, group: OperatorGroup, when: datetime, **kwargs: Any) -> Melding:
    with frozen(when):
        return services.open_melding(
            actor=actor,
            brief_description=kwargs.pop("brief", "Laptop start niet op"),
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=group,
            **kwargs,
        )


def fresh(m: Melding) -> Melding:
    return Melding.objects.get(pk=m.pk)


def set_status(m: Melding, code: str, when: datetime, actor: User) -> None:
    with frozen(when):
        status = Status.objects.get(code=code)
        supplier = Supplier.objects.get_or_create(name="Leverancier")[0] if status.asks_supplier else None
        services.change_status(fresh(m), status=status, supplier=supplier, actor=actor, expected_version=None)


def resolve(m: Melding, when: datetime, actor: User) -> None:
    with frozen(when):
        services.resolve_melding(fresh(m), solution="Opgelost", actor=actor, expected_version=None)


@pytest.fixture
def wall_clock_sla(db: Any) -> None:
    """The default policy on the 24x7 calendar: P4 (the default) = 45 h, at risk from 75% = 33 h 45 min."""
    SlaPolicy.objects.filter(name="Standaard").update(calendar=BusinessCalendar.objects.get(name="24x7"))


@pytest.fixture
def data(
    wall_clock_sla: None,
    operator: User,
    caller: User,
    first_line: OperatorGroup,
    second_line: OperatorGroup,
) -> dict[str, Melding]:
    """Thirteen calls in known states at NOW (Wednesday 11 March 2026 14:00, Amsterdam)."""
    sd, sb = first_line, second_line
    m: dict[str, Melding] = {}
    # open, first line
    m["A"] = register(operator, caller, sd, NOW.replace(hour=0, minute=30))  # today 00:30 (23:30 UTC)
    m["B"] = register(operator, caller, sd, ago(hours=3), operator=operator)
    m["C"] = register(operator, caller, sd, ago(hours=20))  # yesterday 18:00
    m["D"] = register(
        operator, caller, sd, ago(hours=36)
    )  # Tuesday 02:00; at risk since 33 h 45 min; due in 9 h
    m["F"] = register(operator, caller, sd, ago(days=10), operator=operator)
    set_status(m["F"], "waiting_supplier", ago(days=10) + timedelta(hours=1), operator)  # paused in time
    m["G"] = register(operator, caller, sd, ago(hours=2), operator=operator)
    set_status(m["G"], "waiting_caller", ago(hours=1), operator)
    m["H"] = register(operator, caller, sd, ago(days=40), operator=operator)  # breached long ago
    # second line: registered Saturday, escalated at once, breached Monday 11:00
    m["E"] = register(operator, caller, sd, ago(days=4))
    with frozen(ago(days=4) + timedelta(minutes=5)):
        services.escalate_melding(
            fresh(m["E"]), to_group=sb, reason="Server", actor=operator, expected_version=None
        )
    # a partial incident of H for the second line (no SLA of its own)
    with frozen(ago(minutes=30)):
        m["I"] = services.create_partial(
            fresh(m["H"]), brief_description="Onderdeel bestellen", operator_group=sb, actor=operator
        )
    # resolved and closed
    m["J"] = register(operator, caller, sd, ago(hours=22))  # yesterday 16:00
    resolve(m["J"], ago(hours=2), operator)  # today
    m["K"] = register(operator, caller, sd, ago(days=5))
    resolve(m["K"], ago(hours=24), operator)  # yesterday
    with frozen(ago(hours=1)):
        services.close_melding(fresh(m["K"]), actor=operator, expected_version=None)
    m["L"] = register(operator, caller, sd, ago(hours=4))  # today 10:00
    resolve(m["L"], ago(hours=3), operator)  # today 11:00
    m["M"] = register(operator, caller, sd, ago(days=20))
    resolve(m["M"], ago(days=3), operator)  # neither today nor yesterday
    return m


def counts(d: Any) -> dict[str, int]:
    return {key: f.count for key, f in d.figures.items()}


EXPECTED_ALL = {
    "open": 9,  # A B C D E F G H I
    "open_first": 7,  # A B C D F G H
    "open_second": 1,  # E
    "open_partial": 1,  # I
    "unassigned": 5,  # A C D E I
    "at_risk": 1,  # D
    "breached": 2,  # E H
    "paused": 2,  # F G
    "waiting_supplier": 1,  # F
    "waiting_caller": 1,  # G
    "age_0_2": 6,  # A B C D G I
    "age_3_7": 1,  # E (4 days)
    "age_8_30": 1,  # F (10 days)
    "age_31_plus": 1,  # H (40 days)
    "created_today": 5,  # A (00:30 local, still yesterday in UTC) B G I L
    "created_yesterday": 3,  # C D J
    "resolved_today": 2,  # J L
    "resolved_yesterday": 1,  # K (closed today, resolved yesterday)
    "preventive_overdue": 0,  # no preventive activities in this data set (see operations tests)
}


def test_figures_for_all_calls(data: dict[str, Melding], operator: User) -> None:
    with frozen(NOW):
        d = build_dashboard(operator, Scope())
    assert counts(d) == EXPECTED_ALL
    rows = {g.name: g for g in d.groups}
    assert list(rows) == ["Servicedesk", "Systeembeheer"]
    sd, sb = rows["Servicedesk"], rows["Systeembeheer"]
    # Servicedesk: A B C D F G H open; A C D unassigned; D at risk; H breached; F G waiting
    assert (sd.open.count, sd.unassigned.count, sd.at_risk.count, sd.breached.count, sd.waiting.count) == (
        7,
        3,
        1,
        1,
        2,
    )
    # Systeembeheer: E and I, both unassigned; E breached
    assert (sb.open.count, sb.unassigned.count, sb.at_risk.count, sb.breached.count, sb.waiting.count) == (
        2,
        2,
        0,
        1,
        0,
    )


def test_the_most_urgent_calls_come_breached_first_then_by_deadline(
    data: dict[str, Melding], operator: User
) -> None:
    with frozen(NOW):
        d = build_dashboard(operator, Scope())
    assert [r.melding.pk for r in d.urgent] == [data["H"].pk, data["E"].pk, data["D"].pk]
    assert [r.state for r in d.urgent] == ["breached", "breached", "at_risk"]
    # H: registered 40 days ago, due 45 h later -> overdue 40 d - 45 h = 38 d 3 h
    # E: registered Saturday 14:00, due Monday 11:00 -> overdue 51 h = 2 d 3 h
    # D: registered Tuesday 02:00, due Wednesday 23:00 -> 9 h left
    assert [r.text for r in d.urgent] == ["overdue 38 d 3 h", "overdue 2 d 3 h", "9 h 00 min left"]
    assert d.urgent[2].remaining == timedelta(hours=9)


def test_my_operator_groups(data: dict[str, Melding], operator: User) -> None:
    with frozen(NOW):
        d = build_dashboard(operator, Scope("mine", (operator.operator_groups.get().pk,)))
    expected = {
        **EXPECTED_ALL,
        "open": 7,
        "open_second": 0,
        "open_partial": 0,
        "unassigned": 3,
        "breached": 1,
        "age_0_2": 5,
        "age_3_7": 0,
        "created_today": 4,
    }
    assert counts(d) == expected
    assert [g.name for g in d.groups] == ["Servicedesk"]


def _figure_links(page: str) -> list[tuple[str, int]]:
    links = re.findall(r'href="(/meldingen/\?[^"]*)"[^>]*data-count="(\d+)"', page)
    return [(html.unescape(url), int(n)) for url, n in links]


def _api_count(client: Client, url: str) -> int:
    params = dict(parse_qsl(urlsplit(url).query))
    total, cursor = 0, ""
    while True:
        query: dict[str, str] = {**params, "limit": "200", **({"cursor": cursor} if cursor else {})}
        r = client.get("/api/v1/meldingen", query)
        assert r.status_code == 200, r.content
        body = r.json()
        total += len(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return total


@pytest.mark.parametrize("scope", ["", "mine", "group"])
def test_every_figure_links_to_a_list_of_exactly_the_counted_calls(
    data: dict[str, Melding], operator: User, second_line: OperatorGroup, scope: str
) -> None:
    client = Client()
    client.force_login(operator)
    value = str(second_line.pk) if scope == "group" else scope
    with frozen(NOW):
        page = client.get("/dashboard/", {"operator_group": value} if value else {}).content.decode()
        links = _figure_links(page)
        assert len(links) == 17 + 5 * (2 if scope == "" else 1)  # the figures, and 5 per group row
        for url, shown in links:
            listed = client.get(url)
            assert listed.status_code == 200
            assert len(listed.context["page"].items) == shown, url
            assert _api_count(client, url) == shown, url


def test_the_figures_match_the_api_and_the_api_params_list_the_same_calls(
    data: dict[str, Melding], operator: User
) -> None:
    client = Client()
    client.force_login(operator)
    with frozen(NOW):
        body = client.get("/api/v1/reports/dashboard").json()
        assert {k: v["count"] for k, v in body["figures"].items()} == EXPECTED_ALL
        assert body["figures"]["breached"]["params"] == {"queue": "open", "sla": "breached"}
        for key in ("at_risk", "waiting_supplier", "age_8_30", "resolved_yesterday"):
            assert _api_count(client, "?" + _qs(body["figures"][key]["params"])) == EXPECTED_ALL[key]
    assert [g["name"] for g in body["groups"]] == ["Servicedesk", "Systeembeheer"]
    assert body["groups"][1]["breached"]["count"] == 1
    assert [u["number"] for u in body["urgent"]] == [data[k].number for k in "HED"]
    assert body["urgent"][2]["remaining_seconds"] == 9 * 3600
    assert body["urgent"][0]["sla_state"] == "breached"
    assert body["operator_group"] == ""


def _qs(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def test_api_scope_mine_and_group(
    data: dict[str, Melding], operator: User, second_line: OperatorGroup
) -> None:
    client = Client()
    client.force_login(operator)
    with frozen(NOW):
        mine = client.get("/api/v1/reports/dashboard", {"operator_group": "mine"}).json()
        group = client.get("/api/v1/reports/dashboard", {"operator_group": second_line.pk}).json()
    assert mine["figures"]["open"] == {
        "count": 7,
        "label": "Open calls",
        "params": {"queue": "open", "groups": "mine"},
    }
    assert group["figures"]["open"]["count"] == 2
    assert group["figures"]["open"]["params"] == {"queue": "open", "operator_group": str(second_line.pk)}
    assert group["operator_group"] == str(second_line.pk)


@pytest.mark.parametrize("value", ["abc", "999999999", "99999999999999999999999", "-1", "mine2"])
def test_a_bad_group_gives_a_clear_error(operator: User, value: str) -> None:
    client = Client()
    client.force_login(operator)
    r = client.get("/api/v1/reports/dashboard", {"operator_group": value})
    assert r.status_code == 400
    assert "operator_group" in r.json()["fields"]
    page = client.get("/dashboard/", {"operator_group": value})
    assert page.status_code == 200
    assert "Choose an operator group" in page.content.decode()


# --------------------------------------------------------------------------------------------------
# pages, live update, permissions


def test_the_page_and_its_live_partial(data: dict[str, Melding], operator: User) -> None:
    client = Client()
    client.force_login(operator)
    with frozen(NOW):
        page = client.get("/dashboard/", {"operator_group": "mine"})
        partial = client.get("/dashboard/figures/", {"operator_group": "mine"}, HTTP_HX_REQUEST="true")
        direct = client.get("/dashboard/figures/", {"operator_group": "mine"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "<html" in text
    assert 'hx-get="/dashboard/figures/?operator_group=mine"' in text
    assert 'hx-trigger="every 30s"' in text
    assert 'hx-swap="outerHTML"' in text
    assert '<option value="mine" selected>' in text
    assert "style=" not in text  # CSP: no inline styles
    assert "<script>" not in text
    # the partial is the figures block alone and polls itself again
    piece = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in piece
    assert piece.lstrip().startswith('<section id="dashboard-figures"')
    assert 'hx-trigger="every 30s"' in piece
    assert data["H"].number in piece
    assert "overdue 38 d 3 h" in piece
    assert "HX-Request" in partial["Vary"]
    # without HTMX the partial URL is a whole page
    assert direct.status_code == 200
    assert "<html" in direct.content.decode()
    assert 'id="dashboard-figures"' in direct.content.decode()


def test_the_sla_percentage_is_shown_next_to_the_breached_open_calls(
    data: dict[str, Melding], operator: User
) -> None:
    """The SLA percentage counts resolved calls only; the open calls already past their target sit
    right next to it, so a good percentage cannot hide a growing late backlog."""
    # resolved in the last 30 days: J (20 h) and L (1 h) within the 45 h target; K (96 h) and M
    # (17 days) over it
    with frozen(NOW):
        d = build_dashboard(operator, Scope())
    assert (d.sla.met, d.sla.breached, d.sla.percent) == (2, 2, 50.0)
    client = Client()
    client.force_login(operator)
    with frozen(NOW):
        body = client.get("/dashboard/").content.decode()
        api = client.get("/api/v1/reports/dashboard").json()
    pair = re.search(r"data-sla-pair>(.*?)</div>\s*</div>", body, re.S)
    assert pair is not None
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", pair.group(1)))).strip()
    assert text == (
        "2 Breached: open calls past their target "
        "50.0 % Resolved within SLA, last 30 days 2 of 4 resolved calls; open calls are not counted"
    )
    assert 'data-figure="breached" data-count="2"' in pair.group(1)
    assert api["sla_resolution"] == {"days": 30, "met": 2, "breached": 2, "percent": 50.0}
    assert api["figures"]["breached"]["count"] == 2


def test_callers_get_403_and_anonymous_visitors_log_in(caller: User) -> None:
    client = Client()
    for url in ("/dashboard/", "/dashboard/figures/"):
        r = client.get(url)
        assert r.status_code == 302
        assert "/login" in r["Location"] or "login" in r["Location"]
    assert client.get("/api/v1/reports/dashboard").status_code == 401
    client.force_login(caller)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/figures/", HTTP_HX_REQUEST="true").status_code == 403
    r = client.get("/api/v1/reports/dashboard")
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"


@pytest.mark.parametrize("role_fixture", ["operator", "coordinator", "administrator"])
def test_every_staff_member_sees_the_dashboard(request: Any, role_fixture: str) -> None:
    user = request.getfixturevalue(role_fixture)
    client = Client()
    client.force_login(user)
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/api/v1/reports/dashboard").status_code == 200


def test_post_is_not_allowed(operator: User) -> None:
    client = Client()
    client.force_login(operator)
    assert client.post("/dashboard/").status_code == 405


# --------------------------------------------------------------------------------------------------
# performance: the number of queries does not depend on the number of calls


def _make_calls(n: int, operator: User, caller: User, groups: list[OperatorGroup]) -> None:
    waiting = Status.objects.get(code="waiting_supplier")
    supplier = Supplier.objects.get_or_create(name="Leverancier")[0]
    for i in range(n):
        m = register(operator, caller, groups[0], ago(hours=3 * i + 1), operator=operator if i % 2 else None)
        if i % 3 == 0:
            with frozen(ago(hours=3 * i)):
                services.change_status(
                    fresh(m), status=waiting, supplier=supplier, actor=operator, expected_version=None
                )
        if i % 5 == 0:
            with frozen(ago(hours=3 * i)):
                services.escalate_melding(
                    fresh(m), to_group=groups[1], reason="x", actor=operator, expected_version=None
                )
        if i % 7 == 0:
            resolve(m, ago(hours=3 * i - 0.5), operator)


def _queries(client: Client, url: str, **headers: Any) -> int:
    with frozen(NOW), CaptureQueriesContext(connection) as ctx:
        r = client.get(url, **headers)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_the_same_for_5_and_50_calls(
    wall_clock_sla: None, operator: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> None:
    client = Client()
    client.force_login(operator)
    _make_calls(5, operator, caller, [first_line, second_line])
    small = [
        _queries(client, "/dashboard/"),
        _queries(client, "/dashboard/figures/?operator_group=mine", HTTP_HX_REQUEST="true"),
        _queries(client, "/api/v1/reports/dashboard"),
    ]
    _make_calls(45, operator, caller, [first_line, second_line])
    assert Melding.objects.count() == 50
    large = [
        _queries(client, "/dashboard/"),
        _queries(client, "/dashboard/figures/?operator_group=mine", HTTP_HX_REQUEST="true"),
        _queries(client, "/api/v1/reports/dashboard"),
    ]
    assert small == large
    assert max(large) <= 15


def test_the_dashboard_counts_with_aggregates_not_rows(data: dict[str, Melding], operator: User) -> None:
    with frozen(NOW), CaptureQueriesContext(connection) as ctx:
        build_dashboard(operator, Scope())
    sql = [q["sql"].upper() for q in ctx.captured_queries]
    # statuses, open counts, intake, resolved, overdue preventive activities, per group, group names,
    # urgent; knowledge to review: 2
    assert len(sql) == 10
    melding_reads = [s for s in sql if '"SERVICEDESK_MELDING"' in s.split("FROM", 1)[1][:40]]
    for s in melding_reads:
        assert "COUNT(" in s or "LIMIT 10" in s


# --------------------------------------------------------------------------------------------------
# presentation helpers


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=35), "35 min"),
        (timedelta(hours=2, minutes=15), "2 h 15 min"),
        (timedelta(hours=9), "9 h 00 min"),
        (timedelta(hours=2, minutes=5), "2 h 05 min"),
        (timedelta(days=2, hours=3, minutes=59), "2 d 4 h"),  # the day form rounds to hours
        (timedelta(seconds=59), "1 min"),
        (timedelta(seconds=10), "< 1 min"),
    ],
)
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text
    assert format_duration(-delta) == text


def test_remaining_text() -> None:
    assert remaining_text(NOW + timedelta(hours=2, minutes=15), NOW) == "2 h 15 min left"
    assert remaining_text(NOW - timedelta(minutes=35), NOW) == "overdue 35 min"
    assert remaining_text(None, NOW) == "overdue, clock paused"
