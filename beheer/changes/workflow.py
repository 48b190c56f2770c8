"""The change workflow: phases, their entry rules and the approval decision (pure: no ORM).

Phases (shipped as rows of `models.Phase`, renamed, reordered and the optional ones deactivated by
coordinators): request -> assessment -> needs -> design -> approval -> planning -> execution ->
evaluation -> closed. A change moves forward to a later active phase, or back to an earlier one.

Entry rules, checked by `blocking_rules` for a move to a phase (each message names the rule):

- a forward move skips only optional phases (needs, design, planning, evaluation) and, for a
  standard change (pre-approved) or an emergency change (approved afterwards), the approval phase;
- leaving assessment (any phase after it) needs the risk (likelihood and impact) and, for a normal
  or emergency change, a rollback plan; a standard change is pre-assessed by its template;
- leaving the needs phase forward (to any later phase, or skipping it) when the change has active
  requirements needs the client's approval of the current needs version (`needs_client_approval`);
- a standard change never enters the approval phase: it is pre-approved;
- planning, execution and evaluation of a normal change need the approval granted; an emergency
  change may enter them before approval (its approval is then asked afterwards, `retroactive`);
- execution of a normal change needs the current version of its implementation plan approved (by
  the change coordinator or the client) when the planning phase is active;
- evaluation and closed need every activity done or a deviation noted for it;
- closed needs the approval granted (normal and emergency: an emergency change approved afterwards
  before it can close) and, for a normal change, the evaluation (when that phase is active).

A rejection sends a change in the approval phase back to assessment (the approval round ends; the
next entry into approval starts a new round). A rejected retroactive approval leaves the emergency
change where it is: it cannot close until a new round grants it, or it is cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

REQUEST = "request"
ASSESSMENT = "assessment"
NEEDS = "needs"
DESIGN = "design"
APPROVAL = "approval"
PLANNING = "planning"
EXECUTION = "execution"
EVALUATION = "evaluation"
CLOSED = "closed"

PHASES = (REQUEST, ASSESSMENT, NEEDS, DESIGN, APPROVAL, PLANNING, EXECUTION, EVALUATION, CLOSED)
OPTIONAL = frozenset({NEEDS, DESIGN, PLANNING, EVALUATION})
# the phases whose entry needs a granted approval for a normal change
AFTER_APPROVAL = frozenset({PLANNING, EXECUTION, EVALUATION, CLOSED})

STANDARD = "standard"
NORMAL = "normal"
EMERGENCY = "emergency"
KINDS = (STANDARD, NORMAL, EMERGENCY)

# approval status of a change
NOT_ASKED = ""
PENDING = "pending"
GRANTED = "granted"
REJECTED = "rejected"

# approval rules and votes
ALL = "all"
ANY = "any"
MAJORITY = "majority"
APPROVED = "approved"


@dataclass(frozen=True)
class ChangeState:
    """What the rules read of a change, as plain values."""

    kind: str
    phase: str
    has_risk: bool = False
    has_rollback_plan: bool = False
    approval: str = NOT_ASKED
    open_activities: int = 0  # activities neither done nor with a deviation noted
    evaluated: bool = False  # has been in the evaluation phase
    needs_approved: bool = True  # no active requirements, or the client approved the current needs
    plan_approved: bool = True  # the current version of the implementation plan is approved


@dataclass(frozen=True)
class Rule:
    """A rule that blocks a move: its code (stable, for tests and the API) and its message key."""

    code: str
    phase: str  # the phase whose entry it guards


def position(phase: str, order: Sequence[str]) -> int:
    return order.index(phase) if phase in order else -1


def blocking_rules(state: ChangeState, target: str, order: Sequence[str]) -> list[Rule]:
    """The rules that block moving `state` to `target`, given the active phases in `order`
    (empty: the move is allowed). Moving to the phase it is in, or from closed, is blocked too."""
    if target not in order or state.phase == target:
        return [Rule("not_a_move", target)]
    if state.phase == CLOSED:
        return [Rule("closed", target)]
    here, there = position(state.phase, order), position(target, order)
    if there < here:
        return []  # back to an earlier phase: always allowed
    rules: list[Rule] = []
    skipped = order[here + 1 : there]
    for phase in skipped:
        if phase in OPTIONAL:
            continue
        if phase == APPROVAL and state.kind in (STANDARD, EMERGENCY):
            continue
        rules.append(Rule("skips_" + phase, phase))
    assessed = position(ASSESSMENT, order)
    if here <= assessed < there and state.kind != STANDARD:
        if not state.has_risk:
            rules.append(Rule("needs_risk", target))
        if not state.has_rollback_plan:
            rules.append(Rule("needs_rollback_plan", target))
    needs = position(NEEDS, order)
    if here <= needs < there and not state.needs_approved:
        rules.append(Rule("needs_client_approval", target))
    if target == APPROVAL and state.kind == STANDARD:
        rules.append(Rule("standard_preapproved", target))
    needs_approval = state.kind == NORMAL or (state.kind == EMERGENCY and target == CLOSED)
    if target in AFTER_APPROVAL and state.approval != GRANTED and needs_approval:
        rules.append(Rule("needs_approval", target))
    if target == EXECUTION and state.kind == NORMAL and PLANNING in order and not state.plan_approved:
        rules.append(Rule("needs_plan_approval", target))
    if target in (EVALUATION, CLOSED) and state.open_activities:
        rules.append(Rule("open_activities", target))
    if (
        target == CLOSED
        and state.kind == NORMAL
        and EVALUATION in order
        and not (state.evaluated or state.phase == EVALUATION)
    ):
        rules.append(Rule("needs_evaluation", target))
    return rules


def next_phases(state: ChangeState, order: Sequence[str]) -> list[str]:
    """The phases a change may be moved to now or after meeting the rules: the next active phase
    (and the phases a kind may skip to), and every earlier phase. Closed changes go nowhere."""
    if state.phase == CLOSED or state.phase not in order:
        return []
    here = position(state.phase, order)
    forward: list[str] = []
    for phase in order[here + 1 :]:
        forward.append(phase)
        skippable = phase in OPTIONAL or (phase == APPROVAL and state.kind in (STANDARD, EMERGENCY))
        if not skippable:
            break
    return [p for p in forward if not (p == APPROVAL and state.kind == STANDARD)] + list(order[:here])[::-1]


def decide(rule: str, votes: Sequence[str]) -> str:
    """The decision of one approval round by `rule` over its votes (APPROVED, REJECTED or "" for
    not yet): GRANTED, REJECTED or PENDING. No approvers: PENDING (nobody can decide)."""
    total = len(votes)
    yes = sum(1 for v in votes if v == APPROVED)
    no = sum(1 for v in votes if v == REJECTED)
    if total == 0:
        return PENDING
    if rule == ALL:
        return REJECTED if no else GRANTED if yes == total else PENDING
    if rule == ANY:
        return GRANTED if yes else REJECTED if no == total else PENDING
    if rule == MAJORITY:
        if 2 * yes > total:
            return GRANTED
        return REJECTED if 2 * no >= total else PENDING
    raise ValueError(f"unknown approval rule {rule!r}")


def emergency_retroactive(kind: str, target: str, approval: str, order: Sequence[str]) -> bool:
    """True when an emergency change entering `target` must ask its approval afterwards: it enters
    execution (or later) without a granted or pending round."""
    return (
        kind == EMERGENCY
        and target in AFTER_APPROVAL
        and target != CLOSED
        and approval not in (GRANTED, PENDING)
        and position(target, order) > position(APPROVAL, order)
    )
