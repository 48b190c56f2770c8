"""The REST API: every endpoint, both kinds of authentication, idempotency, locking, errors, paging."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import beheer
from beheer.accounts import services as account_services
from beheer.accounts.models import ApiToken, OperatorGroup, Role, User
from beheer.cmdb.models import Supplier
from beheer.core.models import IdempotencyRecord
from beheer.servicedesk import services
from beheer.servicedesk.models import (
    CallType,
    Category,
    ClosureCode,
    EntryType,
    HistoryEntry,
    Impact,
    Melding,
    Status,
    Urgency,
    Visibility,
)
from tests.helpers import client_for
from tests.sample_files import PNG

API = "/api/v1"


class JsonClient:
    """A test client that speaks JSON and authenticates by token or by session."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params)

    def _send(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body if body is not None else {})
        return getattr(self.client, method)(
            API + path, data=data, content_type="application/json", headers=headers or {}
        )

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._send("post", path, body, headers)

    def put(self, path: str, body: Any = None) -> Any:
        return self._send("put", path, body)

    def delete(self, path: str) -> Any:
        return self.client.delete(API + path)

    def upload(self, path: str, name: str, content: bytes, **fields: Any) -> Any:
        return self.client.post(API + path, {"file": SimpleUploadedFile(name, content), **fields})


def token_client(user: User, *, scheme: str = "Bearer") -> JsonClient:
    _token, secret = account_services.issue_api_token(user, name="test", actor=user)
    return JsonClient(Client(headers={"Authorization": f"{scheme} {secret}"}))


def session_client(user: User) -> JsonClient:
    return JsonClient(client_for(user))


@pytest.fixture(params=["token", "session"])
def api_for(request: Any) -> Callable[[User], JsonClient]:
    return token_client if request.param == "token" else session_client


@pytest.fixture
def op_api(api_for: Callable[[User], JsonClient], operator: User) -> JsonClient:
    return api_for(operator)


@pytest.fixture
def caller_api(api_for: Callable[[User], JsonClient], caller: User) -> JsonClient:
    return api_for(caller)


def status_id(code: str) -> int:
    return Status.objects.get(code=code).pk


def fresh(m: Melding) -> Melding:
    return Melding.objects.select_related("status").get(pk=m.pk)


def open_for(actor: User, caller: User | None, brief: str = "Melding", **kw: Any) -> Melding:
    return services.open_melding(
        actor=actor,
        brief_description=brief,
        entry_type=EntryType.PHONE,
        caller=caller,
        caller_name="" if caller else "Onbekend",
        **kw,
    )


# --------------------------------------------------------------------------------------------------
# system endpoints


@pytest.mark.django_db
def test_health_is_public_and_reports_database():
    response = Client().get(f"{API}/health")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ok", "version": beheer.__version__, "database": connection.vendor}


@pytest.mark.django_db
def test_openapi_lists_the_endpoints():
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in [
        "/api/v1/health",
        "/api/v1/meldingen",
        "/api/v1/meldingen/{melding_id}",
        "/api/v1/meldingen/export.csv",
        "/api/v1/meldingen/{melding_id}/notes",
        "/api/v1/meldingen/{melding_id}/resolve",
        "/api/v1/meldingen/{melding_id}/attachments",
        "/api/v1/attachments/{attachment_id}",
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/persons",
    ]:
        assert path in paths, path
    assert "post" in paths["/api/v1/meldingen"]
    assert "get" in paths["/api/v1/meldingen"]
    assert spec["components"]["securitySchemes"]


@pytest.mark.django_db
def test_docs_reachable():
    response = Client().get(f"{API}/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/meldingen", "/me", "/tokens", "/statuses", "/meldingen/1", "/attachments/1"]
)
def test_anonymous_gets_401(path):
    response = Client().get(API + path)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


# --------------------------------------------------------------------------------------------------
# authentication


