"""Problem services: the state machine, links, the known-error article and resolving with meldingen."""

from __future__ import annotations

import pytest

from beheer.accounts.models import Role
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.knowledge.models import Article, ArticleStatus, Audience, Kind
from beheer.knowledge.services import create_article
from beheer.problems import services as problem_services
from beheer.problems.models import Problem, ProblemStatus
from beheer.problems.workflow import TRANSITIONS, allowed_actions
from beheer.servicedesk import services
from beheer.servicedesk.models import HistoryEntry, Impact, Note, StatusKind, Urgency, Visibility
from tests.helpers import make_person

from .problem_helpers import fresh, linked_problem_id, make_melding, make_problem

pytestmark = pytest.mark.django_db
S = ProblemStatus


def test_open_problem_numbers_prioritises_and_records_history(operator, first_line):
    impact = Impact.objects.order_by("level")[0]
    urgency = Urgency.objects.order_by("level")[0]
    p = make_problem(operator, impact=impact, urgency=urgency, operator_group=first_line, operator=operator)
    assert p.number == f"P{p.pk:07d}"
    assert p.status == S.REGISTERED
    assert p.priority == services.priority_for(impact, urgency)
    assert p.version == 1
    assert [h.action for h in p.history.all()] == ["created"]
    assert Problem.objects.search(p.number).filter(pk=p.pk).exists()


def test_open_problem_needs_a_title_and_a_staff_actor(operator, caller):
    with pytest.raises(DomainError) as exc:
        make_problem(operator, title="   ")
    assert "title" in exc.value.field_errors
    with pytest.raises(DomainError) as exc:
        make_problem(operator, title="x" * 201)
    assert "title" in exc.value.field_errors
    with pytest.raises(PermissionDenied):
        make_problem(caller)
    assert not Problem.objects.exists()


def test_the_status_flow_to_closed(operator, coordinator):
    p = make_problem(operator)
    p = problem_services.analyse_problem(p, actor=operator, expected_version=p.version)
    assert p.status == S.ANALYSING
    with pytest.raises(DomainError) as exc:
        problem_services.mark_known_error(p, actor=operator, expected_version=p.version)
    assert "workaround" in exc.value.field_errors
    p = problem_services.edit_problem(
        p,
        actor=operator,
        expected_version=p.version,
        title=p.title,
        description=p.description,
        impact=p.impact,
        urgency=p.urgency,
        root_cause="De access point firmware lekt geheugen.",
        workaround="Herstart het access point.",
    )
    p = problem_services.mark_known_error(p, actor=operator, expected_version=p.version)
    assert p.status == S.KNOWN_ERROR
    result = problem_services.resolve_problem(
        p,
        solution="Firmware bijgewerkt.",
        resolve_meldingen=None,
        note_others=False,
        actor=operator,
        expected_version=p.version,
    )
    p = result.problem
    assert p.status == S.RESOLVED
    assert p.resolved_at is not None
    assert p.solution == "Firmware bijgewerkt."
    with pytest.raises(PermissionDenied):
        problem_services.close_problem(p, actor=operator, expected_version=p.version)
    p = problem_services.close_problem(p, actor=coordinator, expected_version=p.version)
    assert p.status == S.CLOSED
    assert p.closed_at is not None
    actions = list(fresh(p).history.order_by("at", "id").values_list("action", flat=True))
    assert actions[0] == "created"
    assert actions[-1] == "close"
    assert {"analyse", "known_error", "resolve", "changed"} <= set(actions)
    changed = fresh(p).history.filter(action="changed", field="workaround").get()
    assert changed.old_value == ""
    assert changed.new_value == "Herstart het access point."


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.REGISTERED, "close"),
        (S.REGISTERED, "reopen"),
        (S.ANALYSING, "analyse"),
        (S.KNOWN_ERROR, "analyse"),
        (S.RESOLVED, "analyse"),
        (S.RESOLVED, "known_error"),
    ],
)
def test_invalid_transitions_raise_domain_error(operator, coordinator, status, action):
    p = make_problem(operator, workaround="Herstart")
    Problem.objects.filter(pk=p.pk).update(status=status)
    p = fresh(p)
    calls = {
        "analyse": lambda: problem_services.analyse_problem(p, actor=coordinator, expected_version=p.version),
        "known_error": lambda: problem_services.mark_known_error(
            p, actor=coordinator, expected_version=p.version
        ),
        "close": lambda: problem_services.close_problem(p, actor=coordinator, expected_version=p.version),
        "reopen": lambda: problem_services.reopen_problem(
            p, reason="x", actor=coordinator, expected_version=p.version
        ),
    }
    with pytest.raises(DomainError):
        calls[action]()
    assert fresh(p).status == status


