"""The implementation plan: activities with dependencies (no loops, no other change's activities),
editing them, the plan's version and its approval, the workflow rule, and notices to stakeholders
with the knowledge base's read acknowledgement."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import translation

from beheer.accounts.models import Role, User
from beheer.changes import services, timeline
from beheer.changes.models import (
    ActivityDependency,
    Change,
    ChangeAction,
    ChangeActivity,
    ChangeApproval,
    ChangeHistoryEntry,
    PlanApproval,
    PlanNoticeRecipient,
)
from beheer.changes.notices import notice_rows
from beheer.changes.services._base import plan_is_approved
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.knowledge import services as knowledge
from beheer.knowledge.models import ArticleAcknowledgement, Audience, Kind
from beheer.knowledge.tests.helpers import published
from beheer.notifications.models import OutgoingMessage
from tests.helpers import make_person

from .helpers import assessed, cab, fresh, make_change, move

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def plan(actor: User, change: Change, title: str, **kw: object) -> ChangeActivity:
    return services.plan_activity(change, actor=actor, data=services.ActivityData(title=title, **kw))  # type: ignore[arg-type]


def approved_change(operator: User, coordinator: User) -> Change:
    cab([coordinator])
    change = move(operator, assessed(operator, make_change(operator, coordinator=operator)), "approval")
    services.decide_approval(ChangeApproval.objects.get(change=change), actor=coordinator, approve=True)
    return fresh(change)


def test_dependencies_refuse_loops_self_and_other_changes(operator: User) -> None:
    change = make_change(operator)
    a = plan(operator, change, "Bekabeling controleren")
    b = plan(operator, change, "Access points ophangen", depends_on=[a.pk])
    c = plan(operator, change, "Controller inrichten", depends_on=[b.pk])
    assert set(ActivityDependency.objects.values_list("activity_id", "depends_on_id")) == {
        (b.pk, a.pk),
        (c.pk, b.pk),
    }
    with pytest.raises(DomainError) as caught:
        services.update_activity(
            a,
            actor=operator,
            data=services.ActivityData(title=a.title, depends_on=[c.pk]),
            expected_version=None,
        )
    assert "loop" in caught.value.field_errors["depends_on"]
    with pytest.raises(DomainError) as caught:
        services.update_activity(
            a,
            actor=operator,
            data=services.ActivityData(title=a.title, depends_on=[a.pk]),
            expected_version=None,
        )
    assert "itself" in caught.value.field_errors["depends_on"]
    other = plan(operator, make_change(operator, title="Andere"), "Elders")
    with pytest.raises(DomainError) as caught:
        plan(operator, change, "Fout", depends_on=[other.pk])
    assert "depends_on" in caught.value.field_errors
    assert not ChangeActivity.objects.filter(title="Fout").exists()  # nothing half-saved


def test_bad_activity_input_gives_every_field_error(operator: User, caller: User) -> None:
    change = make_change(operator)
    start = clock.now()
    with pytest.raises(DomainError) as caught:
        plan(
            operator,
            change,
            "",
            people_count=-1,
            estimate_minutes=10**9,
            assignee=caller,
            planned_start=start,
            planned_end=start - timedelta(hours=1),
        )
    assert {"title", "people_count", "estimate_minutes", "assignee", "planned_end"} <= set(
        caught.value.field_errors
    )
    with pytest.raises(PermissionDenied):
        plan(caller, change, "x")


def test_editing_an_activity_is_recorded_and_checks_the_version(operator: User) -> None:
    change = make_change(operator)
    a = plan(operator, change, "Eerst")
    change = fresh(change)
    data = services.ActivityData(title="Eerst, herzien", people_count=3, means="Hoogwerker")
    found = services.update_activity(a, actor=operator, data=data, expected_version=change.version)
    assert (found.title, found.people_count, found.means) == ("Eerst, herzien", 3, "Hoogwerker")
    assert ChangeHistoryEntry.objects.filter(change=change, action=ChangeAction.ACTIVITY_CHANGED).exists()
    with pytest.raises(Conflict):
        services.update_activity(a, actor=operator, data=data, expected_version=change.version)
    ChangeActivity.objects.filter(pk=a.pk).delete()
    with pytest.raises(NotFound):
        services.update_activity(a, actor=operator, data=data, expected_version=None)


def test_the_plan_is_approved_by_coordinator_or_client_and_a_later_edit_outdates_it(
    operator: User, specialist: User
) -> None:
    client = make_person(Role.CALLER)
    change = make_change(operator, coordinator=operator, client=client)
    with pytest.raises(DomainError, match="at least one activity"):
        services.approve_plan(change, actor=operator, expected_plan_version=1)
    a = plan(operator, change, "Eerst")
    with pytest.raises(PermissionDenied):
        services.approve_plan(change, actor=specialist, expected_plan_version=1)
    approval = services.approve_plan(change, actor=client, expected_plan_version=1, comment="Akkoord")
    assert approval.plan_version == 1
    assert plan_is_approved(change)
    services.update_activity(
        a,
        actor=operator,
        data=services.ActivityData(
            title="Eerst", planned_start=clock.now(), planned_end=clock.now() + timedelta(hours=2)
        ),
        expected_version=None,
    )
    assert not plan_is_approved(change)
    with pytest.raises(Conflict):
        services.approve_plan(change, actor=operator, expected_plan_version=1)
    assert services.approve_plan(change, actor=operator, expected_plan_version=2).plan_version == 2
    assert PlanApproval.objects.filter(change=change).count() == 2


def test_a_normal_change_enters_execution_only_with_its_plan_approved(
    operator: User, coordinator: User
) -> None:
    change = approved_change(operator, coordinator)
    change = move(operator, change, "planning")
    with pytest.raises(DomainError, match="plan must be approved"):
        move(operator, change, "execution")
    plan(operator, change, "Uitvoeren")
    services.approve_plan(fresh(change), actor=operator, expected_plan_version=None)
    assert move(operator, change, "execution").phase.code == "execution"


def test_stakeholders_are_informed_and_acknowledge_through_the_knowledge_base(operator: User) -> None:
    teacher = make_person(Role.CALLER, first_name="Tineke", email="tineke@school.nl")
    article = published(
        operator, title="Nieuwe wifi gebruiken", body="v1", kind=Kind.INSTRUCTION, audience=Audience.CALLERS
    )
    knowledge.set_acknowledgement_required(
        article, actor=operator, expected_version=fresh(article).version, required=True
    )
    change = make_change(operator)
    person = services.add_stakeholder(change, actor=operator, person=teacher)
    outside = services.add_stakeholder(change, actor=operator, name="Leverancier", email="info@lev.nl")
    notice = services.inform_stakeholders(
        change,
        actor=operator,
        subject="Geen wifi op 14 maart",
        text="Tussen 8 en 12 uur is er geen wifi in gebouw B.",
        stakeholders=[person, outside],
        article=fresh(article),
    )
    rows = {r.stakeholder_id: r for r in PlanNoticeRecipient.objects.filter(notice=notice)}
    assert rows[outside.pk].notified_at is not None
    assert not rows[outside.pk].subscribed
    assert rows[person.pk].subscribed
    messages = OutgoingMessage.objects.filter(event="change_plan_notice")
    assert messages.count() == 2
    knowledge.acknowledge(fresh(article), actor=teacher)
    assert ArticleAcknowledgement.objects.filter(user=teacher).exists()
    shown = notice_rows(change)
    assert {r.row.stakeholder_id: r.acknowledged for r in shown[0].recipients} == {
        person.pk: True,
        outside.pk: None,
    }


def test_a_notice_needs_subject_text_and_stakeholders_of_this_change(operator: User) -> None:
    change = make_change(operator)
    other = services.add_stakeholder(
        make_change(operator, title="Ander"), actor=operator, name="X", email="x@y.nl"
    )
    with pytest.raises(DomainError) as caught:
        services.inform_stakeholders(change, actor=operator, subject="", text="", stakeholders=[other])
    assert set(caught.value.field_errors) == {"subject", "text", "stakeholders"}
    with pytest.raises(DomainError) as caught:
        services.inform_stakeholders(change, actor=operator, subject="a", text="b", stakeholders=[])
    assert "stakeholders" in caught.value.field_errors


def test_creates_cycle_is_pure() -> None:
    edges = {2: [1], 3: [2]}
    assert timeline.creates_cycle(1, [3], edges)
    assert not timeline.creates_cycle(4, [3], edges)
    assert timeline.creates_cycle(1, [1], {})
