"""Helpers for the testing tests: a change with requirements, and a plan with cases written
straight to the database (the services are tested on their own; these set a scene)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from beheer.accounts.models import Role, User
from beheer.changes import services as change_services
from beheer.changes.models import Change, Requirement
from beheer.changes.tests.helpers import make_change
from beheer.core import clock
from beheer.testing.models import TestCase, TestPlan, TestResult, TestRun, TestType
from beheer.testing.services._base import next_number, plan_of
from tests.helpers import make_person

__all__ = ["add_case", "add_run", "make_change", "make_person", "scene", "set_result"]


def scene(**change_kwargs: Any) -> tuple[User, User, Change, list[Requirement], TestPlan]:
    """An operator, a caller who is the change's client, a change with three requirements and its
    (empty) test plan."""
    operator = make_person(Role.OPERATOR, username="tester")
    client = make_person(Role.CALLER, username="opdrachtgever")
    change = make_change(operator, client=client, **change_kwargs)
    requirements = [
        change_services.add_requirement(change, actor=operator, text=text, priority="must")
        for text in (
            "Iedereen kan inloggen op het nieuwe wifi",
            "Gasten krijgen een eigen netwerk",
            "Dekking in alle lokalen",
        )
    ]
    return operator, client, change, requirements, plan_of(change, actor=operator)


def add_case(
    plan: TestPlan,
    title: str,
    *,
    requirements: Sequence[Requirement] = (),
    test_type: str = TestType.FUNCTIONAL,
    steps: list[dict[str, str]] | None = None,
) -> TestCase:
    now = clock.now()
    case = TestCase.objects.create(
        plan=plan,
        number=next_number(plan, "case_counter"),
        title=title,
        test_type=test_type,
        steps=steps
        if steps is not None
        else [
            {"action": "Open de instellingen", "expected": "Het netwerk staat in de lijst"},
            {"action": "Log in met je schoolaccount", "expected": "Je bent verbonden"},
        ],
        created_at=now,
        updated_at=now,
    )
    case.requirements.set(list(requirements))
    return case


def add_run(
    plan: TestPlan, actor: User, cases: list[TestCase], *, retest_of: TestRun | None = None
) -> TestRun:
    run = TestRun.objects.create(
        plan=plan,
        number=next_number(plan, "run_counter"),
        started_at=clock.now(),
        created_by=actor,
        retest_of=retest_of,
    )
    TestResult.objects.bulk_create([TestResult(run=run, case=c) for c in cases])
    return run


def set_result(run: TestRun, case: TestCase, outcome: str, actor: User, actual: str = "") -> TestResult:
    TestResult.objects.filter(run=run, case=case).update(
        outcome=outcome, actual_result=actual, executed_by=actor, executed_at=clock.now()
    )
    return TestResult.objects.get(run=run, case=case)
