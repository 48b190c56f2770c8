"""The rules of security incidents at the service level: declaring, editing, reports, access."""

from __future__ import annotations

from datetime import timedelta

import pytest

from beheer.accounts.models import Role, User
from beheer.core import clock
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.security import deadlines
from beheer.security.models import IncidentHistoryEntry, IncidentReport, IncidentStatus, SecurityIncident
from beheer.security.services import incidents
from beheer.servicedesk.models import MeldingAccess, RestrictedRead
from tests.helpers import make_person

from .incident_helpers import data_of, declared, fresh, new_melding, officer

pytestmark = pytest.mark.django_db


def test_an_operator_declares_and_the_call_becomes_restricted(operator: User) -> None:
    melding = new_melding(operator)
    incident = incidents.declare_incident(melding, actor=operator, breach=True)
    melding.refresh_from_db()
    assert melding.restricted
    assert incident.melding_id == melding.pk
    assert incident.number == f"BI{incident.pk:06d}"
    assert MeldingAccess.objects.filter(melding=melding, person=operator).exists()
    assert list(IncidentHistoryEntry.objects.filter(incident=incident).values_list("action", flat=True)) == [
        "declared"
    ]
    assert incident.clocks_open  # the AP report is due


def test_declaring_twice_returns_the_first(operator: User) -> None:
    incident = declared(operator, breach=True)
    again = incidents.declare_incident(incident.melding, actor=operator, significant=True)
    assert again.pk == incident.pk
    assert SecurityIncident.objects.count() == 1
    assert not fresh(incident).significant


def test_a_caller_never_declares(operator: User, caller: User) -> None:
    melding = new_melding(operator, caller=caller)
    with pytest.raises(PermissionDenied):
        incidents.declare_incident(melding, actor=caller)
    melding.refresh_from_db()
    assert not melding.restricted
    assert not SecurityIncident.objects.exists()


def test_the_awareness_cannot_lie_in_the_future(operator: User) -> None:
    melding = new_melding(operator)
    with pytest.raises(DomainError) as refused:
        incidents.declare_incident(melding, actor=operator, aware_at=clock.now() + timedelta(hours=1))
    assert "aware_at" in refused.value.field_errors
    melding.refresh_from_db()
    assert not melding.restricted  # nothing half-saved


def test_only_security_officers_edit(operator: User, coordinator: User, administrator: User) -> None:
    incident = declared(operator, breach=True)
    for person in (operator, coordinator, administrator):
        with pytest.raises(PermissionDenied):
            incidents.edit_incident(
                incident, actor=person, expected_version=1, data=data_of(incident, nature="x")
            )
    assert fresh(incident).nature == ""


def test_a_security_officer_records_the_avg_facts_with_history(operator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True)
    changed = incidents.edit_incident(
        incident,
        actor=so,
        expected_version=incident.version,
        data=data_of(
            incident,
            nature="Cijferlijst naar verkeerde oudermaillijst",
            data_categories="Namen, cijfers",
            people_categories="Leerlingen 3B en hun ouders",
            people_count=28,
            records_count=28,
            high_risk=True,
        ),
    )
    assert changed.version == incident.version + 1
    rows = IncidentHistoryEntry.objects.filter(incident=incident, action="changed")
    assert {r.field for r in rows} >= {"nature", "people_count", "high_risk"}
    kinds = [d.kind for d in incidents.deadlines_of(changed)]
    assert kinds == [deadlines.AP_REPORT, deadlines.PEOPLE_NOTICE]


def test_unlikely_to_pose_a_risk_needs_a_reason_and_excludes_high_risk(operator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True)
    with pytest.raises(DomainError) as refused:
        incidents.edit_incident(
            incident, actor=so, expected_version=1, data=data_of(incident, unlikely_risk=True)
        )
    assert "unlikely_risk_reason" in refused.value.field_errors
    with pytest.raises(DomainError) as both:
        incidents.edit_incident(
            incident,
            actor=so,
            expected_version=1,
            data=data_of(incident, unlikely_risk=True, unlikely_risk_reason="Versleuteld", high_risk=True),
        )
    assert "high_risk" in both.value.field_errors
    done = incidents.edit_incident(
        incident,
        actor=so,
        expected_version=1,
        data=data_of(incident, unlikely_risk=True, unlikely_risk_reason="De laptop was versleuteld"),
    )
    assert incidents.deadlines_of(done) == []
    assert not fresh(incident).clocks_open


def test_a_stale_version_is_refused(operator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True)
    incidents.edit_incident(incident, actor=so, expected_version=1, data=data_of(incident, nature="a"))
    with pytest.raises(Conflict):
        incidents.edit_incident(incident, actor=so, expected_version=1, data=data_of(incident, nature="b"))
    assert fresh(incident).nature == "a"


