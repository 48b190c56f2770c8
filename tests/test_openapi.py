"""The OpenAPI document names every schema once and documents each operation's own request body.

django-ninja names a component after the schema class's name, so two classes of the same name in
different modules end up as one component and one of them documents the other's body.
"""

from __future__ import annotations

import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from beheer.api import api


def _operations() -> Iterator[Any]:
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            yield from path_view.operations


def _schema_classes(annotation: Any, found: dict[str, set[str]], depth: int = 0) -> None:
    """Every pydantic class reachable from an annotation, by name -> qualified names."""
    if depth > 10:
        return
    if typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            _schema_classes(arg, found, depth + 1)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        qualified = f"{annotation.__module__}.{annotation.__qualname__}"
        if qualified in found[annotation.__name__]:
            return
        found[annotation.__name__].add(qualified)
        for field in annotation.model_fields.values():
            _schema_classes(field.annotation, found, depth + 1)


def _all_schema_classes() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for operation in _operations():
        for model in operation.models:
            for field in model.model_fields.values():
                _schema_classes(field.annotation, found)
        for response in (operation.response_models or {}).values():
            for field in getattr(response, "model_fields", {}).values():
                _schema_classes(field.annotation, found)
    return found


def test_no_two_schema_classes_share_a_component_name() -> None:
    found = _all_schema_classes()
    assert len(found) > 50  # the walk reaches the API's schemas
    assert {name: sorted(classes) for name, classes in found.items() if len(classes) > 1} == {}


def _body_class(model: Any) -> type[BaseModel] | None:
    attribute = getattr(model, "__read_from_single_attr__", None)
    if not attribute:
        return None
    annotation = model.model_fields[attribute].annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def test_every_request_body_documents_the_schema_its_view_uses() -> None:
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    documented = {
        operation["operationId"]: operation
        for path in document["paths"].values()
        for operation in path.values()
    }
    wrong: list[str] = []
    checked = 0
    for operation in _operations():
        for model in operation.models:
            if getattr(model, "__ninja_param_source__", None) != "body":
                continue
            body_class = _body_class(model)
            if body_class is None:
                continue
            operation_id = api.get_openapi_operation_id(operation)
            content = documented[operation_id]["requestBody"]["content"]["application/json"]["schema"]
            name = content["$ref"].rsplit("/", 1)[-1]
            own = body_class.model_json_schema(ref_template="#/components/schemas/{model}")
            shown = components[name]
            if (
                name != body_class.__name__
                or set(shown.get("properties", {})) != set(own.get("properties", {}))
                or sorted(shown.get("required", [])) != sorted(own.get("required", []))
            ):
                wrong.append(f"{operation_id}: documents {name}, the view reads {body_class.__qualname__}")
            checked += 1
    assert checked > 50  # every JSON body in the API, not a sample
    assert wrong == []


def test_operation_ids_are_unique_and_survive_a_move_to_another_module() -> None:
    """django-ninja names an operation after its function's module, which would rename every id of a
    route moved to another file (and so every method a client generated from the document). A moved
    module says where its routes were first published (``PUBLISHED_IN``, read in beheer/api.py); two
    modules published under one name must not give two routes the same id."""
    document = api.get_openapi_schema()
    ids = {
        (path, method): operation["operationId"]
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    assert len(ids) > 100
    paths_of: dict[str, set[str]] = defaultdict(set)
    for (path, _method), name in ids.items():
        paths_of[name].add(path)
    # one function may serve several methods of its path (a ping's GET, HEAD and POST), no more
    assert sorted(name for name, paths in paths_of.items() if len(paths) > 1) == []
    assert ids["/api/v1/meldingen", "get"] == "beheer_servicedesk_api_list_meldingen"
    assert ids["/api/v1/meldingen/{melding_id}/notes", "post"] == "beheer_servicedesk_api_create_note"
    assert ids["/api/v1/call-types", "get"] == "beheer_servicedesk_api_call_types"
    assert ids["/api/v1/sla/policies", "get"] == "beheer_servicedesk_sla_api_policy_list"
    assert ids["/api/v1/suggestions", "post"] == "beheer_servicedesk_suggestion_api_suggestions_post"
    assert ids["/api/v1/knowledge/articles", "get"] == "beheer_knowledge_api_list_articles"
    assert ids["/api/v1/knowledge/articles/{article_id}/subscriptions", "get"] == (
        "beheer_knowledge_notices_api_list_subscriptions"
    )
    # a module that has not moved keeps django-ninja's own id
    assert ids["/api/v1/me", "get"] == "beheer_accounts_api_me"
