"""Access rights through the services: request -> approve -> grant -> revoke with history, the
approver rules, known rights, optimistic locking, leavers, expiry with a broken row, the outbox."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from beheer.accounts import services as account_services
from beheer.accounts.models import User
from beheer.cmdb import services as cmdb_services
from beheer.cmdb.models import CiType
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.notifications.models import OutgoingMessage
from beheer.rights import queries, services
from beheer.rights.models import AccessRight, AccessRightHistoryEntry, RightStatus

from .helpers import application, granted, requested

pytestmark = pytest.mark.django_db


def test_the_full_flow_is_recorded_step_by_step(
    operator: User, coordinator: User, caller: User, administrator: User
) -> None:
    ci = application(administrator, owner=coordinator)
    right = requested(caller, caller, ci, "read", reason="Mentor of 3B")
    assert right.status == RightStatus.REQUESTED
    right = services.approve_right(right, actor=coordinator, note="ok", expected_version=right.version)
    assert right.status == RightStatus.APPROVED
    assert right.decided_by == coordinator
    right = services.grant_right(right, actor=operator, expected_version=right.version)
    assert right.status == RightStatus.GRANTED
    assert right.granted_by == operator
    right = services.revoke_right(
        right, actor=operator, reason="No longer needed", expected_version=right.version
    )
    assert right.status == RightStatus.REVOKED
    assert right.revoked_by == operator
    actions = list(
        AccessRightHistoryEntry.objects.filter(access_right=right)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["requested", "approved", "granted", "revoked"]
    last = AccessRightHistoryEntry.objects.filter(access_right=right).order_by("-id").first()
    assert last is not None
    assert last.detail == "No longer needed"
    assert last.actor == operator


def test_only_the_approver_or_an_administrator_decides(
    operator: User, coordinator: User, caller: User, administrator: User, other_caller: User
) -> None:
    ci = application(administrator, owner=coordinator)
    right = requested(caller, caller, ci)
    for stranger in (operator, other_caller, caller):
        with pytest.raises(PermissionDenied):
            services.approve_right(right, actor=stranger, expected_version=right.version)
        with pytest.raises(PermissionDenied):
            services.reject_right(right, actor=stranger, expected_version=right.version)
    # The policy's approver replaces the owner.
    services.save_access_policy(
        ci, actor=coordinator, approver=other_caller, known_rights="", expected_version=None
    )
    with pytest.raises(PermissionDenied):
        services.approve_right(right, actor=coordinator, expected_version=right.version)
    done = services.reject_right(right, actor=other_caller, note="not needed", expected_version=right.version)
    assert done.status == RightStatus.REJECTED
    other = requested(operator, caller, ci, "read")
    assert (
        services.approve_right(other, actor=administrator, expected_version=other.version).status
        == "approved"
    )


def test_callers_request_only_for_themselves_and_never_grant(
    caller: User, other_caller: User, administrator: User, coordinator: User
) -> None:
    ci = application(administrator, owner=coordinator)
    with pytest.raises(PermissionDenied):
        requested(caller, other_caller, ci)
    right = requested(caller, caller, ci)
    right = services.approve_right(right, actor=coordinator, expected_version=right.version)
    with pytest.raises(PermissionDenied):
        services.grant_right(right, actor=caller, expected_version=right.version)
    right = services.grant_right(right, actor=coordinator, expected_version=right.version)
    with pytest.raises(PermissionDenied):
        services.revoke_right(right, actor=other_caller, reason="x")


def test_a_request_names_a_known_right_on_an_application(
    operator: User, caller: User, administrator: User, coordinator: User
) -> None:
    ci = application(administrator)
    services.save_access_policy(
        ci, actor=coordinator, approver=None, known_rights="read\neditor\n\nread", expected_version=None
    )
    with pytest.raises(DomainError) as exc:
        requested(operator, caller, ci, "superuser")
    assert "right" in exc.value.field_errors
    server = cmdb_services.create_item(
        actor=administrator,
        data=cmdb_services.ItemData(name="fs01", ci_type=CiType.objects.get(code="server")),
    )
    with pytest.raises(DomainError) as exc:
        requested(operator, caller, server, "read")
    assert "ci" in exc.value.field_errors
    requested(operator, caller, ci, "read")
    with pytest.raises(DomainError) as exc:
        requested(operator, caller, ci, "read")  # the same live right twice
    assert "right" in exc.value.field_errors


def test_steps_check_status_and_version(operator: User, caller: User, administrator: User) -> None:
    ci = application(administrator, owner=administrator)
    right = requested(operator, caller, ci)
    with pytest.raises(DomainError):
        services.grant_right(right, actor=operator, expected_version=right.version)  # not approved yet
    with pytest.raises(Conflict):
        services.approve_right(right, actor=administrator, expected_version=right.version + 1)
    with pytest.raises(DomainError) as exc:
        services.revoke_right(right, actor=operator, reason="")
    assert right.status == RightStatus.REQUESTED
    assert exc.value is not None


def test_a_request_tells_the_approver_once(
    operator: User, caller: User, administrator: User, coordinator: User
) -> None:
    ci = application(administrator, owner=coordinator)
    requested(operator, caller, ci)
    mails = OutgoingMessage.objects.filter(event="access_request_waiting")
    assert [m.recipient_user_id for m in mails] == [coordinator.pk]


def test_leavers_after_deactivation(
    operator: User, caller: User, administrator: User, coordinator: User
) -> None:
    ci = application(administrator, owner=coordinator)
    granted(operator, coordinator, caller, ci, "read")
    granted(operator, coordinator, caller, ci, "editor")
    requested(operator, caller, ci, "administrator")  # not granted: not a leaver's right
    assert list(queries.leavers()) == []
    account_services.deactivate_person(caller, actor=administrator)
    found = list(queries.leavers())
    assert [p.pk for p in found] == [caller.pk]
    assert queries.held_counts([caller.pk]) == {caller.pk: 2}
    with pytest.raises(PermissionDenied):
        services.revoke_all_of(caller, actor=caller, reason="left")
    assert services.revoke_all_of(caller, actor=operator, reason="Left the school") == 2
    assert list(queries.leavers()) == []
    assert AccessRight.objects.filter(person=caller, status=RightStatus.REVOKED).count() == 2


def test_expiry_marks_past_rights_and_one_broken_row_stops_nothing(
    operator: User, caller: User, other_caller: User, administrator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    ci = application(administrator, owner=administrator)
    first = granted(operator, administrator, caller, ci, "read")
    second = granted(operator, administrator, other_caller, ci, "read")
    kept = granted(operator, administrator, other_caller, ci, "editor")
    today = timezone.localdate()
    AccessRight.objects.filter(pk__in=[first.pk, second.pk]).update(valid_until=today - timedelta(days=1))
    AccessRight.objects.filter(pk=kept.pk).update(valid_until=today + timedelta(days=5))

    from beheer.rights.services import rights as module

    real = module._end

    def broken(current: AccessRight, **kwargs: object) -> AccessRight:
        if current.pk == first.pk:
            raise RuntimeError("a broken row")
        return real(current, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_end", broken)
    assert services.expire_rights(today=today) == 1
    statuses = dict(AccessRight.objects.values_list("pk", "status"))
    assert statuses[first.pk] == "granted"  # rolled back alone
    assert statuses[second.pk] == "expired"
    assert statuses[kept.pk] == "granted"
    monkeypatch.setattr(module, "_end", real)
    assert services.expire_rights(today=today) == 1
    assert services.expire_rights(today=today) == 0  # safe to run twice
    assert AccessRightHistoryEntry.objects.filter(access_right_id=first.pk, action="expired").count() == 1


def test_grant_refuses_a_past_date(operator: User, caller: User, administrator: User) -> None:
    ci = application(administrator, owner=administrator)
    right = requested(operator, caller, ci)
    right = services.approve_right(right, actor=administrator, expected_version=right.version)
    with pytest.raises(DomainError) as exc:
        services.grant_right(
            right, actor=operator, valid_until=date(2000, 1, 1), expected_version=right.version
        )
    assert "valid_until" in exc.value.field_errors


def test_policy_is_for_coordinators(operator: User, administrator: User) -> None:
    ci = application(administrator)
    with pytest.raises(PermissionDenied):
        services.save_access_policy(ci, actor=operator, approver=None, known_rights="", expected_version=None)


def test_a_policy_change_is_in_the_cis_history(coordinator: User, caller: User, administrator: User) -> None:
    from beheer.cmdb.models import CiHistoryEntry

    ci = application(administrator)
    policy = services.save_access_policy(
        ci, actor=coordinator, approver=caller, known_rights="read", expected_version=None
    )
    details = list(CiHistoryEntry.objects.filter(ci=ci, actor=coordinator).values_list("detail", flat=True))
    assert any(str(caller) in d for d in details)
    assert any("read" in d for d in details)
    with pytest.raises(Conflict):
        services.save_access_policy(
            ci, actor=coordinator, approver=None, known_rights="", expected_version=policy.version + 5
        )


def test_a_policy_change_is_written_in_the_installation_language(
    coordinator: User, caller: User, administrator: User
) -> None:
    from django.utils import translation

    from beheer.cmdb.models import CiHistoryEntry

    ci = application(administrator)
    with translation.override("en"):  # the coordinator reads English; the history is written once
        services.save_access_policy(
            ci, actor=coordinator, approver=caller, known_rights="read", expected_version=None
        )
    details = set(CiHistoryEntry.objects.filter(ci=ci, actor=coordinator).values_list("detail", flat=True))
    assert any(d.startswith("Goedkeurder van toegang: ") for d in details), details
    assert any(d.startswith("Bekende rechten: ") for d in details), details
