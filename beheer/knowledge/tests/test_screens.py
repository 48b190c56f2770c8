"""The operator screens end to end: create, edit with preview, review, publish, versions, diff, restore,
archive; the API writes; the list's query count; both languages."""

from __future__ import annotations

from django.utils import translation

from beheer.knowledge import services
from beheer.knowledge.models import Article, ArticleStatus, Audience, Kind, KindSetting, KnowledgeCategory
from tests.helpers import client_for

from .helpers import published, refreshed


def _form(**overrides):
    data = {
        "title": "Printer papierstoring",
        "kind": Kind.SOLUTION,
        "audience": Audience.CALLERS,
        "category": "",
        "tags": "printer, papier",
        "body": "1. Open de lade\n2. Verwijder het papier",
        "review_interval_days": 180,
        "change_note": "Eerste versie",
    }
    data.update(overrides)
    return data


def test_create_edit_publish_restore_through_the_screens(operator, caller):
    client = client_for(operator)
    response = client.post("/kennisbank/new/", _form())
    article = Article.objects.get(title="Printer papierstoring")
    assert response.status_code == 302
    assert response["Location"] == f"/kennisbank/{article.pk}/"
    page = client.get(f"/kennisbank/{article.pk}/").content.decode()
    assert "<ol>" in page
    assert "Verwijder het papier" in page
    client.post(f"/kennisbank/{article.pk}/publish/", {"version": refreshed(article).version})
    assert refreshed(article).status == ArticleStatus.PUBLISHED
    assert client_for(caller).get(f"/portal/kennisbank/{article.pk}/").status_code == 200

    edit = client.get(f"/kennisbank/{article.pk}/edit/").content.decode()
    assert 'hx-post="/kennisbank/preview/"' in edit
    assert "Verwijder het papier" in edit
    client.post(
        f"/kennisbank/{article.pk}/edit/",
        _form(
            body="1. Open de lade\n2. Trek het papier recht naar buiten",
            version=refreshed(article).version,
            change_note="Duidelijker",
        ),
    )
    client.post(f"/kennisbank/{article.pk}/publish/", {"version": refreshed(article).version})
    article = refreshed(article)
    assert article.current_version.number == 2

    versions = client.get(f"/kennisbank/{article.pk}/versions/").content.decode()
    assert "Duidelijker" in versions
    assert "Eerste versie" in versions
    diff = client.get(f"/kennisbank/{article.pk}/diff/?a=1&b=2").content.decode()
    assert "- 2. Verwijder het papier" in diff
    assert "+ 2. Trek het papier recht naar buiten" in diff

    # restore needs the confirmation
    client.post(f"/kennisbank/{article.pk}/restore/", {"version": article.version, "number": 1})
    assert refreshed(article).draft_version is None
    client.post(
        f"/kennisbank/{article.pk}/restore/", {"version": article.version, "number": 1, "confirm": "1"}
    )
    article = refreshed(article)
    assert article.draft_version.number == 3
    assert "Verwijder het papier" in article.draft_version.body


def test_stale_form_shows_a_conflict_and_saves_nothing(operator, specialist):
    article = services.create_article(actor=operator, title="Lock", body="a")
    stale = article.version
    services.save_draft(article, actor=specialist, expected_version=stale, title="Lock", body="b")
    response = client_for(operator).post(
        f"/kennisbank/{article.pk}/edit/", _form(title="Mine", version=stale)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Iemand anders heeft dit kennisitem gewijzigd" in html or "Somebody else changed this article" in html
    )
    assert refreshed(article).draft_version.body == "b"


def test_review_flow_in_the_screens(operator, specialist):
    KindSetting.objects.update_or_create(kind=Kind.PROCEDURE_BACKUP, defaults={"review_required": True})
    article = services.create_article(actor=operator, title="Back-up terugzetten", kind=Kind.PROCEDURE_BACKUP)
    author = client_for(operator)
    page = author.get(f"/kennisbank/{article.pk}/").content.decode()
    assert f"/kennisbank/{article.pk}/submit/" in page
    assert f"/kennisbank/{article.pk}/publish/" not in page
    author.post(f"/kennisbank/{article.pk}/publish/", {"version": refreshed(article).version})
    assert refreshed(article).status == ArticleStatus.DRAFT
    author.post(f"/kennisbank/{article.pk}/submit/", {"version": refreshed(article).version})
    assert (
        f"/kennisbank/{article.pk}/approve/" not in author.get(f"/kennisbank/{article.pk}/").content.decode()
    )
    author.post(f"/kennisbank/{article.pk}/approve/", {"version": refreshed(article).version})
    assert refreshed(article).status == ArticleStatus.DRAFT
    reviewer = client_for(specialist)
    assert f"/kennisbank/{article.pk}/approve/" in reviewer.get(f"/kennisbank/{article.pk}/").content.decode()
    reviewer.post(f"/kennisbank/{article.pk}/approve/", {"version": refreshed(article).version})
    article = refreshed(article)
    assert article.status == ArticleStatus.PUBLISHED
    assert article.current_version.approved_by == specialist


