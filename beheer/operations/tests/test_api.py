"""The operations API: wiring, field errors on bad input, permissions and query counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beheer.core import clock
from beheer.operations.models import ActivitySeries, Evidence, Occurrence
from beheer.servicedesk.models import Melding
from tests.helpers import client_for

from .helpers import first_open, make_series

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BASE = "/api/v1/operations"


@pytest.fixture
def frozen():
    with clock.frozen(NOW):
        yield NOW


def post(client: Client, url: str, body: object) -> Any:
    return client.post(BASE + url, data=json.dumps(body), content_type="application/json")


SERIES = {
    "name": "Patchronde",
    "kind": "patch_round",
    "rule": "FREQ=MONTHLY;BYDAY=2TU",
    "start_date": "2026-01-01",
    "start_time": "19:00",
    "checklist": ["Updates goedkeuren", "Servers herstarten"],
}


class TestSeries:
    def test_create_read_update_deactivate(self, coordinator, first_line, frozen):
        client = client_for(coordinator)
        r = post(client, "/series", {**SERIES, "operator_group_id": first_line.pk})
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["operator_group"]["id"] == first_line.pk
        assert body["version"] == 1
        sid = body["id"]
        assert client.get(f"{BASE}/series/{sid}").json()["rule"] == "FREQ=MONTHLY;BYDAY=2TU"
        r = client.put(
            f"{BASE}/series/{sid}",
            data=json.dumps({**SERIES, "name": "Patchronde servers", "version": 1}),
            content_type="application/json",
        )
        assert r.status_code == 200
        assert r.json()["version"] == 2
        r = client.put(
            f"{BASE}/series/{sid}", data=json.dumps({**SERIES, "version": 1}), content_type="application/json"
        )
        assert r.status_code == 409
        r = post(client, f"/series/{sid}/deactivate", {"version": 2})
        assert r.status_code == 200
        assert r.json()["active"] is False
        listed = client.get(f"{BASE}/series?active=false").json()["items"]
        assert [s["id"] for s in listed] == [sid]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"rule": "FREQ=HOURLY"}, "rule"),
            ({"rule": "nonsense"}, "rule"),
            ({"time_zone": "Nowhere/Land"}, "time_zone"),
            ({"kind": "party"}, "kind"),
            ({"name": ""}, "name"),
            ({"lead_days": -1}, "lead_days"),
            ({"grace_hours": 10**12}, "grace_hours"),
            ({"start_date": "2026-02-31"}, "start_date"),
            ({"start_time": "25:00"}, "start_time"),
            ({"checklist": ["x" * 400]}, "checklist"),
            ({"operator_group_id": 999999}, "operator_group_id"),
            ({"assignee_id": 2**40}, "assignee_id"),
        ],
    )
    def test_bad_input_gives_field_errors(self, coordinator, frozen, change, field):
        r = post(client_for(coordinator), "/series", {**SERIES, **change})
        assert 400 <= r.status_code < 500
        assert field in r.json()["fields"]
        assert not ActivitySeries.objects.exists()

    def test_garbage_bodies_never_500(self, coordinator, frozen):
        client = client_for(coordinator)
        for body in ("", "null", "[]", '{"name": 1}', "{", '"x"'):
            r = client.post(f"{BASE}/series", data=body, content_type="application/json")
            assert 400 <= r.status_code < 500
        assert client.get(f"{BASE}/series?cursor=%%%").status_code == 400
        assert client.get(f"{BASE}/occurrences?status=weird").status_code == 400
        assert client.get(f"{BASE}/occurrences?scope=weird").status_code == 400
        assert client.get(f"{BASE}/occurrences?size=0").status_code == 422
        assert client.get(f"{BASE}/series/99999999999999999999").status_code in (404, 422)

    def test_operator_may_not_manage_series(self, operator, frozen):
        r = post(client_for(operator), "/series", SERIES)
        assert r.status_code == 403
        assert not ActivitySeries.objects.exists()

    def test_preview(self, operator, frozen):
        r = post(
            client_for(operator),
            "/series/preview",
            {"rule": "FREQ=WEEKLY;BYDAY=MO", "start_date": "2026-01-05", "start_time": "09:00"},
        )
        assert r.status_code == 200
        assert len(r.json()) == 5
        r = post(
            client_for(operator),
            "/series/preview",
            {"rule": "FREQ=X", "start_date": "2026-01-05", "start_time": "09:00"},
        )
        assert r.status_code == 400
        assert "rule" in r.json()["fields"]


class TestOccurrences:
    def test_complete_skip_anomaly(self, coordinator, operator, first_line, frozen):
        series = make_series(coordinator, operator_group=first_line)
        client = client_for(operator)
        occ = list(series.occurrences.order_by("planned_at"))
        r = post(
            client,
            f"/occurrences/{occ[0].pk}/complete",
            {"version": 1, "results": [{"done": True}, {"done": True, "remark": "ok"}], "minutes": 20},
        )
        assert r.status_code == 200
        assert r.json()["status"] == "done"
        assert r.json()["time_spent_minutes"] == 20
        r = post(client, f"/occurrences/{occ[1].pk}/skip", {"version": 1, "reason": ""})
        assert r.status_code == 400
        assert "reason" in r.json()["fields"]
        r = post(client, f"/occurrences/{occ[1].pk}/skip", {"version": 1, "reason": "Feestdag"})
        assert r.json()["status"] == "skipped"
        r = post(client, f"/occurrences/{occ[2].pk}/anomaly", {"version": 1, "reason": " "})
        assert r.status_code == 400
        assert "reason" in r.json()["fields"]
        first = post(
            client, f"/occurrences/{occ[2].pk}/anomaly", {"version": 1, "reason": "Schijf vol"}
        ).json()
        second = post(
            client, f"/occurrences/{occ[2].pk}/anomaly", {"version": 1, "reason": "Schijf vol"}
        ).json()
        assert first["melding"]["id"] == second["melding"]["id"]
        assert Melding.objects.count() == 1
        r = post(client, f"/occurrences/{occ[0].pk}/skip", {"version": 2, "reason": "x"})
        assert r.status_code == 409
        r = post(client, f"/occurrences/{occ[3].pk}/time", {"minutes": 0})
        assert r.status_code == 400
        assert "minutes" in r.json()["fields"]
        r = post(client, f"/occurrences/{occ[3].pk}/checklist", {"version": 1, "results": [{"done": True}]})
        assert r.status_code == 400
        assert "checklist" in r.json()["fields"]

    def test_list_filters(self, coordinator, operator, first_line, second_line, frozen):
        own = make_series(coordinator, operator_group=first_line, name="eigen")
        make_series(coordinator, operator_group=second_line, name="ander")
        mine = make_series(coordinator, operator_group=second_line, assignee=operator, name="mijn")
        client = client_for(operator)
        names = lambda q: {o["series"]["name"] for o in client.get(f"{BASE}/occurrences?{q}").json()["items"]}  # noqa: E731
        assert names("") == {"eigen", "mijn"}
        assert names("scope=mine") == {"mijn"}
        assert names("scope=team") == {"eigen"}
        assert names(f"series={own.pk}") == {"eigen"}
        assert names(f"assignee={operator.pk}") == {"mijn"}
        with clock.frozen(datetime(2026, 3, 4, 12, 0, tzinfo=UTC)):
            overdue = client.get(f"{BASE}/occurrences?overdue=true").json()["items"]
        assert {o["series"]["name"] for o in overdue} == {"eigen", "mijn"}
        assert all(o["overdue"] for o in overdue)
        assert len(overdue) == 2
        assert mine.pk

    def test_list_pages_with_constant_queries(self, coordinator, operator, frozen):
        make_series(coordinator, rule="FREQ=DAILY", lead_days=3)
        client = client_for(operator)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                r = client.get(f"{BASE}/occurrences?size=200")
            assert r.status_code == 200
            return len(ctx.captured_queries)

        small = count()
        for i in range(4):
            make_series(coordinator, rule="FREQ=DAILY", lead_days=10, name=f"reeks {i}")
        assert Occurrence.objects.count() > 40
        assert count() == small
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{BASE}/series").status_code == 200
        assert len(ctx.captured_queries) <= small + 1

    def test_cursor_walks_all(self, coordinator, operator, frozen):
        make_series(coordinator, rule="FREQ=DAILY", lead_days=12)
        client = client_for(operator)
        seen, cursor = [], ""
        while True:
            body = client.get(f"{BASE}/occurrences?size=5" + (f"&cursor={cursor}" if cursor else "")).json()
            seen += [o["id"] for o in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert seen == list(Occurrence.objects.order_by("due_at", "id").values_list("pk", flat=True))


class TestPermissions:
    def test_caller_gets_403_everywhere(self, coordinator, caller, frozen, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        series = make_series(coordinator)
        o = first_open(series)
        from django.core.files.uploadedfile import SimpleUploadedFile

        from beheer.operations import services

        e = services.add_evidence(
            o, upload=SimpleUploadedFile("canary.txt", b"CANARY-EVIDENCE"), actor=coordinator
        )
        client = client_for(caller)
        for url in (
            "/series",
            f"/series/{series.pk}",
            "/occurrences",
            f"/occurrences/{o.pk}",
            f"/occurrences/{o.pk}/evidence",
            f"/evidence/{e.pk}",
        ):
            r = client.get(BASE + url)
            assert r.status_code == 403, url
            assert b"CANARY" not in r.content
            assert b"Back-upcontrole" not in r.content
        for url, body in (
            (f"/occurrences/{o.pk}/complete", {"version": 1}),
            (f"/occurrences/{o.pk}/skip", {"version": 1, "reason": "x"}),
            (f"/occurrences/{o.pk}/anomaly", {"version": 1, "reason": "x"}),
            (f"/occurrences/{o.pk}/time", {"minutes": 5}),
            ("/series", SERIES),
        ):
            assert post(client, url, body).status_code == 403
        o.refresh_from_db()
        assert o.status == "open"
        assert o.time_spent_minutes == 0

    def test_anonymous_gets_401(self, coordinator, frozen):
        assert Client().get(f"{BASE}/occurrences").status_code == 401

    def test_operator_of_other_group_gets_404(
        self, coordinator, operator, second_line, frozen, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        series = make_series(coordinator, operator_group=second_line, name="CANARY-SERIES")
        o = first_open(series)
        from django.core.files.uploadedfile import SimpleUploadedFile

        from beheer.operations import services

        e = services.add_evidence(
            o, upload=SimpleUploadedFile("x.txt", b"CANARY-EVIDENCE"), actor=coordinator
        )
        client = client_for(operator)
        for url in (
            f"/series/{series.pk}",
            f"/occurrences/{o.pk}",
            f"/occurrences/{o.pk}/evidence",
            f"/evidence/{e.pk}",
        ):
            assert client.get(BASE + url).status_code == 404, url
        assert b"CANARY" not in client.get(f"{BASE}/occurrences").content
        assert b"CANARY" not in client.get(f"{BASE}/series").content
        assert post(client, f"/occurrences/{o.pk}/complete", {"version": 1}).status_code == 404
        r = client.post(f"{BASE}/occurrences/{o.pk}/evidence", {"file": SimpleUploadedFile("y.txt", b"y")})
        assert r.status_code == 404
        assert Evidence.objects.count() == 1

    def test_evidence_upload_and_download(self, coordinator, operator, frozen, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        o = first_open(make_series(coordinator))
        from django.core.files.uploadedfile import SimpleUploadedFile

        client = client_for(operator)
        r = client.post(
            f"{BASE}/occurrences/{o.pk}/evidence",
            {"file": SimpleUploadedFile("<img>.html", b"<script>1</script>")},
        )
        assert r.status_code == 201
        eid = r.json()["id"]
        r = client.get(f"{BASE}/evidence/{eid}")
        assert r.status_code == 200
        assert r["Content-Type"] == "application/octet-stream"
        assert r["X-Content-Type-Options"] == "nosniff"
        assert b"".join(r.streaming_content) == b"<script>1</script>"  # type: ignore[attr-defined]
        r = client.post(f"{BASE}/occurrences/{o.pk}/evidence", {"file": SimpleUploadedFile("leeg.txt", b"")})
        assert r.status_code == 400
        assert "file" in r.json()["fields"]
