"""Roll-ups: buckets agree with the interval computation, the job is idempotent, periods decompose."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django import db
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from beheer.core import clock
from beheer.monitoring import rollups
from beheer.monitoring.availability import Span, availability
from beheer.monitoring.models import Check, CheckResult, CheckRollup, MaintenanceWindow, RollupProgress
from beheer.monitoring.queries import hold, period_totals
from beheer.monitoring.rollups import MINUTE, Totals, decompose, distribute, spans_from_results
from beheer.monitoring.services import roll_up

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AMS = ZoneInfo("Europe/Amsterdam")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@st.composite
def histories(draw: Any) -> tuple[list[tuple[datetime, bool]], list[tuple[datetime, datetime]]]:
    """Results at random moments (seconds, with gaps longer than the hold) and maintenance."""
    moments = sorted(set(draw(st.lists(st.floats(0, 3 * 3600, allow_nan=False), max_size=40))))
    results = [(at(round(m, 3)), draw(st.booleans())) for m in moments]
    windows = [
        (at(s), at(s + d))
        for s, d in draw(st.lists(st.tuples(st.integers(0, 3 * 3600), st.integers(1, 1800)), max_size=3))
    ]
    return results, windows


@settings(max_examples=150, deadline=None)
@given(histories(), st.integers(0, 180), st.integers(1, 200))
def test_minute_buckets_sum_to_the_interval_availability(history, first, length):
    results, windows = history
    spans = spans_from_results(results, hold=timedelta(seconds=300), until=at(4 * 3600))
    start = T0 + first * MINUTE
    end = start + length * MINUTE
    buckets = distribute(spans, windows, start=start, end=end, step=MINUTE)
    total = Totals()
    for b in buckets:
        total.add(b)
        assert b.up + b.down + b.maintenance + b.unknown == pytest.approx(60)
    expected = availability(spans, start=start, end=end, maintenance=windows)
    assert total.up == pytest.approx(expected.up.total_seconds(), abs=1e-6)
    assert total.down == pytest.approx(expected.down.total_seconds(), abs=1e-6)
    assert total.maintenance == pytest.approx(expected.maintenance.total_seconds(), abs=1e-6)
    if expected.percent is None:
        assert total.percent is None
    else:
        assert total.percent == pytest.approx(expected.percent, abs=0.01)


def test_a_result_holds_until_the_next_or_until_it_is_stale():
    spans = spans_from_results(
        [(at(0), True), (at(60), True), (at(120), False), (at(1000), True)],
        hold=timedelta(seconds=300),
        until=at(1100),
    )
    assert spans == [
        Span(at(0), at(120), True),  # two equal results make one span
        Span(at(120), at(420), False),  # stale after 300 s: 420-1000 unknown
        Span(at(1000), at(1100), True),
    ]
    buckets = distribute(spans, [], start=T0, end=T0 + 20 * MINUTE, step=MINUTE)
    assert sum(b.outages for b in buckets) == 1
    assert buckets[2].outages == 1


def test_the_latency_percentile_comes_from_the_histogram():
    t = Totals()
    for ms in [20] * 94 + [40, 400, 900, 950, 2500, 9000]:
        t.add_latency(ms)
    assert t.latency_count == 100
    assert t.latency_max == 9000
    assert t.latency_p95 == 50  # the 95th value (40 ms) lies in the 25-50 ms bin
    assert Totals().latency_p95 is None


def test_a_period_decomposes_into_days_hours_and_minutes():
    start = datetime(2026, 10, 24, 21, 37, tzinfo=UTC)  # 23:37 local
    end = datetime(2026, 10, 26, 2, 5, tzinfo=UTC)  # the day of the DST change lies in between
    pieces = decompose(start, end, AMS)
    assert (
        "day",
        datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
    ) in pieces
    assert ("minute", start, datetime(2026, 10, 24, 22, 0, tzinfo=UTC)) in pieces
    assert (
        "hour",
        datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
        datetime(2026, 10, 26, 2, 0, tzinfo=UTC),
    ) in pieces
    assert ("minute", datetime(2026, 10, 26, 2, 0, tzinfo=UTC), end) in pieces
    covered = sum(((e - s) for _b, s, e in pieces), timedelta(0))
    assert covered == end - start
    # minute buckets that are gone: the edge widens to the enclosing hour
    old = decompose(start, end, AMS, minutes_since=end + timedelta(days=1))
    assert (
        "hour",
        datetime(2026, 10, 24, 21, 0, tzinfo=UTC),
        datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
    ) in old


# --------------------------------------------------------------------------------------------------
# the job


@pytest.fixture
def web(db: Any) -> Check:
    return Check.objects.create(
        name="web",
        kind="http",
        target="https://x.example/",
        interval_seconds=60,
        timeout_seconds=10,
        created_at=T0,
    )


def _rows() -> list[tuple[Any, ...]]:
    return sorted(
        CheckRollup.objects.values_list(
            "check_obj_id",
            "bucket",
            "start",
            "end",
            "up_seconds",
            "down_seconds",
            "maintenance_seconds",
            "unknown_seconds",
            "outages",
            "latency_count",
            "latency_sum",
            "latency_max",
            "closed",
        )
    )


def _feed(check: Check, pattern: list[bool], every: int = 60, latency: int = 120) -> None:
    CheckResult.objects.bulk_create(
        CheckResult(check_obj=check, at=at(i * every), ok=ok, latency_ms=latency if ok else None)
        for i, ok in enumerate(pattern)
    )


def test_running_the_job_twice_gives_the_same_rows(web):
    _feed(web, [True] * 30 + [False] * 5 + [True] * 30)
    now = at(65 * 60)
    roll_up(now=now)
    first = _rows()
    roll_up(now=now)
    assert _rows() == first
    minutes = [r for r in first if r[1] == "minute"]
    assert len(minutes) == 65
    assert sum(r[5] for r in minutes) == pytest.approx(5 * 60)
    assert sum(r[8] for r in minutes) == 1
    assert all(r[12] for r in minutes if r[3] <= now - timedelta(minutes=2))
    assert not any(r[12] for r in minutes if r[3] > now - timedelta(minutes=2))
    hours = [r for r in first if r[1] == "hour"]
    assert sum(r[5] for r in hours) == pytest.approx(5 * 60)
    days = [r for r in first if r[1] == "day"]
    assert len(days) == 1
    assert days[0][4] == pytest.approx(sum(r[4] for r in minutes))
    assert RollupProgress.objects.get().closed_until == now - timedelta(minutes=2)


def test_one_check_whose_arithmetic_fails_does_not_stop_the_roll_up(web, monkeypatch):
    from beheer.monitoring.services import rollup
    from tests.helpers import run_job

    bad = Check.objects.create(name="bad", kind="http", target="https://y.example/", created_at=T0)
    _feed(bad, [True] * 10)
    _feed(web, [True] * 10)
    real = rollup._maintenance

    def maintenance(check: Check, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        if check.pk == bad.pk:
            raise ValueError("a check whose data breaks the arithmetic")
        return real(check, start, end)

    monkeypatch.setattr(rollup, "_maintenance", maintenance)
    with clock.frozen(at(10 * 60)):
        run = run_job("monitoring.roll_up")
    assert CheckRollup.objects.filter(check_obj=web, bucket="minute").count() == 10
    assert not CheckRollup.objects.filter(check_obj=bad).exists()
    assert run.failed_items == 1
    assert run.last_error == f"check {bad.pk}: ValueError: a check whose data breaks the arithmetic"


def _doomed(web: Check) -> Check:
    doomed = Check.objects.create(name="old", kind="http", target="https://z.example/", created_at=T0)
    _feed(doomed, [False] * 10)
    _feed(web, [True] * 10)
    return doomed


@pytest.mark.django_db(transaction=True)
def test_a_check_deleted_while_the_roll_up_reads_loses_only_its_own_buckets(web, monkeypatch):
    from beheer.monitoring.services import rollup
    from tests.helpers import run_job

    doomed = _doomed(web)
    real = rollup._minute_rows

    def read_then_delete(*args: Any) -> list[CheckRollup]:
        rows = real(*args)
        Check.objects.filter(pk=doomed.pk).delete()  # a person deletes the check meanwhile
        return rows

    monkeypatch.setattr(rollup, "_minute_rows", read_then_delete)
    with clock.frozen(at(10 * 60)):
        run = run_job("monitoring.roll_up")
    assert run.failed_items == 0  # a deleted check is no failure
    assert not run.last_error
    assert CheckRollup.objects.filter(check_obj=web, bucket="minute").count() == 10
    hour = CheckRollup.objects.get(check_obj=web, bucket="hour")
    assert hour.up_seconds == pytest.approx(10 * 60)
    assert CheckRollup.objects.filter(check_obj=web, bucket="day").exists()
    assert not CheckRollup.objects.filter(check_obj_id=doomed.pk).exists()
    assert RollupProgress.objects.get().closed_until == at(8 * 60)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's IMMEDIATE transaction keeps other writers out between the look and the insert",
)
@pytest.mark.django_db(transaction=True)
def test_a_check_deleted_between_the_look_and_the_insert_is_looked_at_again(web, monkeypatch):
    doomed = _doomed(web)
    real = CheckRollup.objects.bulk_create
    calls: list[int] = []

    def delete_elsewhere() -> None:  # a person on the check screens, committed at once
        try:
            Check.objects.filter(pk=doomed.pk).delete()
        finally:
            db.connection.close()

    def delete_then_insert(rows: Any, **kwargs: Any) -> Any:
        calls.append(len(rows))
        if len(calls) == 1:  # deleted after the existence look: the insert fails, not the commit
            other = threading.Thread(target=delete_elsewhere)
            other.start()
            other.join(30)
        return real(rows, **kwargs)

    monkeypatch.setattr(CheckRollup.objects, "bulk_create", delete_then_insert)
    assert roll_up(now=at(10 * 60)) == 10
    assert calls == [20, 10, 1, 1]  # the minutes twice (with and without the deleted check)
    assert CheckRollup.objects.filter(check_obj=web, bucket="minute").count() == 10
    assert not CheckRollup.objects.filter(check_obj_id=doomed.pk).exists()


def test_a_broken_stored_bucket_is_left_out_and_the_others_are_summed(web, monkeypatch):
    from tests.helpers import run_job

    bad = Check.objects.create(name="bad", kind="http", target="https://y.example/", created_at=T0)
    _feed(bad, [True] * 12)
    _feed(web, [True] * 12)
    roll_up(now=at(10 * 60))  # minutes up to 09:08 are closed and never written again
    broken = CheckRollup.objects.get(check_obj=bad, bucket="minute", start=at(3 * 60))
    assert broken.closed
    CheckRollup.objects.filter(pk=broken.pk).update(latency_histogram=["broken"])
    with clock.frozen(at(12 * 60)):
        run = run_job("monitoring.roll_up")
    assert run.failed_items == 1
    assert run.last_error.startswith(f"check {bad.pk}: TypeError")
    minutes = {c.pk: CheckRollup.objects.filter(check_obj=c, bucket="minute") for c in (web, bad)}
    for check in (web, bad):
        hour = CheckRollup.objects.get(check_obj=check, bucket="hour")
        summed = [m for m in minutes[check.pk] if m.pk != broken.pk]
        assert hour.up_seconds == pytest.approx(sum(m.up_seconds for m in summed))
        assert hour.latency_count == sum(m.latency_count for m in summed)
        day = CheckRollup.objects.get(check_obj=check, bucket="day")
        assert day.up_seconds == pytest.approx(hour.up_seconds)
    assert CheckRollup.objects.get(check_obj=bad, bucket="hour").up_seconds == pytest.approx(11 * 60)
    assert RollupProgress.objects.get().closed_until == at(10 * 60)


def test_closed_buckets_stay_and_open_buckets_follow_new_results(web):
    _feed(web, [True] * 10)
    roll_up(now=at(10 * 60))
    closed = [r for r in _rows() if r[1] == "minute" and r[12]]
    CheckResult.objects.create(check_obj=web, at=at(10 * 60), ok=False)
    roll_up(now=at(12 * 60))
    after = _rows()
    assert all(r in after for r in closed)
    assert sum(r[5] for r in after if r[1] == "minute") == pytest.approx(120)


def test_maintenance_is_left_out_of_the_buckets(web):
    _feed(web, [False] * 30)
    window = MaintenanceWindow.objects.create(name="w", start=at(600), duration_minutes=10, time_zone="UTC")
    window.checks.add(web)
    roll_up(now=at(30 * 60))
    minutes = CheckRollup.objects.filter(bucket="minute")
    assert sum(r.maintenance_seconds for r in minutes) == pytest.approx(600)
    assert sum(r.down_seconds for r in minutes) == pytest.approx(20 * 60)


class TestRollupAgreesWithIntervals(HypothesisTestCase):
    """Through the job and the period query, against the pure computation on the raw results."""

    def _agree(self, steps, first, length, window, scale):
        check = Check.objects.create(
            name="c", kind="tcp", target="x:1", interval_seconds=60 * scale, created_at=T0
        )
        if window is not None:
            w = MaintenanceWindow.objects.create(
                name="w",
                start=at(window[0] * scale * 60),
                duration_minutes=window[1] * scale,
                time_zone="UTC",
            )
            w.checks.add(check)
        moment, results = 0.0, []
        for gap, ok in steps:
            results.append((at(moment), ok))
            moment += gap * scale + 0.25
        CheckResult.objects.bulk_create(CheckResult(check_obj=check, at=a, ok=ok) for a, ok in results)
        now = at(moment + 60)
        horizon = rollups.floor_to(now, MINUTE)
        roll_up(now=now)
        while RollupProgress.objects.get().closed_until < horizon - 2 * MINUTE:
            roll_up(now=now)  # a day of history per run
        start = T0 + first * scale * MINUTE
        end = min(start + length * scale * MINUTE, horizon)
        if end <= start:
            return
        spans = spans_from_results(results, hold=hold(check), until=now)
        maintenance = (
            [(at(window[0] * scale * 60), at((window[0] + window[1]) * scale * 60))]
            if window is not None
            else []
        )
        expected = availability(spans, start=start, end=end, maintenance=maintenance).percent
        with clock.frozen(now):
            got = period_totals([check.pk], start, end)[check.pk].percent
        if expected is None:
            assert got is None
        else:
            assert got == pytest.approx(expected, abs=0.01)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(st.tuples(st.integers(5, 400), st.booleans()), min_size=1, max_size=40),
        st.integers(0, 120),
        st.integers(1, 240),
        st.none() | st.tuples(st.integers(0, 200), st.integers(1, 60)),
    )
    def test_period_availability_from_rollups(self, steps, first, length, window):
        self._agree(steps, first, length, window, scale=1)

    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(st.tuples(st.integers(5, 400), st.booleans()), min_size=1, max_size=25),
        st.integers(0, 120),
        st.integers(1, 240),
        st.none() | st.tuples(st.integers(0, 200), st.integers(1, 60)),
    )
    def test_periods_over_several_local_days(self, steps, first, length, window):
        """Gaps and periods 30 times longer: whole local days, hours and minutes in one period."""
        self._agree(steps, first, length, window, scale=30)
