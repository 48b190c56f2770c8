"""No sequence of API calls reaches planning or execution without the required approvals, or leaves
the needs phase without the client's approval of the needs.

Each example registers a normal or emergency change through the API and sends a random sequence of
calls as random people (operators, coordinators, the CAB members, a caller): moves to random phases,
approvals and rejections, edits of the risk and rollback plan, new requirements and the client's
decisions on the needs (the caller is the change's client). After every call the stored change
must satisfy the rules: a normal change past approval is approved; a closed change of any kind is
approved (an emergency one possibly afterwards); every approval granted follows the decision rule
over the votes of its round; a normal change that just entered execution has the current version
of its plan approved (plan calls add activities or approve the plan).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beheer.accounts.models import Role, User
from beheer.changes import workflow
from beheer.changes.models import ApprovalRule, Change, ChangeApproval, NeedsInventory, Phase, needs_approved
from beheer.changes.services._base import plan_is_approved
from tests.helpers import client_for, make_person

from .helpers import cab

pytestmark = pytest.mark.django_db
API = "/api/v1"

steps = st.lists(
    st.one_of(
        st.tuples(st.just("move"), st.sampled_from(workflow.PHASES), st.integers(0, 4)),
        st.tuples(st.just("vote"), st.sampled_from(["approve", "reject"]), st.integers(0, 4)),
        st.tuples(st.just("edit"), st.booleans(), st.integers(0, 4)),
        st.tuples(st.just("require"), st.sampled_from(["must", "could"]), st.integers(0, 4)),
        st.tuples(st.just("needs"), st.sampled_from(["approve", "reject"]), st.integers(0, 4)),
        st.tuples(st.just("plan"), st.booleans(), st.integers(0, 4)),
    ),
    max_size=14,
)


def _call(client: Client, method: str, url: str, body: Any = None) -> Any:
    response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code < 500, response.content
    return response


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["normal", "emergency"]),
    rule=st.sampled_from(["all", "any", "majority"]),
    plan=steps,
)
def test_no_sequence_of_calls_passes_approval_without_the_approvals(
    kind: str,
    rule: str,
    plan: list[tuple[str, Any, int]],
    operator: User,
    coordinator: User,
    specialist: User,
) -> None:
    with transaction.atomic():
        caller = User.objects.filter(role=Role.CALLER).first() or make_person(Role.CALLER)
        cab([coordinator, specialist, operator], rule=rule, kind=kind)
        people = [operator, coordinator, specialist, caller, operator]
        clients = [client_for(p) for p in people]
        phases = {p.code: p.pk for p in Phase.objects.all()}
        created = _call(
            clients[0],
            "post",
            f"{API}/changes",
            {"title": "Eigenschap", "kind": kind, "client_id": caller.pk, "coordinator_id": coordinator.pk},
        )
        pk = created.json()["id"]
        order = [p.code for p in Phase.objects.order_by("order", "id")]
        for action, value, who in plan:
            change = Change.objects.select_related("phase").get(pk=pk)
            client = clients[who]
            before, approved_before = change.phase.code, needs_approved(change)
            if action == "require":
                body = {"text": "Dekking", "priority": value}
                _call(client, "post", f"{API}/changes/{pk}/needs/requirements", body)
            elif action == "needs":
                version = (
                    NeedsInventory.objects.filter(change_id=pk).values_list("version", flat=True).first()
                )
                body = {"decision": value, "comment": "nee", "needs_version": version or 0}
                _call(client, "post", f"{API}/portal/changes/{pk}/needs/decision", body)
            elif action == "move":
                _call(
                    client,
                    "post",
                    f"{API}/changes/{pk}/move",
                    {"phase_id": phases[value], "version": change.version},
                )
            elif action == "vote":
                mine = (
                    ChangeApproval.objects.filter(change_id=pk, approver=people[who])
                    .order_by("-round")
                    .first()
                )
                if mine is not None:
                    body = {"decision": value, "comment": "" if value == "approve" else "nee"}
                    _call(client, "post", f"{API}/change-approvals/{mine.pk}/decision", body)
            elif action == "plan":
                if value:  # plan an activity (a new plan version once one was approved)
                    _call(client, "post", f"{API}/change-plans/{pk}/activities", {"title": "Stap"})
                else:  # approve the plan as whoever this is
                    _call(client, "post", f"{API}/change-plans/{pk}/approve", {})
            else:
                body = {
                    "title": "Eigenschap",
                    "kind": kind,
                    "likelihood": 2 if value else None,
                    "impact": 3 if value else None,
                    "rollback_plan": "Terug" if value else "",
                    "client_id": caller.pk,
                    "version": change.version,
                }
                _call(client, "put", f"{API}/changes/{pk}", body)
            change = Change.objects.select_related("phase").get(pk=pk)
            code = change.phase.code
            needs_at = order.index(workflow.NEEDS)
            if order.index(before) <= needs_at < order.index(code):
                # left the needs phase forward: only with the client's approval of the needs
                assert approved_before, (plan, before, code)
            if kind == "normal" and code in workflow.AFTER_APPROVAL:
                assert change.approval_status == workflow.GRANTED, (plan, code)
            if kind == "normal" and code == workflow.EXECUTION and before != code:
                assert plan_is_approved(change), plan  # it just entered execution
            if change.status == "closed":
                assert change.approval_status == workflow.GRANTED
            if change.approval_status == workflow.GRANTED:
                votes = list(
                    ChangeApproval.objects.filter(change=change, round=change.approval_round).values_list(
                        "decision", flat=True
                    )
                )
                assert workflow.decide(ApprovalRule.objects.get(kind=kind).rule, votes) == workflow.GRANTED
        transaction.set_rollback(True)
