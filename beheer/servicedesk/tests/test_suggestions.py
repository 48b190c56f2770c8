"""Suggestions in the operator screens, the portal and the API; resolve with an article; links;
melding -> article; deflection records. Canary strings prove what a caller never receives."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from beheer.accounts.models import User
from beheer.knowledge import services as kb
from beheer.knowledge.models import Article, Audience
from beheer.knowledge.tests.helpers import published
from beheer.notifications.models import OutgoingMessage
from beheer.servicedesk import services
from beheer.servicedesk.models import ArticleLink, DeflectionEvent, Melding, StatusKind
from tests.helpers import client_for

from .test_api import session_client, token_client
from .test_views import HTMX, action, fresh

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TOKEN = "form-" + "z" * 27
CANARIES = ("CANARYOPS", "CANARYDRAFT", "CANARYADMIN", "CANARYMELD")


def _solved(operator: User, caller: User, brief: str, solution: str, request: str = "") -> Melding:
    m = services.open_melding(
        actor=operator, brief_description=brief, request=request, entry_type="phone", caller=caller
    )
    return services.resolve_melding(m, solution=solution, actor=operator, expected_version=None)


@pytest.fixture
def kb_world(operator: User, administrator: User, caller: User) -> dict[str, Any]:
    return {
        "caller": published(
            operator,
            title="Printer papierstoring",
            body="Open klep A van de printer.",
            audience=Audience.CALLERS,
        ),
        "operator": published(
            operator, title="Printer spooler CANARYOPS", body="printer spooler", audience=Audience.OPERATORS
        ),
        "draft": kb.create_article(
            actor=operator, title="Printer CANARYDRAFT", body="printer", audience=Audience.CALLERS
        ),
        "admin": published(
            administrator, title="Printer CANARYADMIN", body="printer", audience=Audience.ADMINISTRATORS
        ),
        "solved": _solved(operator, caller, "Printer storing CANARYMELD", "Klep A geopend CANARYMELD"),
    }


# -- operator screens


def test_new_melding_form_has_the_suggestion_panel(operator_client: Client) -> None:
    page = operator_client.get("/meldingen/new/").content.decode()
    assert 'hx-get="/meldingen/suggestions/"' in page


def test_operator_panel_lists_articles_and_solved_meldingen(
    operator_client: Client, kb_world: dict[str, Any]
) -> None:
    response = operator_client.get(
        "/meldingen/suggestions/", {"brief_description": "printer", "request": "storing"}, headers=HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-article="{kb_world["caller"].pk}"' in body
    assert f'data-article="{kb_world["operator"].pk}"' in body
    assert f'data-melding="{kb_world["solved"].pk}"' in body
    assert "CANARYADMIN" not in body


def test_melding_page_panel_and_resolve_with_article(
    operator_client: Client, melding: Melding, kb_world: dict[str, Any]
) -> None:
    page = operator_client.get(f"/meldingen/{melding.pk}/").content.decode()
    assert f'hx-get="/meldingen/{melding.pk}/suggestions/"' in page
    panel = operator_client.get(f"/meldingen/{melding.pk}/suggestions/", headers=HTMX).content.decode()
    article = kb_world["caller"]
    assert f"/meldingen/{melding.pk}/resolve-with/?article={article.pk}" in panel
    assert f"/meldingen/{melding.pk}/resolve-with/?melding={kb_world['solved'].pk}" in panel
    # the resolve form opens filled in; the operator still confirms
    filled = operator_client.get(f"/meldingen/{melding.pk}/resolve-with/?article={article.pk}", headers=HTMX)
    assert filled.status_code == 200
    assert f'name="resolve-article" value="{article.pk}"' in filled.content.decode()
    assert fresh(melding).status.kind != StatusKind.RESOLVED
    response = action(operator_client, melding, "resolve", {"solution": "Klep open", "article": article.pk})
    assert response.status_code == 200
    m = Melding.objects.get(pk=melding.pk)
    assert m.solution_article_id == article.pk
    assert f"KB-{article.pk}" in m.solution
    assert f"/portal/kennisbank/{article.pk}/" in m.solution


def test_use_this_solution_copies_the_solution(
    operator_client: Client, melding: Melding, kb_world: dict[str, Any]
) -> None:
    solved = kb_world["solved"]
    response = operator_client.get(f"/meldingen/{melding.pk}/resolve-with/?melding={solved.pk}")
    assert response.status_code == 200
    assert "Klep A geopend CANARYMELD" in response.content.decode()


def test_resolve_with_bad_input(operator_client: Client, melding: Melding, kb_world: dict[str, Any]) -> None:
    url = f"/meldingen/{melding.pk}/resolve-with/"
    assert operator_client.get(url).status_code == 404
    assert operator_client.get(url, {"article": "999999"}).status_code == 404
    assert operator_client.get(url, {"article": kb_world["admin"].pk}).status_code == 404
    assert operator_client.get(url, {"melding": "abc"}).status_code == 404
    assert operator_client.get(url, {"melding": melding.pk}).status_code == 404  # not solved
    response = action(operator_client, melding, "resolve", {"solution": "x", "article": kb_world["admin"].pk})
    assert response.status_code == 200  # HTMX: the refusal is shown in the resolve form
    assert "errorlist" in response.content.decode().split('id="action-resolve"', 1)[1]
    assert fresh(melding).is_open
    response = action(
        operator_client, melding, "resolve", {"solution": "x", "article": kb_world["admin"].pk}, htmx=False
    )
    assert response.status_code == 404
    assert fresh(melding).is_open


def test_link_and_unlink_in_the_panel(
    operator_client: Client, melding: Melding, kb_world: dict[str, Any]
) -> None:
    article = kb_world["operator"]
    response = operator_client.post(
        f"/meldingen/{melding.pk}/articles/link/", {"article": f"KB-{article.pk}"}, headers=HTMX
    )
    assert response.status_code == 200
    assert ArticleLink.objects.filter(melding=melding, article=article).exists()
    assert f"/meldingen/{melding.pk}/articles/{article.pk}/unlink/" in response.content.decode()
    response = operator_client.post(f"/meldingen/{melding.pk}/articles/link/", {"article": "rubbish"})
    assert response.status_code == 302
    response = operator_client.post(
        f"/meldingen/{melding.pk}/articles/link/", {"article": kb_world["admin"].pk}
    )
    assert response.status_code == 302
    assert ArticleLink.objects.count() == 1
    response = operator_client.post(f"/meldingen/{melding.pk}/articles/{article.pk}/unlink/")
    assert response.status_code == 302
    assert not ArticleLink.objects.exists()
    assert operator_client.post(f"/meldingen/{melding.pk}/articles/999999/unlink/").status_code == 404


def test_article_page_lists_related_meldingen(
    operator_client: Client, operator: User, melding: Melding, kb_world: dict[str, Any], caller: User
) -> None:
    article = kb_world["operator"]
    services.link_article(melding, article=article, actor=operator)
    other = services.open_melding(actor=operator, brief_description="VPN", entry_type="phone", caller=caller)
    services.resolve_melding(other, solution="x", actor=operator, expected_version=None, article=article)
    page = operator_client.get(f"/kennisbank/{article.pk}/").content.decode()
    assert f"/kennisbank/{article.pk}/meldingen/" in page
    related = operator_client.get(f"/kennisbank/{article.pk}/meldingen/").content.decode()
    assert f'data-melding="{melding.pk}"' in related
    assert f'data-melding="{other.pk}"' in related
    assert operator_client.get(f"/kennisbank/{kb_world['admin'].pk}/meldingen/").status_code == 404


def test_make_article_from_a_resolved_melding(
    operator_client: Client, operator: User, melding: Melding
) -> None:
    services.resolve_melding(
        melding, solution="Papier <b>verwijderd</b>", actor=operator, expected_version=None
    )
    panel = operator_client.get(f"/meldingen/{melding.pk}/suggestions/").content.decode()
    assert f"/meldingen/{melding.pk}/make-article/" in panel
    response = operator_client.post(f"/meldingen/{melding.pk}/make-article/")
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/kennisbank/{article.pk}/edit/"
    assert article.title == melding.brief_description
    assert article.audience == Audience.OPERATORS
    assert ArticleLink.objects.filter(melding=melding, article=article).exists()


def test_make_article_refused_for_an_open_melding(operator_client: Client, melding: Melding) -> None:
    response = operator_client.post(f"/meldingen/{melding.pk}/make-article/")
    assert response.status_code == 302
    assert response["Location"] == f"/meldingen/{melding.pk}/"
    assert not Article.objects.exists()


def test_operator_screens_are_closed_to_callers(caller_client: Client, melding: Melding) -> None:
    for url in (
        "/meldingen/suggestions/?brief_description=printer",
        f"/meldingen/{melding.pk}/suggestions/",
        f"/meldingen/{melding.pk}/resolve-with/?melding=1",
    ):
        assert caller_client.get(url).status_code == 403
    assert caller_client.post(f"/meldingen/{melding.pk}/make-article/").status_code == 403
    assert caller_client.post(f"/meldingen/{melding.pk}/articles/link/", {"article": "1"}).status_code == 403


# -- caller: resolution text and portal link


def test_caller_sees_the_link_only_for_caller_articles(
    operator: User, caller: User, caller_client: Client, kb_world: dict[str, Any]
) -> None:
    public = kb_world["caller"]
    internal = kb_world["operator"]
    m1 = services.open_melding(actor=operator, brief_description="A", entry_type="phone", caller=caller)
    services.resolve_melding(m1, solution="Opgelost", actor=operator, expected_version=None, article=public)
    m2 = services.open_melding(actor=operator, brief_description="B", entry_type="phone", caller=caller)
    services.resolve_melding(m2, solution="Opgelost", actor=operator, expected_version=None, article=internal)
    m2 = Melding.objects.get(pk=m2.pk)
    assert m2.solution_article_id == internal.pk
    assert m2.solution == "Opgelost"
    page1 = caller_client.get(f"/portal/{m1.pk}/").content.decode()
    assert f"/portal/kennisbank/{public.pk}/" in page1
    page2 = caller_client.get(f"/portal/{m2.pk}/").content.decode()
    assert "CANARYOPS" not in page2
    assert f"/kennisbank/{internal.pk}/" not in page2
    mails = OutgoingMessage.objects.for_object("servicedesk.melding", m1.pk)
    assert any(f"/portal/kennisbank/{public.pk}/" in msg.body_text for msg in mails)
    for msg in OutgoingMessage.objects.for_object("servicedesk.melding", m2.pk):
        assert "CANARYOPS" not in msg.body_text


# -- portal deflection


def test_portal_form_offers_suggestions_with_a_token(caller_client: Client) -> None:
    page = caller_client.get("/portal/new/").content.decode()
    assert 'hx-get="/portal/suggestions/"' in page
    assert 'name="deflection_token"' in page


def test_portal_suggestions_only_caller_articles_and_records(
    caller_client: Client, caller: User, kb_world: dict[str, Any]
) -> None:
    response = caller_client.get(
        "/portal/suggestions/",
        {"brief_description": "printer storing", "request": "papier", "deflection_token": TOKEN},
        headers=HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-article="{kb_world["caller"].pk}"' in body
    for canary in CANARIES:
        assert canary not in body
    event = DeflectionEvent.objects.get(user=caller, token=TOKEN)
    assert event.shown_article_ids == [kb_world["caller"].pk]
    # clicking goes through the tracking link
    response = caller_client.get(f"/portal/suggestions/{kb_world['caller'].pk}/", {"token": TOKEN})
    assert response.status_code == 302
    assert response["Location"] == f"/portal/kennisbank/{kb_world['caller'].pk}/"
    assert DeflectionEvent.objects.get(pk=event.pk).clicked_article_ids == [kb_world["caller"].pk]
    assert (
        caller_client.get(f"/portal/suggestions/{kb_world['operator'].pk}/", {"token": TOKEN}).status_code
        == 404
    )
    # submitting anyway
    response = caller_client.post(
        "/portal/new/",
        {"brief_description": "Printer nog stuk", "request": "", "call_type": "1", "deflection_token": TOKEN},
    )
    assert response.status_code == 302
    event = DeflectionEvent.objects.get(pk=event.pk)
    assert event.submitted
    assert event.melding_id == Melding.objects.get(brief_description="Printer nog stuk").pk


def test_staff_in_the_portal_also_get_caller_articles_only(
    operator_client: Client, kb_world: dict[str, Any]
) -> None:
    body = operator_client.get("/portal/suggestions/", {"brief_description": "printer"}).content.decode()
    assert f'data-article="{kb_world["caller"].pk}"' in body
    for canary in CANARIES:
        assert canary not in body


def test_deflection_figure_for_coordinators(
    coordinator: User, caller_client: Client, operator_client: Client
) -> None:
    coordinator_client = client_for(coordinator)
    page = coordinator_client.get("/kennisbank/").content.decode()
    assert 'hx-get="/kennisbank/deflection/"' in page
    assert coordinator_client.get("/kennisbank/deflection/").status_code == 200
    assert operator_client.get("/kennisbank/deflection/").status_code == 403
    assert caller_client.get("/kennisbank/deflection/").status_code == 403


# -- XSS


def test_titles_tags_and_snippets_are_escaped(
    operator: User, caller: User, operator_client: Client, caller_client: Client, melding: Melding
) -> None:
    article = published(
        operator,
        title=f"Printer {XSS}",
        body=f"printer {XSS}",
        tags=["printer", "<b>x</b>"],
        audience=Audience.CALLERS,
    )
    _solved(operator, caller, "Printer <i>x</i>", f"printer {XSS}", request="printer")
    bodies = [
        operator_client.get("/meldingen/suggestions/", {"brief_description": "printer"}).content.decode(),
        operator_client.get(f"/meldingen/{melding.pk}/suggestions/").content.decode(),
        caller_client.get("/portal/suggestions/", {"brief_description": "printer"}).content.decode(),
    ]
    for body in bodies:
        assert f'data-article="{article.pk}"' in body
        assert "<script>" not in body
        assert "<img" not in body
        assert "<b>x</b>" not in body
        assert "<i>x</i>" not in body
        assert "&lt;script&gt;" in body


# -- API


def test_api_suggestions_for_operators_and_callers(
    operator: User, caller: User, kb_world: dict[str, Any], melding: Melding
) -> None:
    staff = token_client(operator)
    data = staff.get("/suggestions", text="printer storing").json()
    assert kb_world["caller"].pk in [a["id"] for a in data["articles"]]
    assert kb_world["solved"].pk in [m["id"] for m in data["meldingen"]]
    posted = staff.post("/suggestions", {"brief_description": "printer", "request": "storing"}).json()
    assert posted["articles"]
    per_melding = staff.get(f"/meldingen/{melding.pk}/suggestions").json()
    assert kb_world["solved"].pk in [m["id"] for m in per_melding["meldingen"]]
    response = token_client(caller).get("/suggestions", text="printer storing")
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["articles"]] == [kb_world["caller"].pk]
    assert response.json()["meldingen"] == []
    for canary in CANARIES:
        assert canary not in response.content.decode()
    assert token_client(caller).get(f"/meldingen/{melding.pk}/suggestions").status_code == 403


def test_api_bad_input(operator: User, kb_world: dict[str, Any], melding: Melding) -> None:
    staff = token_client(operator)
    assert staff.get("/suggestions").json() == {"articles": [], "meldingen": []}
    assert staff.get("/suggestions", text="x" * 6000).status_code == 422
    assert staff.post("/suggestions", {"request": 5}).status_code == 422
    assert staff.get("/meldingen/999999/suggestions").status_code == 404
    assert staff.post(f"/meldingen/{melding.pk}/articles", {"article_id": 999999}).status_code == 404
    assert staff.post(f"/meldingen/{melding.pk}/articles", {"article_id": "x"}).status_code == 422
    assert (
        staff.post(f"/meldingen/{melding.pk}/articles", {"article_id": kb_world["admin"].pk}).status_code
        == 404
    )
    assert staff.post("/meldingen/999999/make-article").status_code == 404
    assert staff.post(f"/meldingen/{melding.pk}/make-article").status_code == 400
    body = {"solution": "x", "version": melding.version, "article_id": 999999}
    assert staff.post(f"/meldingen/{melding.pk}/resolve", body).status_code == 404
    assert fresh(melding).is_open
    assert staff.get("/knowledge/articles/999999/meldingen").status_code == 404


def test_api_links_resolve_make_article_related(
    operator: User, caller: User, melding: Melding, kb_world: dict[str, Any]
) -> None:
    staff = token_client(operator)
    article = kb_world["operator"]
    data = staff.post(f"/meldingen/{melding.pk}/articles", {"article_id": article.pk}).json()
    assert [a["id"] for a in data["linked"]] == [article.pk]
    assert staff.delete(f"/meldingen/{melding.pk}/articles/{article.pk}").status_code == 204
    assert staff.get(f"/meldingen/{melding.pk}/articles").json()["linked"] == []
    body = {"solution": "Opgelost", "version": fresh(melding).version, "article_id": kb_world["caller"].pk}
    assert staff.post(f"/meldingen/{melding.pk}/resolve", body).status_code == 200
    assert (
        staff.get(f"/meldingen/{melding.pk}/articles").json()["solution_article"]["id"]
        == kb_world["caller"].pk
    )
    related = staff.get(f"/knowledge/articles/{kb_world['caller'].pk}/meldingen").json()
    assert related["total"] == 1
    assert related["items"][0]["resolved_with"] is True
    made = staff.post(f"/meldingen/{melding.pk}/make-article")
    assert made.status_code == 201
    assert Article.objects.get(pk=made.json()["id"]).audience == Audience.OPERATORS
    caller_api = token_client(caller)
    assert caller_api.post(f"/meldingen/{melding.pk}/make-article").status_code == 403
    assert caller_api.get(f"/meldingen/{melding.pk}/articles").status_code == 403
    assert caller_api.get(f"/knowledge/articles/{article.pk}/meldingen").status_code == 403


def test_api_deflection_figures(coordinator: User, operator: User) -> None:
    data = session_client(coordinator).get("/knowledge/deflection", days=7).json()
    assert data["days"] == 7
    assert data["sessions"] == 0
    assert data["rate"] is None
    assert session_client(coordinator).get("/knowledge/deflection", days=0).status_code == 422
    assert session_client(operator).get("/knowledge/deflection").status_code == 403


# -- query counts


def test_suggestion_queries_are_bounded(
    operator: User, caller: User, django_assert_max_num_queries: Any, kb_world: dict[str, Any]
) -> None:
    for n in range(8):
        published(operator, title=f"Printer handleiding {n}", body="printer", audience=Audience.CALLERS)
        _solved(operator, caller, f"Printer {n}", "printer opgelost")
    staff = token_client(operator)
    staff.get("/suggestions", text="printer")  # warm caches
    with django_assert_max_num_queries(8):
        assert staff.get("/suggestions", text="printer").status_code == 200
    client = client_for(operator)
    client.get("/meldingen/suggestions/", {"brief_description": "printer"})
    with django_assert_max_num_queries(10):
        assert client.get("/meldingen/suggestions/", {"brief_description": "printer"}).status_code == 200
    portal = client_for(caller)
    with django_assert_max_num_queries(12):
        portal.get("/portal/suggestions/", {"brief_description": "printer", "deflection_token": TOKEN})