def test_the_transition_table_is_the_documented_flow():
    assert allowed_actions(S.REGISTERED) == ["analyse", "known_error", "resolve"]
    assert allowed_actions(S.RESOLVED) == ["close", "reopen"]
    assert allowed_actions(S.CLOSED) == []
    assert TRANSITIONS["reopen"][1] == S.ANALYSING


def test_a_closed_problem_is_read_only(operator, coordinator, melding):
    p = make_problem(operator)
    p = problem_services.resolve_problem(
        p, solution="Opgelost", resolve_meldingen=[], note_others=False, actor=operator, expected_version=None
    ).problem
    p = problem_services.close_problem(p, actor=coordinator, expected_version=None)
    with pytest.raises(ReadOnly):
        problem_services.reopen_problem(p, reason="terug", actor=coordinator, expected_version=None)
    with pytest.raises(ReadOnly):
        problem_services.link_melding(p, melding=melding, actor=operator)
    with pytest.raises(ReadOnly):
        problem_services.resolve_problem(
            p, solution="x", resolve_meldingen=None, note_others=True, actor=operator, expected_version=None
        )


def test_reopen_goes_back_to_analysing_and_needs_a_reason(operator):
    p = make_problem(operator)
    p = problem_services.resolve_problem(
        p,
        solution="Opgelost",
        resolve_meldingen=None,
        note_others=False,
        actor=operator,
        expected_version=None,
    ).problem
    with pytest.raises(DomainError) as exc:
        problem_services.reopen_problem(p, reason=" ", actor=operator, expected_version=p.version)
    assert "reason" in exc.value.field_errors
    p = problem_services.reopen_problem(p, reason="Komt terug", actor=operator, expected_version=p.version)
    assert p.status == S.ANALYSING
    assert p.resolved_at is None


def test_a_stale_version_is_a_conflict(operator):
    p = make_problem(operator)
    stale = p.version
    problem_services.analyse_problem(p, actor=operator, expected_version=stale)
    with pytest.raises(Conflict):
        problem_services.edit_problem(
            p,
            actor=operator,
            expected_version=stale,
            title="Anders",
            description="",
            impact=p.impact,
            urgency=p.urgency,
            root_cause="",
            workaround="",
        )
    assert fresh(p).title != "Anders"


def test_a_known_error_keeps_its_workaround(operator):
    p = make_problem(operator, workaround="Herstart")
    p = problem_services.mark_known_error(p, actor=operator, expected_version=p.version)
    with pytest.raises(DomainError) as exc:
        problem_services.edit_problem(
            p,
            actor=operator,
            expected_version=p.version,
            title=p.title,
            description="",
            impact=p.impact,
            urgency=p.urgency,
            root_cause="",
            workaround="",
        )
    assert "workaround" in exc.value.field_errors
    assert fresh(p).workaround == "Herstart"


def test_assign_checks_membership_and_records_history(operator, specialist, first_line, second_line):
    p = make_problem(operator)
    with pytest.raises(DomainError) as exc:
        problem_services.assign_problem(
            p, operator_group=first_line, operator=specialist, actor=operator, expected_version=p.version
        )
    assert "operator" in exc.value.field_errors
    p = problem_services.assign_problem(
        p, operator_group=second_line, operator=specialist, actor=operator, expected_version=p.version
    )
    assert (p.operator_group, p.operator) == (second_line, specialist)
    assert set(p.history.filter(action="assigned").values_list("field", flat=True)) == {
        "operator_group",
        "operator",
    }


