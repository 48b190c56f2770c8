"""The monitor's state rows: one bad check or state row never stops the bootstrap or the claims."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from typing import Any

import pytest

from beheer.core import loops
from beheer.monitoring import services
from beheer.monitoring.engine import Monitor
from beheer.monitoring.models import Check, CheckResult, CheckState
from beheer.monitoring.services import claims

from .test_engine import LOOPBACK, T0, make, run_at


def _closed_port() -> int:
    with socket.socket() as s:  # a port nobody listens on: the probe fails at once
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_a_check_deleted_between_the_read_and_the_insert_costs_only_its_own_state_row(monkeypatch):
    kept = [make(f"c{i}", "tcp", "127.0.0.1:9") for i in range(3)]
    doomed = make("old", "tcp", "127.0.0.1:9")
    real = claims._missing_states

    def read_then_delete() -> list[tuple[int, int]]:
        missing = real()
        Check.objects.filter(pk=doomed.pk).delete()  # a person deletes the check meanwhile
        return missing

    monkeypatch.setattr(claims, "_missing_states", read_then_delete)
    assert services.ensure_check_states(now=T0) == 3
    states = {s.pk: s for s in CheckState.objects.all()}
    assert sorted(states) == sorted(c.pk for c in kept)
    for check in kept:
        assert states[check.pk].next_due_at == T0 + timedelta(
            seconds=services.phase_offset(check.pk, check.interval_seconds)
        )


@pytest.mark.django_db
def test_a_check_whose_first_due_time_cannot_be_computed_is_left_out(monkeypatch):
    good, bad = make("good", "tcp", "127.0.0.1:9"), make("bad", "tcp", "127.0.0.1:9")
    real = claims.phase_offset

    def offset(check_id: int, interval: int) -> int:
        if check_id == bad.pk:
            raise OverflowError("a check whose data breaks the arithmetic")
        return real(check_id, interval)

    monkeypatch.setattr(claims, "phase_offset", offset)
    failures, token = loops.collect()
    try:
        services.ensure_check_states(now=T0)
    finally:
        loops.stop_collecting(token)
    assert list(CheckState.objects.values_list("pk", flat=True)) == [good.pk]
    assert [(f.kind, f.key, f.error) for f in failures.items] == [
        ("check", bad.pk, "OverflowError: a check whose data breaks the arithmetic")
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        ("status", "oops", "ValueError: 'oops' is not a valid Status"),
        ("recent", 5, "TypeError: 'int' object is not iterable"),
    ],
)
def test_a_broken_state_row_is_set_aside_and_the_other_checks_are_probed(column: str, value: Any, error: str):
    port = _closed_port()
    good = make("good", "tcp", f"127.0.0.1:{port}", timeout_seconds=2)
    broken = make("broken", "tcp", f"127.0.0.1:{port}", timeout_seconds=2)
    services.ensure_check_states(now=T0)
    CheckState.objects.update(next_due_at=T0)
    CheckState.objects.filter(pk=broken.pk).update(**{column: value})  # written past the services

    monitor = Monitor(policy=LOOPBACK, owner="test-monitor")
    assert run_at(monitor, T0) == 1  # the good check was probed and recorded
    assert CheckResult.objects.filter(check_obj=good).count() == 1
    assert not CheckResult.objects.filter(check_obj=broken).exists()
    state = CheckState.objects.get(pk=broken.pk)
    assert state.error == error  # where people see it: the check's page, the overview and the API
    assert state.error_at == T0
    assert state.lease_owner == ""
    assert state.next_due_at == T0 + services.SET_ASIDE
    assert CheckState.objects.get(pk=good.pk).error == ""

    # set aside: not claimed again at once, so it cannot crowd out the others
    later: datetime = T0 + timedelta(seconds=60)
    CheckState.objects.filter(pk=good.pk).update(next_due_at=later)
    assert run_at(monitor, later) == 1
    assert CheckResult.objects.filter(check_obj=good).count() == 2
    assert CheckState.objects.get(pk=broken.pk).next_due_at == T0 + services.SET_ASIDE
