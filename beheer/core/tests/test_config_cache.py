from __future__ import annotations

import pytest
from django.test import Client

from beheer.core import config_cache
from beheer.servicedesk import services
from beheer.servicedesk.models import Impact, Priority, PriorityMatrixCell, Urgency


@pytest.fixture
def caching(settings):
    settings.CONFIG_CACHE_SECONDS = 60
    config_cache.clear()
    yield
    config_cache.clear()


def test_nothing_is_cached_when_switched_off(settings):
    settings.CONFIG_CACHE_SECONDS = 0
    calls = []
    config_cache.cached("k", lambda: calls.append(1))
    config_cache.cached("k", lambda: calls.append(1))
    assert len(calls) == 2


def test_values_are_kept_until_cleared(caching):
    calls: list[str] = []

    def load(value: str) -> str:
        calls.append(value)
        return value

    assert config_cache.cached("k", lambda: load("v")) == "v"
    assert config_cache.cached("k", lambda: load("w")) == "v"
    config_cache.clear()
    assert config_cache.cached("k", lambda: load("w")) == "w"
    assert calls == ["v", "w"]


def test_values_expire(caching, settings, monkeypatch):
    import time

    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    assert config_cache.cached("k", lambda: 1) == 1
    now[0] += 59
    assert config_cache.cached("k", lambda: 2) == 1
    now[0] += 2
    assert config_cache.cached("k", lambda: 2) == 2


@pytest.mark.django_db
def test_the_priority_matrix_is_cached_and_a_change_in_the_admin_clears_it(caching, administrator):
    impact, urgency = Impact.objects.get(level=1), Urgency.objects.get(level=1)
    assert services.priority_for(impact, urgency).level == 1
    cell = PriorityMatrixCell.objects.get(impact=impact, urgency=urgency)
    p2 = Priority.objects.get(level=2)
    PriorityMatrixCell.objects.filter(pk=cell.pk).update(priority=p2)  # behind the cache's back
    assert services.priority_for(impact, urgency).level == 1
    client = Client()
    client.force_login(administrator)
    response = client.post(
        f"/beheer-admin/servicedesk/prioritymatrixcell/{cell.pk}/change/",
        {"impact": impact.pk, "urgency": urgency.pk, "priority": p2.pk},
    )
    assert response.status_code == 302
    assert services.priority_for(impact, urgency).level == 2


@pytest.mark.django_db
def test_rows_are_read_once_and_a_new_row_is_found_at_once(caching, django_assert_num_queries):
    from beheer.servicedesk.models import Category

    first = Category.objects.create(name="Printers")
    assert config_cache.row(Category, first.pk) == first  # loads the table
    with django_assert_num_queries(0):
        assert getattr(config_cache.row(Category, first.pk), "name", None) == "Printers"
    added = Category.objects.create(name="Beamers")  # not in the cached copy
    with django_assert_num_queries(1):
        assert config_cache.row(Category, added.pk) == added
    with django_assert_num_queries(0):
        assert config_cache.row(Category, added.pk) == added
    with django_assert_num_queries(1):
        assert config_cache.row(Category, 987654) is None


@pytest.mark.django_db
def test_registering_through_the_api_reads_no_configuration_rows(caching, operator, caller, first_line):
    from beheer.accounts.services import issue_api_token
    from beheer.servicedesk.models import Category, Impact, Urgency

    category = Category.objects.create(name="Netwerk")
    token = issue_api_token(operator, name="bench", actor=operator)[1]
    payload = {
        "brief_description": "Wifi valt weg",
        "entry_type": "phone",
        "caller_id": caller.pk,  # has an e-mail address: the acknowledgement goes to the outbox
        "category_id": category.pk,
        "impact_id": Impact.objects.get(level=1).pk,
        "urgency_id": Urgency.objects.get(level=1).pk,
        "operator_group_id": first_line.pk,
    }
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.post("/api/v1/meldingen", payload, content_type="application/json").status_code == 201
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/meldingen", payload, content_type="application/json")
    assert response.status_code == 201
    tables = " ".join(
        q["sql"].split(" FROM ")[-1][:40] for q in ctx.captured_queries if q["sql"].startswith("SELECT")
    )
    assert "servicedesk_category" not in tables
    assert "servicedesk_impact" not in tables
    # token, caller, begin, melding, history, search documents, the acknowledgement e-mail in the
    # outbox (one statement that also returns its id), commit
    assert len(ctx.captured_queries) <= 8, "\n".join(q["sql"][:100] for q in ctx.captured_queries)
