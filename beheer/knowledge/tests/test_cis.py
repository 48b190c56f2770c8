"""Articles that document configuration items: the link through the services (with the CI's
history), the edit form, the article and CI pages, the API (`ci_ids`, `?ci=`), and who sees what: a
caller never sees the links, an operator never an article for administrators."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beheer.accounts.models import User
from beheer.cmdb import services as cmdb_services
from beheer.cmdb.models import CiHistoryEntry, CiType, ConfigurationItem
from beheer.core.errors import DomainError, PermissionDenied
from beheer.knowledge import services
from beheer.knowledge.models import Article, ArticleCi, Kind
from tests.helpers import client_for

from .helpers import published

pytestmark = pytest.mark.django_db

API = "/api/v1/knowledge"
EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _ci(actor: User, name: str) -> ConfigurationItem:
    server = CiType.objects.get(code="server")
    return cmdb_services.create_item(actor=actor, data=cmdb_services.ItemData(name=name, ci_type=server))


def _doc(author: User, title: str, **kwargs: Any) -> Article:
    return published(author, title=title, body="Runbook", kind=Kind.SYSTEM_DOC, **kwargs)


def test_linking_records_the_change_in_each_ci_history(operator: User) -> None:
    hv01, hv02 = _ci(operator, "hv01"), _ci(operator, "hv02")
    article = _doc(operator, "Hyper-V cluster")
    services.set_article_cis(article, actor=operator, ci_ids=[hv01.pk, hv02.pk, hv01.pk])
    assert set(ArticleCi.objects.filter(article=article).values_list("ci_id", flat=True)) == {
        hv01.pk,
        hv02.pk,
    }
    services.set_article_cis(article, actor=operator, ci_ids=[hv02.pk])
    rows = CiHistoryEntry.objects.filter(field="documents").order_by("id")
    assert [(r.ci_id, r.old_value, r.new_value) for r in rows] == [
        (hv01.pk, "", f"#{article.pk} Hyper-V cluster"),
        (hv02.pk, "", f"#{article.pk} Hyper-V cluster"),
        (hv01.pk, f"#{article.pk} Hyper-V cluster", ""),
    ]
    # the same set again changes nothing and records nothing
    services.set_article_cis(article, actor=operator, ci_ids=[hv02.pk])
    assert rows.count() == 3


def test_unknown_cis_and_callers_are_refused(operator: User, caller: User) -> None:
    article = _doc(operator, "Backups")
    with pytest.raises(DomainError) as refused:
        services.set_article_cis(article, actor=operator, ci_ids=[987654])
    assert "cis" in refused.value.field_errors
    with pytest.raises(PermissionDenied):
        services.set_article_cis(article, actor=caller, ci_ids=[])


def test_an_admin_article_is_named_by_number_in_the_ci_history(administrator: User) -> None:
    fw = _ci(administrator, "fw01")
    article = services.create_article(
        actor=administrator, title="Firewall secrets", audience="administrators", ci_ids=[fw.pk]
    )
    row = CiHistoryEntry.objects.get(field="documents")
    assert row.new_value == f"#{article.pk}"


def test_edit_form_links_by_name_or_number_and_names_the_unknown(operator: User) -> None:
    hv01, nas = _ci(operator, "hv01"), _ci(operator, "nas01")
    article = _doc(operator, "Storage")
    web = client_for(operator)
    form = web.get(f"/kennisbank/{article.pk}/edit/", **EN)
    assert form.status_code == 200
    assert 'name="cis"' in form.content.decode()
    data = {
        "version": Article.objects.get(pk=article.pk).version,
        "title": "Storage",
        "kind": "system_doc",
        "audience": "operators",
        "body": "Runbook",
        "review_interval_days": 365,
        "cis": f"hv01, #{nas.pk}",
    }
    saved = web.post(f"/kennisbank/{article.pk}/edit/", data)
    assert saved.status_code == 302
    assert set(ArticleCi.objects.values_list("ci_id", flat=True)) == {hv01.pk, nas.pk}
    bad = web.post(f"/kennisbank/{article.pk}/edit/", {**data, "cis": "nosuchbox", "version": 99}, **EN)
    assert bad.status_code == 200
    assert "Unknown configuration item: nosuchbox" in bad.content.decode()
    page = web.get(f"/kennisbank/{article.pk}/", **EN).content.decode()
    assert "data-article-cis" in page
    assert "nas01" in page


def test_ci_page_shows_the_documents_the_reader_may_read(operator: User, administrator: User) -> None:
    hv01 = _ci(operator, "hv01")
    ops = _doc(operator, "Operators runbook", ci_ids=[hv01.pk])
    secret = _doc(administrator, "Admin-only runbook", audience="administrators", ci_ids=[hv01.pk])
    as_operator = client_for(operator).get(f"/cmdb/{hv01.pk}/", **EN).content.decode()
    assert "data-ci-documents" in as_operator
    assert "Operators runbook" in as_operator
    assert "Admin-only runbook" not in as_operator
    as_admin = client_for(administrator).get(f"/cmdb/{hv01.pk}/", **EN).content.decode()
    assert "Admin-only runbook" in as_admin
    assert ops.pk != secret.pk


def test_the_ci_page_section_costs_one_query_whatever_it_lists(operator: User) -> None:
    from beheer.knowledge.configuration_items import ci_page_section

    hv01 = _ci(operator, "hv01")

    class Request:
        user = operator

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            ci_page_section(Request(), hv01)
        return len(ctx.captured_queries)

    _doc(operator, "one", ci_ids=[hv01.pk])
    first = count()
    for n in range(5):
        _doc(operator, f"more {n}", ci_ids=[hv01.pk])
    assert count() == first == 1


def test_api_ci_ids_filter_and_callers(operator: User, caller: User) -> None:
    hv01, hv02 = _ci(operator, "hv01"), _ci(operator, "hv02")
    api = client_for(operator)
    body = {"title": "Switch docs", "kind": "system_doc", "audience": "callers", "ci_ids": [hv01.pk]}
    created = api.post(f"{API}/articles", data=json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    article = created.json()
    assert article["ci_ids"] == [hv01.pk]
    assert article["cis"] == [{"id": hv01.pk, "name": "hv01"}]
    changed = api.put(
        f"{API}/articles/{article['id']}/cis",
        data=json.dumps({"ci_ids": [hv02.pk]}),
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert changed.json()["ci_ids"] == [hv02.pk]
    bad = api.put(
        f"{API}/articles/{article['id']}/cis",
        data=json.dumps({"ci_ids": [999999]}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "cis" in bad.json()["fields"]
    listed = api.get(f"{API}/articles?ci={hv02.pk}").json()["items"]
    assert [a["id"] for a in listed] == [article["id"]]
    assert api.get(f"{API}/articles?ci={hv01.pk}").json()["items"] == []
    services.publish(
        Article.objects.get(pk=article["id"]), actor=operator, expected_version=article["version"] + 0
    )
    # a caller reads the published article but never its configuration items, nor filters by them
    as_caller = client_for(caller)
    detail = as_caller.get(f"{API}/articles/{article['id']}")
    assert detail.status_code == 200
    assert detail.json()["ci_ids"] == []
    assert detail.json()["cis"] == []
    assert as_caller.get(f"{API}/articles?ci={hv02.pk}").json()["items"] == []
    refused = as_caller.put(
        f"{API}/articles/{article['id']}/cis",
        data=json.dumps({"ci_ids": []}),
        content_type="application/json",
    )
    assert refused.status_code in {403, 404}
    assert ArticleCi.objects.filter(article_id=article["id"]).count() == 1