class TestTokens:
    def test_bearer_and_token_schemes(self, operator):
        for scheme in ("Bearer", "Token"):
            response = token_client(operator, scheme=scheme).get("/me")
            assert response.status_code == 200
            assert response.json()["username"] == operator.username

    def test_revoked_token_401(self, operator):
        token, secret = account_services.issue_api_token(operator, name="t", actor=operator)
        client = JsonClient(Client(headers={"Authorization": f"Bearer {secret}"}))
        assert client.get("/me").status_code == 200
        account_services.revoke_api_token(token, actor=operator)
        assert client.get("/me").status_code == 401

    def test_expired_token_401(self, operator):
        token, secret = account_services.issue_api_token(
            operator, name="t", actor=operator, expires_in_days=1
        )
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert JsonClient(Client(headers={"Authorization": f"Bearer {secret}"})).get("/me").status_code == 401

    def test_deactivated_user_token_and_session_401(self, operator):
        token_api = token_client(operator)
        session_api = session_client(operator)
        operator.is_active = False
        operator.save()
        assert token_api.get("/me").status_code == 401
        assert session_api.get("/me").status_code == 401
        assert token_api.post("/meldingen", {"brief_description": "x", "caller_name": "y"}).status_code == 401
        assert not Melding.objects.exists()

    @pytest.mark.parametrize(
        "header",
        ["Bearer nonsense", "Bearer bhr_" + "x" * 43, "Token ", "Basic abc", "Bearer " + "bhr_" * 200],
    )
    def test_garbage_tokens_401(self, operator, header):
        assert JsonClient(Client(headers={"Authorization": header})).get("/me").status_code == 401

    def test_token_marks_last_used(self, operator):
        token, secret = account_services.issue_api_token(operator, name="t", actor=operator)
        JsonClient(Client(headers={"Authorization": f"Bearer {secret}"})).get("/me")
        token.refresh_from_db()
        assert token.last_used_at is not None


class TestAccountsApi:
    def test_me(self, op_api, operator, first_line):
        body = op_api.get("/me").json()
        assert body["id"] == operator.pk
        assert body["role"] == Role.OPERATOR
        assert body["operator_groups"] == [first_line.name]
        assert body["name"] == str(operator)

    def test_token_lifecycle(self, op_api, operator, coordinator):
        other_token, _secret = account_services.issue_api_token(coordinator, name="theirs", actor=coordinator)
        response = op_api.post("/tokens", {"name": "Script", "expires_in_days": 30})
        assert response.status_code == 201
        created = response.json()
        secret = created["secret"]
        assert secret.startswith("bhr_")
        assert created["prefix"] == secret[:10]
        token = ApiToken.objects.get(pk=created["id"])
        assert secret not in token.digest
        assert token.digest != secret
        listed = op_api.get("/tokens").json()
        ids = {t["id"] for t in listed}
        assert created["id"] in ids
        assert other_token.pk not in ids
        assert all("secret" not in t for t in listed)
        new_api = JsonClient(Client(headers={"Authorization": f"Bearer {secret}"}))
        assert new_api.get("/me").status_code == 200
        # somebody else's token: 404, untouched
        assert op_api.delete(f"/tokens/{other_token.pk}").status_code == 404
        other_token.refresh_from_db()
        assert other_token.revoked_at is None
        assert op_api.delete(f"/tokens/{created['id']}").status_code == 204
        assert new_api.get("/me").status_code == 401
        assert op_api.delete("/tokens/999999").status_code == 404

    @pytest.mark.parametrize(
        "body",
        [
            {"name": ""},
            {"name": "x" * 101},
            {"name": "x", "expires_in_days": 0},
            {"name": "x", "expires_in_days": "soon"},
            {},
        ],
    )
    def test_token_bad_input(self, op_api, body):
        response = op_api.post("/tokens", body)
        assert response.status_code == 422
        assert response.json()["fields"]

    def test_blank_token_name(self, op_api):
        response = op_api.post("/tokens", {"name": "   "})
        assert response.status_code == 400
        assert "name" in response.json()["fields"]


# --------------------------------------------------------------------------------------------------
# meldingen: create


