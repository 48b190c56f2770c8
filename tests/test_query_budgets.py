"""Query budgets: no list route and no main write service runs a query per row.

Every GET route, found by walking the URLconf and the API's routers, is requested as a caller, an
operator, a coordinator and an administrator (each sees other queues and sections; a role below a
route's audience is refused before any list is read and is not requested), once in a small world (a
couple of rows of every kind, `tests/query_world.py`) and once after more of every kind was added:
the number of queries must be the same. Routes with path parameters (a melding's notes, a problem's
history, a check's page) are filled with the world's parents (`PARAMS`, `PAGE_OBJECTS`), which gain
children in every round, so more rows under the same parent is what they see. A route added later
is measured without touching this file, or fails naming the path parameter nothing fills; a route
that is left out (`SKIPPED`, or by its name in `NOT_CHILD_LISTS`: files and actions) or that may
vary (`VARIES`) says why.

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

from beheer.accounts.models import Branch, Location, Role, User
from beheer.cmdb.models import (
    AttributeDefinition,
    ConfigurationItem,
    Interface,
    IpAddress,
    Link,
    Prefix,
    Relation,
    Vlan,
)
from beheer.core import access, clock, config_cache
from beheer.knowledge import services as knowledge
from beheer.knowledge.models import ArticleVersion, DocumentTemplate
from beheer.mailintake.models import DeadLetter
from beheer.monitoring import services as monitoring
from beheer.notifications.models import OutgoingMessage, WebhookEndpoint
from beheer.operations import services as operations
from beheer.operations.models import Occurrence
from beheer.problems import services as problem_services
from beheer.rights.models import AccessRight, ReviewCampaign, ReviewItem
from beheer.rights.queries import leavers
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
SKIPPED: dict[str, str] = {
    "portal-suggestion-open": "a caller's click on a suggested article: recorded, then redirected",
    "change-from-melding": "POST only: a change from a call, then redirected",
    "change-move": "POST only: a phase move, then redirected",
    "change-request-approval": "POST only: a new approval round, then redirected",
    "change-activity-done": "POST only: an activity done, then redirected",
    "change-activity-deviation": "POST only: a deviation noted, then redirected",
    "change-execution-done": "POST only: an activity done (its CMDB updates applied), then redirected",
    "change-execution-deviation": "POST only: a deviation and its decision, then redirected",
    "change-cmdb-withdraw": "POST only: a proposed CMDB update withdrawn, then redirected",
    "change-plan-activity-edit": "the form of one activity, no rows",
    "change-requirement-edit": "the form of one requirement, no rows",
    "change-note-edit": "the form of one note, no rows",
    "change-question-answer": "the form of one open question, no rows",
    "change-feedback-answer": "a stakeholder's one-time feedback form behind a secret link, no rows",
    "portal-change-feedback-answer": "the feedback form of one request, no rows",
    "GET /api/v1/change-templates/{template_id}": "one template and its bounded activity lines",
    "GET /api/v1/security/evidence-files/{file_id}": "one evidence file's download, no rows",
}

# Routes whose number of queries may grow with the data, with the reason. Keep this short.
VARIES: dict[str, str] = {}

# Routes with a path parameter that are no list, left out by a pattern on their key, with the reason.
NOT_CHILD_LISTS: tuple[tuple[str, str], ...] = (
    (
        r"download|pdf|^knowledge-attachment$|^operations-evidence$|/(attachments|evidence)/{\w+}$",
        "one object's file, no rows",
    ),
    (r"/push/{token}", "a push check's ping: it records a result, it lists nothing"),
    (
        r"-(action|acknowledge|add|archive|cancel|convert|delete|discard|end|link|link-article|pause|remove"
        r"|reset|retry|revoke|test|toggle|unlink|unlink-article|upload)$",
        "an action on one object (its form, or POST only), no rows",
    ),
)

# Query strings that make a route show its rows (a search, a filter, a queue, a period); each is
# measured as well. Placeholders: {caller} (a caller's id), {group} (an operator group's id), {from}
# and {to} (this month up to today), {month} (this month, YYYY-MM), {article} (the parent article's id).
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
    "change-list": ("?q=Wijziging", "?state=all&kind=normal", "?afterwards=1", "?project={change_project}"),
    "suggestion-panel": ("?brief_description=printer+drukt+niet",),
    "portal-suggestions": ("?brief_description=printer",),
    "overview": ("?by=host",),
    "operations-occurrences": ("?scope=all", "?scope=all&status=done", "?scope=team&overdue=on"),
    "operations-series": ("?show=all",),
    "cmdb-items": ("?q=srv", "?attr.ram-gb=9", "?status=in_use&type=1"),
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
    "melding-resolve-with": ("?article={article}",),
    "knowledge-diff": ("?a=1&b=2",),
    "GET /api/v1/knowledge/articles/{article_id}/diff": ("?a=1&b=2",),
    "GET /api/v1/meldingen": ("?q=printer", "?queue=open"),
    "GET /api/v1/suggestions": ("?q=printer",),
    "GET /api/v1/persons": ("?q=Bea",),
    "GET /api/v1/knowledge/articles": ("?q=printer",),
    "GET /api/v1/operations/occurrences": ("?scope=all",),
    "GET /api/v1/reports/kpis": (PERIOD,),
    "GET /api/v1/cmdb/items": ("?attr.ram-gb=16&status=in_use", "?q=srv"),
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
    # child lists: more rows under the same parent
    "melding-detail",
    "melding-problem-choices",
    "GET /api/v1/meldingen/{melding_id}/notes",
    "GET /api/v1/meldingen/{melding_id}/history",
    "GET /api/v1/meldingen/{melding_id}/partials",
    "GET /api/v1/meldingen/{melding_id}/time",
    "GET /api/v1/meldingen/{melding_id}/attachments",
    "GET /api/v1/meldingen/{melding_id}/articles",
    "problem-detail",
    "GET /api/v1/problems/{problem_id}/history",
    "knowledge-versions",
    "knowledge-attachments",
    "knowledge-subscriptions",
    "knowledge-acknowledgements",
    "article-related-meldingen",
    "knowledge-handbook",
    "GET /api/v1/knowledge/articles/{article_id}/versions",
    "GET /api/v1/knowledge/articles/{article_id}/attachments",
    "GET /api/v1/knowledge/articles/{article_id}/subscriptions",
    "GET /api/v1/knowledge/articles/{article_id}/acknowledgements",
    "GET /api/v1/knowledge/articles/{article_id}/meldingen",
    "check-detail",
    "GET /api/v1/monitoring/checks/{check_id}/history",
    "GET /api/v1/monitoring/windows/{window_id}/history",
    "operations-series-detail",
    "operations-occurrence",
    "GET /api/v1/operations/occurrences/{occurrence_id}/evidence",
    "mail-mailbox-edit",
    "GET /api/v1/mail/mailboxes/{mailbox_id}/history",
    "status-page",
    "GET /api/v1/monitoring/status-pages/{slug}",
    "sla-calendar-edit",
    "sla-policy-edit",
    "sla-ola-edit",
    "GET /api/v1/sla/calendars/{calendar_id}",
    "GET /api/v1/sla/policies/{policy_id}",
    # the CMDB: its list, and a CI's relations and history
    "GET /api/v1/cmdb/items",
    "GET /api/v1/cmdb/items/{item_id}",
    "GET /api/v1/cmdb/items/{item_id}/relations",
    "GET /api/v1/cmdb/items/{item_id}/impact",
    "GET /api/v1/cmdb/items/{item_id}/history",
    # licences and contracts: their lists, a licence's assignments, a contract's covered CIs
    "cmdb-licences",
    "cmdb-contracts",
    "cmdb-licence",
    "cmdb-contract",
    "GET /api/v1/cmdb/licences",
    "GET /api/v1/cmdb/contracts",
    "GET /api/v1/cmdb/licences/{licence_id}/assignments",
    "GET /api/v1/cmdb/contracts/{contract_id}",
    # a licence's files and their versions; the articles documenting a CI, the CIs of an article
    "GET /api/v1/cmdb/licences/{licence_id}/files",
    # the security register: a control's implementations, an implementation's evidence, a risk's,
    # an incident's and a processing activity's history, an incident's reports and access
    "security-control",
    "security-implementation-edit",
    "security-incident",
    "security-incident-access",
    "security-risk",
    "security-processing-detail",
    "GET /api/v1/security/controls/{control_id}/history",
    "GET /api/v1/security/implementations/{implementation_id}",
    "GET /api/v1/security/implementations/{implementation_id}/evidence",
    "GET /api/v1/security/risks/{risk_id}/history",
    "GET /api/v1/security/incidents/{incident_id}/history",
    "GET /api/v1/security/incidents/{incident_id}/reports",
    "GET /api/v1/security/incidents/{incident_id}/access",
    "GET /api/v1/security/privacy/processing/{activity_id}/history",
)


# --------------------------------------------------------------------------------------------------
# the routes


@dataclass(frozen=True)
class Route:
    key: str  # the URL name of a page, or "GET <template>" for an API operation
    template: str  # the path, with {param} for each path parameter
    audience: access.Audience = access.Audience.ANONYMOUS  # the lowest role the route admits

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.template))


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def _audience(gate: access.Gate | None) -> access.Audience:
    return gate.audience if gate is not None else access.Audience.ANONYMOUS


def page_routes() -> list[Route]:
    """Every route of the URLconf (the API's come from its routers)."""
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(NOT_LISTS) or "(?P" in route:
            continue
        template = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        gate = getattr(pattern.callback, access.GATE_ATTR, None)
        routes.append(Route(key=pattern.name or route, template=template, audience=_audience(gate)))
    return routes


def api_routes() -> list[Route]:
    """Every GET operation of the API, from its routers' path operations."""
    from beheer.api import api

    _ = api.urls  # binds every router to the API, nested ones included
    routes = []
    for prefix, router in api._routers:
        for route, path_view in router.path_operations.items():
            for operation in path_view.operations:
                if "GET" in operation.methods:
                    full = "/api/v1/" + re.sub(r"/+", "/", f"{prefix}/{route}").strip("/")
                    gate = getattr(operation, "beheer_gate", None)
                    routes.append(Route(key=f"GET {full}", template=full, audience=_audience(gate)))
    return routes


def list_routes() -> list[Route]:
    return [r for r in page_routes() + api_routes() if not skipped(r)]


def skipped(route: Route) -> str:
    """Why the route is not measured; empty when it is."""
    if route.key in SKIPPED:
        return SKIPPED[route.key]
    if route.params:
        for pattern, reason in NOT_CHILD_LISTS:
            if re.search(pattern, route.key):
                return reason
    return ""


# --------------------------------------------------------------------------------------------------
# path parameters: filled with the world's parents, which gain children in every round

Finder = Callable[[Any], Any]  # takes the World


def _parent(name: str) -> Finder:
    def find(world: World) -> Any:
        assert world.parents is not None, "the world grows before it is measured"
        return getattr(world.parents, name)

    return find


def _first(model: type[Any]) -> Finder:
    return lambda _world: model.objects.order_by("pk").first()


# A path parameter -> the object whose id (or the value itself) fills it, by the parameter's name.
PARAMS: dict[str, Finder] = {
    "melding_id": _parent("melding"),
    "problem_id": _parent("problem"),
    "article_id": _parent("article"),
    "category_id": _parent("category"),
    "check_id": _parent("check"),
    "window_id": _parent("window"),
    "series_id": _parent("series"),
    "occurrence_id": _parent("occurrence"),
    "mailbox_id": _parent("mailbox"),
    "slug": lambda w: _parent("status_page")(w).slug,
    "dead_letter_id": _first(DeadLetter),
    "message_id": _first(OutgoingMessage),
    "calendar_id": _parent("calendar"),
    "policy_id": _parent("policy"),
    "event": lambda _w: "melding_registered",
    "language": lambda _w: "nl",
    "number": lambda _w: 1,  # an article's first version
    "item_id": lambda w: w.ci,  # the CMDB's parent CI (tests/query_world.py)
    "attribute_pk": _first(AttributeDefinition),
    "relation_pk": _first(Relation),
    # the CMDB's network: the first of each, which gain addresses, ports and links every round
    "interface_id": _first(Interface),
    "link_id": _first(Link),
    "vlan_id": _first(Vlan),
    "prefix_id": _first(Prefix),
    "address_id": _first(IpAddress),
    "licence_id": lambda w: w.licence,
    "contract_id": lambda w: w.contract,
    "assignment_pk": lambda w: w.licence.assignments.order_by("id").first(),
    # the access rights register: its parent application, the first right, campaign and leaver
    "right_id": _first(AccessRight),
    "campaign_id": _first(ReviewCampaign),
    "ci_id": lambda w: w.application,
    "ci_pk": lambda w: w.application,
    "person_id": lambda w: leavers().first(),
    "person_pk": lambda w: leavers().first(),
    "item_pk": _first(ReviewItem),
    "job_id": lambda w: w.import_job,
    "design_template_id": _first(DocumentTemplate),
    "change_id": lambda w: w.change,
    "project_id": lambda w: w.change_project,
    # test management: a change of its own whose plan gains cases, runs, findings and session users
    "case_pk": lambda w: w.testing.case,
    "case_id": lambda w: w.testing.case,
    "env_pk": lambda w: w.testing.environment,
    "environment_id": lambda w: w.testing.environment,
    "run_pk": lambda w: w.testing.run,
    "run_id": lambda w: w.testing.run,
    "result_pk": lambda w: w.testing.result,
    "result_id": lambda w: w.testing.result,
    "evidence_pk": lambda w: w.testing.evidence,
    "evidence_id": lambda w: w.testing.evidence,
    "finding_pk": lambda w: w.testing.finding,
    "finding_id": lambda w: w.testing.finding,
    "session_pk": lambda w: w.testing.session,
    "session_id": lambda w: w.testing.session,
    "participant_pk": lambda w: w.testing.participant,
    "participant_id": lambda w: w.testing.participant,
    "pc_id": lambda w: w.testing.own_case,
    "screenshot_pk": lambda w: w.testing.own_case.screenshots.order_by("pk").first(),
    "fmt": lambda _w: "csv",
}

# A page's <pk> -> its object, by the longest prefix of the page's URL name.
PAGE_OBJECTS: dict[str, Finder] = {
    "melding-": _parent("melding"),
    "portal-detail": _parent("melding"),
    "knowledge-": _parent("article"),
    "knowledge-handbook": _parent("category"),
    "portal-knowledge-detail": _parent("article"),
    "knowledge-design-template": _first(DocumentTemplate),
    "portal-design": lambda _w: (
        ArticleVersion.objects.filter(article__kind="functional_design").order_by("pk").first()
    ),
    "portal-suggestion-open": _parent("article"),
    "article-related-meldingen": _parent("article"),
    "problem-": _parent("problem"),
    "check-": _parent("check"),
    "window-": _parent("window"),
    "operations-occurrence": _parent("occurrence"),
    "operations-series": _parent("series"),
    "mail-mailbox": _parent("mailbox"),
    "mail-dead-letter": _first(DeadLetter),
    "notification-message": _first(OutgoingMessage),
    "notification-webhook": _first(WebhookEndpoint),
    "sla-calendar": _parent("calendar"),
    "sla-policy": _parent("policy"),
    "sla-ola": _parent("ola"),
    "cmdb-item": _first(ConfigurationItem),
    "cmdb-licence": lambda w: w.licence,
    "cmdb-contract": lambda w: w.contract,
    "cmdb-type": lambda w: _first(AttributeDefinition)(w).ci_type,
    "cmdb-attribute": lambda w: _first(AttributeDefinition)(w).ci_type,
    "cmdb-network-interface": _first(Interface),
    "cmdb-network-link": _first(Link),
    "cmdb-network-vlan": _first(Vlan),
    "cmdb-network-prefix": _first(Prefix),
    "cmdb-network-address": _first(IpAddress),
    "rights-": _first(AccessRight),
    "rights-campaign": _first(ReviewCampaign),
    "rights-item": _first(ReviewCampaign),
    "cmdb-import-job": lambda w: w.import_job,
    "change-": lambda w: w.change,
    "change-project": lambda w: w.change_project,
    "change-approval": lambda w: w.change.approvals.order_by("pk").first(),
    "change-phase-edit": lambda _w: _first_of("beheer.changes.models", "Phase"),
    "change-rule-edit": lambda _w: _first_of("beheer.changes.models", "ApprovalRule"),
    "change-template-edit": lambda _w: _first_of("beheer.changes.models", "ChangeTemplate"),
    "portal-change": lambda w: w.change,
    "testing-": lambda w: w.testing.change,
    "testing-library-": lambda w: w.testing.standard,
}


def _first_of(module: str, name: str) -> Any:
    from importlib import import_module

    return getattr(import_module(module), name).objects.order_by("pk").first()


def _testing(route: Route) -> bool:
    return route.key.startswith(("testing-", "change-tests", "portal-acceptance")) or any(
        part in route.key for part in ("/testing/", "/portal/acceptance")
    )


def _security(route: Route) -> bool:
    return route.key.startswith("security-") or "/security/" in route.key


# The security register's path parameters -> its parents (tests/query_world.py `_security`).
SECURITY: dict[str, Finder] = {
    "control_id": lambda w: w.security.control,  # gains implementations and history every round
    "catalogue_id": lambda w: w.security.catalogue,
    "implementation_id": lambda w: w.security.implementation,  # gains evidence files and history
    "pk": lambda w: w.security.risk,  # security-risk and -edit: gains history and CIs
    "risk_id": lambda w: w.security.risk,
    "incident_id": lambda w: w.security.incident,  # gains reports, history and people with access
    "activity_pk": lambda w: w.security.activity,  # gains history and applications
    "activity_id": lambda w: w.security.activity,
    "kind": lambda _w: "closed_meldingen",  # a RetentionKind
}


def _security_finder(route: Route, param: str) -> Finder | None:
    if param == "control_id" and "own-control" in route.key:
        return lambda w: w.security.own_control  # only an own control is edited or archived
    return SECURITY.get(param)


def finder(route: Route, param: str) -> Finder | None:
    if _security(route) and (found := _security_finder(route, param)) is not None:
        return found
    if param in ("pk", "change_id") and _testing(route) and not route.key.startswith("testing-library"):
        return lambda w: w.testing.change  # test management's change, whose plan grows
    if param == "case_id" and "/testing/library/" in route.key:
        return lambda w: w.testing.standard
    if param == "case_pk" and route.key.startswith("portal-acceptance"):
        return lambda w: w.testing.own_case  # the portal's cases are the user's own
    if param == "pk" and not route.key.startswith("GET "):
        prefix = max((p for p in PAGE_OBJECTS if route.key.startswith(p)), key=len, default=None)
        return PAGE_OBJECTS[prefix] if prefix is not None else None
    return PARAMS.get(param)


def unfilled(routes: list[Route]) -> list[str]:
    """The routes with a path parameter that nothing fills."""
    return [
        f"{r.key} ({r.template}): {param}" for r in routes for param in r.params if finder(r, param) is None
    ]


def fill(route: Route, world: World | None) -> str | None:
    """The route's path with the world's objects; None when a parameter cannot be filled."""
    values = {}
    for param in route.params:
        find = finder(route, param)
        if find is None:
            return None
        found = find(world)
        assert found is not None, f"{route.key}: the world has no object for {param}"
        values[param] = str(getattr(found, "pk", found))
    return route.template.format(**values)


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


def people(world: World) -> dict[str, User]:
    return {
        "caller": world.caller,
        "operator": world.operator,
        "coordinator": world.coordinator,
        "administrator": world.admin,
    }


def measure_routes(world: World) -> dict[tuple[str, str], Measured]:
    """Every list route (with its query strings) as each role its audience admits: a role below it
    is refused before any list is read (tests/test_route_walker.py checks how)."""
    today = clock.now().date()
    values = {
        "caller": world.caller.pk,
        "group": world.first_line.pk,
        "from": today.replace(day=1).isoformat(),
        "to": today.isoformat(),
        "month": today.strftime("%Y-%m"),
        "article": world.parents.article.pk if world.parents is not None else "",
        "change_project": world.change_project.pk if world.change_project is not None else "",
    }
    roles = {role: (person, client_for(person)) for role, person in people(world).items()}
    results = {}
    for route in list_routes():
        url = fill(route, world)
        if url is None:
            continue  # test_every_path_parameter_is_filled names it
        for query in ("", *QUERIES.get(route.key, ())):
            for role, (person, client) in roles.items():
                if access.admits(route.audience, person):
                    results[(role, route.key + query)] = measure(client, url + query.format_map(values))
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
    keys = [r.key for r in routes]
    assert len(keys) == len(set(keys)), "two routes share a key"
    for expected in (
        "melding-list",
        "problem-list",
        "portal",
        "melding-detail",
        "GET /api/v1/meldingen",
        "GET /api/v1/problems",
        "GET /api/v1/meldingen/{melding_id}/history",
    ):
        assert expected in keys
    assert not [r for r in routes if r.template.startswith("/beheer-admin/") or "<" in r.template]
    listed = {r.key for r in list_routes()}
    assert {"melding-detail", "portal-detail", "GET /api/v1/problems/{problem_id}/history"} <= listed
    assert not {"attachment-download", "GET /api/v1/monitoring/push/{token}"} & listed
    for name in (*SKIPPED, *VARIES, *QUERIES, *GROWING):
        assert name in keys, f"{name} is listed here but is no route any more"


HOW_TO_FILL = (
    "Give these path parameters an object of the world: in PARAMS (by the parameter's name) or in "
    "PAGE_OBJECTS (a page's <pk>, by its URL name), preferably a parent in tests/query_world.py that "
    "gains children in every round; or leave the route out with a reason in SKIPPED:\n"
)


def test_every_path_parameter_is_filled() -> None:
    missing = unfilled(list_routes())
    assert not missing, HOW_TO_FILL + "\n".join(missing)


def test_every_list_route_costs_the_same_queries_with_more_rows(measured: Measurements) -> None:
    small, large = measured.routes
    failures = growing_queries(small, large)
    assert not failures, "\n\n".join(failures)


# Routes each role must reach (200) in the larger world: proof that each is measured where it reads.
REACHES: dict[str, tuple[str, ...]] = {
    "caller": (
        "portal",
        "portal-knowledge",
        "portal-detail",
        "knowledge-handbook",
        "status-page",
        "GET /api/v1/meldingen",
        "GET /api/v1/meldingen/{melding_id}/notes",
        "GET /api/v1/meldingen/{melding_id}/history",
    ),
    "operator": (
        "melding-list?queue=mine",
        "melding-detail",
        "problem-detail",
        "check-detail",
        "knowledge-versions",
        "operations-series-detail",
        "GET /api/v1/meldingen/{melding_id}/partials",
        "GET /api/v1/problems/{problem_id}/history",
    ),
    "coordinator": (
        "reports",
        "notification-outbox",
        "sla-policy-edit",
        "operations-series-edit",
        "GET /api/v1/sla/policies/{policy_id}",
    ),
    "administrator": ("mail-mailbox-edit", "GET /api/v1/mail/mailboxes/{mailbox_id}/history"),
}


def test_every_list_route_is_reached(measured: Measurements) -> None:
    """Measured, not only requested: a route that answers every role with an error needs a query
    string in QUERIES, an object in PARAMS or PAGE_OBJECTS, or a reason in SKIPPED. 302 is a
    redirect, 405 a route without GET. An object of a caller's own (their melding in the portal)
    answers only that caller."""
    _small, large = measured.routes
    statuses: dict[str, dict[str, int]] = {}
    for (role, key), m in large.items():
        statuses.setdefault(key, {})[role] = m.status
    wrong = {
        key: by_role
        for key, by_role in statuses.items()
        if not any(
            status in (200, 302, 405) or (status in (400, 404, 422) and key in QUERIES)  # measured with them
            for status in by_role.values()
        )
    }
    assert not wrong
    administrator = {key: s["administrator"] for key, s in statuses.items() if "administrator" in s}
    refused = {key: status for key, status in administrator.items() if status in (401, 403)}
    assert not refused, "the administrator is refused"
    errors = {key: m.status for key, m in large.items() if m.status >= 500}
    assert not errors
    for role, keys in REACHES.items():
        reached = {key for (who, key), m in large.items() if who == role and m.status == 200}
        assert set(keys) <= reached, f"{role} does not reach {sorted(set(keys) - reached)}"


def test_the_lists_show_the_larger_world(measured: Measurements) -> None:
    small, large = measured.routes
    for key in GROWING:
        before, after = small[("administrator", key)], large[("administrator", key)]
        assert after.digest != before.digest, f"{key} shows nothing new in the larger world"
    for key in ("portal", "portal-detail", "portal-designs"):
        assert large[("caller", key)].digest != small[("caller", key)].digest, key


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


def _branch_locations_per_row(request: HttpRequest, pk: int) -> HttpResponse:
    rows = [f"{loc.name} ({loc.branch.name})" for loc in Location.objects.filter(branch_id=pk)]
    return HttpResponse("\n".join(rows))


def _branch_locations_joined(request: HttpRequest, pk: int) -> HttpResponse:
    locations = Location.objects.filter(branch_id=pk).select_related("branch")
    return HttpResponse("\n".join(f"{loc.name} ({loc.branch.name})" for loc in locations))


urlpatterns = [
    path("per-row/", _locations_per_row, name="per-row"),
    path("prefetched/", _locations_prefetched, name="prefetched"),
    path("branches/<int:pk>/per-row/", _branch_locations_per_row, name="branch-per-row"),
    path("branches/<int:pk>/joined/", _branch_locations_joined, name="branch-joined"),
    path("api/v1/ignored/", _locations_per_row, name="ignored"),
]


def _measure_twice(grow: Callable[[int], None]) -> tuple[dict[tuple[str, str], Measured], ...]:
    """This module's routes measured as an administrator after `grow(SMALL)` and after `grow(MORE)`."""
    client = client_for(make_person(Role.ADMIN))
    assert [r.key for r in list_routes()] == ["per-row", "prefetched", "branch-per-row", "branch-joined"]

    def measure_all() -> dict[tuple[str, str], Measured]:
        measured = {}
        for route in list_routes():
            url = fill(route, None)
            assert url is not None
            measured[("administrator", route.key)] = measure(client, url)
        return measured

    grow(SMALL)
    small = measure_all()
    grow(MORE)
    return small, measure_all()


@override_settings(ROOT_URLCONF=__name__)
def test_a_route_with_a_query_per_row_is_caught(db: Any, cache_on: None, monkeypatch: Any) -> None:
    monkeypatch.setattr(sys.modules[__name__], "api_routes", list)  # this URLconf has no API
    parent = Branch.objects.create(name="Hoofdgebouw")  # the child lists' parent, the same in both
    monkeypatch.setitem(PAGE_OBJECTS, "branch-", lambda _world: parent)

    def branches(n: int) -> None:
        for _ in range(n):
            branch = Branch.objects.create(name=f"Vestiging {Branch.objects.count() + 1}")
            Location.objects.create(branch=branch, name="Aula")

    small, large = _measure_twice(branches)
    failures = growing_queries(small, large)
    assert len(failures) == 1
    assert failures[0].startswith("('administrator', 'per-row'): ")
    assert small[("administrator", "per-row")].count + MORE == large[("administrator", "per-row")].count
    assert large[("administrator", "prefetched")].count == small[("administrator", "prefetched")].count


@override_settings(ROOT_URLCONF=__name__)
def test_a_child_list_with_a_query_per_row_is_caught(db: Any, cache_on: None, monkeypatch: Any) -> None:
    """A route with a path parameter, filled with the same parent in both worlds: more children under
    it cost more queries when each child reads its parent again."""
    monkeypatch.setattr(sys.modules[__name__], "api_routes", list)
    parent = Branch.objects.create(name="Hoofdgebouw")
    monkeypatch.setitem(PAGE_OBJECTS, "branch-", lambda _world: parent)

    def locations(n: int) -> None:
        for _ in range(n):
            Location.objects.create(branch=parent, name=f"Lokaal {Location.objects.count() + 1}")

    small, large = _measure_twice(locations)
    failures = growing_queries(small, large)
    assert len(failures) == 1
    assert failures[0].startswith("('administrator', 'branch-per-row'): ")
    assert (
        small[("administrator", "branch-per-row")].count + MORE
        == large[("administrator", "branch-per-row")].count
    )
    assert large[("administrator", "branch-joined")].count == small[("administrator", "branch-joined")].count
    assert (
        large[("administrator", "branch-joined")].digest != small[("administrator", "branch-joined")].digest
    )


def test_a_route_whose_path_parameter_nothing_fills_is_named() -> None:
    route = Route(key="branch-rooms", template="/branches/{branch_id}/rooms/")
    assert unfilled([route]) == ["branch-rooms (/branches/{branch_id}/rooms/): branch_id"]
    assert fill(route, None) is None


@pytest.fixture
def cache_on(settings: Any) -> Iterator[None]:
    settings.CONFIG_CACHE_SECONDS = 300
    config_cache.clear()
    yield
    config_cache.clear()
