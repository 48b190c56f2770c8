"""The knowledge API describes every answer in its OpenAPI document, and its answers match it.

Every knowledge operation in /api/v1/openapi.json declares its 2xx answer (a schema for JSON, the
media type for a file, no content for 204) and the error shape for the 4xx codes its services
raise. A walk through the whole API (articles, drafts, review, versions, diff, attachments, PDFs,
subscriptions, read acknowledgements, refusals) checks each real answer against the schema the
document declares for its status code, and checks that answers are byte for byte the JSON of the
serialisers in api/articles.py and api/notices.py, as they were before the schemas were declared (names,
types, nesting, order, and keys left out such as `draft`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from ninja.renderers import JSONRenderer
from PIL import Image

from beheer.accounts.models import Department, OperatorGroup, Role, User
from beheer.core import clock
from beheer.knowledge.api import articles as knowledge_api
from beheer.knowledge.api import notices as notices_api
from beheer.knowledge.models import Article, KindSetting, KnowledgeCategory
from beheer.knowledge.queries import attachments_of, versions_for, visible_version
from beheer.knowledge.rendering import diff_lines
from tests.helpers import client_for, make_person

PREFIX = "/api/v1/knowledge"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ERROR_CODES = {"400", "403", "404", "409"}
# declared by the API root wherever they apply: no valid sign-in, a body over the limit, input of the
# wrong shape
SHARED_ERROR_CODES = {"401", "413", "422"}
ERROR_SHAPE = {"error", "detail", "fields"}


@pytest.fixture
def document(db: Any) -> dict[str, Any]:
    """The document as a client reads it."""
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _knowledge_operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """The operations of the knowledge routers (tag `knowledge`; the servicedesk's suggestion
    routes under /knowledge/ carry their own tag)."""
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if "knowledge" in operation.get("tags", []):
                yield path, method, operation


# --------------------------------------------------------------------------------------------------
# a small JSON Schema check (the part pydantic writes: $ref, anyOf, allOf, type, properties, items,
# enum); jsonschema is not a dependency


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
    "array": (list,),
    "object": (dict,),
}


def schema_errors(value: Any, schema: dict[str, Any], document: dict[str, Any], at: str = "$") -> list[str]:
    """Why `value` does not match `schema` (empty when it does). An object must carry every required
    key and no key its schema does not name."""
    schema = _resolve(schema, document)
    if "anyOf" in schema:
        found = [schema_errors(value, option, document, at) for option in schema["anyOf"]]
        return [] if any(not errors for errors in found) else [f"{at}: matches no option: {found}"]
    if "allOf" in schema:
        return [e for option in schema["allOf"] for e in schema_errors(value, option, document, at)]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{at}: {value!r} is not one of {schema['enum']}"]
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        accepted = tuple(t for k in kinds for t in TYPES[k])
        if not isinstance(value, accepted) or (isinstance(value, bool) and "boolean" not in kinds):
            return [f"{at}: {value!r} is not of type {kind}"]
    errors: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        if properties:
            missing = set(schema.get("required", [])) - set(value)
            unknown = set(value) - set(properties)
            errors += [f"{at}: missing {sorted(missing)}"] if missing else []
            errors += [f"{at}: not in the schema {sorted(unknown)}"] if unknown else []
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                errors += schema_errors(item, properties[key], document, f"{at}.{key}")
            elif isinstance(extra, dict):
                errors += schema_errors(item, extra, document, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], document, f"{at}[{i}]")
    return errors


def test_the_checker_finds_what_does_not_match() -> None:
    document = {
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "ref": {"anyOf": [{"$ref": "#/components/schemas/Ref"}, {"type": "null"}]},
                        "state": {"type": "string", "enum": ["a", "b"]},
                    },
                    "required": ["id", "tags", "ref"],
                },
                "Ref": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]},
            }
        }
    }
    thing = {"$ref": "#/components/schemas/Thing"}
    assert schema_errors({"id": 1, "tags": ["a"], "ref": None}, thing, document) == []
    assert schema_errors({"id": 1, "tags": [], "ref": {"id": 2}, "state": "b"}, thing, document) == []
    wrong: dict[str, Any]
    for wrong in (
        {"id": "1", "tags": [], "ref": None},
        {"id": True, "tags": [], "ref": None},
        {"id": 1, "tags": [1], "ref": None},
        {"id": 1, "tags": [], "ref": {"id": "x"}},
        {"id": 1, "tags": [], "ref": None, "state": "c"},
        {"id": 1, "tags": []},  # a required key missing
        {"id": 1, "tags": [], "ref": None, "extra": 1},  # a key the schema does not name
    ):
        assert schema_errors(wrong, thing, document), wrong


# --------------------------------------------------------------------------------------------------
# the document


def test_every_knowledge_operation_declares_its_answer(document: dict[str, Any]) -> None:
    operations = list(_knowledge_operations(document))
    assert len(operations) >= 24  # articles, versions, attachments, PDFs, subscriptions, acknowledgements
    problems: list[str] = []
    for path, method, operation in operations:
        name = f"{method.upper()} {path}"
        responses = operation["responses"]
        success = {code: r for code, r in responses.items() if code.startswith("2")}
        if not success:
            problems.append(f"{name}: no 2xx answer")
        for code, response in success.items():
            content = response.get("content", {})
            if code == "204":
                problems += [f"{name}: 204 with content"] if content else []
                continue
            if not content:
                problems.append(f"{name}: {code} without content")
            for media_type, body in content.items():
                schema = _resolve(body.get("schema") or {}, document)
                if media_type != "application/json":
                    if schema != {"type": "string", "format": "binary"}:
                        problems.append(f"{name}: {code} {media_type} is not described as a file")
                elif not schema or (schema.get("type") == "object" and not schema.get("properties")):
                    problems.append(f"{name}: {code} answers an undescribed object")
        errors = {code for code in responses if code.startswith("4")}
        if not errors:
            problems.append(f"{name}: no error answers")
        for code in sorted(errors - ERROR_CODES - SHARED_ERROR_CODES):
            problems.append(f"{name}: error {code} is not one of the services' codes")
        for code in sorted(errors & (ERROR_CODES | SHARED_ERROR_CODES)):
            schema = _resolve(responses[code]["content"]["application/json"]["schema"], document)
            if set(schema.get("properties", {})) != ERROR_SHAPE:
                problems.append(f"{name}: {code} does not describe the API's error shape")
    assert problems == []


def test_routes_declare_the_errors_their_services_raise(document: dict[str, Any]) -> None:
    for path, method, operation in _knowledge_operations(document):
        codes = set(operation["responses"])
        if path != PREFIX + "/articles":
            assert "404" in codes, f"{method} {path}"  # it looks an article, category or file up
        else:
            assert "400" in codes  # a bad cursor
        if method in ("post", "put"):
            assert {"400", "404"} <= codes, f"{method} {path}"
        if method in ("put", "delete") or (method == "post" and not path.endswith("/acknowledge")):
            assert "403" in codes, f"{method} {path}"  # editors' actions (any reader acknowledges)


# --------------------------------------------------------------------------------------------------
# real answers


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _rendered(data: Any) -> bytes:
    """`data` as django-ninja renders a view's dict when the route declares no schema."""
    return JSONRenderer().render(None, data, response_status=200).encode()  # type: ignore[arg-type]


