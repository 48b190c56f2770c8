"""Property-based run over the OpenAPI document: every operation, as a caller and as an operator.

Schemathesis reads /api/v1/openapi.json and sends generated requests, valid and invalid, to the
WSGI application in-process (inside pytest-django's database), each signed in with an API token of
the role under test. Every answer must be no 5xx, carry a status code the operation declares, a
declared content type, and a body that matches the declared schema.

Bounded and reproducible: at most `EXAMPLES` requests per operation and role (some 180 operations
x 2 roles: about 2,600 requests, fewer where an operation has little to vary, some 80 seconds of
CPU on SQLite), a request slower than `SLOW` fails, derandomized generation with a fixed seed, no
example database. Every request runs in a savepoint that is rolled back afterwards, so each one
meets the same world: a DELETE of the signed-in person's own token, a revoked token or a changed
password cannot lock the rest of the run out, and no operation has to be excluded for that.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

import hypothesis.strategies as st
import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from beheer.accounts import services as account_services
from beheer.accounts.models import ApiToken, OperatorGroup, Role
from beheer.calendars.models import BusinessCalendar
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import AttributeDefinition, CiType
from beheer.knowledge import services as knowledge_services
from beheer.knowledge.models import ArticleAttachment, ArticleSubscription, Audience, Kind, KnowledgeCategory
from beheer.mailintake.models import DeadLetter, Mailbox
from beheer.mailintake.services.intake import record_failure
from beheer.monitoring import services as monitoring_services
from beheer.notifications.models import OutgoingMessage
from beheer.operations.models import Evidence, Occurrence
from beheer.operations.tests.helpers import make_series
from beheer.problems import services as problem_services
from beheer.servicedesk import services as servicedesk_services
from beheer.servicedesk.models import Attachment, EntryType, Melding, OlaTarget, SlaPolicy
from tests.helpers import make_person, restore_default_configuration

pytestmark = pytest.mark.django_db

EXAMPLES = 8  # per operation and role
SLOW = timedelta(seconds=10)  # one request; a generous bound for a loaded CI machine
SEED = 20261207

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": EXAMPLES,
            "deterministic": True,
            "database": "none",
            # our own token header goes with every request; a generated one would replace it
            "with-security-parameters": False,
        },
        # the coverage phase sends boundary cases per parameter, unbounded by max-examples (some
        # 20,000 requests for this document); the stateful phase is not run by the pytest integration
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)

app = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)


@dataclass
class World:
    """What the run signs in with and the ids path parameters are drawn from."""

    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, list[Any]] = field(default_factory=dict)


WORLD = World()


@contextmanager
def _no_connection_closing() -> Iterator[None]:
    """Django closes the connection around each request it serves; the test's transaction must
    outlive the request, as Django's own test client arranges."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _build_world() -> None:
    """A small school: an operator in the first line, a coordinator and an administrator, two
    callers with meldingen (with notes, time, a link, a partial incident and files), articles for
    callers and for operators, a check with a maintenance window, a preventive series with its
    occurrences, a problem, an alert source, an outbox message and a dead letter."""
    restore_default_configuration()
    first_line = OperatorGroup.objects.create(name="Servicedesk", is_first_line=True)
    second_line = OperatorGroup.objects.create(name="Systeembeheer", is_second_line=True)
    operator = make_person(Role.OPERATOR, first_name="Olga", last_name="Operator")
    first_line.members.add(operator)
    specialist = make_person(Role.OPERATOR, first_name="Sem", last_name="Specialist")
    second_line.members.add(specialist)
    coordinator = make_person(Role.COORDINATOR, first_name="Cora", last_name="Coordinator")
    administrator = make_person(Role.ADMIN, first_name="Ada", last_name="Admin")
    caller = make_person(Role.CALLER, first_name="Anna", last_name="Aanmelder")
    other = make_person(Role.CALLER, first_name="Bram", last_name="Beller")

    meldingen = [
        servicedesk_services.open_melding(
            actor=operator,
            brief_description=text,
            request="Sinds vanochtend; opnieuw opstarten helpt niet.",
            entry_type=EntryType.PHONE,
            caller=who,
            operator_group=first_line,
        )
        for text, who in [
            ("Printer lokaal 2.14 drukt niet af", caller),
            ("Wifi in de aula valt steeds weg", other),
            ("Wachtwoord van Magister vergeten", caller),
            ("Beamer lokaal 1.03 geeft geen beeld", other),
        ]
    ]
    first, second, third, _fourth = meldingen
    servicedesk_services.add_note(first, text="Papier bijgevuld.", visibility="caller", actor=operator)
    servicedesk_services.add_note(first, text="Toner bijna op.", visibility="internal", actor=operator)
    servicedesk_services.register_time(first, minutes=15, actor=operator)
    servicedesk_services.link_meldingen(first, other=second, actor=operator)
    servicedesk_services.create_partial(
        first, brief_description="Toner bestellen", operator_group=second_line, actor=operator
    )
    servicedesk_services.add_attachment(first, upload=_upload("storing.png", PNG, "image/png"), actor=caller)
    servicedesk_services.add_attachment(
        third,
        upload=_upload("log.txt", b"login failed\n", "text/plain"),
        actor=operator,
        visible_to_caller=False,
    )

    articles = []
    for title, kind, audience in [
        ("Printer opnieuw koppelen", Kind.INSTRUCTION, Audience.CALLERS),
        ("Toner vervangen", Kind.SOLUTION, Audience.OPERATORS),
    ]:
        article = knowledge_services.create_article(
            actor=coordinator, title=title, body=f"# {title}\n\nStap 1: ...", kind=kind, audience=audience
        )
        articles.append(
            knowledge_services.publish(article, actor=coordinator, expected_version=article.version)
        )
    draft = knowledge_services.create_article(
        actor=operator, title="Beamer resetten", body="Nog te schrijven."
    )
    articles.append(draft)
    knowledge_services.add_attachment(
        articles[0], upload=_upload("scherm.png", PNG, "image/png"), actor=coordinator
    )
    knowledge_services.subscribe(articles[0], actor=coordinator, operator_group=first_line)

    check = monitoring_services.create_check(
        actor=operator,
        data=monitoring_services.CheckData(
            name="Intranet", kind="http", target="https://intranet.school.example/"
        ),
    )
    push = monitoring_services.create_check(
        actor=operator, data=monitoring_services.CheckData(name="Back-up", kind="push")
    )
    push_token = monitoring_services.issue_push_token(push, actor=operator)
    window = monitoring_services.create_window(
        actor=operator,
        data=monitoring_services.WindowData(
            name="Patchavond", start=datetime(2026, 12, 10, 22, 0), duration_minutes=120, checks=[check.pk]
        ),
    )
    _source, alert_token = monitoring_services.create_alert_source(actor=administrator, name="Prometheus")

    series = make_series(coordinator)
    occurrences = list(Occurrence.objects.filter(series=series).order_by("planned_at")[:3])
    problem = problem_services.open_problem(
        actor=operator, title="Printers vallen steeds uit", operator_group=first_line
    )
    problem_services.link_melding(problem, melding=first, actor=operator)
    record_failure(None, b"Subject: kapot\r\n\r\nniet te lezen", ValueError("unreadable"))
    cis = _cmdb(administrator, operator, caller)

    for role, person in (("caller", caller), ("operator", operator)):
        _token, secret = account_services.issue_api_token(person, name="schemathesis", actor=person)
        WORLD.tokens[role] = secret
    WORLD.ids = {
        "melding_id": [m.pk for m in Melding.objects.order_by("pk")],
        "other_id": [m.pk for m in meldingen],
        "attachment_id": list(Attachment.objects.values_list("pk", flat=True))
        + list(ArticleAttachment.objects.values_list("pk", flat=True)),
        "article_id": [a.pk for a in articles],
        "category_id": list(KnowledgeCategory.objects.values_list("pk", flat=True)),
        "subscription_id": list(ArticleSubscription.objects.values_list("pk", flat=True)),
        "token_id": list(ApiToken.objects.values_list("pk", flat=True)),
        "check_id": [check.pk, push.pk],
        "window_id": [window.pk],
        "token": [push_token, alert_token],
        "series_id": [series.pk],
        "occurrence_id": [o.pk for o in occurrences],
        "evidence_id": list(Evidence.objects.values_list("pk", flat=True)),
        "problem_id": [problem.pk],
        "calendar_id": list(BusinessCalendar.objects.values_list("pk", flat=True)),
        "policy_id": list(SlaPolicy.objects.values_list("pk", flat=True)),
        "ola_id": list(OlaTarget.objects.values_list("pk", flat=True)),
        "message_id": list(OutgoingMessage.objects.values_list("pk", flat=True)[:5]),
        "dead_letter_id": list(DeadLetter.objects.values_list("pk", flat=True)),
        "mailbox_id": list(Mailbox.objects.values_list("pk", flat=True)),
        **cis,
    }


