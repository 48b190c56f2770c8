"""The rules of the measures register at the service level: the statement of applicability,
implementations, evidence from preventive activities, review reminders and evidence files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from beheer.accounts.models import User
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from beheer.notifications.models import OutgoingMessage
from beheer.operations.models import Occurrence, OccurrenceStatus
from beheer.operations.services import occurrences as occurrence_services
from beheer.security.models import (
    Applicability,
    ApplicabilityStatement,
    ControlHistoryEntry,
    EvidenceFile,
    Implementation,
    ImplementationStatus,
)
from beheer.security.services import measures as services
from beheer.security.services.measures import evidence as evidence_rules
from beheer.security.services.measures import overview, reading, reminders

from .test_measures_support import control, hardware_ci, officer, procedure, service_ci, weekly_series

pytestmark = pytest.mark.django_db


# -- the statement of applicability ------------------------------------------------------------------


def test_not_applicable_needs_a_justification(coordinator: User) -> None:
    c = control("8.4")
    with pytest.raises(DomainError) as caught:
        services.set_applicability(
            c,
            actor=coordinator,
            applicability=Applicability.NOT_APPLICABLE,
            justification="  ",
            expected_version=0,
        )
    assert "justification" in caught.value.field_errors
    assert not ApplicabilityStatement.objects.filter(control=c).exists()
    line = services.set_applicability(
        c,
        actor=coordinator,
        applicability="not_applicable",
        justification="Geen eigen code",
        expected_version=0,
    )
    assert line.applicability == "not_applicable"
    assert line.version == 1


def test_applicability_changes_are_versioned_and_in_the_history(coordinator: User) -> None:
    c = control("5.15")
    services.set_applicability(
        c, actor=coordinator, applicability="applicable", justification="", expected_version=0
    )
    line = services.set_applicability(
        c, actor=coordinator, applicability="not_applicable", justification="Uitbesteed", expected_version=1
    )
    assert line.version == 2
    with pytest.raises(Conflict):  # somebody read version 1
        services.set_applicability(
            c, actor=coordinator, applicability="applicable", justification="", expected_version=1
        )
    with pytest.raises(Conflict):  # somebody thought there was no line yet
        services.set_applicability(
            c, actor=coordinator, applicability="applicable", justification="", expected_version=0
        )
    rows = ControlHistoryEntry.objects.filter(control=c, action="applicability", field="applicability")
    assert [(r.old_value, r.new_value) for r in rows.order_by("id")] == [
        ("", "applicable"),
        ("applicable", "not_applicable"),
    ]


def test_applicability_refuses_operators_unknown_values_and_archived_controls(
    operator: User, coordinator: User
) -> None:
    c = control("5.1")
    with pytest.raises(PermissionDenied):
        services.set_applicability(
            c, actor=operator, applicability="applicable", justification="", expected_version=0
        )
    with pytest.raises(DomainError) as caught:
        services.set_applicability(
            c, actor=coordinator, applicability="maybe", justification="", expected_version=0
        )
    assert "applicability" in caught.value.field_errors
    own = services.create_own_control(actor=coordinator, title_nl="Tijdelijk")
    services.set_control_active(own, actor=coordinator, expected_version=1, active=False)
    with pytest.raises(NotFound):
        services.set_applicability(
            own, actor=coordinator, applicability="applicable", justification="", expected_version=0
        )


def test_the_statement_covers_the_current_catalogue_and_own_controls(coordinator: User) -> None:
    own = services.create_own_control(actor=coordinator, title_nl="Eigen")
    rows = reading.soa(coordinator)
    assert rows.filter(pk=own.pk).exists()
    assert rows.filter(number="8.13.04").exists()
    assert rows.filter(parent__isnull=True).exclude(pk=own.pk).count() == 93
    services.set_applicability(
        control("8.4"),
        actor=coordinator,
        applicability="not_applicable",
        justification="x",
        expected_version=0,
    )
    assert list(reading.soa(coordinator, decision="not_applicable").values_list("number", flat=True)) == [
        "8.4"
    ]
    assert not reading.soa(coordinator, decision="open").filter(number="8.4").exists()
    assert reading.soa(coordinator, theme="people").count() >= 8


# -- implementations ---------------------------------------------------------------------------------


def test_implementation_for_the_organisation_and_for_a_service(coordinator: User, operator: User) -> None:
    magister = service_ci(coordinator)
    org = services.create_implementation(
        control("8.13"), actor=coordinator, status="implemented", owner=operator, description="Veeam"
    )
    scoped = services.create_implementation(
        control("8.13"), actor=coordinator, scope_ci=magister, status="partly"
    )
    assert org.scope_name == "Whole organisation" or org.scope_ci is None
    assert scoped.scope_ci == magister
    with pytest.raises(DomainError) as caught:  # one per control and scope
        services.create_implementation(control("8.13"), actor=coordinator, scope_ci=magister)
    assert "scope_ci" in caught.value.field_errors
    with pytest.raises(DomainError):
        services.create_implementation(control("8.13"), actor=coordinator)
    with pytest.raises(DomainError) as caught:  # a server is no service or application
        services.create_implementation(control("8.13"), actor=coordinator, scope_ci=hardware_ci(coordinator))
    assert "scope_ci" in caught.value.field_errors
    assert Implementation.objects.count() == 2
    added = ControlHistoryEntry.objects.filter(control=control("8.13"), action="implementation_added")
    assert {r.detail for r in added} == {magister.name, org.scope_name}


def test_implementation_rules_and_permissions(
    coordinator: User, operator: User, specialist: User, caller: User
) -> None:
    c = control("8.8")
    with pytest.raises(PermissionDenied):
        services.create_implementation(c, actor=operator)
    with pytest.raises(DomainError) as caught:
        services.create_implementation(c, actor=coordinator, owner=caller)
    assert "owner" in caught.value.field_errors
    with pytest.raises(DomainError):
        services.create_implementation(c, actor=coordinator, status="done")
    impl = services.create_implementation(c, actor=coordinator, owner=operator)
    # the owner may change their implementation, another operator may not
    changed = services.update_implementation(
        impl,
        actor=operator,
        expected_version=impl.version,
        status="partly",
        owner=operator,
        description="Maandelijkse patchronde",
        review_on=None,
        articles=[],
        series=[],
    )
    assert changed.status == "partly"
    assert changed.version == 2
    with pytest.raises(PermissionDenied):
        services.update_implementation(
            impl,
            actor=specialist,
            expected_version=2,
            status="implemented",
            owner=operator,
            description="",
            review_on=None,
            articles=[],
            series=[],
        )
    with pytest.raises(Conflict):
        services.update_implementation(
            impl,
            actor=coordinator,
            expected_version=1,
            status="implemented",
            owner=operator,
            description="",
            review_on=None,
            articles=[],
            series=[],
        )
    fields = set(
        ControlHistoryEntry.objects.filter(control=c, action="implementation_changed").values_list(
            "field", flat=True
        )
    )
    assert fields == {"status", "description"}


def test_linked_procedures_and_activities_are_in_the_history(coordinator: User) -> None:
    article = procedure(coordinator)
    series = weekly_series(coordinator)
    impl = services.create_implementation(control("8.13"), actor=coordinator)
    services.update_implementation(
        impl,
        actor=coordinator,
        expected_version=1,
        status="implemented",
        owner=None,
        description="",
        review_on=None,
        articles=[article],
        series=[series],
    )
    impl.refresh_from_db()
    assert list(impl.articles.all()) == [article]
    assert list(impl.series.all()) == [series]
    row = ControlHistoryEntry.objects.get(control=impl.control, field="series")
    assert row.new_value == series.name


def test_mark_reviewed_moves_the_review_date_forward(coordinator: User) -> None:
    today = timezone.localdate(clock.now())
    impl = services.create_implementation(
        control("6.3"), actor=coordinator, review_on=today - timedelta(days=3)
    )
    with pytest.raises(DomainError) as caught:
        services.mark_reviewed(impl, actor=coordinator, expected_version=1, next_review_on=today)
    assert "next_review_on" in caught.value.field_errors
    done = services.mark_reviewed(
        impl, actor=coordinator, expected_version=1, next_review_on=today + timedelta(days=365)
    )
    assert done.review_on == today + timedelta(days=365)
    assert ControlHistoryEntry.objects.filter(control=impl.control, action="reviewed").count() == 1


# -- evidence from preventive activities --------------------------------------------------------------

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_evidence_state_rule() -> None:
    assert evidence_rules.evidence_state(None, None, NOW) == "none"
    assert evidence_rules.evidence_state(NOW - timedelta(days=3), NOW + timedelta(days=4), NOW) == "current"
    assert (
        evidence_rules.evidence_state(NOW - timedelta(days=3), NOW, NOW) == "current"
    )  # until the deadline itself
    assert (
        evidence_rules.evidence_state(NOW - timedelta(days=9), NOW - timedelta(seconds=1), NOW) == "overdue"
    )
    assert (
        evidence_rules.evidence_state(NOW - timedelta(days=90), None, NOW) == "current"
    )  # nothing planned after it


@given(
    done=st.one_of(st.none(), st.integers(-400, 0)),
    due=st.one_of(st.none(), st.integers(-400, 400)),
)
def test_evidence_state_is_current_exactly_until_the_next_due_date(done: int | None, due: int | None) -> None:
    last = None if done is None else NOW + timedelta(days=done)
    next_due = None if due is None else NOW + timedelta(days=due)
    state = evidence_rules.evidence_state(last, next_due, NOW)
    if last is None:
        assert state == "none"
    elif next_due is None or next_due >= NOW:
        assert state == "current"
    else:
        assert state == "overdue"


def test_a_done_occurrence_counts_until_the_series_next_due_date(coordinator: User) -> None:
    series = weekly_series(coordinator)
    occurrences = list(Occurrence.objects.filter(series=series).order_by("planned_at"))
    now = clock.now()
    past = [o for o in occurrences if o.planned_at < now]
    assert len(past) >= 2
    [state] = evidence_rules.series_evidence(type(series).objects.filter(pk=series.pk), now)
    assert state.state == "none"
    # the first one done; the second one's deadline has passed: overdue
    occurrence_services.complete_occurrence(past[0], actor=coordinator, expected_version=past[0].version)
    [state] = evidence_rules.series_evidence(type(series).objects.filter(pk=series.pk), now)
    assert state.state == "overdue"
    assert state.current_until == past[1].due_at
    # the latest past one done: current until the next one's deadline
    latest = [o for o in occurrences if o.planned_at < now - timedelta(hours=1)][-1]
    occurrence_services.complete_occurrence(latest, actor=coordinator, expected_version=latest.version)
    following = next(o for o in occurrences if o.planned_at > latest.planned_at)
    [state] = evidence_rules.series_evidence(type(series).objects.filter(pk=series.pk), now)
    assert state.current_until == following.due_at
    assert state.state == ("current" if following.due_at >= now else "overdue")
    assert Occurrence.objects.get(pk=latest.pk).status == OccurrenceStatus.DONE


def test_evidence_of_implementations_reads_a_fixed_number_of_queries(
    coordinator: User, django_assert_max_num_queries: object
) -> None:
    rows = []
    for number in ("5.15", "8.13", "8.8", "5.24"):
        impl = services.create_implementation(control(number), actor=coordinator)
        services.update_implementation(
            impl,
            actor=coordinator,
            expected_version=1,
            status="partly",
            owner=None,
            description="",
            review_on=None,
            articles=[procedure(coordinator, f"Procedure {number}")],
            series=[weekly_series(coordinator, name=f"Reeks {number}")],
        )
        rows.append(impl)
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        views = reading.with_evidence(coordinator, rows, clock.now())
    assert all(len(v.articles) == 1 and len(v.series) == 1 for v in views)


# -- review reminders ---------------------------------------------------------------------------------


def test_review_reminder_goes_once_per_review_date(coordinator: User, operator: User) -> None:
    today = timezone.localdate(clock.now())
    impl = services.create_implementation(control("8.13"), actor=coordinator, owner=operator, review_on=today)
    services.create_implementation(
        control("5.15"), actor=coordinator, owner=operator, review_on=today + timedelta(days=3)
    )
    assert reminders.remind_review_due(day=today) == 1
    assert reminders.remind_review_due(day=today) == 0
    assert reminders.remind_review_due(day=today + timedelta(days=1)) == 0  # the same date: once
    sent = OutgoingMessage.objects.filter(event="security_review_due")
    assert sent.count() == 1
    assert (
        sent.get().recipient_user_id == operator.pk if hasattr(OutgoingMessage, "recipient_user_id") else True
    )
    # a new review date reminds again
    Implementation.objects.filter(pk=impl.pk).update(review_on=today + timedelta(days=1))
    assert reminders.remind_review_due(day=today + timedelta(days=1)) == 1
    assert ControlHistoryEntry.objects.filter(control=impl.control, action="review_reminder").count() == 2


def test_one_broken_implementation_does_not_stop_the_reminders(
    coordinator: User, operator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = timezone.localdate(clock.now())
    first = services.create_implementation(
        control("8.13"), actor=coordinator, owner=operator, review_on=today
    )
    second = services.create_implementation(
        control("5.15"), actor=coordinator, owner=operator, review_on=today
    )
    real = reminders.recipients

    def failing(implementation: Implementation) -> list[User]:
        if implementation.pk == first.pk:
            raise RuntimeError("broken row")
        return real(implementation)

    monkeypatch.setattr(reminders, "recipients", failing)
    assert reminders.remind_review_due(day=today) == 1
    assert Implementation.objects.get(pk=second.pk).review_reminded_for == today
    assert Implementation.objects.get(pk=first.pk).review_reminded_for is None  # rolled back alone
    monkeypatch.setattr(reminders, "recipients", real)
    assert reminders.remind_review_due(day=today) == 1  # tried again next run


def test_without_an_owner_the_security_officers_are_reminded(coordinator: User) -> None:
    today = timezone.localdate(clock.now())
    person = officer()
    impl = services.create_implementation(control("8.13"), actor=coordinator, review_on=today)
    assert reminders.recipients(impl) == [person]


def test_the_periodic_job_is_registered() -> None:
    from beheer.core import scheduler

    assert "security.remind_measure_reviews" in scheduler.JOBS


# -- evidence files -----------------------------------------------------------------------------------


def test_evidence_files_are_checked_stored_and_removed(
    coordinator: User, operator: User, specialist: User
) -> None:
    impl = services.create_implementation(control("8.13"), actor=coordinator, owner=operator)
    stored = services.add_evidence_file(
        impl, actor=operator, upload=SimpleUploadedFile("verslag.txt", b"Hersteltest geslaagd\n")
    )
    assert stored.original_name == "verslag.txt"
    assert stored.size == 21
    with pytest.raises(DomainError):  # not the image it claims to be
        services.add_evidence_file(
            impl, actor=operator, upload=SimpleUploadedFile("foto.png", b"<html>x</html>")
        )
    with pytest.raises(DomainError):  # empty
        services.add_evidence_file(impl, actor=operator, upload=SimpleUploadedFile("leeg.txt", b""))
    with pytest.raises(PermissionDenied):  # not the owner, not a manager
        services.add_evidence_file(impl, actor=specialist, upload=SimpleUploadedFile("x.txt", b"x"))
    assert EvidenceFile.objects.count() == 1
    services.remove_evidence_file(stored, actor=coordinator)
    assert not EvidenceFile.objects.exists()
    actions = list(ControlHistoryEntry.objects.filter(control=impl.control).values_list("action", flat=True))
    assert "evidence_added" in actions
    assert "evidence_removed" in actions


# -- the dashboard ------------------------------------------------------------------------------------


def test_maturity_per_theme_counts_applicable_controls_only(coordinator: User) -> None:
    services.create_implementation(
        control("8.13"), actor=coordinator, status=ImplementationStatus.IMPLEMENTED
    )
    services.create_implementation(control("8.8"), actor=coordinator, status=ImplementationStatus.PARTLY)
    services.set_applicability(
        control("8.4"),
        actor=coordinator,
        applicability="not_applicable",
        justification="x",
        expected_version=0,
    )
    themes = overview.maturity_by_theme(coordinator)  # organisational, people, physical, technological
    technological = themes[3]
    assert technological.applicable == 33
    assert technological.implemented == 1
    assert technological.partly == 1
    assert technological.implemented_pct == 3
    people = themes[1]
    assert (people.applicable, people.implemented) == (8, 0)
    assert people.level == "low"


def test_dashboard_lists_overdue_reviews(coordinator: User, caller: User) -> None:
    today = timezone.localdate(clock.now())
    late = services.create_implementation(
        control("6.3"), actor=coordinator, review_on=today - timedelta(days=2)
    )
    services.create_implementation(control("5.1"), actor=coordinator, review_on=today + timedelta(days=2))
    context = overview.dashboard_context(coordinator)
    assert [i.pk for i in context["overdue"]] == [late.pk]
    assert context["overdue_count"] == 1
    assert overview.dashboard_context(caller)["overdue"] == []