def test_link_and_unlink_a_melding(operator, caller, melding):
    p = make_problem(operator)
    assert problem_services.link_melding(p, melding=melding, actor=operator) is True
    assert problem_services.link_melding(p, melding=melding, actor=operator) is False  # idempotent
    m = fresh(melding)
    assert linked_problem_id(m) == p.pk
    assert m.solution == ""
    assert m.status.kind == melding.status.kind
    entry = HistoryEntry.objects.get(melding=m, action="problem_linked")
    assert entry.new_value == p.number
    assert entry.public is False
    other = make_problem(operator, title="Ander probleem")
    with pytest.raises(DomainError) as exc:
        problem_services.link_melding(other, melding=m, actor=operator)
    assert "melding" in exc.value.field_errors
    assert problem_services.unlink_melding(other, melding=m, actor=operator) is False
    assert problem_services.unlink_melding(p, melding=m, actor=operator) is True
    assert linked_problem_id(melding) is None
    assert list(p.history.values_list("action", flat=True).order_by("id")) == [
        "created",
        "melding_linked",
        "melding_unlinked",
    ]


def test_a_caller_cannot_link_or_see_problems(operator, caller, melding):
    p = make_problem(operator)
    with pytest.raises(PermissionDenied):
        problem_services.link_melding(p, melding=melding, actor=caller)
    assert not Problem.objects.visible_to(caller).exists()
    assert not Problem.objects.visible_to(None).exists()
    assert Problem.objects.visible_to(operator).count() == 1


def test_create_known_error_article(operator):
    p = make_problem(operator)
    with pytest.raises(DomainError) as exc:
        problem_services.create_known_error_article(p, actor=operator, expected_version=p.version)
    assert "workaround" in exc.value.field_errors
    assert not Article.objects.exists()
    p = problem_services.edit_problem(
        p,
        actor=operator,
        expected_version=p.version,
        title=p.title,
        description="",
        impact=p.impact,
        urgency=p.urgency,
        root_cause="",
        workaround="Zet wifi uit en aan.",
    )
    article = problem_services.create_known_error_article(p, actor=operator, expected_version=p.version)
    assert article.kind == Kind.KNOWN_ERROR
    assert article.status == ArticleStatus.DRAFT
    assert article.audience == Audience.OPERATORS
    assert article.title == p.title
    assert article.draft_version is not None
    assert article.draft_version.body == "Zet wifi uit en aan."
    p = fresh(p)
    assert p.known_error_article_id == article.pk
    with pytest.raises(DomainError):
        problem_services.create_known_error_article(p, actor=operator, expected_version=p.version)
    assert Article.objects.count() == 1


def test_link_an_existing_article_only_when_visible(operator, administrator):
    p = make_problem(operator)
    secret = create_article(actor=administrator, title="Alleen beheer", audience=Audience.ADMINISTRATORS)
    with pytest.raises(DomainError) as exc:
        problem_services.link_known_error_article(
            p, article=secret, actor=operator, expected_version=p.version
        )
    assert "article" in exc.value.field_errors
    ok = create_article(actor=operator, title="Bekende fout wifi", kind=Kind.KNOWN_ERROR)
    p = problem_services.link_known_error_article(p, article=ok, actor=operator, expected_version=p.version)
    assert p.known_error_article_id == ok.pk
    p = problem_services.link_known_error_article(p, article=None, actor=operator, expected_version=p.version)
    assert fresh(p).known_error_article_id is None


def _linked(operator, caller, first_line, count):
    p = make_problem(operator)
    ms = [make_melding(operator, caller, first_line, brief_description=f"Wifi {i}") for i in range(count)]
    for m in ms:
        problem_services.link_melding(p, melding=m, actor=operator)
    return p, ms


