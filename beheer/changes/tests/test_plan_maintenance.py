"""An approved change's planned window suppresses the monitoring of its CIs during the window and
not outside it (the monitor's own recording path), follows the window and the CIs, and goes away
when the change is cancelled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from beheer.accounts.models import User
from beheer.changes import services
from beheer.changes.models import Change, ChangeApproval, ChangePlan
from beheer.cmdb.models import ConfigurationItem
from beheer.core import clock
from beheer.monitoring import services as monitoring
from beheer.monitoring.models import Check, CheckResult, CheckState, MaintenanceWindow
from beheer.servicedesk.models import Melding

from .helpers import assessed, cab, fresh, make_change, make_ci, move

pytestmark = pytest.mark.django_db
START = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)
END = START + timedelta(hours=3)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"), clock.frozen(START - timedelta(days=2)):
        yield


def check_on(actor: User, ci: ConfigurationItem, name: str) -> Check:
    data = monitoring.CheckData(name=name, kind="tcp", target=f"{name}.school.nl:443", max_attempts=1, ci=ci)
    return monitoring.create_check(actor=actor, data=data)


def approved_with_window(operator: User, coordinator: User, cis: list[ConfigurationItem]) -> Change:
    cab([coordinator])
    change = assessed(operator, make_change(operator, cis=cis))
    data = services.ChangeData(
        title=change.title,
        kind=change.kind,
        likelihood=change.likelihood,
        impact=change.impact,
        rollback_plan=change.rollback_plan,
        planned_start=START,
        planned_end=END,
    )
    change = services.update_change(change, actor=operator, data=data, expected_version=change.version)
    change = move(operator, change, "approval")
    assert not MaintenanceWindow.objects.exists()  # not approved yet
    services.decide_approval(ChangeApproval.objects.get(change=change), actor=coordinator, approve=True)
    return fresh(change)


def probe_fails(check: Check, at: datetime) -> CheckResult:
    """A failing probe at `at`, recorded the way the monitor records its batches."""
    monitoring.ensure_check_states(now=at)
    CheckState.objects.filter(pk=check.pk).update(next_due_at=at)
    stored = monitoring.record_results(
        [monitoring.Outcome(check.pk, False, at, None, "refused")], owner="monitor-1", now=at
    )
    assert stored == 1
    return CheckResult.objects.filter(check_obj=check).order_by("-at", "-id").first()  # type: ignore[return-value]


def test_an_approved_change_silences_the_checks_of_its_cis_only_during_its_window(
    operator: User, coordinator: User
) -> None:
    switch = make_ci(operator, "sw-core-1", "switch")
    elsewhere = make_ci(operator, "fs01", "server")
    on_switch = check_on(operator, switch, "sw-core-1-ping")
    other = check_on(operator, elsewhere, "fs01-ping")
    change = approved_with_window(operator, coordinator, [switch])
    window = MaintenanceWindow.objects.get()
    assert window.name.startswith(change.number)
    assert list(window.cis.all()) == [switch]
    assert ChangePlan.objects.get(change=change).maintenance_window == window

    inside = START + timedelta(hours=1)
    assert probe_fails(on_switch, inside).in_maintenance
    assert not probe_fails(other, inside).in_maintenance
    assert Melding.objects.count() == 1  # only the check outside the window opened a call
    before = START - timedelta(hours=1)
    after = END + timedelta(minutes=5)
    assert not monitoring.in_maintenance(on_switch, before)
    assert not monitoring.in_maintenance(on_switch, after)
    assert monitoring.in_maintenance(on_switch, inside)


def test_the_window_follows_the_change_and_goes_when_it_is_cancelled(
    operator: User, coordinator: User
) -> None:
    switch = make_ci(operator, "sw-2", "switch")
    server = make_ci(operator, "hv02", "server")
    check = check_on(operator, server, "hv02-ping")
    change = approved_with_window(operator, coordinator, [switch])
    assert not monitoring.in_maintenance(check, START + timedelta(minutes=10))
    services.add_change_ci(fresh(change), actor=operator, ci=server)
    assert monitoring.in_maintenance(check, START + timedelta(minutes=10))
    change = fresh(change)
    data = services.ChangeData(
        title=change.title,
        kind=change.kind,
        likelihood=change.likelihood,
        impact=change.impact,
        rollback_plan=change.rollback_plan,
        planned_start=START + timedelta(days=1),
        planned_end=END + timedelta(days=1),
    )
    services.update_change(change, actor=operator, data=data, expected_version=change.version)
    assert not monitoring.in_maintenance(check, START + timedelta(minutes=10))
    assert monitoring.in_maintenance(check, START + timedelta(days=1, minutes=10))
    assert MaintenanceWindow.objects.count() == 1
    change = fresh(change)
    services.cancel_change(change, actor=operator, expected_version=change.version)
    assert not MaintenanceWindow.objects.exists()
    assert not monitoring.in_maintenance(check, START + timedelta(days=1, minutes=10))
