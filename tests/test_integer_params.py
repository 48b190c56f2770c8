"""Every integer parameter of the API and of the list pages is range-checked: a number past the
signed 64-bit range (or an id below 1) is a 4xx, never a 500 from the database driver."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from beheer.accounts.models import User
from beheer.servicedesk.tests.test_api import token_client
from tests.helpers import client_for

TOO_BIG = 2**63
API = "/api/v1"


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                found.append((path, method, op.get("parameters", [])))
    return found


def _is_int(param: dict[str, Any]) -> bool:
    schema = param.get("schema", {})
    kinds = [schema.get("type")] + [s.get("type") for s in schema.get("anyOf", [])]
    return "integer" in kinds


def _is_id(param: dict[str, Any]) -> bool:
    return param["in"] == "path" or param["name"] == "id" or param["name"].endswith("_id")


# the accounts router (API tokens) belongs to the accounts app; its one id is covered by the walk below
# and by the API's out-of-range safety net
UNTYPED_ALLOWED = {("/api/v1/tokens/{token_id}", "token_id")}


def test_every_integer_parameter_declares_the_64_bit_range(administrator: User) -> None:
    spec = token_client(administrator).client.get(f"{API}/openapi.json").json()
    unbounded = []
    for path, method, params in _operations(spec):
        for param in params:
            if param["in"] not in {"path", "query"} or not _is_int(param):
                continue
            schema = param["schema"]
            options = [schema, *schema.get("anyOf", [])]
            ints = [o for o in options if o.get("type") == "integer"]
            bounded = all(
                o.get("minimum", -(2**64)) >= -(2**63) and o.get("maximum", 2**64) <= 2**63 - 1 for o in ints
            )
            if _is_id(param):
                bounded = bounded and all(o.get("minimum", 0) >= 1 for o in ints)
            if not bounded and (path, param["name"]) not in UNTYPED_ALLOWED:
                unbounded.append((method.upper(), path, param["name"], schema))
    assert not unbounded, "\n".join(map(str, unbounded))


def _send(client: Client, method: str, url: str, query: dict[str, Any]) -> Any:
    if method == "get":
        return client.get(url, query)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return getattr(client, method)(url, data="{}", content_type="application/json")


def test_every_integer_api_parameter_is_range_checked(administrator: User, melding: Any) -> None:
    api = token_client(administrator).client
    spec = api.get(f"{API}/openapi.json").json()
    operations = _operations(spec)
    checked = 0
    failures = []
    for path, method, params in operations:
        path_params = {p["name"]: p for p in params if p["in"] == "path"}
        for param in params:
            if param["in"] not in {"path", "query"} or not _is_int(param):
                continue
            values = [TOO_BIG, -(2**63) - 1] + ([-1, 0] if _is_id(param) else [])
            for value in values:
                filled = {
                    name: (value if name == param["name"] else (1 if _is_int(p) else "x"))
                    for name, p in path_params.items()
                }
                url = re.sub(r"\{(\w+)\}", lambda m, filled=filled: str(filled[m.group(1)]), path)
                query = {param["name"]: value} if param["in"] == "query" else {}
                try:
                    response = _send(api, method, url, query)
                except Exception as exc:  # the test client re-raises what would be a 500
                    failures.append((method.upper(), path, param["name"], value, repr(exc)[:80]))
                    continue
                checked += 1
                json_answer = response.get("Content-Type", "").startswith("application/json")
                if not 400 <= response.status_code < 500 or not json_answer:
                    failures.append((method.upper(), path, param["name"], value, response.status_code))
    assert checked > 100, checked  # the walk reached the routers
    assert not failures, "\n".join(map(str, failures))


def _ui_patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, list[str]]]:
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if "api/" in route or "beheer-admin" in route or "static" in route:
                continue
            found.extend(_ui_patterns(entry, route))
        elif isinstance(entry, URLPattern):
            ints = re.findall(r"<(?:int|id):(\w+)>", route)
            if ints:
                found.append((route, ints))
    return found


def test_integer_path_segments_of_pages_are_range_checked(administrator: User) -> None:
    client = client_for(administrator)
    failures = []
    patterns = _ui_patterns(get_resolver())
    assert len(patterns) > 20
    for route, _names in patterns:
        for value in (TOO_BIG, 10**30):
            url = "/" + re.sub(r"<(?:int|id):\w+>", str(value), route)
            url = re.sub(r"<(?:slug|str):\w+>", "x", url)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if response.status_code >= 500:
                    failures.append((method, url, response.status_code))
    assert not failures, failures


LIST_PAGES = [
    "/",
    "/meldingen/",
    "/meldingen/subcategories/",
    "/meldingen/callers/",
    "/meldingen/suggestions/",
    "/portal/",
    "/kennisbank/",
    "/portal/kennisbank/",
    "/monitoring/",
    "/monitoring/checks/manage/",
    "/monitoring/windows/",
    "/monitoring/windows/new/",
    "/dashboard/",
    "/reports/",
    "/reports/availability/",
    "/reports/monthly/",
    "/problems/",
    "/preventief/",
    "/preventief/reeksen/",
    "/notifications/outbox/",
    "/mail/dead-letters/",
    "/rights/",
    "/rights/leavers/",
    "/rights/campaigns/",
    "/rights/request/",
]
INT_QUERY = [
    "page",
    "cursor",
    "status",
    "operator_group",
    "operator",
    "category",
    "priority",
    "call_type",
    "caller",
    "check",
    "series",
    "group",
    "id",
    "ci",
]


@pytest.mark.parametrize("url", LIST_PAGES)
def test_integer_query_parameters_of_list_pages_never_500(administrator: User, url: str) -> None:
    client = client_for(administrator)
    for name in INT_QUERY:
        for value in (TOO_BIG, -(2**63) - 1, 10**30, -1, 0):
            response = client.get(url, {name: value})
            assert response.status_code < 500, (url, name, value, response.status_code)


def test_out_of_range_reaching_the_database_is_a_400(rf: Any, db: Any) -> None:
    """The safety net behind the schemas: the database driver's own refusal of a too-large number
    (OverflowError on SQLite, NumericValueOutOfRange as DataError on PostgreSQL) becomes a 400."""
    import json

    from django.db import DataError, connection, transaction

    from beheer.api import api

    raised: Exception | None = None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT CAST(%s AS BIGINT)", [TOO_BIG])
    except (OverflowError, DataError) as exc:
        raised = exc
    assert raised is not None
    response = api.on_exception(rf.get("/api/v1/meldingen"), raised)
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "out_of_range"