def _cmdb(administrator: Any, operator: Any, caller: Any) -> dict[str, list[int]]:
    """Two related servers, one with a custom attribute of each kind; the ids of the CMDB's paths."""
    server = CiType.objects.get(code="server")
    for code, kind in (("ram-gb", "number"), ("os", "text"), ("rack", "ci"), ("keeper", "person")):
        spec = cmdb.AttributeData(code=code, label_nl=code, label_en=code, kind=kind)
        cmdb.save_attribute(None, actor=administrator, ci_type=server, data=spec)
    rack = cmdb.create_item(actor=operator, data=cmdb.ItemData(name="Rack A", ci_type=server))
    attrs = {"ram-gb": 64, "os": "Debian", "rack": rack.pk, "keeper": operator.pk}
    data = cmdb.ItemData(name="srv01", ci_type=server, owner=caller, users=[caller], attributes=attrs)
    ci = cmdb.create_item(actor=operator, data=data)
    relation = cmdb.add_relation(ci, actor=operator, target=rack, kind="installed_on")
    return {
        "item_id": [ci.pk, rack.pk],
        "type_id": [server.pk],
        "attribute_id": list(AttributeDefinition.objects.filter(ci_type=server).values_list("pk", flat=True)),
        "relation_id": [relation.pk],
    }


