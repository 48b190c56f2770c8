"""Every write of the monitoring app: recording a result and turning state changes into meldingen.

`record_result` is called for every probe result (by the monitor process, a push check's URL, or a
test). It locks the check's state row, stores the result, runs the SOFT/HARD state machine and,
for a change worth reporting, opens or updates the outage's melding in the same transaction: one
melding per outage, not per result.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from beheer.accounts import services as accounts
from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock, config_cache
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.notifications import services as notifications
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import EntryType, Impact, Melding, Urgency, Visibility

from . import alertmanager, sealed, states
from . import options as check_options
from .models import (
    AlertSource,
    Check,
    CheckKind,
    CheckResult,
    CheckState,
    MaintenanceWindow,
    ReceivedAlert,
)
from .windows import Window

MONITOR_USERNAME = "beheer-monitoring"
DETAIL_MAX = 500


def monitor_actor() -> User:
    """The built-in operator that registers and resolves meldingen for checks; it cannot sign in."""
    return accounts.service_user(MONITOR_USERNAME, first_name="Monitoring")


def _active_windows() -> list[tuple[Window, frozenset[int], frozenset[str]]]:
    """Every active window with the checks and tags it covers; configuration, kept per process
    for a few seconds, so recording a result does not read every window again."""
    return config_cache.cached(
        "maintenance_windows",
        lambda: [
            (pure, frozenset(c.pk for c in w.checks.all()), frozenset(w.tag_list))
            for w in MaintenanceWindow.objects.filter(active=True).prefetch_related("checks")
            if (pure := w.window()) is not None
        ],
    )


def in_maintenance(check: Check, at: datetime) -> bool:
    tags = set(check.tag_list)
    return any(
        (check.pk in checks or tags & window_tags) and window.active_at(at)
        for window, checks, window_tags in _active_windows()
    )


def _parent_down(check: Check) -> bool:
    if check.parent_id is None:
        return False
    parent_state = CheckState.objects.filter(check_obj_id=check.parent_id).values_list(
        "hard_status", flat=True
    )
    return bool(parent_state) and parent_state[0] == states.Status.DOWN


def _step(
    check: Check,
    state_row: CheckState,
    *,
    ok: bool,
    at: datetime,
    latency_ms: int | None,
    detail: str,
    suppressed: bool,
) -> CheckResult:
    """Apply one result to the locked state row (changed in memory, not saved) and report what
    changed. Returns the result; it is saved here only when a report needs it in the database."""
    result = CheckResult(
        check_obj=check,
        at=at,
        ok=ok,
        latency_ms=latency_ms,
        detail=detail.replace("\x00", "")[:DETAIL_MAX],
        in_maintenance=in_maintenance(check, at),
        suppressed=suppressed,
    )
    before = state_row.as_state()
    after, events = states.step(before, ok, check.policy())
    if after.hard_status != before.hard_status:
        state_row.hard_changed_at = at
    # What people were told is decided here, not by the state machine alone: a check that went down
    # during maintenance or behind a down parent is reported once that ends, if it is still down;
    # a recovery is always reported when a melding is open (also one opened before a parent failed).
    reported = before.reported
    quiet = result.in_maintenance or suppressed
    has_melding = state_row.melding_id is not None  # read the melding only when it is needed
    if any(e.kind == states.EventKind.FLAPPING_STARTED for e in events) and state_row.melding:
        _note(state_row.melding, _("The check is flapping: it keeps changing between up and down."))
    if not after.flapping:
        if after.hard_status == states.Status.DOWN and reported != states.Status.DOWN and not quiet:
            result.save()
            state_row.melding = _open_outage(check, state_row.melding, result)
            reported = states.Status.DOWN
        elif after.hard_status == states.Status.UP and reported == states.Status.DOWN:
            if has_melding and state_row.melding:
                result.save()
                _recovered(check, state_row.melding, result)
            reported = states.Status.UP
    after = replace(after, reported=reported)
    state_row.status = after.status
    state_row.hard_status = after.hard_status
    state_row.attempt = after.attempt
    state_row.recent = list(after.recent)
    state_row.flapping = after.flapping
    state_row.reported = after.reported
    state_row.last_result_at = at
    return result


@transaction.atomic
def record_result(
    check: Check, *, ok: bool, at: datetime | None = None, latency_ms: int | None = None, detail: str = ""
) -> CheckResult:
    """Store one result and act on what it changes (see the module docstring)."""
    at = at or clock.now()
    state_row, _created = CheckState.objects.get_or_create(check_obj=check)
    state_row = CheckState.objects.select_for_update().get(pk=state_row.pk)
    result = _step(
        check, state_row, ok=ok, at=at, latency_ms=latency_ms, detail=detail, suppressed=_parent_down(check)
    )
    if result.pk is None:
        result.save()
    state_row.save()
    return result


@dataclass(frozen=True)
class Outcome:
    """One probe's outcome, as the monitor process hands it over for recording."""

    check_id: int
    ok: bool
    at: datetime
    latency_ms: int | None
    detail: str
    due_at: datetime | None = None  # when the probe was due: the next one is due an interval later


