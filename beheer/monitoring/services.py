"""Every write of the monitoring app: recording a result and turning state changes into meldingen.

`record_result` is called for every probe result (by the monitor process, a push check's URL, or a
test). It locks the check's state row, stores the result, runs the SOFT/HARD state machine and,
for a change worth reporting, opens or updates the outage's melding in the same transaction: one
melding per outage, not per result.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts import services as accounts
from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock, config_cache
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import EntryType, Impact, Melding, Urgency, Visibility

from . import options as check_options
from . import sealed, states
from .models import Check, CheckKind, CheckResult, CheckState, MaintenanceWindow
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


@transaction.atomic
def record_result(
    check: Check, *, ok: bool, at: datetime | None = None, latency_ms: int | None = None, detail: str = ""
) -> CheckResult:
    """Store one result and act on what it changes (see the module docstring)."""
    at = at or clock.now()
    state_row, _created = CheckState.objects.get_or_create(check_obj=check)
    state_row = CheckState.objects.select_for_update().get(pk=state_row.pk)
    maintenance = in_maintenance(check, at)
    suppressed = _parent_down(check)
    result = CheckResult.objects.create(
        check_obj=check,
        at=at,
        ok=ok,
        latency_ms=latency_ms,
        detail=detail.replace("\x00", "")[:DETAIL_MAX],
        in_maintenance=maintenance,
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
    quiet = maintenance or suppressed
    if any(e.kind == states.EventKind.FLAPPING_STARTED for e in events) and state_row.melding is not None:
        _note(state_row.melding, _("The check is flapping: it keeps changing between up and down."))
    if not after.flapping:
        if after.hard_status == states.Status.DOWN and reported != states.Status.DOWN and not quiet:
            state_row.melding = _open_outage(check, state_row.melding, result)
            reported = states.Status.DOWN
        elif after.hard_status == states.Status.UP and reported == states.Status.DOWN:
            if state_row.melding is not None:
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
    state_row.save()
    return result


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


def _open_outage(check: Check, current: Melding | None, result: CheckResult) -> Melding:
    actor = monitor_actor()
    if current is not None:
        current = Melding.objects.select_related("status").get(pk=current.pk)
        if current.is_open:
            _note(current, _("Down again.") + "\n" + _describe(check, result))
            return current
        if current.closed_at is None:
            try:
                reopened = servicedesk.reopen_melding(
                    current,
                    reason=_("The check is down again.") + "\n" + _describe(check, result),
                    actor=actor,
                )
                return reopened
            except DomainError:
                pass  # past the reopen period: a new melding below
    return servicedesk.open_melding(
        actor=actor,
        brief_description=(_("Down: %(name)s") % {"name": check.name})[:80],
        request=_describe(check, result),
        entry_type=EntryType.MONITORING,
        caller_name=_("Monitoring"),
        object_name=(check.host or check.target)[:200],
        impact=check.impact,
        urgency=check.urgency,
        operator_group=check.operator_group,
    )


def _note(melding: Melding, text: str) -> None:
    servicedesk.add_note(melding, text=text, visibility=Visibility.INTERNAL, actor=monitor_actor())


def _recovered(check: Check, melding: Melding, result: CheckResult) -> None:
    melding = Melding.objects.select_related("status").get(pk=melding.pk)
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
