"""Register and edit changes: from scratch, from a melding, from a template (a standard change),
from the portal; the CIs a change affects; cancelling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access, checks, clock, history
from beheer.core.errors import DomainError, NotFound, PermissionDenied
from beheer.servicedesk.models import Melding

from .. import workflow
from ..models import (
    Change,
    ChangeAction,
    ChangeActivity,
    ChangeCi,
    ChangeKind,
    ChangeStatus,
    ChangeTemplate,
    Project,
    RiskMatrixCell,
)
from ._base import lock_change, phase, record, save, title
from .plan_state import plan_changed, sync_maintenance_window

EDIT_FIELDS = (
    "title",
    "description",
    "kind",
    "requester",
    "client",
    "coordinator",
    "operator_group",
    "project",
    "likelihood",
    "impact",
    "risk_level",
    "rollback_plan",
    "planned_start",
    "planned_end",
)
MAX_CIS = 200


@dataclass(frozen=True)
class ChangeData:
    """The fields of a change people edit."""

    title: str
    description: str = ""
    kind: str = ChangeKind.NORMAL
    requester: User | None = None
    client: User | None = None
    coordinator: User | None = None
    operator_group: OperatorGroup | None = None
    project: Project | None = None
    likelihood: int | None = None
    impact: int | None = None
    rollback_plan: str = ""
    planned_start: datetime | None = None
    planned_end: datetime | None = None


@history.stored_text
def _pre_approved() -> str:
    return _("pre-approved (standard change)")


def _check(data: ChangeData) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        values["title"] = title(data.title)
    except DomainError as exc:
        errors.update(exc.field_errors)
    values["description"] = checks.checked_text(data.description, field="description", label=_("Description"))
    values["rollback_plan"] = checks.checked_text(
        data.rollback_plan, field="rollback_plan", label=_("Rollback plan")
    )
    if data.kind not in ChangeKind.values:
        errors["kind"] = _("Unknown kind of change.")
    for name in ("likelihood", "impact"):
        value = getattr(data, name)
        if value is not None and not (isinstance(value, int) and 1 <= value <= 4):
            errors[name] = _("Choose a value from 1 to 4.")
    if (data.likelihood is None) != (data.impact is None):
        errors["impact" if data.impact is None else "likelihood"] = _("Give both likelihood and impact.")
    if data.coordinator is not None and not data.coordinator.is_staff_member:
        errors["coordinator"] = _("The change coordinator must be an operator.")
    if data.operator_group is not None and not data.operator_group.active:
        errors["operator_group"] = _("This operator group is inactive.")
    if data.planned_start and data.planned_end and data.planned_end <= data.planned_start:
        errors["planned_end"] = _("The end must be after the start.")
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)
    return values


def risk_level_for(likelihood: int | None, impact: int | None) -> Any:
    """The risk level of the configured matrix, or None without a risk."""
    if likelihood is None or impact is None:
        return None
    cell = RiskMatrixCell.objects.select_related("level").filter(likelihood=likelihood, impact=impact).first()
    return cell.level if cell is not None else None


def _apply(change: Change, data: ChangeData, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(change, name, value)
    change.kind = data.kind
    change.requester = data.requester
    change.client = data.client
    change.coordinator = data.coordinator
    change.operator_group = data.operator_group
    change.project = data.project
    change.likelihood = data.likelihood
    change.impact = data.impact
    change.risk_level = risk_level_for(data.likelihood, data.impact)
    change.planned_start = data.planned_start
    change.planned_end = data.planned_end


def _new(data: ChangeData, *, actor: User, origin: Melding | None = None) -> Change:
    values = _check(data)
    now = clock.now()
    change = Change(
        phase=phase(workflow.REQUEST), created_by=actor, created_at=now, updated_at=now, origin_melding=origin
    )
    _apply(change, data, values)
    change.save()
    record(change, actor, ChangeAction.CREATED, at=now, new=change.title)
    return change


@transaction.atomic
def create_change(*, actor: User, data: ChangeData, cis: list[ConfigurationItem] | None = None) -> Change:
    """Register a change (phase request) with the CIs it affects."""
    access.ensure_staff(actor)
    change = _new(data, actor=actor)
    for ci in cis or []:
        _link_ci(change, ci, actor=actor)
    return change


@transaction.atomic
def update_change(change: Change, *, actor: User, data: ChangeData, expected_version: int | None) -> Change:
    """Edit a change's fields; every changed field is in its history."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, expected_version)
    values = _check(data)
    if data.kind != current.kind and current.approval_status:
        message = _("The kind cannot change once an approval was asked.")
        raise DomainError(message, field_errors={"kind": message})
    before = history.snapshot(current, EDIT_FIELDS)
    window = (current.planned_start, current.planned_end)
    _apply(current, data, values)
    changes = history.changes_since(before, current)
    if not changes:
        return current
    save(current, EDIT_FIELDS)
    record(current, actor, ChangeAction.CHANGED, changes=changes)
    if window != (current.planned_start, current.planned_end):
        plan_changed(current)
        sync_maintenance_window(current, actor=actor)
    return current


