"""Who sees what: canary strings through every read route (list, detail, search, print, versions,
diff, API). A hidden article answers 404 and never shows its text."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from beheer.accounts.models import User
from beheer.knowledge import services
from beheer.knowledge.models import Article, Audience
from tests.helpers import client_for

from .helpers import published


@dataclass
class World:
    caller_pub: Article
    operator_pub: Article
    admin_pub: Article
    draft: Article
    archived: Article
    pending: Article  # published for callers, with an unpublished draft


CANARIES = {
    "caller_pub": "canarycallerpub",
    "operator_pub": "canaryoperatorpub",
    "admin_pub": "canaryadminpub",
    "draft": "canarydraft",
    "archived": "canaryarchived",
}
PENDING_SECRET = "canarypendingdraft"

# which articles each role may read
SEES = {
    "caller": {"caller_pub", "pending"},
    "operator": {"caller_pub", "operator_pub", "draft", "pending"},
    "administrator": {"caller_pub", "operator_pub", "admin_pub", "draft", "archived", "pending"},
}


@pytest.fixture
def world(operator: User, coordinator: User, administrator: User) -> World:
    caller_pub = published(
        operator,
        title="Caller article canarycallerpub",
        body="Body canarycallerpub",
        audience=Audience.CALLERS,
    )
    operator_pub = published(operator, title="Operator canaryoperatorpub", body="Body canaryoperatorpub")
    admin_pub = published(
        administrator,
        title="Admin canaryadminpub",
        body="Body canaryadminpub",
        audience=Audience.ADMINISTRATORS,
    )
    draft = services.create_article(
        actor=operator, title="Draft canarydraft", body="Body canarydraft", audience=Audience.CALLERS
    )
    archived = published(
        operator, title="Archived canaryarchived", body="Body canaryarchived", audience=Audience.CALLERS
    )
    archived = services.archive(archived, actor=coordinator, expected_version=archived.version)
    pending = published(operator, title="Pending public title", body="Public text", audience=Audience.CALLERS)
    pending = services.save_draft(
        pending,
        actor=operator,
        expected_version=pending.version,
        title=f"Pending {PENDING_SECRET}",
        body=f"Secret {PENDING_SECRET}",
    )
    return World(caller_pub, operator_pub, admin_pub, draft, archived, pending)


def _user(role: str, caller: User, operator: User, administrator: User) -> User:
    return {"caller": caller, "operator": operator, "administrator": administrator}[role]


ROLES = ["caller", "operator", "administrator"]


def without_query(html: str, query: str) -> str:
    """The page without the echoes of the search words (search box, language menu's next URL)."""
    return html.replace(f'value="{query}"', "").replace(f"q={query}", "")


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_search_show_only_visible_articles(role, world, caller, operator, administrator):
    user = _user(role, caller, operator, administrator)
    client = client_for(user)
    list_url = "/kennisbank/" if user.is_staff_member else "/portal/kennisbank/"
    page = client.get(list_url).content.decode()
    portal = client.get("/portal/kennisbank/").content.decode()
    for name, canary in CANARIES.items():
        seen = name in SEES[role]
        link = f'kennisbank/{getattr(world, name).pk}/"'
        assert (canary in page) is seen, (role, name, "list")
        assert (link in page) is seen, (role, name, "list link")
        found = client.get(list_url, {"q": canary}).content.decode()
        assert (link in found) is seen, (role, name, "search")
        assert (canary in without_query(found, canary)) is seen, (role, name, "search text")
        api_list = client.get("/api/v1/knowledge/articles", {"q": canary}).json()
        assert any(canary in item["title"] for item in api_list["items"]) is seen, (role, name, "api search")
        if role == "caller":
            assert canary not in portal or name in SEES["caller"]
    # the unpublished draft of a published article never reaches a caller
    assert PENDING_SECRET not in portal
    if role == "caller":
        found = client.get(list_url, {"q": PENDING_SECRET}).content.decode()
        assert f'kennisbank/{world.pending.pk}/"' not in found
        assert client.get("/api/v1/knowledge/articles", {"q": PENDING_SECRET}).json()["items"] == []


@pytest.mark.parametrize("role", ROLES)
def test_detail_print_versions_diff_and_api_answer_404_when_hidden(
    role, world, caller, operator, administrator
):
    user = _user(role, caller, operator, administrator)
    client = client_for(user)
    for name in CANARIES:
        article = getattr(world, name)
        seen = name in SEES[role]
        expected = 200 if seen else 404
        api = client.get(f"/api/v1/knowledge/articles/{article.pk}")
        assert api.status_code == expected, (role, name)
        printed = client.get(f"/kennisbank/{article.pk}/print/")
        assert printed.status_code == expected, (role, name, "print")
        if seen:
            assert CANARIES[name] in printed.content.decode()
            assert CANARIES[name] in api.json()["html"]
        if user.is_staff_member:
            for url in (
                f"/kennisbank/{article.pk}/",
                f"/kennisbank/{article.pk}/versions/",
                f"/kennisbank/{article.pk}/versions/1/",
                f"/kennisbank/{article.pk}/diff/?a=1&b=1",
                f"/api/v1/knowledge/articles/{article.pk}/versions",
                f"/api/v1/knowledge/articles/{article.pk}/diff?a=1&b=1",
            ):
                assert client.get(url).status_code == expected, (role, name, url)
        else:
            portal = client.get(f"/portal/kennisbank/{article.pk}/")
            assert portal.status_code == expected, (role, name, "portal")
            # callers get no operator pages, no versions and no diffs, not even of articles they may read
            for url in (
                f"/kennisbank/{article.pk}/",
                f"/kennisbank/{article.pk}/versions/",
                f"/kennisbank/{article.pk}/diff/?a=1&b=1",
                f"/api/v1/knowledge/articles/{article.pk}/versions",
                f"/api/v1/knowledge/articles/{article.pk}/diff?a=1&b=1",
            ):
                response = client.get(url)
                assert response.status_code == 404, (role, name, url)
                assert CANARIES[name] not in response.content.decode()


def test_caller_sees_the_published_text_not_the_pending_draft(world, caller, operator):
    client = client_for(caller)
    page = client.get(f"/portal/kennisbank/{world.pending.pk}/").content.decode()
    assert "Public text" in page
    assert PENDING_SECRET not in page
    api = client.get(f"/api/v1/knowledge/articles/{world.pending.pk}").json()
    assert PENDING_SECRET not in str(api)
    assert "draft" not in api
    printed = client.get(f"/kennisbank/{world.pending.pk}/print/").content.decode()
    assert PENDING_SECRET not in printed
    staff = client_for(operator).get(f"/kennisbank/{world.pending.pk}/").content.decode()
    assert "Public text" in staff
    assert "/versions/2/" in staff


def test_archived_article_is_marked_for_administrators(world, administrator):
    client = client_for(administrator)
    page = client.get(f"/kennisbank/{world.archived.pk}/").content.decode()
    assert "kb-archived" in page
    found = client.get("/kennisbank/", {"q": "canaryarchived"}).content.decode()
    assert "canaryarchived" in found
    assert client.get(f"/api/v1/knowledge/articles/{world.archived.pk}").json()["archived"] is True


def test_callers_cannot_write_through_the_ui_or_api(world, caller):
    client = client_for(caller)
    pk = world.caller_pub.pk
    assert client.post(f"/kennisbank/{pk}/archive/", {"version": world.caller_pub.version}).status_code == 404
    assert client.get("/kennisbank/new/").status_code == 404
    answer = client.post(
        "/api/v1/knowledge/articles", {"title": "x", "audience": "callers"}, content_type="application/json"
    )
    assert answer.status_code == 403
    answer = client.post(
        f"/api/v1/knowledge/articles/{pk}/archive", {"version": 1}, content_type="application/json"
    )
    assert answer.status_code == 403
    assert Article.objects.get(pk=pk).status == "published"
