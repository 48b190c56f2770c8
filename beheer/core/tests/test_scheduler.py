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


@pytest.mark.django_db
def test_a_raising_job_is_recorded_with_its_time_and_count_and_the_next_job_still_runs(jobs):
    ran = []

    def broken() -> None:
        raise RuntimeError("disk full")

    scheduler.periodic(every=timedelta(minutes=1), name="a.broken")(broken)
    scheduler.periodic(every=timedelta(minutes=1), name="b.fine")(lambda: ran.append(1))
    now = timezone.now()
    for minute in range(3):
        scheduler.run_due_jobs(now=now + timedelta(minutes=minute))
    assert ran == [1, 1, 1]
    failed = ScheduledRun.objects.get(name="a.broken")
    assert failed.last_error == "RuntimeError: disk full"
    assert failed.error_count == 3
    assert failed.last_error_at is not None
    assert failed.last_error_at >= now
    fine = ScheduledRun.objects.get(name="b.fine")
    assert (fine.last_error, fine.error_count, fine.last_error_at) == ("", 0, None)
    # repaired: the next clean run clears the error and the count, and keeps when it last failed
    jobs["a.broken"] = scheduler.Job("a.broken", timedelta(minutes=1), lambda: None)
    scheduler.run_due_jobs(now=now + timedelta(minutes=3))
    repaired = ScheduledRun.objects.get(name="a.broken")
    assert (repaired.last_error, repaired.error_count) == ("", 0)
    assert repaired.last_error_at == failed.last_error_at


@pytest.mark.django_db
def test_an_item_that_fails_is_rolled_back_alone_and_recorded_on_its_job(jobs, first_line):
    from beheer.accounts.models import OperatorGroup
    from beheer.core.loops import isolated

    def deactivate_groups() -> None:
        for pk in OperatorGroup.objects.order_by("pk").values_list("pk", flat=True):
            with isolated("operator group", pk):
                OperatorGroup.objects.filter(pk=pk).update(active=False)
                if pk == poisoned.pk:
                    raise ValueError("bad row")

    poisoned = OperatorGroup.objects.create(name="Poisoned", is_first_line=True)
    last = OperatorGroup.objects.create(name="Last", is_first_line=True)
    scheduler.periodic(every=timedelta(minutes=1), name="deactivate")(deactivate_groups)
    assert scheduler.run_due_jobs() == ["deactivate"]
    active = dict(OperatorGroup.objects.values_list("pk", "active"))
    assert active[first_line.pk] is False
    assert active[last.pk] is False
    assert active[poisoned.pk] is True  # its own change was rolled back
    run = ScheduledRun.objects.get(name="deactivate")
    assert run.failed_items == 1
    assert run.error_count == 1
    assert run.last_error == f"operator group {poisoned.pk}: ValueError: bad row"


@pytest.mark.django_db
def test_administrators_see_which_background_job_fails(jobs, administrator, operator):
    from tests.helpers import client_for

    def broken() -> None:
        raise RuntimeError("disk full")

    scheduler.periodic(every=timedelta(minutes=1), name="reports.run_due_reports")(broken)
    scheduler.run_due_jobs()
    admin_client = client_for(administrator)
    page = admin_client.get("/", follow=True).content.decode()
    assert 'data-banner="jobs"' in page
    assert "reports.run_due_reports" in page
    assert 'data-banner="jobs"' not in client_for(operator).get("/", follow=True).content.decode()
    listing = admin_client.get("/beheer-admin/core/scheduledrun/")
    assert listing.status_code == 200
    assert "disk full" in listing.content.decode()
    assert client_for(operator).get("/beheer-admin/core/scheduledrun/").status_code in (302, 403)
    assert admin_client.post("/beheer-admin/core/scheduledrun/add/", {}).status_code == 403
