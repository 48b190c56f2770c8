"""Checks and maintenance windows on configuration items: the services (link, history, retired CIs
refused), maintenance by CI and by what rests on it through the monitor's recording path, the API,
the screens, the CI page section, the trouble source and the data migration from host names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from beheer.accounts.models import User
from beheer.cmdb import extensions, impact
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import CiStatus, CiType, ConfigurationItem, RelationKind
from beheer.core import clock
from beheer.core.errors import DomainError
from beheer.monitoring import services
from beheer.monitoring.models import Check, CheckHistoryEntry, CheckResult, CheckState, MaintenanceWindow
from beheer.monitoring.models import MaintenanceWindowHistoryEntry as WindowHistory
from tests.helpers import client_for

NOW = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)
migration = import_module("beheer.monitoring.migrations.0015_link_hosts_to_cis")


@pytest.fixture(autouse=True)
def _english_and_frozen() -> Any:
    with translation.override("en"), clock.frozen(NOW):
        yield


def make_ci(
    actor: User, name: str, *, code: str = "server", host_name: str = "", **kw: Any
) -> ConfigurationItem:
    ci_type = CiType.objects.get(code=code)
    return cmdb.create_item(
        actor=actor, data=cmdb.ItemData(name=name, ci_type=ci_type, host_name=host_name, **kw)
    )


def make_check(actor: User, name: str, **kw: Any) -> Check:
    data = services.CheckData(name=name, kind="tcp", target=f"{name}.school.nl:443", max_attempts=1, **kw)
    return services.create_check(actor=actor, data=data)


def window(actor: User, **kw: Any) -> MaintenanceWindow:
    data = services.WindowData(
        name=kw.pop("name", "Patchnacht"),
        start=NOW - timedelta(minutes=30),
        duration_minutes=120,
        time_zone="UTC",
        **kw,
    )
    return services.create_window(actor=actor, data=data)


def probe_fails(check: Check) -> CheckResult:
    """A failing probe of `check`, recorded the way the monitor records its batches."""
    services.ensure_check_states(now=NOW)
    CheckState.objects.filter(pk=check.pk).update(next_due_at=NOW)
    stored = services.record_results(
        [services.Outcome(check.pk, False, NOW, None, "refused")], owner="monitor-1", now=NOW
    )
    assert stored == 1
    return CheckResult.objects.filter(check_obj=check).order_by("-id")[0]


# --------------------------------------------------------------------------------------------------
# services


@pytest.mark.django_db
def test_a_check_links_to_a_ci_takes_its_host_and_records_the_change(operator, administrator):
    fs01 = make_ci(administrator, "fs01", host_name="fs01.school.local")
    dc01 = make_ci(administrator, "dc01")
    check = make_check(operator, "Back-up", ci=fs01.pk)
    assert check.ci_id == fs01.pk
    assert check.host == "fs01.school.local"  # no host of its own: the CI's host name
    kept = make_check(operator, "Web", host="web01", ci=fs01)
    assert kept.host == "web01"  # a host given stays

    data = services.CheckData(
        name="Back-up", kind="tcp", target="Back-up.school.nl:443", host=check.host, ci=dc01.pk
    )
    services.update_check(check, actor=operator, data=data, expected_version=check.version)
    check.refresh_from_db()
    assert check.ci_id == dc01.pk
    row = CheckHistoryEntry.objects.get(check_obj=check, field="ci")
    assert (row.old_value, row.new_value) == ("fs01", "dc01")


@pytest.mark.django_db
def test_a_retired_or_unknown_ci_is_refused_per_field(operator, administrator):
    old = make_ci(administrator, "oud01", status=CiStatus.RETIRED)
    for chosen in (old.pk, 999_999):
        with pytest.raises(DomainError) as caught:
            make_check(operator, "Oud", ci=chosen)
        assert set(caught.value.field_errors) == {"ci"}
    with pytest.raises(DomainError) as caught:
        window(operator, cis=[old.pk])
    assert "cis" in caught.value.field_errors
    with pytest.raises(DomainError) as caught:
        window(operator, cis=[999_999])
    assert "999999" in caught.value.field_errors["cis"]
    assert not Check.objects.exists()
    assert not MaintenanceWindow.objects.exists()


@pytest.mark.django_db
def test_a_window_keeps_its_cis_and_records_them_by_name(operator, administrator):
    fs01, dc01 = make_ci(administrator, "fs01"), make_ci(administrator, "dc01")
    w = window(operator, cis=[fs01.pk])
    assert list(w.cis.values_list("name", flat=True)) == ["fs01"]
    data = services.WindowData(
        name="Patchnacht",
        start=NOW - timedelta(minutes=30),
        duration_minutes=120,
        time_zone="UTC",
        cis=[fs01.pk, dc01.pk],
        include_dependants=True,
    )
    w = services.update_window(w, actor=operator, data=data, expected_version=w.version)
    assert w.include_dependants
    rows = {
        r.field: (r.old_value, r.new_value) for r in WindowHistory.objects.filter(window=w, action="changed")
    }
    assert rows["cis"] == ("fs01", "dc01, fs01")
    assert rows["include_dependants"] == ("false", "true")


# --------------------------------------------------------------------------------------------------
# maintenance through the monitor's recording


@pytest.mark.django_db
def test_a_window_on_a_ci_silences_its_checks_and_with_dependants_what_rests_on_it(operator, administrator):
    server = make_ci(administrator, "hv01")
    app = make_ci(administrator, "Magister", code="application")
    cmdb.add_relation(app, actor=administrator, target=server, kind=RelationKind.DEPENDS_ON)
    assert app.pk in impact.reach([server.pk], impact.UP)
    on_server = make_check(operator, "hv01-ping", ci=server)
    on_app = make_check(operator, "magister-web", ci=app)
    elsewhere = make_check(operator, "other")

    w = window(operator, cis=[server.pk])
    assert probe_fails(on_server).in_maintenance
    assert not probe_fails(on_app).in_maintenance  # without include_dependants
    assert not probe_fails(elsewhere).in_maintenance

    data = services.WindowData(
        name=w.name,
        start=w.start,
        duration_minutes=120,
        time_zone="UTC",
        cis=[server.pk],
        include_dependants=True,
    )
    services.update_window(w, actor=operator, data=data, expected_version=w.version)
    assert probe_fails(on_app).in_maintenance
    assert not probe_fails(elsewhere).in_maintenance
    assert services.in_maintenance(on_app, NOW)


@pytest.mark.django_db
def test_windows_are_resolved_once_per_batch_not_per_result(operator, administrator):
    server = make_ci(administrator, "hv01")
    checks = [make_check(operator, f"c{i}", ci=server) for i in range(6)]
    window(operator, cis=[server.pk], include_dependants=True)
    services.ensure_check_states(now=NOW)
    CheckState.objects.update(next_due_at=NOW)

    def batch(ids: list[Check]) -> int:
        outcomes = [services.Outcome(c.pk, True, NOW, 5, "") for c in ids]
        with CaptureQueriesContext(connection) as ctx:
            services.record_results(outcomes, owner="m", now=NOW)
        return len(ctx.captured_queries)

    assert batch(checks[:2]) == batch(checks)
    assert CheckResult.objects.filter(in_maintenance=True).count() == 8


# --------------------------------------------------------------------------------------------------
# API


@pytest.mark.django_db
def test_the_api_round_trips_the_ci_of_checks_and_windows(operator, administrator):
    fs01, app = make_ci(administrator, "fs01", host_name="fs01"), make_ci(administrator, "app01")
    client = client_for(operator)
    body = {"name": "Back-up", "kind": "tcp", "target": "fs01.school.nl:445", "ci_id": fs01.pk}
    created = client.post("/api/v1/monitoring/checks", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["ci"] == {"id": fs01.pk, "name": "fs01"}
    assert created.json()["ci_id"] == fs01.pk
    assert created.json()["host"] == "fs01"
    check_id = created.json()["id"]
    got = client.get(f"/api/v1/monitoring/checks/{check_id}").json()
    assert got["ci"] == {"id": fs01.pk, "name": "fs01"}
    listed = client.get("/api/v1/monitoring/checks").json()["items"]
    assert [i["ci"] for i in listed] == [{"id": fs01.pk, "name": "fs01"}]
    cleared = client.put(
        f"/api/v1/monitoring/checks/{check_id}",
        {**body, "ci_id": None, "host": "fs01", "version": got["version"]},
        content_type="application/json",
    )
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["ci"] is None

    wbody = {
        "name": "Patch",
        "start": "2026-12-13T22:00:00",
        "duration_minutes": 60,
        "time_zone": "UTC",
        "ci_ids": [app.pk, fs01.pk],
        "include_dependants": True,
    }
    made = client.post("/api/v1/monitoring/windows", wbody, content_type="application/json")
    assert made.status_code == 201, made.content
    out = made.json()
    assert out["ci_ids"] == sorted([app.pk, fs01.pk])
    assert out["cis"] == [{"id": app.pk, "name": "app01"}, {"id": fs01.pk, "name": "fs01"}]
    assert out["include_dependants"] is True
    assert client.get("/api/v1/monitoring/windows").json()["items"][0]["ci_ids"] == out["ci_ids"]


@pytest.mark.django_db
def test_the_api_answers_400_for_an_unknown_or_retired_ci(operator, administrator):
    old = make_ci(administrator, "oud01", status=CiStatus.RETIRED)
    client = client_for(operator)
    for ci_id in (old.pk, 987_654):
        body = {"name": "X", "kind": "tcp", "target": "x.school.nl:22", "ci_id": ci_id}
        answer = client.post("/api/v1/monitoring/checks", body, content_type="application/json")
        assert answer.status_code == 400, answer.content
        assert "ci" in str(answer.json())
        wbody = {"name": "P", "start": "2026-12-13T22:00:00", "duration_minutes": 60, "ci_ids": [ci_id]}
        answer = client.post("/api/v1/monitoring/windows", wbody, content_type="application/json")
        assert answer.status_code == 400, answer.content
        assert "cis" in str(answer.json())
    assert not Check.objects.exists()
    assert not MaintenanceWindow.objects.exists()


# --------------------------------------------------------------------------------------------------
# screens


@pytest.mark.django_db
def test_the_check_form_takes_a_ci_by_name_and_the_page_links_it(operator, administrator):
    fs01 = make_ci(administrator, "fs01", host_name="fs01")
    client = client_for(operator)
    form = {
        "name": "Back-up",
        "kind": "tcp",
        "target": "fs01.school.nl:445",
        "ci": "FS01",
        "interval_seconds": 60,
        "timeout_seconds": 10,
        "max_attempts": 3,
        "retry_interval_seconds": 10,
        "active": "on",
        "resolve_on_recovery": "on",
    }
    answer = client.post("/monitoring/checks/new/", form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    check = Check.objects.get()
    assert check.ci_id == fs01.pk
    page = client.get(f"/monitoring/checks/{check.pk}/").content.decode()
    assert f'href="/cmdb/{fs01.pk}/"' in page
    wrong = client.post("/monitoring/checks/new/", {**form, "name": "Other", "ci": "nope"})
    assert wrong.status_code == 200
    assert 'id="id_ci_error"' in wrong.content.decode()
    assert Check.objects.count() == 1


@pytest.mark.django_db
def test_the_window_form_takes_several_cis_and_the_checkbox(operator, administrator):
    fs01, dc01 = make_ci(administrator, "fs01"), make_ci(administrator, "dc01")
    client = client_for(operator)
    form = {
        "name": "Patch",
        "start_date": "2026-12-13",
        "start_time": "22:00",
        "time_zone": "UTC",
        "duration_0": "2",
        "duration_1": "hours",
        "cis": f"fs01, {dc01.pk}",
        "include_dependants": "on",
        "active": "on",
    }
    answer = client.post("/monitoring/windows/new/", form)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    w = MaintenanceWindow.objects.get()
    assert set(w.cis.values_list("pk", flat=True)) == {fs01.pk, dc01.pk}
    assert w.include_dependants
    page = client.get(f"/monitoring/windows/{w.pk}/edit/").content.decode()
    assert f'href="/cmdb/{fs01.pk}/"' in page
    listing = client.get("/monitoring/windows/").content.decode()
    assert f'href="/cmdb/{dc01.pk}/"' in listing
    bad = client.post("/monitoring/windows/new/", {**form, "name": "Bad", "cis": "fs01, nosuch"})
    assert bad.status_code == 200
    assert "nosuch" in bad.content.decode()


# --------------------------------------------------------------------------------------------------
# the CMDB's extension points


@pytest.mark.django_db
def test_the_ci_page_shows_its_checks_to_staff_only_in_constant_queries(operator, administrator, caller):
    fs01 = make_ci(administrator, "fs01", owner=caller)
    first = make_check(operator, "Back-up", ci=fs01)
    probe_fails(first)
    page = client_for(operator).get(f"/cmdb/{fs01.pk}/").content.decode()
    assert "data-ci-checks" in page
    assert "Back-up" in page
    assert "monitor-down" in page

    def queries_for(n: int) -> int:
        while Check.objects.filter(ci=fs01).count() < n:
            make_check(operator, f"extra{Check.objects.count()}", ci=fs01)
        request = type("R", (), {"user": operator})()
        with CaptureQueriesContext(connection) as ctx:
            html = extensions.render_page_sections(request, fs01)
        assert "Back-up" in html
        return len(ctx.captured_queries)

    assert queries_for(2) == queries_for(20)  # up to the 20 shown
    assert queries_for(21) == queries_for(30)  # past them, one count more
    with translation.override("en"):
        assert "30 checks in all" in extensions.render_page_sections(
            type("R", (), {"user": operator})(), fs01
        )
    request = type("R", (), {"user": caller})()
    assert "data-ci-checks" not in extensions.render_page_sections(request, fs01)


@pytest.mark.django_db
def test_the_trouble_source_reports_the_cis_of_checks_that_are_down(operator, administrator):
    down_ci, up_ci = make_ci(administrator, "fs01"), make_ci(administrator, "dc01")
    probe_fails(make_check(operator, "down", ci=down_ci))
    make_check(operator, "fine", ci=up_ci)
    with CaptureQueriesContext(connection) as ctx:
        troubled = extensions.troubled()
    assert down_ci.pk in troubled
    assert up_ci.pk not in troubled
    assert len(ctx.captured_queries) <= len(extensions.trouble_sources())  # one query a source


# --------------------------------------------------------------------------------------------------
# the data migration


@pytest.mark.django_db
def test_the_migration_links_hosts_to_cis_matching_first_and_is_idempotent(operator, administrator):
    fs01 = make_ci(administrator, "Fileserver", host_name="FS01")
    a = Check.objects.create(name="a", kind="tcp", host="fs01", created_at=NOW)
    b = Check.objects.create(name="b", kind="tcp", host="web01", created_at=NOW)
    c = Check.objects.create(name="c", kind="tcp", host="", created_at=NOW)
    w = MaintenanceWindow.objects.create(
        name="w", start=NOW, duration_minutes=60, time_zone="UTC", hosts="fs01, Mail01, web01"
    )
    before = ConfigurationItem.objects.count()

    migration.link_hosts(apps, None)
    a.refresh_from_db()
    b.refresh_from_db()
    c.refresh_from_db()
    assert a.ci_id == fs01.pk  # matched by host name, not duplicated
    assert ConfigurationItem.objects.count() == before + 2  # web01 and Mail01
    web01 = ConfigurationItem.objects.get(name="web01")
    assert (web01.ci_type.code, web01.host_name, web01.status, web01.version) == (
        "unclassified",
        "web01",
        "in_use",
        1,
    )
    assert b.ci_id == web01.pk
    assert c.ci_id is None
    assert ConfigurationItem.objects.get(name="Mail01").host_name == "mail01"
    assert set(w.cis.values_list("name", flat=True)) == {"Fileserver", "web01", "Mail01"}
    assert (a.host, w.hosts) == ("fs01", "fs01, Mail01, web01")  # the text stays

    state = (
        ConfigurationItem.objects.count(),
        list(Check.objects.order_by("pk").values_list("pk", "ci_id")),
        sorted(w.cis.values_list("pk", flat=True)),
    )
    migration.link_hosts(apps, None)
    assert state == (
        ConfigurationItem.objects.count(),
        list(Check.objects.order_by("pk").values_list("pk", "ci_id")),
        sorted(w.cis.values_list("pk", flat=True)),
    )


@pytest.mark.django_db
def test_the_migration_matches_a_ci_by_its_name_too(administrator):
    named = make_ci(administrator, "nas-backup01")
    check = Check.objects.create(name="n", kind="tcp", host="NAS-backup01", created_at=NOW)
    migration.link_hosts(apps, None)
    check.refresh_from_db()
    assert check.ci_id == named.pk
    assert ConfigurationItem.objects.filter(name__iexact="nas-backup01").count() == 1
