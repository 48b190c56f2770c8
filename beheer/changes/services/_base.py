"""What the change services share: the lock, the history row, the save and the phase order."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.core import checks, clock, config_cache, history
from beheer.core.errors import ReadOnly

from .. import workflow
from ..models import (
    Change,
    ChangeActivity,
    ChangeHistoryEntry,
    ChangePlan,
    ChangeStatus,
    Phase,
    PlanApproval,
    needs_approved,
)

TITLE_MAX = 200


def phases() -> list[Phase]:
    """Every phase in order, from the per-process configuration cache."""
    return config_cache.cached("changes.phases", lambda: list(Phase.objects.order_by("order", "id")))


def active_order() -> list[str]:
    """The codes of the active phases in their order (the mandatory ones are always active)."""
    return [p.code for p in phases() if p.active or p.code not in workflow.OPTIONAL]


def phase(code: str) -> Phase:
    for row in phases():
        if row.code == code:
            return row
    return Phase.objects.get(code=code)


def state_of(change: Change, *, open_activities: int | None = None) -> workflow.ChangeState:
    """What the workflow's rules read of `change`."""
    if open_activities is None:
        open_activities = (
            ChangeActivity.objects.filter(change=change, done_at__isnull=True, deviation="").count()
            if change.pk
            else 0
        )
    return workflow.ChangeState(
        kind=change.kind,
        phase=phase_code(change),
        has_risk=change.likelihood is not None and change.impact is not None,
        has_rollback_plan=bool(change.rollback_plan.strip()),
        approval=change.approval_status,
        open_activities=open_activities,
        evaluated=change.evaluated_at is not None,
        needs_approved=needs_approved(change),
        plan_approved=plan_is_approved(change) if change.kind == workflow.NORMAL else True,
    )


def plan_version(change: Change) -> int:
    """The current version of the change's implementation plan (1 before anything was approved)."""
    found = ChangePlan.objects.filter(change_id=change.pk).values_list("version", flat=True).first()
    return found or 1


def plan_is_approved(change: Change) -> bool:
    """Whether the current version of the plan has been approved."""
    if not change.pk:
        return False
    return PlanApproval.objects.filter(change_id=change.pk, plan_version=plan_version(change)).exists()


def phase_code(change: Change) -> str:
    for row in phases():
        if row.pk == change.phase_id:
            return row.code
    return Phase.objects.get(pk=change.phase_id).code


def lock_change(
    change: Change, actor: User, expected_version: int | None, *, closed_ok: bool = False
) -> Change:
    """The change re-read under its row lock, visible to `actor`, at the version they read; a
    closed or cancelled change is read-only."""
    current = checks.locked_at(
        Change.objects.visible_to(actor),
        change.pk,
        expected_version,
        missing=_("Change not found."),
        changed=_("Somebody else changed this change in the meantime. Reload it and try again."),
    )
    if not closed_ok and current.status != ChangeStatus.OPEN:
        raise ReadOnly(
            _("Change %(number)s is closed and can no longer be changed.") % {"number": current.number}
        )
    return current


def record(change: Change, actor: User | None, action: str, **kwargs: Any) -> None:
    history.record(ChangeHistoryEntry, change, actor=actor, action=action, **kwargs)


def save(change: Change, fields: Collection[str]) -> None:
    change.version += 1
    change.updated_at = clock.now()
    change.save(update_fields=[*set(fields), "version", "updated_at"])


def title(value: str) -> str:
    return checks.checked_text(value, field="title", label=_("Title"), required=True, max_length=TITLE_MAX)
