"""The problems API under /api/v1/problems: wiring, permissions, locking, bad input, query counts."""

from __future__ import annotations

from typing import Any

import pytest

from beheer.knowledge.models import Article, Kind
from beheer.problems import services as problem_services
from beheer.problems.models import Problem, ProblemStatus
from beheer.servicedesk.models import Impact, Note, StatusKind, Urgency
from beheer.servicedesk.tests.test_api import session_client, token_client

from .problem_helpers import fresh, linked_problem_id, make_melding, make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(operator):
    return token_client(operator)


def test_create_get_update(api, operator, first_line) -> None:
    impact, urgency = Impact.objects.order_by("level")[0], Urgency.objects.order_by("level")[0]
    r = api.post(
        "/problems",
        {
            "title": "Wifi valt weg",
            "impact_id": impact.pk,
            "urgency_id": urgency.pk,
            "operator_group_id": first_line.pk,
            "operator_id": operator.pk,
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    p = Problem.objects.get(pk=body["id"])
    assert body["number"] == p.number
    assert body["status"] == "registered"
    assert body["operator_group"]["id"] == first_line.pk
    assert api.get(f"/problems/{p.pk}").json()["title"] == "Wifi valt weg"
    update = {
        "version": body["version"],
        "title": "Wifi valt weg in B",
        "impact_id": impact.pk,
        "urgency_id": urgency.pk,
        "root_cause": "Firmware",
        "workaround": "Herstart",
    }
    r = api.put(f"/problems/{p.pk}", update)
    assert r.status_code == 200
    assert r.json()["root_cause"] == "Firmware"
    stale = api.put(f"/problems/{p.pk}", {**update, "title": "Anders"})
    assert stale.status_code == 409
    assert fresh(p).title == "Wifi valt weg in B"
    history = api.get(f"/problems/{p.pk}/history").json()
    assert [h["action"] for h in history][:1] == ["created"]
    assert any(h["field"] == "root_cause" for h in history)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": "x" * 201},
        {"title": "ok", "impact_id": 0},
        {"title": "ok", "impact_id": 999999},
        {"title": "ok", "operator_id": 999999},
        {"title": "ok", "impact_id": "abc"},
        {"title": "ok", "operator_group_id": 2**70},
        "not json",
        [],
    ],
)
def test_bad_create_input_is_4xx_with_fields(api, body: Any) -> None:
    r = api.post("/problems", body)
    assert 400 <= r.status_code < 500, r.content
    assert r.json().get("error")
    assert not Problem.objects.exists()


def test_actions_and_invalid_transitions(api, operator, coordinator) -> None:
    p = make_problem(operator)
    r = api.post(f"/problems/{p.pk}/known-error", {"version": p.version})
    assert r.status_code == 400
    assert "workaround" in r.json()["fields"]
    r = api.post(f"/problems/{p.pk}/analyse", {"version": p.version})
    assert r.status_code == 200
    assert r.json()["status"] == "analysing"
    assert api.post(f"/problems/{p.pk}/analyse", {}).status_code == 400  # already analysing
    assert api.post(f"/problems/{p.pk}/close", {}).status_code == 403  # operators do not close
    assert api.post(f"/problems/{p.pk}/reopen", {"reason": "x"}).status_code == 400
    assert api.post(f"/problems/{p.pk}/reopen", {"reason": ""}).status_code == 422
    r = api.post(f"/problems/{p.pk}/resolve", {"solution": "Klaar"})
    assert r.status_code == 200
    assert r.json()["problem"]["status"] == "resolved"
    coord = session_client(coordinator)
    assert coord.post(f"/problems/{p.pk}/close", {"version": 1}).status_code == 409
    r = coord.post(f"/problems/{p.pk}/close", {"version": fresh(p).version})
    assert r.status_code == 200
    assert r.json()["status"] == "closed"
    assert api.post(f"/problems/{p.pk}/reopen", {"reason": "terug"}).status_code == 409  # read-only
    assert api.get("/problems/999999").status_code == 404
    assert api.get(f"/problems/{2**70}").status_code in (404, 422)


def test_link_unlink_and_resolve_meldingen(api, operator, caller, first_line) -> None:
    p = make_problem(operator)
    a = make_melding(operator, caller, first_line)
    b = make_melding(operator, caller, first_line)
    for m in (a, b):
        r = api.post(f"/problems/{p.pk}/meldingen", {"melding_id": m.pk})
        assert r.status_code == 200
    assert [m["id"] for m in r.json()["meldingen"]] == [a.pk, b.pk]
    assert api.post(f"/problems/{p.pk}/meldingen", {"melding_id": 999999}).status_code == 404
    assert api.post(f"/problems/{p.pk}/meldingen", {"melding_id": "x"}).status_code == 422
    assert api.get(f"/meldingen/{a.pk}").json()["problem"] == {"id": p.pk, "number": p.number}
    r = api.delete(f"/problems/{p.pk}/meldingen/{b.pk}")
    assert r.status_code == 200
    assert linked_problem_id(b) is None
    assert api.get(f"/meldingen/{b.pk}").json()["problem"] is None
    problem_services.link_melding(p, melding=b, actor=operator)
    body = {"solution": "Firmware", "resolve_melding_ids": [a.pk], "note_others": True, "version": p.version}
    r = api.post(f"/problems/{p.pk}/resolve", body)
    assert r.status_code == 200
    assert {o["melding_id"]: o["outcome"] for o in r.json()["outcomes"]} == {a.pk: "resolved", b.pk: "noted"}
    assert fresh(a).status.kind == StatusKind.RESOLVED
    again = api.post(f"/problems/{p.pk}/resolve", body)
    assert again.status_code == 200
    assert {o["outcome"] for o in again.json()["outcomes"]} == {"skipped"}
    assert Note.objects.filter(melding=b).count() == 1


