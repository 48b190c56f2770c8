"""Import jobs: states and progress, the page that polls them, who may read and confirm them, the
files they keep, the worker that is not running, and the command and API for the new kinds."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from beheer.accounts.models import Role, User
from beheer.accounts.services import deactivate_person
from beheer.cmdb.models import ConfigurationItem, ImportJob, ImportState, Licence
from beheer.cmdb.services.imports import jobs
from beheer.core.errors import Conflict, NotFound, PermissionDenied
from tests.helpers import client_for, make_person

pytestmark = pytest.mark.django_db

GOOD = "name;type;asset_tag\nLT 1;laptop;A-1\nLT 2;laptop;A-2\n"
PEOPLE = "username;first name;last name;role\npiet;Piet;Jansen;operator\n"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def background(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check goes to the worker, as a large file's does."""
    monkeypatch.setattr(jobs, "INLINE_ROWS", 0)


def upload(text: str, name: str = "cis.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def start(actor: User, text: str = GOOD, **kwargs: Any) -> ImportJob:
    options: dict[str, Any] = {"kind": "cis", "key": None, "partial": False, **kwargs}
    return jobs.start_job(actor=actor, data=text.encode(), filename="cis.csv", **options)


def test_a_queued_job_polls_until_the_worker_ran_it(
    operator: User, background: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = start(operator)
    assert len(queued) == 1  # the task is queued after the commit
    assert (job.state, job.done, job.total, job.report) == (ImportState.QUEUED, 0, 2, None)
    client = client_for(operator)
    page = client.get(f"/cmdb/import/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="/cmdb/import/{job.pk}/progress/"' in page
    assert '<progress max="2" value="0"' in page
    assert "data-worker-missing" not in page  # not yet: it was queued a moment ago
    # no worker after a while: the page says so rather than spin forever
    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(minutes=1))
    panel = client.get(f"/cmdb/import/{job.pk}/progress/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-worker-missing" in panel
    assert "worker is not running" in panel
    queued[0]()  # the worker picks the task up (the test settings run tasks at once)
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (ImportState.FINISHED, 2, 2)
    assert job.report is not None
    assert job.report["counts"] == {"create": 2, "update": 0, "unchanged": 0, "reject": 0}
    assert ConfigurationItem.objects.count() == 0  # a check writes nothing
    panel = client.get(f"/cmdb/import/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in panel  # the report stops the polling
    assert "data-import-confirm" in panel
    assert "data-import-report" in panel


def test_progress_is_recorded_while_the_import_runs(
    operator: User, monkeypatch: pytest.MonkeyPatch, background: None
) -> None:
    seen: list[tuple[int, int]] = []
    real = jobs._Progress.__call__

    def spy(self: Any, done: int, total: int) -> None:
        real(self, done, total)
        job = ImportJob.objects.get(pk=self.job_id)
        assert job.state == ImportState.RUNNING
        seen.append((done, total))

    monkeypatch.setattr(jobs._Progress, "__call__", spy)
    monkeypatch.setattr(jobs, "EVERY", 0.0)
    job = start(operator)
    assert jobs.run_job(job.pk) == ImportState.FINISHED
    assert seen == [(0, 2), (1, 2), (2, 2)]
    assert jobs.run_job(job.pk) == "skipped"  # safe to run twice


@pytest.mark.django_db(transaction=True)
def test_progress_is_readable_outside_the_import_transaction(operator: User, background: None) -> None:
    job = start(operator)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING)
    job.refresh_from_db()
    progress = jobs._Progress(job.pk)
    try:
        progress(1, 2)
        job.refresh_from_db()
        assert jobs.progress_of(job) == (1, 2)
    finally:
        progress.close()


def test_a_failing_job_says_why_and_keeps_no_file(
    operator: User, coordinator: User, background: None
) -> None:
    job = start(operator)
    deactivate_person(operator, actor=coordinator)
    assert jobs.run_job(job.pk) == ImportState.FAILED
    job.refresh_from_db()
    assert job.error == "Only operators may do this."
    assert not bytes(job.data)
    client = client_for(coordinator)
    assert client.get(f"/cmdb/import/{job.pk}/").status_code == 404  # not theirs


def test_nobody_reads_or_confirms_another_persons_job(
    operator: User, specialist: User, administrator: User, caller: User
) -> None:
    job = start(operator)
    assert job.state == ImportState.FINISHED
    for person, status in ((specialist, 404), (caller, 403), (administrator, 200), (operator, 200)):
        client = client_for(person)
        page = client.get(f"/cmdb/import/{job.pk}/")
        assert page.status_code in ((status,) if status != 403 else (302, 403, 404)), person
        api = client.get(f"/api/v1/cmdb/imports/jobs/{job.pk}")
        assert api.status_code == (status if status != 403 else 403), person
        if status == 200:
            assert api.json()["report"]["counts"]["create"] == 2
        else:
            assert "LT 1" not in api.content.decode()
    missing = client_for(specialist).get(f"/api/v1/cmdb/imports/jobs/{job.pk}").json()
    absent = client_for(specialist).get("/api/v1/cmdb/imports/jobs/987654321").json()
    assert missing == absent  # another's job answers like one that does not exist
    with pytest.raises(NotFound):
        jobs.confirm_job(job, actor=specialist)
    with pytest.raises(PermissionDenied):
        jobs.confirm_job(job, actor=administrator)  # sees it, but only the uploader confirms
    assert client_for(specialist).post(f"/cmdb/import/{job.pk}/confirm/").status_code == 404
    assert ConfigurationItem.objects.count() == 0


def test_a_refused_check_cannot_be_confirmed(operator: User) -> None:
    job = start(operator, GOOD + "LT 3;nothing;A-3\n")
    assert job.report is not None
    assert job.report["counts"]["reject"] == 1
    with pytest.raises(Conflict):
        jobs.confirm_job(job, actor=operator)
    partial = start(operator, GOOD + "LT 3;nothing;A-3\n", partial=True)
    assert jobs.confirmable(partial)


def test_sweep_removes_unconfirmed_files_old_jobs_and_stopped_ones(operator: User, background: None) -> None:
    checked = start(operator)
    jobs.run_job(checked.pk)
    stopped, old = start(operator), start(operator)
    long_ago = timezone.now() - timedelta(days=40)
    ImportJob.objects.filter(pk=checked.pk).update(finished_at=timezone.now() - timedelta(hours=2))
    ImportJob.objects.filter(pk=stopped.pk).update(state=ImportState.RUNNING, started_at=long_ago)
    ImportJob.objects.filter(pk=old.pk).update(state=ImportState.FINISHED, created_at=long_ago)
    assert jobs.sweep_jobs() == 3
    checked.refresh_from_db()
    stopped.refresh_from_db()
    assert not bytes(checked.data)
    assert stopped.state == ImportState.FAILED
    assert not ImportJob.objects.filter(pk=old.pk).exists()
    with pytest.raises(Conflict):
        jobs.confirm_job(checked, actor=operator)


def test_people_kind_is_offered_to_coordinators_only(operator: User, coordinator: User) -> None:
    assert 'value="people"' not in client_for(operator).get("/cmdb/import/").content.decode()
    assert 'value="people"' in client_for(coordinator).get("/cmdb/import/").content.decode()
    refused = client_for(operator).post("/cmdb/import/", {"file": upload(PEOPLE), "kind": "people"})
    assert refused.status_code == 200  # the form refuses the choice
    assert ImportJob.objects.count() == 0
    with pytest.raises(PermissionDenied):
        start(operator, PEOPLE, kind="people")
    done = client_for(coordinator).post(
        "/cmdb/import/", {"file": upload(PEOPLE), "kind": "people"}, follow=True
    )
    assert 'data-action="create"' in done.content.decode()
    assert not User.objects.filter(username="piet").exists()


# --------------------------------------------------------------------------------------------------
# the API and the command


def test_api_imports_people_with_the_role_rules(operator: User, coordinator: User) -> None:
    refused = client_for(operator).post("/api/v1/cmdb/imports", {"file": upload(PEOPLE), "kind": "people"})
    assert refused.status_code == 403
    boss = PEOPLE + "boss;Big;Boss;administrator\n"
    answer = client_for(coordinator).post(
        "/api/v1/cmdb/imports",
        {"file": upload(boss), "kind": "people", "partial": "true"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 200
    report = answer.json()
    assert report["kind"] == "people"
    assert report["key"] == "username"
    assert [r["action"] for r in report["rows"]] == ["create", "reject"]
    assert report["rows"][1]["errors"] == [
        {"column": "role", "message": "You cannot give anyone a role above your own."}
    ]
    assert User.objects.get(username="piet").role == Role.OPERATOR
    assert not User.objects.filter(username="boss").exists()
    hostile = client_for(coordinator).post(
        "/api/v1/cmdb/imports",
        {"file": upload("username;last name\nx;=cmd|' /C calc'!A0\n"), "kind": "people"},
    )
    assert hostile.status_code == 200
    assert hostile.json()["counts"]["reject"] == 1


def test_command_imports_licences_and_people(administrator: User, tmp_path: Path) -> None:
    licences = tmp_path / "licences.csv"
    licences.write_text(
        "product;licence model;entitlements;start date;reference\nOffice;site;;2026-01-01;PO-1\n"
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "licences", str(licences), stdout=out, stderr=err)
    assert "1 created" in out.getvalue()
    assert "1/1" in err.getvalue()  # the progress bar
    assert Licence.objects.get().reference == "PO-1"
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE)
    call_command("import", "people", str(people), "--dry-run", stdout=io.StringIO(), stderr=io.StringIO())
    assert not User.objects.filter(username="piet").exists()
    call_command("import", "people", str(people), stdout=io.StringIO(), stderr=io.StringIO())
    assert not User.objects.get(username="piet").has_usable_password()
    other = make_person(Role.OPERATOR, username="olaf")
    with pytest.raises(CommandError, match="coordinators"):
        call_command(
            "import",
            "people",
            str(people),
            "--user",
            other.username,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
