"""One bad check never stops the monitor: a real HTTP target on 127.0.0.1, good checks next to a
check whose outage melding the servicedesk refuses and a check deleted while it is probed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from beheer.accounts.models import OperatorGroup
from beheer.monitoring import services
from beheer.monitoring.engine import Monitor
from beheer.monitoring.models import Check, CheckResult, CheckState
from beheer.servicedesk.models import Melding
from tests.helpers import client_for, restore_default_configuration

from .test_engine import LOOPBACK, T0, Target, due_now, make, run_at


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    yield server
    server.stop()


def _refusal() -> str:
    """The servicedesk's refusal, as the monitor stores it: in the installation's language."""
    with translation.override("nl"):
        return translation.gettext(
            "A first-line call goes to a first-line group; escalate it to reach the second line."
        )


def _second_line_group() -> OperatorGroup:
    return OperatorGroup.objects.create(name="Netwerkbeheer", is_first_line=False, is_second_line=True)


@pytest.mark.django_db(transaction=True)
def test_a_check_whose_melding_is_refused_does_not_stop_the_others(target, operator, first_line):
    restore_default_configuration()
    desk = first_line
    good_up = make("Website", "http", target.url("/ok"))
    good_down = make("Intranet", "http", target.url("/down"), max_attempts=1, operator_group=desk)
    # saved before the rule existed (or through the database): the servicedesk refuses to open a
    # first-line melding for a second-line group
    bad = make("Router", "http", target.url("/down"), max_attempts=1, operator_group=_second_line_group())
    monitor = Monitor(policy=LOOPBACK, owner="test-monitor")
    for check in (good_up, good_down, bad):
        due_now(check, T0)
    assert run_at(monitor, T0) == 3
    assert monitor.outcomes == []  # nothing is left behind to be retried

    results = {r.check_obj_id: r for r in CheckResult.objects.all()}
    assert results[good_up.pk].ok
    assert not results[good_down.pk].ok
    assert not results[bad.pk].ok  # the bad check's own result is kept too
    melding = Melding.objects.get()  # the good outage opened its melding
    assert melding.operator_group == desk
    states = {s.pk: s for s in CheckState.objects.all()}
    assert states[good_down.pk].melding_id == melding.pk
    for check in (good_up, good_down, bad):
        assert states[check.pk].last_result_at is not None
        assert states[check.pk].lease_owner == ""
    assert states[good_up.pk].error == ""
    assert states[good_down.pk].error == ""
    bad_state = states[bad.pk]
    assert bad_state.hard_status == "down"
    assert bad_state.melding_id is None
    assert bad_state.error == _refusal()
    assert bad_state.error_at == T0

    # the error is where people look: the check's page, the overview and the API
    page = client_for(operator).get(reverse("monitoring:check-detail", args=[bad.pk])).content.decode()
    assert _refusal() in page
    assert "data-check-error" in page
    overview = client_for(operator).get(reverse("monitoring:overview")).content.decode()
    assert f'data-check-error="{bad.pk}"' in overview
    assert f'data-check-error="{good_up.pk}"' not in overview
    listed = {c["id"]: c for c in client_for(operator).get("/api/v1/monitoring/checks").json()["items"]}
    assert listed[bad.pk]["error"] == _refusal()
    assert listed[good_up.pk]["error"] == ""
    detail = client_for(operator).get(f"/api/v1/monitoring/checks/{bad.pk}").json()
    assert detail["error"] == _refusal()
    assert detail["error_at"]

    # the next round: the good checks go on, the bad one keeps trying (and keeps its error)
    later = T0 + timedelta(seconds=60)
    for check in (good_up, good_down, bad):
        due_now(check, later)
    assert run_at(monitor, later) == 3
    assert CheckResult.objects.filter(check_obj=good_up).count() == 2
    assert CheckResult.objects.filter(check_obj=bad).count() == 2
    assert CheckState.objects.get(pk=bad.pk).error

    # fixed: the next failure opens the melding and clears the error
    Check.objects.filter(pk=bad.pk).update(operator_group=desk, version=bad.version + 1)
    again = later + timedelta(seconds=60)
    due_now(bad, again)
    assert run_at(monitor, again) == 3  # all three are due again
    fixed = CheckState.objects.get(pk=bad.pk)
    assert fixed.error == ""
    assert fixed.error_at is None
    assert fixed.melding is not None
    assert fixed.melding.operator_group == desk


@pytest.mark.django_db(transaction=True)
def test_a_check_deleted_while_it_is_probed_is_dropped_and_the_others_are_recorded(target, operator):
    restore_default_configuration()
    keep = make("Website", "http", target.url("/ok"))
    doomed = make("Old server", "http", target.url("/ok"))
    monitor = Monitor(policy=LOOPBACK, owner="test-monitor")
    for check in (keep, doomed):
        due_now(check, T0)
    monitor.now = lambda: T0

    async def claim_delete_record() -> None:
        async with monitor.session() as session:
            assert await monitor.claim(session, lookahead=timedelta(0), ensure=True) == 2
            # deleted while its probe runs (a person on the check screens)
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: services.delete_check(doomed, actor=operator)
            )
            await asyncio.gather(*monitor.in_flight, return_exceptions=True)
            await monitor.flush()

    asyncio.run(claim_delete_record())
    assert monitor.outcomes == []  # the deleted check's result is dropped, not retried
    assert not Check.objects.filter(pk=doomed.pk).exists()
    assert list(CheckResult.objects.values_list("check_obj_id", flat=True)) == [keep.pk]
    # and what comes after is recorded at once
    later = T0 + timedelta(seconds=60)
    due_now(keep, later)
    assert run_at(monitor, later) == 1
    assert CheckResult.objects.filter(check_obj=keep).count() == 2
    assert CheckState.objects.get(pk=keep.pk).last_result_at == later


@pytest.mark.django_db
def test_a_batch_that_fails_is_recorded_check_by_check():
    """The fallback: the batch's transaction failed, so each check is recorded in a savepoint; a
    result that cannot be stored at all (a negative latency, refused by the column's CHECK
    constraint) costs only its own check."""
    from beheer.monitoring.services import recording

    restore_default_configuration()
    checks = [make(f"c{i}", "tcp", "127.0.0.1:1", interval_seconds=60) for i in range(3)]
    for check in checks:
        due_now(check, T0)
    CheckState.objects.update(lease_owner="m", lease_until=T0 + timedelta(minutes=2))
    outcomes = [services.Outcome(c.pk, True, T0, 5, "", T0) for c in checks]
    outcomes[1] = services.Outcome(checks[1].pk, True, T0, -5, "", T0)
    report = recording.record_batch(outcomes, owner="m", now=T0)
    assert report.recorded == 2
    assert set(report.failed) == {checks[1].pk}
    assert set(CheckResult.objects.values_list("check_obj_id", flat=True)) == {checks[0].pk, checks[2].pk}
    failed = CheckState.objects.get(pk=checks[1].pk)
    assert failed.error
    assert failed.error_at == T0
    assert failed.lease_owner == ""  # released: probed again at its next due time
    assert failed.next_due_at == T0 + timedelta(seconds=60)
