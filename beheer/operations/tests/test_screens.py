"""The operations screens: wiring, permissions, escaping, query counts and the dashboard figure."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beheer.core import clock
from beheer.operations import services
from beheer.operations.models import ActivitySeries, Occurrence
from beheer.reports.dashboard import Scope, build_dashboard
from beheer.servicedesk.models import Melding
from tests.helpers import client_for

from .helpers import ci_named, first_open, make_series

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # the occurrence of 2 March is overdue
XSS = '<script>alert("x")</script>'


@pytest.fixture
def frozen():
    with clock.frozen(NOW):
        yield NOW


def action(o: Occurrence, name: str) -> str:
    return reverse("operations-occurrence-action", args=[o.pk, name])


class TestOccurrenceScreens:
    def test_list_and_detail(self, coordinator, operator, first_line, frozen):
        series = make_series(coordinator, operator_group=first_line)
        client = client_for(operator)
        r = client.get(reverse("operations-occurrences"))
        assert r.status_code == 200
        assert r.content.count(b"data-occurrence=") == series.occurrences.count()
        o = first_open(series)
        r = client.get(reverse("operations-occurrence", args=[o.pk]))
        assert r.status_code == 200
        assert b'name="done_1"' in r.content
        assert b"data-confirm" in r.content

    def test_filters_and_bad_input(self, coordinator, operator, first_line, frozen):
        make_series(coordinator, operator_group=first_line)
        client = client_for(operator)
        with clock.frozen(LATER):
            r = client.get(reverse("operations-occurrences") + "?scope=all&overdue=1")
        assert r.content.count(b"data-occurrence=") == 1
        for query in (
            "?status=nope",
            "?scope=<x>",
            "?operator_group=abc",
            "?cursor=!!",
            "?series=-4",
            "?assignee=9" * 3,
        ):
            assert client.get(reverse("operations-occurrences") + query).status_code == 200

    def test_done_via_form(self, coordinator, operator, frozen):
        o = first_open(make_series(coordinator))
        client = client_for(operator)
        r = client.post(
            action(o, "done"),
            {"version": o.version, "done_0": "on", "remark_1": "niet gedaan", "minutes": "12"},
        )
        assert r.status_code == 302
        o.refresh_from_db()
        assert o.status == "done"
        assert o.time_spent_minutes == 12
        assert [x["done"] for x in o.checklist_results] == [True, False]
        assert o.checklist_results[1]["remark"] == "niet gedaan"

    def test_skip_without_reason_shows_error_and_keeps_input(self, coordinator, operator, frozen):
        o = first_open(make_series(coordinator))
        client = client_for(operator)
        r = client.post(action(o, "skip"), {"version": o.version, "remark_0": "typed-remark", "reason": ""})
        assert r.status_code == 400
        assert b"typed-remark" in r.content
        assert b"errorlist" in r.content
        o.refresh_from_db()
        assert o.status == "open"

    def test_anomaly_twice_opens_one_melding(self, coordinator, operator, frozen):
        o = first_open(make_series(coordinator))
        client = client_for(operator)
        data = {"version": o.version, "reason": "Back-up mislukt"}
        assert client.post(action(o, "anomaly"), data).status_code == 302
        assert client.post(action(o, "anomaly"), data).status_code == 302
        assert Melding.objects.count() == 1
        o.refresh_from_db()
        r = client.get(reverse("operations-occurrence", args=[o.pk]))
        assert reverse("melding-detail", args=[o.melding_id]).encode() in r.content

    def test_stale_version_is_409_not_500(self, coordinator, operator, frozen):
        o = first_open(make_series(coordinator))
        r = client_for(operator).post(action(o, "done"), {"version": o.version + 5})
        assert r.status_code == 409

    def test_garbage_posts_never_500(self, coordinator, operator, frozen):
        o = first_open(make_series(coordinator))
        client = client_for(operator)
        for name, data in [
            ("done", {}),
            ("done", {"version": "x", "minutes": "-3"}),
            ("save", {"version": o.version, "minutes": "99999"}),
            ("time", {"time-minutes": "abc"}),
            ("time", {"time-minutes": "0"}),
            ("evidence", {}),
            ("nonsense", {}),
        ]:
            r = client.post(action(o, name), data)
            assert r.status_code in (400, 404), (name, r.status_code)
        o.refresh_from_db()
        assert o.status == "open"
        assert o.time_spent_minutes == 0

    def test_time_and_evidence(self, coordinator, operator, frozen, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        o = first_open(make_series(coordinator))
        client = client_for(operator)
        assert client.post(action(o, "time"), {"time-minutes": "25"}).status_code == 302
        r = client.post(action(o, "evidence"), {"file": SimpleUploadedFile("log.txt", b"ok")})
        assert r.status_code == 302
        o.refresh_from_db()
        assert o.time_spent_minutes == 25
        e = o.evidence.get()
        r = client.get(reverse("operations-evidence", args=[e.pk]))
        assert r.status_code == 200
        assert r["X-Content-Type-Options"] == "nosniff"

    def test_list_query_count_is_constant(self, coordinator, operator, frozen):
        make_series(coordinator, rule="FREQ=DAILY", lead_days=2)
        client = client_for(operator)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("operations-occurrences") + "?scope=all").status_code == 200
            return len(ctx.captured_queries)

        small = count()
        for i in range(3):
            make_series(coordinator, rule="FREQ=DAILY", lead_days=10, name=f"r{i}")
        assert count() == small
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("operations-series")).status_code == 200
        assert len(ctx.captured_queries) <= small


class TestSeriesScreens:
    def form(self, **changes: str) -> dict[str, object]:
        data: dict[str, object] = {
            "name": "UPS-test",
            "kind": "ups_test",
            "checklist": "Accu's testen\nLogboek bijwerken\n",
            "rule_0": "WEEKLY",
            "rule_1": "1",
            "rule_2": ["MO", "TH"],
            "rule_8": "never",
            "start_date": "2026-01-05",
            "start_time": "10:00",
            "time_zone": "Europe/Amsterdam",
            "lead_days": "30",
            "grace_hours": "24",
            "cis": "ups01, UPS02",
        }
        data.update(changes)
        return data

    def test_create_with_picker_edit_and_stop(self, coordinator, frozen):
        ci_named(coordinator, "ups01")
        ci_named(coordinator, "ups02")
        client = client_for(coordinator)
        r = client.post(reverse("operations-series-create"), self.form())
        assert r.status_code == 302
        s = ActivitySeries.objects.get()
        assert s.rule == "FREQ=WEEKLY;BYDAY=MO,TH"
        assert s.checklist == ["Accu's testen", "Logboek bijwerken"]
        assert s.linked_objects == ["ups01", "ups02"]
        assert sorted(s.cis.values_list("name", flat=True)) == ["ups01", "ups02"]
        r = client.get(reverse("operations-series-edit", args=[s.pk]))
        assert r.status_code == 200
        assert re.search(rb'value="TH"[^>]*checked', r.content)
        assert not re.search(rb'value="FR"[^>]*checked', r.content)
        data = self.form(rule_0="MONTHLY", rule_1="3", rule_3="day", rule_4="1", version=str(s.version))
        assert client.post(reverse("operations-series-edit", args=[s.pk]), data).status_code == 302
        s.refresh_from_db()
        assert s.rule == "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1"
        assert s.version == 2
        r = client.post(reverse("operations-series-toggle", args=[s.pk]), {"version": s.version})
        assert r.status_code == 302
        s.refresh_from_db()
        assert not s.active

    def test_bad_rule_shows_error(self, coordinator, frozen):
        client = client_for(coordinator)
        r = client.post(reverse("operations-series-create"), self.form(rule_0="keep", rule_11="FREQ=HOURLY"))
        assert r.status_code == 400
        assert b"errorlist" in r.content
        r = client.post(reverse("operations-series-create"), self.form(start_date="gisteren"))
        assert r.status_code == 400
        assert not ActivitySeries.objects.exists()

    def test_preview(self, operator, frozen):
        client = client_for(operator)
        r = client.post(reverse("operations-preview"), self.form(), HTTP_HX_REQUEST="true")
        assert r.status_code == 200
        assert r.content.count(b"<li>") == 5
        r = client.post(reverse("operations-preview"), self.form(rule_0="keep", rule_11=XSS))
        assert r.status_code == 200
        assert b"<script>" not in r.content
        assert b'role="alert"' in r.content

    def test_operator_sees_but_does_not_manage(self, coordinator, operator, frozen):
        s = make_series(coordinator)
        client = client_for(operator)
        assert client.get(reverse("operations-series")).status_code == 200
        assert client.get(reverse("operations-series-detail", args=[s.pk])).status_code == 200
        assert client.get(reverse("operations-series-create")).status_code == 404
        assert client.get(reverse("operations-series-edit", args=[s.pk])).status_code == 404
        assert (
            client.post(reverse("operations-series-toggle", args=[s.pk]), {"version": 1}).status_code == 404
        )
        s.refresh_from_db()
        assert s.active


class TestPermissions:
    def test_caller_and_anonymous(self, coordinator, caller, frozen, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        s = make_series(coordinator)
        o = first_open(s)
        e = services.add_evidence(o, upload=SimpleUploadedFile("c.txt", b"CANARY"), actor=coordinator)
        urls = [
            reverse("operations-occurrences"),
            reverse("operations-occurrence", args=[o.pk]),
            reverse("operations-evidence", args=[e.pk]),
            reverse("operations-series"),
            reverse("operations-series-detail", args=[s.pk]),
            reverse("operations-series-create"),
        ]
        client = client_for(caller)
        for url in urls:
            r = client.get(url)
            assert r.status_code == 404, url
            assert b"Back-upcontrole" not in r.content
            assert b"CANARY" not in r.content
        assert client.post(action(o, "done"), {"version": o.version}).status_code == 404
        for url in urls:
            assert Client().get(url).status_code == 302  # to the login page
        o.refresh_from_db()
        assert o.status == "open"

    def test_operator_of_other_group(self, coordinator, operator, second_line, frozen):
        s = make_series(coordinator, operator_group=second_line, name="CANARY-SERIES")
        o = first_open(s)
        client = client_for(operator)
        assert client.get(reverse("operations-occurrence", args=[o.pk])).status_code == 404
        assert client.get(reverse("operations-series-detail", args=[s.pk])).status_code == 404
        assert client.post(action(o, "skip"), {"version": o.version, "reason": "x"}).status_code == 404
        assert b"CANARY" not in client.get(reverse("operations-occurrences") + "?scope=all").content
        assert b"CANARY" not in client.get(reverse("operations-series") + "?show=all").content
        o.refresh_from_db()
        assert o.status == "open"


class TestEscaping:
    def test_xss_in_name_checklist_objects_and_reason(self, coordinator, operator, frozen):
        s = make_series(
            coordinator, name=XSS, checklist=[XSS, "ok"], cis=[ci_named(coordinator, XSS)], description=XSS
        )
        occurrences = list(s.occurrences.order_by("planned_at"))
        services.skip_occurrence(occurrences[1], reason=XSS, actor=operator, expected_version=1)
        client = client_for(coordinator)
        pages = [
            reverse("operations-occurrences") + "?scope=all",
            reverse("operations-occurrence", args=[occurrences[0].pk]),
            reverse("operations-occurrence", args=[occurrences[1].pk]),
            reverse("operations-series"),
            reverse("operations-series-detail", args=[s.pk]),
            reverse("operations-series-edit", args=[s.pk]),
        ]
        for url in pages:
            r = client.get(url)
            assert r.status_code == 200, url
            assert XSS.encode() not in r.content, url
            assert b"&lt;script&gt;" in r.content, url


class TestDashboard:
    def test_overdue_figure_counts_and_links(
        self, coordinator, operator, specialist, first_line, second_line, frozen
    ):
        make_series(coordinator, operator_group=first_line, name="eigen")
        make_series(coordinator, operator_group=second_line, name="ander")
        done = first_open(make_series(coordinator, operator_group=first_line, name="klaar"))
        services.complete_occurrence(done, actor=operator, expected_version=1)
        with clock.frozen(LATER):
            assert build_dashboard(coordinator, Scope())["preventive_overdue"].count == 2
            assert build_dashboard(operator, Scope())["preventive_overdue"].count == 1
            mine = Scope("mine", tuple(operator.operator_groups.values_list("pk", flat=True)))
            figure = build_dashboard(operator, mine)["preventive_overdue"]
            assert figure.count == 1
            client = client_for(operator)
            r = client.get(figure.url)
            assert r.status_code == 200
            assert r.content.count(b"data-occurrence=") == 1
            r = client.get("/dashboard/")
            assert b'data-figure="preventive_overdue" data-count="1"' in r.content
            body = client.get("/api/v1/reports/dashboard").json()
            assert body["figures"]["preventive_overdue"]["count"] == 1
        with clock.frozen(NOW):
            assert build_dashboard(coordinator, Scope())["preventive_overdue"].count == 0

    def test_caller_has_no_dashboard(self, caller):
        assert client_for(caller).get("/dashboard/").status_code == 403
