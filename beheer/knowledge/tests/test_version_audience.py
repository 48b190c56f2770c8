"""A version's own audience decides who reads it. An article first written and published for
administrators only, later published for operators, keeps its administrators-only versions (and the
files added to them) out of operators' and callers' sight: versions list, version page, diff,
restore, attachments, detail, edit form, search and the API."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from beheer.accounts.models import User
from beheer.knowledge import services
from beheer.knowledge.models import Article, ArticleAttachment, Audience
from tests.helpers import client_for

from .helpers import published, refreshed

V1 = "canaryadminversion"
V1_FILE = "canaryadminfile"
V3 = "canaryadmindraft"


@dataclass
class Story:
    article: Article
    secret_file: ArticleAttachment
    public_file: ArticleAttachment


@pytest.fixture
def story(administrator: User) -> Story:
    article = published(
        administrator, title=f"Firewall {V1}", body=f"Wachtwoord {V1}", audience=Audience.ADMINISTRATORS
    )
    article = refreshed(article)
    secret_file = services.add_attachment(
        article, upload=SimpleUploadedFile(f"{V1_FILE}.txt", b"admin only"), actor=administrator
    )
    article = services.save_draft(
        refreshed(article),
        actor=administrator,
        expected_version=refreshed(article).version,
        title="Firewall voor behandelaars",
        body="Wat behandelaars mogen weten.",
        audience=Audience.OPERATORS,
    )
    public_file = services.add_attachment(
        refreshed(article), upload=SimpleUploadedFile("schema.txt", b"for operators"), actor=administrator
    )
    article = services.publish(
        refreshed(article), actor=administrator, expected_version=refreshed(article).version
    )
    # a pending change for administrators only again
    article = services.save_draft(
        refreshed(article),
        actor=administrator,
        expected_version=refreshed(article).version,
        title=f"Firewall {V3}",
        body=f"Nieuw wachtwoord {V3}",
        audience=Audience.ADMINISTRATORS,
    )
    return Story(refreshed(article), secret_file, public_file)


def _clean(text: str) -> None:
    for canary in (V1, V1_FILE, V3):
        assert canary not in text, canary


def test_operator_reads_only_the_versions_for_operators(story: Story, operator: User) -> None:
    pk = story.article.pk
    client = client_for(operator)
    listing = client.get(f"/kennisbank/{pk}/versions/")
    assert listing.status_code == 200
    _clean(listing.content.decode())
    assert "Firewall voor behandelaars" in listing.content.decode()
    api = client.get(f"/api/v1/knowledge/articles/{pk}/versions")
    assert api.status_code == 200
    assert [v["number"] for v in api.json()] == [2]
    assert client.get(f"/kennisbank/{pk}/versions/2/").status_code == 200
    for number in (1, 3):
        page = client.get(f"/kennisbank/{pk}/versions/{number}/")
        assert page.status_code == 404
        _clean(page.content.decode())
    for a, b in ((1, 2), (2, 3), (1, 1)):
        page = client.get(f"/kennisbank/{pk}/diff/", {"a": a, "b": b})
        assert page.status_code == 404, (a, b)
        _clean(page.content.decode())
        api_diff = client.get(f"/api/v1/knowledge/articles/{pk}/diff", {"a": a, "b": b})
        assert api_diff.status_code == 404, (a, b)
        _clean(api_diff.content.decode())
    assert client.get(f"/kennisbank/{pk}/diff/", {"a": 2, "b": 2}).status_code == 200


def test_operator_detail_edit_and_api_hide_the_administrators_draft(story: Story, operator: User) -> None:
    pk = story.article.pk
    client = client_for(operator)
    for url in (f"/kennisbank/{pk}/", f"/kennisbank/{pk}/print/", f"/api/v1/knowledge/articles/{pk}"):
        response = client.get(url)
        assert response.status_code == 200, url
        _clean(response.content.decode())
    assert "draft" not in client.get(f"/api/v1/knowledge/articles/{pk}").json()
    edit = client.get(f"/kennisbank/{pk}/edit/")
    assert edit.status_code in (200, 404)
    _clean(edit.content.decode())


def test_operator_cannot_restore_an_administrators_version(story: Story, operator: User) -> None:
    pk = story.article.pk
    client = client_for(operator)
    before = refreshed(story.article)
    ui = client.post(f"/kennisbank/{pk}/restore/", {"version": before.version, "number": 1, "confirm": "1"})
    assert ui.status_code == 302
    api = client.post(
        f"/api/v1/knowledge/articles/{pk}/restore",
        data={"version": before.version, "number": 1},
        content_type="application/json",
    )
    assert api.status_code == 404
    _clean(api.content.decode())
    after = refreshed(story.article)
    assert (after.version, after.draft_version_id) == (before.version, before.draft_version_id)


def test_attachments_of_an_administrators_version_stay_hidden(story: Story, operator: User) -> None:
    pk = story.article.pk
    client = client_for(operator)
    panel = client.get(f"/kennisbank/{pk}/attachments/")
    assert panel.status_code == 200
    _clean(panel.content.decode())
    assert "schema.txt" in panel.content.decode()
    listed = client.get(f"/api/v1/knowledge/articles/{pk}/attachments").json()
    assert [a["original_name"] for a in listed] == ["schema.txt"]
    assert client.get(f"/kennisbank/attachments/{story.secret_file.pk}/").status_code == 404
    assert client.get(f"/api/v1/knowledge/attachments/{story.secret_file.pk}").status_code == 404
    assert client.get(f"/kennisbank/attachments/{story.public_file.pk}/").status_code == 200


def test_search_does_not_find_administrators_versions(story: Story, operator: User) -> None:
    client = client_for(operator)
    for q in (V1, V3):
        assert client.get("/api/v1/knowledge/articles", {"q": q}).json()["items"] == []
        page = client.get("/kennisbank/", {"q": q}).content.decode()
        assert f'kennisbank/{story.article.pk}/"' not in page
    assert client.get("/api/v1/knowledge/articles", {"q": "behandelaars"}).json()["items"]


def test_administrator_still_reads_every_version(story: Story, administrator: User) -> None:
    pk = story.article.pk
    client = client_for(administrator)
    api = client.get(f"/api/v1/knowledge/articles/{pk}/versions").json()
    assert [v["number"] for v in api] == [3, 2, 1]
    assert V1 in client.get(f"/kennisbank/{pk}/versions/1/").content.decode()
    assert client.get(f"/kennisbank/{pk}/diff/", {"a": 1, "b": 3}).status_code == 200
    assert client.get(f"/kennisbank/attachments/{story.secret_file.pk}/").status_code == 200
    assert V3 in client.get(f"/api/v1/knowledge/articles/{pk}").json()["draft"]["body"]
