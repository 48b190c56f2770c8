"""The evaluation of a change: feedback requests and answers (portal and link), findings, follow-up
actions converted once, the advice, and the history of each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import translation

from beheer.accounts.models import Role, User
from beheer.changes import services
from beheer.changes.models import (
    Change,
    ChangeApproval,
    ChangeHistoryEntry,
    FeedbackRequest,
    Finding,
    FollowUp,
    Stakeholder,
)
from beheer.changes.services import evaluation as ev
from beheer.changes.services.evaluation import _follow_up_of
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly, TooManyAttempts
from beheer.knowledge.models import Article
from beheer.notifications.models import OutgoingMessage
from beheer.servicedesk.models import Melding
from tests.helpers import make_person

from .helpers import assessed, cab, fresh, make_change, move

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def evaluated_change(operator: User, approver: User, **kwargs: object) -> Change:
    """A normal change, approved and carried out, now in the evaluation phase."""
    cab([approver])
    kwargs.setdefault("coordinator", operator)
    change = move(operator, assessed(operator, make_change(operator, **kwargs)), "approval")
    services.decide_approval(ChangeApproval.objects.get(change=change), actor=approver, approve=True)
    step = services.add_activity(fresh(change), actor=operator, title="Access points plaatsen")
    services.approve_plan(fresh(change), actor=operator, expected_plan_version=None)
    change = move(operator, fresh(change), "execution")
    services.complete_activity(step, actor=operator)
    return move(operator, fresh(change), "evaluation")


def token_of(message: OutgoingMessage) -> str:
    found = re.search(r"/feedback/([A-Za-z0-9_-]+)/", message.body_text)
    assert found, message.body_text
    return found.group(1)


def _actions(change: Change) -> list[str]:
    return list(ChangeHistoryEntry.objects.filter(change=change).values_list("action", flat=True))


def test_feedback_is_asked_by_mail_with_a_link_that_works_once(operator: User, coordinator: User) -> None:
    teacher = make_person(Role.CALLER, email="docent@school.test")
    change = evaluated_change(operator, coordinator)
    person = services.add_stakeholder(change, actor=operator, person=teacher, role="key_user")
    outsider = services.add_stakeholder(change, actor=operator, name="Leverancier BV", email="info@lev.test")
    made = services.request_feedback(fresh(change), actor=operator, stakeholders=[person, outsider])
    assert len(made) == 2
    mails = list(OutgoingMessage.objects.filter(event="change_feedback_requested").order_by("id"))
    assert [m.recipient for m in mails] == ["docent@school.test", "info@lev.test"]
    token = token_of(mails[1])
    assert token not in {r.token_hash for r in FeedbackRequest.objects.all()}  # only the hash is kept
    # asked again while open: skipped
    assert services.request_feedback(fresh(change), actor=operator, stakeholders=[outsider]) == []
    answered = services.answer_feedback_by_token(
        token, address="10.0.0.1", satisfaction=4, went_well="Snel", could_be_better="Eerder melden"
    )
    assert answered.satisfaction == 4
    assert answered.answered_at is not None
    with pytest.raises(Conflict):
        services.answer_feedback_by_token(token, address="10.0.0.1", satisfaction=2)
    assert fresh(answered).satisfaction == 4
    assert FeedbackRequest.objects.filter(change=change).summary() == {
        "asked": 2,
        "answered": 1,
        "average": 4.0,
    }
    actions = _actions(change)
    assert "feedback_requested" in actions
    assert "feedback_answered" in actions


def test_a_stakeholder_with_an_account_answers_in_the_portal(operator: User, coordinator: User) -> None:
    teacher = make_person(Role.CALLER)
    other = make_person(Role.CALLER)
    change = evaluated_change(operator, coordinator)
    row = services.add_stakeholder(change, actor=operator, person=teacher)
    (request,) = services.request_feedback(fresh(change), actor=operator, stakeholders=[row])
    assert list(FeedbackRequest.objects.visible_to(teacher)) == [request]
    assert not FeedbackRequest.objects.visible_to(other).exists()
    with pytest.raises(NotFound):
        services.answer_feedback(request, actor=other, satisfaction=5)
    with pytest.raises(DomainError) as bad:
        services.answer_feedback(request, actor=teacher, satisfaction=9)
    assert "satisfaction" in bad.value.field_errors
    with pytest.raises(DomainError) as none:
        services.answer_feedback(request, actor=teacher, satisfaction=None)
    assert "satisfaction" in none.value.field_errors
    services.answer_feedback(request, actor=teacher, satisfaction=5, may_contact=True)
    assert fresh(request).may_contact is True


def test_wrong_expired_and_guessed_links(operator: User, coordinator: User, settings: object) -> None:
    change = evaluated_change(operator, coordinator)
    row = services.add_stakeholder(change, actor=operator, name="Ouder", email="ouder@thuis.test")
    (request,) = services.request_feedback(fresh(change), actor=operator, stakeholders=[row])
    token = token_of(OutgoingMessage.objects.get(event="change_feedback_requested"))
    FeedbackRequest.objects.filter(pk=request.pk).update(expires_at=request.requested_at - timedelta(days=1))
    with pytest.raises(ReadOnly):
        services.answer_feedback_by_token(token, address="10.0.0.2", satisfaction=3)
    assert ev.is_expired(fresh(request))
    for guess in ["", "x" * 500, "nope", "nope2", "nope3"]:
        with pytest.raises(NotFound):
            services.feedback_for_token(guess, address="10.0.0.3")
    with pytest.raises(TooManyAttempts):
        services.feedback_for_token(token, address="10.0.0.3")  # even the right one, for a while
    assert services.feedback_for_token(token, address="10.0.0.4").pk == request.pk


def test_feedback_needs_the_evaluation_phase_and_staff(operator: User, caller: User) -> None:
    change = make_change(operator)
    row = services.add_stakeholder(change, actor=operator, name="Ouder", email="ouder@thuis.test")
    with pytest.raises(DomainError, match="evaluation phase"):
        services.request_feedback(fresh(change), actor=operator, stakeholders=[row])
    with pytest.raises(PermissionDenied):
        services.add_finding(change, actor=caller, text="x")
    assert not FeedbackRequest.objects.exists()


def test_stakeholders_of_another_change_or_without_address_are_refused(
    operator: User, coordinator: User
) -> None:
    change = evaluated_change(operator, coordinator)
    other = make_change(operator, title="Andere wijziging")
    foreign = services.add_stakeholder(other, actor=operator, name="X", email="x@x.test")
    mute = services.add_stakeholder(change, actor=operator, name="Zonder adres")
    with pytest.raises(DomainError) as wrong:
        services.request_feedback(fresh(change), actor=operator, stakeholders=[foreign])
    assert "stakeholders" in wrong.value.field_errors
    with pytest.raises(DomainError, match="Zonder adres"):
        services.request_feedback(fresh(change), actor=operator, stakeholders=[mute])
    with pytest.raises(DomainError) as empty:
        services.request_feedback(fresh(change), actor=operator, stakeholders=[])
    assert "stakeholders" in empty.value.field_errors
    assert not FeedbackRequest.objects.exists()


def test_findings_and_lessons_with_history(operator: User, coordinator: User) -> None:
    change = evaluated_change(operator, coordinator)
    finding = services.add_finding(change, actor=operator, text="Planning te krap", category="planning")
    services.add_finding(change, actor=operator, text="Eerder communiceren", kind="lesson")
    with pytest.raises(DomainError) as bad:
        services.add_finding(change, actor=operator, text="x", kind="nonsense", category="nope")
    assert set(bad.value.field_errors) == {"kind", "category"}
    with pytest.raises(DomainError) as empty:
        services.add_finding(change, actor=operator, text="  ")
    assert "text" in empty.value.field_errors
    services.remove_finding(finding, actor=operator)
    assert list(Finding.objects.values_list("kind", flat=True)) == ["lesson"]
    actions = _actions(change)
    assert actions.count("finding_added") == 2
    assert "finding_removed" in actions


@pytest.mark.parametrize("target", ["melding", "change", "article"])
def test_a_follow_up_becomes_one_object_once(
    operator: User, coordinator: User, caller: User, target: str
) -> None:
    change = evaluated_change(operator, coordinator)
    Change.objects.filter(pk=change.pk).update(client=caller, coordinator=operator)
    change = fresh(change)
    follow_up = services.add_follow_up(
        change, actor=operator, title="Handleiding printers voor docenten", description="Met foto's"
    )
    done = services.convert_follow_up(follow_up, actor=operator, to=target)
    assert done.converted_to == target
    if target == "melding":
        melding = Melding.objects.get(pk=done.melding_id or 0)
        # stored in the installation's language, whatever the language of the request
        assert _follow_up_of(change.number) in melding.request
        assert change.number in melding.request
        assert ev.follow_up_target(done) == melding.number
    elif target == "change":
        new = Change.objects.get(pk=done.new_change_id or 0)
        assert new.client == caller
        assert change.number in new.description
    else:
        article = Article.objects.get(pk=done.article_id or 0)
        assert article.status == "draft"
    for again in ("melding", "change", "article"):
        with pytest.raises(Conflict):
            services.convert_follow_up(fresh(follow_up), actor=operator, to=again)
    assert Melding.objects.count() == (1 if target == "melding" else 0)
    assert Change.objects.count() == (2 if target == "change" else 1)
    assert "follow_up_converted" in _actions(change)


def test_converting_to_something_unknown_changes_nothing(operator: User, coordinator: User) -> None:
    change = evaluated_change(operator, coordinator)
    follow_up = services.add_follow_up(change, actor=operator, title="Iets")
    with pytest.raises(DomainError) as bad:
        services.convert_follow_up(follow_up, actor=operator, to="spaceship")
    assert "to" in bad.value.field_errors
    assert fresh(follow_up).converted_to == ""


def test_advice_is_edited_with_a_version(operator: User, coordinator: User) -> None:
    change = evaluated_change(operator, coordinator)
    row = services.set_advice(change, actor=operator, advice="Plan ruimer.", expected_version=0)
    assert row.version == 1
    with pytest.raises(Conflict):
        services.set_advice(change, actor=operator, advice="Anders", expected_version=0)
    row = services.set_advice(change, actor=operator, advice="Plan ruimer in.", expected_version=1)
    assert row.version == 2
    assert row.advice == "Plan ruimer in."
    assert _actions(change).count("advice_changed") == 2


def test_a_closed_change_is_still_evaluated_but_a_cancelled_one_not(
    operator: User, coordinator: User
) -> None:
    change = evaluated_change(operator, coordinator)
    change = move(operator, change, "closed")
    services.add_finding(change, actor=operator, text="Na afsluiten nog een bevinding")
    other = make_change(operator, title="Geannuleerd")
    services.cancel_change(other, actor=operator, expected_version=other.version, reason="Niet nodig")
    with pytest.raises(ReadOnly):
        services.add_follow_up(fresh(other), actor=operator, title="x")
    assert not FollowUp.objects.filter(change=other).exists()
    assert Stakeholder.objects.count() == 0
