"""Acceptance sessions: planning, users and their cases, the invitation mail in each user's language,
the user's own work (and nobody else's), findings from failed cases, screenshots, advice and the
client's sign-off, and closed sessions staying read-only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from beheer.accounts.models import Role, User
from beheer.changes.models import Change, ChangeStatus
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.knowledge.models import Article, Audience, Kind
from beheer.knowledge.tests.helpers import published
from beheer.notifications.models import OutgoingMessage
from beheer.testing.models import (
    AcceptanceSession,
    ParticipantCase,
    SessionParticipant,
    SessionStatus,
    TestCase,
    TestFinding,
    TestingHistoryEntry,
    TestPlan,
)
from beheer.testing.services import sessions
from beheer.testing.services._base import plan_of
from beheer.testing.services.sessions import StepAnswer

from .helpers import add_case, make_change, make_person, scene

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@dataclass
class Acc:
    operator: User
    client: User
    change: Change
    plan: TestPlan
    cases: list[TestCase]
    anna: User  # Dutch
    bob: User  # English
    session: AcceptanceSession
    instruction: Article


def instruction(
    author: User, audience: str = Audience.CALLERS, title: str = "Inloggen op het wifi"
) -> Article:
    return published(author, title=title, body="Kies het netwerk.", kind=Kind.INSTRUCTION, audience=audience)


def acc(*, invited: bool = True) -> Acc:
    operator, client, change, _reqs, plan = scene()
    cases = [add_case(plan, "Inloggen"), add_case(plan, "Gastnetwerk"), add_case(plan, "Dekking")]
    anna = make_person(Role.CALLER, language="nl", first_name="Anna", last_name="de Vries")
    bob = make_person(Role.CALLER, language="en", first_name="Bob", last_name="Smith")
    article = instruction(operator)
    session = sessions.create_session(
        plan,
        actor=operator,
        title="Acceptatietest wifi",
        starts_at=clock.now() + timedelta(days=2),
        place="Lokaal 2.14",
        online_link="https://meet.school.example/acc",
        introduction="Welkom",
        instructions=[article],
    )
    sessions.add_participant(session, actor=operator, person=anna, cases=cases[:2])
    sessions.add_participant(session, actor=operator, person=bob, cases=cases[1:])
    if invited:
        sessions.invite(session, actor=operator)
    session.refresh_from_db()
    return Acc(operator, client, change, plan, cases, anna, bob, session, article)


def pc_of(a: Acc, person: User, case: TestCase) -> ParticipantCase:
    return ParticipantCase.objects.get(participant__session=a.session, participant__person=person, case=case)


def test_invitation_is_mailed_per_user_in_their_language_with_the_portal_link() -> None:
    a = acc()
    mails = {m.recipient_user_id: m for m in OutgoingMessage.objects.filter(event="acceptance_invitation")}
    assert set(mails) == {a.anna.pk, a.bob.pk}
    dutch, english = mails[a.anna.pk], mails[a.bob.pk]
    link = f"/portal/acceptance/{a.session.pk}/"
    assert dutch.language == "nl"
    assert english.language == "en"
    assert "Uitnodiging" in dutch.subject
    assert "Invitation" in english.subject
    for mail in (dutch, english):
        assert link in mail.body_text
        assert "Lokaal 2.14" in mail.body_text
        assert "Inloggen op het wifi" in mail.body_text
        assert "https://meet.school.example/acc" in mail.body_text
    assert a.session.status == SessionStatus.INVITED
    assert all(p.invited_at for p in SessionParticipant.objects.filter(session=a.session))
    # a user added later is invited by calling it again; the others are not mailed twice
    carol = make_person(Role.CALLER)
    sessions.add_participant(a.session, actor=a.operator, person=carol, cases=a.cases[:1])
    assert sessions.invite(a.session, actor=a.operator) == 1
    assert OutgoingMessage.objects.filter(event="acceptance_invitation").count() == 3
    with pytest.raises(Conflict):
        sessions.invite(a.session, actor=a.operator)
    assert TestingHistoryEntry.objects.filter(action="invited").count() == 2


def test_session_rules() -> None:
    operator, _client, _change, _reqs, plan = scene()
    case = add_case(plan, "Inloggen")
    internal = instruction(operator, audience=Audience.OPERATORS, title="Interne procedure")
    start = clock.now() + timedelta(days=1)
    with pytest.raises(DomainError) as bad:
        sessions.create_session(plan, actor=operator, title="S", starts_at=start, instructions=[internal])
    assert "instructions" in bad.value.field_errors
    with pytest.raises(DomainError) as bad:
        sessions.create_session(
            plan,
            actor=operator,
            title="",
            starts_at=start,
            ends_at=start - timedelta(hours=1),
            online_link="x",
        )
    assert {"title"} <= set(bad.value.field_errors)
    with pytest.raises(DomainError) as bad:
        sessions.create_session(
            plan,
            actor=operator,
            title="S",
            starts_at=start,
            ends_at=start - timedelta(hours=1),
            online_link="ftp://x",
        )
    assert {"ends_at", "online_link"} <= set(bad.value.field_errors)
    caller = make_person(Role.CALLER)
    with pytest.raises(PermissionDenied):
        sessions.create_session(plan, actor=caller, title="S", starts_at=start)
    session = sessions.create_session(plan, actor=operator, title="S", starts_at=start)
    # cases must be active cases of this plan; persons active; no doubles
    plan2 = plan_of(make_change(operator, client=_client), actor=operator)
    foreign = add_case(plan2, "Vreemd")
    with pytest.raises(DomainError) as bad:
        sessions.add_participant(session, actor=operator, person=caller, cases=[foreign])
    assert "cases" in bad.value.field_errors
    TestCase.objects.filter(pk=case.pk).update(withdrawn=True)
    with pytest.raises(DomainError):
        sessions.add_participant(session, actor=operator, person=caller, cases=[case])
    TestCase.objects.filter(pk=case.pk).update(withdrawn=False)
    sleeper = make_person(Role.CALLER)
    User.objects.filter(pk=sleeper.pk).update(is_active=False)
    with pytest.raises(DomainError) as bad:
        sessions.add_participant(session, actor=operator, person=sleeper, cases=[case])
    assert "person" in bad.value.field_errors
    sessions.add_participant(session, actor=operator, person=caller, cases=[case])
    with pytest.raises(DomainError):
        sessions.add_participant(session, actor=operator, person=caller, cases=[case])
    with pytest.raises(DomainError) as bad:
        sessions.invite(
            sessions.create_session(plan, actor=operator, title="Leeg", starts_at=start), actor=operator
        )
    assert "participants" in bad.value.field_errors
    # stale version
    with pytest.raises(Conflict):
        sessions.update_session(
            session,
            actor=operator,
            expected_version=session.version - 1 if session.version > 1 else 99,
            title="T",
            starts_at=start,
            ends_at=None,
            place="",
            online_link="",
            introduction="",
            instructions=[],
        )


def test_a_user_works_on_their_own_cases_only() -> None:
    a = acc()
    mine = pc_of(a, a.anna, a.cases[0])
    theirs = pc_of(a, a.bob, a.cases[1])
    steps = [StepAnswer(done=True, ok=True), StepAnswer(done=True, ok=False, remark="Geen verbinding")]
    saved = sessions.save_steps(mine, actor=a.anna, expected_version=mine.version, steps=steps)
    assert saved.steps[1] == {"done": True, "ok": False, "remark": "Geen verbinding"}
    assert saved.started_at is not None
    # stored and kept
    mine.refresh_from_db()
    assert mine.steps[0]["done"] is True
    assert len(mine.steps) == 2
    # another user's case, the client's, an operator's: not found
    for actor in (a.anna, a.client, a.operator):
        with pytest.raises(NotFound):
            sessions.save_steps(theirs, actor=actor, expected_version=None, steps=steps)
    with pytest.raises(NotFound):
        sessions.complete_case(theirs, actor=a.anna, expected_version=None, outcome="passed")
    # wrong number of steps, stale version
    with pytest.raises(DomainError) as bad:
        sessions.save_steps(mine, actor=a.anna, expected_version=None, steps=steps[:1])
    assert "steps" in bad.value.field_errors
    with pytest.raises(Conflict):
        sessions.save_steps(mine, actor=a.anna, expected_version=1, steps=steps)


def test_a_failed_case_needs_a_remark_and_becomes_a_finding() -> None:
    a = acc()
    mine = pc_of(a, a.anna, a.cases[0])
    with pytest.raises(DomainError) as bad:
        sessions.complete_case(mine, actor=a.anna, expected_version=None, outcome="failed")
    assert "remark" in bad.value.field_errors
    with pytest.raises(DomainError):
        sessions.complete_case(mine, actor=a.anna, expected_version=None, outcome="not_run")
    done = sessions.complete_case(
        mine, actor=a.anna, expected_version=mine.version, outcome="failed", remark="Het wifi verbindt niet"
    )
    assert done.outcome == "failed"
    assert done.completed_at
    finding = TestFinding.objects.get(participant_case=done)
    assert finding.plan_id == a.plan.pk
    assert finding.description == "Het wifi verbindt niet"
    assert finding.created_by == a.anna
    assert finding.severity == "medium"
    # completing again does not give a second finding
    sessions.complete_case(done, actor=a.anna, expected_version=None, outcome="blocked", remark="Nog steeds")
    assert TestFinding.objects.filter(participant_case=done).count() == 1
    passed = pc_of(a, a.anna, a.cases[1])
    sessions.complete_case(passed, actor=a.anna, expected_version=None, outcome="passed")
    assert not TestFinding.objects.filter(participant_case=passed).exists()


def test_screenshots_are_pictures_only_and_at_most_ten() -> None:
    a = acc()
    mine = pc_of(a, a.anna, a.cases[0])
    shot = sessions.add_screenshot(mine, actor=a.anna, upload=SimpleUploadedFile("scherm.png", PNG))
    assert shot.content_type == "image/png"
    with pytest.raises(DomainError) as bad:
        sessions.add_screenshot(mine, actor=a.anna, upload=SimpleUploadedFile("notes.txt", b"just text"))
    assert "file" in bad.value.field_errors
    with pytest.raises(DomainError):
        sessions.add_screenshot(
            mine, actor=a.anna, upload=SimpleUploadedFile("fake.png", b"<html>nope</html>")
        )
    with pytest.raises(NotFound):
        sessions.add_screenshot(mine, actor=a.bob, upload=SimpleUploadedFile("s.png", PNG))
    for n in range(9):
        sessions.add_screenshot(mine, actor=a.anna, upload=SimpleUploadedFile(f"s{n}.png", PNG))
    with pytest.raises(DomainError):
        sessions.add_screenshot(mine, actor=a.anna, upload=SimpleUploadedFile("s11.png", PNG))


def test_could_work_advice_and_sign_off_by_the_client() -> None:
    a = acc()
    anna = SessionParticipant.objects.get(session=a.session, person=a.anna)
    with pytest.raises(NotFound):
        sessions.answer_could_work(anna, actor=a.bob, answer="yes")
    with pytest.raises(DomainError):
        sessions.answer_could_work(anna, actor=a.anna, answer="maybe")
    assert sessions.answer_could_work(
        anna, actor=a.anna, answer="with_help", remark="Even zoeken"
    ).could_work == ("with_help")
    with pytest.raises(DomainError) as bad:
        sessions.give_session_advice(
            a.session, actor=a.operator, expected_version=None, advice="conditions", text=""
        )
    assert "text" in bad.value.field_errors
    with pytest.raises(PermissionDenied):
        sessions.give_session_advice(
            a.session, actor=a.client, expected_version=None, advice="accepted", text=""
        )
    advised = sessions.give_session_advice(
        a.session, actor=a.operator, expected_version=a.session.version, advice="accepted", text=""
    )
    assert advised.advised_by == a.operator
    ask = OutgoingMessage.objects.get(event="acceptance_signoff_requested")
    assert ask.recipient_user_id == a.client.pk
    assert f"/portal/acceptance/{a.session.pk}/" in ask.body_text
    # only the client signs off
    for actor in (a.anna, a.operator):
        with pytest.raises(PermissionDenied):
            sessions.sign_off(a.session, actor=actor, decision="accepted")
    stranger = make_person(Role.CALLER)
    with pytest.raises(NotFound):
        sessions.sign_off(a.session, actor=stranger, decision="accepted")
    with pytest.raises(DomainError) as bad:
        sessions.sign_off(a.session, actor=a.client, decision="rejected")
    assert "comment" in bad.value.field_errors
    done = sessions.sign_off(
        a.session, actor=a.client, decision="conditions", comment="Eerst dekking lokaal 3"
    )
    assert done.status == SessionStatus.SIGNED_OFF
    assert done.signed_off_by == a.client
    assert done.signed_off_at is not None
    assert TestingHistoryEntry.objects.filter(action="signed_off").exists()
    with pytest.raises(Conflict):
        sessions.sign_off(a.session, actor=a.client, decision="accepted")
    # signed off: read-only for the users and the operators
    mine = pc_of(a, a.anna, a.cases[0])
    with pytest.raises(ReadOnly):
        sessions.complete_case(mine, actor=a.anna, expected_version=None, outcome="passed")
    with pytest.raises(ReadOnly):
        sessions.cancel_session(a.session, actor=a.operator)


def test_sign_off_only_after_invitation_and_cancelled_is_read_only() -> None:
    a = acc(invited=False)
    with pytest.raises(ReadOnly):
        sessions.sign_off(a.session, actor=a.client, decision="accepted")
    mine = pc_of(a, a.anna, a.cases[0])
    with pytest.raises(ReadOnly):  # not invited yet: the users cannot work
        sessions.complete_case(mine, actor=a.anna, expected_version=None, outcome="passed")
    sessions.cancel_session(a.session, actor=a.operator)
    with pytest.raises(ReadOnly):
        sessions.invite(a.session, actor=a.operator)
    with pytest.raises(ReadOnly):
        sessions.add_participant(a.session, actor=a.operator, person=make_person(), cases=a.cases[:1])


def test_participant_cases_and_removal_keep_results() -> None:
    a = acc()
    anna = SessionParticipant.objects.get(session=a.session, person=a.anna)
    sessions.set_participant_cases(anna, actor=a.operator, cases=[a.cases[0], a.cases[2]])
    assert set(ParticipantCase.objects.filter(participant=anna).values_list("case_id", flat=True)) == {
        a.cases[0].pk,
        a.cases[2].pk,
    }
    mine = pc_of(a, a.anna, a.cases[0])
    sessions.complete_case(mine, actor=a.anna, expected_version=None, outcome="passed")
    with pytest.raises(DomainError):
        sessions.set_participant_cases(anna, actor=a.operator, cases=[a.cases[2]])
    with pytest.raises(Conflict):
        sessions.remove_participant(anna, actor=a.operator)
    bob = SessionParticipant.objects.get(session=a.session, person=a.bob)
    sessions.remove_participant(bob, actor=a.operator)
    assert not SessionParticipant.objects.filter(pk=bob.pk).exists()


def test_a_closed_change_is_read_only() -> None:
    a = acc()
    Change.objects.filter(pk=a.change.pk).update(status=ChangeStatus.CLOSED)
    with pytest.raises(ReadOnly):
        sessions.cancel_session(a.session, actor=a.operator)
    with pytest.raises(ReadOnly):
        sessions.complete_case(
            pc_of(a, a.anna, a.cases[0]), actor=a.anna, expected_version=None, outcome="passed"
        )
