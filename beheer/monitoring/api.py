"""The monitoring API, mounted under /api/v1/monitoring by beheer/api.py.

The ping URLs of push checks need no login: the secret token in the URL is the credential, as with
Healthchecks. Everything else is for operators and up.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from beheer.accounts.models import User
from beheer.core.errors import NotFound, PermissionDenied

from . import services
from .alertmanager import InboundMessage
from .models import Check

router = Router(tags=["monitoring"])


class PingOut(Schema):
    ok: bool
    stored: bool


class CheckOut(Schema):
    id: int
    name: str
    kind: str
    target: str
    host: str
    active: bool
    status: str
    hard_status: str
    flapping: bool
    last_result_at: Any = None
    melding_id: int | None = None


def _ping(token: str, ok: bool, request: HttpRequest) -> dict[str, Any]:
    detail = request.body[:500].decode("utf-8", "replace").strip() if request.method == "POST" else ""
    stored = services.receive_push(token, ok=ok, detail=detail) is not None
    return {"ok": True, "stored": stored}


@router.api_operation(["GET", "POST", "HEAD"], "/push/{token}", response=PingOut, auth=None)
def ping(request: HttpRequest, token: str) -> dict[str, Any]:
    """The job ran: call this at the end of every successful run (GET or POST; a POST body is kept)."""
    return _ping(token, True, request)


@router.api_operation(["GET", "POST"], "/push/{token}/fail", response=PingOut, auth=None)
def ping_fail(request: HttpRequest, token: str) -> dict[str, Any]:
    """The job failed: the check goes down at once (a POST body is kept as the reason)."""
    return _ping(token, False, request)


@router.get("/checks", response=list[CheckOut])
def list_checks(request: HttpRequest) -> list[dict[str, Any]]:
    if not getattr(request.user, "is_staff_member", False):
        raise PermissionDenied(_("Only operators see checks."))
    user: User = request.user  # type: ignore[assignment]
    rows = Check.objects.visible_to(user).select_related("state").order_by("name", "id")[:1000]
    out = []
    for c in rows:
        state = getattr(c, "state", None)
        out.append(
            {
                "id": c.pk,
                "name": c.name,
                "kind": c.kind,
                "target": c.target,
                "host": c.host,
                "active": c.active,
                "status": state.status if state else "unknown",
                "hard_status": state.hard_status if state else "unknown",
                "flapping": bool(state and state.flapping),
                "last_result_at": state.last_result_at if state else None,
                "melding_id": state.melding_id if state else None,
            }
        )
    return out


class AlertsOut(Schema):
    opened: int
    repeated: int
    resolved: int
    ignored: int


@router.post("/alertmanager/{token}", response=AlertsOut, auth=None, url_name="alertmanager")
def alertmanager_webhook(request: HttpRequest, token: str, message: InboundMessage) -> dict[str, int]:
    """Prometheus Alertmanager webhook (version 4): each alert becomes a melding, one per fingerprint.

    Configure it in Alertmanager as a webhook receiver with this URL (the token is the credential),
    or POST to /alertmanager with `Authorization: Bearer <token>`. Unknown fields are ignored."""
    return services.receive_alerts(token, message)


@router.post("/alertmanager", response=AlertsOut, auth=None)
def alertmanager_webhook_bearer(request: HttpRequest, message: InboundMessage) -> dict[str, int]:
    """The same, with the token in the Authorization header (Alertmanager's http_config)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotFound(_("Unknown alert source."))
    return services.receive_alerts(token.strip(), message)
