"""From probe results to meldingen: one melding per outage, recovery, maintenance and parents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils.translation import gettext

from beheer.monitoring.models import Check, CheckResult, CheckState, MaintenanceWindow
from beheer.monitoring.services import record_result
from beheer.servicedesk.models import EntryType, Impact, Melding, Note, StatusKind, Urgency

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def web(db: Any, first_line: Any) -> Check:
    return Check.objects.create(
        name="Website school",
        kind="http",
        target="https://www.school.example/",
        host="web01",
        max_attempts=3,
        impact=Impact.objects.get(level=1),
        urgency=Urgency.objects.get(level=1),
        operator_group=first_line,
        created_at=T0,
    )


def feed(check: Check, results: list[bool], start: float = 0, step: float = 1) -> None:
    for i, ok in enumerate(results):
        record_result(check, ok=ok, at=at(start + i * step), detail="HTTP 200" if ok else "HTTP 503")


def test_a_hard_failure_opens_one_melding_with_the_evidence(web):
    feed(web, [True, False, False])
    assert Melding.objects.count() == 0  # still soft
    feed(web, [False, False, False], start=3)
    m = Melding.objects.get()
    assert m.entry_type == EntryType.MONITORING
    assert m.brief_description == gettext("Down: %(name)s") % {"name": "Website school"}
    assert m.priority.level == 1
    assert m.operator_group == web.operator_group
    assert m.object_name == "web01"
    assert "HTTP 503" in m.request
    assert CheckState.objects.get(pk=web.pk).melding == m
    assert CheckResult.objects.filter(check_obj=web).count() == 6


def test_an_outage_of_a_check_without_impact_or_urgency_gets_the_checks_priority(web, operator_client):
    """Empty impact and urgency are not "the lowest": a check that is down stops work (the most
    urgent urgency); only the impact falls back to the servicedesk's default. The check's page
    shows the priority its meldingen get, and the melding gets exactly that."""
    from django.urls import reverse

    from beheer.monitoring.services import outage_priority

    Check.objects.filter(pk=web.pk).update(impact=None, urgency=None)
    web.refresh_from_db()
    expected = outage_priority(web)
    assert expected is not None
    assert expected.level == 3  # the shipped matrix: person x cannot work
    feed(web, [False, False, False])
    m = Melding.objects.get()
    assert m.priority == expected
    assert m.priority.level != 4
    assert (m.impact.level, m.urgency.level) == (3, 1)
    page = operator_client.get(reverse("monitoring:check-detail", args=[web.pk])).content.decode()
    assert f'data-priority="{expected.level}"' in page
    assert operator_client.get(f"/api/v1/monitoring/checks/{web.pk}").json()["priority"] == expected.level
    # a check that names only its impact keeps it, with the most urgent urgency
    Check.objects.filter(pk=web.pk).update(impact=Impact.objects.get(level=1))
    web.refresh_from_db()
    assert getattr(outage_priority(web), "level", None) == 1


def test_recovery_resolves_the_melding_and_a_new_outage_reopens_it(web):
    feed(web, [False, False, False])
    m = Melding.objects.get()
    feed(web, [True], start=3)
    m.refresh_from_db()
    assert m.status.kind == StatusKind.RESOLVED
    assert "Website school" in m.solution
    feed(web, [False, False, False], start=4)
    m.refresh_from_db()
    assert Melding.objects.count() == 1  # re-opened, not a second melding
    assert m.is_open
    assert m.reopen_count == 1


def test_without_resolve_on_recovery_the_melding_gets_a_note(web):
    web.resolve_on_recovery = False
    web.save()
    feed(web, [False, False, False, True])
    m = Melding.objects.get()
    assert m.is_open
    assert Note.objects.filter(melding=m, text__contains="2026-11-30T09:03").exists()  # recovered at


def test_results_during_maintenance_are_flagged_and_open_nothing_until_it_ends(web):
    window = MaintenanceWindow.objects.create(
        name="Patch night", start=at(0), duration_minutes=10, time_zone="Europe/Amsterdam"
    )
    window.checks.add(web)
    feed(web, [False] * 8)
    assert Melding.objects.count() == 0
    assert CheckResult.objects.filter(in_maintenance=True).count() == 8
    feed(web, [False], start=12)  # still down after the window: now it is reported
    assert Melding.objects.count() == 1


def test_a_recurring_window_by_tag(web):
    web.tags = "Webservers, extern"
    web.save()
    MaintenanceWindow.objects.create(
        name="Sunday",
        start=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
        duration_minutes=60,
        rule="FREQ=DAILY",
        tags="webservers",
    )
    feed(web, [False] * 5)  # 10:00-10:05 Amsterdam on a Monday: inside the daily 10:00-11:00 window
    assert Melding.objects.count() == 0


def test_a_window_by_host_covers_every_check_of_that_host(web):
    other = Check.objects.create(name="Mail", kind="tcp", target="mail:25", host="mail01", created_at=T0)
    window = MaintenanceWindow.objects.create(
        name="Web01 patches", start=at(0), duration_minutes=10, hosts="WEB01 , db01"
    )
    feed(web, [False] * 4)
    feed(other, [False] * 4)
    assert set(CheckResult.objects.filter(in_maintenance=True).values_list("check_obj", flat=True)) == {
        web.pk
    }
    assert [m.object_name for m in Melding.objects.all()] == ["mail01"]  # only the other host's outage
    from beheer.monitoring import queries

    assert queries.windows_for(web) == [window]
    assert queries.windows_for(other) == []
    assert queries.in_maintenance_now([web, other], at(5)) == {web.pk}


def test_a_child_behind_a_down_parent_is_recorded_but_opens_nothing(web, first_line):
    router = Check.objects.create(
        name="Router", kind="ping", target="10.0.0.1", created_at=T0, max_attempts=1
    )
    web.parent = router
    web.save()
    feed(router, [False])
    assert Melding.objects.filter(brief_description__endswith=": Router").count() == 1
    feed(web, [False, False, False], start=1)
    assert not Melding.objects.filter(brief_description__endswith=": Website school").exists()
    assert CheckResult.objects.filter(check_obj=web, suppressed=True).count() == 3


def test_a_child_melding_opened_before_the_parent_failed_still_resolves(web):
    router = Check.objects.create(
        name="Router", kind="ping", target="10.0.0.1", created_at=T0, max_attempts=1
    )
    web.parent = router
    web.save()
    feed(web, [False, False, False])
    child = Melding.objects.get(brief_description__endswith=": Website school")
    feed(router, [False], start=3)
    feed(web, [True], start=4)
    child.refresh_from_db()
    assert child.status.kind == StatusKind.RESOLVED


def test_a_flapping_check_gets_one_note_and_no_melding_per_flap(web):
    web.max_attempts = 1
    web.save()
    feed(web, [False, False])  # a real outage first
    m = Melding.objects.get()
    feed(web, [i % 2 == 0 for i in range(40)], start=2)  # then it keeps flapping
    assert Melding.objects.count() == 1
    assert (
        Note.objects.filter(
            melding=m, text=gettext("The check is flapping: it keeps changing between up and down.")
        ).count()
        == 1
    )


# --------------------------------------------------------------------------------------------------
# push checks


@pytest.fixture
def backup(db: Any, operator: Any) -> Check:
    from beheer.monitoring.services import issue_push_token

    check = Check.objects.create(
        name="Nightly backup", kind="push", interval_seconds=86400, grace_seconds=3600, created_at=T0
    )
    issue_push_token(check, actor=operator)
    return check


def test_pings_keep_a_push_check_up_and_silence_takes_it_down_once_per_period(backup):
    from beheer.monitoring.services import receive_push, sweep_overdue_pushes

    receive_push(backup.push_token, ok=True, at=at(0))
    assert sweep_overdue_pushes(now=at(24 * 60 + 59)) == 0  # within period + grace
    assert sweep_overdue_pushes(now=at(25 * 60 + 1)) == 1  # an hour late: down at once
    m = Melding.objects.get()
    assert "Nightly backup" in m.brief_description
    assert sweep_overdue_pushes(now=at(25 * 60 + 30)) == 0  # one failure per period while silent
    assert sweep_overdue_pushes(now=at(49 * 60 + 2)) == 1
    assert Melding.objects.count() == 1
    receive_push(backup.push_token, ok=True, at=at(50 * 60))  # the backup ran again
    m.refresh_from_db()
    assert m.status.kind == StatusKind.RESOLVED


def test_one_push_check_that_fails_does_not_stop_the_sweep(
    backup, operator, second_line, first_line, monkeypatch
):
    """Two silent push checks: one whose melding the servicedesk refuses (saved before the rule,
    its failure is still recorded, with the reason on its state row) and one whose recording fails
    outright; the good one is swept all the same."""
    from beheer.core import clock
    from beheer.monitoring.services import issue_push_token, push
    from tests.helpers import run_job

    def silent(name: str, group: Any) -> Check:
        check = Check.objects.create(
            name=name,
            kind="push",
            interval_seconds=3600,
            grace_seconds=60,
            created_at=T0,
            operator_group=group,
        )
        issue_push_token(check, actor=operator)
        return check

    refused, broken, good = (
        silent("Refused", second_line),
        silent("Broken", first_line),
        silent("Good", first_line),
    )
    Check.objects.filter(pk=backup.pk).update(active=False)
    real = push.record_result

    def record(check: Check, **kwargs: Any) -> Any:
        if check.pk == broken.pk:
            raise ValueError("a check whose data makes recording fail")
        return real(check, **kwargs)

    monkeypatch.setattr(push, "record_result", record)
    with clock.frozen(at(2 * 60)):
        run = run_job("monitoring.sweep_overdue_pushes")
    states = {s.pk: s for s in CheckState.objects.all()}
    assert states[good.pk].hard_status == "down"
    assert Melding.objects.get().brief_description.endswith("Good")
    assert states[refused.pk].hard_status == "down"
    assert states[refused.pk].melding_id is None
    assert states[refused.pk].error
    assert states[refused.pk].error_at is not None
    assert broken.pk not in states  # rolled back
    assert run.failed_items == 1
    assert run.last_error == f"check {broken.pk}: ValueError: a check whose data makes recording fail"


def test_a_failure_ping_goes_down_at_once_with_the_reason(backup):
    from beheer.monitoring.services import receive_push

    receive_push(backup.push_token, ok=False, detail="rsync exit 23", at=at(0))
    assert "rsync exit 23" in Melding.objects.get().request


def test_push_details_are_stored_in_the_installation_language(backup):
    """A ping without a reason and a silent job get details in LANGUAGE_CODE (nl), not the caller's."""
    from django.utils import translation

    from beheer.monitoring.services import receive_push, sweep_overdue_pushes

    with translation.override("en"):
        receive_push(backup.push_token, ok=False, at=at(0))
        sweep_overdue_pushes(now=at(25 * 60))
    details = list(
        CheckResult.objects.filter(check_obj=backup).order_by("at").values_list("detail", flat=True)
    )
    assert details == ["Fout gemeld", "Geen ping sinds 2026-11-30T09:00:00+00:00."]


