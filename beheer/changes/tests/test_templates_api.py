"""The standard change templates in the API: coordinators add, read, change and archive them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import OperatorGroup, User
from beheer.changes.models import ChangeTemplate
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/change-templates"


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def _body(**kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Nieuwe leerlinglaptop",
        "title": "Leerlinglaptop uitrollen",
        "description": "Laptop inschrijven in Intune en uitdelen.",
        "activities": [
            {"title": "Inschrijven in Intune", "estimate_minutes": 20},
            {"title": "Uitdelen", "estimate_minutes": 10},
        ],
    }
    body.update(kw)
    return body


def test_a_coordinator_adds_changes_and_archives_a_template(
    coordinator: User, second_line: OperatorGroup, django_assert_max_num_queries: Any
) -> None:
    api = client_for(coordinator)
    created = _json(api, "post", URL, _body(operator_group_id=second_line.pk))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["operator_group"] == {"id": second_line.pk, "name": second_line.name}
    assert [(a["title"], a["order"]) for a in body["activities"]] == [
        ("Inschrijven in Intune", 10),
        ("Uitdelen", 20),
    ]
    pk, version = body["id"], body["version"]
    assert _json(api, "get", f"{URL}/{pk}").json() == body

    changed = _json(
        api,
        "put",
        f"{URL}/{pk}",
        _body(
            title="Leerlinglaptop klaarzetten",
            activities=[
                {"title": "Klaarzetten", "estimate_minutes": 30, "operator_group_id": second_line.pk}
            ],
            version=version,
        ),
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Leerlinglaptop klaarzetten"
    assert [a["operator_group"]["id"] for a in changed.json()["activities"]] == [second_line.pk]
    kept = _json(api, "put", f"{URL}/{pk}", _body(activities=None, version=changed.json()["version"]))
    assert len(kept.json()["activities"]) == 1  # no activities sent: they stay

    stale = _json(api, "post", f"{URL}/{pk}/archive", {"version": version})
    assert stale.status_code == 409
    archived = _json(api, "post", f"{URL}/{pk}/archive", {"version": kept.json()["version"]})
    assert archived.status_code == 200
    assert archived.json()["active"] is False
    assert ChangeTemplate.objects.get(pk=pk).active is False
    assert _json(api, "get", URL).json()["items"] == []
    for n in range(5):
        _json(api, "post", URL, _body(name=f"Sjabloon {n}"))
    with django_assert_max_num_queries(10):
        listed = _json(api, "get", f"{URL}?archived=false")
    assert [t["name"] for t in listed.json()["items"]] == [f"Sjabloon {n}" for n in range(5)]
    assert [t["id"] for t in _json(api, "get", f"{URL}?archived=true").json()["items"]] == [pk]


def test_bad_input_gives_field_errors_and_nothing_is_saved(coordinator: User) -> None:
    api = client_for(coordinator)
    assert _json(api, "post", URL, _body()).status_code == 201
    taken = _json(api, "post", URL, _body())
    assert taken.status_code == 400
    assert "name" in taken.json()["fields"]
    unknown = _json(api, "post", URL, _body(name="Ander", operator_group_id=999_999))
    assert unknown.status_code == 400
    assert "operator_group_id" in unknown.json()["fields"]
    bad_line = _json(
        api,
        "post",
        URL,
        _body(name="Derde", activities=[{"title": "Stap", "operator_group_id": 999_999}]),
    )
    assert bad_line.status_code == 400
    assert "activities.0.operator_group_id" in bad_line.json()["fields"]
    empty = _json(api, "post", URL, _body(name="Vierde", activities=[{"title": ""}]))
    assert empty.status_code in (400, 422)
    pk = ChangeTemplate.objects.get().pk
    no_version = _json(api, "put", f"{URL}/{pk}", _body(name="Nieuw"))
    assert no_version.status_code == 400
    assert "version" in no_version.json()["fields"]
    assert ChangeTemplate.objects.count() == 1
    assert ChangeTemplate.objects.get().name == "Nieuwe leerlinglaptop"
    assert _json(api, "get", f"{URL}/999999").status_code == 404
    assert _json(api, "post", f"{URL}/999999/archive", {"version": 1}).status_code == 404


def test_operators_and_callers_cannot_use_the_templates_api(
    operator: User, caller: User, coordinator: User
) -> None:
    api = client_for(coordinator)
    pk = _json(api, "post", URL, _body()).json()["id"]
    for person in (operator, caller):
        other = client_for(person)
        assert _json(other, "get", URL).status_code == 403
        assert _json(other, "get", f"{URL}/{pk}").status_code == 403
        assert _json(other, "post", URL, _body(name="Ander")).status_code == 403
        assert _json(other, "put", f"{URL}/{pk}", _body(version=1)).status_code == 403
        assert _json(other, "post", f"{URL}/{pk}/archive", {"version": 1}).status_code == 403
    assert ChangeTemplate.objects.count() == 1
    assert ChangeTemplate.objects.get().active is True
