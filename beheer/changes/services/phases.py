"""Moving a change through its phases, by the rules of `workflow.py`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beheer.accounts.models import User
from beheer.core import access, clock
from beheer.core.errors import DomainError

from .. import workflow
from ..models import Change, ChangeAction, ChangeStatus, Phase
from ._base import active_order, lock_change, phase, phases, record, save, state_of
from .approvals import start_round

RULE_MESSAGES = {
    "not_a_move": gettext_lazy("The change cannot move to this phase."),
    "closed": gettext_lazy("A closed change does not move."),
    "needs_risk": gettext_lazy("Assess the risk first: likelihood and impact."),
    "needs_rollback_plan": gettext_lazy("A normal or emergency change needs a rollback plan."),
    "needs_client_approval": gettext_lazy(
        "The client must approve the current version of the needs (the requirements) first."
    ),
    "standard_preapproved": gettext_lazy("A standard change is pre-approved and needs no approval."),
    "needs_approval": gettext_lazy("The change must be approved first."),
    "needs_plan_approval": gettext_lazy("The current implementation plan must be approved first."),
    "open_activities": gettext_lazy("Every activity must be done, or have a deviation noted."),
    "needs_evaluation": gettext_lazy("A normal change is evaluated before it is closed."),
}


def rule_message(rule: workflow.Rule, names: dict[str, str]) -> str:
    if rule.code.startswith("skips_"):
        return _("The phase %(phase)s cannot be skipped.") % {"phase": names.get(rule.phase, rule.phase)}
    return str(RULE_MESSAGES.get(rule.code, rule.code))


@dataclass(frozen=True)
class NextPhase:
    phase: Phase
    blocked_by: list[str]  # the messages of the rules that block it now; empty: allowed
    back: bool = False  # an earlier phase (moving back is always allowed)

    @property
    def allowed(self) -> bool:
        return not self.blocked_by


def next_phases(change: Change) -> list[NextPhase]:
    """The phases the change may go to, each with the rules that block it now (for the phase bar)."""
    if change.status != ChangeStatus.OPEN:
        return []
    rows = {p.code: p for p in phases()}
    names = {code: p.name for code, p in rows.items()}
    order = active_order()
    state = state_of(change)
    here = workflow.position(state.phase, order)
    return [
        NextPhase(
            rows[code],
            [rule_message(r, names) for r in workflow.blocking_rules(state, code, order)],
            back=workflow.position(code, order) < here,
        )
        for code in workflow.next_phases(state, order)
    ]


@transaction.atomic
def move_change(change: Change, *, actor: User, to_phase: Phase, expected_version: int | None) -> Change:
    """Move the change to `to_phase`, if its entry rules allow it. Entering approval starts an
    approval round; an emergency change entering execution without approval gets its round
    afterwards (`retroactive`); entering closed closes it."""
    access.ensure_staff(actor)
    current = lock_change(change, actor, expected_version)
    order = active_order()
    names = {p.code: p.name for p in phases()}
    state = state_of(current)
    blocked = workflow.blocking_rules(state, to_phase.code, order)
    if blocked:
        messages = [rule_message(r, names) for r in blocked]
        raise DomainError(" ".join(messages), field_errors={"phase": " ".join(messages)})
    target = phase(to_phase.code)
    now = clock.now()
    old = current.phase
    fields = ["phase"]
    current.phase = target
    if target.code == workflow.APPROVAL and current.approval_status != workflow.GRANTED:
        start_round(current, actor=actor)
        fields += ["approval_round", "approval_status", "approved_at"]
    elif workflow.emergency_retroactive(current.kind, target.code, current.approval_status, order):
        start_round(current, actor=actor, retroactive=True)
        fields += ["approval_round", "approval_status", "approved_at"]
    if target.code == workflow.EVALUATION and current.evaluated_at is None:
        current.evaluated_at = now
        fields.append("evaluated_at")
    if target.code == workflow.CLOSED:
        current.status = ChangeStatus.CLOSED
        current.closed_at = now
        fields += ["status", "closed_at"]
    save(current, fields)
    record(current, actor, ChangeAction.MOVED, at=now, field="phase", old=old.name, new=target.name)
    return current
