"""Permission matrix of the API: callers see only their own meldingen and only what is meant for them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from beheer.accounts.models import User
from beheer.servicedesk import services
from beheer.servicedesk.models import (
    Attachment,
    EntryType,
    HistoryEntry,
    Melding,
    MeldingLink,
    Note,
    Status,
    StatusKind,
    TimeEntry,
    Visibility,
)
from beheer.servicedesk.tests.test_api import API, JsonClient, session_client, token_client
from tests.sample_files import PNG

CANARY = "Kanarie7q3xz"
INTERNAL = "Geheimintern9k2"
SECRET_FILE = "vertrouwelijk5m8.txt"
PARTIAL = "Deelwerk4p6"


@pytest.fixture(params=["token", "session"])
def as_user(request: Any) -> Any:
    return token_client if request.param == "token" else session_client


@pytest.fixture
def world(
    operator: User, specialist: User, caller: User, other_caller: User, first_line: Any, second_line: Any
) -> dict[str, Any]:
    """Caller A (caller) has one melding; caller B (other_caller) has one with canaries everywhere."""
    a = services.open_melding(
        actor=operator,
        brief_description="Van A",
        request="Gewoon",
        caller=caller,
        entry_type=EntryType.PHONE,
        operator_group=first_line,
    )
    b = services.open_melding(
        actor=operator,
        brief_description=f"Van B {CANARY}",
        request=f"Tekst {CANARY}",
        caller=other_caller,
        entry_type=EntryType.PHONE,
        operator_group=first_line,
    )
    services.add_note(b, text=f"Antwoord {CANARY}", visibility=Visibility.CALLER, actor=operator)
    services.add_note(b, text=f"Notitie {INTERNAL} {CANARY}", visibility=Visibility.INTERNAL, actor=operator)
    services.register_time(b, minutes=10, note=CANARY, actor=operator)
    b_file = services.add_attachment(
        b, upload=SimpleUploadedFile(f"{CANARY}.txt", CANARY.encode()), actor=operator
    )
    partial_b = services.create_partial(
        b, brief_description=f"{PARTIAL} {CANARY}", operator_group=second_line, actor=operator
    )
    # On A's own melding: things A must not see either
    services.add_note(a, text=f"Over A: {INTERNAL}", visibility=Visibility.INTERNAL, actor=operator)
    services.add_note(a, text="Zichtbaar voor A", visibility=Visibility.CALLER, actor=operator)
    a_secret = services.add_attachment(
        a, upload=SimpleUploadedFile(SECRET_FILE, INTERNAL.encode()), actor=operator, visible_to_caller=False
    )
    a_public = services.add_attachment(a, upload=SimpleUploadedFile("publiek.txt", b"hallo"), actor=operator)
    partial_a = services.create_partial(
        a, brief_description=f"{PARTIAL} voor A", operator_group=second_line, actor=operator
    )
    services.escalate_melding(
        a, to_group=second_line, reason=f"Reden {INTERNAL}", actor=operator, expected_version=None
    )
    services.register_time(a, minutes=5, note=INTERNAL, actor=operator)
    return {
        "a": a,
        "b": b,
        "b_file": b_file,
        "partial_b": partial_b,
        "a_secret": a_secret,
        "a_public": a_public,
        "partial_a": partial_a,
    }


def _text(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_caller_never_sees_other_callers_meldingen(as_user, caller, world):
    api: JsonClient = as_user(caller)
    b, partial_b, b_file = world["b"], world["partial_b"], world["b_file"]
    responses = []
    for path, params in [
        ("/meldingen", {}),
        ("/meldingen", {"q": CANARY}),
        ("/meldingen", {"q": b.number}),
        ("/meldingen", {"q": str(b.pk)}),
        ("/meldingen", {"caller": b.caller_id}),
        ("/meldingen", {"queue": "all"}),
        ("/meldingen/export.csv", {}),
        ("/meldingen/export.csv", {"q": CANARY}),
    ]:
        response = api.get(path, **params)
        assert response.status_code == 200, path
        responses.append(response)
        text = _text(response)
        assert CANARY not in text, (path, params)
        assert b.number not in text, (path, params)
    listed = api.get("/meldingen").json()["items"]
    assert [item["id"] for item in listed] == [world["a"].pk]

    for path in [
        f"/meldingen/{b.pk}",
        f"/meldingen/{b.pk}/notes",
        f"/meldingen/{b.pk}/history",
        f"/meldingen/{b.pk}/attachments",
        f"/attachments/{b_file.pk}",
        f"/meldingen/{partial_b.pk}",
        f"/meldingen/{partial_b.pk}/notes",
        f"/meldingen/{partial_b.pk}/history",
    ]:
        response = api.get(path)
        assert response.status_code == 404, path
        assert CANARY not in _text(response)
    # operator-only routes: refused whatever the id, and never a leak
    for path in [f"/meldingen/{b.pk}/time", f"/meldingen/{b.pk}/partials"]:
        response = api.get(path)
        assert response.status_code in (403, 404), path
        assert CANARY not in _text(response)


def test_unknown_and_foreign_ids_look_the_same(caller, world):
    api = token_client(caller)
    foreign = api.get(f"/meldingen/{world['b'].pk}")
    missing = api.get("/meldingen/987654")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_caller_sees_only_caller_visible_parts_of_own_melding(as_user, caller, world):
    api: JsonClient = as_user(caller)
    a = world["a"]
    detail = api.get(f"/meldingen/{a.pk}")
    assert detail.status_code == 200
    notes = api.get(f"/meldingen/{a.pk}/notes").json()
    assert [n["text"] for n in notes] == ["Zichtbaar voor A"]
    assert all(n["visibility"] == "caller" for n in notes)
    history = api.get(f"/meldingen/{a.pk}/history")
    assert history.status_code == 200
    public_actions = {h["action"] for h in history.json()}
    assert "created" in public_actions
    assert not public_actions & {"note", "escalated", "assigned", "partial_created", "time"}
    attachments = api.get(f"/meldingen/{a.pk}/attachments").json()
    assert [x["original_name"] for x in attachments] == ["publiek.txt"]
    assert api.get(f"/attachments/{world['a_secret'].pk}").status_code == 404
    ok = api.client.get(f"{API}/attachments/{world['a_public'].pk}")
    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == b"hallo"  # type: ignore[attr-defined]
    assert api.get(f"/meldingen/{world['partial_a'].pk}").status_code == 404
    listed = api.get("/meldingen").json()["items"]
    assert world["partial_a"].pk not in {m["id"] for m in listed}
    for response in [
        detail,
        api.get(f"/meldingen/{a.pk}/notes"),
        history,
        api.get(f"/meldingen/{a.pk}/attachments"),
        api.get("/meldingen"),
        api.get("/meldingen/export.csv"),
        api.get("/meldingen", q=INTERNAL),
    ]:
        assert INTERNAL not in _text(response)
        assert PARTIAL not in _text(response)
        assert SECRET_FILE not in _text(response)


def test_search_cannot_probe_internal_notes(caller, world):
    api = token_client(caller)
    assert api.get("/meldingen", q=INTERNAL).json()["items"] == []
    assert api.get("/meldingen", q="Zichtbaar").json()["items"][0]["id"] == world["a"].pk
    op = token_client(world["a"].created_by)
    assert {m["id"] for m in op.get("/meldingen", q=INTERNAL).json()["items"]} >= {
        world["a"].pk,
        world["b"].pk,
    }


def _state() -> dict[str, Any]:
    return {
        "meldingen": list(Melding.objects.order_by("pk").values()),
        "notes": Note.objects.count(),
        "history": HistoryEntry.objects.count(),
        "time": TimeEntry.objects.count(),
        "links": MeldingLink.objects.count(),
        "attachments": Attachment.objects.count(),
    }


def test_caller_cannot_call_operator_actions(as_user, caller, world, first_line, second_line, operator):
    api: JsonClient = as_user(caller)
    before = _state()
    for target in (world["a"], world["b"]):
        base = f"/meldingen/{target.pk}"
        v = Melding.objects.get(pk=target.pk).version
        for method, path, body in [
            (
                "put",
                "/classification",
                {"version": v, "brief_description": "x", "call_type_id": 1, "impact_id": 1, "urgency_id": 1},
            ),
            ("post", "/assign", {"version": v, "operator_group_id": first_line.pk}),
            ("post", "/status", {"version": v, "status_id": Status.objects.get(code="in_progress").pk}),
            ("post", "/target-date", {"version": v, "target_date": "2099-01-01T00:00:00Z"}),
            ("post", "/escalate", {"version": v, "to_group_id": second_line.pk, "reason": "x"}),
            ("post", "/deescalate", {"version": v, "to_group_id": first_line.pk, "reason": "x"}),
            ("post", "/estimates", {"version": v, "minutes": 1}),
            ("post", "/resolve", {"version": v, "solution": "zelf opgelost"}),
            ("post", "/close", {"version": v}),
            ("post", "/time", {"minutes": 5}),
            ("post", "/links", {"other_id": world["b"].pk if target == world["a"] else world["a"].pk}),
            ("post", "/merge", {"into_id": world["b"].pk if target == world["a"] else world["a"].pk}),
            ("post", "/partials", {"brief_description": "x", "operator_group_id": second_line.pk}),
            ("delete", f"/links/{world['b'].pk}", None),
        ]:
            if method == "put":
                response = api.put(base + path, body)
            elif method == "delete":
                response = api.delete(base + path)
            else:
                response = api.post(base + path, body)
            assert response.status_code in (403, 404), (target.pk, path, response.status_code)
            assert CANARY not in _text(response)
    # a caller cannot act on another caller's melding at all, not even as a caller
    b = world["b"]
    assert api.post(f"/meldingen/{b.pk}/notes", {"text": "Hallo B"}).status_code == 404
    assert api.post(f"/meldingen/{b.pk}/confirm").status_code == 404
    assert api.post(f"/meldingen/{b.pk}/reopen", {"reason": "x"}).status_code == 404
    assert api.upload(f"/meldingen/{b.pk}/attachments", "x.txt", b"x").status_code == 404
    assert _state() == before


def test_caller_can_do_what_callers_do(as_user, caller, operator, world):
    api: JsonClient = as_user(caller)
    created = api.post("/meldingen", {"brief_description": "Nieuwe laptop nodig", "request": "Graag"})
    assert created.status_code == 201
    own = created.json()["id"]
    assert Melding.objects.get(pk=own).caller == caller
    a = world["a"]
    services.change_status(
        a, status=Status.objects.get(code="waiting_caller"), actor=operator, expected_version=None
    )
    reply = api.post(f"/meldingen/{a.pk}/notes", {"text": "Hier de gegevens", "visibility": "internal"})
    assert reply.status_code == 201
    assert reply.json()["visibility"] == "caller"
    assert Melding.objects.get(pk=a.pk).status.kind == StatusKind.OPEN
    upload = api.upload(f"/meldingen/{a.pk}/attachments", "screenshot.png", PNG, visible_to_caller="false")
    assert upload.status_code == 201
    assert upload.json()["visible_to_caller"] is True
    services.resolve_melding(world["partial_a"], solution="Deel klaar", actor=operator, expected_version=None)
    services.resolve_melding(a, solution="Opgelost", actor=operator, expected_version=None)
    reopened = api.post(f"/meldingen/{a.pk}/reopen", {"reason": "Toch niet"})
    assert reopened.status_code == 200
    assert reopened.json()["is_open"]
    services.resolve_melding(a, solution="Nu echt", actor=operator, expected_version=None)
    confirmed = api.post(f"/meldingen/{a.pk}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"]["kind"] == "closed"
    me = api.get("/me").json()
    assert me["id"] == caller.pk
    assert me["operator_groups"] == []


def test_anonymous_gets_401_everywhere(world):
    client = Client()
    b = world["b"]
    for method, path in [
        ("get", "/meldingen"),
        ("get", "/meldingen/export.csv"),
        ("post", "/meldingen"),
        ("get", f"/meldingen/{b.pk}"),
        ("get", f"/meldingen/{b.pk}/notes"),
        ("post", f"/meldingen/{b.pk}/notes"),
        ("get", f"/meldingen/{b.pk}/history"),
        ("get", f"/meldingen/{b.pk}/attachments"),
        ("get", f"/attachments/{world['b_file'].pk}"),
        ("post", f"/meldingen/{b.pk}/resolve"),
        ("post", f"/meldingen/{b.pk}/confirm"),
        ("get", "/me"),
        ("get", "/tokens"),
        ("post", "/tokens"),
        ("get", "/persons"),
        ("get", "/statuses"),
    ]:
        response = getattr(client, method)(API + path, content_type="application/json")
        assert response.status_code == 401, path
        assert CANARY not in _text(response)


def test_inactive_caller_session_sees_nothing(caller, world):
    api = session_client(caller)
    caller.is_active = False
    caller.save()
    assert api.get(f"/meldingen/{world['a'].pk}").status_code == 401


def test_operators_and_coordinators_see_everything(coordinator, world):
    api = token_client(coordinator)
    ids = {m["id"] for m in api.get("/meldingen", limit=200).json()["items"]}
    assert {world["a"].pk, world["b"].pk, world["partial_a"].pk, world["partial_b"].pk} <= ids
    notes = api.get(f"/meldingen/{world['b'].pk}/notes").json()
    assert any(INTERNAL in n["text"] for n in notes)