class TestCreate:
    def test_operator_creates_for_caller(self, op_api, caller, operator, first_line):
        body = {
            "brief_description": "VPN werkt niet",
            "request": "Sinds vanochtend",
            "entry_type": "phone",
            "caller_id": caller.pk,
            "impact_id": Impact.objects.get(level=1).pk,
            "urgency_id": Urgency.objects.get(level=1).pk,
            "operator_group_id": first_line.pk,
            "operator_id": operator.pk,
            "call_type_id": CallType.objects.get(code="incident").pk,
        }
        response = op_api.post("/meldingen", body)
        assert response.status_code == 201, response.content
        data = response.json()
        m = Melding.objects.get(pk=data["id"])
        assert data["number"] == m.number
        assert data["version"] == 1
        assert data["caller"]["id"] == caller.pk
        assert data["priority"]["level"] == 1
        assert data["operator"]["id"] == operator.pk
        assert data["status"]["kind"] == "new"
        assert data["request"] == "Sinds vanochtend"
        assert data["entry_type"] == "phone"
        assert m.created_by == operator

    def test_caller_creates_for_self_only(self, caller_api, caller, other_caller, operator, first_line):
        body = {
            "brief_description": "Scherm flikkert",
            "caller_id": other_caller.pk,
            "entry_type": "phone",
            "impact_id": Impact.objects.get(level=1).pk,
            "urgency_id": Urgency.objects.get(level=1).pk,
            "operator_group_id": first_line.pk,
            "operator_id": operator.pk,
        }
        response = caller_api.post("/meldingen", body)
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["caller"]["id"] == caller.pk
        assert data["entry_type"] == EntryType.PORTAL
        assert data["operator"] is None
        assert data["operator_group"] is None
        assert data["priority"]["level"] == 4

    def test_idempotency_key(self, op_api, caller):
        body = {"brief_description": "Eenmalig", "caller_id": caller.pk}
        first = op_api.post("/meldingen", body, headers={"Idempotency-Key": "abc-123"})
        assert first.status_code == 201
        again = op_api.post("/meldingen", body, headers={"Idempotency-Key": "abc-123"})
        assert again.status_code == 200
        assert again.json() == first.json()
        assert Melding.objects.count() == 1
        different = op_api.post(
            "/meldingen", {**body, "brief_description": "Anders"}, headers={"Idempotency-Key": "abc-123"}
        )
        assert 400 <= different.status_code < 500
        assert Melding.objects.count() == 1
        other_key = op_api.post("/meldingen", body, headers={"Idempotency-Key": "def-456"})
        assert other_key.status_code == 201
        no_key = op_api.post("/meldingen", body)
        assert no_key.status_code == 201
        assert Melding.objects.count() == 3
        assert IdempotencyRecord.objects.count() == 2

    def test_idempotency_key_is_per_user(self, operator, coordinator, caller):
        body = {"brief_description": "Per persoon", "caller_id": caller.pk}
        a = token_client(operator).post("/meldingen", body, headers={"Idempotency-Key": "same"})
        b = token_client(coordinator).post("/meldingen", body, headers={"Idempotency-Key": "same"})
        assert a.status_code == b.status_code == 201
        assert a.json()["id"] != b.json()["id"]

    def test_refused_create_does_not_burn_the_key(self, op_api, caller):
        bad = op_api.post("/meldingen", {"brief_description": "x"}, headers={"Idempotency-Key": "k1"})
        assert bad.status_code == 400
        assert not IdempotencyRecord.objects.exists()
        good = op_api.post(
            "/meldingen",
            {"brief_description": "x", "caller_id": caller.pk},
            headers={"Idempotency-Key": "k1"},
        )
        assert good.status_code == 201

    def test_overlong_idempotency_key(self, op_api, caller):
        response = op_api.post(
            "/meldingen",
            {"brief_description": "x", "caller_id": caller.pk},
            headers={"Idempotency-Key": "k" * 201},
        )
        assert response.status_code == 400
        assert not Melding.objects.exists()

    @pytest.mark.parametrize(
        "field",
        [
            "caller_id",
            "call_type_id",
            "category_id",
            "impact_id",
            "urgency_id",
            "operator_group_id",
            "operator_id",
            "subcategory_id",
        ],
    )
    def test_unknown_foreign_keys_400_with_fields(self, op_api, caller, field):
        body = {"brief_description": "x", "caller_id": caller.pk, field: 987654}
        response = op_api.post("/meldingen", body)
        assert response.status_code == 400
        assert field in response.json()["fields"]
        assert not Melding.objects.exists()

    def test_caller_as_operator_refused(self, op_api, caller, other_caller):
        response = op_api.post(
            "/meldingen", {"brief_description": "x", "caller_id": caller.pk, "operator_id": other_caller.pk}
        )
        assert response.status_code == 400
        assert "operator_id" in response.json()["fields"]

    def test_rule_errors_have_fields(self, op_api, caller, second_line):
        response = op_api.post(
            "/meldingen",
            {"brief_description": "x", "caller_id": caller.pk, "operator_group_id": second_line.pk},
        )
        assert response.status_code == 400
        body = response.json()
        assert body["error"] == "invalid"
        assert body["detail"]
        assert "operator_group" in body["fields"]