_STATE_COLUMNS = (
    "status",
    "hard_status",
    "attempt",
    "recent",
    "flapping",
    "reported",
    "last_result_at",
    "hard_changed_at",
    "melding_id",
    "next_due_at",
    "lease_owner",
    "lease_until",
)
_RESULT_COLUMNS = ("check_obj_id", "at", "ok", "latency_ms", "detail", "in_maintenance", "suppressed")


@transaction.atomic
def record_results(
    outcomes: list[Outcome], *, owner: str, now: datetime, claimed: dict[int, CheckState] | None = None
) -> int:
    """Record a batch of probe outcomes of the monitor process `owner` in one transaction.

    `claimed` are the state rows (with their checks) as the monitor read them when it claimed the
    checks: while `owner` holds the lease nobody else writes them, so they are not read again, and
    each is written back only if the lease is still the owner's. Without `claimed` the rows are
    read and locked here. A few statements for the whole batch: the parents' states, one insert of
    the results and one update per state row (executemany). A check whose lease passed to another
    monitor is recorded but not rescheduled; an inactive or deleted check is not recorded. Only a
    change worth reporting costs more (a melding). Returns the number of results stored.
    """
    if not outcomes:
        return 0
    if claimed is None:
        ids = sorted({o.check_id for o in outcomes})
        claimed = {
            row.pk: row
            for row in CheckState.objects.select_for_update(of=("self",))
            .select_related("check_obj")
            .filter(pk__in=ids)
            .order_by("pk")
        }
    rows = claimed
    parent_ids = {row.check_obj.parent_id for row in rows.values() if row.check_obj.parent_id}
    parents_down = (
        set(
            CheckState.objects.filter(pk__in=parent_ids, hard_status=states.Status.DOWN).values_list(
                "pk", flat=True
            )
        )
        if parent_ids
        else set()
    )
    results: list[CheckResult] = []
    changed: list[CheckState] = []
    for outcome in sorted(outcomes, key=lambda o: (o.check_id, o.at)):
        row = rows.get(outcome.check_id)
        if row is None:
            continue
        check = row.check_obj
        if check.active:
            result = _step(
                check,
                row,
                ok=outcome.ok,
                at=outcome.at,
                latency_ms=outcome.latency_ms,
                detail=outcome.detail,
                suppressed=check.parent_id in parents_down,
            )
            if result.pk is None:
                results.append(result)
        if not row.lease_owner or row.lease_owner == owner:
            row.next_due_at = next_due(check, row, outcome, now)
        changed.append(row)
    _insert_results(results)
    _save_states(changed, owner)
    return len(results)


