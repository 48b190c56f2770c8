"""The change services: registering, the phase rules, approvals, activities and history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from beheer.accounts.models import Role, User
from beheer.changes import services
from beheer.changes.models import (
    Change,
    ChangeAction,
    ChangeActivity,
    ChangeApproval,
    ChangeCi,
    ChangeHistoryEntry,
    ChangeStatus,
    ChangeTemplate,
    Phase,
    TemplateActivity,
)
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.notifications.models import OutgoingMessage
from beheer.servicedesk.models import Melding
from tests.helpers import make_person

from .helpers import assessed, cab, fresh, make_change, make_ci, move, wifi_world


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The services' messages are asserted in English (Dutch is the default language)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def actions(change: Change) -> list[str]:
    return list(
        ChangeHistoryEntry.objects.filter(change=change).order_by("at", "id").values_list("action", flat=True)
    )


def test_a_change_is_numbered_starts_in_request_and_its_creation_is_in_history(operator: User) -> None:
    change = make_change(operator)
    assert change.number == f"W{change.pk:07d}"
    assert change.phase.code == "request"
    assert change.status == ChangeStatus.OPEN
    assert actions(change) == [ChangeAction.CREATED]


def test_callers_cannot_register_a_change_through_the_staff_service(caller: User) -> None:
    with pytest.raises(PermissionDenied):
        make_change(caller)


def test_the_risk_level_comes_from_the_matrix_and_edits_are_recorded(operator: User) -> None:
    change = make_change(operator)
    data = services.ChangeData(title="Nieuw", likelihood=4, impact=4, rollback_plan="Terug")
    change = services.update_change(change, actor=operator, data=data, expected_version=change.version)
    assert change.risk_level is not None
    assert change.risk_level.code == "critical"
    fields = set(
        ChangeHistoryEntry.objects.filter(change=change, action="changed").values_list("field", flat=True)
    )
    assert {"title", "likelihood", "impact", "risk_level", "rollback_plan"} <= fields
    with pytest.raises(Conflict):
        services.update_change(change, actor=operator, data=data, expected_version=change.version - 1)


def test_half_a_risk_is_refused(operator: User) -> None:
    change = make_change(operator)
    with pytest.raises(DomainError) as caught:
        services.update_change(
            change,
            actor=operator,
            data=services.ChangeData(title="x", likelihood=2),
            expected_version=change.version,
        )
    assert "impact" in caught.value.field_errors


def test_leaving_assessment_is_blocked_with_the_rule_named(operator: User) -> None:
    change = move(operator, make_change(operator), "assessment")
    with pytest.raises(DomainError) as caught:
        move(operator, change, "approval")
    assert "risk" in caught.value.message
    assert "rollback plan" in caught.value.message
    assert fresh(change).phase.code == "assessment"


def test_a_normal_change_cannot_be_planned_or_executed_before_approval(
    operator: User, coordinator: User
) -> None:
    cab([coordinator])
    change = assessed(operator, make_change(operator))
    change = move(operator, change, "approval")
    for code in ("planning", "execution"):
        with pytest.raises(DomainError, match="approved first"):
            move(operator, change, code)


def test_entering_approval_asks_every_approver_by_mail_and_all_must_approve(
    operator: User, coordinator: User, specialist: User
) -> None:
    owner = make_person(Role.CALLER, first_name="Dirk", last_name="Directeur")
    ap, _wifi = wifi_world(operator, owner)
    cab([coordinator, specialist], rule="all", owners=True)
    change = assessed(operator, make_change(operator, cis=[ap], coordinator=operator))
    change = move(operator, change, "approval")
    asked = ChangeApproval.objects.filter(change=change)
    assert {a.approver_id for a in asked} == {coordinator.pk, specialist.pk, owner.pk}
    assert OutgoingMessage.objects.filter(event="change_approval_requested").count() == 3
    for person in (coordinator, specialist):
        services.decide_approval(asked.get(approver=person), actor=person, approve=True)
        assert fresh(change).approval_status == "pending"
    services.decide_approval(asked.get(approver=owner), actor=owner, approve=True, comment="Prima")
    change = fresh(change)
    assert change.approval_status == "granted"
    assert change.approved_at is not None
    assert OutgoingMessage.objects.filter(event="change_approval_decided").count() == 1
    change = move(operator, change, "planning")
    assert change.phase.code == "planning"


def test_a_rejection_needs_a_reason_and_sends_the_change_back_to_assessment(
    operator: User, coordinator: User
) -> None:
    cab([coordinator])
    change = move(operator, assessed(operator, make_change(operator)), "approval")
    approval = ChangeApproval.objects.get(change=change)
    with pytest.raises(DomainError):
        services.decide_approval(approval, actor=coordinator, approve=False)
    services.decide_approval(approval, actor=coordinator, approve=False, comment="Te riskant in de toetsweek")
    change = fresh(change)
    assert change.approval_status == "rejected"
    assert change.phase.code == "assessment"
    assert ChangeAction.REJECTED in actions(change)
    assert ChangeAction.MOVED in actions(change)
    # the next entry into approval starts a new round
    change = move(operator, change, "approval")
    assert change.approval_round == 2
    assert change.approval_status == "pending"


def test_nobody_but_the_approver_decides_and_a_decision_is_given_once(
    operator: User, coordinator: User, caller: User
) -> None:
    cab([coordinator])
    change = move(operator, assessed(operator, make_change(operator)), "approval")
    approval = ChangeApproval.objects.get(change=change)
    for other in (operator, caller):
        with pytest.raises(NotFound):
            services.decide_approval(approval, actor=other, approve=True)
    services.decide_approval(approval, actor=coordinator, approve=True)
    with pytest.raises(Conflict):
        services.decide_approval(approval, actor=coordinator, approve=False, comment="toch niet")


def test_any_and_majority_rules(
    operator: User, coordinator: User, specialist: User, administrator: User
) -> None:
    cab([coordinator, specialist], rule="any")
    change = move(operator, assessed(operator, make_change(operator)), "approval")
    services.decide_approval(
        ChangeApproval.objects.get(change=change, approver=coordinator), actor=coordinator, approve=True
    )
    assert fresh(change).approval_status == "granted"

    cab([coordinator, specialist, administrator], rule="majority", kind="emergency")
    other = move(operator, assessed(operator, make_change(operator, kind="emergency")), "approval")
    rows = ChangeApproval.objects.filter(change=other)
    services.decide_approval(rows.get(approver=coordinator), actor=coordinator, approve=False, comment="nee")
    assert fresh(other).approval_status == "pending"
    services.decide_approval(rows.get(approver=specialist), actor=specialist, approve=False, comment="nee")
    assert fresh(other).approval_status == "rejected"


def test_without_approvers_the_approval_phase_cannot_start(operator: User) -> None:
    change = assessed(operator, make_change(operator))
    with pytest.raises(DomainError, match="Nobody can approve"):
        move(operator, change, "approval")
    assert fresh(change).phase.code == "assessment"


def test_an_emergency_change_is_executed_first_and_approved_afterwards(
    operator: User, coordinator: User
) -> None:
    cab([coordinator], kind="emergency")
    change = assessed(operator, make_change(operator, kind="emergency"))
    change = move(operator, change, "execution")
    approval = ChangeApproval.objects.get(change=change)
    assert approval.retroactive
    assert change.approval_status == "pending"
    with pytest.raises(DomainError, match="approved first"):
        move(operator, change, "closed")
    services.decide_approval(approval, actor=coordinator, approve=True)
    change = fresh(change)
    assert change.approved_afterwards
    assert change.phase.code == "execution"
    change = move(operator, change, "closed")
    assert change.status == ChangeStatus.CLOSED
    assert change.closed_at is not None
    with pytest.raises(ReadOnly):
        move(operator, change, "evaluation")


def test_a_standard_change_from_its_template_skips_approval_and_expands_into_activities(
    operator: User, coordinator: User, first_line: object
) -> None:
    template = services.create_template(
        actor=coordinator,
        name="Laptop nieuwe medewerker",
        title="Laptop voor een nieuwe medewerker",
        activities=[services.ActivityLine("Laptop klaarzetten", 30), services.ActivityLine("Uitleveren", 15)],
    )
    assert TemplateActivity.objects.filter(template=template).count() == 2
    with pytest.raises(PermissionDenied):
        services.create_template(actor=operator, name="x", title="x")
    change = services.create_change_from_template(template, actor=operator)
    assert change.kind == "standard"
    assert change.approval_status == "granted"
    assert list(ChangeActivity.objects.filter(change=change).values_list("title", flat=True)) == [
        "Laptop klaarzetten",
        "Uitleveren",
    ]
    change = move(operator, change, "assessment")
    with pytest.raises(DomainError, match="pre-approved"):
        move(operator, change, "approval")
    change = move(operator, change, "execution")
    with pytest.raises(DomainError, match="Every activity"):
        move(operator, change, "evaluation")
    first, second = ChangeActivity.objects.filter(change=change)
    services.complete_activity(first, actor=operator)
    services.note_deviation(second, actor=operator, deviation="Medewerker ziek, later uitgeleverd")
    change = move(operator, change, "closed")
    assert change.status == ChangeStatus.CLOSED
    assert {ChangeAction.ACTIVITY_DONE, ChangeAction.DEVIATION} <= set(actions(change))
    archived = ChangeTemplate.objects.get(pk=template.pk)
    services.update_template(
        archived,
        actor=coordinator,
        expected_version=archived.version,
        name=archived.name,
        title="t",
        active=False,
    )
    with pytest.raises(DomainError):
        services.create_change_from_template(fresh(template), actor=operator)


def test_a_normal_change_is_evaluated_before_it_closes(operator: User, coordinator: User) -> None:
    cab([coordinator])
    change = move(operator, assessed(operator, make_change(operator, coordinator=operator)), "approval")
    services.decide_approval(ChangeApproval.objects.get(change=change), actor=coordinator, approve=True)
    services.add_activity(fresh(change), actor=operator, title="Uitvoeren")
    services.approve_plan(fresh(change), actor=operator, expected_plan_version=None)
    change = move(operator, fresh(change), "execution")
    services.complete_activity(ChangeActivity.objects.get(change=change), actor=operator)
    with pytest.raises(DomainError, match="evaluated"):
        move(operator, change, "closed")
    change = move(operator, change, "evaluation")
    assert change.evaluated_at is not None
    assert move(operator, change, "closed").status == ChangeStatus.CLOSED


def test_a_change_from_a_melding_links_it_and_copies_its_text_and_ci(
    operator: User, caller: User, melding: Melding
) -> None:
    ci = make_ci(operator, "Printer 2.14", "printer")
    Melding.objects.filter(pk=melding.pk).update(ci=ci, request="Printer drukt niet af")
    change = services.create_change_from_melding(fresh(melding), actor=operator)
    assert change.origin_melding_id == melding.pk
    assert change.title == melding.brief_description
    assert change.description == "Printer drukt niet af"
    assert change.requester == caller
    assert list(ChangeCi.objects.filter(change=change).values_list("ci_id", flat=True)) == [ci.pk]
    with pytest.raises(PermissionDenied):
        services.create_change_from_melding(melding, actor=caller)


def test_a_portal_request_takes_only_the_callers_own_objects(
    operator: User, caller: User, other_caller: User
) -> None:
    mine = make_ci(operator, "Laptop Anna", "laptop", owner=caller)
    theirs = make_ci(operator, "Laptop Bram", "laptop", owner=other_caller)
    with pytest.raises(DomainError):
        services.submit_change_request(actor=caller, title_text="Meer geheugen", description="", ci=theirs)
    change = services.submit_change_request(
        actor=caller, title_text="Meer geheugen", description="Traag", ci=mine
    )
    assert change.requester == caller
    assert change.client == caller
    assert change.kind == "normal"


def test_phases_with_rules_cannot_be_deactivated_or_reordered_past_each_other(
    coordinator: User, operator: User
) -> None:
    approval = Phase.objects.get(code="approval")
    with pytest.raises(DomainError):
        services.update_phase(
            approval,
            actor=coordinator,
            name_nl="x",
            name_en="x",
            order=approval.order,
            active=False,
            expected_version=approval.version,
        )
    with pytest.raises(DomainError):
        services.update_phase(
            approval,
            actor=coordinator,
            name_nl="x",
            name_en="x",
            order=1,
            active=True,
            expected_version=approval.version,
        )
    design = Phase.objects.get(code="design")
    with pytest.raises(PermissionDenied):
        services.update_phase(
            design,
            actor=operator,
            name_nl="x",
            name_en="x",
            order=1,
            active=False,
            expected_version=design.version,
        )
    services.update_phase(
        design,
        actor=coordinator,
        name_nl="Ontwerp",
        name_en="Design",
        order=design.order,
        active=False,
        expected_version=design.version,
    )
    change = assessed(operator, make_change(operator))
    assert "design" not in [n.phase.code for n in services.next_phases(change)]


def test_cancelling_closes_a_change_for_edits(operator: User) -> None:
    change = make_change(operator)
    change = services.cancel_change(change, actor=operator, expected_version=change.version, reason="Dubbel")
    assert change.status == ChangeStatus.CANCELLED
    with pytest.raises(ReadOnly):
        services.update_change(
            change, actor=operator, data=services.ChangeData(title="x"), expected_version=None
        )


def test_history_texts_are_written_in_the_installation_language(operator: User, coordinator: User) -> None:
    from beheer.changes.models import ChangeHistoryEntry

    template = services.create_template(actor=coordinator, name="Printer", title="Printer plaatsen")
    with translation.override("en"):  # an operator who reads English; history is written once
        change = services.create_change_from_template(template, actor=operator)
    texts = set(ChangeHistoryEntry.objects.filter(change=change).values_list("new_value", flat=True))
    assert "vooraf goedgekeurd (standaardwijziging)" in texts, texts
