"""Defining checks (operators and administrators)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import CiStatus, ConfigurationItem
from beheer.core import access, clock, config_cache, history
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import Impact, Urgency

from .. import options as check_options
from .. import sealed
from ..models import (
    Check,
    CheckAction,
    CheckHistoryEntry,
    CheckKind,
    CheckState,
    MaintenanceWindow,
    MaintenanceWindowHistoryEntry,
    WindowAction,
)
from .push import issue_push_token


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
    ci: ConfigurationItem | int | None = None  # the configuration item it watches (or its id)


# What a person defines besides the kind's options: the form's common fields, and what the check's
# history compares before and after an edit (its options follow there as `options.<name>`).
FIELDS = tuple(f.name for f in fields(CheckData) if f.name != "options")
HISTORY_FIELDS = FIELDS


def _history_options(check: Check) -> dict[str, Any]:
    """The check's stored options (only those that differ from the kind's defaults) for its history,
    as `options.<name>`; a secret (a header's value, an SNMP community or key) as `history.Secret`,
    so its row says only that it changed."""
    plain = plain_options(check)
    paths = check_options.secret_paths(check.kind, plain)
    groups = {name for name, header in paths if header is not None}  # {header name: secret value}
    scalars = {name for name, header in paths if header is None}
    values: dict[str, Any] = {}
    for name, value in plain.items():
        if name in groups and isinstance(value, dict):
            for key, secret in value.items():
                values[f"options.{name}.{key}"] = history.Secret(secret)
        elif name in scalars:
            values[f"options.{name}"] = history.Secret(value)
        else:
            values[f"options.{name}"] = value
    return values


def _snapshot(check: Check) -> history.Snapshot:
    return history.snapshot(check, HISTORY_FIELDS, extra=_history_options(check))


def _require_definer(actor: User) -> None:
    if not access.is_staff(actor):
        raise PermissionDenied(_("Only operators and administrators define checks."))


def plain_options(check: Check) -> dict[str, Any]:
    """The check's stored options with their secrets decrypted (for the monitor and editing)."""
    return sealed.reveal(check.kind, check.options or {})


def shown_options(check: Check) -> dict[str, Any]:
    """Every option of the check's kind, with secret values masked (for screens and the API)."""
    return check_options.mask(check.kind, check_options.with_defaults(check.kind, check.options))


def _moves(check: Check, *, kind: str, target: str, host: str) -> bool:
    """Whether an edit points the check somewhere else (its kind, target or host changes)."""
    return (check.kind, check.target, check.host) != (kind, target.strip(), host.strip())


def secrets_cleared_by(check: Check, data: CheckData) -> list[str]:
    """The secrets (header names, option names) that `update_check` with `data` clears: those sent
    back masked while the kind, target or host changes. A stored secret is only ever sent to the
    target it was entered for; whoever points the check elsewhere enters it again."""
    try:
        target = check_options.clean_target(data.kind, data.target)
    except check_options.OptionsError:
        target = data.target
    if not check.pk or not _moves(check, kind=data.kind, target=target, host=data.host):
        return []
    return check_options.clear_masked(data.kind, dict(data.options or {}))[1]


def pick_ci(
    chosen: ConfigurationItem | int | None, *, actor: User, current_id: int | None = None
) -> ConfigurationItem | None:
    """The CI `chosen` names (an object or an id), read afresh as `actor` may see it; DomainError
    when there is none (an invisible CI answers like a missing one) or it is retired. The CI the
    object already has (`current_id`) may stay even when it was retired since."""
    if chosen is None:
        return None
    pk = chosen.pk if isinstance(chosen, ConfigurationItem) else chosen
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise DomainError(_("No such configuration item."))
    ci = ConfigurationItem.objects.visible_to(actor).filter(pk=pk).first()
    if ci is None:
        raise DomainError(_("No such configuration item."))
    if ci.status == CiStatus.RETIRED and ci.pk != current_id:
        raise DomainError(_("This configuration item is retired; choose one that is in use."))
    return ci


def _apply(check: Check, data: CheckData, *, old_plain: dict[str, Any], actor: User) -> None:
    """Validate `data` and copy it onto `check` (not saved); DomainError with every field message."""
    errors: dict[str, str] = {}
    ci: ConfigurationItem | None = None
    try:
        ci = pick_ci(data.ci, actor=actor, current_id=check.ci_id if check.pk else None)
    except DomainError as exc:
        errors["ci"] = exc.message
    # a check on a CI without a host of its own watches the CI's host
    host = data.host.strip() or (ci.host_name.strip()[:200] if ci is not None else "")
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
    cleared: list[str] = []
    if check.pk and not _moves(check, kind=kind, target=target, host=host):
        submitted = check_options.keep_secrets(kind, submitted, old_plain)
    elif check.pk:  # secrets follow the target: masked values are not carried to another one
        submitted, cleared = check_options.clear_masked(kind, submitted)
    try:
        parsed = check_options.parse(kind, submitted)
    except check_options.OptionsError as exc:
        for name, message in exc.fields.items():
            if name in cleared:
                message = _(
                    "The kind, target or host changed, so the stored value was cleared: enter it again."
                )
            errors[f"options.{name}"] = message
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
    try:  # the outage melding is opened with this group later: what the servicedesk refuses then,
        servicedesk.check_new_melding_group(data.operator_group)  # is refused now
    except DomainError as exc:
        errors.update(exc.field_errors or {"operator_group": exc.message})
    check.name = data.name.strip()
    check.kind = kind
    check.target = target
    check.host = host
    check.ci = ci
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
            exclude=["created_at", "created_by", "push_token", "options", "target", "kind"],
            validate_unique=False,
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
    _apply(check, data, old_plain={}, actor=actor)
    check.save()
    if check.kind == CheckKind.PUSH:
        issue_push_token(check, actor=actor)
    history.record(CheckHistoryEntry, check, actor=actor, action=CheckAction.CREATED, at=check.created_at)
    if check.ci_id is not None:
        config_cache.clear()  # a window on its CI covers it now
    return check


@transaction.atomic
def update_check(check: Check, *, actor: User, data: CheckData, expected_version: int | None) -> Check:
    """Change a check; Conflict when somebody else saved it since `expected_version`.

    Secret option values submitted as the mask (`********`) keep their stored value, unless the
    kind, target or host changes: then they are cleared (`secrets_cleared_by`), so a secret never
    goes to a server it was not entered for. A check that changes its kind starts with a fresh
    state (its results stay).
    """
    _require_definer(actor)
    current = Check.objects.select_for_update().filter(pk=check.pk).first()
    if current is None:
        raise NotFound(_("The check no longer exists."))
    if expected_version is not None and current.version != expected_version:
        raise Conflict(_("Somebody else changed this check; reload it and make your change again."))
    kind_before, push_token = current.kind, current.push_token
    before = _snapshot(current)
    old_plain = check_options.with_defaults(current.kind, plain_options(current))
    _apply(current, data, old_plain=old_plain, actor=actor)
    current.version = current.version + 1
    current.save()
    history.record(
        CheckHistoryEntry,
        current,
        actor=actor,
        action=CheckAction.CHANGED,
        changes=history.changes_since(before, current, extra=_history_options(current)),
    )
    if current.kind != kind_before:
        CheckState.objects.filter(pk=current.pk).update(memo={}, next_due_at=clock.now())
    if current.kind == CheckKind.PUSH and not push_token:
        issue_push_token(current, actor=actor)
    elif current.kind != CheckKind.PUSH and push_token:
        Check.objects.filter(pk=current.pk).update(push_token=None)
        current.push_token = None
    config_cache.clear()
    return current


def _set_active(check: Check, *, actor: User, active: bool) -> Check:
    _require_definer(actor)
    current = Check.objects.select_for_update().filter(pk=check.pk).first()
    if current is None:
        raise NotFound(_("The check no longer exists."))
    if current.active == active:  # pausing twice is harmless and records nothing
        return current
    current.active = active
    current.version = current.version + 1
    current.save(update_fields=["active", "version"])
    history.record(
        CheckHistoryEntry,
        current,
        actor=actor,
        action=CheckAction.RESUMED if active else CheckAction.PAUSED,
        field="active",
        old=history.render(not active),
        new=history.render(active),
    )
    config_cache.clear()
    return current


@transaction.atomic
def pause_check(check: Check, *, actor: User) -> Check:
    """Stop probing the check (it becomes inactive); its results and history stay."""
    return _set_active(check, actor=actor, active=False)


@transaction.atomic
def resume_check(check: Check, *, actor: User) -> Check:
    """Probe the check again (it becomes active)."""
    return _set_active(check, actor=actor, active=True)


@transaction.atomic
def delete_check(check: Check, *, actor: User) -> None:
    """Remove a check with its results; its meldingen stay, checks that depended on it no longer do.

    Its history stays, with its name: the deletion is its last row. The checks that depended on it
    and the maintenance windows that named it record that they lost it."""
    _require_definer(actor)
    current = Check.objects.select_for_update().filter(pk=check.pk).first()
    if current is None:
        raise NotFound(_("The check no longer exists."))
    history.record(CheckHistoryEntry, current, actor=actor, action=CheckAction.DELETED)
    for child in Check.objects.filter(parent=current).only("pk", "name"):
        history.record(
            CheckHistoryEntry,
            child,
            actor=actor,
            action=CheckAction.PARENT_DELETED,
            field="parent",
            old=current.name,
        )
    for window in MaintenanceWindow.objects.filter(checks=current).only("pk", "name"):
        history.record(
            MaintenanceWindowHistoryEntry,
            window,
            actor=actor,
            action=WindowAction.CHECK_DELETED,
            field="checks",
            old=current.name,
        )
    deleted, _rows = Check.objects.filter(pk=current.pk).delete()
    if not deleted:
        raise NotFound(_("The check no longer exists."))
    config_cache.clear()


def keep_probe_memo(check_id: int, *, memo: dict[str, Any]) -> None:
    """What a probe keeps for the next one (an SNMP counter reading); written by the monitor."""
    CheckState.objects.filter(pk=check_id).update(memo=memo)