_real_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    """Generated requests may name any host (an SNMP discovery's target): only loopback resolves."""
    name = host.decode() if isinstance(host, bytes) else str(host or "")
    try:
        loopback = ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        loopback = name == "localhost"
    if not loopback:
        raise socket.gaierror(socket.EAI_NONAME, "only loopback addresses resolve in this test")
    return _real_getaddrinfo(host, *args, **kwargs)


@contextmanager
def _loopback_only() -> Iterator[None]:
    """Operations that connect out (discovery over SNMP) reach loopback at most: the outbound policy
    allows only loopback networks and no other name resolves, so no packet leaves the machine."""
    with (
        override_settings(OUTBOUND_ALLOWED_NETWORKS="127.0.0.0/8, ::1/128"),
        mock.patch("socket.getaddrinfo", _loopback_getaddrinfo),
    ):
        yield


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """One world for the module, rolled back at its end; each test's own changes roll back too."""
    with django_db_blocker.unblock(), _no_connection_closing(), _loopback_only(), transaction.atomic():
        _build_world()
        yield WORLD
        transaction.set_rollback(True)


@schema.hook("flatmap_path_parameters")
def _real_ids(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Half of the path ids are ones that exist, so the operations get past their 404."""
    if not path_parameters:
        return st.just(path_parameters)

    def with_real(choice: int) -> dict[str, Any]:
        values = dict(path_parameters)
        for n, name in enumerate(values):
            known = WORLD.ids.get(name)
            if known and (choice >> n) & 1:
                values[name] = known[choice % len(known)]
        return values

    return st.integers(min_value=0, max_value=255).map(with_real)


@pytest.mark.parametrize("role", ["caller", "operator"])
@schema.parametrize()
@settings(deadline=SLOW)
def test_the_api_answers_as_documented(case: Any, role: str, world: World) -> None:
    headers = {"Authorization": f"Bearer {world.tokens[role]}"}
    with transaction.atomic():
        response = case.call(headers=headers)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)


def _operations() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in schema.raw_schema["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_operation_declares_the_error_answers_of_the_api_root() -> None:
    operations = _operations()
    assert len(operations) > 150
    missing: list[str] = []
    for name, operation in operations:
        declared = set(operation["responses"])
        expected = set()
        if operation.get("security"):
            expected.add("401")
        if operation.get("parameters") or operation.get("requestBody"):
            expected.add("422")
        if operation.get("requestBody"):
            expected.add("413")
        missing += [f"{name}: {code}" for code in sorted(expected - declared)]
        for code, answer in operation["responses"].items():
            if code.startswith("4"):
                body = answer["content"]["application/json"]["schema"]
                if body != {"$ref": "#/components/schemas/ErrorOut"}:
                    missing.append(f"{name}: {code} is not the shared error shape")
    assert missing == []
    # an operation without a sign-in or input has none of them
    health = dict(operations)["GET /api/v1/health"]["responses"]
    assert set(health) == {"200"}


def test_a_revoked_token_is_refused_with_the_declared_answer(world: World) -> None:
    token = ApiToken.objects.get(name="schemathesis", user__role=Role.CALLER)
    case = schema["/api/v1/me"]["GET"].Case()
    with transaction.atomic():
        account_services.revoke_api_token(token, actor=token.user)
        response = case.call(headers={"Authorization": f"Bearer {world.tokens['caller']}"})
        transaction.set_rollback(True)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    case.validate_response(response, checks=CHECKS)
