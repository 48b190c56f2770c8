"""The problem screens: list, register, edit, actions, resolve with the confirmation screen, the melding
page's problem panel; permissions, query counts and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from beheer.knowledge.models import Article, Kind
from beheer.problems import services as problem_services
from beheer.problems.models import Problem, ProblemStatus
from beheer.servicedesk.models import Impact, Note, StatusKind, Urgency
from tests.helpers import client_for

from .problem_helpers import fresh, linked_problem_id, make_melding, make_problem

pytestmark = pytest.mark.django_db


def test_register_a_problem(operator_client: Client, operator, first_line) -> None:
    impact, urgency = Impact.objects.order_by("level")[0], Urgency.objects.order_by("level")[0]
    assert operator_client.get("/problems/new/").status_code == 200
    response = operator_client.post(
        "/problems/new/",
        {
            "title": "Wifi valt weg",
            "description": "Gebouw B",
            "impact": impact.pk,
            "urgency": urgency.pk,
            "operator_group": first_line.pk,
            "operator": operator.pk,
            "root_cause": "",
            "workaround": "",
        },
    )
    p = Problem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/problems/{p.pk}/"
    assert (p.title, p.operator_group, p.operator, p.impact) == (
        "Wifi valt weg",
        first_line,
        operator,
        impact,
    )
    page = operator_client.get(f"/problems/{p.pk}/")
    assert page.status_code == 200
    assert p.number in page.content.decode()


def test_register_with_bad_input_is_400_not_500(operator_client: Client, specialist, first_line) -> None:
    assert operator_client.post("/problems/new/", {"title": ""}).status_code == 400
    assert operator_client.post("/problems/new/", {"title": "x" * 500, "impact": "abc"}).status_code == 400
    impact, urgency = Impact.objects.all()[0], Urgency.objects.all()[0]
    response = operator_client.post(
        "/problems/new/",
        {
            "title": "Wifi",
            "impact": impact.pk,
            "urgency": urgency.pk,
            "operator_group": first_line.pk,
            "operator": specialist.pk,
        },
    )
    assert response.status_code == 400
    assert "operator" in response.context["form"].errors
    assert not Problem.objects.exists()


def test_edit_with_a_stale_version_is_a_conflict(operator_client: Client, operator) -> None:
    p = make_problem(operator)
    data = {
        "version": p.version,
        "title": "Nieuwe titel",
        "impact": p.impact_id,
        "urgency": p.urgency_id,
        "description": "",
        "root_cause": "Oorzaak",
        "workaround": "",
    }
    assert operator_client.get(f"/problems/{p.pk}/edit/").status_code == 200
    assert operator_client.post(f"/problems/{p.pk}/edit/", data).status_code == 302
    assert fresh(p).title == "Nieuwe titel"
    assert fresh(p).root_cause == "Oorzaak"
    response = operator_client.post(f"/problems/{p.pk}/edit/", {**data, "title": "Weer anders"})
    assert response.status_code == 409
    assert fresh(p).title == "Nieuwe titel"


def test_status_actions_from_the_page(operator_client: Client, operator, coordinator) -> None:
    p = make_problem(operator, workaround="Herstart")
    r = operator_client.post(f"/problems/{p.pk}/analyse/", {"analyse-version": p.version})
    assert r.status_code == 302
    p = fresh(p)
    assert p.status == ProblemStatus.ANALYSING
    assert (
        operator_client.post(f"/problems/{p.pk}/known_error/", {"known_error-version": p.version}).status_code
        == 302
    )
    p = fresh(p)
    assert p.status == ProblemStatus.KNOWN_ERROR
    # an invalid transition is refused with a 400 and changes nothing
    assert (
        operator_client.post(f"/problems/{p.pk}/analyse/", {"analyse-version": p.version}).status_code == 400
    )
    assert operator_client.post(f"/problems/{p.pk}/nonsense/", {}).status_code == 404
    problem_services.resolve_problem(
        p, solution="Klaar", resolve_meldingen=None, note_others=False, actor=operator, expected_version=None
    )
    p = fresh(p)
    # closing needs a coordinator: the operator gets 403 and no close button
    assert "close-version" not in operator_client.get(f"/problems/{p.pk}/").content.decode()
    assert operator_client.post(f"/problems/{p.pk}/close/", {"close-version": p.version}).status_code == 403
    coordinator_client = client_for(coordinator)
    assert "close-version" in coordinator_client.get(f"/problems/{p.pk}/").content.decode()
    assert (
        coordinator_client.post(f"/problems/{p.pk}/close/", {"close-version": p.version}).status_code == 302
    )
    assert fresh(p).status == ProblemStatus.CLOSED
    # closed: read-only
    r = coordinator_client.post(
        f"/problems/{p.pk}/reopen/", {"reopen-version": fresh(p).version, "reopen-reason": "x"}
    )
    assert r.status_code in (404, 409)
    assert fresh(p).status == ProblemStatus.CLOSED


def test_link_and_unlink_meldingen_from_the_problem_page(
    operator_client: Client, operator, caller, melding
) -> None:
    p = make_problem(operator)
    r = operator_client.post(
        f"/problems/{p.pk}/link/", {"link-version": p.version, "link-number": melding.number}
    )
    assert r.status_code == 302
    assert linked_problem_id(melding) == p.pk
    page = operator_client.get(f"/problems/{p.pk}/").content.decode()
    assert melding.number in page
    assert melding.status.name in page
    bad = operator_client.post(
        f"/problems/{p.pk}/link/", {"link-version": p.version, "link-number": "M99999999"}
    )
    assert bad.status_code == 400
    r = operator_client.post(
        f"/problems/{p.pk}/unlink/", {"unlink-version": p.version, "unlink-melding": melding.pk}
    )
    assert r.status_code == 302
    assert linked_problem_id(melding) is None


def test_link_from_the_melding_page_shows_problem_and_workaround(
    operator_client: Client, operator, melding
) -> None:
    p = make_problem(operator, title="Probleem PRB-TITEL", workaround="Workaround WKA-TEKST")
    page = operator_client.get(f"/meldingen/{melding.pk}/").content.decode()
    assert 'id="problem-panel"' in page
    assert p.number not in page  # the choice list loads when the form is opened
    assert f'hx-get="/meldingen/{melding.pk}/problem/choices/"' in page
    choices = operator_client.get(f"/meldingen/{melding.pk}/problem/choices/")
    assert choices.status_code == 200
    assert f'<option value="{p.number}">Probleem PRB-TITEL</option>' in choices.content.decode()
    r = operator_client.post(f"/meldingen/{melding.pk}/problem/link/", {"problem-problem": p.number})
    assert r.status_code == 302
    assert linked_problem_id(melding) == p.pk
    page = operator_client.get(f"/meldingen/{melding.pk}/").content.decode()
    assert "PRB-TITEL" in page
    assert "WKA-TEKST" in page
    r = operator_client.post(f"/meldingen/{melding.pk}/problem/link/", {"problem-problem": "P9999999"})
    assert r.status_code == 302  # with an error message
    assert linked_problem_id(melding) == p.pk
    r = operator_client.post(f"/meldingen/{melding.pk}/problem/unlink/", {})
    assert r.status_code == 302
    assert linked_problem_id(melding) is None


def test_known_error_article_from_the_page(operator_client: Client, operator) -> None:
    p = make_problem(operator, workaround="Herstart de router")
    r = operator_client.post(
        f"/problems/{p.pk}/article/",
        {"article-version": p.version, "article-title": "", "article-audience": "operators"},
    )
    assert r.status_code == 302
    article = Article.objects.get()
    assert article.kind == Kind.KNOWN_ERROR
    assert fresh(p).known_error_article_id == article.pk
    page = operator_client.get(f"/problems/{p.pk}/").content.decode()
    assert f"/kennisbank/{article.pk}/" in page or str(article.title) in page
    r = operator_client.post(
        f"/problems/{p.pk}/unlink_article/", {"unlink_article-version": fresh(p).version}
    )
    assert r.status_code == 302
    assert fresh(p).known_error_article_id is None
    r = operator_client.post(
        f"/problems/{p.pk}/link_article/",
        {"link_article-version": fresh(p).version, "link_article-article": article.pk},
    )
    assert r.status_code == 302
    assert fresh(p).known_error_article_id == article.pk
    r = operator_client.post(
        f"/problems/{p.pk}/link_article/",
        {"link_article-version": fresh(p).version, "link_article-article": "x"},
    )
    assert r.status_code == 400


def test_resolve_confirmation_screen_and_report(
    operator_client: Client, operator, caller, first_line
) -> None:
    p = make_problem(operator)
    a = make_melding(operator, caller, first_line, brief_description="Wifi A")
    b = make_melding(operator, caller, first_line, brief_description="Wifi B")
    for m in (a, b):
        problem_services.link_melding(p, melding=m, actor=operator)
    page = operator_client.get(f"/problems/{p.pk}/resolve/")
    assert page.status_code == 200
    assert page.context["form"]["meldingen"].initial == [a.pk, b.pk]  # all open linked checked by default
    missing = operator_client.post(
        f"/problems/{p.pk}/resolve/", {"resolve-version": p.version, "resolve-solution": ""}
    )
    assert missing.status_code == 400
    assert fresh(p).status == ProblemStatus.REGISTERED
    data = {
        "resolve-version": p.version,
        "resolve-solution": "Firmware bijgewerkt",
        "resolve-meldingen": [a.pk],
        "resolve-note_others": "on",
    }
    report = operator_client.post(f"/problems/{p.pk}/resolve/", data)
    assert report.status_code == 200
    outcomes = {o.melding_id: o.outcome for o in report.context["result"].outcomes}
    assert outcomes == {a.pk: "resolved", b.pk: "noted"}
    assert fresh(a).status.kind == StatusKind.RESOLVED
    assert Note.objects.filter(melding=b).count() == 1
    again = operator_client.post(f"/problems/{p.pk}/resolve/", data)  # a double submit
    assert again.status_code == 200, again.context["form"].errors
    assert {o.outcome for o in again.context["result"].outcomes} == {"skipped"}
    assert Note.objects.filter(melding=b).count() == 1


def test_list_filters_and_search(operator_client: Client, operator, specialist, second_line) -> None:
    wifi = make_problem(operator, title="Wifi storing gebouw B")
    printer = make_problem(operator, title="Printer driver crasht")
    problem_services.assign_problem(
        printer, operator_group=second_line, operator=specialist, actor=operator, expected_version=None
    )
    done = make_problem(operator, title="Oud probleem")
    problem_services.resolve_problem(
        done, solution="x", resolve_meldingen=None, note_others=False, actor=operator, expected_version=None
    )

    def ids(query: str) -> set[int]:
        response = operator_client.get(f"/problems/{query}")
        assert response.status_code == 200
        return {p.pk for p, _counts in response.context["rows"]}

    assert ids("") == {wifi.pk, printer.pk}
    assert ids("?status=all") == {wifi.pk, printer.pk, done.pk}
    assert ids("?status=resolved") == {done.pk}
    assert ids(f"?operator_group={second_line.pk}") == {printer.pk}
    assert ids(f"?operator={specialist.pk}") == {printer.pk}
    assert ids("?q=wifi") == {wifi.pk}
    assert ids(f"?q={printer.number}") == {printer.pk}
    assert ids("?status=bogus&operator=abc&cursor=%%%") == {wifi.pk, printer.pk}


def test_list_query_count_does_not_grow(
    operator_client: Client, operator, caller, first_line, django_assert_max_num_queries: Any
) -> None:
    for i in range(3):
        p = make_problem(operator, title=f"Probleem {i}", operator_group=first_line, operator=operator)
        problem_services.link_melding(p, melding=make_melding(operator, caller, first_line), actor=operator)
    operator_client.get("/problems/")
    with django_assert_max_num_queries(12) as few:
        assert operator_client.get("/problems/").status_code == 200
    for i in range(12):
        p = make_problem(operator, title=f"Meer {i}", operator_group=first_line, operator=operator)
        problem_services.link_melding(p, melding=make_melding(operator, caller, first_line), actor=operator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = operator_client.get("/problems/")
    assert len(response.context["rows"]) == 15


def test_pages_walk_with_a_cursor(operator_client: Client, operator) -> None:
    from beheer.problems import views as problem_views

    made = {make_problem(operator, title=f"P {i}").pk for i in range(5)}
    old, problem_views.PAGE_SIZE = problem_views.PAGE_SIZE, 2
    try:
        seen: list[int] = []
        url = "/problems/"
        while url:
            response = operator_client.get(url)
            seen += [p.pk for p, _c in response.context["rows"]]
            url = "/problems/" + response.context["next_url"] if response.context["next_url"] else ""
    finally:
        problem_views.PAGE_SIZE = old
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(made)


def test_callers_get_403_on_every_problem_page(caller_client: Client, operator, melding) -> None:
    p = make_problem(operator)
    for url in (
        "/problems/",
        "/problems/new/",
        f"/problems/{p.pk}/",
        f"/problems/{p.pk}/edit/",
        f"/problems/{p.pk}/resolve/",
    ):
        assert caller_client.get(url).status_code == 403, url
    assert caller_client.get(f"/meldingen/{melding.pk}/problem/choices/").status_code == 403
    for url in (f"/problems/{p.pk}/analyse/", f"/meldingen/{melding.pk}/problem/link/", "/problems/new/"):
        assert caller_client.post(url, {"title": "x", "problem-problem": p.number}).status_code == 403, url
    assert fresh(p).status == ProblemStatus.REGISTERED
    assert linked_problem_id(melding) is None


def test_anonymous_is_sent_to_login(operator) -> None:
    p = make_problem(operator)
    response = Client().get(f"/problems/{p.pk}/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_navigation_has_problems_for_staff_only(operator_client: Client, caller_client: Client) -> None:
    assert 'href="/problems/"' in operator_client.get("/problems/").content.decode()
    assert 'href="/problems/"' not in caller_client.get("/portal/").content.decode()
