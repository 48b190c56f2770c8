"""The change workflow's rules and the approval decision, without a database."""

from __future__ import annotations

import pytest

from beheer.changes import workflow as wf
from beheer.changes.workflow import ChangeState

ORDER = list(wf.PHASES)


def codes(state: ChangeState, target: str, order: list[str] = ORDER) -> list[str]:
    return [r.code for r in wf.blocking_rules(state, target, order)]


def test_leaving_assessment_needs_risk_and_for_normal_and_emergency_a_rollback_plan() -> None:
    normal = ChangeState(kind=wf.NORMAL, phase=wf.ASSESSMENT)
    assert codes(normal, wf.NEEDS) == ["needs_risk", "needs_rollback_plan"]
    ready = ChangeState(kind=wf.NORMAL, phase=wf.ASSESSMENT, has_risk=True, has_rollback_plan=True)
    assert codes(ready, wf.NEEDS) == []
    emergency = ChangeState(kind=wf.EMERGENCY, phase=wf.ASSESSMENT, has_risk=True)
    assert codes(emergency, wf.EXECUTION) == ["needs_rollback_plan"]
    standard = ChangeState(kind=wf.STANDARD, phase=wf.ASSESSMENT)
    assert "needs_risk" not in codes(standard, wf.EXECUTION)


def test_a_forward_move_skips_only_optional_phases() -> None:
    state = ChangeState(kind=wf.NORMAL, phase=wf.REQUEST)
    assert codes(state, wf.NEEDS) == ["skips_assessment", "needs_risk", "needs_rollback_plan"]
    ready = ChangeState(kind=wf.NORMAL, phase=wf.ASSESSMENT, has_risk=True, has_rollback_plan=True)
    assert codes(ready, wf.APPROVAL) == []  # needs and design are optional
    assert codes(ready, wf.PLANNING) == ["skips_approval", "needs_approval"]


def test_a_normal_change_needs_approval_for_planning_execution_and_closing() -> None:
    base = {"kind": wf.NORMAL, "phase": wf.APPROVAL, "has_risk": True, "has_rollback_plan": True}
    for approval in (wf.NOT_ASKED, wf.PENDING, wf.REJECTED):
        assert codes(ChangeState(**base, approval=approval), wf.PLANNING) == ["needs_approval"]  # type: ignore[arg-type]
    assert codes(ChangeState(**base, approval=wf.GRANTED), wf.PLANNING) == []  # type: ignore[arg-type]
    assert codes(ChangeState(**base, approval=wf.GRANTED), wf.EXECUTION) == []  # type: ignore[arg-type]


def test_a_standard_change_is_pre_approved_and_never_enters_approval() -> None:
    state = ChangeState(kind=wf.STANDARD, phase=wf.REQUEST, approval=wf.GRANTED)
    assert codes(state, wf.APPROVAL) == ["skips_assessment", "standard_preapproved"]
    assessed = ChangeState(kind=wf.STANDARD, phase=wf.ASSESSMENT, approval=wf.GRANTED)
    assert codes(assessed, wf.EXECUTION) == []
    assert wf.APPROVAL not in wf.next_phases(assessed, ORDER)


def test_an_emergency_change_executes_before_approval_but_closes_only_approved() -> None:
    state = ChangeState(kind=wf.EMERGENCY, phase=wf.ASSESSMENT, has_risk=True, has_rollback_plan=True)
    assert codes(state, wf.EXECUTION) == []
    assert wf.emergency_retroactive(wf.EMERGENCY, wf.EXECUTION, wf.NOT_ASKED, ORDER)
    assert not wf.emergency_retroactive(wf.EMERGENCY, wf.EXECUTION, wf.PENDING, ORDER)
    assert not wf.emergency_retroactive(wf.NORMAL, wf.EXECUTION, wf.NOT_ASKED, ORDER)
    executing = ChangeState(kind=wf.EMERGENCY, phase=wf.EXECUTION, approval=wf.PENDING)
    assert codes(executing, wf.CLOSED) == ["needs_approval"]
    assert codes(ChangeState(kind=wf.EMERGENCY, phase=wf.EXECUTION, approval=wf.GRANTED), wf.CLOSED) == []


def test_evaluation_needs_every_activity_settled_and_a_normal_change_is_evaluated_before_closing() -> None:
    executing = ChangeState(kind=wf.NORMAL, phase=wf.EXECUTION, approval=wf.GRANTED, open_activities=2)
    assert codes(executing, wf.EVALUATION) == ["open_activities"]
    settled = ChangeState(kind=wf.NORMAL, phase=wf.EXECUTION, approval=wf.GRANTED)
    assert codes(settled, wf.EVALUATION) == []
    assert codes(settled, wf.CLOSED) == ["needs_evaluation"]
    without_evaluation = [p for p in ORDER if p != wf.EVALUATION]
    assert codes(settled, wf.CLOSED, without_evaluation) == []
    evaluating = ChangeState(kind=wf.NORMAL, phase=wf.EVALUATION, approval=wf.GRANTED)
    assert codes(evaluating, wf.CLOSED) == []