@transaction.atomic
def create_change_from_melding(melding: Melding, *, actor: User) -> Change:
    """A change from a melding, in one click: it links the melding and copies its description, its
    request and its CI; the melding's caller is the requester."""
    access.ensure_staff(actor)
    found = Melding.objects.visible_to(actor).filter(pk=melding.pk).select_related("ci", "caller").first()
    if found is None:
        raise NotFound(_("Call not found."))
    data = ChangeData(
        title=found.brief_description or found.number,
        description=found.request,
        requester=found.caller,
        coordinator=actor,
    )
    change = _new(data, actor=actor, origin=found)
    record(change, actor, ChangeAction.CHANGED, field="origin_melding", new=found.number)
    if found.ci is not None:
        _link_ci(change, found.ci, actor=actor)
    return change


@transaction.atomic
def create_change_from_template(
    template: ChangeTemplate,
    *,
    actor: User,
    requester: User | None = None,
    client: User | None = None,
    cis: list[ConfigurationItem] | None = None,
    planned_start: datetime | None = None,
) -> Change:
    """A standard change from its template: pre-approved (no approval round) and expanded into the
    template's activities."""
    access.ensure_staff(actor)
    if not template.active:
        raise DomainError(_("This template is archived."), field_errors={"template": _("Archived.")})
    data = ChangeData(
        title=template.title,
        description=template.description,
        kind=ChangeKind.STANDARD,
        requester=requester,
        client=client,
        coordinator=actor,
        operator_group=template.operator_group,
        planned_start=planned_start,
    )
    change = _new(data, actor=actor)
    change.template = template
    change.approval_status = workflow.GRANTED
    change.approved_at = change.created_at
    change.save(update_fields=["template", "approval_status", "approved_at"])
    record(
        change,
        actor,
        ChangeAction.APPROVAL_DECIDED,
        field="approval",
        new=_pre_approved(),
    )
    ChangeActivity.objects.bulk_create(
        ChangeActivity(
            change=change,
            title=row.title,
            estimate_minutes=row.estimate_minutes,
            operator_group=row.operator_group,
            order=row.order,
        )
        for row in template.activities.all()
    )
    for ci in cis or []:
        _link_ci(change, ci, actor=actor)
    sync_maintenance_window(change, actor=actor)
    return change


@transaction.atomic
def submit_change_request(
    *, actor: User, title_text: str, description: str, ci: ConfigurationItem | None = None
) -> Change:
    """A change request from the portal: the signed-in person is its requester and client; a CI
    can only be one of their own (the portal's "my objects")."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))
    if ci is not None and not ConfigurationItem.objects.visible_to(actor).filter(pk=ci.pk).exists():
        raise DomainError(_("Unknown object."), field_errors={"ci": _("Unknown object.")})
    data = ChangeData(title=title_text, description=description, requester=actor, client=actor)
    change = _new(data, actor=actor)
    if ci is not None:
        ChangeCi.objects.create(change=change, ci=ci, added_at=change.created_at, added_by=actor)
        record(change, actor, ChangeAction.CI_ADDED, field="cis", new=ci.name)
    return change


def _link_ci(change: Change, ci: ConfigurationItem, *, actor: User) -> None:
    if ChangeCi.objects.filter(change=change).count() >= MAX_CIS:
        raise DomainError(_("A change affects at most %(max)d CIs.") % {"max": MAX_CIS})
    try:
        with transaction.atomic():
            ChangeCi.objects.create(change=change, ci=ci, added_at=clock.now(), added_by=actor)
    except IntegrityError:
        return  # already linked
    record(change, actor, ChangeAction.CI_ADDED, field="cis", new=ci.name)


@transaction.atomic
def add_change_ci(
    change: Change, *, actor: User, ci: ConfigurationItem, expected_version: int | None = None
) -> Change:
    access.ensure_staff(actor)
    current = lock_change(change, actor, expected_version)
    _link_ci(current, ci, actor=actor)
    save(current, ())
    sync_maintenance_window(current, actor=actor)
    return current


@transaction.atomic
def remove_change_ci(
    change: Change, *, actor: User, ci: ConfigurationItem, expected_version: int | None = None
) -> Change:
    access.ensure_staff(actor)
    current = lock_change(change, actor, expected_version)
    deleted, _rows = ChangeCi.objects.filter(change=current, ci=ci).delete()
    if deleted:
        record(current, actor, ChangeAction.CI_REMOVED, field="cis", old=ci.name)
        save(current, ())
        sync_maintenance_window(current, actor=actor)
    return current


@transaction.atomic
def cancel_change(change: Change, *, actor: User, expected_version: int | None, reason: str = "") -> Change:
    """Cancel an open change (it stays in its phase, closed for edits); the reason is recorded."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, expected_version)
    reason = checks.checked_text(reason, field="reason", label=_("Reason"), max_length=2000)
    current.status = ChangeStatus.CANCELLED
    current.closed_at = clock.now()
    save(current, ("status", "closed_at"))
    record(current, actor, ChangeAction.CANCELLED, detail=reason)
    sync_maintenance_window(current, actor=actor)
    return current
