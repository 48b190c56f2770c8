"""The monitoring API, mounted under /api/v1/monitoring by beheer/api.py.

The ping URLs of push checks need no login: the secret token in the URL is the credential, as with
Healthchecks. Everything else is for operators and up.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router
from ninja.responses import Status as Answer

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, clock
from beheer.core.access import current_user
from beheer.core.errors import DomainError, NotFound, PermissionDenied
from beheer.core.history import subject_history_page
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import HistoryRecordPage, Id, Int64, TextLine, errors
from beheer.servicedesk.models import Impact, Urgency

from . import discovery, monitor_status, queries, services
from .alertmanager import InboundMessage
from .cmdb_links import likely_cause_out
from .models import (
    Check,
    CheckHistoryEntry,
    CheckKind,
    CheckResult,
    CheckState,
    MaintenanceWindow,
    MaintenanceWindowHistoryEntry,
)
from .schemas import (
    AlertsOut,
    CheckIn,
    CheckPage,
    CheckUpdateIn,
    DiscoveryIn,
    DiscoveryOut,
    PingOut,
    WindowEndOut,
    WindowIn,
    WindowOut,
    WindowPage,
    WindowUpdateIn,
)
from .views.overview import may_see_details

router = access.declare(Router(tags=["monitoring"]), access.SIGNED_IN)
CHECKS = access.Gate(
    access.Audience.STAFF, message=gettext_lazy("Only operators and administrators define checks.")
)


def _ping(token: str, ok: bool, request: HttpRequest) -> dict[str, Any]:
    detail = request.body[:500].decode("utf-8", "replace").strip() if request.method == "POST" else ""
    stored = services.receive_push(token, ok=ok, detail=detail) is not None
    return {"ok": True, "stored": stored}


@router.api_operation(
    ["GET", "POST", "HEAD"], "/push/{token}", response={200: PingOut, **errors(404)}, auth=None
)
def ping(request: HttpRequest, token: TextLine) -> dict[str, Any]:
    """The job ran: call this at the end of every successful run (GET or POST; a POST body is kept)."""
    return _ping(token, True, request)


@router.api_operation(
    ["GET", "POST"], "/push/{token}/fail", response={200: PingOut, **errors(404)}, auth=None
)
def ping_fail(request: HttpRequest, token: TextLine) -> dict[str, Any]:
    """The job failed: the check goes down at once (a POST body is kept as the reason)."""
    return _ping(token, False, request)


CHECK_ORDER = [SortKey("name"), SortKey("id")]  # backed by the index check_name_id


def check_row(check: Check) -> dict[str, Any]:
    """A check as the list shows it: its definition's headlines and its current state."""
    state = getattr(check, "state", None)
    return {
        "id": check.pk,
        "name": check.name,
        "kind": check.kind,
        "target": check.target,
        "host": check.host,
        "active": check.active,
        "status": state.status if state else "unknown",
        "hard_status": state.hard_status if state else "unknown",
        "flapping": bool(state and state.flapping),
        "last_result_at": state.last_result_at if state else None,
        "melding_id": state.melding_id if state else None,
        "availability_target": float(check.availability_target),
        "latency_target_ms": check.latency_target_ms,
        "error": state.error if state else "",
        "error_at": state.error_at if state else None,
        **ci_fields(check),
    }


def ci_fields(check: Check) -> dict[str, Any]:
    """The check's configuration item: `ci_id` and `ci` ({id, name}), or nulls."""
    ci = check.ci if check.ci_id is not None else None
    return {"ci_id": check.ci_id, "ci": {"id": ci.pk, "name": ci.name} if ci is not None else None}