# --------------------------------------------------------------------------------------------------
# meldingen: read


class TestRead:
    def test_detail(self, op_api, melding):
        body = op_api.get(f"/meldingen/{melding.pk}").json()
        assert body["id"] == melding.pk
        assert body["request"] == melding.request
        assert body["partials_total"] == 0
        assert body["linked_ids"] == []
        assert body["status"]["kind"] == "new"

    def test_unknown_ids_404(self, op_api, melding):
        for path in [
            "/meldingen/999999",
            "/meldingen/999999/notes",
            "/meldingen/999999/history",
            "/meldingen/999999/attachments",
            "/meldingen/999999/time",
            "/meldingen/999999/partials",
            "/attachments/999999",
        ]:
            response = op_api.get(path)
            assert response.status_code == 404, path
            assert response.json()["error"] == "not_found"
        assert op_api.post("/meldingen/999999/resolve", {"solution": "x", "version": 1}).status_code == 404
        assert op_api.post("/meldingen/999999/notes", {"text": "x"}).status_code == 404
        assert op_api.post(f"/meldingen/{melding.pk}/merge", {"into_id": 999999}).status_code == 404
        assert op_api.post(f"/meldingen/{melding.pk}/links", {"other_id": 999999}).status_code == 404

    def test_list_filters(self, op_api, operator, caller, other_caller, first_line):
        a = open_for(operator, caller, "Alpha", operator_group=first_line)
        b = open_for(operator, other_caller, "Beta")
        services.resolve_melding(b, solution="x", actor=operator, expected_version=None)

        def ids(**params: Any) -> set[int]:
            response = op_api.get("/meldingen", **params)
            assert response.status_code == 200, response.content
            return {item["id"] for item in response.json()["items"]}

        assert ids() == {a.pk, b.pk}
        assert ids(queue="open") == {a.pk}
        assert ids(queue="closed") == {b.pk}
        assert ids(caller=other_caller.pk) == {b.pk}
        assert ids(operator_group=first_line.pk) == {a.pk}
        assert ids(status=status_id("resolved")) == {b.pk}
        assert ids(line="first") == {a.pk, b.pk}
        assert ids(line="second") == set()
        assert ids(entry_type="phone") == {a.pk, b.pk}
        assert ids(q="Alpha") == {a.pk}
        assert ids(q=b.number) == {b.pk}

    def test_list_limit_bounds(self, op_api):
        assert op_api.get("/meldingen", limit=0).status_code == 400
        assert op_api.get("/meldingen", limit=201).status_code == 400
        assert op_api.get("/meldingen", limit="many").status_code == 422

    def test_lookups(self, op_api, caller):
        for path, extra in [
            ("/call-types", None),
            ("/statuses", "kind"),
            ("/impacts", "level"),
            ("/urgencies", "level"),
            ("/priorities", "level"),
            ("/closure-codes", None),
        ]:
            response = op_api.get(path)
            assert response.status_code == 200, path
            rows = response.json()
            assert rows
            assert all({"id", "code", "name"} <= set(r) for r in rows)
            if extra:
                assert all(extra in r for r in rows)
        Category.objects.create(name="Hardware", name_en="Hardware EN")
        cats = op_api.get("/categories").json()
        assert any(c["parent_id"] is None for c in cats)
        groups = op_api.get("/operator-groups").json()
        assert {g["name"] for g in groups} >= {"Servicedesk"}
        persons = op_api.get("/persons", q=caller.first_name).json()
        assert caller.pk in {p["id"] for p in persons}
        assert op_api.get("/persons", q="", limit=1000).status_code == 200

    def test_caller_lookups(self, caller_api):
        assert caller_api.get("/statuses").status_code == 200
        assert caller_api.get("/operator-groups").status_code == 403
        assert caller_api.get("/persons").status_code == 403

    def test_export_csv(self, op_api, melding):
        response = op_api.get("/meldingen/export.csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        text = b"".join(response.streaming_content).decode("utf-8")
        assert melding.number in text
        assert melding.brief_description in text
        assert text.startswith("\ufeff")


# --------------------------------------------------------------------------------------------------
# meldingen: every write endpoint


class TestWrites:
    def test_full_lifecycle(self, op_api, operator, specialist, second_line, first_line, melding, caller):
        base = f"/meldingen/{melding.pk}"
        v = melding.version

        r = op_api.put(
            f"{base}/classification",
            {
                "version": v,
                "brief_description": "Printer kapot",
                "request": "Papier",
                "call_type_id": CallType.objects.get(code="incident").pk,
                "impact_id": Impact.objects.get(level=1).pk,
                "urgency_id": Urgency.objects.get(level=2).pk,
                "object_name": "PRN-214",
            },
        )
        assert r.status_code == 200, r.content
        assert r.json()["priority"]["level"] == 2
        assert r.json()["object_name"] == "PRN-214"
        v = r.json()["version"]

        target = (timezone.now() + timedelta(days=5)).isoformat()
        r = op_api.post(f"{base}/target-date", {"version": v, "target_date": target})
        assert r.status_code == 200, r.content
        v = r.json()["version"]

        r = op_api.post(
            f"{base}/assign", {"version": v, "operator_group_id": first_line.pk, "operator_id": operator.pk}
        )
        assert r.status_code == 200
        assert r.json()["operator"]["id"] == operator.pk
        v = r.json()["version"]

        r = op_api.post(f"{base}/status", {"version": v, "status_id": status_id("in_progress")})
        assert r.status_code == 200
        assert r.json()["status"]["kind"] == "open"
        assert r.json()["first_response_at"] is not None
        v = r.json()["version"]

        r = op_api.post(f"{base}/estimates", {"version": v, "minutes": 60, "people": 1, "means": "Ladder"})
        assert r.status_code == 200
        assert r.json()["estimated_minutes"] == 60
        v = r.json()["version"]

        r = op_api.post(f"{base}/notes", {"text": "Intern", "visibility": "internal"})
        assert r.status_code == 201
        assert r.json()["visibility"] == "internal"
        r = op_api.post(f"{base}/notes", {"text": "Voor u", "visibility": "caller"})
        assert r.status_code == 201
        notes = op_api.get(f"{base}/notes").json()
        assert [n["text"] for n in notes] == ["Intern", "Voor u"]

        r = op_api.post(f"{base}/time", {"minutes": 20, "note": "Bekeken"})
        assert r.status_code == 201
        assert r.json()["line"] == "first"
        assert r.json()["minutes"] == 20
        assert r.json()["operator_group"] == {
            "id": melding.operator_group_id,
            "name": melding.operator_group.name,
        }
        assert op_api.get(f"{base}/time").json()[0]["minutes"] == 20

        r = op_api.post(
            f"{base}/escalate",
            {
                "version": fresh(melding).version,
                "to_group_id": second_line.pk,
                "operator_id": specialist.pk,
                "reason": "Hardware",
            },
        )
        assert r.status_code == 200
        assert r.json()["line"] == "second"
        r = op_api.post(
            f"{base}/deescalate",
            {"version": r.json()["version"], "to_group_id": first_line.pk, "reason": "Terug"},
        )
        assert r.status_code == 200
        assert r.json()["line"] == "first"

        other = open_for(operator, caller, "Zelfde printer")
        r = op_api.post(f"{base}/links", {"other_id": other.pk})
        assert r.status_code == 200
        assert r.json()["linked_ids"] == [other.pk]
        r = op_api.delete(f"{base}/links/{other.pk}")
        assert r.status_code == 200
        assert r.json()["linked_ids"] == []

        supplier = Supplier.objects.create(name="Leverancier")
        r = op_api.post(f"{base}/partials", {"brief_description": "Onderdeel", "supplier_id": supplier.pk})
        assert r.status_code == 201, r.content
        partial_id = r.json()["id"]
        assert r.json()["line"] == "partial"
        assert r.json()["parent_id"] == melding.pk
        partials = op_api.get(f"{base}/partials").json()
        assert [p["id"] for p in partials] == [partial_id]
        assert op_api.get(base).json()["partials_total"] == 1
        r = op_api.post(f"{base}/resolve", {"version": fresh(melding).version, "solution": "x"})
        assert r.status_code == 400  # partial still open
        r = op_api.post(f"/meldingen/{partial_id}/resolve", {"version": 1, "solution": "Geleverd"})
        assert r.status_code == 200

        r = op_api.upload(f"{base}/attachments", "foto.png", PNG)
        assert r.status_code == 201, r.content
        att = r.json()
        assert att["original_name"] == "foto.png"
        assert att["size"] == len(PNG)
        assert op_api.get(f"{base}/attachments").json()[0]["id"] == att["id"]
        download = op_api.client.get(f"{API}/attachments/{att['id']}")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PNG
        assert download["Content-Type"] == "application/octet-stream"
        assert "attachment" in download["Content-Disposition"]

        code = ClosureCode.objects.get(code="solved")
        r = op_api.post(
            f"{base}/resolve",
            {"version": fresh(melding).version, "solution": "Fuser vervangen", "closure_code_id": code.pk},
        )
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["status"]["kind"] == "resolved"
        assert body["solution"] == "Fuser vervangen"
        assert body["closure_code"]["id"] == code.pk
        assert body["partials_resolved"] == 1

        r = op_api.post(f"{base}/reopen", {"reason": "Nog niet goed"})
        assert r.status_code == 200
        assert r.json()["reopen_count"] == 1
        assert r.json()["is_open"]
        r = op_api.post(f"{base}/resolve", {"version": r.json()["version"], "solution": "Nu wel"})
        r = op_api.post(f"{base}/close", {"version": r.json()["version"]})
        assert r.status_code == 200
        assert r.json()["closed_at"] is not None

        history = op_api.get(f"{base}/history").json()
        actions = [h["action"] for h in history]
        for expected in [
            "created",
            "changed",
            "assigned",
            "status",
            "escalated",
            "deescalated",
            "note",
            "reply",
            "time",
            "linked",
            "unlinked",
            "partial_created",
            "partial_resolved",
            "attachment",
            "resolved",
            "reopened",
            "closed",
        ]:
            assert expected in actions, expected

        # closed: read-only through the API too
        r = op_api.post(f"{base}/notes", {"text": "Te laat"})
        assert r.status_code == 409
        assert r.json()["error"] == "read_only"

    def test_merge(self, op_api, melding, operator, caller):
        dup = open_for(operator, caller, "Dubbel")
        r = op_api.post(f"/meldingen/{dup.pk}/merge", {"into_id": melding.pk})
        assert r.status_code == 200, r.content
        assert r.json()["merged_into_id"] == melding.pk
        assert r.json()["status"]["kind"] == "closed"
        r = op_api.post(f"/meldingen/{melding.pk}/merge", {"into_id": melding.pk})
        assert r.status_code == 400

    def test_confirm_by_caller(self, caller_api, melding, operator):
        services.resolve_melding(melding, solution="x", actor=operator, expected_version=None)
        r = caller_api.post(f"/meldingen/{melding.pk}/confirm")
        assert r.status_code == 200
        assert r.json()["status"]["kind"] == "closed"

    def test_stale_version_409_changes_nothing(self, op_api, melding, operator, first_line):
        stale = melding.version
        services.change_status(
            melding, status=Status.objects.get(code="in_progress"), actor=operator, expected_version=stale
        )
        before = Melding.objects.filter(pk=melding.pk).values().get()
        history = HistoryEntry.objects.count()
        for path, body in [
            ("status", {"status_id": status_id("waiting_caller")}),
            ("assign", {"operator_group_id": first_line.pk, "operator_id": operator.pk}),
            ("resolve", {"solution": "x"}),
            ("close", {}),
            ("estimates", {"minutes": 5}),
        ]:
            r = op_api.post(f"/meldingen/{melding.pk}/{path}", {**body, "version": stale})
            assert r.status_code == 409, path
            assert r.json()["error"] == "conflict"
        assert Melding.objects.filter(pk=melding.pk).values().get() == before
        assert HistoryEntry.objects.count() == history

    def test_unknown_fk_in_write_bodies(self, op_api, melding):
        v = melding.version
        for path, body, field in [
            ("status", {"status_id": 99999}, "status_id"),
            ("assign", {"operator_group_id": 99999}, "operator_group_id"),
            ("assign", {"operator_id": 99999}, "operator_id"),
            ("escalate", {"to_group_id": 99999, "reason": "x"}, "to_group_id"),
            ("resolve", {"solution": "x", "closure_code_id": 99999}, "closure_code_id"),
            ("partials", {"brief_description": "x", "supplier_id": 99999}, "supplier_id"),
        ]:
            assert isinstance(body, dict)
            r = op_api.post(f"/meldingen/{melding.pk}/{path}", {**body, "version": v})
            assert r.status_code == 400, (path, r.content)
            assert field in r.json()["fields"]
        assert fresh(melding).version == v


# --------------------------------------------------------------------------------------------------
# malformed requests


class TestMalformed:
    @pytest.mark.parametrize(
        "raw", ["{", "not json", "[1, 2", '{"brief_description": }', "\x00", "null", "[]", '"string"']
    )
    def test_malformed_json_is_4xx(self, op_api, raw):
        r = op_api.post("/meldingen", raw)
        assert 400 <= r.status_code < 500, r.content
        assert not Melding.objects.exists()

    def test_malformed_json_on_other_endpoints(self, op_api, melding):
        for path in ["notes", "resolve", "status", "escalate", "links", "merge", "time"]:
            r = op_api.post(f"/meldingen/{melding.pk}/{path}", "{oops")
            assert 400 <= r.status_code < 500, path

    @pytest.mark.parametrize(
        "body",
        [
            {"brief_description": 12},
            {"brief_description": "x", "entry_type": "carrier-pigeon"},
            {"brief_description": "x", "caller_id": "abc"},
            {"brief_description": "x", "estimated_minutes": -1},
            {"brief_description": "x", "target_date": "tomorrow"},
            {"brief_description": ""},
            {"brief_description": "x" * 81},
            {},
        ],
    )
    def test_wrong_types_and_enums_422(self, op_api, caller, body):
        r = op_api.post("/meldingen", {"caller_id": caller.pk, **body} if "caller_id" not in body else body)
        assert r.status_code == 422, r.content
        data = r.json()
        assert data["error"] == "validation"
        assert data["fields"]
        assert not Melding.objects.exists()

    def test_field_names_in_422(self, op_api, melding):
        r = op_api.post(f"/meldingen/{melding.pk}/notes", {"text": "x", "visibility": "public"})
        assert r.status_code == 422
        assert "visibility" in r.json()["fields"]
        r = op_api.post(f"/meldingen/{melding.pk}/status", {"status_id": "open", "version": 1})
        assert r.status_code == 422
        assert "status_id" in r.json()["fields"]
        r = op_api.post(f"/meldingen/{melding.pk}/time", {"minutes": 0})
        assert r.status_code == 422
        assert "minutes" in r.json()["fields"]
        r = op_api.post(f"/meldingen/{melding.pk}/resolve", {"solution": "x"})
        assert r.status_code == 422
        assert "version" in r.json()["fields"]

    def test_non_numeric_path_id(self, op_api):
        r = op_api.get("/meldingen/abc")
        assert 400 <= r.status_code < 500


# --------------------------------------------------------------------------------------------------
# query counts


def _make_meldingen(n: int, operator: User, caller: User, group: OperatorGroup) -> list[Melding]:
    return [
        open_for(operator, caller, f"Melding {i}", operator_group=group, operator=operator) for i in range(n)
    ]


def _count(api: JsonClient, path: str, **params: Any) -> int:
    api.get(path, **params)  # warm up: a token records its first use once a minute
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(path, **params)
    assert response.status_code == 200
    # A token records its use at most once a minute; under load that minute can pass mid-test.
    return len([q for q in ctx.captured_queries if not q["sql"].startswith('UPDATE "accounts_apitoken"')])


class TestQueryCounts:
    def test_list_meldingen_constant(self, op_api, operator, caller, first_line):
        Category.objects.create(name="Hardware")
        _make_meldingen(3, operator, caller, first_line)
        few = _count(op_api, "/meldingen", limit=50)
        _make_meldingen(27, operator, caller, first_line)
        many = _count(op_api, "/meldingen", limit=50)
        assert many == few
        assert len(op_api.get("/meldingen", limit=50).json()["items"]) == 30

    def test_notes_and_history_constant(self, op_api, operator, specialist, melding):
        def add(n: int) -> None:
            for i in range(n):
                author = operator if i % 2 else specialist
                services.add_note(melding, text=f"Notitie {i}", visibility=Visibility.INTERNAL, actor=author)

        add(3)
        notes_few = _count(op_api, f"/meldingen/{melding.pk}/notes")
        history_few = _count(op_api, f"/meldingen/{melding.pk}/history")
        add(27)
        assert _count(op_api, f"/meldingen/{melding.pk}/notes") == notes_few
        assert _count(op_api, f"/meldingen/{melding.pk}/history") == history_few

    def test_partials_constant_and_the_same_as_each_detail(
        self, op_api, operator, caller, first_line, melding
    ):
        """The partial list reads the partials' own partial counts and links for all rows at once
        (it ran two queries per row), with the same answer as each partial's own detail."""

        def add(n: int) -> None:
            for i in range(n):
                p = services.create_partial(
                    melding, brief_description=f"Onderdeel {i}", operator_group=first_line, actor=operator
                )
                if i % 2:
                    other = open_for(operator, caller, f"Verwant {i}")
                    services.link_meldingen(p, other=other, actor=operator)

        add(2)
        few = _count(op_api, f"/meldingen/{melding.pk}/partials")
        add(8)
        assert _count(op_api, f"/meldingen/{melding.pk}/partials") == few
        rows = op_api.get(f"/meldingen/{melding.pk}/partials").json()
        assert len(rows) == 10
        assert sum(1 for r in rows if r["linked_ids"]) == 5
        for row in rows:
            assert row == op_api.get(f"/meldingen/{row['id']}").json()

    def test_time_and_attachments_constant(self, op_api, operator, specialist, melding):
        def add(n: int) -> None:
            for i in range(n):
                services.register_time(melding, minutes=i + 1, actor=operator if i % 2 else specialist)
                services.add_attachment(melding, upload=SimpleUploadedFile(f"f{i}.txt", b"x"), actor=operator)

        add(3)
        time_few = _count(op_api, f"/meldingen/{melding.pk}/time")
        att_few = _count(op_api, f"/meldingen/{melding.pk}/attachments")
        add(27)
        assert _count(op_api, f"/meldingen/{melding.pk}/time") == time_few
        assert _count(op_api, f"/meldingen/{melding.pk}/attachments") == att_few


# --------------------------------------------------------------------------------------------------
# keyset pagination through the API


SORT_KEYS = {
    "priority": lambda m: (m.priority_level, m.target_date, m.id),
    "target": lambda m: (m.target_date, m.id),
    "newest": lambda m: (-m.created_at.timestamp(), -m.id),
    "oldest": lambda m: (m.created_at, m.id),
    "updated": lambda m: (-m.updated_at.timestamp(), -m.id),
}


@pytest.fixture
def many_meldingen(operator: User, caller: User, other_caller: User) -> list[Melding]:
    now = timezone.now()
    result = []
    for i in range(23):
        # equal timestamps and equal priorities on purpose: the id must break the ties
        created = now - timedelta(hours=i // 3)
        m = services.open_melding(
            actor=operator,
            brief_description=f"Pagina {i}",
            entry_type=EntryType.PHONE,
            caller=caller if i % 4 else other_caller,
            impact=Impact.objects.get(level=1 + i % 3),
            urgency=Urgency.objects.get(level=1 + (i // 3) % 3),
            now=created,
        )
        result.append(m)
    return result


@pytest.mark.parametrize("sort", sorted(SORT_KEYS))
def test_walk_all_pages(op_api, many_meldingen, sort):
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"sort": sort, "limit": 4}
        if cursor:
            params["cursor"] = cursor
        body = op_api.get("/meldingen", **params).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        pages += 1
        if cursor is None:
            break
        assert pages < 20
    assert len(seen) == len(set(seen)) == 23
    expected = [m.pk for m in sorted(Melding.objects.all(), key=SORT_KEYS[sort])]
    assert seen == expected


def test_walk_pages_as_caller_sees_only_own(caller, many_meldingen):
    api = token_client(caller)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 5, "sort": "newest"}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/meldingen", **params).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(m.pk for m in many_meldingen if m.caller_id == caller.pk)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        "W10",
        "WzEsMiwzXQ",
        "eyJhIjoxfQ",
        "W251bGwsbnVsbCxudWxsXQ",
        "WyJ4IiwieSIsInoiXQ",
        "Wzk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5LHsiZHQiOiIyMDI0LTAxLTAxVDAwOjAwOjAwKzAwOjAwIn0sMV0",
        "W3RydWUseyJkdCI6bnVsbH0sMV0",
    ],
)
def test_invalid_cursor_400(op_api, melding, cursor):
    r = op_api.get("/meldingen", cursor=cursor)
    assert r.status_code == 400, (cursor, r.content)
    assert "cursor" in r.json()["fields"]
