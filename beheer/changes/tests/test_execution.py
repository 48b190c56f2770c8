"""The execution of a change at the service level: the log, deviations with a decision, documents
and the proposed CMDB updates applied when their activity is done (and the bad items among them)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from beheer.accounts.models import User
from beheer.changes import services
from beheer.changes.models import (
    ActivityState,
    ChangeActivity,
    ChangeCi,
    ChangeDocument,
    ChangeHistoryEntry,
    CmdbUpdate,
    InstallationLogEntry,
    activity_state,
)
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import (
    AttributeDefinition,
    AttributeKind,
    CiHistoryEntry,
    CiType,
    ConfigurationItem,
    Relation,
    RelationKind,
)
from beheer.core import clock
from beheer.core.errors import DomainError, PermissionDenied, ReadOnly

from .helpers import make_change, make_ci

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def firmware(administrator: User) -> AttributeDefinition:
    return cmdb.save_attribute(
        None,
        actor=administrator,
        ci_type=CiType.objects.get(code="access_point"),
        data=cmdb.AttributeData(
            code="firmware", label_nl="Firmware", label_en="Firmware", kind=AttributeKind.TEXT
        ),
    )


def _activity(actor: User, change: Any, title: str = "Access point ophangen") -> ChangeActivity:
    return services.add_activity(change, actor=actor, title=title)


def actions(change: Any) -> list[str]:
    return list(
        ChangeHistoryEntry.objects.filter(change=change).order_by("id").values_list("action", flat=True)
    )


def test_the_state_of_an_activity() -> None:
    now = clock.now()
    a = ChangeActivity(title="x", planned_end=now - timedelta(hours=1))
    assert activity_state(a, now=now) == ActivityState.LATE
    a.deviation = "Kabel te kort"
    assert activity_state(a, now=now) == ActivityState.DEVIATING
    a.done_at = now
    assert activity_state(a, now=now) == ActivityState.DONE
    b = ChangeActivity(title="y")
    assert activity_state(b, now=now) == ActivityState.OPEN
    assert activity_state(b, now=now, deadline=now - timedelta(minutes=1)) == ActivityState.LATE


def test_the_log_is_append_only_and_for_staff(operator: User, caller: User) -> None:
    change = make_change(operator)
    activity = _activity(operator, change)
    first = services.add_log_entry(change, actor=operator, text="Switch geplaatst in rek 2")
    second = services.add_log_entry(change, actor=operator, text="Correctie: rek 3", activity=activity)
    assert list(InstallationLogEntry.objects.filter(change=change)) == [second, first]
    assert second.author == operator
    assert second.activity == activity
    with pytest.raises(DomainError) as empty:
        services.add_log_entry(change, actor=operator, text="   ")
    assert "text" in empty.value.field_errors
    other = _activity(operator, make_change(operator, title="Ander"))
    with pytest.raises(DomainError) as foreign:
        services.add_log_entry(change, actor=operator, text="x", activity=other)
    assert "activity" in foreign.value.field_errors
    with pytest.raises(PermissionDenied):
        services.add_log_entry(change, actor=caller, text="Ik was er ook")
    assert not InstallationLogEntry.objects.visible_to(caller).exists()
    assert InstallationLogEntry.objects.count() == 2


def test_a_deviation_with_its_decision(operator: User) -> None:
    change = make_change(operator)
    activity = _activity(operator, change)
    with pytest.raises(DomainError) as without:
        services.decide_deviation(activity, actor=operator, decision="accept")
    assert "deviation" in without.value.field_errors
    with pytest.raises(DomainError) as bad:
        services.decide_deviation(activity, actor=operator, decision="shrug", deviation="Kabel te kort")
    assert "decision" in bad.value.field_errors
    done = services.decide_deviation(
        activity,
        actor=operator,
        decision="rework",
        deviation="Kabel te kort",
        explanation="Morgen langere kabel trekken",
    )
    assert done.deviation == "Kabel te kort"
    assert done.deviation_decision == "rework"
    assert done.deviation_decided_by == operator
    assert done.deviation_decided_at is not None
    again = services.decide_deviation(activity, actor=operator, decision="accept", explanation="Past toch")
    assert again.deviation == "Kabel te kort"
    assert again.deviation_decision == "accept"
    assert actions(change).count("deviation_decided") == 2
    assert actions(change).count("deviation") == 1


def test_documents_are_checked_recorded_and_removed(operator: User, caller: User) -> None:
    change = make_change(operator)
    pdf = SimpleUploadedFile("plattegrond.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    doc = services.upload_document(change, actor=operator, upload=pdf, note="Plattegrond gebouw B")
    assert doc.original_name == "plattegrond.pdf"
    assert doc.content_type == "application/pdf"
    with pytest.raises(DomainError) as fake:
        services.upload_document(
            change, actor=operator, upload=SimpleUploadedFile("foto.png", b"<html>hi</html>")
        )
    assert "file" in fake.value.field_errors
    with pytest.raises(DomainError) as empty:
        services.upload_document(change, actor=operator, upload=SimpleUploadedFile("leeg.txt", b""))
    assert "file" in empty.value.field_errors
    with pytest.raises(PermissionDenied):
        services.upload_document(change, actor=caller, upload=SimpleUploadedFile("a.txt", b"hallo"))
    assert not ChangeDocument.objects.visible_to(caller).exists()
    services.delete_document(doc, actor=operator)
    assert not ChangeDocument.objects.exists()
    assert actions(change)[-2:] == ["document_added", "document_deleted"]


def test_proposals_are_checked_when_proposed(operator: User, firmware: AttributeDefinition) -> None:
    change = make_change(operator)
    activity = _activity(operator, change)
    ap = make_ci(operator, "ap-b.12", "access_point", attributes={"firmware": "6.5.55"})
    with pytest.raises(DomainError) as no_type:
        services.propose_new_ci(activity, actor=operator, name="ap-b.13", ci_type=None)
    assert "ci_type" in no_type.value.field_errors
    with pytest.raises(DomainError) as unknown_attr:
        services.propose_new_ci(
            activity,
            actor=operator,
            name="ap-b.13",
            ci_type=CiType.objects.get(code="access_point"),
            attributes={"kleur": "wit"},
        )
    assert "attributes.kleur" in unknown_attr.value.field_errors
    with pytest.raises(DomainError) as unknown_field:
        services.propose_attribute_change(activity, actor=operator, ci=ap, field="kleur", value="wit")
    assert "field" in unknown_field.value.field_errors
    with pytest.raises(DomainError) as bad_status:
        services.propose_attribute_change(activity, actor=operator, ci=ap, field="status", value="kapot")
    assert "value" in bad_status.value.field_errors
    with pytest.raises(DomainError) as missing_ci:
        services.propose_attribute_change(activity, actor=operator, ci=None, field="status", value="in_use")
    assert "ci" in missing_ci.value.field_errors
    with pytest.raises(DomainError) as bad_kind:
        services.propose_relation(activity, actor=operator, kind="loves", source=ap, target=ap)
    assert "kind" in bad_kind.value.field_errors
    with pytest.raises(DomainError) as itself:
        services.propose_relation(
            activity, actor=operator, kind=RelationKind.CONNECTED_TO, source=ap, target=ap
        )
    assert "target" in itself.value.field_errors
    assert not CmdbUpdate.objects.exists()
    update = services.propose_attribute_change(
        activity, actor=operator, ci=ap, field="firmware", value="7.0.23"
    )
    assert update.field == "attributes.firmware"
    assert update.old_value == "6.5.55"


def test_completing_the_activity_applies_its_updates(operator: User, firmware: AttributeDefinition) -> None:
    change = make_change(operator, title="Wifi pilot gebouw B")
    activity = _activity(operator, change)
    later = _activity(operator, change, "Dekking meten")
    switch = make_ci(operator, "sw-b.01", "switch")
    old_ap = make_ci(operator, "ap-b.01", "access_point", attributes={"firmware": "6.5.55"})
    new_ap = services.propose_new_ci(
        activity,
        actor=operator,
        name="ap-b.02",
        ci_type=CiType.objects.get(code="access_point"),
        attributes={"firmware": "7.0.23"},
    )
    services.propose_attribute_change(activity, actor=operator, ci=old_ap, field="firmware", value="7.0.23")
    services.propose_attribute_change(activity, actor=operator, ci=old_ap, field="status", value="in_repair")
    services.propose_relation(
        activity, actor=operator, kind=RelationKind.CONNECTED_TO, source_new=new_ap, target=switch
    )
    waiting = services.propose_attribute_change(
        later, actor=operator, ci=switch, field="host_name", value="sw-b-01"
    )
    services.complete_activity(activity, actor=operator)
    rows = list(CmdbUpdate.objects.filter(activity=activity).order_by("id"))
    assert [r.status for r in rows] == ["applied"] * 4, [r.message for r in rows]
    created = ConfigurationItem.objects.get(name="ap-b.02")
    assert rows[0].result_ci == created
    assert rows[0].applied_at is not None
    assert ChangeCi.objects.filter(change=change, ci=created).exists()
    old_ap.refresh_from_db()
    assert old_ap.status == "in_repair"
    assert cmdb.attribute_texts(old_ap)["attributes.firmware"] == "7.0.23"
    assert Relation.objects.filter(source=created, target=switch, kind=RelationKind.CONNECTED_TO).exists()
    reason = f"{change.number} Wifi pilot gebouw B"
    assert CiHistoryEntry.objects.filter(ci=created, action="created", detail=reason).exists()
    assert CiHistoryEntry.objects.filter(ci=old_ap, field="attributes.firmware", detail=reason).exists()
    assert CiHistoryEntry.objects.filter(ci=switch, field="relation", detail=reason).exists()
    assert CmdbUpdate.objects.get(pk=waiting.pk).status == "proposed"
    assert actions(change).count("cmdb_applied") == 4
    with pytest.raises(DomainError):
        services.propose_attribute_change(activity, actor=operator, ci=switch, field="host_name", value="x")
    with pytest.raises(DomainError):
        services.withdraw_cmdb_update(rows[0], actor=operator)
    services.withdraw_cmdb_update(waiting, actor=operator)
    assert "cmdb_withdrawn" in actions(change)


def test_a_failing_update_neither_blocks_the_others_nor_the_completion(
    operator: User, coordinator: User, administrator: User, firmware: AttributeDefinition
) -> None:
    change = make_change(operator)
    activity = _activity(operator, change)
    ap = make_ci(operator, "ap-b.01", "access_point", attributes={"firmware": "6.5.55"})
    doomed = make_ci(operator, "ap-oud", "access_point")
    switch = make_ci(operator, "sw-b.01", "switch")
    cmdb.add_relation(ap, actor=operator, target=switch, kind=RelationKind.CONNECTED_TO)
    gone = services.propose_attribute_change(
        activity, actor=operator, ci=doomed, field="status", value="retired"
    )
    twice = services.propose_relation(
        activity, actor=operator, kind=RelationKind.CONNECTED_TO, source=ap, target=switch
    )
    dropped = services.propose_attribute_change(
        activity, actor=operator, ci=ap, field="firmware", value="7.0"
    )
    fine = services.propose_attribute_change(
        activity, actor=operator, ci=ap, field="host_name", value="ap-b-01"
    )
    cmdb.delete_item(doomed, actor=coordinator, expected_version=None)
    cmdb.save_attribute(
        firmware,
        actor=administrator,
        ci_type=firmware.ci_type,
        data=cmdb.AttributeData(
            code="firmware", label_nl="Firmware", label_en="Firmware", kind=AttributeKind.TEXT, active=False
        ),
        expected_version=firmware.version,
    )
    done = services.complete_activity(activity, actor=operator)
    assert done.done_at is not None
    by_pk = {r.pk: r for r in CmdbUpdate.objects.filter(change=change)}
    assert by_pk[gone.pk].status == "failed"
    assert "ap-oud" in by_pk[gone.pk].message
    assert by_pk[twice.pk].status == "failed"
    assert "already" in by_pk[twice.pk].message
    assert by_pk[dropped.pk].status == "failed"
    assert "firmware" in by_pk[dropped.pk].message
    assert by_pk[fine.pk].status == "applied"
    ap.refresh_from_db()
    assert ap.host_name == "ap-b-01"
    assert Relation.objects.filter(source=ap, target=switch).count() == 1
    assert actions(change).count("cmdb_failed") == 3


def test_a_closed_change_takes_no_log_and_a_caller_proposes_nothing(operator: User, caller: User) -> None:
    change = make_change(operator)
    activity = _activity(operator, change)
    with pytest.raises(PermissionDenied):
        services.propose_attribute_change(activity, actor=caller, ci=None, field="status", value="in_use")
    services.cancel_change(change, actor=operator, expected_version=None)
    with pytest.raises(ReadOnly):
        services.add_log_entry(change, actor=operator, text="Nog iets")