def test_known_error_article_endpoints(api, operator, administrator) -> None:
    p = make_problem(operator)
    r = api.post(f"/problems/{p.pk}/known-error-article", {})
    assert r.status_code == 400
    assert "workaround" in r.json()["fields"]
    problem_services.edit_problem(
        p,
        actor=operator,
        expected_version=None,
        title=p.title,
        description="",
        impact=p.impact,
        urgency=p.urgency,
        root_cause="",
        workaround="Herstart",
    )
    r = api.post(f"/problems/{p.pk}/known-error-article", {"audience": "operators"})
    assert r.status_code == 201
    article = Article.objects.get(pk=r.json()["known_error_article_id"])
    assert article.kind == Kind.KNOWN_ERROR
    assert (
        api.put(f"/problems/{p.pk}/known-error-article", {"article_id": None}).json()[
            "known_error_article_id"
        ]
        is None
    )
    from beheer.knowledge.services import create_article

    secret = create_article(actor=administrator, title="Geheim", audience="administrators")
    r = api.put(f"/problems/{p.pk}/known-error-article", {"article_id": secret.pk})
    assert r.status_code == 400
    assert "article_id" in r.json()["fields"]
    r = api.put(f"/problems/{p.pk}/known-error-article", {"article_id": article.pk})
    assert r.json()["known_error_article_id"] == article.pk
    assert api.post(f"/problems/{p.pk}/known-error-article", {"audience": "nobody"}).status_code == 422


def test_list_filters_paging_and_query_count(
    api, operator, specialist, second_line, caller, first_line, django_assert_max_num_queries: Any
) -> None:
    def make(n: int) -> list[Problem]:
        made = []
        for i in range(n):
            p = make_problem(operator, title=f"Netwerk {i}", operator_group=first_line, operator=operator)
            problem_services.link_melding(
                p, melding=make_melding(operator, caller, first_line), actor=operator
            )
            made.append(p)
        return made

    make(3)
    api.get("/problems")
    with django_assert_max_num_queries(12) as few:
        assert api.get("/problems").status_code == 200
    make(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = api.get("/problems")
    assert len(r.json()["items"]) == 15
    assert all(item["linked_meldingen"] == 1 for item in r.json()["items"])
    # paging
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = api.get("/problems", **params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 15
    # filters
    other = make_problem(operator, title="Printer kapot")
    problem_services.assign_problem(
        other, operator_group=second_line, operator=specialist, actor=operator, expected_version=None
    )
    assert [i["id"] for i in api.get("/problems", operator_group=second_line.pk).json()["items"]] == [
        other.pk
    ]
    assert [i["id"] for i in api.get("/problems", operator=specialist.pk).json()["items"]] == [other.pk]
    assert [i["id"] for i in api.get("/problems", q="printer").json()["items"]] == [other.pk]
    linked = Problem.objects.filter(melding_links__isnull=False).first()
    assert linked is not None
    melding_id = linked.melding_links.get().melding_id
    items = api.get("/problems", melding=melding_id, status="all").json()["items"]
    assert [i["id"] for i in items] == [linked.pk]
    assert api.get("/problems", status="resolved").json()["items"] == []
    assert len(api.get("/problems", status="all").json()["items"]) == 16
    for bad in ({"limit": 0}, {"status": "bogus"}, {"cursor": "%%%"}, {"operator": "x"}, {"operator": 0}):
        r = api.get("/problems", **bad)
        assert 400 <= r.status_code < 500, bad


def test_callers_get_403_on_every_endpoint(caller, operator, melding) -> None:
    p = make_problem(operator)
    c = token_client(caller)
    assert c.get("/problems").status_code == 403
    assert c.get(f"/problems/{p.pk}").status_code == 403
    assert c.get(f"/problems/{p.pk}/history").status_code == 403
    assert c.post("/problems", {"title": "x"}).status_code == 403
    assert (
        c.put(f"/problems/{p.pk}", {"version": 1, "title": "x", "impact_id": 1, "urgency_id": 1}).status_code
        == 403
    )
    for action in ("analyse", "known-error", "close", "reopen", "resolve", "known-error-article"):
        assert c.post(f"/problems/{p.pk}/{action}", {"reason": "x", "solution": "x"}).status_code == 403, (
            action
        )
    assert c.post(f"/problems/{p.pk}/meldingen", {"melding_id": melding.pk}).status_code == 403
    assert c.delete(f"/problems/{p.pk}/meldingen/{melding.pk}").status_code == 403
    assert fresh(p).status == ProblemStatus.REGISTERED
    assert linked_problem_id(melding) is None
