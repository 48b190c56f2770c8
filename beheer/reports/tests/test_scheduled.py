"""Scheduled reports: scheduling, claiming, idempotent runs, downloads and their permissions."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.core import clock
from beheer.core.errors import DomainError, PermissionDenied
from beheer.notifications.models import OutgoingMessage
from beheer.reports import services
from beheer.reports.models import ReportRun, RunStatus, ScheduledReport
from tests.helpers import client_for as _client_for
from tests.helpers import make_person

from .test_kpis import Month, build_month


def client_for(user: User) -> Client:
    """A logged-in client that reads English."""
    User.objects.filter(pk=user.pk).update(language="en")
    user.refresh_from_db()
    return _client_for(user)


AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def month(
    operator: User, specialist: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> Month:
    return build_month(operator, specialist, caller, first_line, second_line)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _schedule(user: User, when: datetime, frequency: str = "monthly", **filters: Any) -> ScheduledReport:
    with clock.frozen(when):
        return services.schedule_report(actor=user, name="Maandrapport", frequency=frequency, filters=filters)


def test_next_run_and_period() -> None:
    wed = datetime(2026, 10, 14, 12, tzinfo=AMS)
    assert services.next_run("weekly", wed) == datetime(2026, 10, 19, 6, tzinfo=AMS)
    assert services.next_run("monthly", wed) == datetime(2026, 11, 1, 6, tzinfo=AMS)
    assert services.next_run("monthly", datetime(2026, 12, 1, 7, tzinfo=AMS)) == datetime(
        2027, 1, 1, 6, tzinfo=AMS
    )
    from datetime import date

    assert services.period_for("weekly", datetime(2026, 10, 19, 6, tzinfo=AMS)) == (
        date(2026, 10, 12),
        date(2026, 10, 18),
    )
    assert services.period_for("monthly", datetime(2026, 11, 1, 6, tzinfo=AMS)) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
    )


def test_only_coordinators_schedule(db: Any) -> None:
    with pytest.raises(PermissionDenied):
        _schedule(make_person(Role.OPERATOR), datetime(2026, 10, 14, tzinfo=AMS))
    coordinator = make_person(Role.COORDINATOR)
    with pytest.raises(DomainError):
        services.schedule_report(actor=coordinator, name="x", frequency="daily", filters={})
    with pytest.raises(DomainError):
        services.schedule_report(actor=coordinator, name="x", frequency="weekly", filters={"colour": 1})


def test_run_twice_makes_one_run_and_advances(month: Month, coordinator: User) -> None:
    User.objects.filter(pk=coordinator.pk).update(language="en")
    coordinator.refresh_from_db()
    s = _schedule(coordinator, datetime(2026, 10, 14, tzinfo=AMS), operator_group=month.first_line.pk)
    assert s.next_run_at == datetime(2026, 11, 1, 6, tzinfo=AMS)
    assert services.run_due_reports(now=datetime(2026, 10, 31, 12, tzinfo=AMS)) == 0  # not due yet
    later = datetime(2026, 11, 1, 6, 10, tzinfo=AMS)
    assert services.run_due_reports(now=later) == 1
    assert services.run_due_reports(now=later) == 0
    s.refresh_from_db()
    assert s.next_run_at == datetime(2026, 12, 1, 6, tzinfo=AMS)
    run = ReportRun.objects.get()
    assert (run.period_start.isoformat(), run.period_end.isoformat()) == ("2026-10-01", "2026-10-31")
    assert run.status == RunStatus.DONE
    assert str(run.file.name).startswith("reports/")
    with run.file.open("rb") as fh:
        rows = {r[0]: r[1] for r in load_workbook(fh, read_only=True)["Summary"].iter_rows(values_only=True)}
    assert rows["Registered"] == 6  # the first-line group only
    # a second worker that read the old next_run_at cannot claim it again, nor store the period twice
    assert not services._claim(s.pk, datetime(2026, 11, 1, 6, tzinfo=AMS), now=later, frequency="monthly")
    assert services.produce_run(s, due_at=datetime(2026, 11, 1, 6, tzinfo=AMS), now=later) is None
    assert ReportRun.objects.count() == 1
    # the owner is mailed a link to the stored file, once, in their language
    [mail] = OutgoingMessage.objects.filter(event="report_ready")
    assert mail.recipient == coordinator.email
    assert mail.subject.startswith("Report ready: ")
    assert "01-10-2026 - 31-10-2026" in mail.subject
    assert f"/reports/runs/{run.pk}/download/" in mail.body_text


def test_cancelled_schedules_do_not_run(db: Any, coordinator: User) -> None:
    s = _schedule(coordinator, datetime(2026, 10, 14, tzinfo=AMS), frequency="weekly")
    other = make_person(Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.cancel_report(s, actor=other)
    services.cancel_report(s, actor=make_person(Role.ADMIN))
    assert services.run_due_reports(now=datetime(2026, 11, 30, tzinfo=AMS)) == 0


def test_owner_no_longer_coordinator_gives_failed_run(db: Any) -> None:
    owner = make_person(Role.COORDINATOR)
    _schedule(owner, datetime(2026, 10, 14, tzinfo=AMS))
    User.objects.filter(pk=owner.pk).update(role=Role.OPERATOR)
    assert services.run_due_reports(now=datetime(2026, 11, 2, tzinfo=AMS)) == 1
    run = ReportRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert not run.file
    assert not OutgoingMessage.objects.filter(event="report_ready").exists()  # nothing to fetch


def test_a_schedule_with_broken_stored_data_fails_visibly_and_the_others_run(db: Any) -> None:
    from tests.helpers import run_job

    owner = make_person(Role.COORDINATOR)
    bad = _schedule(owner, datetime(2026, 10, 14, tzinfo=AMS))
    good = _schedule(owner, datetime(2026, 10, 14, tzinfo=AMS))
    # stored by an older version or straight into the database: not a mapping of filters
    ScheduledReport.objects.filter(pk=bad.pk).update(filters=["operator_group", 3])
    with clock.frozen(datetime(2026, 11, 2, tzinfo=AMS)):
        job = run_job("reports.run_due_reports")
    assert ReportRun.objects.get(scheduled_report=good).status == RunStatus.DONE
    failed = ReportRun.objects.get(scheduled_report=bad)  # the owner sees that it failed
    assert failed.status == RunStatus.FAILED
    assert not failed.file
    assert failed.error
    assert job.failed_items == 1
    assert job.last_error.startswith(f"scheduled report {bad.pk}: TypeError")


def test_schedule_pages_and_downloads(month: Month, coordinator: User) -> None:
    c = client_for(coordinator)
    r = c.post(
        "/reports/schedules/", {"name": "Week", "frequency": "weekly", "operator_group": month.first_line.pk}
    )
    assert r.status_code == 302
    s = ScheduledReport.objects.get()
    assert s.owner == coordinator
    assert s.filters == {"operator_group": month.first_line.pk}
    page = c.get("/reports/schedules/")
    assert "announced to its owner by e-mail" in page.content.decode()
    ScheduledReport.objects.filter(pk=s.pk).update(next_run_at=datetime(2026, 10, 19, 6, tzinfo=AMS))
    services.run_due_reports(now=datetime(2026, 10, 19, 7, tzinfo=AMS))
    run = ReportRun.objects.get()
    assert c.get(f"/reports/runs/{run.pk}/download/").status_code == 200
    assert client_for(make_person(Role.ADMIN)).get(f"/reports/runs/{run.pk}/download/").status_code == 200
    # another coordinator and an operator cannot download or cancel it
    other = client_for(make_person(Role.COORDINATOR))
    assert other.get(f"/reports/runs/{run.pk}/download/").status_code == 404
    assert other.post(f"/reports/schedules/{s.pk}/cancel/").status_code == 404
    assert client_for(make_person(Role.OPERATOR)).get(f"/reports/runs/{run.pk}/download/").status_code == 403
    assert Client().get(f"/reports/runs/{run.pk}/download/").status_code == 302
    assert c.post(f"/reports/schedules/{s.pk}/cancel/").status_code == 302
    s.refresh_from_db()
    assert not s.active


def test_periodic_job_is_registered() -> None:
    from beheer.core import scheduler

    scheduler.autodiscover()
    assert "reports.run_due_reports" in scheduler.JOBS