def test_handling_starts_the_final_reports_clock(operator: User) -> None:
    so = officer()
    incident = declared(operator, significant=True)
    done = incidents.edit_incident(
        incident, actor=so, expected_version=1, data=data_of(incident, status=IncidentStatus.HANDLED)
    )
    assert done.handled_at is not None
    assert [d.kind for d in incidents.deadlines_of(done)][-1] == deadlines.FINAL_REPORT
    back = incidents.edit_incident(
        done, actor=so, expected_version=done.version, data=data_of(done, status=IncidentStatus.OPEN)
    )
    assert back.handled_at is None


def test_a_report_meets_its_deadline(operator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True, hours_ago=30)
    report = incidents.record_report(
        incident,
        actor=so,
        kind="ap_report",
        made_at=clock.now() - timedelta(hours=2),
        reference="AP-2026-1234",
    )
    assert report.recipient == "Autoriteit Persoonsgegevens"
    assert all(d.met for d in incidents.deadlines_of(incident))
    assert not fresh(incident).clocks_open
    assert IncidentHistoryEntry.objects.filter(incident=incident, action="reported").count() == 1


def test_reports_are_checked(operator: User) -> None:
    so = officer()
    incident = declared(operator, breach=True, hours_ago=5)
    with pytest.raises(DomainError) as wrong_kind:
        incidents.record_report(incident, actor=so, kind="early_warning", made_at=clock.now())
    assert "kind" in wrong_kind.value.field_errors
    with pytest.raises(DomainError) as future:
        incidents.record_report(
            incident, actor=so, kind="ap_report", made_at=clock.now() + timedelta(hours=1)
        )
    assert "made_at" in future.value.field_errors
    with pytest.raises(DomainError) as before:
        incidents.record_report(incident, actor=so, kind="ap_report", made_at=clock.now() - timedelta(days=1))
    assert "made_at" in before.value.field_errors
    incidents.record_report(incident, actor=so, kind="ap_report", made_at=clock.now())
    with pytest.raises(Conflict):
        incidents.record_report(incident, actor=so, kind="ap_report", made_at=clock.now())
    with pytest.raises(PermissionDenied):
        incidents.record_report(incident, actor=operator, kind="people_notice", made_at=clock.now())
    assert IncidentReport.objects.filter(incident=incident).count() == 1


def test_progress_reports_may_be_several(operator: User) -> None:
    so = officer()
    incident = declared(operator, significant=True, hours_ago=100)
    for _ in range(2):
        incidents.record_report(incident, actor=so, kind="progress_report", made_at=clock.now())
    assert IncidentReport.objects.filter(incident=incident, kind="progress_report").count() == 2


def test_visibility_officers_and_people_with_access(
    operator: User, coordinator: User, administrator: User
) -> None:
    so = officer()
    privacy = officer(security=False, privacy=True)
    incident = declared(operator, breach=True)
    assert SecurityIncident.objects.visible_to(so).filter(pk=incident.pk).exists()
    assert SecurityIncident.objects.visible_to(operator).filter(pk=incident.pk).exists()  # declared it
    for person in (coordinator, administrator, privacy, make_person(Role.CALLER)):
        assert not SecurityIncident.objects.visible_to(person).exists()
    assert SecurityIncident.objects.register_visible_to(privacy).filter(pk=incident.pk).exists()
    assert SecurityIncident.objects.register_visible_to(so).filter(pk=incident.pk).exists()
    assert not SecurityIncident.objects.register_visible_to(operator).exists()
    assert not SecurityIncident.objects.register_visible_to(administrator).exists()


def test_access_granted_and_revoked_by_security_officers(operator: User, coordinator: User) -> None:
    so = officer()
    incident = declared(operator, significant=True)
    with pytest.raises(PermissionDenied):
        incidents.grant_access(incident, person=coordinator, actor=operator)
    incidents.grant_access(incident, person=coordinator, actor=so)
    assert SecurityIncident.objects.visible_to(coordinator).filter(pk=incident.pk).exists()
    incidents.revoke_access(incident, person=coordinator, actor=so)
    assert not SecurityIncident.objects.visible_to(coordinator).exists()
    actions = list(IncidentHistoryEntry.objects.filter(incident=incident).values_list("action", flat=True))
    assert "access_granted" in actions
    assert "access_revoked" in actions


def test_a_read_is_logged_on_the_call(operator: User) -> None:
    incident = declared(operator, breach=True)
    incidents.log_read(incident, reader=operator, route="/test")
    assert RestrictedRead.objects.filter(melding=incident.melding, reader=operator).count() == 1
