"""The accounts API: /me and /tokens (more in servicedesk/tests/test_api.py)."""

from __future__ import annotations

from django.test import Client

from beheer.accounts import services
from beheer.accounts.models import ApiToken
from tests.helpers import client_for

API = "/api/v1"


def test_me_by_session_and_token(caller):
    session = client_for(caller).get(f"{API}/me")
    assert session.status_code == 200
    _token, secret = services.issue_api_token(caller, name="t", actor=caller)
    token = Client(headers={"Authorization": f"Bearer {secret}"}).get(f"{API}/me")
    assert token.status_code == 200
    assert session.json() == token.json()
    assert token.json()["role"] == "caller"
    assert token.json()["email"] == caller.email


def test_token_created_by_session_works_as_bearer(operator):
    client = client_for(operator)
    created = client.post(f"{API}/tokens", {"name": "CI"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["revoked_at"] is None
    assert body["expires_at"] is None
    bearer = Client(headers={"Authorization": f"Bearer {body['secret']}"})
    assert bearer.get(f"{API}/me").json()["id"] == operator.pk
    # the secret is never shown again
    listed = client.get(f"{API}/tokens").json()
    assert body["secret"] not in str(listed)
    assert client.delete(f"{API}/tokens/{body['id']}").status_code == 204
    assert ApiToken.objects.get(pk=body["id"]).revoked_at is not None
    assert bearer.get(f"{API}/me").status_code == 401


def test_token_can_manage_tokens(operator):
    _token, secret = services.issue_api_token(operator, name="t", actor=operator)
    bearer = Client(headers={"Authorization": f"Bearer {secret}"})
    created = bearer.post(
        f"{API}/tokens", {"name": "Tweede", "expires_in_days": 7}, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["expires_at"] is not None
    assert len(bearer.get(f"{API}/tokens").json()) == 2


def test_other_users_tokens_invisible(operator, caller):
    theirs, _secret = services.issue_api_token(caller, name="van caller", actor=caller)
    client = client_for(operator)
    assert theirs.pk not in {t["id"] for t in client.get(f"{API}/tokens").json()}
    assert client.delete(f"{API}/tokens/{theirs.pk}").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
