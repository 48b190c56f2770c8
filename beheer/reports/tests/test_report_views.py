"""The report page, the monthly report, the KPI API: wiring and permissions."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.reports import charts
from tests.helpers import client_for as _client_for
from tests.helpers import make_person

from .test_kpis import Month, build_month, set_sla_outcomes

API = "/api/v1/reports/kpis"


def client_for(user: User) -> Client:
    """A logged-in client that reads English."""
    User.objects.filter(pk=user.pk).update(language="en")
    user.refresh_from_db()
    return _client_for(user)


OCT = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


@pytest.fixture
def month(
    operator: User, specialist: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> Month:
    return build_month(operator, specialist, caller, first_line, second_line)


@pytest.fixture
def coordinator_client(coordinator: User) -> Client:
    return client_for(coordinator)


def test_report_page_for_coordinators(month: Month, coordinator_client: Client) -> None:
    r = coordinator_client.get("/reports/", {"preset": "custom", **OCT})
    assert r.status_code == 200
    body = r.content.decode()
    assert 'role="img"' in body
    assert "<title" in body
    assert "Servicedesk" in body
    assert "Systeembeheer" in body
    assert r.context["data"]["volume"]["registered"] == 7


def _pair(body: str) -> str:
    """The text of the SLA pair on a report page, tags dropped, whitespace folded."""
    found = re.search(r"data-sla-pair>(.*?)</div>\s*</div>\s*</div>", body, re.S)
    assert found is not None
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))).strip()


def test_the_sla_percentage_sits_next_to_the_open_calls_past_their_target(
    month: Month, coordinator_client: Client
) -> None:
    """The percentage counts resolved calls only, so the open calls already late stand beside it."""
    set_sla_outcomes(month)
    expected = (
        "Resolution within SLA 60.0 % 3 of 5 resolved calls; open calls are not counted "
        "Open past target 2 open at the end of the period and past their resolution target"
    )
    page = coordinator_client.get("/reports/", {"preset": "custom", **OCT}).content.decode()
    assert _pair(page) == expected
    monthly = coordinator_client.get("/reports/monthly/", {"month": "2026-10"}).content.decode()
    assert _pair(monthly) == expected
    api = coordinator_client.get(API, OCT).json()
    assert api["sla"]["open_breached"]["count"] == 2


def test_report_page_durations_and_dates(month: Month, coordinator_client: Client) -> None:
    body = coordinator_client.get("/reports/", {"preset": "custom", **OCT}).content.decode()
    assert "1 h 15 min" in body  # time spent: 75 minutes
    assert '<td class="nowrap">1 Oct</td>' in body  # the backlog table: day-month
    assert "wk 40 (from Thu)" in body  # the weeks table: the first week is cut short
    assert "2026-10-01" not in re.sub(r'(href|value)="[^"]*"', "", body)


def test_report_page_defaults_and_bad_filter(db: Any, coordinator_client: Client) -> None:
    assert coordinator_client.get("/reports/").status_code == 200
    r = coordinator_client.get(
        "/reports/", {"preset": "custom", "date_from": "2026-10-31", "date_to": "2026-10-01"}
    )
    assert r.status_code == 200
    assert r.context["form"].errors


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CALLER])
def test_report_pages_refuse_others(db: Any, role: str) -> None:
    c = client_for(make_person(role))
    for url in ("/reports/", "/reports/monthly/", "/reports/export.csv", "/reports/schedules/"):
        assert c.get(url, OCT).status_code == 403, url
    assert c.get(API, OCT).status_code == 403


def test_anonymous_is_sent_to_login(db: Any) -> None:
    assert Client().get("/reports/").status_code == 302
    assert Client().get(API, OCT).status_code == 401


def test_administrator_sees_reports(db: Any) -> None:
    assert client_for(make_person(Role.ADMIN)).get("/reports/").status_code == 200


def test_monthly_report(month: Month, coordinator_client: Client) -> None:
    r = coordinator_client.get("/reports/monthly/", {"month": "2026-10"})
    assert r.status_code == 200
    body = r.content.decode()
    assert 'class="print-report"' in body
    assert "topnav" not in body
    assert r.context["data"]["period"]["date_to"] == "2026-10-31"
    assert coordinator_client.get("/reports/monthly/", {"month": "2026-13"}).status_code == 400
    assert coordinator_client.get("/reports/monthly/", {"month": "x"}).status_code == 400
    assert coordinator_client.get("/reports/monthly/").status_code == 200


def test_kpi_api(month: Month, coordinator: User) -> None:
    c = client_for(coordinator)
    r = c.get(API, {**OCT, "operator_group": str(month.first_line.pk)})
    assert r.status_code == 200
    data = r.json()
    assert data["volume"]["registered"] == 6
    assert data["satisfaction"]["measured"] is False
    assert data["first_contact_resolution"] == {"numerator": 3, "denominator": 5, "percent": 60.0}


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-10-31", "date_to": "2026-10-01"},
        {"date_from": "nope", "date_to": "2026-10-01"},
        {"date_from": "2020-01-01", "date_to": "2026-10-01"},
        {"date_to": "2026-10-01"},
        {**OCT, "priority": "abc"},
    ],
)
def test_kpi_api_refuses_bad_input(db: Any, coordinator: User, params: dict[str, str]) -> None:
    r = client_for(coordinator).get(API, params)
    assert r.status_code == 400
    assert r.json()["fields"]


def test_svg_escapes_labels() -> None:
    svg = charts.bar_chart(title="<script>alert(1)</script>", items=[('<img src=x onerror="1">', 3)])
    assert "<script>" not in svg
    assert "<img" not in svg
    assert "&lt;script&gt;" in svg
    assert 'role="img"' in svg
    assert "<title" in svg
    line = charts.line_chart(title="T & U", x_labels=["<a>"], series=[("<b>", [1])])
    assert "<a>" not in line
    assert "<b>" not in line
    assert "T &amp; U" in line


def test_svg_with_no_data() -> None:
    assert "<svg" in charts.line_chart(title="Empty", x_labels=[], series=[("Open", [])])
    assert "<svg" in charts.bar_chart(title="Empty", items=[])
