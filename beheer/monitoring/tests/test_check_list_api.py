"""GET /api/v1/monitoring/checks: keyset pages by name (id breaks ties), a fixed number of queries."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beheer.monitoring.models import Check, CheckState
from tests.helpers import client_for

API = "/api/v1/monitoring/checks"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def make_checks(names: list[str]) -> list[Check]:
    made = []
    for i, name in enumerate(names):
        check = Check.objects.create(name=name, kind="tcp", target=f"10.0.0.{i % 250 + 1}:22", created_at=T0)
        if i % 2:  # half of them have a state row, half have none yet ("unknown")
            CheckState.objects.create(check_obj=check, status="down", hard_status="down", last_result_at=T0)
        made.append(check)
    return made


def cursor_of(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.django_db
def test_the_pages_walked_with_the_cursor_hold_every_check_once_in_name_order(operator):
    # equal names on purpose: the id breaks the tie, so no check is skipped or repeated at a page edge
    checks = make_checks([f"Router {i % 7}" for i in range(23)])
    client = client_for(operator)
    seen: list[dict[str, Any]] = []
    url: str | None = f"{API}?limit=5"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"items", "next_cursor"}  # the convention of the other paginated lists
        assert len(body["items"]) <= 5
        seen += body["items"]
        pages += 1
        url = f"{API}?limit=5&cursor={body['next_cursor']}" if body["next_cursor"] else None
    assert pages == 5
    assert [c["id"] for c in seen] == [c.pk for c in sorted(checks, key=lambda c: (c.name, c.pk))]
    assert len({c["id"] for c in seen}) == len(checks)
    states = {c["id"]: c["status"] for c in seen}
    assert states[checks[0].pk] == "unknown"
    assert states[checks[1].pk] == "down"
    # without a limit: the first 50
    assert len(client.get(API).json()["items"]) == 23


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        cursor_of(["Router", "x"]),  # an id that is not a number
        cursor_of(["Router"]),  # too few values
        cursor_of(["Router", 2**70]),  # out of range
        cursor_of([None, 1]),
    ],
)
def test_a_bad_cursor_is_a_400_that_says_so(operator, cursor):
    make_checks(["Router"])
    response = client_for(operator).get(API, {"cursor": cursor})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "invalid"
    assert body["detail"]  # "Invalid cursor.", in the reader's language
    assert body["fields"]["cursor"]


@pytest.mark.django_db
def test_a_limit_outside_1_to_200_is_a_400(operator):
    client = client_for(operator)
    for limit in (0, 201, -1):
        response = client.get(API, {"limit": limit})
        assert response.status_code == 400
        assert "limit" in response.json()["fields"]
    assert client.get(API, {"limit": 200}).status_code == 200


@pytest.mark.django_db
def test_a_page_costs_the_same_queries_however_many_checks_there_are(operator):
    client = client_for(operator)

    def count(url: str) -> tuple[int, dict[str, Any]]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries), response.json()

    make_checks(["A", "B"])
    few, _body = count(f"{API}?limit=10")
    make_checks([f"C{i:02}" for i in range(40)])
    many, first = count(f"{API}?limit=10")
    assert many == few
    deeper, _second = count(f"{API}?limit=10&cursor={first['next_cursor']}")
    assert deeper == few


@pytest.mark.django_db
def test_callers_get_403_and_strangers_401(caller):
    make_checks(["Router"])
    assert client_for(caller).get(API).status_code == 403
    assert Client().get(API).status_code == 401


@pytest.mark.django_db
def test_the_order_is_backed_by_an_index():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Check._meta.db_table)
    assert constraints["check_name_id"]["columns"] == ["name", "id"]
