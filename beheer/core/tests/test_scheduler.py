from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from beheer.core import scheduler
from beheer.core.models import ProcessHeartbeat, ScheduledRun


@pytest.fixture
def jobs(monkeypatch):
    registry: dict[str, scheduler.Job] = {}
    monkeypatch.setattr(scheduler, "JOBS", registry)
    return registry


@pytest.mark.django_db
def test_a_due_job_runs_once_per_interval_however_often_workers_poll(jobs):
    calls = []
    scheduler.periodic(every=timedelta(minutes=5), name="count")(lambda: calls.append(1))
    now = timezone.now()
    assert scheduler.run_due_jobs(now=now) == ["count"]
    assert scheduler.run_due_jobs(now=now + timedelta(minutes=1)) == []
    assert scheduler.run_due_jobs(now=now + timedelta(minutes=4, seconds=59)) == []
    assert scheduler.run_due_jobs(now=now + timedelta(minutes=5)) == ["count"]
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_failing_job_records_its_error_and_does_not_stop_the_others(jobs):
    ran = []

    def broken() -> None:
        raise RuntimeError("disk full")

    scheduler.periodic(every=timedelta(minutes=1), name="broken")(broken)
    scheduler.periodic(every=timedelta(minutes=1), name="fine")(lambda: ran.append(1))
    assert sorted(scheduler.run_due_jobs()) == ["broken", "fine"]
    assert ran == [1]
    assert "disk full" in ScheduledRun.objects.get(name="broken").last_error
    assert ScheduledRun.objects.get(name="fine").last_error == ""


@pytest.mark.django_db
def test_claiming_is_exclusive(jobs):
    job = scheduler.Job("exclusive", timedelta(minutes=1), lambda: None)
    now = timezone.now()
    assert scheduler.claim(job, now=now) is True
    assert scheduler.claim(job, now=now) is False


@pytest.mark.django_db
def test_heartbeats_tell_which_processes_are_missing():
    assert scheduler.missing_processes(kinds=("worker",)) == ["worker"]
    scheduler.beat("worker", started_at=timezone.now())
    assert scheduler.missing_processes(kinds=("worker",)) == []
    ProcessHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=10))
    assert scheduler.missing_processes(kinds=("worker",)) == ["worker"]


def test_the_servicedesk_registers_its_periodic_jobs():
    scheduler.autodiscover()
    assert "servicedesk.auto_close_resolved" in scheduler.JOBS