@access.gate(
    access.Gate(
        access.Audience.STAFF, message=gettext_lazy("Only operators and administrators define checks.")
    )
)
@router.get(
    "/checks",
    response={200: CheckPage, **errors(400, 403)},
    summary="List checks with their state (keyset pagination)",
)
def list_checks(request: HttpRequest, cursor: TextLine | None = None, limit: Int64 = 50) -> dict[str, Any]:
    """Checks by name, `limit` (1-200) per page, each with its current state; pass `next_cursor`
    as `cursor` for the next page (`null` on the last)."""
    user = current_user(request)
    if not 1 <= limit <= 200:
        raise DomainError(_("limit must be between 1 and 200."), field_errors={"limit": _("Out of range.")})
    checks = Check.objects.visible_to(user).select_related("state", "ci")
    page = keyset_page(checks, CHECK_ORDER, cursor=cursor, size=limit)
    return {"items": [check_row(c) for c in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/alertmanager/{token}", response={200: AlertsOut, **errors(400, 404)}, auth=None, url_name="alertmanager"
)
def alertmanager_webhook(request: HttpRequest, token: TextLine, message: InboundMessage) -> dict[str, int]:
    """Prometheus Alertmanager webhook (version 4): each alert becomes a melding, one per fingerprint.

    Configure it in Alertmanager as a webhook receiver with this URL (the token is the credential),
    or POST to /alertmanager with `Authorization: Bearer <token>`. Unknown fields are ignored."""
    return services.receive_alerts(token, message)


@router.post("/alertmanager", response={200: AlertsOut, **errors(400, 404)}, auth=None)
def alertmanager_webhook_bearer(request: HttpRequest, message: InboundMessage) -> dict[str, int]:
    """The same, with the token in the Authorization header (Alertmanager's http_config)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotFound(_("Unknown alert source."))
    return services.receive_alerts(token.strip(), message)


@access.gate(
    access.Gate(
        access.Audience.STAFF, message=gettext_lazy("Only operators and administrators define checks.")
    )
)
@router.get(
    "/checks/{check_id}/status",
    response={200: dict[str, Any], **errors(403, 404)},
    summary="A check's state, availability over 24 h / 7 d / 30 d against its norm and its latest "
    "results (result details only for administrators and the check's creator); operators",
)
def check_status(request: HttpRequest, check_id: Id) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    check = Check.objects.visible_to(user).select_related("state").filter(pk=check_id).first()
    if check is None:
        raise NotFound(_("No such check."))
    state = getattr(check, "state", None)
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
        "error": state.error if state else "",
        "error_at": state.error_at if state else None,
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
    response={200: dict[str, Any], **errors(404)},
    auth=None,
    summary="A public status page (no login): public names, state and availability over 24 h and 30 d",
)
def public_status_page(request: HttpRequest, slug: TextLine) -> dict[str, Any]:
    data = queries.public_status(slug)
    if data is None:
        raise NotFound(_("No such status page."))
    return data


def _visible(request: HttpRequest, check_id: int) -> Check:
    check = Check.objects.visible_to(current_user(request)).filter(pk=check_id).first()
    if check is None:
        raise NotFound(_("No such check."))
    return check


def _ref(model: type[models.Model], pk: int | None, name: str) -> Any:
    if pk is None:
        return None
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise DomainError(_("The check is not valid."), field_errors={name: _("No such item.")})
    return found


def _data(request: HttpRequest, payload: CheckIn) -> services.CheckData:
    user = current_user(request)
    parent = None
    if payload.parent is not None:
        parent = Check.objects.visible_to(user).filter(pk=payload.parent).first()
        if parent is None:
            raise DomainError(_("The check is not valid."), field_errors={"parent": _("No such check.")})
    return services.CheckData(
        name=payload.name,
        kind=payload.kind,
        target=payload.target,
        host=payload.host,
        interval_seconds=payload.interval_seconds,
        timeout_seconds=payload.timeout_seconds,
        max_attempts=payload.max_attempts,
        retry_interval_seconds=payload.retry_interval_seconds,
        grace_seconds=payload.grace_seconds,
        parent=parent,
        tags=payload.tags,
        impact=_ref(Impact, payload.impact, "impact"),
        urgency=_ref(Urgency, payload.urgency, "urgency"),
        operator_group=_ref(OperatorGroup, payload.operator_group, "operator_group"),
        resolve_on_recovery=payload.resolve_on_recovery,
        active=payload.active,
        options=payload.options,
        availability_target=payload.availability_target,
        latency_target_ms=payload.latency_target_ms,
        ci=payload.ci_id,
    )


def check_detail(check: Check) -> dict[str, Any]:
    """A check as the API shows it to operators: secret option values masked. A ping check has
    `monitor_icmp` (read-only): how the monitor may send ICMP, "unprivileged", "raw" or "none"
    (ping checks cannot work), or null when no monitor has said so yet."""
    ping_url = None
    if check.kind == CheckKind.PUSH and check.push_token:
        ping_url = str(settings.SITE_URL).rstrip("/") + reverse("api:ping", args=[check.push_token])
    extra: dict[str, Any] = {}
    if check.kind == CheckKind.PING:
        extra["monitor_icmp"] = monitor_status.icmp_capability()
    state = CheckState.objects.filter(pk=check.pk).values_list("error", "error_at").first() or ("", None)
    return {
        "id": check.pk,
        "version": check.version,
        "name": check.name,
        "kind": check.kind,
        "target": check.target,
        "host": check.host,
        "interval_seconds": check.interval_seconds,
        "timeout_seconds": check.timeout_seconds,
        "max_attempts": check.max_attempts,
        "retry_interval_seconds": check.retry_interval_seconds,
        "grace_seconds": check.grace_seconds,
        "parent": check.parent_id,
        "tags": check.tags,
        "impact": check.impact_id,
        "urgency": check.urgency_id,
        "operator_group": check.operator_group_id,
        "resolve_on_recovery": check.resolve_on_recovery,
        "active": check.active,
        "availability_target": float(check.availability_target),
        "latency_target_ms": check.latency_target_ms,
        "options": services.shown_options(check),
        "ping_url": ping_url,
        **ci_fields(check),
        "error": state[0],
        "error_at": state[1],
        "priority": priority.level if (priority := services.outage_priority(check)) else None,
        **extra,
    }


@access.gate(
    access.Gate(
        access.Audience.STAFF, message=gettext_lazy("Only operators and administrators define checks.")
    )
)
@router.get(
    "/checks/{check_id}", url_name="monitoring-check", response={200: dict[str, Any], **errors(403, 404)}
)
def get_check(request: HttpRequest, check_id: Id) -> dict[str, Any]:
    """One check with its options (secret values shown as ********). For a ping check,
    `monitor_icmp` says whether the monitor may ping: "unprivileged" or "raw" (it can), "none" (it
    cannot: every ping check fails until ICMP is allowed), or null (no monitor has reported yet)."""
    check = _visible(request, check_id)
    return {**check_detail(check), "likely_cause": likely_cause_out(check)}


@access.gate(
    access.Gate(
        access.Audience.STAFF, message=gettext_lazy("Only operators and administrators define checks.")
    )
)
@router.post("/checks", response={201: dict, **errors(400, 403)})
def create_check(request: HttpRequest, payload: CheckIn) -> Answer:
    """Define a check (operators and administrators); 400 with a message per field when invalid."""
    check = services.create_check(actor=current_user(request), data=_data(request, payload))
    return Answer(201, check_detail(check))


@access.gate(
    access.Gate(
        access.Audience.STAFF, message=gettext_lazy("Only operators and administrators define checks.")
    )
)
@router.put("/checks/{check_id}", response={200: dict[str, Any], **errors(400, 403, 404, 409)})
def update_check(request: HttpRequest, check_id: Id, payload: CheckUpdateIn) -> dict[str, Any]:
    """Change a check; send `version` from the last read to be told (409) about a concurrent edit.
    A secret option value sent as ******** keeps the stored value, unless the kind, target or host
    changes: then it is cleared (a masked header is dropped; a required SNMP community or key gives
    a 400 asking to enter it again), so a secret only goes to the target it was entered for."""
    check = services.update_check(
        _visible(request, check_id),
        actor=current_user(request),
        data=_data(request, payload),
        expected_version=payload.version,
    )
    return check_detail(check)


@access.gate(
    access.Gate(
        access.Audience.STAFF, message=gettext_lazy("Only operators and administrators define checks.")
    )
)
@router.delete("/checks/{check_id}", response={204: None, **errors(403, 404)})
def delete_check(request: HttpRequest, check_id: Id) -> HttpResponse:
    """Remove a check and its results (its meldingen stay)."""
    services.delete_check(_visible(request, check_id), actor=current_user(request))
    return HttpResponse(status=204)


# --------------------------------------------------------------------------------------------------
# maintenance windows


WINDOW_ORDER = [SortKey("name"), SortKey("id")]


def _window_data(payload: WindowIn) -> services.WindowData:
    def joined(value: str | list[str]) -> str:
        return value if isinstance(value, str) else ",".join(value)

    return services.WindowData(
        name=payload.name,
        start=payload.start,
        duration_minutes=payload.duration_minutes,
        time_zone=payload.time_zone,
        rule=payload.rule,
        checks=payload.checks,
        tags=joined(payload.tags),
        hosts=joined(payload.hosts),
        active=payload.active,
        cis=payload.ci_ids,
        include_dependants=payload.include_dependants,
    )


def window_out(window: MaintenanceWindow, *, now: datetime | None = None) -> dict[str, Any]:
    """A window as the API shows it: `start` is the first start (UTC); `next_start` the next
    occurrence that starts after now, `running` whether one is in progress (both from the pure
    evaluation in windows.py; an inactive window has neither)."""
    now = now or clock.now()
    pure = window.window() if window.active else None
    return {
        "id": window.pk,
        "name": window.name,
        "start": window.start,
        "time_zone": window.time_zone,
        "duration_minutes": window.duration_minutes,
        "rule": window.rule,
        "checks": sorted(c.pk for c in window.checks.all()),
        "tags": window.tags,
        "hosts": window.hosts,
        "ci_ids": sorted(c.pk for c in window.cis.all()),
        "cis": [{"id": c.pk, "name": c.name} for c in sorted(window.cis.all(), key=lambda c: (c.name, c.pk))],
        "include_dependants": window.include_dependants,
        "active": window.active,
        "version": window.version,
        "next_start": pure.next_start(now) if pure else None,
        "running": bool(pure and pure.active_at(now)),
    }


def _scheduler(request: HttpRequest) -> User:
    user = current_user(request)
    if not access.is_staff(user):
        raise PermissionDenied(_("Only operators and administrators schedule maintenance windows."))
    return user


def _visible_window(request: HttpRequest, window_id: int) -> MaintenanceWindow:
    window = MaintenanceWindow.objects.visible_to(_scheduler(request)).filter(pk=window_id).first()
    if window is None:
        raise NotFound(_("No such maintenance window."))
    return window


@router.get(
    "/windows",
    response={200: WindowPage, **errors(400, 403)},
    summary="List maintenance windows (keyset pagination)",
)
def list_windows(request: HttpRequest, cursor: TextLine | None = None, limit: Int64 = 50) -> dict[str, Any]:
    """Maintenance windows by name, `limit` (1-200) per page; pass `next_cursor` as `cursor`."""
    user = _scheduler(request)
    if not 1 <= limit <= 200:
        raise DomainError(_("limit must be between 1 and 200."), field_errors={"limit": _("Out of range.")})
    page = keyset_page(MaintenanceWindow.objects.visible_to(user), WINDOW_ORDER, cursor=cursor, size=limit)
    prefetch_related_objects(
        page.items,
        Prefetch("checks", queryset=Check.objects.only("pk")),
        Prefetch("cis", queryset=ConfigurationItem.objects.only("pk", "name")),
    )
    now = clock.now()
    return {"items": [window_out(w, now=now) for w in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/windows/{window_id}", response={200: WindowOut, **errors(403, 404)}, url_name="monitoring-window"
)
def get_window(request: HttpRequest, window_id: Id) -> dict[str, Any]:
    """One maintenance window."""
    return window_out(_visible_window(request, window_id))


@router.post("/windows", response={201: WindowOut, **errors(400, 403)})
def create_window(request: HttpRequest, payload: WindowIn) -> Answer:
    """Schedule a maintenance window (operators and up); 400 with a message per field when invalid.
    `start` without an offset is local time in `time_zone`; with one, it is converted to it."""
    window = services.create_window(actor=_scheduler(request), data=_window_data(payload))
    return Answer(201, window_out(window))


@router.put("/windows/{window_id}", response={200: WindowOut, **errors(400, 403, 404, 409)})
def update_window(request: HttpRequest, window_id: Id, payload: WindowUpdateIn) -> dict[str, Any]:
    """Change a window (every field); send `version` from the last read to get 409 on a
    concurrent edit."""
    window = services.update_window(
        _visible_window(request, window_id),
        actor=_scheduler(request),
        data=_window_data(payload),
        expected_version=payload.version,
    )
    return window_out(window)


@router.delete("/windows/{window_id}", response={204: None, **errors(403, 404)})
def delete_window(request: HttpRequest, window_id: Id) -> HttpResponse:
    """Remove a window (results recorded during it stay flagged as in maintenance)."""
    services.delete_window(_visible_window(request, window_id), actor=_scheduler(request))
    return HttpResponse(status=204)


@router.post("/windows/{window_id}/end", response={200: WindowEndOut, **errors(403, 404)})
def end_window(request: HttpRequest, window_id: Id) -> dict[str, Any]:
    """End the window now. `outcome`: `shortened` (a running one-off window now ends now),
    `cancelled` (a one-off window that had not started, now inactive), `next_occurrence` (a
    recurring window: this occurrence ended, the first start moved to the next one) or `unchanged`
    (nothing was running: calling it twice is harmless)."""
    window, outcome = services.end_window_now(_visible_window(request, window_id), actor=_scheduler(request))
    return {**window_out(window), "outcome": str(outcome)}


# --------------------------------------------------------------------------------------------------
# pausing checks and the history of checks and windows


@router.post("/checks/{check_id}/pause", response={200: dict[str, Any], **errors(403, 404)})
def pause_check(request: HttpRequest, check_id: Id) -> dict[str, Any]:
    """Stop probing the check (it becomes inactive; pausing twice is harmless)."""
    check = services.pause_check(_visible(request, check_id), actor=current_user(request))
    return check_detail(check)


@router.post("/checks/{check_id}/resume", response={200: dict[str, Any], **errors(403, 404)})
def resume_check(request: HttpRequest, check_id: Id) -> dict[str, Any]:
    """Probe the check again (it becomes active)."""
    check = services.resume_check(_visible(request, check_id), actor=current_user(request))
    return check_detail(check)


@router.get(
    "/checks/{check_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="A check's history, newest first (keyset pagination)",
)
def check_history(
    request: HttpRequest, check_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    """Who changed the check, when, what, old -> new (labels and values in the reader's language,
    secret values only as changed), `limit` (1-200) per page; pass `next_cursor` as `cursor` for
    older rows. A check that does not exist or is not yours to see answers 404."""
    return subject_history_page(
        CheckHistoryEntry,
        check_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("No such check."),
    )


@router.get(
    "/windows/{window_id}/history",
    response={200: HistoryRecordPage, **errors(400, 403, 404)},
    summary="A maintenance window's history, newest first (keyset pagination)",
)
def window_history(
    request: HttpRequest, window_id: Id, cursor: TextLine | None = None, limit: Int64 = 50
) -> dict[str, Any]:
    """Who scheduled, changed, ended or deleted parts of the window, when, old -> new, `limit`
    (1-200) per page; pass `next_cursor` as `cursor` for older rows. 404 as for the window."""
    return subject_history_page(
        MaintenanceWindowHistoryEntry,
        window_id,
        user=current_user(request),
        cursor=cursor,
        limit=limit,
        missing=_("No such maintenance window."),
    )


# --------------------------------------------------------------------------------------------------
# discovery over SNMP

DISCOVERY = access.Gate(
    access.Audience.STAFF, message=gettext_lazy("Only operators and administrators discover devices.")
)


def _interface_out(row: cmdb.FoundInterface) -> dict[str, Any]:
    return {**asdict(row), "kind": str(row.kind)}


def discovery_out(
    found: cmdb.FoundDevice, plan: cmdb.DiscoveryPlan, applied: cmdb.DiscoveryResult | None
) -> dict[str, Any]:
    return {
        "device": {
            name: getattr(found, name) for name in ("name", "description", "object_id", "location", "contact")
        },
        "basis": plan.basis,
        "truncated": plan.truncated,
        "new": [_interface_out(row) for row in plan.new],
        "changed": [
            {
                "interface_id": row.interface_id,
                "name": row.name,
                "found": _interface_out(row.found),
                "changes": [asdict(c) for c in row.changes],
            }
            for row in plan.changed
        ],
        "unchanged": plan.unchanged,
        "gone": [asdict(row) for row in plan.gone],
        "skipped": [asdict(row) for row in plan.skipped],
        "item_changes": [asdict(c) for c in plan.item_changes],
        "applied": None
        if applied is None
        else {
            **{
                k: list(getattr(applied, k))
                for k in ("created", "updated", "disabled", "removed", "kept_linked")
            },
            "failed": [{"name": name, "reason": reason} for name, reason in applied.failed],
            "item_changed": list(applied.item_changed),
        },
    }


@access.gate(DISCOVERY)
@router.post("/discovery/{item_id}", response={200: DiscoveryOut, **errors(400, 403, 404, 409)})
def discover_interfaces(request: HttpRequest, item_id: Id, payload: DiscoveryIn) -> dict[str, Any]:
    """Read a device's system group and interface table over SNMP (v2c or v3) and answer the diff with
    the CI's interfaces: new, changed (old -> new per field), the unchanged count, gone from the
    device, skipped. With `apply` the diff is applied: new interfaces created, changed ones updated,
    the gone ones in `disable`/`remove` disabled or removed (a linked interface is never removed),
    and with `fill_item` the CI's empty host name and description filled. A secret left empty is
    taken from the CI's SNMP check. 400 when the address is refused by the outbound policy, the
    device does not answer in time or refuses the credentials."""
    ci = ConfigurationItem.objects.visible_to(current_user(request)).filter(pk=item_id).first()
    if ci is None:
        raise NotFound(_("Configuration item not found."))
    target = discovery.target_for(ci, payload.dict())
    found = discovery.read(target, timeout=payload.timeout_seconds)
    plan = cmdb.plan_discovery(ci, found)
    applied = None
    if payload.apply:
        applied = cmdb.apply_discovery(
            ci,
            found,
            actor=current_user(request),
            disable=payload.disable,
            remove=payload.remove,
            fill_item=payload.fill_item,
            expected_basis=payload.expected_basis or plan.basis,
        )
    return discovery_out(found, plan, applied)