def _article(pk: int) -> Article:
    return Article.objects.select_related("category", "owner").get(pk=pk)


def _version(pk: int) -> int:
    return Article.objects.get(pk=pk).version


@dataclass
class Exchange:
    name: str
    method: str
    path: str  # the route as the document names it, e.g. /api/v1/knowledge/articles/{article_id}
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Walk:
    """Calls the API as different people, checks each status, keeps every answer with its route,
    and compares an answer with the serialisers' JSON where the walk names it (`same_as`)."""

    exchanges: list[Exchange] = field(default_factory=list)
    clients: dict[int, Client] = field(default_factory=dict)
    different: list[str] = field(default_factory=list)
    compared: int = 0

    def call(
        self,
        user: User,
        method: str,
        route: str,
        expect: int = 200,
        *,
        name: str = "",
        data: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        same_as: Callable[[], Any] | None = None,
        **values: Any,
    ) -> Exchange:
        client = self.clients.setdefault(user.pk, client_for(user))
        url = PREFIX + route.format(**values)
        if method == "get":
            response = client.get(url, query or {})
        elif method == "delete":
            response = client.delete(url)
        elif data and any(isinstance(v, SimpleUploadedFile) for v in data.values()):
            response = client.post(url, data)
        else:
            response = getattr(client, method)(url, data or {}, content_type="application/json")
        exchange = Exchange(
            name=name or f"{method} {route}",
            method=method,
            path=PREFIX + route.replace("{pk}", "{article_id}"),
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=b"".join(getattr(response, "streaming_content", []))
            if response.streaming
            else response.content,
        )
        assert exchange.status == expect, f"{exchange.name}: {exchange.status} {exchange.body[:300]!r}"
        self.exchanges.append(exchange)
        if same_as is not None:
            self.compared += 1
            expected = _rendered(same_as())
            if exchange.body != expected:
                self.different.append(f"{exchange.name}:\n  {exchange.body!r}\n  {expected!r}")
        return exchange


