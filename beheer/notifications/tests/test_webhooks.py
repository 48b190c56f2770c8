"""Webhooks to a real http.server on 127.0.0.1: signed JSON, retries, no redirects, admin-only setup."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from django.db import transaction

from beheer.accounts.models import User
from beheer.core.errors import DomainError, PermissionDenied
from beheer.notifications import services
from beheer.notifications.models import Channel, MessageStatus, OutgoingMessage, WebhookEndpoint
from beheer.notifications.transports import SIGNATURE_HEADER, TIMESTAMP_HEADER

from .conftest import HookServer

SECRET = "a-long-webhook-secret-0123456789"


def hook(admin: User, url: str, events: list[str] | None = None) -> WebhookEndpoint:
    return services.create_webhook(
        actor=admin,
        name="Monitoring",
        url=url,
        events=events or ["melding_registered"],
        secret=SECRET,
        active=True,
    )


def fire(key: str = "melding:5:registered") -> list[int]:
    with transaction.atomic():
        return services.enqueue(
            "melding_registered",
            key=key,
            recipients=[],
            context={
                "melding_number": "M0000005",
                "brief_description": "Wifi",
                "link_url": "u",
                "status": {"nl": "Nieuw", "en": "New"},
            },
            object_ref=("servicedesk.melding", 5),
        )


@pytest.mark.django_db(transaction=True)
def test_signed_post_is_delivered(hook_server: HookServer, administrator: User) -> None:
    endpoint = hook(administrator, hook_server.url)
    [pk] = fire()
    msg = OutgoingMessage.objects.get(pk=pk)
    assert msg.channel == Channel.WEBHOOK
    assert msg.webhook_id == endpoint.pk
    assert msg.status == MessageStatus.SENT
    [request] = hook_server.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    body = request["body"]
    expected = hmac.new(
        SECRET.encode(), headers[TIMESTAMP_HEADER.lower()].encode() + b"." + body, hashlib.sha256
    )
    assert headers[SIGNATURE_HEADER.lower()] == "sha256=" + expected.hexdigest()
    assert headers["content-type"].startswith("application/json")
    payload = json.loads(body)
    assert payload["event"] == "melding_registered"
    assert payload["object"] == {"type": "servicedesk.melding", "id": 5}
    assert payload["data"]["melding_number"] == "M0000005"
    assert payload["data"]["status"] == {"nl": "Nieuw", "en": "New"}
    assert payload["key"] == msg.key
    # the secret is not stored in plain text
    assert SECRET not in WebhookEndpoint.objects.get(pk=endpoint.pk).secret_encrypted


@pytest.mark.django_db(transaction=True)
def test_unsubscribed_or_inactive_endpoints_get_nothing(hook_server: HookServer, administrator: User) -> None:
    hook(administrator, hook_server.url, events=["sla_breached"])
    inactive = hook(administrator, hook_server.url)
    services.update_webhook(
        inactive,
        actor=administrator,
        name="x",
        url=hook_server.url,
        events=["melding_registered"],
        secret=None,
        active=False,
    )
    assert fire() == []
    assert hook_server.requests == []


@pytest.mark.django_db(transaction=True)
def test_server_error_is_retried(hook_server: HookServer, administrator: User) -> None:
    from datetime import timedelta

    from beheer.core import clock

    hook(administrator, hook_server.url)
    hook_server.status[0] = 503
    [pk] = fire()
    msg = OutgoingMessage.objects.get(pk=pk)
    assert msg.status == MessageStatus.RETRYING
    assert "503" in msg.last_error
    hook_server.status[0] = 200
    services.send_due(now=clock.now() + timedelta(minutes=2))
    assert OutgoingMessage.objects.get(pk=pk).status == MessageStatus.SENT
    assert len(hook_server.requests) == 2
    # the same delivery key both times, so the receiver can drop the repeat
    keys = {r["headers"]["X-Beheer-Delivery"] for r in hook_server.requests}
    assert len(keys) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", [404, 302])
def test_client_errors_and_redirects_fail_permanently(
    hook_server: HookServer, administrator: User, status: int
) -> None:
    hook(administrator, hook_server.url)
    hook_server.status[0] = status
    [pk] = fire()
    msg = OutgoingMessage.objects.get(pk=pk)
    assert msg.status == MessageStatus.DEAD
    assert str(status) in msg.last_error
    assert len(hook_server.requests) == 1  # the redirect was not followed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://x", "http://user:pw@host/", "javascript:alert(1)"],
)
def test_only_http_urls(administrator: User, url: str) -> None:
    with pytest.raises(DomainError) as exc:
        hook(administrator, url)
    assert "url" in exc.value.field_errors


@pytest.mark.django_db
def test_only_administrators_configure_webhooks(coordinator: User, administrator: User) -> None:
    with pytest.raises(PermissionDenied):
        hook(coordinator, "https://example.org/hook")
    endpoint = hook(administrator, "https://example.org/hook")
    with pytest.raises(PermissionDenied):
        services.delete_webhook(endpoint, actor=coordinator)
    services.delete_webhook(endpoint, actor=administrator)
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_short_secret_and_no_events_are_refused(administrator: User) -> None:
    with pytest.raises(DomainError) as exc:
        services.create_webhook(
            actor=administrator, name="x", url="https://e.org/", events=[], secret="short", active=True
        )
    assert "events" in exc.value.field_errors
    with pytest.raises(DomainError) as exc:
        services.create_webhook(
            actor=administrator,
            name="x",
            url="https://e.org/",
            events=["sla_breached"],
            secret="short",
            active=True,
        )
    assert "secret" in exc.value.field_errors


@pytest.mark.django_db(transaction=True)
def test_removed_endpoint_fails_permanently(
    hook_server: HookServer, administrator: User, settings: Any
) -> None:
    endpoint = hook(administrator, hook_server.url)
    with transaction.atomic():
        [pk] = services.enqueue("melding_registered", key="x:1", recipients=[], context={}, object_ref=None)
        services.delete_webhook(endpoint, actor=administrator)
    msg = OutgoingMessage.objects.get(pk=pk)
    assert msg.status == MessageStatus.DEAD
    assert hook_server.requests == []
