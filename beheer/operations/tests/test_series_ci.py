"""Preventive series linked to configuration items: the services, the form, the API, the CI page's
section and the data migration that turns the old names into CIs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beheer.cmdb.models import CiStatus, CiType, ConfigurationItem
from beheer.core import clock
from beheer.core.errors import DomainError
from beheer.operations import services
from beheer.operations.ci_section import activities_section
from beheer.operations.models import ActivitySeries, LogEntry
from tests.helpers import client_for

from .helpers import ci_named, first_open, make_series
from .helpers import series_fields as _fields

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BASE = "/api/v1/operations"


@pytest.fixture
def frozen():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def cis(coordinator) -> dict[str, ConfigurationItem]:
    return {
        "fs01": ci_named(coordinator, "fs01", host_name="fs01.school.lan"),
        "dc01": ci_named(coordinator, "dc01"),
        "nas": ci_named(coordinator, "Backup NAS", host_name="nas-backup01"),
        "old": ci_named(coordinator, "oldsrv", status=CiStatus.RETIRED),
    }


def _cis_log(series: ActivitySeries) -> list[str]:
    return list(
        LogEntry.objects.filter(series=series, action="cis").order_by("pk").values_list("detail", flat=True)
    )


# --------------------------------------------------------------------------------------------------
# services


class TestServices:
    def test_create_links_the_cis_keeps_their_names_and_logs_them(self, coordinator, cis, frozen):
        s = make_series(coordinator, cis=[cis["fs01"], cis["nas"]])
        assert set(s.cis.all()) == {cis["fs01"], cis["nas"]}
        assert s.linked_objects == ["fs01", "Backup NAS"]
        assert _cis_log(s) == ["— → fs01, Backup NAS"]
        assert list(cis["fs01"].activity_series.all()) == [s]

    def test_a_change_of_cis_is_in_the_log_old_to_new(self, coordinator, cis, frozen):
        s = make_series(coordinator, cis=[cis["fs01"], cis["nas"]])
        s = services.update_series(s, actor=coordinator, expected_version=1, **_fields(s, cis=[cis["dc01"]]))
        assert list(s.cis.all()) == [cis["dc01"]]
        assert s.linked_objects == ["dc01"]
        assert s.version == 2
        assert _cis_log(s)[-1] == "Backup NAS, fs01 → dc01"
        # the same CIs again: nothing changes, nothing is logged
        again = services.update_series(s, actor=coordinator, expected_version=2, **_fields(s))
        assert again.version == 2
        assert len(_cis_log(s)) == 2

    def test_a_renamed_ci_is_brought_in_step_on_the_next_save(self, coordinator, cis, frozen):
        s = make_series(coordinator, cis=[cis["dc01"]])
        ConfigurationItem.objects.filter(pk=cis["dc01"].pk).update(name="dc01-new")
        s = services.update_series(s, actor=coordinator, expected_version=1, **_fields(s))
        assert s.linked_objects == ["dc01-new"]

    def test_retired_cis_are_refused(self, coordinator, cis, frozen):
        with pytest.raises(DomainError) as exc:
            make_series(coordinator, cis=[cis["fs01"], cis["old"]])
        assert "oldsrv" in exc.value.field_errors["cis"]
        assert not ActivitySeries.objects.exists()

    def test_names_match_one_ci_by_name_or_host_name_else_are_refused_by_name(self, coordinator, cis):
        found = services.cis_by_names(["FS01", "NAS-BACKUP01", "fs01.school.lan"], actor=coordinator)
        assert found == [cis["fs01"], cis["nas"]]
        with pytest.raises(DomainError) as exc:
            services.cis_by_names(["fs01", "nosuch", "oldsrv"], actor=coordinator)
        message = exc.value.field_errors["linked_objects"]
        assert "nosuch" in message
        assert "fs01" not in message
        ci_named(coordinator, "twin")
        ConfigurationItem.objects.filter(pk=ci_named(coordinator, "twin2").pk).update(name="TWIN")
        with pytest.raises(DomainError) as exc:
            services.cis_by_names(["twin"], actor=coordinator)
        assert "twin" in exc.value.field_errors["linked_objects"]

    def test_references_by_number_or_exact_name(self, coordinator, cis):
        text = f"{cis['dc01'].pk}, Backup nas ,"
        assert services.cis_by_references(text, actor=coordinator) == [cis["dc01"], cis["nas"]]
        with pytest.raises(DomainError) as exc:
            services.cis_by_references("dc01, 99999999, nas-backup01", actor=coordinator)
        message = exc.value.field_errors["cis"]
        assert "99999999" in message
        assert "nas-backup01" in message  # a host name is no exact name here
        assert "dc01," not in message


# --------------------------------------------------------------------------------------------------
# the form and the pages


def _form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Patchronde",
        "kind": "patch_round",
        "rule_0": "WEEKLY",
        "rule_1": "1",
        "rule_2": ["MO"],
        "rule_8": "never",
        "start_date": "2026-03-02",
        "start_time": "10:00",
        "time_zone": "Europe/Amsterdam",
        "lead_days": "30",
        "grace_hours": "24",
        "cis": "",
    }
    data.update(changes)
    return data


class TestScreens:
    def test_the_form_takes_cis_by_number_or_name_and_names_the_unknown(self, coordinator, cis, frozen):
        client = client_for(coordinator)
        r = client.post(reverse("operations-series-create"), _form(cis="dc01, nosuch, 99999999"))
        assert r.status_code == 400
        # named in the error, besides the typed value
        assert r.content.count(b"nosuch") == 2
        assert r.content.count(b"99999999") == 2
        assert not ActivitySeries.objects.exists()
        r = client.post(reverse("operations-series-create"), _form(cis="oldsrv"))
        assert r.status_code == 400
        assert r.content.count(b"oldsrv") == 2
        r = client.post(reverse("operations-series-create"), _form(cis=f"DC01, {cis['nas'].pk}"))
        assert r.status_code == 302
        s = ActivitySeries.objects.get()
        assert set(s.cis.all()) == {cis["dc01"], cis["nas"]}
        edit = client.get(reverse("operations-series-edit", args=[s.pk])).content.decode()
        assert 'value="Backup NAS, dc01"' in edit

    def test_series_and_occurrence_pages_link_to_the_cis(self, coordinator, cis, frozen):
        s = make_series(coordinator, cis=[cis["fs01"]])
        client = client_for(coordinator)
        link = f'href="/cmdb/{cis["fs01"].pk}/"'
        assert link in client.get(reverse("operations-series-detail", args=[s.pk])).content.decode()
        occurrence = first_open(s)
        assert link in client.get(reverse("operations-occurrence", args=[occurrence.pk])).content.decode()


# --------------------------------------------------------------------------------------------------
# the API


SERIES = {
    "name": "Patchronde",
    "kind": "patch_round",
    "rule": "FREQ=MONTHLY;BYDAY=2TU",
    "start_date": "2026-01-01",
    "start_time": "19:00",
}


def _post(client: Any, body: object) -> Any:
    return client.post(f"{BASE}/series", data=json.dumps(body), content_type="application/json")


class TestApi:
    def test_ci_ids_in_cis_and_names_out(self, coordinator, cis, frozen):
        client = client_for(coordinator)
        r = _post(client, {**SERIES, "ci_ids": [cis["nas"].pk, cis["dc01"].pk]})
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["cis"] == [
            {"id": cis["nas"].pk, "name": "Backup NAS"},
            {"id": cis["dc01"].pk, "name": "dc01"},
        ]
        assert body["linked_objects"] == ["Backup NAS", "dc01"]
        r = client.put(
            f"{BASE}/series/{body['id']}",
            data=json.dumps({**SERIES, "ci_ids": [cis["fs01"].pk], "linked_objects": ["dc01"], "version": 1}),
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
        assert r.json()["cis"] == [{"id": cis["fs01"].pk, "name": "fs01"}]  # ci_ids wins
        listed = client.get(f"{BASE}/series").json()["items"]
        assert listed[0]["linked_objects"] == ["fs01"]

    def test_names_still_work_by_name_or_host_name(self, coordinator, cis, frozen):
        r = _post(client_for(coordinator), {**SERIES, "linked_objects": ["NAS-backup01", "dc01"]})
        assert r.status_code == 201, r.content
        assert [c["id"] for c in r.json()["cis"]] == [cis["nas"].pk, cis["dc01"].pk]

    def test_unknown_names_and_ids_are_400s_naming_them(self, coordinator, cis, frozen):
        client = client_for(coordinator)
        r = _post(client, {**SERIES, "linked_objects": ["dc01", "ghost01", "ghost02"]})
        assert r.status_code == 400
        message = r.json()["fields"]["linked_objects"]
        assert "ghost01" in message
        assert "ghost02" in message
        assert "dc01" not in message
        r = _post(client, {**SERIES, "linked_objects": ["dc01", "oldsrv"]})
        assert r.status_code == 400
        assert "oldsrv" in r.json()["fields"]["linked_objects"]
        r = _post(client, {**SERIES, "ci_ids": [cis["dc01"].pk, 987654]})
        assert r.status_code == 400
        assert "987654" in r.json()["fields"]["ci_ids"]
        r = _post(client, {**SERIES, "ci_ids": [cis["old"].pk]})
        assert r.status_code == 400
        assert "oldsrv" in r.json()["fields"]["ci_ids"]
        assert not ActivitySeries.objects.exists()


# --------------------------------------------------------------------------------------------------
# the CI page's section


class TestCiSection:
    def test_staff_see_the_active_series_with_next_and_overdue(self, coordinator, cis, caller, frozen):
        overdue = make_series(coordinator, name="Back-upcontrole", cis=[cis["fs01"]])
        overdue.occurrences.filter(planned_at=NOW).update(due_at=NOW - timedelta(hours=1))
        later = make_series(
            coordinator, name="Hersteltest", rule="FREQ=MONTHLY;BYMONTHDAY=10", cis=[cis["fs01"]]
        )
        stopped = make_series(coordinator, name="Gestopt", cis=[cis["fs01"]])
        services.deactivate_series(stopped, actor=coordinator, expected_version=stopped.version)
        page = client_for(coordinator).get(reverse("cmdb-item", args=[cis["fs01"].pk])).content.decode()
        assert "data-ci-activities" in page
        assert f'data-series="{overdue.pk}"' in page
        assert f'data-series="{later.pk}"' in page
        assert "Gestopt" not in page
        assert page.count("data-overdue") == 1
        request = RequestFactory().get("/")
        request.user = caller
        assert activities_section(request, cis["fs01"]) == ""

    def test_constant_queries(self, coordinator, cis, frozen):
        request = RequestFactory().get("/")
        request.user = coordinator

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                activities_section(request, cis["dc01"])
            return len(ctx.captured_queries)

        make_series(coordinator, name="een", cis=[cis["dc01"]])
        one = count()
        for i in range(25):
            make_series(coordinator, name=f"reeks {i:02d}", cis=[cis["dc01"]], lead_days=10)
        assert count() == one
        html = activities_section(request, cis["dc01"])
        assert html.count("data-series=") == 20


# --------------------------------------------------------------------------------------------------
# the data migration

migration = import_module("beheer.operations.migrations.0006_series_cis_from_names")


@pytest.mark.django_db
def test_the_migration_finds_or_creates_each_name_once(coordinator, cis, frozen):
    apps = (
        MigrationExecutor(connection).loader.project_state(("operations", "0006_series_cis_from_names")).apps
    )
    s = make_series(coordinator, cis=[])
    names = ["FS01", "nas-backup01", "Magister", "magister"]
    ActivitySeries.objects.filter(pk=s.pk).update(linked_objects=names)
    other = make_series(coordinator, name="Tweede", cis=[])
    ActivitySeries.objects.filter(pk=other.pk).update(linked_objects=["Magister"])
    before = ConfigurationItem.objects.count()
    migration.link_names(apps, None)
    created = ConfigurationItem.objects.get(name="Magister")
    assert created.ci_type == CiType.objects.get(code="unclassified")
    assert (created.host_name, created.status, created.version) == ("magister", "in_use", 1)
    assert ConfigurationItem.objects.count() == before + 1  # fs01 and nas-backup01 matched
    assert set(s.cis.all()) == {cis["fs01"], cis["nas"], created}
    assert list(other.cis.all()) == [created]
    s.refresh_from_db()
    assert s.linked_objects == names  # the original text stays
    links = sorted(
        ActivitySeries.cis.through.objects.values_list("activityseries_id", "configurationitem_id")
    )
    migration.link_names(apps, None)
    assert ConfigurationItem.objects.count() == before + 1
    assert (
        sorted(ActivitySeries.cis.through.objects.values_list("activityseries_id", "configurationitem_id"))
        == links
    )
