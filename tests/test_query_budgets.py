"""Query budgets: no list route and no main write service runs a query per row.

Every GET route without path parameters, found by walking the URLconf and the API's routers, is
requested as an administrator (who sees most) and as a caller, once in a small world (a couple of rows
of every kind, `tests/query_world.py`) and once after more of every kind was added: the number of
queries must be the same. A route added later is measured without touching this file; a route that
is left out (`SKIPPED`) or that may vary (`VARIES`) says why.

The main write services are measured the same way, in the small and in the larger world, and each
stays under a pinned budget (`WRITES`).

The world is built once for the module and rolled back afterwards. Requests and services run with
the configuration cache on, as in production (the test settings switch it off): each route is
requested once to fill the caches of this process, then measured.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path

from beheer.accounts.models import Branch, Location, Role
from beheer.core import clock, config_cache
from beheer.knowledge import services as knowledge
from beheer.monitoring import services as monitoring
from beheer.operations import services as operations
from beheer.operations.models import Occurrence
from beheer.problems import services as problem_services
from beheer.servicedesk import services
from beheer.servicedesk.models import Category, EntryType, Impact, Melding, Status, Urgency
from tests.helpers import client_for, make_person
from tests.query_world import World

pytestmark = pytest.mark.django_db  # the databases are set up for the module's world

SMALL = 2  # rows of every kind in the small world
MORE = 5  # rows of every kind added for the larger world

# Parts of the URLconf that hold no list of Beheer's.
NOT_LISTS = (
    "beheer-admin/",  # the Django admin: configuration screens with Django's own queries
    "i18n/",  # the language switch
    "static/",
    "media/",
    "api/v1/",  # the API: its operations are taken from its routers (the docs and schema are not lists)
)

# Routes left out, with the reason. Keys: the URL name of a page, "GET /api/v1/..." for an operation.
SKIPPED: dict[str, str] = {}

# Routes whose number of queries may grow with the data, with the reason. Keep this short.
VARIES: dict[str, str] = {}

# Query strings that make a route show its rows (a search, a filter, a queue, a period); each is
# measured as well. Placeholders: {caller} (a caller's id), {group} (an operator group's id), {from}
# and {to} (this month up to today), {month} (this month, YYYY-MM).
PERIOD = "?date_from={from}&date_to={to}"
QUERIES: dict[str, tuple[str, ...]] = {
    "melding-list": (
        "?q=printer",
        "?caller_q=Bea",
        "?operator_group={group}&sort=-registered",
        *(f"?queue={queue}" for queue in ("mine", "groups", "partial", "unassigned", "closed")),
    ),
    "melding-search": ("?q=printer",),
    "caller-lookup": ("?q=Bea",),
    "caller-filter-options": ("?caller_q=Bea",),
    "caller-open-meldingen": ("?caller={caller}",),
    "operator-options": ("?operator_group={group}",),
    "knowledge-list": ("?q=printer", "?status=published&review=overdue"),
    "portal-knowledge": ("?q=printer",),
    "problem-list": ("?q=printers", "?status=known_error"),
    "suggestion-panel": ("?brief_description=printer+drukt+niet",),
    "portal-suggestions": ("?brief_description=printer",),
    "overview": ("?by=host",),
    "operations-occurrences": ("?scope=all", "?scope=all&status=done", "?scope=team&overdue=on"),
    "operations-series": ("?show=all",),
    "sla-calendars": ("?show=all",),
    "sla-policies": ("?show=all",),
    "notification-outbox": ("?status=pending",),
    "notification-outbox-discard": ("?status=pending",),
    "check-create": ("?kind=push",),
    "reports": (PERIOD,),
    "report-export-csv": (PERIOD,),
    "report-export-xlsx": (PERIOD,),
    "report-monthly": ("?month={month}",),
    "report-availability": ("?month={month}",),
    "dashboard": ("?operator_group={group}",),
    "GET /api/v1/meldingen": ("?q=printer", "?queue=open"),
    "GET /api/v1/suggestions": ("?q=printer",),
    "GET /api/v1/persons": ("?q=Bea",),
    "GET /api/v1/knowledge/articles": ("?q=printer",),
    "GET /api/v1/operations/occurrences": ("?scope=all",),
    "GET /api/v1/reports/kpis": (PERIOD,),
    "GET /api/v1/reports/export.csv": (PERIOD,),
    "GET /api/v1/reports/export.xlsx": (PERIOD,),
}

# Lists whose page must change in the larger world: proof that the world grew where it is read.
GROWING = (
    "melding-list",
    "problem-list",
    "knowledge-list",
    "check-manage",
    "window-list",
    "operations-series",
    "mail-mailboxes",
    "mail-dead-letters",
    "notification-webhooks",
    "sla-calendars",
    "sla-olas",
    "report-schedules",
    "GET /api/v1/meldingen",
    "GET /api/v1/problems",
    "GET /api/v1/knowledge/articles",
    "GET /api/v1/monitoring/checks",
    "GET /api/v1/monitoring/windows",
    "GET /api/v1/operations/occurrences",
    "GET /api/v1/mail/dead-letters",
    "GET /api/v1/notifications/outbox",
)


# --------------------------------------------------------------------------------------------------
# the routes


@dataclass(frozen=True)
class Route:
    key: str  # the URL name of a page, or "GET <path>" for an API operation
    path: str


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def page_routes() -> list[Route]:
    """Every route of the URLconf without path parameters (the API's come from its routers)."""
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(NOT_LISTS) or "<" in route or "(?P" in route:
            continue
        routes.append(Route(key=pattern.name or route, path="/" + route))
    return routes


def api_routes() -> list[Route]:
    """Every GET operation of the API without path parameters, from its routers' path operations."""
    from beheer.api import api

    _ = api.urls  # binds every router to the API, nested ones included
    routes = []
    for prefix, router in api._routers:
        for route, path_view in router.path_operations.items():
            if "{" in route:
                continue
            if any("GET" in operation.methods for operation in path_view.operations):
                full = "/api/v1/" + re.sub(r"/+", "/", f"{prefix}/{route}").strip("/")
                routes.append(Route(key=f"GET {full}", path=full))
    return routes


def list_routes() -> list[Route]:
    return [r for r in page_routes() + api_routes() if r.key not in SKIPPED]


# --------------------------------------------------------------------------------------------------
# measuring


@dataclass(frozen=True)
class Measured:
    status: int
    queries: list[str] = field(default_factory=list)
    digest: str = ""  # of the body

    @property
    def count(self) -> int:
        return len(self.queries)


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


CSRF = re.compile(rb"(?i)csrf[^>]*")  # a token differs per request


def measure(client: Client, url: str) -> Measured:
    """The queries of one request, after a first request that filled the caches of this process.
    A route that does not answer 200 (a redirect, refused, not a GET route) is not measured."""
    config_cache.clear()
    first = client.get(url)
    _body(first)
    if first.status_code != 200:
        return Measured(first.status_code)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        body = _body(response)
    digest = hashlib.sha256(CSRF.sub(b"", body)).hexdigest()  # the same page gives the same digest
    return Measured(response.status_code, [q["sql"] for q in ctx.captured_queries], digest)


def measure_routes(world: World) -> dict[tuple[str, str], Measured]:
    """Every list route (with its query strings) as the administrator and as a caller."""
    today = clock.now().date()
    values = {
        "caller": world.caller.pk,
        "group": world.first_line.pk,
        "from": today.replace(day=1).isoformat(),
        "to": today.isoformat(),
        "month": today.strftime("%Y-%m"),
    }
    clients = {"administrator": client_for(world.admin), "caller": client_for(world.caller)}
    results = {}
    for route in list_routes():
        for query in ("", *QUERIES.get(route.key, ())):
            for role, client in clients.items():
                results[(role, route.key + query)] = measure(client, route.path + query.format_map(values))
    return results


def _diff(small: list[str], large: list[str]) -> str:
    return "\n".join(difflib.unified_diff(small, large, "small world", "larger world", lineterm="", n=0))


def growing_queries(
    small: dict[tuple[str, str], Measured], large: dict[tuple[str, str], Measured]
) -> list[str]:
    """What differs between the two worlds, other than in routes listed in VARIES."""
    failures = []
    for key, before in small.items():
        after = large[key]
        route = key[1].split("?")[0]
        if before.status != after.status:
            failures.append(f"{key}: status {before.status} in the small world, {after.status} in the larger")
        elif before.count != after.count and route not in VARIES:
            failures.append(
                f"{key}: {before.count} queries with {SMALL} rows of every kind, {after.count} with "
                f"{SMALL + MORE}:\n{_diff(before.queries, after.queries)}"
            )
    return failures


# --------------------------------------------------------------------------------------------------
# the main write services: each prepares its object, then returns the call that is measured


def _fresh_melding(world: World, n: int) -> Melding:
    return services.open_melding(
        actor=world.operator,
        brief_description=f"Toetsenbord {n} kapot",
        request="Toetsen blijven hangen.",
        entry_type=EntryType.PHONE,
        caller=world.caller,
        operator_group=world.first_line,
        operator=world.operator,
    )


def _open_melding(world: World, n: int) -> Callable[[], Any]:
    category = Category.objects.filter(parent__isnull=True).first()
    return lambda: services.open_melding(
        actor=world.operator,
        brief_description=f"Scherm {n} flikkert",
        request="Het scherm in lokaal 3 flikkert.",
        entry_type=EntryType.PHONE,
        caller=world.caller,
        category=category,
        operator_group=world.first_line,
    )


def _add_note(world: World, n: int) -> Callable[[], Any]:
    m = _fresh_melding(world, n)
    return lambda: services.add_note(m, text="We komen eraan.", visibility="caller", actor=world.operator)


def _change_status(world: World, n: int) -> Callable[[], Any]:
    m = _fresh_melding(world, n)
    status = Status.objects.get(code="in_progress")
    return lambda: services.change_status(m, status=status, actor=world.operator, expected_version=m.version)


def _escalate(world: World, n: int) -> Callable[[], Any]:
    m = _fresh_melding(world, n)
    return lambda: services.escalate_melding(
        m,
        to_group=world.second_line,
        reason="Specialist nodig.",
        actor=world.operator,
        expected_version=m.version,
    )


def _resolve(world: World, n: int) -> Callable[[], Any]:
    m = _fresh_melding(world, n)
    return lambda: services.resolve_melding(
        m, solution="Toetsenbord vervangen.", actor=world.operator, expected_version=m.version
    )


def _close(world: World, n: int) -> Callable[[], Any]:
    m = _fresh_melding(world, n)
    m = services.resolve_melding(
        m, solution="Toetsenbord vervangen.", actor=world.operator, expected_version=None
    )
    return lambda: services.close_melding(m, actor=world.operator, expected_version=m.version)


def _open_problem(world: World, n: int) -> Callable[[], Any]:
    return lambda: problem_services.open_problem(
        actor=world.operator,
        title=f"Toetsenborden {n}",
        description="Veel uitval.",
        operator_group=world.second_line,
    )


def _edit_problem(world: World, n: int) -> Callable[[], Any]:
    problem = problem_services.open_problem(actor=world.operator, title=f"Schermen {n}")
    impact, urgency = Impact.objects.first(), Urgency.objects.first()
    assert impact is not None
    assert urgency is not None
    return lambda: problem_services.edit_problem(
        problem,
        actor=world.operator,
        expected_version=problem.version,
        title=f"Schermen {n} flikkeren",
        description="Na de update.",
        impact=impact,
        urgency=urgency,
        root_cause="Stuurprogramma.",
        workaround="Oude versie terugzetten.",
    )


def _link_melding(world: World, n: int) -> Callable[[], Any]:
    problem = problem_services.open_problem(actor=world.operator, title=f"Muizen {n}")
    m = _fresh_melding(world, n)
    return lambda: problem_services.link_melding(problem, melding=m, actor=world.operator)


def _create_article(world: World, n: int) -> Callable[[], Any]:
    return lambda: knowledge.create_article(
        actor=world.operator, title=f"Toetsenbord {n} vervangen", body="Stap 1: losmaken.", tags=["hardware"]
    )


def _update_article(world: World, n: int) -> Callable[[], Any]:
    article = knowledge.create_article(actor=world.operator, title=f"Muis {n} vervangen", body="Oud.")
    article = knowledge.publish(article, actor=world.operator, expected_version=article.version)
    return lambda: knowledge.save_draft(
        article,
        actor=world.operator,
        expected_version=article.version,
        title=f"Muis {n} vervangen",
        body="Nieuw.",
        change_note="bijgewerkt",
    )


def _check_data(n: int, **changes: Any) -> monitoring.CheckData:
    values: dict[str, Any] = {
        "name": f"Intranet {n}",
        "kind": "http",
        "target": f"https://intranet{n}.school.example/",
        "host": f"intra{n}",
        "tags": "web",
    }
    values.update(changes)
    return monitoring.CheckData(**values)


def _create_check(world: World, n: int) -> Callable[[], Any]:
    return lambda: monitoring.create_check(actor=world.admin, data=_check_data(n))


def _update_check(world: World, n: int) -> Callable[[], Any]:
    check = monitoring.create_check(actor=world.admin, data=_check_data(n))
    data = _check_data(n, name=f"Intranet {n} (nieuw)", tags="web, intern")
    return lambda: monitoring.update_check(
        check, actor=world.admin, data=data, expected_version=check.version
    )


def _window_data(n: int, **changes: Any) -> monitoring.WindowData:
    start = clock.now().replace(tzinfo=None, microsecond=0) + timedelta(days=2)
    values: dict[str, Any] = {
        "name": f"Onderhoud {n}",
        "start": start,
        "duration_minutes": 60,
        "hosts": "web01",
    }
    values.update(changes)
    return monitoring.WindowData(**values)


def _create_window(world: World, n: int) -> Callable[[], Any]:
    return lambda: monitoring.create_window(actor=world.admin, data=_window_data(n))


def _update_window(world: World, n: int) -> Callable[[], Any]:
    window = monitoring.create_window(actor=world.admin, data=_window_data(n))
    data = _window_data(n, duration_minutes=90, tags="net")
    return lambda: monitoring.update_window(
        window, actor=world.admin, data=data, expected_version=window.version
    )


def _complete_occurrence(world: World, n: int) -> Callable[[], Any]:
    series = operations.create_series(
        actor=world.admin,
        name=f"Herstelproef {n}",
        kind="restore_test",
        rule="FREQ=DAILY",
        start_date=clock.now().date() - timedelta(days=2),
        start_time=time(9, 0),
        time_zone="Europe/Amsterdam",
        checklist=["Bestand terugzetten", "Openen"],
        lead_days=3,
        grace_hours=24,
        operator_group=world.first_line,
    )
    operations.generate_for_series(series)
    occurrence = Occurrence.objects.filter(series=series, status="open").order_by("planned_at").first()
    assert occurrence is not None
    return lambda: operations.complete_occurrence(
        occurrence, actor=world.operator, expected_version=occurrence.version, remark="Gelukt.", minutes=20
    )


# Each service with its budget: the queries measured on SQLite and PostgreSQL (the larger of the two,
# in the comment), with a little headroom. A service past its budget added queries: look for a
# query per row first.
WRITES: dict[str, tuple[Callable[[World, int], Callable[[], Any]], int]] = {
    "open a melding": (_open_melding, 8),  # 6
    "add a note": (_add_note, 18),  # 16
    "change the status": (_change_status, 10),  # 8
    "escalate": (_escalate, 15),  # 13
    "resolve": (_resolve, 12),  # 10
    "close": (_close, 7),  # 5
    "open a problem": (_open_problem, 8),  # 6
    "edit a problem": (_edit_problem, 15),  # 13
    "link a melding to a problem": (_link_melding, 10),  # 8
    "create an article": (_create_article, 9),  # 7
    "update an article": (_update_article, 12),  # 10
    "create a check": (_create_check, 6),  # 4
    "update a check": (_update_check, 7),  # 5
    "create a maintenance window": (_create_window, 7),  # 5
    "update a maintenance window": (_update_window, 9),  # 7
    "complete a preventive activity": (_complete_occurrence, 8),  # 6
}


def measure_writes(world: World, round_: int) -> dict[str, list[str]]:
    measured = {}
    for name, (prepare, _budget) in WRITES.items():
        prepare(world, 100 * round_)()  # the first of its kind fills the caches of this process
        action = prepare(world, 100 * round_ + 1)
        with CaptureQueriesContext(connection) as ctx:
            action()
        measured[name] = [q["sql"] for q in ctx.captured_queries]
    return measured


# --------------------------------------------------------------------------------------------------
# the world, measured once for the module


@dataclass
class Measurements:
    routes: tuple[dict[tuple[str, str], Measured], dict[tuple[str, str], Measured]]
    writes: tuple[dict[str, list[str]], dict[str, list[str]]]


@pytest.fixture(scope="module")
def measured(django_db_setup: Any, django_db_blocker: Any) -> Measurements:
    """The small world measured, grown, and measured again; rolled back afterwards."""
    with django_db_blocker.unblock(), override_settings(CONFIG_CACHE_SECONDS=300):
        config_cache.clear()
        try:
            with transaction.atomic():
                world = World.create()
                world.grow(SMALL)
                small_routes, small_writes = measure_routes(world), measure_writes(world, 1)
                world.grow(MORE)
                large_routes, large_writes = measure_routes(world), measure_writes(world, 2)
                transaction.set_rollback(True)
        finally:
            config_cache.clear()
    return Measurements((small_routes, large_routes), (small_writes, large_writes))


def test_the_routes_are_found_in_the_urlconf_and_the_api_routers() -> None:
    routes = page_routes() + api_routes()
    keys = {r.key for r in routes}
    for expected in (
        "melding-list",
        "problem-list",
        "portal",
        "GET /api/v1/meldingen",
        "GET /api/v1/problems",
    ):
        assert expected in keys
    assert not [r for r in routes if r.path.startswith("/beheer-admin/") or "<" in r.path or "{" in r.path]
    assert "GET /api/v1/meldingen/{melding_id}" not in keys
    for name in (*SKIPPED, *VARIES, *QUERIES, *GROWING):
        assert name in keys, f"{name} is listed here but is no route any more"


def test_every_list_route_costs_the_same_queries_with_more_rows(measured: Measurements) -> None:
    small, large = measured.routes
    failures = growing_queries(small, large)
    assert not failures, "\n\n".join(failures)


def test_the_administrator_reaches_every_list_route(measured: Measurements) -> None:
    """Measured, not only requested: a route that answers the administrator with an error needs a
    query string in QUERIES (or a reason in SKIPPED). 302 is a redirect, 405 a route without GET."""
    _small, large = measured.routes
    wrong = {
        key: m.status
        for key, m in large.items()
        if key[0] == "administrator"
        and m.status not in (200, 302, 405)
        and not (m.status == 400 and key[1] in QUERIES)  # needs its query strings, measured with them
    }
    assert not wrong
    errors = {key: m.status for key, m in large.items() if m.status >= 500}
    assert not errors
    caller_pages = {key[1] for key, m in large.items() if key[0] == "caller" and m.status == 200}
    assert {"portal", "portal-knowledge", "GET /api/v1/meldingen"} <= caller_pages


def test_the_lists_show_the_larger_world(measured: Measurements) -> None:
    small, large = measured.routes
    for key in GROWING:
        before, after = small[("administrator", key)], large[("administrator", key)]
        assert after.digest != before.digest, f"{key} shows nothing new in the larger world"
    assert large[("caller", "portal")].digest != small[("caller", "portal")].digest


def test_the_main_write_services_cost_the_same_queries_with_more_rows(measured: Measurements) -> None:
    small, large = measured.writes
    failures = []
    for name, (_prepare, budget) in WRITES.items():
        if not any(q.lstrip().startswith(("INSERT", "UPDATE")) for q in large[name]):
            failures.append(f"{name}: wrote nothing")
        if len(small[name]) != len(large[name]):
            failures.append(
                f"{name}: {len(small[name])} queries in the small world, {len(large[name])} in the larger:\n"
                + _diff(small[name], large[name])
            )
        elif len(large[name]) > budget:
            failures.append(
                f"{name}: {len(large[name])} queries, budget {budget}:\n" + "\n".join(large[name])
            )
    assert not failures, "\n\n".join(failures)


# --------------------------------------------------------------------------------------------------
# the detector itself: a list with a query per row is caught


def _locations_per_row(request: HttpRequest) -> HttpResponse:
    rows = [f"{b.name}: {', '.join(loc.name for loc in b.locations.all())}" for b in Branch.objects.all()]
    return HttpResponse("\n".join(rows))


def _locations_prefetched(request: HttpRequest) -> HttpResponse:
    branches = Branch.objects.prefetch_related("locations")
    rows = [f"{b.name}: {', '.join(loc.name for loc in b.locations.all())}" for b in branches]
    return HttpResponse("\n".join(rows))


urlpatterns = [
    path("per-row/", _locations_per_row, name="per-row"),
    path("prefetched/", _locations_prefetched, name="prefetched"),
    path("api/v1/ignored/", _locations_per_row, name="ignored"),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_route_with_a_query_per_row_is_caught(db: Any, cache_on: None, monkeypatch: Any) -> None:
    monkeypatch.setattr(sys.modules[__name__], "api_routes", list)  # this URLconf has no API
    client = client_for(make_person(Role.ADMIN))

    def branches(n: int) -> None:
        for _ in range(n):
            branch = Branch.objects.create(name=f"Vestiging {Branch.objects.count() + 1}")
            Location.objects.create(branch=branch, name="Aula")

    def measure_all() -> dict[tuple[str, str], Measured]:
        return {("administrator", r.key): measure(client, r.path) for r in list_routes()}

    assert [r.key for r in list_routes()] == ["per-row", "prefetched"]
    branches(SMALL)
    small = measure_all()
    branches(MORE)
    large = measure_all()
    failures = growing_queries(small, large)
    assert len(failures) == 1
    assert failures[0].startswith("('administrator', 'per-row'): ")
    assert small[("administrator", "per-row")].count + MORE == large[("administrator", "per-row")].count
    assert large[("administrator", "prefetched")].count == small[("administrator", "prefetched")].count


@pytest.fixture
def cache_on(settings: Any) -> Iterator[None]:
    settings.CONFIG_CACHE_SECONDS = 300
    config_cache.clear()
    yield
    config_cache.clear()