def test_api_create_update_publish_and_field_errors(operator, specialist):
    client = client_for(operator)
    bad = client.post("/api/v1/knowledge/articles", {"title": " "}, content_type="application/json")
    assert bad.status_code == 400
    assert "title" in bad.json()["fields"]
    created = client.post(
        "/api/v1/knowledge/articles",
        {"title": "VPN", "body": "**vet**", "tags": "vpn"},
        content_type="application/json",
    )
    assert created.status_code == 201
    data = created.json()
    assert "<strong>vet</strong>" in data["html"]
    assert data["body"] == "**vet**"
    pk, version = data["id"], data["version"]
    stale = client.put(
        f"/api/v1/knowledge/articles/{pk}/draft",
        {"title": "VPN", "body": "x", "version": version + 5},
        content_type="application/json",
    )
    assert stale.status_code == 409
    updated = client.put(
        f"/api/v1/knowledge/articles/{pk}/draft",
        {"title": "VPN 2", "body": "y", "version": version},
        content_type="application/json",
    ).json()
    published_ = client.post(
        f"/api/v1/knowledge/articles/{pk}/publish",
        {"version": updated["version"]},
        content_type="application/json",
    ).json()
    assert published_["status"] == "published"
    assert published_["title"] == "VPN 2"
    versions = client.get(f"/api/v1/knowledge/articles/{pk}/versions").json()
    assert [v["number"] for v in versions] == [1]
    listed = client.get("/api/v1/knowledge/articles", {"q": "vpn"}).json()
    assert [a["id"] for a in listed["items"]] == [pk]
    unknown_category = client.post(
        "/api/v1/knowledge/articles", {"title": "x", "category": 999999}, content_type="application/json"
    )
    assert unknown_category.status_code == 404
    assert "category" in unknown_category.json()["fields"]


def test_list_query_count_does_not_grow_with_rows(operator, django_assert_max_num_queries):
    category = KnowledgeCategory.objects.first()
    client = client_for(operator)
    for i in range(3):
        published(operator, title=f"Artikel {i}", category=category)
    client.get("/kennisbank/")  # warm up session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get("/kennisbank/").status_code == 200
    for i in range(3, 40):
        published(operator, title=f"Artikel {i}", category=category)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/kennisbank/").content.decode()
    assert "Artikel 39" in page
    assert len(few.captured_queries) <= 8


def test_pages_follow_the_language_with_both_category_names(operator, caller):
    category = KnowledgeCategory.objects.create(
        code="mail", name_nl="E-mail en agenda", name_en="Mail and calendar"
    )
    published(operator, title="Outlook herstellen", audience=Audience.CALLERS, category=category)
    client = client_for(caller)
    dutch = client.get("/portal/kennisbank/").content.decode()
    english = client.get("/portal/kennisbank/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "E-mail en agenda" in dutch
    assert "Mail and calendar" not in dutch
    assert "Mail and calendar" in english
    assert 'lang="en"' in english
    with translation.override("en"):
        assert category.path() == "Mail and calendar"


def test_search_finds_dutch_and_english_inflections(operator):
    a = published(operator, title="Storingen bij printers", body="Wachtwoorden resetten for users")
    ids = set(Article.objects.visible_to(operator).search("printer storing").values_list("id", flat=True))
    assert a.pk in ids
    assert a.pk in set(Article.objects.visible_to(operator).search("wachtwoord").values_list("id", flat=True))
    assert not Article.objects.visible_to(operator).search("scanner").exists()


def test_new_article_form_and_configuration_screens(operator, coordinator):
    form = client_for(operator).get("/kennisbank/new/")
    assert form.status_code == 200
    assert 'id="kb-preview"' in form.content.decode()
    admin = client_for(coordinator)
    assert admin.get("/beheer-admin/knowledge/kindsetting/").status_code == 200
    assert admin.get("/beheer-admin/knowledge/knowledgecategory/").status_code == 200
    assert "Werkplek" in admin.get("/beheer-admin/knowledge/knowledgecategory/").content.decode()


def test_navigation_links_to_the_knowledge_base(operator, caller):
    assert 'href="/kennisbank/"' in client_for(operator).get("/kennisbank/").content.decode()
    assert 'href="/portal/kennisbank/"' in client_for(caller).get("/portal/").content.decode()