def test_resolve_with_linked_meldingen(operator, caller, first_line, django_capture_on_commit_callbacks):
    p, (a, b, c) = _linked(operator, caller, first_line, 3)
    services.resolve_melding(c, solution="Zelf opgelost", actor=operator, expected_version=None)
    with django_capture_on_commit_callbacks(execute=True):
        result = problem_services.resolve_problem(
            p,
            solution="Nieuwe firmware op alle access points.",
            resolve_meldingen=[a.pk, c.pk],
            note_others=True,
            actor=operator,
            expected_version=p.version,
        )
    outcomes = {o.melding_id: o.outcome for o in result.outcomes}
    assert outcomes == {a.pk: "resolved", b.pk: "noted", c.pk: "skipped"}
    a, b, c = fresh(a), fresh(b), fresh(c)
    assert a.status.kind == StatusKind.RESOLVED
    assert a.solution == "Nieuwe firmware op alle access points."
    assert b.is_open
    note = Note.objects.get(melding=b)
    assert note.visibility == Visibility.INTERNAL
    assert p.number in note.text
    assert c.solution == "Zelf opgelost"


def test_resolve_again_is_idempotent(operator, caller, first_line):
    p, (a, b) = _linked(operator, caller, first_line, 2)
    kwargs = {
        "solution": "Firmware",
        "resolve_meldingen": [a.pk],
        "note_others": True,
        "actor": operator,
        "expected_version": p.version,
    }
    first = problem_services.resolve_problem(p, **kwargs)
    version = fresh(p).version
    again = problem_services.resolve_problem(p, **kwargs)  # a double submit with the old version
    assert {o.melding_id: o.outcome for o in first.outcomes} == {a.pk: "resolved", b.pk: "noted"}
    assert {o.melding_id: o.outcome for o in again.outcomes} == {a.pk: "skipped", b.pk: "skipped"}
    assert fresh(p).version == version
    assert Note.objects.filter(melding=b).count() == 1
    assert HistoryEntry.objects.filter(melding=a, action="resolved").count() == 1
    # later: resolve the rest too
    rest = problem_services.resolve_problem(
        p, solution="", resolve_meldingen=None, note_others=False, actor=operator, expected_version=None
    )
    assert {o.melding_id: o.outcome for o in rest.outcomes} == {a.pk: "skipped", b.pk: "resolved"}
    assert fresh(b).solution == "Firmware"


def test_a_melding_that_refuses_is_reported_and_left_whole(operator, caller, first_line):
    p, (a, b) = _linked(operator, caller, first_line, 2)
    services.create_partial(
        a, brief_description="Deel", operator_group=first_line, actor=operator
    )  # a has an open partial
    result = problem_services.resolve_problem(
        p,
        solution="Firmware",
        resolve_meldingen=None,
        note_others=False,
        actor=operator,
        expected_version=None,
    )
    outcomes = {o.melding_id: o for o in result.outcomes}
    assert outcomes[a.pk].outcome == "failed"
    assert outcomes[a.pk].message
    assert outcomes[b.pk].outcome == "resolved"
    a = fresh(a)
    assert a.is_open
    assert a.solution == ""
    assert not HistoryEntry.objects.filter(melding=a, action__in=["resolved", "problem_resolved"]).exists()
    assert fresh(p).status == S.RESOLVED


def test_resolve_needs_a_solution_and_changes_nothing_without(operator, caller, first_line):
    p, (a,) = _linked(operator, caller, first_line, 1)
    with pytest.raises(DomainError) as exc:
        problem_services.resolve_problem(
            p, solution="  ", resolve_meldingen=None, note_others=True, actor=operator, expected_version=None
        )
    assert "solution" in exc.value.field_errors
    assert fresh(p).status == S.REGISTERED
    assert fresh(a).is_open


def test_resolving_notifies_the_callers_the_normal_way(
    operator, caller, first_line, django_capture_on_commit_callbacks
):
    from beheer.notifications.models import OutgoingMessage

    p, (a,) = _linked(operator, caller, first_line, 1)
    before = set(OutgoingMessage.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        problem_services.resolve_problem(
            p,
            solution="Firmware",
            resolve_meldingen=None,
            note_others=False,
            actor=operator,
            expected_version=None,
        )
    new = OutgoingMessage.objects.exclude(pk__in=before)
    assert new.filter(recipient=caller.email, event="status_changed", object_id=a.pk).exists()


def test_a_hidden_problem_is_not_found(operator):
    p = make_problem(operator)
    inactive = make_person(Role.OPERATOR)
    inactive.is_active = False
    inactive.save()
    with pytest.raises((NotFound, PermissionDenied)):
        problem_services.analyse_problem(p, actor=inactive, expected_version=None)