@dataclass
class World:
    operator: User
    reviewer: User
    coordinator: User
    administrator: User
    caller: User
    group: OperatorGroup
    department: Department
    category: KnowledgeCategory


@pytest.fixture
def world(db: Any) -> World:
    group = OperatorGroup.objects.create(name="Servicedesk", is_first_line=True)
    operator = make_person(Role.OPERATOR, first_name="Olga", last_name="Operator")
    reviewer = make_person(Role.OPERATOR, first_name="Rik", last_name="Reviewer")
    group.members.add(operator, reviewer)
    KindSetting.objects.update_or_create(kind="known_error", defaults={"review_required": True})
    return World(
        operator=operator,
        reviewer=reviewer,
        coordinator=make_person(Role.COORDINATOR, first_name="Cora", last_name="Coordinator"),
        administrator=make_person(Role.ADMIN, first_name="Ada", last_name="Admin"),
        caller=make_person(Role.CALLER, first_name="Anna", last_name="Aanmelder"),
        group=group,
        department=Department.objects.create(name="Administratie"),
        category=KnowledgeCategory.objects.create(code="print", name_nl="Printers", name_en="Printers"),
    )


def walk_the_api(w: World) -> Walk:
    """Every knowledge route, with its usual answers and a few refusals."""
    walk = Walk()
    op, reviewer, coord, admin, caller = w.operator, w.reviewer, w.coordinator, w.administrator, w.caller
    articles, article = "/articles", "/articles/{pk}"

    def detail(pk: int, user: User) -> Callable[[], Any]:
        return lambda: knowledge_api.detail_out(_article(pk), user)

    with clock.frozen(START):
        text = {
            "title": "Printer offline",
            "body": "Zet de **printer** uit en aan.",
            "kind": "instruction",
            "audience": "callers",
            "category": w.category.pk,
            "tags": "printer, netwerk",
            "review_interval_days": 30,
            "change_note": "first text",
        }
        pk = walk.call(op, "post", articles, 201, data=text).json()["id"]
        walk.call(op, "get", article, name="a new draft", pk=pk, same_as=detail(pk, op))
        changed = {**text, "version": _version(pk), "body": "Stap 1.\nStap 2."}
        walk.call(op, "put", article + "/draft", data=changed, pk=pk, same_as=detail(pk, op))
        walk.call(op, "put", article + "/cis", data={"ci_ids": []}, pk=pk, same_as=detail(pk, op))
    with clock.frozen(START + timedelta(hours=1)):
        walk.call(op, "post", article + "/publish", data={"version": _version(pk)}, pk=pk)
        upload = SimpleUploadedFile("schema.png", _png(), content_type="image/png")
        image = walk.call(op, "post", article + "/attachments", 201, data={"file": upload}, pk=pk).json()
        walk.call(
            op,
            "get",
            article + "/attachments",
            pk=pk,
            same_as=lambda: [knowledge_api.attachment_out(a) for a in attachments_of(_article(pk), op)],
        )
        second = {
            **text,
            "version": _version(pk),
            "body": f"Stap 1.\n\n{image['markdown']}\n\nStap 3.",
            "change_note": "picture",
        }
        walk.call(op, "put", article + "/draft", name="a second version", data=second, pk=pk)
        walk.call(op, "get", article, name="published, with a draft", pk=pk, same_as=detail(pk, op))
    with clock.frozen(START + timedelta(hours=2)):
        walk.call(op, "post", article + "/publish", name="the second", data={"version": _version(pk)}, pk=pk)
        walk.call(
            op,
            "get",
            article + "/versions",
            pk=pk,
            same_as=lambda: [knowledge_api.version_out(v) for v in versions_for(_article(pk), op)],
        )

        def diff() -> dict[str, Any]:
            old, new = visible_version(_article(pk), op, 1), visible_version(_article(pk), op, 2)
            assert old is not None
            assert new is not None
            return {
                "old": knowledge_api.version_out(old),
                "new": knowledge_api.version_out(new),
                "lines": [
                    {"op": r.op, "old_number": r.old_number, "new_number": r.new_number, "text": r.text}
                    for r in diff_lines(old.body, new.body)
                ],
            }

        walk.call(op, "get", article + "/diff", pk=pk, query={"a": 1, "b": 2}, same_as=diff)
        restore = {"version": _version(pk), "number": 1}
        walk.call(op, "post", article + "/restore", data=restore, pk=pk, same_as=detail(pk, op))
        walk.call(
            op, "post", article + "/publish", name="the restored", data={"version": _version(pk)}, pk=pk
        )
        walk.call(coord, "post", article + "/reviewed", data={"version": _version(pk)}, pk=pk)
    # change notices and read acknowledgements
    with clock.frozen(START + timedelta(hours=3)):
        subscriptions = article + "/subscriptions"
        walk.call(op, "post", subscriptions, 201, data={"operator_group": w.group.pk}, pk=pk)
        walk.call(
            op, "post", subscriptions, 201, name="a department", data={"department": w.department.pk}, pk=pk
        )
        person = walk.call(op, "post", subscriptions, 201, name="a person", data={"user": caller.pk}, pk=pk)
        walk.call(
            op,
            "get",
            subscriptions,
            pk=pk,
            same_as=lambda: [
                notices_api.subscription_out(s) for s in _article(pk).subscriptions.for_list().order_by("pk")
            ],
        )
        setting = {"version": _version(pk), "required": True}
        walk.call(op, "put", article + "/acknowledgement-setting", data=setting, pk=pk)
        walk.call(caller, "post", article + "/acknowledge", data={}, pk=pk)
        walk.call(op, "get", article + "/acknowledgements", name="pending readers", pk=pk)
        acknowledged = walk.call(
            op,
            "get",
            article + "/acknowledgements",
            name="acknowledged",
            pk=pk,
            query={"list": "acknowledged"},
        )
        assert list(acknowledged.json()) == [
            "version",
            "requires_acknowledgement",
            "counts",
            "list",
            "items",
            "next_cursor",
        ]
        assert list(acknowledged.json()["items"][0]) == ["id", "name", "email", "acknowledged_at"]
        walk.call(
            op,
            "delete",
            subscriptions + "/{subscription_id}",
            204,
            pk=pk,
            subscription_id=person.json()["id"],
        )
    # what a caller reads
    with clock.frozen(START + timedelta(hours=4)):
        walk.call(caller, "get", articles, name="the list, as a caller")
        walk.call(caller, "get", article, name="as a caller", pk=pk, same_as=detail(pk, caller))
        walk.call(caller, "get", article + "/attachments", name="attachments, as a caller", pk=pk)
        walk.call(caller, "get", article + "/pdf", pk=pk)
        walk.call(caller, "get", "/categories/{category_id}/handbook.pdf", category_id=w.category.pk)
        walk.call(caller, "get", "/attachments/{attachment_id}", attachment_id=image["id"])
    # a kind that needs a second person
    with clock.frozen(START + timedelta(hours=5)):
        known_text = {"title": "Wifi valt weg", "body": "Workaround: kabel.", "kind": "known_error"}
        known = walk.call(op, "post", articles, 201, name="a known error", data=known_text).json()["id"]
        walk.call(op, "post", article + "/submit", data={"version": _version(known)}, pk=known)
        approve = {"version": _version(known)}
        walk.call(
            reviewer, "post", article + "/approve", data=approve, pk=known, same_as=detail(known, reviewer)
        )
        walk.call(op, "get", articles, name="one page", query={"size": 1})
        walk.call(
            op,
            "get",
            articles,
            name="filtered",
            query={"kind": "known_error", "q": "wifi"},
            same_as=lambda: {"items": [knowledge_api.article_out(_article(known))], "next_cursor": None},
        )
        walk.call(
            op, "delete", article + "/attachments/{attachment_id}", 204, pk=pk, attachment_id=image["id"]
        )
        walk.call(
            coord,
            "post",
            article + "/archive",
            name="archived: out of the coordinator's sight",
            data={"version": _version(pk)},
            pk=pk,
            same_as=lambda: knowledge_api.article_out(_article(pk)),
        )
        walk.call(
            admin, "get", article, name="archived, as an administrator", pk=pk, same_as=detail(pk, admin)
        )
    # design documents: section templates and decisions per version
    with clock.frozen(START + timedelta(hours=5, minutes=30)):
        templates, template = "/design-templates", "/design-templates/{design_template_id}"
        listed = walk.call(op, "get", templates).json()
        tid = listed[0]["id"]
        walk.call(op, "get", template, design_template_id=tid)
        sent = {
            "version": listed[0]["version"],
            "sections": [{"heading_nl": "Doel", "heading_en": "Goal", "guidance_nl": "Waarom?"}],
        }
        walk.call(op, "put", template, 403, name="operators may not", data=sent, design_template_id=tid)
        walk.call(coord, "put", template, data=sent, design_template_id=tid)
        walk.call(coord, "put", template, 409, name="stale", data=sent, design_template_id=tid)
        walk.call(op, "get", template + "/history", design_template_id=tid)
        walk.call(op, "get", template, 404, name="no such template", design_template_id=999999)
        approvals = article + "/versions/{number}/approvals"
        decided = {"decision": "approved", "comment": "Akkoord"}
        walk.call(admin, "post", approvals, 201, data=decided, pk=known, number=1)
        walk.call(reviewer, "post", approvals, 400, name="decided twice", data=decided, pk=known, number=1)
        walk.call(op, "get", approvals, pk=known, number=1)
        walk.call(op, "get", approvals, 404, name="no such version", pk=known, number=9)
    # refusals
    with clock.frozen(START + timedelta(hours=6)):
        walk.call(op, "get", article, 404, name="not found", pk=999999)
        walk.call(op, "post", articles, 400, name="no title", data={"title": " "})
        walk.call(caller, "post", articles, 403, name="a caller may not write", data={"title": "x"})
        walk.call(op, "post", article + "/submit", 409, name="an old version", data={"version": 1}, pk=known)
        walk.call(op, "get", article + "/diff", 404, name="no such version", pk=known, query={"a": 1, "b": 9})
        walk.call(op, "get", articles, 400, name="a bad cursor", query={"cursor": "nonsense"})
    return walk


