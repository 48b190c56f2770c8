"""The check page names the likely cause: the check's CI with its link, its upward impact (services
and people affected) and the common upstream CI that several failing checks or open meldingen share;
the API's check detail has it as `likely_cause`; bounded queries; callers see none of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beheer.cmdb import services as cmdb
from beheer.cmdb.models import RelationKind
from beheer.monitoring.cmdb_links import check_ci_panel
from beheer.monitoring.models import Check
from tests.helpers import client_for

from .test_check_ci import _english_and_frozen, make_check, make_ci, probe_fails  # noqa: F401

pytestmark = pytest.mark.django_db


def _switch_with_servers(admin: Any, n: int) -> tuple[Any, list[Any], Any]:
    """A core switch with `n` servers behind it and a service resting on each server."""
    switch = make_ci(admin, "sw-core01", code="switch")
    service = make_ci(admin, "Leerlingvolgsysteem", code="service")
    servers = []
    for i in range(n):
        server = make_ci(admin, f"srv{i:02d}")
        cmdb.add_relation(server, actor=admin, target=switch, kind=RelationKind.CONNECTED_TO)
        cmdb.add_relation(server, actor=admin, target=service, kind=RelationKind.PART_OF)
        servers.append(server)
    return switch, servers, service


def test_the_check_page_names_the_common_cause_of_failing_checks(operator, administrator, caller):
    switch, servers, _service = _switch_with_servers(administrator, 3)
    checks = [make_check(operator, f"check{i}", ci=s) for i, s in enumerate(servers)]
    for c in checks:
        probe_fails(c)
    page = client_for(operator).get(f"/monitoring/checks/{checks[0].pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/cmdb/{servers[0].pk}/"' in html
    assert "data-check-ci-impact" in html
    assert "1 service affected" in html
    assert "Leerlingvolgsysteem" in html
    assert "data-check-ci-cause" in html
    assert f'href="/cmdb/{switch.pk}/"' in html
    assert "shared with 2 other configuration items in trouble" in html
    detail = client_for(operator).get(f"/api/v1/monitoring/checks/{checks[0].pk}").json()
    assert detail["likely_cause"] == {"id": switch.pk, "name": "sw-core01", "shared": 2}
    # callers never reach a check, by the page or the API
    assert client_for(caller).get(f"/monitoring/checks/{checks[0].pk}/").status_code in {403, 404}
    assert client_for(caller).get(f"/api/v1/monitoring/checks/{checks[0].pk}").status_code in {403, 404}


def test_one_failing_check_has_no_common_cause_and_a_check_without_ci_no_section(operator, administrator):
    _switch, servers, _service = _switch_with_servers(administrator, 2)
    alone = make_check(operator, "alone", ci=servers[0])
    probe_fails(alone)
    html = (
        client_for(operator)
        .get(f"/monitoring/checks/{alone.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "data-check-ci-impact" in html
    assert "data-check-ci-cause" not in html
    assert client_for(operator).get(f"/api/v1/monitoring/checks/{alone.pk}").json()["likely_cause"] is None
    bare = make_check(operator, "bare")
    html = (
        client_for(operator).get(f"/monitoring/checks/{bare.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert "data-check-ci-impact" not in html


def test_the_panel_costs_the_same_queries_whatever_is_in_trouble(operator, administrator):
    def count(check: Check) -> int:
        fresh = Check.objects.select_related("ci").get(pk=check.pk)
        with CaptureQueriesContext(connection) as ctx:
            panel = check_ci_panel(fresh, operator)
        assert panel is not None
        assert panel.cause is not None
        return len(ctx.captured_queries)

    _switch, servers, _service = _switch_with_servers(administrator, 6)
    checks = [make_check(operator, f"c{i}", ci=s) for i, s in enumerate(servers)]
    for c in checks[:2]:
        probe_fails(c)
    few = count(checks[0])
    for c in checks[2:]:
        probe_fails(c)
    assert count(checks[0]) == few
    assert few <= 12
