"""Findings: recording, editing, status, and turning one into a call or an activity of the change,
once each."""

from __future__ import annotations

import pytest

from beheer.changes import services as change_services
from beheer.changes.models import ChangeActivity
from beheer.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.servicedesk.models import Melding
from beheer.testing.models import FindingStatus, TestFinding, TestingHistoryEntry, TestResult
from beheer.testing.services import findings, runs

from .helpers import add_case, scene
from .test_runs import scene_other

pytestmark = pytest.mark.django_db


def test_a_finding_is_numbered_checked_and_recorded() -> None:
    operator, client, _change, _reqs, plan = scene()
    first = findings.record_finding(plan, actor=operator, title="Printer onbereikbaar", severity="high")
    second = findings.record_finding(plan, actor=operator, title="Traag", description="Na 17:00")
    assert (first.number, second.number) == (1, 2)
    assert first.severity == "high"
    assert second.severity == "medium"
    with pytest.raises(DomainError) as no_title:
        findings.record_finding(plan, actor=operator, title="  ")
    assert "title" in no_title.value.field_errors
    with pytest.raises(DomainError) as bad:
        findings.record_finding(plan, actor=operator, title="x", severity="enorm")
    assert "severity" in bad.value.field_errors
    with pytest.raises(PermissionDenied):
        findings.record_finding(plan, actor=client, title="x")
    assert TestingHistoryEntry.objects.filter(plan=plan, action="finding").count() == 2


def test_a_finding_of_another_plans_result_is_refused() -> None:
    operator, _client, _change, _reqs, plan = scene()
    other_op, _c, _ch, _r, other_plan = scene_other()
    case = add_case(other_plan, "Elders")
    run = runs.start_run(other_plan, actor=other_op, cases=[case])
    with pytest.raises(NotFound):
        findings.record_finding(plan, actor=operator, title="x", result=TestResult.objects.get(run=run))


def test_editing_keeps_versions_and_the_trail() -> None:
    operator, _client, _change, _reqs, plan = scene()
    finding = findings.record_finding(plan, actor=operator, title="Traag")
    done = findings.update_finding(
        finding, actor=operator, expected_version=1, title="Heel traag", description="", severity="critical"
    )
    assert (done.title, done.severity, done.version) == ("Heel traag", "critical", 2)
    with pytest.raises(Conflict):
        findings.update_finding(
            finding, actor=operator, expected_version=1, title="Oud", description="", severity="low"
        )
    entries = TestingHistoryEntry.objects.filter(plan=plan, action="finding_changed")
    assert {e.field for e in entries} == {"title", "severity"}


def test_status_closes_and_reopens() -> None:
    operator, _client, _change, _reqs, plan = scene()
    finding = findings.record_finding(plan, actor=operator, title="Traag")
    closed = findings.set_finding_status(finding, actor=operator, status="resolved")
    assert closed.closed_by == operator
    assert closed.closed_at is not None
    reopened = findings.set_finding_status(finding, actor=operator, status=FindingStatus.OPEN)
    assert reopened.closed_at is None
    assert reopened.closed_by is None
    with pytest.raises(DomainError) as bad:
        findings.set_finding_status(finding, actor=operator, status="weg")
    assert "status" in bad.value.field_errors


def test_a_finding_becomes_a_call_once() -> None:
    operator, _client, change, _reqs, plan = scene()
    finding = findings.record_finding(
        plan, actor=operator, title="Gastnetwerk lekt naar intern", description="VLAN 20 bereikbaar"
    )
    melding = findings.finding_to_melding(finding, actor=operator)
    stored = Melding.objects.get(pk=melding.pk)
    assert stored.brief_description == "Gastnetwerk lekt naar intern"
    assert "VLAN 20 bereikbaar" in stored.request
    assert change.number in stored.request
    assert TestFinding.objects.get(pk=finding.pk).melding_id == melding.pk
    with pytest.raises(Conflict) as again:
        findings.finding_to_melding(finding, actor=operator)
    assert melding.number in again.value.message
    assert Melding.objects.count() == 1


def test_a_finding_becomes_an_activity_once() -> None:
    operator, _client, change, _reqs, plan = scene()
    finding = findings.record_finding(plan, actor=operator, title="Dekking lokaal 2.14")
    activity = findings.finding_to_activity(finding, actor=operator)
    assert activity.change_id == change.pk
    assert "Dekking lokaal 2.14" in activity.title
    assert TestFinding.objects.get(pk=finding.pk).activity_id == activity.pk
    with pytest.raises(Conflict):
        findings.finding_to_activity(finding, actor=operator)
    assert ChangeActivity.objects.filter(change=change).count() == 1


def test_findings_of_a_closed_change_are_read_only() -> None:
    operator, _client, change, _reqs, plan = scene()
    finding = findings.record_finding(plan, actor=operator, title="Traag")
    change.refresh_from_db()
    change_services.cancel_change(change, actor=operator, expected_version=change.version)
    with pytest.raises(ReadOnly):
        findings.record_finding(plan, actor=operator, title="Nog iets")
    with pytest.raises(ReadOnly):
        findings.finding_to_melding(finding, actor=operator)
    with pytest.raises(ReadOnly):
        findings.set_finding_status(finding, actor=operator, status="resolved")
    assert not Melding.objects.exists()