def _media_type_declared(actual: str, declared: dict[str, Any]) -> bool:
    major = actual.split("/")[0]
    return actual in declared or f"{major}/*" in declared or "*/*" in declared


def test_every_answer_matches_the_schema_the_document_declares(
    world: World, document: dict[str, Any]
) -> None:
    walk = walk_the_api(world)
    routes = {(path, method) for path, method, _operation in _knowledge_operations(document)}
    assert routes <= {(e.path, e.method) for e in walk.exchanges}  # the walk reaches every route
    assert {e.status for e in walk.exchanges} >= {200, 201, 204, 400, 403, 404, 409}
    problems: list[str] = []
    for exchange in walk.exchanges:
        operation = document["paths"][exchange.path][exchange.method]
        declared = operation["responses"].get(str(exchange.status))
        if declared is None:
            problems.append(f"{exchange.name}: {exchange.status} is not in the document")
            continue
        content = declared.get("content", {})
        if exchange.status == 204:
            problems += [f"{exchange.name}: 204 with a body"] if exchange.body else []
            continue
        media_type = exchange.content_type.split(";")[0].strip()
        if not _media_type_declared(media_type, content):
            problems.append(f"{exchange.name}: {media_type} is not declared ({sorted(content)})")
        elif media_type == "application/json":
            schema = content[media_type]["schema"]
            problems += [f"{exchange.name}: {e}" for e in schema_errors(exchange.json(), schema, document)]
    assert problems == []


def test_answers_are_the_serialisers_json_byte_for_byte(world: World) -> None:
    walk = walk_the_api(world)
    assert walk.compared >= 12
    assert walk.different == []
    by_name = {e.name: e for e in walk.exchanges}
    # keys that are left out stay left out
    assert "draft" in by_name["published, with a draft"].json()
    assert "draft" not in by_name["as a caller"].json()
    assert "draft" not in by_name["post /articles/{pk}/approve"].json()
    assert "shown_version" not in by_name["archived: out of the coordinator's sight"].json()
    assert "fields" not in by_name["not found"].json()
    assert set(by_name["no title"].json()) == ERROR_SHAPE