def _insert_results(results: list[CheckResult]) -> None:
    """One multi-row INSERT per 500 results, without the model machinery (the hot path)."""
    if not results:
        return
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    columns = ", ".join(quote(c) for c in _RESULT_COLUMNS)
    rows = [
        (r.check_obj_id, adapt(r.at), r.ok, r.latency_ms, r.detail, r.in_maintenance, r.suppressed)
        for r in results
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {quote(CheckResult._meta.db_table)} ({columns}) VALUES {marks}",  # noqa: S608
                [value for row in chunk for value in row],
            )


def _save_states(rows: list[CheckState], owner: str) -> None:
    """Write the state rows back (executemany; Django's bulk_update builds a CASE per field and row,
    which costs milliseconds per row) and release the owner's leases; a row whose lease another
    monitor took meanwhile is left to that monitor."""
    if not rows:
        return
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datetimefield_value
    json_mark = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    assignments = ", ".join(
        f"{quote(c)} = {json_mark if c == 'recent' else '%s'}" for c in _STATE_COLUMNS if c != "lease_owner"
    )
    sql = (
        f"UPDATE {quote(CheckState._meta.db_table)} SET {assignments}, {quote('lease_owner')} = '' "  # noqa: S608
        f"WHERE {quote('check_obj_id')} = %s AND {quote('lease_owner')} IN ('', %s)"
    )
    params = [
        (
            r.status,
            r.hard_status,
            r.attempt,
            json.dumps(r.recent),
            r.flapping,
            r.reported,
            adapt(r.last_result_at),
            adapt(r.hard_changed_at),
            r.melding_id,
            adapt(r.next_due_at),
            None,
            r.pk,
            owner[:100],
        )
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def next_due(check: Check, row: CheckState, outcome: Outcome, now: datetime) -> datetime:
    """The next probe: an interval after this one was due (no drift), sooner while a failure is being
    confirmed, never in the past; an hour away for a check that is no longer active."""
    if not check.active:
        return now + timedelta(hours=1)
    soft = row.status != row.hard_status
    wait = timedelta(seconds=check.retry_interval_seconds if soft else check.interval_seconds)
    base = outcome.due_at or outcome.at
    return max(base + wait, now)


def _describe(check: Check, result: CheckResult) -> str:
    lines = [
        _("Check: %(name)s (%(kind)s)") % {"name": check.name, "kind": check.get_kind_display()},
        _("Target: %(target)s") % {"target": check.target or check.host},
        _("Failed at: %(at)s") % {"at": result.at.isoformat(timespec="seconds")},
    ]
    if result.detail:
        lines.append(_("Result: %(detail)s") % {"detail": result.detail})
    recent = CheckResult.objects.filter(check_obj=check).order_by("-at", "-id")[:10]
    lines.append(_("Recent results:"))
    lines += [
        f"  {r.at.isoformat(timespec='seconds')}  {'OK' if r.ok else 'FAIL'}  {r.detail[:120]}"
        for r in recent
    ]
    return "\n".join(lines)


def _open_or_reopen(
    current: Melding | None,
    *,
    brief: str,
    request: str,
    again: str,
    object_name: str,
    impact: Any,
    urgency: Any,
    operator_group: Any,
) -> Melding:
    """One melding per outage: a note on the open one, else re-open the resolved one (within the
    re-open period), else a new melding with entry type "monitoring"."""
    actor = monitor_actor()
    if current is not None:
        current = Melding.objects.select_related("status").get(pk=current.pk)
        if current.is_open:
            _note(current, again + "\n" + request)
            return current
        if current.closed_at is None:
            try:
                return servicedesk.reopen_melding(current, reason=again + "\n" + request, actor=actor)
            except DomainError:
                pass  # past the reopen period: a new melding below
    return servicedesk.open_melding(
        actor=actor,
        brief_description=brief[:80],
        request=request,
        entry_type=EntryType.MONITORING,
        caller_name=_("Monitoring"),
        object_name=object_name[:200],
        impact=impact,
        urgency=urgency,
        operator_group=operator_group,
    )


def _open_outage(check: Check, current: Melding | None, result: CheckResult) -> Melding:
    melding = _open_or_reopen(
        current,
        brief=_("Down: %(name)s") % {"name": check.name},
        request=_describe(check, result),
        again=_("Down again."),
        object_name=check.host or check.target,
        impact=check.impact,
        urgency=check.urgency,
        operator_group=check.operator_group,
    )
    _alert(check, firing=True, melding=melding, result=result)
    return melding


def _check_labels(check: Check) -> dict[str, str]:
    return {
        "alertname": "BeheerCheckDown",
        "check": check.name,
        "check_id": str(check.pk),
        "kind": str(check.kind),
        "instance": check.host or check.target,
        "tags": ",".join(check.tag_list),
    }


def _alert(check: Check, *, firing: bool, melding: Melding, result: CheckResult) -> None:
    """Tell the check's operator group (e-mail) and the subscribed webhooks (Alertmanager v4 JSON)."""
    summary = (_("Down: %(name)s") if firing else _("Up again: %(name)s")) % {"name": check.name}
    link = str(settings.SITE_URL).rstrip("/") + reverse("melding-detail", args=[melding.pk])
    body = alertmanager.outbound(
        firing=firing,
        labels=_check_labels(check),
        annotations={"summary": summary, "description": result.detail},
        starts_at=result.at if firing else melding.created_at,
        ends_at=None if firing else result.at,
        generator_url=link,
        external_url=str(settings.SITE_URL).rstrip("/"),
    )
    notifications.enqueue(
        "check_down" if firing else "check_up",
        key=f"check:{check.pk}:{'down' if firing else 'up'}:{result.at.isoformat()}",
        recipients=[check.operator_group] if check.operator_group is not None else [],
        context={
            "melding_number": melding.number,
            "brief_description": melding.brief_description,
            "link_url": link,
            "check_name": check.name,
            "target": check.host or check.target,
            "result_detail": result.detail,
            "webhook_body": body,
        },
        object_ref=("melding", melding.pk),
    )


def _note(melding: Melding, text: str) -> None:
    servicedesk.add_note(melding, text=text, visibility=Visibility.INTERNAL, actor=monitor_actor())


def _recovered(check: Check, melding: Melding, result: CheckResult) -> None:
    melding = Melding.objects.select_related("status").get(pk=melding.pk)
    _alert(check, firing=False, melding=melding, result=result)
    if not melding.is_open:
        return
    text = _("Recovered at %(at)s.") % {"at": result.at.isoformat(timespec="seconds")}
    if check.resolve_on_recovery:
        servicedesk.resolve_melding(
            melding,
            solution=_("The check %(name)s is up again.") % {"name": check.name} + " " + text,
            actor=monitor_actor(),
            expected_version=None,
        )
    else:
        _note(melding, text)


PUSH_MIN_SECONDS_BETWEEN = 1  # pings closer together than this are acknowledged but not stored


def issue_push_token(check: Check, *, actor: User) -> str:
    """Give a push check a new secret URL token (the old URL stops working)."""
    if not getattr(actor, "is_staff_member", False):
        raise PermissionDenied(_("Only operators manage checks."))
    if check.kind != CheckKind.PUSH:
        raise DomainError(_("Only push checks have a ping URL."))
    token = secrets.token_urlsafe(24)
    Check.objects.filter(pk=check.pk).update(push_token=token)
    check.push_token = token
    return token


@transaction.atomic
def receive_push(token: str, *, ok: bool, detail: str = "", at: datetime | None = None) -> CheckResult | None:
    """A ping from a cron job or backup script; NotFound for an unknown or inactive token.

    Returns None when the ping came within a second of the previous one (stored once).
    """
    at = at or clock.now()
    check = (
        Check.objects.filter(push_token=token, active=True, kind=CheckKind.PUSH).first() if token else None
    )
    if check is None:
        raise NotFound(_("Unknown ping URL."))
    last = CheckState.objects.filter(pk=check.pk).values_list("last_result_at", flat=True).first()
    if ok and last is not None and (at - last).total_seconds() < PUSH_MIN_SECONDS_BETWEEN:
        return None
    return record_result(check, ok=ok, at=at, detail=detail or (_("Ping") if ok else _("Failure reported")))


def sweep_overdue_pushes(*, now: datetime | None = None) -> int:
    """Record a failure for every push check whose ping is later than its period plus grace."""
    now = now or clock.now()
    made = 0
    candidates = Check.objects.filter(active=True, kind=CheckKind.PUSH).select_related("state")
    for check in candidates.iterator(chunk_size=500):
        state = getattr(check, "state", None)
        last = state.last_result_at if state else None
        if state is not None and state.status == states.Status.DOWN and last is not None:
            due = last + timedelta(seconds=check.interval_seconds)  # one failure per silent period
        else:
            due = (last or check.created_at) + timedelta(seconds=check.interval_seconds + check.grace_seconds)
        if now < due:
            continue
        last_ping = (
            CheckResult.objects.filter(check_obj=check, ok=True)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        when = (last_ping or check.created_at).isoformat(timespec="seconds")
        record_result(check, ok=False, at=now, detail=_("No ping since %(since)s.") % {"since": when})
        made += 1
    return made


# --------------------------------------------------------------------------------------------------
# Prometheus Alertmanager webhooks in


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_alert_source_token(source: AlertSource, *, actor: User) -> str:
    """A new secret for the source's webhook URL (the old URL stops working); shown once."""
    if not getattr(actor, "is_administrator", False):
        raise PermissionDenied(_("Only administrators may configure alert sources."))
    token = secrets.token_urlsafe(24)
    source.token_hash = _token_hash(token)
    source.save(update_fields=["token_hash"])
    return token


@transaction.atomic
def create_alert_source(
    *,
    actor: User,
    name: str,
    operator_group: Any = None,
    impact: Any = None,
    urgency: Any = None,
    resolve_on_resolved: bool = True,
) -> tuple[AlertSource, str]:
    """A new Alertmanager source and the token of its webhook URL."""
    if not getattr(actor, "is_administrator", False):
        raise PermissionDenied(_("Only administrators may configure alert sources."))
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise DomainError(
            _("A name of at most 120 characters is required."),
            field_errors={"name": _("A name of at most 120 characters is required.")},
        )
    token = secrets.token_urlsafe(24)
    source = AlertSource.objects.create(
        name=name,
        token_hash=_token_hash(token),
        operator_group=operator_group,
        impact=impact,
        urgency=urgency,
        resolve_on_resolved=resolve_on_resolved,
        created_by=actor,
        created_at=clock.now(),
    )
    return source, token


def _alert_request(source: AlertSource, alert: alertmanager.InboundAlert) -> str:
    lines = [_("Alert from %(source)s: %(title)s") % {"source": source.name, "title": alert.title()}]
    if alert.annotations.get("description"):
        lines.append(alert.annotations["description"])
    if alert.startsAt:
        lines.append(_("Firing since: %(at)s") % {"at": alert.startsAt.isoformat(timespec="seconds")})
    lines.append(_("Labels:"))
    lines += [f"  {k}={v}" for k, v in sorted(alert.labels.items())]
    if alert.generatorURL:
        lines.append(_("Source: %(url)s") % {"url": alert.generatorURL[:500]})
    return "\n".join(lines)


@transaction.atomic
def receive_alerts(
    token: str, message: alertmanager.InboundMessage, *, at: datetime | None = None
) -> dict[str, int]:
    """Turn an Alertmanager webhook into meldingen: a firing alert opens (or re-opens) one melding
    per fingerprint, repeats of a firing alert change nothing, a resolved alert adds a note and
    (configurable per source) resolves the melding. Returns counts per outcome."""
    source = AlertSource.objects.filter(token_hash=_token_hash(token or ""), active=True).first()
    if source is None:
        raise NotFound(_("Unknown alert source."))
    now = at or clock.now()
    counts = {"opened": 0, "repeated": 0, "resolved": 0, "ignored": 0}
    for alert in message.alerts:
        identity = alert.identity()
        title = alert.title()[:200]
        row, _created = ReceivedAlert.objects.get_or_create(
            source=source,
            fingerprint=identity,
            defaults={
                "status": "new",
                "title": title,
                "labels": alert.labels,
                "first_received_at": now,
                "last_received_at": now,
            },
        )
        row = (
            ReceivedAlert.objects.select_for_update(of=("self",))
            .select_related("melding__status")
            .get(pk=row.pk)
        )
        open_melding = row.melding if row.melding is not None and row.melding.is_open else None
        if alert.status == "firing":
            if row.status == "firing" and open_melding is not None:
                counts["repeated"] += 1
            else:
                row.melding = _open_or_reopen(
                    row.melding,
                    brief=_("Alert: %(title)s") % {"title": title},
                    request=_alert_request(source, alert),
                    again=_("The alert is firing again."),
                    object_name=alert.labels.get("instance", "") or alert.labels.get("job", ""),
                    impact=source.impact,
                    urgency=source.urgency,
                    operator_group=source.operator_group,
                )
                counts["opened"] += 1
            row.status = "firing"
        elif open_melding is not None and row.status != "resolved":
            text = _("The alert %(title)s is resolved.") % {"title": title}
            if source.resolve_on_resolved:
                servicedesk.resolve_melding(
                    open_melding, solution=text, actor=monitor_actor(), expected_version=None
                )
            else:
                _note(open_melding, text)
            row.status = "resolved"
            counts["resolved"] += 1
        else:
            row.status = "resolved"
            counts["ignored"] += 1
        row.title, row.labels, row.last_received_at = title, alert.labels, now
        row.save()
    return counts


# defining checks (operators and administrators)


@dataclass(frozen=True)
class CheckData:
    """What a person defines for a check; the services check every rule."""

    name: str
    kind: str
    target: str = ""
    host: str = ""
    interval_seconds: int = 60
    timeout_seconds: int = 10
    max_attempts: int = 3
    retry_interval_seconds: int = 10
    grace_seconds: int = 300
    parent: Check | None = None
    tags: str = ""
    impact: Impact | None = None
    urgency: Urgency | None = None
    operator_group: OperatorGroup | None = None
    resolve_on_recovery: bool = True
    active: bool = True
    options: dict[str, Any] = field(default_factory=dict)
    availability_target: Decimal = Decimal("99.9")  # quality norm: percent of the time up
    latency_target_ms: int | None = None  # quality norm: p95 response time


def _require_definer(actor: User) -> None:
    if not getattr(actor, "is_staff_member", False):
        raise PermissionDenied(_("Only operators and administrators define checks."))


def plain_options(check: Check) -> dict[str, Any]:
    """The check's stored options with their secrets decrypted (for the monitor and editing)."""
    return sealed.reveal(check.kind, check.options or {})


def shown_options(check: Check) -> dict[str, Any]:
    """Every option of the check's kind, with secret values masked (for screens and the API)."""
    return check_options.mask(check.kind, check_options.with_defaults(check.kind, check.options))


def _apply(check: Check, data: CheckData, *, old_plain: dict[str, Any]) -> None:
    """Validate `data` and copy it onto `check` (not saved); DomainError with every field message."""
    errors: dict[str, str] = {}
    kind = data.kind
    if kind not in CheckKind.values:
        raise DomainError(_("The check is not valid."), field_errors={"kind": _("Unknown kind of check.")})
    if not data.name.strip():
        errors["name"] = _("Enter a name.")
    try:
        target = check_options.clean_target(kind, data.target)
    except check_options.OptionsError as exc:
        errors.update(exc.fields)
        target = data.target
    submitted = dict(data.options or {})
    if check.pk and check.kind == kind:
        submitted = check_options.keep_secrets(kind, submitted, old_plain)
    try:
        parsed = check_options.parse(kind, submitted)
    except check_options.OptionsError as exc:
        errors.update({f"options.{name}": message for name, message in exc.fields.items()})
        parsed = None
    parent = data.parent
    if parent is not None and check.pk:
        seen: set[int] = set()
        walker: Check | None = parent
        while walker is not None and walker.pk not in seen:
            if walker.pk == check.pk:
                errors["parent"] = _("A check cannot depend on itself or on a check that depends on it.")
                break
            seen.add(walker.pk)
            walker = walker.parent
    check.name = data.name.strip()
    check.kind = kind
    check.target = target
    check.host = data.host.strip()
    check.interval_seconds = data.interval_seconds
    check.timeout_seconds = data.timeout_seconds
    check.max_attempts = data.max_attempts
    check.retry_interval_seconds = data.retry_interval_seconds
    check.grace_seconds = data.grace_seconds
    check.parent = parent
    check.tags = data.tags.strip()
    check.impact = data.impact
    check.urgency = data.urgency
    check.operator_group = data.operator_group
    check.resolve_on_recovery = data.resolve_on_recovery
    check.active = data.active
    check.availability_target = data.availability_target
    check.latency_target_ms = data.latency_target_ms
    try:
        check.full_clean(
            exclude=["created_at", "push_token", "options", "target", "kind"], validate_unique=False
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, " ".join(messages))
    if errors:
        raise DomainError(_("The check is not valid."), field_errors=errors)
    assert parsed is not None
    check.options = sealed.seal(kind, check_options.to_stored(kind, parsed))


@transaction.atomic
def create_check(*, actor: User, data: CheckData) -> Check:
    """A new check; push checks get their secret ping URL token at once."""
    _require_definer(actor)
    check = Check(created_by=actor, created_at=clock.now())
    _apply(check, data, old_plain={})
    check.save()
    if check.kind == CheckKind.PUSH:
        issue_push_token(check, actor=actor)
    return check


@transaction.atomic
def update_check(check: Check, *, actor: User, data: CheckData, expected_version: int | None) -> Check:
    """Change a check; Conflict when somebody else saved it since `expected_version`.

    Secret option values submitted as the mask (`********`) keep their stored value. A check that
    changes its kind starts with a fresh state (its results stay).
    """
    _require_definer(actor)
    current = Check.objects.select_for_update().filter(pk=check.pk).first()
    if current is None:
        raise NotFound(_("The check no longer exists."))
    if expected_version is not None and current.version != expected_version:
        raise Conflict(_("Somebody else changed this check; reload it and make your change again."))
    kind_before, push_token = current.kind, current.push_token
    old_plain = check_options.with_defaults(current.kind, plain_options(current))
    _apply(current, data, old_plain=old_plain)
    current.version = current.version + 1
    current.save()
    if current.kind != kind_before:
        CheckState.objects.filter(pk=current.pk).update(memo={}, next_due_at=clock.now())
    if current.kind == CheckKind.PUSH and not push_token:
        issue_push_token(current, actor=actor)
    elif current.kind != CheckKind.PUSH and push_token:
        Check.objects.filter(pk=current.pk).update(push_token=None)
        current.push_token = None
    config_cache.clear()
    return current


@transaction.atomic
def delete_check(check: Check, *, actor: User) -> None:
    """Remove a check with its results; its meldingen stay, checks that depended on it no longer do."""
    _require_definer(actor)
    deleted, _rows = Check.objects.filter(pk=check.pk).delete()
    if not deleted:
        raise NotFound(_("The check no longer exists."))
    config_cache.clear()


def keep_probe_memo(check_id: int, *, memo: dict[str, Any]) -> None:
    """What a probe keeps for the next one (an SNMP counter reading); written by the monitor."""
    CheckState.objects.filter(pk=check_id).update(memo=memo)
