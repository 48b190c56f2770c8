"""The needs inventory: requirement codes and the needs version, the client's approval of a version,
the workflow rule that guards leaving the needs phase, designs linked to a change, traceability and
the client's e-mail about a design waiting for approval."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.utils import translation

from beheer.accounts.models import Role, User
from beheer.changes import services
from beheer.changes.models import (
    Change,
    ChangeDesign,
    ChangeHistoryEntry,
    NeedsApproval,
    NeedsInventory,
    OpenQuestion,
    Requirement,
    needs_approved,
)
from beheer.changes.traceability import coverage_rows, design_rows, needs_status, normalise_code
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.knowledge import services as knowledge
from beheer.knowledge.models import Article
from beheer.knowledge.services.designs import template_sections
from beheer.notifications.models import OutgoingMessage
from tests.helpers import make_person

from .helpers import assessed, fresh, make_change, move

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _version(change: Change) -> int:
    return NeedsInventory.objects.get(change=change).version


def test_requirement_codes_are_never_reused_and_every_change_raises_the_needs_version(operator: User) -> None:
    change = make_change(operator)
    one = services.add_requirement(change, actor=operator, text="Dekking in gebouw B", priority="must")
    two = services.add_requirement(change, actor=operator, text="Gastnetwerk", priority="could")
    assert (one.code, two.code) == ("REQ-1", "REQ-2")
    assert _version(change) == 2
    services.delete_requirement(two, actor=operator, expected_version=two.version)
    three = services.add_requirement(change, actor=operator, text="Eduroam", priority="should")
    assert three.code == "REQ-3"
    assert _version(change) == 4
    updated = services.update_requirement(
        one, actor=operator, expected_version=one.version, text="Dekking in alle lokalen", priority="must"
    )
    assert updated.version == 2
    assert _version(change) == 5
    # unchanged: no new version
    services.update_requirement(
        updated,
        actor=operator,
        expected_version=updated.version,
        text="Dekking in alle lokalen",
        priority="must",
    )
    assert _version(change) == 5
    with pytest.raises(Conflict):
        services.update_requirement(one, actor=operator, expected_version=1, text="x", priority="must")
    actions = list(ChangeHistoryEntry.objects.filter(change=change).values_list("action", flat=True))
    assert actions.count("requirement_added") == 3
    assert "requirement_removed" in actions
    assert "requirement_changed" in actions


def test_bad_requirement_input_gives_field_errors_and_saves_nothing(operator: User) -> None:
    change = make_change(operator)
    other = make_change(operator, title="Andere wijziging")
    stranger = services.add_stakeholder(other, actor=operator, name="Elders")
    with pytest.raises(DomainError) as bad:
        services.add_requirement(change, actor=operator, text=" ", priority="maybe", source=stranger)
    assert set(bad.value.field_errors) == {"text", "priority", "source"}
    assert not Requirement.objects.exists()
    assert not NeedsInventory.objects.filter(change=change, version__gt=0).exists()


def test_callers_cannot_write_the_inventory_and_see_only_their_own(operator: User) -> None:
    client = make_person(Role.CALLER)
    outsider = make_person(Role.CALLER)
    change = make_change(operator, client=client)
    req = services.add_requirement(change, actor=operator, text="Dekking", priority="must")
    with pytest.raises(PermissionDenied):
        services.add_requirement(change, actor=client, text="Meer", priority="must")
    with pytest.raises(PermissionDenied):
        services.add_needs_note(change, actor=client, held_on=date.today(), kind="interview")
    assert list(Requirement.objects.visible_to(client)) == [req]
    assert not Requirement.objects.visible_to(outsider).exists()
    services.add_needs_note(change, actor=operator, held_on=date.today(), kind="meeting", notes="Intern")
    from beheer.changes.models import NeedsNote

    assert not NeedsNote.objects.visible_to(client).exists()


def test_only_the_client_approves_and_an_older_approval_is_outdated(operator: User) -> None:
    client = make_person(Role.CALLER)
    requester = make_person(Role.CALLER)
    change = make_change(operator, client=client, requester=requester)
    services.add_requirement(change, actor=operator, text="Dekking", priority="must")
    assert not needs_approved(fresh(change))
    with pytest.raises(PermissionDenied):
        services.decide_needs(change, actor=requester, needs_version=1, approve=True)
    with pytest.raises(PermissionDenied):
        services.decide_needs(change, actor=operator, needs_version=1, approve=True)
    with pytest.raises(DomainError) as why:
        services.decide_needs(change, actor=client, needs_version=1, approve=False)
    assert "comment" in why.value.field_errors
    with pytest.raises(Conflict):
        services.decide_needs(change, actor=client, needs_version=0, approve=True)
    services.decide_needs(change, actor=client, needs_version=1, approve=True, comment="Akkoord")
    assert needs_approved(fresh(change))
    with pytest.raises(Conflict):
        services.decide_needs(change, actor=client, needs_version=1, approve=True)
    services.add_requirement(change, actor=operator, text="Gastnetwerk", priority="could")
    assert not needs_approved(fresh(change))
    status = needs_status(change, operator)
    assert status.version == 2
    assert status.outdated
    assert not status.approved
    assert NeedsApproval.objects.visible_to(requester).count() == 1
    assert not NeedsApproval.objects.visible_to(make_person(Role.CALLER)).exists()


def in_needs(operator: User, client: User | None) -> Change:
    """A change in the needs phase, its risk and rollback plan filled in, with `client`."""
    change = assessed(operator, make_change(operator))
    data = services.ChangeData(
        title=change.title,
        kind=change.kind,
        client=client,
        likelihood=2,
        impact=3,
        rollback_plan="Oude controller terugzetten.",
    )
    change = services.update_change(change, actor=operator, data=data, expected_version=change.version)
    return move(operator, change, "needs")


def test_leaving_the_needs_phase_needs_the_clients_approval_of_the_current_version(operator: User) -> None:
    client = make_person(Role.CALLER)
    change = in_needs(operator, client)
    services.add_requirement(change, actor=operator, text="Dekking", priority="must")
    with pytest.raises(DomainError) as blocked:
        move(operator, change, "design")
    assert "client must approve" in blocked.value.message
    nxt = {n.phase.code: n for n in services.next_phases(fresh(change))}
    assert not nxt["design"].allowed
    services.decide_needs(change, actor=client, needs_version=1, approve=True)
    moved = move(operator, change, "design")
    assert moved.phase.code == "design"


def test_without_requirements_the_needs_phase_is_left_freely(operator: User) -> None:
    change = in_needs(operator, None)
    assert move(operator, change, "design").phase.code == "design"


def test_questions_are_answered_and_reopened(operator: User) -> None:
    client = make_person(Role.CALLER)
    change = make_change(operator, client=client)
    who = services.add_stakeholder(change, actor=operator, person=client, role="client")
    q = services.ask_question(change, actor=operator, question="Welke lokalen eerst?", asked_of=who)
    assert list(OpenQuestion.objects.visible_to(client)) == [q]
    answered = services.answer_question(q, actor=operator, expected_version=q.version, answer="Gebouw B")
    assert answered.status == "answered"
    assert answered.answered_at is not None
    reopened = services.answer_question(
        answered, actor=operator, expected_version=answered.version, answer=""
    )
    assert reopened.status == "open"
    services.delete_question(reopened, actor=operator)
    with pytest.raises(NotFound):
        services.delete_question(reopened, actor=operator)


def _filled(kind: str) -> str:
    """A design text with every section of its template filled in."""
    return "\n".join(f"## {s.heading_en}\n\nIngevuld.\n" for s in template_sections(kind))


def _design(operator: User, client: User, body: str) -> Article:
    return knowledge.create_article(
        actor=operator, title="FO wifi", kind="functional_design", body=body, client=client
    )


def test_a_new_design_starts_from_its_template_with_the_changes_client(operator: User) -> None:
    client = make_person(Role.CALLER)
    change = make_change(operator, client=client)
    link = services.create_design(change, actor=operator, kind="functional_design")
    article = link.article
    assert article.client == client
    assert article.kind == "functional_design"
    assert article.title.startswith("Functional design: ")
    assert article.draft_version is not None
    assert "## " in article.draft_version.body
    with pytest.raises(DomainError) as twice:
        services.link_design(change, actor=operator, article=article)
    assert "article" in twice.value.field_errors
    solution = knowledge.create_article(actor=operator, title="Oplossing", body="x")
    with pytest.raises(DomainError):
        services.link_design(change, actor=operator, article=solution)
    with pytest.raises(DomainError):
        services.create_design(change, actor=operator, kind="solution")
    services.unlink_design(link, actor=operator)
    assert not ChangeDesign.objects.exists()
    assert Article.objects.filter(pk=article.pk).exists()


def test_traceability_names_the_design_sections_and_flags_uncovered_requirements(operator: User) -> None:
    client = make_person(Role.CALLER)
    change = make_change(operator, client=client)
    r1 = services.add_requirement(change, actor=operator, text="Dekking", priority="must")
    r2 = services.add_requirement(change, actor=operator, text="Eduroam", priority="should")
    r3 = services.add_requirement(change, actor=operator, text="Oud", priority="could")
    services.update_requirement(
        r3, actor=operator, expected_version=r3.version, text="Oud", priority="could", status="withdrawn"
    )
    body = (
        "## Dekking\n\nElk lokaal krijgt een access point [REQ-1].\n\n"
        "## Inloggen\n\n<!-- REQ-2 -->\nNog open.\n"
    )
    services.link_design(change, actor=operator, article=_design(operator, client, body))
    rows = {row.requirement.code: row for row in coverage_rows(change, operator)}
    assert set(rows) == {"REQ-1", "REQ-2"}  # a withdrawn requirement needs no coverage
    assert [s.heading for s in rows[r1.code].sections] == ["Dekking"]
    assert not rows[r2.code].covered  # named only in template guidance
    assert normalise_code("R12") == "REQ-12"
    assert normalise_code("REQ12") == "REQ-12"
    designs = design_rows(change, operator)
    assert designs[0].client_decision == "waiting"
    assert designs[0].version is not None
    assert design_rows(change, client) == []


def test_the_client_is_mailed_once_per_version_waiting_for_their_approval(operator: User) -> None:
    reviewer = make_person(Role.OPERATOR)
    client = make_person(Role.CALLER, email="directeur@school.test")
    article = _design(operator, client, _filled("functional_design"))
    article = knowledge.submit_for_review(article, actor=operator, expected_version=article.version)
    sent = OutgoingMessage.objects.filter(event="design_client_approval_waiting")
    assert sent.count() == 1
    message = sent.get()
    assert message.recipient_user_id == client.pk
    assert f"/portal/ontwerpen/{article.draft_version_id}/" in message.body_text
    knowledge.approve_and_publish(article, actor=reviewer, expected_version=article.version)
    assert sent.count() == 1  # the same version: no second message
    no_client = knowledge.create_article(
        actor=operator, title="TO", kind="technical_design", body=_filled("technical_design")
    )
    knowledge.submit_for_review(no_client, actor=operator, expected_version=no_client.version)
    assert sent.count() == 1
