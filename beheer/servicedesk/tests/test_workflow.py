"""The status workflow: the pure kind rules (a state machine) and random service calls on one melding."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from beheer.core import clock
from beheer.core.errors import Conflict, DomainError
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, HistoryEntry, Melding, Note, Status, StatusKind, Visibility
from beheer.servicedesk.workflow import (
    RULES,
    WORKING,
    Action,
    Kind,
    allowed,
    allowed_status,
    is_editable,
    is_open,
)

KINDS = list(Kind)


# --------------------------------------------------------------------------------------------------
# pure rules


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("target", KINDS)
def test_closed_is_terminal(action, target):
    assert not allowed(action, Kind.CLOSED, target)
    assert not is_editable(Kind.CLOSED)


@pytest.mark.parametrize("current", KINDS)
def test_resolve_only_from_working_kinds(current):
    assert allowed(Action.RESOLVE, current, Kind.RESOLVED) == (current in WORKING)
    assert is_open(current) == (current in WORKING)


@pytest.mark.parametrize("current", KINDS)
@pytest.mark.parametrize("target", KINDS)
def test_table(current, target):
    assert allowed(Action.REOPEN, current, target) == (current is Kind.RESOLVED and target is Kind.OPEN)
    assert allowed(Action.CLOSE, current, target) == (current is Kind.RESOLVED and target is Kind.CLOSED)
    # a manual change never leaves or enters resolved/closed/new
    assert allowed(Action.CHANGE, current, target) == (
        current in WORKING and target in (Kind.OPEN, Kind.WAITING)
    )


def test_configured_next_narrows_changes_only():
    assert allowed_status(Action.CHANGE, Kind.NEW, Kind.OPEN, configured_next={1, 2}, target_id=2)
    assert not allowed_status(Action.CHANGE, Kind.NEW, Kind.OPEN, configured_next={1, 2}, target_id=3)
    assert not allowed_status(Action.CHANGE, Kind.NEW, Kind.RESOLVED, configured_next={3}, target_id=3)
    assert allowed_status(Action.RESOLVE, Kind.OPEN, Kind.RESOLVED, configured_next={1}, target_id=99)


class WorkflowMachine(RuleBasedStateMachine):
    """Drive a melding's kind with random actions; only the rules' transitions may happen."""

    def __init__(self) -> None:
        super().__init__()
        self.kind = Kind.NEW
        self.was_closed = False
        self.resolved_count = 0

    @rule(action=st.sampled_from(list(Action)), to=st.sampled_from(KINDS))
    def attempt(self, action: Action, to: Kind) -> None:
        target = to
        before = self.kind
        if allowed(action, before, target):
            assert target in RULES[action][before]
            if action is Action.RESOLVE:
                assert before in WORKING
                self.resolved_count += 1
            if action is Action.REOPEN:
                assert before is Kind.RESOLVED
            if action is Action.CLOSE:
                assert before is Kind.RESOLVED
            self.kind = target
        else:
            assert target not in RULES[action].get(before, frozenset())

    @precondition(lambda self: self.kind is Kind.CLOSED)
    @rule()
    def closed_stays_closed(self) -> None:
        self.was_closed = True
        assert not any(allowed(a, Kind.CLOSED, k) for a in Action for k in KINDS)

    @invariant()
    def consistent(self) -> None:
        if self.was_closed:
            assert self.kind is Kind.CLOSED
        assert is_open(self.kind) == (self.kind in WORKING)
        assert is_editable(self.kind) == (self.kind is not Kind.CLOSED)
        if self.kind is Kind.RESOLVED:
            assert self.resolved_count >= 1


TestWorkflowMachine = WorkflowMachine.TestCase
TestWorkflowMachine.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)


# --------------------------------------------------------------------------------------------------
# random sequences of service calls on one melding


STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "status",
                "resolve",
                "resolve_empty",
                "close",
                "confirm",
                "reopen",
                "caller_note",
                "operator_reply",
                "internal_note",
                "escalate",
                "deescalate",
                "assign",
                "estimates",
                "stale",
                "auto_close",
                "time",
            ]
        ),
        st.integers(min_value=0, max_value=5),
    ),
    min_size=1,
    max_size=12,
)


def _state(pk: int) -> dict[str, Any]:
    row: dict[str, Any] = dict(Melding.objects.filter(pk=pk).values().get())
    row["_history"] = HistoryEntry.objects.filter(melding_id=pk).count()
    row["_notes"] = Note.objects.filter(melding_id=pk).count()
    return row


def _check_invariants(m: Melding) -> None:
    kind = m.status.kind
    assert m.is_open == (kind in (StatusKind.NEW, StatusKind.OPEN, StatusKind.WAITING))
    assert (m.closed_at is not None) == (kind == StatusKind.CLOSED)
    if kind == StatusKind.RESOLVED:
        assert m.solution.strip()
        assert m.resolved_at is not None
    if kind in (StatusKind.RESOLVED, StatusKind.CLOSED):
        assert m.resolved_at is not None
    if kind != StatusKind.NEW:
        # anything but 'new' means somebody responded (a status change or a resolution)
        assert m.first_response_at is not None


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_random_service_calls_keep_invariants(steps, operator, specialist, caller, first_line, second_line):
    m = services.open_melding(
        actor=operator,
        brief_description="Eigenschap",
        entry_type=EntryType.PHONE,
        caller=caller,
        operator_group=first_line,
    )
    statuses = list(Status.objects.order_by("id"))

    def call(name: str, n: int) -> None:
        cur = Melding.objects.select_related("status").get(pk=m.pk)
        v = cur.version
        if name == "status":
            services.change_status(
                cur, status=statuses[n % len(statuses)], actor=operator, expected_version=v
            )
        elif name == "resolve":
            services.resolve_melding(cur, solution=f"Oplossing {n}", actor=operator, expected_version=v)
        elif name == "resolve_empty":
            services.resolve_melding(cur, solution=" " * n, actor=operator, expected_version=v)
        elif name == "close":
            services.close_melding(cur, actor=operator, expected_version=v)
        elif name == "confirm":
            services.confirm_resolution(cur, actor=caller)
        elif name == "reopen":
            services.reopen_melding(
                cur, reason="Nog steeds stuk" if n else "", actor=caller if n % 2 else operator
            )
        elif name == "caller_note":
            services.add_note(cur, text=f"Antwoord {n}", visibility=Visibility.CALLER, actor=caller)
        elif name == "operator_reply":
            services.add_note(cur, text=f"Reactie {n}", visibility=Visibility.CALLER, actor=operator)
        elif name == "internal_note":
            services.add_note(cur, text=f"Intern {n}", visibility=Visibility.INTERNAL, actor=operator)
        elif name == "escalate":
            services.escalate_melding(
                cur,
                to_group=second_line if n else first_line,
                reason="Verder",
                actor=operator,
                expected_version=v,
            )
        elif name == "deescalate":
            services.deescalate_melding(
                cur, to_group=first_line, reason="Terug", actor=specialist, expected_version=v
            )
        elif name == "assign":
            group = first_line if cur.line == "first" else second_line
            person = operator if n % 2 else specialist
            services.assign_melding(
                cur, operator_group=group, operator=person, actor=operator, expected_version=v
            )
        elif name == "estimates":
            services.set_estimates(
                cur, minutes=n * 10, people=n, means="", actor=operator, expected_version=v
            )
        elif name == "stale":
            services.set_estimates(
                cur,
                minutes=n + 1000,
                people=None,
                means="",
                actor=operator,
                expected_version=v - 1 if v > 1 else v + 1,
            )
        elif name == "auto_close":
            services.auto_close_resolved(now=clock.now() + timedelta(days=365 * n))
        elif name == "time":
            services.register_time(cur, minutes=n, actor=operator)

    for name, n in steps:
        before = _state(m.pk)
        try:
            call(name, n)
        except Conflict:
            assert name == "stale"
            assert _state(m.pk) == before
        except DomainError:
            assert _state(m.pk) == before, f"refused {name} changed the melding"
        else:
            assert name != "stale", "a stale version was accepted"
            after = _state(m.pk)
            edited = {k for k in after if after[k] != before[k]} - {"updated_at", "_history", "_notes"}
            if edited:
                assert after["version"] > before["version"], f"{name} changed {edited} without a new version"
            assert after["version"] >= before["version"]
        _check_invariants(Melding.objects.select_related("status").get(pk=m.pk))
