"""Licences and contracts through the services: assignment rules, compliance counts, history,
optimistic locking, who may do what, and the expiry and notice reminders (once, isolated)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from beheer.accounts.models import User
from beheer.cmdb import services
from beheer.cmdb.models import (
    CiHistoryEntry,
    CiType,
    ConfigurationItem,
    Contract,
    ContractHistoryEntry,
    Licence,
    LicenceAssignment,
    LicenceHistoryEntry,
    LicenceModel,
    Supplier,
)
from beheer.cmdb.services import reminders
from beheer.core.errors import Conflict, DomainError, PermissionDenied
from beheer.notifications.models import OutgoingMessage

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def _ci(actor: User, name: str) -> ConfigurationItem:
    server = CiType.objects.get(code="server")
    return services.create_item(actor=actor, data=services.ItemData(name=name, ci_type=server))


def _licence(actor: User, model: str = LicenceModel.PER_DEVICE, **extra: Any) -> Licence:
    values: dict[str, Any] = {"entitlements": 2, "start_date": date(2025, 1, 1)}
    values.update(extra)
    return services.create_licence(
        actor=actor, data=services.LicenceData(product=f"Product {model}", licence_model=model, **values)
    )


def _contract(actor: User, **extra: Any) -> Contract:
    supplier = Supplier.objects.get_or_create(name="Dell")[0]
    values: dict[str, Any] = {
        "supplier": supplier,
        "kind": "support",
        "title": "Dell support",
        "start_date": date(2025, 1, 1),
        "end_date": date(2026, 12, 31),
        "notice_days": 90,
    }
    values.update(extra)
    return services.create_contract(actor=actor, data=services.ContractData(**values))


def test_per_device_licences_go_to_cis_and_per_user_to_people(operator: User, caller: User) -> None:
    ci = _ci(operator, "hv01")
    device = _licence(operator, LicenceModel.PER_DEVICE)
    user = _licence(operator, LicenceModel.PER_USER)
    with pytest.raises(DomainError) as refused:
        services.assign_licence(device, actor=operator, person=caller)
    assert "person" in refused.value.field_errors
    with pytest.raises(DomainError) as refused:
        services.assign_licence(user, actor=operator, ci=ci)
    assert "ci" in refused.value.field_errors
    with pytest.raises(DomainError):
        services.assign_licence(device, actor=operator, ci=ci, person=caller)
    services.assign_licence(device, actor=operator, ci=ci)
    services.assign_licence(user, actor=operator, person=caller)
    with pytest.raises(DomainError) as twice:
        services.assign_licence(device, actor=operator, ci=ci)
    assert "already" in twice.value.message or "ci" in twice.value.field_errors
    assert LicenceAssignment.objects.count() == 2
    # the CI's own trail says so, and so does the licence's
    assert CiHistoryEntry.objects.filter(ci=ci, field="licences", new_value=device.product).exists()
    assert LicenceHistoryEntry.objects.filter(licence=device, action="assigned", new_value="hv01").exists()


def test_unassigning_is_in_both_trails(operator: User) -> None:
    ci = _ci(operator, "hv02")
    licence = _licence(operator)
    assignment = services.assign_licence(licence, actor=operator, ci=ci)
    services.unassign_licence(assignment, actor=operator)
    assert not LicenceAssignment.objects.exists()
    assert CiHistoryEntry.objects.filter(ci=ci, field="licences", old_value=licence.product).exists()
    assert LicenceHistoryEntry.objects.filter(licence=licence, action="unassigned", old_value="hv02").exists()


def test_compliance_counts_over_under_and_ok(operator: User, caller: User, other_caller: User) -> None:
    cis = [_ci(operator, f"srv{i}") for i in range(3)]
    under = _licence(operator, entitlements=2)
    for ci in cis:
        services.assign_licence(under, actor=operator, ci=ci)
    over = _licence(operator, LicenceModel.PER_USER, entitlements=5)
    services.assign_licence(over, actor=operator, person=caller)
    exact = _licence(operator, LicenceModel.CONCURRENT, entitlements=2)
    services.assign_licence(exact, actor=operator, person=caller)
    services.assign_licence(exact, actor=operator, ci=cis[0])
    site = _licence(operator, LicenceModel.SITE, entitlements=3)
    services.assign_licence(site, actor=operator, person=other_caller)

    assert site.entitlements is None  # a site licence has no limit
    assert services.compliance(under)["state"] == "under"
    assert services.compliance(under)["available"] == -1
    assert services.compliance(over)["state"] == "over"
    assert services.compliance(exact)["state"] == "ok"
    assert services.compliance(site)["state"] == "ok"
    assert services.compliance_overview() == {"ok": 2, "over": 1, "under": 1, "licences": 4}


def test_the_overview_is_one_query(operator: User, django_assert_num_queries: Any) -> None:
    for _i in range(5):
        _licence(operator)
    with django_assert_num_queries(1):
        services.compliance_overview()


def test_licence_changes_are_checked_locked_and_in_history(operator: User, caller: User) -> None:
    licence = _licence(operator)
    with pytest.raises(DomainError) as bad:
        services.update_licence(
            licence,
            actor=operator,
            data=services.LicenceData(
                product="",
                licence_model="per_device",
                start_date=date(2025, 1, 1),
                expiry_date=date(2024, 1, 1),
            ),
            expected_version=1,
        )
    assert {"product", "entitlements", "expiry_date"} <= set(bad.value.field_errors)
    data = services.LicenceData(
        product="Veeam", licence_model="per_device", start_date=date(2025, 1, 1), entitlements=4
    )
    changed = services.update_licence(licence, actor=operator, data=data, expected_version=1)
    assert changed.version == 2
    assert LicenceHistoryEntry.objects.filter(licence=licence, field="entitlements", new_value="4").exists()
    with pytest.raises(Conflict):
        services.update_licence(licence, actor=operator, data=data, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.create_licence(actor=caller, data=data)
    services.delete_licence(changed, actor=operator, expected_version=2)
    assert not Licence.objects.exists()
    assert LicenceHistoryEntry.objects.filter(licence_name="Veeam", action="deleted").exists()


def test_a_model_change_that_does_not_fit_the_assignments_is_refused(operator: User) -> None:
    ci = _ci(operator, "pc1")
    licence = _licence(operator, LicenceModel.CONCURRENT)
    services.assign_licence(licence, actor=operator, ci=ci)
    data = services.LicenceData(
        product="X", licence_model="per_user", start_date=date(2025, 1, 1), entitlements=2
    )
    with pytest.raises(DomainError) as refused:
        services.update_licence(licence, actor=operator, data=data, expected_version=1)
    assert "licence_model" in refused.value.field_errors


def test_contracts_keep_their_notice_date_and_covered_cis_in_history(operator: User, caller: User) -> None:
    hv01 = _ci(operator, "hv01")
    contract = _contract(operator, covered_cis=[hv01])
    assert contract.notice_date == date(2026, 12, 31) - timedelta(days=90)
    hv02 = _ci(operator, "hv02")
    data = services.ContractData(
        supplier=contract.supplier,
        kind="support",
        title="Dell support",
        start_date=date(2025, 1, 1),
        end_date=date(2026, 12, 31),
        notice_days=30,
        covered_cis=[hv01, hv02],
    )
    changed = services.update_contract(contract, actor=operator, data=data, expected_version=1)
    assert changed.notice_date == date(2026, 12, 1)
    trail = ContractHistoryEntry.objects.filter(contract=contract)
    assert trail.filter(field="covered_cis", new_value="hv01, hv02").exists()
    assert trail.filter(field="notice_days", old_value="90", new_value="30").exists()
    with pytest.raises(Conflict):
        services.update_contract(contract, actor=operator, data=data, expected_version=1)
    with pytest.raises(DomainError) as bad:
        services.update_contract(
            contract,
            actor=operator,
            data=services.ContractData(
                supplier=contract.supplier,
                kind="nonsense",
                title=" ",
                start_date=date(2026, 1, 1),
                end_date=date(2025, 1, 1),
                notice_days=-1,
            ),
            expected_version=2,
        )
    assert {"kind", "title", "end_date", "notice_days"} <= set(bad.value.field_errors)
    with pytest.raises(PermissionDenied):
        services.delete_contract(contract, actor=caller, expected_version=2)
    services.delete_contract(contract, actor=operator, expected_version=2)
    assert not Contract.objects.exists()


# --------------------------------------------------------------------------------------------------
# reminders


def _mails(event: str) -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(event=event, channel="email").order_by("recipient"))


def test_expiry_and_notice_reminders_go_once_to_the_owner_or_the_coordinators(
    operator: User, coordinator: User
) -> None:
    soon = _licence(operator, expiry_date=TODAY + timedelta(days=30), owner=operator)
    _licence(operator, expiry_date=TODAY + timedelta(days=200))  # not yet
    _licence(operator, expiry_date=TODAY - timedelta(days=1))  # expired already: no burst
    _contract(operator, end_date=TODAY + timedelta(days=100), notice_days=60)  # notice in 40 days
    _contract(operator, title="Later", end_date=TODAY + timedelta(days=400), notice_days=30)

    assert reminders.send_reminders(today=TODAY) == 2
    licence_mails = _mails("licence_expiring")
    assert [m.recipient_user_id for m in licence_mails] == [operator.pk]
    assert "Product per_device" in licence_mails[0].subject
    contract_mails = _mails("contract_notice_due")
    assert [m.recipient_user_id for m in contract_mails] == [coordinator.pk]  # no owner
    # a second run (the next hour) sends nothing more
    assert reminders.send_reminders(today=TODAY) == 0
    assert reminders.send_reminders(today=TODAY + timedelta(days=1)) == 0
    assert len(_mails("licence_expiring")) == 1
    assert len(_mails("contract_notice_due")) == 1
    assert LicenceHistoryEntry.objects.filter(licence=soon, action="reminded").count() == 1


def test_a_changed_deadline_is_reminded_again(operator: User) -> None:
    licence = _licence(operator, expiry_date=TODAY + timedelta(days=10), owner=operator, remind_days=20)
    assert reminders.send_reminders(today=TODAY) == 1
    data = services.LicenceData(
        product=licence.product,
        licence_model=licence.licence_model,
        start_date=licence.start_date,
        entitlements=2,
        owner=operator,
        expiry_date=TODAY + timedelta(days=15),
        remind_days=20,
    )
    services.update_licence(licence, actor=operator, data=data, expected_version=1)
    assert reminders.send_reminders(today=TODAY) == 1
    assert len(_mails("licence_expiring")) == 2


def test_the_remind_days_are_per_record(operator: User) -> None:
    _licence(operator, expiry_date=TODAY + timedelta(days=30), owner=operator, remind_days=10)
    assert reminders.send_reminders(today=TODAY) == 0
    assert reminders.send_reminders(today=TODAY + timedelta(days=20)) == 1


def test_a_broken_record_does_not_stop_the_job(operator: User, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = _licence(operator, expiry_date=TODAY + timedelta(days=5), owner=operator)
    fine = _licence(operator, expiry_date=TODAY + timedelta(days=6), owner=operator)
    real = reminders._context

    def failing(name: str, supplier: Any, deadline: date, today: date) -> dict[str, Any]:
        if deadline == broken.expiry_date:
            raise RuntimeError("broken record")
        return real(name, supplier, deadline, today)

    monkeypatch.setattr(reminders, "_context", failing)
    assert reminders.send_reminders(today=TODAY) == 1
    assert Licence.objects.get(pk=fine.pk).reminded_for == fine.expiry_date
    assert Licence.objects.get(pk=broken.pk).reminded_for is None  # rolled back: tried again next run
    monkeypatch.setattr(reminders, "_context", real)
    assert reminders.send_reminders(today=TODAY) == 1
    assert len(_mails("licence_expiring")) == 2


def test_the_periodic_job_is_registered() -> None:
    from beheer.cmdb import periodic

    assert periodic.send_reminders() == 0
    assert timezone.now()  # the job ran on today's date without any record
