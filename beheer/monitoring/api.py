"""The monitoring API, mounted under /api/v1/monitoring by beheer/api.py.

The ping URLs of push checks need no login: the secret token in the URL is the credential, as with
Healthchecks. Everything else is for operators and up.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from beheer.accounts.models import User
from beheer.core import clock
from beheer.core.errors import NotFound, PermissionDenied

from . import queries, services
from .alertmanager import InboundMessage
from .models import Check, CheckResult
from .views import may_see_details

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
    availability_target: float
    latency_target_ms: int | None = None


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


def _staff(request: HttpRequest) -> None:
    if not getattr(request.user, "is_staff_member", False):
        raise PermissionDenied(_("Only operators see checks."))


@router.get("/checks", response=list[CheckOut])
def list_checks(request: HttpRequest) -> list[dict[str, Any]]:
    _staff(request)
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
                "availability_target": float(c.availability_target),
                "latency_target_ms": c.latency_target_ms,
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


@router.get(
    "/checks/{check_id}/status",
    response=dict[str, Any],
    summary="A check's state, availability over 24 h / 7 d / 30 d against its norm and its latest "
    "results (result details only for administrators and the check's creator); operators",
)
def check_status(request: HttpRequest, check_id: int) -> dict[str, Any]:
    _staff(request)
    user: User = request.user  # type: ignore[assignment]
    check = Check.objects.visible_to(user).select_related("state").filter(pk=check_id).first()
    if check is None:
        raise NotFound(_("No such check."))
    now = clock.now()
    details = may_see_details(user, check)
    periods = {}
    for key, length in (("24h", timedelta(days=1)), ("7d", timedelta(days=7)), ("30d", timedelta(days=30))):
        t = queries.period_totals([check.pk], now - length, now)[check.pk]
        met = queries.norm_met(check, t)
        periods[key] = {
            "availability": None if t.percent is None else round(t.percent, 3),
            "availability_met": met["availability"],
            "downtime_minutes": round(t.down / 60, 1),
            "outages": t.outages,
            "latency_avg": None if t.latency_avg is None else round(t.latency_avg),
            "latency_p95": t.latency_p95,
            "latency_met": met["latency"],
        }
    results = CheckResult.objects.filter(check_obj=check).order_by("-at", "-id")[:50]
    return {
        "id": check.pk,
        "name": check.name,
        "status": queries.check_status(
            check, now=now, maintenance_ids=queries.in_maintenance_now([check], now)
        ),
        "availability_target": float(check.availability_target),
        "latency_target_ms": check.latency_target_ms,
        "periods": periods,
        "results": [
            {
                "at": r.at,
                "ok": r.ok,
                "latency_ms": r.latency_ms,
                "in_maintenance": r.in_maintenance,
                **({"detail": r.detail} if details else {}),
            }
            for r in results
        ],
    }


@router.get(
    "/status-pages/{slug}",
    response=dict[str, Any],
    auth=None,
    summary="A public status page (no login): public names, state and availability over 24 h and 30 d",
)
def public_status_page(request: HttpRequest, slug: str) -> dict[str, Any]:
    data = queries.public_status(slug)
    if data is None:
        raise NotFound(_("No such status page."))
    return data
