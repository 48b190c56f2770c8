"""Bad input through the API: a clear 4xx, nothing half-saved, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beheer.servicedesk.models import Attachment, HistoryEntry, Melding, Note, TimeEntry
from beheer.servicedesk.tests.test_api import API, JsonClient, token_client

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;"\'`'


@pytest.fixture
def api(operator) -> JsonClient:
    return token_client(operator)


def counts() -> dict[str, int]:
    return {
        "meldingen": Melding.objects.count(),
        "notes": Note.objects.count(),
        "history": HistoryEntry.objects.count(),
        "time": TimeEntry.objects.count(),
        "attachments": Attachment.objects.count(),
    }


@pytest.mark.parametrize(
    ("field", "size"),
    [
        ("brief_description", 81),
        ("request", 100_001),
        ("caller_name", 151),
        ("caller_email", 255),
        ("caller_phone", 41),
        ("object_name", 201),
        ("estimated_means", 501),
    ],
)
def test_oversized_fields_refused(api, caller, field, size):
    body = {"brief_description": "x", "caller_id": caller.pk, field: "x" * size}
    response = api.post("/meldingen", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert not Melding.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("notes", {"text": "x" * 100_001}, "text"),
        ("resolve", {"version": 1, "solution": "x" * 100_001}, "solution"),
        ("escalate", {"version": 1, "to_group_id": 1, "reason": "x" * 1001}, "reason"),
        ("reopen", {"reason": "x" * 2001}, "reason"),
        ("time", {"minutes": 10, "note": "x" * 201}, "note"),
        ("time", {"minutes": 10_000}, "minutes"),
        ("estimates", {"version": 1, "means": "x" * 501}, "means"),
        ("estimates", {"version": 1, "minutes": -3}, "minutes"),
        ("partials", {"brief_description": "x" * 81}, "brief_description"),
        ("status", {"version": 0, "status_id": 1}, "version"),
        ("status", {"version": "one", "status_id": 1}, "version"),
        ("status", {"version": 1, "status_id": None}, "status_id"),
        ("links", {"other_id": [1]}, "other_id"),
        ("merge", {"into_id": {"id": 1}}, "into_id"),
        ("resolve", {"version": 1, "solution": "x", "is_workaround": "perhaps"}, "is_workaround"),
        ("target-date", {"version": 1, "target_date": "31-12-2099"}, "target_date"),
    ],
)
def test_bad_action_bodies_422(api, melding, path, body, field):
    before = counts()
    response = api.post(f"/meldingen/{melding.pk}/{path}", body)
    assert response.status_code == 422, (path, response.content)
    assert field in response.json()["fields"]
    assert counts() == before


def test_html_is_stored_verbatim_and_returned_as_json(api, caller, operator, melding):
    response = api.post(
        "/meldingen",
        {
            "brief_description": SCRIPT[:80],
            "request": SCRIPT,
            "caller_id": caller.pk,
            "object_name": SCRIPT,
            "estimated_means": SCRIPT,
            "caller_phone": "<b>1</b>",
        },
    )
    assert response.status_code == 201
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["brief_description"] == SCRIPT[:80].strip()
    assert body["request"] == SCRIPT
    assert body["object_name"] == SCRIPT
    stored = Melding.objects.get(pk=body["id"])
    assert stored.request == SCRIPT
    assert stored.estimated_means == SCRIPT
    note = api.post(f"/meldingen/{melding.pk}/notes", {"text": SCRIPT})
    assert note.status_code == 201
    assert note.json()["text"] == SCRIPT
    assert api.get(f"/meldingen/{melding.pk}/notes").json()[0]["text"] == SCRIPT
    r = api.post(f"/meldingen/{melding.pk}/resolve", {"version": melding.version, "solution": SCRIPT})
    assert r.json()["solution"] == SCRIPT
    r = api.post(f"/meldingen/{melding.pk}/reopen", {"reason": SCRIPT})
    assert r.status_code == 200
    history = api.get(f"/meldingen/{melding.pk}/history").json()
    assert any(h["detail"] == SCRIPT for h in history)
    up = api.upload(
        f"/meldingen/{melding.pk}/attachments", "<script>x</script>.html", b"<script>alert(1)</script>"
    )
    assert up.status_code == 201
    assert "<" not in up.json()["original_name"]
    assert ">" not in up.json()["original_name"]
    download = api.client.get(f"{API}/attachments/{up.json()['id']}")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert download["Content-Disposition"].startswith("attachment")


def test_csv_export_neutralises_formulas(api, caller):
    api.post("/meldingen", {"brief_description": '=HYPERLINK("http://evil")', "caller_id": caller.pk})
    text = b"".join(api.client.get(f"{API}/meldingen/export.csv").streaming_content).decode()
    assert "'=HYPERLINK" in text
    assert ";=HYPERLINK" not in text


@pytest.mark.parametrize(
    "raw", [b"{", b"\xff\xfe\x00", b'{"brief_description": "x",}', b"[" * 10_000, b"1e999999"]
)
def test_malformed_bodies(api, raw):
    response = api.client.post(f"{API}/meldingen", data=raw, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert not Melding.objects.exists()


def test_wrong_content_type(api, caller):
    response = api.client.post(f"{API}/meldingen", data={"brief_description": "x", "caller_id": caller.pk})
    assert 400 <= response.status_code < 500
    assert not Melding.objects.exists()


def test_huge_attachment_refused_nothing_saved(api, melding, settings):
    settings.MAX_ATTACHMENT_BYTES = 1024
    before = counts()
    version = Melding.objects.get(pk=melding.pk).version
    response = api.upload(f"/meldingen/{melding.pk}/attachments", "groot.bin", b"x" * 1025)
    assert response.status_code == 400
    body = response.json()
    assert "file" in body["fields"]
    assert body["detail"]
    assert counts() == before
    assert Melding.objects.get(pk=melding.pk).version == version
    assert api.upload(f"/meldingen/{melding.pk}/attachments", "klein.bin", b"x" * 1024).status_code == 201


def test_empty_file_refused(api, melding):
    response = api.upload(f"/meldingen/{melding.pk}/attachments", "leeg.txt", b"")
    assert response.status_code == 400
    assert "file" in response.json()["fields"]
    assert not Attachment.objects.exists()


def test_missing_file(api, melding):
    response = api.client.post(f"{API}/meldingen/{melding.pk}/attachments", {})
    assert 400 <= response.status_code < 500
    assert not Attachment.objects.exists()


def test_nul_bytes(api, caller, melding):
    response = api.post(
        "/meldingen",
        {
            "brief_description": "Nul\x00byte",
            "request": "a\x00b",
            "caller_id": caller.pk,
            "object_name": "\x00",
            "caller_email": "a\x00@b.nl",
            "caller_phone": "0\x006",
            "estimated_means": "\x00",
        },
    )
    assert response.status_code == 201, response.content
    m = Melding.objects.get(pk=response.json()["id"])
    assert m.brief_description == "Nulbyte"
    assert m.request == "ab"
    assert m.object_name == ""
    only_nul = api.post("/meldingen", {"brief_description": "\x00\x00", "caller_id": caller.pk})
    assert only_nul.status_code == 422  # nothing left after removing control characters
    note = api.post(f"/meldingen/{melding.pk}/notes", {"text": "x\x00y"})
    assert note.status_code == 201
    assert note.json()["text"] == "xy"
    upload = api.upload(f"/meldingen/{melding.pk}/attachments", "a\x00b.txt", b"\x00\x00\x00")
    assert upload.status_code == 201
    assert upload.json()["original_name"] == "ab.txt"
    assert api.get("/meldingen", q="\x00").status_code == 200
    assert api.get("/persons", q="\x00").status_code == 200
    assert api.post("/tokens", {"name": "a\x00b"}).status_code == 201
    assert api.post(f"/meldingen/{melding.pk}/time", {"minutes": 5, "note": "\x00"}).status_code == 201
    assert (
        api.post(
            f"/meldingen/{melding.pk}/escalate", {"version": 1, "to_group_id": 999, "reason": "\x00"}
        ).status_code
        < 500
    )


@pytest.mark.parametrize(
    "params",
    [
        {"status": "x"},
        {"limit": -1},
        {"limit": 10**20},
        {"operator": "1; DROP TABLE"},
        {"sort": "'; --"},
        {"queue": "<script>"},
        {"line": "x" * 1000},
        {"entry_type": "\x00"},
        {"q": "x" * 10_000},
        {"caller": 10**30},
        {"status": 10**30},
    ],
)
def test_list_params_never_500(api, melding, params):
    response = api.get("/meldingen", **params)
    assert response.status_code < 500, (params, response.content)
    export = api.get("/meldingen/export.csv", **params)
    assert export.status_code < 500


@pytest.mark.parametrize(
    "path",
    [
        "/meldingen/99999999999999999999999",
        "/attachments/99999999999999999999",
        "/meldingen/-1",
        "/meldingen/1.5",
        "/tokens/99999999999999999999999",
    ],
)
def test_odd_ids_never_500(api, path):
    assert api.get(path).status_code < 500
    assert api.delete(path).status_code < 500


def test_big_ids_in_bodies_never_500(api, melding, caller):
    big = 10**20
    for path, body in [
        ("/meldingen", {"brief_description": "x", "caller_id": big}),
        ("/meldingen", {"brief_description": "x", "caller_id": caller.pk, "impact_id": big}),
        (f"/meldingen/{melding.pk}/links", {"other_id": big}),
        (f"/meldingen/{melding.pk}/status", {"status_id": big, "version": big}),
        (f"/meldingen/{melding.pk}/estimates", {"version": big, "minutes": big}),
    ]:
        response = api.post(path, body)
        assert response.status_code < 500, (path, response.content)
    assert Melding.objects.count() == 1


SAFE_TEXT = st.text(max_size=200)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | SAFE_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(SAFE_TEXT, children, max_size=3),
    max_leaves=8,
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.dictionaries(
        st.sampled_from(
            [
                "brief_description",
                "request",
                "caller_id",
                "entry_type",
                "impact_id",
                "target_date",
                "estimated_minutes",
                "caller_email",
                "operator_id",
            ]
        ),
        JSONISH,
        max_size=6,
    )
)
def test_random_create_bodies_never_500(operator, caller, body):
    api = token_client(operator)
    response = api.post("/meldingen", body)
    assert response.status_code < 500, (body, response.content)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(
        [
            "notes",
            "resolve",
            "status",
            "escalate",
            "assign",
            "time",
            "links",
            "merge",
            "partials",
            "estimates",
            "target-date",
            "reopen",
            "close",
            "confirm",
        ]
    ),
    body=JSONISH,
)
def test_random_action_bodies_never_500(melding, operator, path, body):
    api = token_client(operator)
    response = api.client.post(
        f"{API}/meldingen/{melding.pk}/{path}", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code < 500, (path, body, response.content)