def test_going_back_is_allowed_and_a_closed_change_moves_nowhere() -> None:
    state = ChangeState(kind=wf.NORMAL, phase=wf.PLANNING, approval=wf.GRANTED)
    assert codes(state, wf.ASSESSMENT) == []
    assert codes(state, wf.PLANNING) == ["not_a_move"]
    closed = ChangeState(kind=wf.NORMAL, phase=wf.CLOSED, approval=wf.GRANTED)
    assert codes(closed, wf.EXECUTION) == ["closed"]
    assert wf.next_phases(closed, ORDER) == []
    assert codes(state, "nonsense") == ["not_a_move"]


def test_next_phases_offer_the_next_phase_the_skippable_ones_and_every_earlier_one() -> None:
    state = ChangeState(kind=wf.NORMAL, phase=wf.ASSESSMENT)
    assert wf.next_phases(state, ORDER) == [wf.NEEDS, wf.DESIGN, wf.APPROVAL, wf.REQUEST]
    emergency = ChangeState(kind=wf.EMERGENCY, phase=wf.ASSESSMENT)
    assert wf.next_phases(emergency, ORDER)[:5] == [
        wf.NEEDS,
        wf.DESIGN,
        wf.APPROVAL,
        wf.PLANNING,
        wf.EXECUTION,
    ]


@pytest.mark.parametrize(
    ("rule", "votes", "outcome"),
    [
        (wf.ALL, ["approved", "approved"], wf.GRANTED),
        (wf.ALL, ["approved", ""], wf.PENDING),
        (wf.ALL, ["approved", "rejected"], wf.REJECTED),
        (wf.ANY, ["", "approved"], wf.GRANTED),
        (wf.ANY, ["rejected", ""], wf.PENDING),
        (wf.ANY, ["rejected", "rejected"], wf.REJECTED),
        (wf.MAJORITY, ["approved", "approved", ""], wf.GRANTED),
        (wf.MAJORITY, ["approved", "rejected", ""], wf.PENDING),
        (wf.MAJORITY, ["rejected", "rejected", "approved"], wf.REJECTED),
        (wf.MAJORITY, ["approved", "rejected"], wf.REJECTED),  # a tie cannot become a majority
        (wf.ALL, [], wf.PENDING),
    ],
)
def test_the_decision_follows_the_rule(rule: str, votes: list[str], outcome: str) -> None:
    assert wf.decide(rule, votes) == outcome


def test_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        wf.decide("two-thirds", ["approved"])


def test_leaving_the_needs_phase_with_requirements_needs_the_clients_approval() -> None:
    base = {"kind": wf.NORMAL, "has_risk": True, "has_rollback_plan": True}
    waiting = ChangeState(**base, phase=wf.NEEDS, needs_approved=False)  # type: ignore[arg-type]
    assert codes(waiting, wf.DESIGN) == ["needs_client_approval"]
    assert codes(waiting, wf.APPROVAL) == ["needs_client_approval"]
    assert codes(waiting, wf.ASSESSMENT) == []  # back is always allowed
    assert codes(ChangeState(**base, phase=wf.NEEDS), wf.DESIGN) == []  # type: ignore[arg-type]
    # skipping the needs phase from assessment does not skip the client's approval
    skipping = ChangeState(**base, phase=wf.ASSESSMENT, needs_approved=False)  # type: ignore[arg-type]
    assert codes(skipping, wf.DESIGN) == ["needs_client_approval"]
    assert codes(skipping, wf.NEEDS) == []  # entering the needs phase is fine
    # past the needs phase (a requirement added in design) the rule no longer applies
    later = ChangeState(**base, phase=wf.DESIGN, needs_approved=False)  # type: ignore[arg-type]
    assert codes(later, wf.APPROVAL) == []
    # with the needs phase switched off there is no needs phase to leave
    without_needs = [p for p in ORDER if p != wf.NEEDS]
    assert codes(skipping, wf.DESIGN, without_needs) == []


def test_a_normal_change_enters_execution_only_with_its_plan_approved_when_planning_is_active() -> None:
    base = {"kind": wf.NORMAL, "phase": wf.PLANNING, "approval": wf.GRANTED}
    assert codes(ChangeState(**base, plan_approved=False), wf.EXECUTION) == ["needs_plan_approval"]  # type: ignore[arg-type]
    assert codes(ChangeState(**base, plan_approved=True), wf.EXECUTION) == []  # type: ignore[arg-type]
    without_planning = [p for p in ORDER if p != wf.PLANNING]
    approval = {**base, "phase": wf.APPROVAL}
    assert codes(ChangeState(**approval, plan_approved=False), wf.EXECUTION, without_planning) == []  # type: ignore[arg-type]
    emergency = ChangeState(
        kind=wf.EMERGENCY, phase=wf.ASSESSMENT, has_risk=True, has_rollback_plan=True, plan_approved=False
    )
    assert codes(emergency, wf.EXECUTION) == []
    standard = ChangeState(kind=wf.STANDARD, phase=wf.ASSESSMENT, approval=wf.GRANTED, plan_approved=False)
    assert codes(standard, wf.EXECUTION) == []