def test_ping_urls_through_the_api_need_only_the_token(client, backup, operator):
    from tests.helpers import client_for

    assert client.get(f"/api/v1/monitoring/push/{backup.push_token}").json() == {"ok": True, "stored": True}
    assert client.get(f"/api/v1/monitoring/push/{backup.push_token}").json()["stored"] is True  # none lost
    failed = client.post(
        f"/api/v1/monitoring/push/{backup.push_token}/fail", data=b"disk full", content_type="text/plain"
    )
    assert failed.status_code == 200
    assert CheckResult.objects.filter(check_obj=backup, ok=False, detail="disk full").exists()
    assert client.get("/api/v1/monitoring/push/not-a-token").status_code == 404
    assert client.get("/api/v1/monitoring/checks").status_code == 401  # the list needs a login
    listed = client_for(operator).get("/api/v1/monitoring/checks").json()["items"]
    assert [c["name"] for c in listed] == ["Nightly backup"]
    assert listed[0]["hard_status"] == "down"


@pytest.mark.parametrize("same_instant", [True, False])
def test_a_success_right_after_a_failure_is_recorded_in_order(client, backup, first_line, same_instant):
    """A job reports a failure and, its retry having worked, a success within the same second:
    both pings are recorded in the order they arrived and the check ends up, with its melding
    resolved."""
    from beheer.core import clock

    Check.objects.filter(pk=backup.pk).update(operator_group=first_line)
    url = f"/api/v1/monitoring/push/{backup.push_token}"
    moment = T0 + timedelta(seconds=5, microseconds=250)
    with clock.frozen(moment):
        failed = client.post(url + "/fail", data=b"rsync exit 23", content_type="text/plain")
    with clock.frozen(moment if same_instant else moment + timedelta(milliseconds=300)):
        ok = client.get(url)
    assert failed.json() == {"ok": True, "stored": True}
    assert ok.json() == {"ok": True, "stored": True}
    results = list(CheckResult.objects.filter(check_obj=backup).order_by("-at", "-id"))
    assert [r.ok for r in results] == [True, False]  # newest first: the success came last
    state = CheckState.objects.get(pk=backup.pk)
    assert (state.status, state.hard_status) == ("up", "up")
    melding = Melding.objects.get()
    assert melding.status.kind == StatusKind.RESOLVED


def test_callers_see_no_checks_and_cannot_issue_tokens(backup, caller):
    from beheer.core.errors import PermissionDenied
    from beheer.monitoring.services import issue_push_token
    from tests.helpers import client_for

    assert client_for(caller).get("/api/v1/monitoring/checks").status_code == 403
    with pytest.raises(PermissionDenied):
        issue_push_token(backup, actor=caller)
    old = backup.push_token
    assert Check.objects.get(pk=backup.pk).push_token == old


def test_the_configuration_screen_shows_the_ping_url(administrator, operator):
    """A push check gets its ping URL from the services; the admin (read-only) shows it."""
    from beheer.monitoring.services import CheckData, create_check
    from tests.helpers import client_for

    check = create_check(
        actor=operator,
        data=CheckData(name="Backup fileserver", kind="push", host="fs01", grace_seconds=3600),
    )
    assert check.push_token
    client = client_for(administrator)
    page = client.get(f"/beheer-admin/monitoring/check/{check.pk}/change/").content.decode()
    assert f"/api/v1/monitoring/push/{check.push_token}" in page
    added = client.post("/beheer-admin/monitoring/check/add/", {"name": "x", "kind": "push"})
    assert added.status_code == 403
