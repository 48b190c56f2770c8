"""Control characters never reach the database through the API or a form: single-line fields lose
them (tabs and line breaks become a space), multi-line fields keep LF and TAB only. Every input
schema field and every form in the product uses the shared mechanism (core/schemas.py, core/forms.py)."""

from __future__ import annotations

import importlib
import typing
from typing import Any

from django import forms
from pydantic import BaseModel

from beheer.accounts.models import User
from beheer.core import schemas as core_schemas
from beheer.core.forms import CleanTextMixin, parse_id
from beheer.core.text import clean_line, clean_text
from beheer.monitoring.models import Check
from beheer.servicedesk.models import Melding
from beheer.servicedesk.tests.test_api import token_client
from tests.helpers import client_for

C0 = "".join(chr(c) for c in range(0x20))
C1 = "".join(chr(c) for c in range(0x7F, 0xA0))
INVISIBLE = "".join(c for c in C0 + C1 if c not in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85")


def _assert_clean_line(value: str) -> None:
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value), repr(value)


def _assert_clean_text(value: str) -> None:
    bad = [c for c in value if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0]
    assert not bad, repr(value)


def test_the_rules() -> None:
    assert clean_line(f"a{INVISIBLE}b") == "ab"
    assert clean_line("a\tb\nc\r\nd") == "a b c  d"
    assert clean_text(f"a{INVISIBLE}b") == "ab"
    assert clean_text("a\r\nb\rc\nd\te") == "a\nb\nc\nd\te"
    assert clean_line("Ünïcödé ✓ €") == "Ünïcödé ✓ €"
    assert parse_id("12") == 12
    for bad in ("0", "-1", str(2**63), "1e3", "١٢", "", None, "9" * 40):
        assert parse_id(bad) is None


def test_api_melding_fields_are_cleaned(operator: User, caller: User) -> None:
    api = token_client(operator)
    response = api.post(
        "/meldingen",
        {
            "brief_description": f"Printer{C0}{C1}kapot",
            "request": f"Regel 1\r\nRegel 2\tmet tab{INVISIBLE}\rRegel 3",
            "caller_id": caller.pk,
            "object_name": f"PC{INVISIBLE}-12",
        },
    )
    assert response.status_code == 201, response.content
    m = Melding.objects.get(pk=response.json()["id"])
    _assert_clean_line(m.brief_description)
    assert m.brief_description.startswith("Printer")
    assert m.brief_description.endswith("kapot")
    assert m.request == "Regel 1\nRegel 2\tmet tab\nRegel 3"
    assert m.object_name == "PC-12"
    note = api.post(f"/meldingen/{m.pk}/notes", {"text": f"a{INVISIBLE}\r\nb"})
    assert note.status_code == 201
    assert note.json()["text"] == "a\nb"


def test_api_only_controls_is_empty(operator: User, caller: User) -> None:
    response = token_client(operator).post(
        "/meldingen", {"brief_description": INVISIBLE, "caller_id": caller.pk}
    )
    assert response.status_code == 422
    assert "brief_description" in response.json()["fields"]
    assert not Melding.objects.exists()


def test_api_check_name_is_cleaned(administrator: User) -> None:
    response = token_client(administrator).post(
        "/monitoring/checks",
        {"name": f"web{C0}{C1}server", "kind": "tcp", "target": "127.0.0.1:80", "host": f"web{INVISIBLE}01"},
    )
    assert response.status_code == 201, response.content
    check = Check.objects.get()
    _assert_clean_line(check.name)
    assert check.name.startswith("web")
    assert check.name.endswith("server")
    assert check.host == "web01"


def test_forms_clean_text_fields(caller: User, operator: User) -> None:
    response = client_for(caller).post(
        "/portal/new/",
        {
            "brief_description": f"Geen{INVISIBLE} toegang",
            "request": f"Eerste regel\r\nTweede{INVISIBLE} regel",
            "call_type": "1",
        },
    )
    assert response.status_code == 302, response.content
    m = Melding.objects.get()
    assert m.brief_description == "Geen toegang"
    assert m.request == "Eerste regel\nTweede regel"
    response = client_for(operator).post(
        f"/meldingen/{m.pk}/note/", {"note-text": f"Intern{C0}\nbericht", "note-visibility": "internal"}
    )
    assert response.status_code in (200, 302)
    texts = list(m.notes.values_list("text", flat=True))
    assert texts, response.content
    for text in texts:
        _assert_clean_text(text)


# --- every input uses the mechanism -------------------------------------------------------------------

FORM_MODULES = [
    "beheer.servicedesk.forms",
    "beheer.mailintake.forms",
    "beheer.problems.forms",
    "beheer.monitoring.forms.checks",
    "beheer.monitoring.forms.windows",
    "beheer.notifications.forms",
    "beheer.operations.forms",
    "beheer.knowledge.forms",
    "beheer.knowledge.views.notices",
    "beheer.reports.forms",
]


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def test_every_ui_form_cleans_its_text() -> None:
    for name in FORM_MODULES:
        importlib.import_module(name)
    ours = [
        form
        for form in _subclasses(forms.BaseForm)
        if form.__module__.startswith("beheer.")
        and not form.__module__.startswith(("beheer.accounts", "beheer.core"))
        and not form.__module__.endswith(".admin")
    ]
    assert len(ours) > 40
    missing = sorted(f"{f.__module__}.{f.__name__}" for f in ours if not issubclass(f, CleanTextMixin))
    assert not missing, missing


CLEANERS = {core_schemas._line, core_schemas._text}


def _cleaned(annotation: Any, metadata: list[Any]) -> list[str]:
    """Problems with one annotation: a str without the shared cleaner."""
    if annotation is str:
        ok = any(getattr(m, "func", None) in CLEANERS for m in metadata)
        return [] if ok else ["str"]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _cleaned(inner, [*metadata, *extra])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_problems(annotation)
    if origin is dict:
        return []  # mappings (check options, alert labels, preferences) are checked by their services
    problems: list[str] = []
    for arg in typing.get_args(annotation):
        problems += _cleaned(arg, [])
    return problems


def _model_problems(model: type[BaseModel], seen: set[type] | None = None) -> list[str]:
    problems = []
    for name, field in model.model_fields.items():
        for problem in _cleaned(field.annotation, list(field.metadata)):
            problems.append(f"{model.__name__}.{name}: {problem}")
    return problems


def test_every_api_input_field_cleans_its_text() -> None:
    from beheer.api import api

    problems = []
    checked = 0
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                if operation.view_func.__module__.startswith("beheer.accounts"):
                    continue  # the accounts app's own router
                for model in operation.signature.models:
                    checked += 1
                    for problem in _model_problems(model):
                        problems.append(f"{operation.methods} {path} {problem}")
    assert checked > 100
    assert not problems, "\n".join(problems)
