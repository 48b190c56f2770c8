"""The services of the test plan: the plan, its environments and their preparation, its cases and the
library of standard cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from beheer.accounts.models import Role, User
from beheer.changes import services as change_services
from beheer.changes.models import Change, ChangeStatus
from beheer.changes.tests.helpers import make_ci
from beheer.cmdb.models import CiStatus, ConfigurationItem
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, PermissionDenied, ReadOnly
from beheer.operations.models import ActivityKind, Occurrence
from beheer.testing.models import PlanEnvironment, TestCase, TestingHistoryEntry, TestPlan, TestRun
from beheer.testing.services import plans
from beheer.testing.services._base import plan_of

from .helpers import add_run, make_change, make_person, scene

pytestmark = pytest.mark.django_db

STEPS = [
    ("Open de printerlijst", "De nieuwe printer staat erbij"),
    ("Print een testpagina", "De pagina komt eruit"),
]


def env_ci(actor: User, name: str, environment: str = "test") -> ConfigurationItem:
    ci = make_ci(actor, name, "server")
    ConfigurationItem.objects.filter(pk=ci.pk).update(environment=environment)
    ci.refresh_from_db()
    return ci


def fresh(plan: TestPlan) -> TestPlan:
    return TestPlan.objects.select_related("change").get(pk=plan.pk)


def test_save_plan_checks_types_and_version_and_records_the_trail() -> None:
    operator, _client, _change, _reqs, plan = scene()
    saved = plans.save_plan(
        plan,
        actor=operator,
        expected_version=plan.version,
        scope="Wifi in gebouw B",
        entry_criteria="Controller geïnstalleerd",
        exit_criteria="Alle must-eisen groen",
        test_types=["functional", "acceptance"],
    )
    assert saved.version == 2
    row = fresh(plan)
    assert row.scope == "Wifi in gebouw B"
    assert row.test_types == ["functional", "acceptance"]
    assert set(
        TestingHistoryEntry.objects.filter(plan=plan, action="changed").values_list("field", flat=True)
    ) == {"scope", "entry_criteria", "exit_criteria", "test_types"}
    with pytest.raises(Conflict):
        plans.save_plan(
            row,
            actor=operator,
            expected_version=1,
            scope="",
            entry_criteria="",
            exit_criteria="",
            test_types=[],
        )
    with pytest.raises(DomainError) as bad:
        plans.save_plan(
            row,
            actor=operator,
            expected_version=2,
            scope="x" * 20_001,
            entry_criteria="",
            exit_criteria="",
            test_types=["functional", "functional", "chaos"],
        )
    assert set(bad.value.field_errors) == {"scope", "test_types"}
    assert fresh(plan).version == 2  # nothing half-saved


def test_a_caller_and_a_closed_change_are_refused(caller: User) -> None:
    operator, _client, change, _reqs, plan = scene()
    with pytest.raises(PermissionDenied):
        plans.add_case(plan, actor=caller, title="Inloggen", test_type="functional")
    Change.objects.filter(pk=change.pk).update(status=ChangeStatus.CANCELLED)
    with pytest.raises(ReadOnly):
        plans.add_case(plan, actor=operator, title="Inloggen", test_type="functional")
    assert not TestCase.objects.exists()


def test_cases_are_numbered_checked_and_linked_to_the_changes_own_requirements() -> None:
    operator, _client, _change, reqs, plan = scene()
    first = plans.add_case(
        plan,
        actor=operator,
        title="Inloggen op het wifi",
        test_type="functional",
        steps=STEPS,
        requirements=reqs[:2],
    )
    second = plans.add_case(plan, actor=operator, title="Gastnetwerk", test_type="security")
    assert (first.code, second.code) == ("TC-1", "TC-2")
    assert first.steps[0] == {"action": "Open de printerlijst", "expected": "De nieuwe printer staat erbij"}
    assert sorted(r.code for r in first.requirements.all()) == ["REQ-1", "REQ-2"]
    assert fresh(plan).version == 3  # the plan's content changed twice

    other_op, _c, _other_change, other_reqs, _p = scene_other()
    with pytest.raises(DomainError) as foreign:
        plans.add_case(plan, actor=operator, title="X", test_type="functional", requirements=[other_reqs[0]])
    assert "requirements" in foreign.value.field_errors
    with pytest.raises(DomainError) as bad:
        plans.add_case(plan, actor=operator, title="", test_type="nope", steps=[("", "alleen verwacht")])
    assert set(bad.value.field_errors) == {"title", "test_type", "steps"}
    with pytest.raises(DomainError) as many:
        plans.add_case(plan, actor=operator, title="Lang", test_type="functional", steps=[("a", "b")] * 51)
    assert "steps" in many.value.field_errors
    with pytest.raises(DomainError) as long_step:
        plans.add_case(plan, actor=operator, title="Lang", test_type="functional", steps=[("a" * 2001, "")])
    assert "steps" in long_step.value.field_errors
    assert TestCase.objects.filter(plan=plan).count() == 2
    del other_op


def scene_other() -> tuple[User, User, Change, list, TestPlan]:
    operator = make_person(Role.OPERATOR)
    change = make_change(operator, title="Printers vervangen")
    reqs = [change_services.add_requirement(change, actor=operator, text="Printen werkt", priority="must")]
    return operator, operator, change, reqs, plan_of(change, actor=operator)


def test_update_case_checks_version_and_a_withdrawn_case_is_read_only() -> None:
    operator, _client, _change, reqs, plan = scene()
    case = plans.add_case(
        plan, actor=operator, title="Inloggen", test_type="functional", requirements=[reqs[0]]
    )
    changed = plans.update_case(
        case,
        actor=operator,
        expected_version=1,
        title="Inloggen met schoolaccount",
        test_type="acceptance",
        preconditions="Een account",
        steps=STEPS,
        requirements=[reqs[1], reqs[2]],
    )
    assert changed.version == 2
    assert sorted(r.code for r in changed.requirements.all()) == ["REQ-2", "REQ-3"]
    trail = set(
        TestingHistoryEntry.objects.filter(plan=plan, action="case_changed").values_list("field", flat=True)
    )
    assert {"title", "test_type", "preconditions", "steps", "requirements"} <= trail
    with pytest.raises(Conflict):
        plans.update_case(
            case, actor=operator, expected_version=1, title="x", test_type="functional",
            preconditions="", steps=(), requirements=(),
        )  # fmt: skip
    withdrawn = plans.withdraw_case(changed, actor=operator)
    assert withdrawn.withdrawn
    with pytest.raises(ReadOnly):
        plans.update_case(
            case, actor=operator, expected_version=withdrawn.version, title="x", test_type="functional",
            preconditions="", steps=(), requirements=(),
        )  # fmt: skip
    assert TestCase.objects.get(pk=case.pk).title == "Inloggen met schoolaccount"


def test_the_plan_caps_its_cases() -> None:
    operator, _client, _change, _reqs, plan = scene()
    TestPlan.objects.filter(pk=plan.pk).update(case_counter=0)
    now = clock.now()
    TestCase.objects.bulk_create(
        [
            TestCase(
                plan=plan, number=n, title=f"c{n}", test_type="functional", created_at=now, updated_at=now
            )
            for n in range(1, plans.MAX_CASES + 1)
        ]
    )
    TestPlan.objects.filter(pk=plan.pk).update(case_counter=plans.MAX_CASES)
    with pytest.raises(DomainError):
        plans.add_case(plan, actor=operator, title="Eén te veel", test_type="functional")


def test_environments_match_their_purpose_and_stay_once_a_run_used_them() -> None:
    operator, _client, _change, _reqs, plan = scene()
    test_server = env_ci(operator, "wifi-test")
    acc_server = env_ci(operator, "wifi-acc", "acceptance")
    prod = env_ci(operator, "wifi-prod", "production")
    env = plans.add_environment(plan, actor=operator, ci=test_server, purpose="test")
    plans.add_environment(plan, actor=operator, ci=acc_server, purpose="acceptance")
    for ci, purpose in ((prod, "test"), (acc_server, "test"), (test_server, "test")):
        with pytest.raises(DomainError) as refused:
            plans.add_environment(plan, actor=operator, ci=ci, purpose=purpose)
        assert "ci" in refused.value.field_errors
    with pytest.raises(DomainError) as bad_purpose:
        plans.add_environment(plan, actor=operator, ci=test_server, purpose="production")
    assert "purpose" in bad_purpose.value.field_errors
    retired = env_ci(operator, "oud-test")
    ConfigurationItem.objects.filter(pk=retired.pk).update(status=CiStatus.RETIRED)
    retired.refresh_from_db()
    with pytest.raises(DomainError):
        plans.add_environment(plan, actor=operator, ci=retired, purpose="test")

    run = add_run(plan, operator, [])
    TestRun.objects.filter(pk=run.pk).update(environment=test_server)
    with pytest.raises(ReadOnly):
        plans.remove_environment(env, actor=operator)
    acc = PlanEnvironment.objects.get(plan=plan, ci=acc_server)
    plans.remove_environment(acc, actor=operator)
    assert list(PlanEnvironment.objects.filter(plan=plan).values_list("ci__name", flat=True)) == ["wifi-test"]
    assert TestingHistoryEntry.objects.filter(plan=plan, action="environment").count() == 3


def test_preparing_an_environment_plans_one_occurrence_with_the_checklist(coordinator: User) -> None:
    operator, _client, _change, _reqs, plan = scene()
    ci = env_ci(operator, "wifi-test")
    env = plans.add_environment(plan, actor=operator, ci=ci, purpose="test")
    when = clock.now() + timedelta(days=3)
    with pytest.raises(PermissionDenied):
        plans.prepare_environment(env, actor=operator, checklist=["Testdata laden"], planned_for=when)
    with pytest.raises(DomainError) as empty:
        plans.prepare_environment(env, actor=coordinator, checklist=["  ", ""], planned_for=when)
    assert "checklist" in empty.value.field_errors
    with pytest.raises(DomainError) as past:
        plans.prepare_environment(
            env, actor=coordinator, checklist=["x"], planned_for=clock.now() - timedelta(hours=1)
        )
    assert "planned_for" in past.value.field_errors
    with pytest.raises(DomainError) as bad_assignee:
        plans.prepare_environment(env, actor=coordinator, checklist=["x"], planned_for=when, assignee=_client)
    assert "assignee" in bad_assignee.value.field_errors
    series = plans.prepare_environment(
        env,
        actor=coordinator,
        checklist=["Testdata laden", "Accounts aanmaken", ""],
        planned_for=when,
        assignee=operator,
    )
    assert series.kind == ActivityKind.OTHER
    assert list(series.cis.all()) == [ci]
    occurrences = list(Occurrence.objects.filter(series=series))
    assert len(occurrences) == 1
    assert occurrences[0].planned_at == when.replace(second=0, microsecond=0)
    assert [i["item"] for i in occurrences[0].checklist_results] == ["Testdata laden", "Accounts aanmaken"]
    assert PlanEnvironment.objects.get(pk=env.pk).preparation_id == series.pk
    with pytest.raises(DomainError):
        plans.prepare_environment(env, actor=coordinator, checklist=["nog eens"], planned_for=when)
    assert Occurrence.objects.filter(series__cis=ci).count() == 1


def test_library_operators_create_and_edit_only_coordinators_archive(coordinator: User) -> None:
    operator, _client, _change, reqs, plan = scene()
    std = plans.create_standard_case(
        actor=operator, title="Inloggen met het nieuwe account", test_type="functional", steps=STEPS
    )
    edited = plans.update_standard_case(
        std,
        actor=operator,
        expected_version=1,
        title="Inloggen met het nieuwe account",
        test_type="acceptance",
        preconditions="Account aangemaakt",
        steps=STEPS[:1],
    )
    assert edited.version == 2
    with pytest.raises(Conflict):
        plans.update_standard_case(
            std,
            actor=operator,
            expected_version=1,
            title="x",
            test_type="functional",
            preconditions="",
            steps=(),
        )
    with pytest.raises(DomainError) as bad:
        plans.create_standard_case(actor=operator, title=" ", test_type="functional")
    assert "title" in bad.value.field_errors
    with pytest.raises(PermissionDenied):
        plans.set_standard_case_active(std, actor=operator, active=False)
    printer = plans.create_standard_case(
        actor=operator, title="Print naar de nieuwe printer", test_type="functional"
    )

    copies = plans.copy_standard_cases(
        plan, actor=operator, cases=[edited, printer, edited], requirements=[reqs[0]]
    )
    assert [c.code for c in copies] == ["TC-1", "TC-2"]
    assert copies[0].standard_case_id == std.pk
    assert copies[0].steps == [{"action": STEPS[0][0], "expected": STEPS[0][1]}]
    assert [list(c.requirements.values_list("number", flat=True)) for c in copies] == [[1], [1]]
    assert plans.set_standard_case_active(std, actor=coordinator, active=False).active is False
    with pytest.raises(DomainError) as inactive:
        plans.copy_standard_cases(plan, actor=operator, cases=[std])
    assert "cases" in inactive.value.field_errors
    _o, _c, _ch, other_reqs, _p = scene_other()
    with pytest.raises(DomainError) as foreign:
        plans.copy_standard_cases(plan, actor=operator, cases=[printer], requirements=other_reqs)
    assert "requirements" in foreign.value.field_errors
    assert TestCase.objects.filter(plan=plan).count() == 2
    # the copy keeps its own text when the library's case changes
    plans.update_standard_case(
        printer, actor=operator, expected_version=1, title="Print in kleur", test_type="functional",
        preconditions="", steps=(),
    )  # fmt: skip
    assert TestCase.objects.get(pk=copies[1].pk).title == "Print naar de nieuwe printer"
