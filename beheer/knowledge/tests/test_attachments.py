"""Article attachments: storing, type sniffing and limits, who may download them (for every audience
and status, with canary content), how they are served, images in the text, the editor's panel and
the API."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from beheer.accounts.models import User
from beheer.core.errors import DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.knowledge import services
from beheer.knowledge.models import Article, ArticleAttachment, Audience
from beheer.knowledge.rendering import AttachmentRef, render_markdown
from tests.helpers import client_for

from .helpers import published, refreshed


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def article(operator: User) -> Article:
    return published(operator, title="Printer", body="Text", audience=Audience.CALLERS)


# --------------------------------------------------------------------------------------------------
# the service


class TestAddAttachment:
    def test_stored_under_a_random_name_with_the_sniffed_type(self, article, operator, settings):
        a = services.add_attachment(
            article, upload=upload("../../etc/sch\x00ema.png", image_bytes(), "text/html"), actor=operator
        )
        assert a.original_name == "schema.png"
        assert a.content_type == "image/png"  # from the bytes, not from the declared type
        assert a.is_image
        stored_name = a.file.name or ""
        assert stored_name.startswith("knowledge/")
        assert "schema" not in stored_name
        assert ".." not in stored_name
        stored = Path(a.file.path).resolve()
        assert str(stored).startswith(str(Path(settings.MEDIA_ROOT).resolve()))
        assert stored.read_bytes() == image_bytes()
        assert a.size == len(image_bytes())
        assert a.uploaded_by == operator
        assert a.markdown == f"![schema.png](attachment:{a.pk})"

    @pytest.mark.parametrize(
        ("fmt", "kind"), [("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")]
    )
    def test_every_inline_image_format_is_recognised(self, article, operator, fmt, kind):
        a = services.add_attachment(article, upload=upload("picture", image_bytes(fmt)), actor=operator)
        assert a.content_type == kind
        assert a.is_image

    def test_documents_keep_a_type_but_are_no_image(self, article, operator):
        pdf = services.add_attachment(article, upload=upload("manual.pdf", b"%PDF-1.4 test"), actor=operator)
        svg = services.add_attachment(
            article,
            upload=upload("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
            actor=operator,
        )
        text = services.add_attachment(article, upload=upload("notes.txt", b"plain words"), actor=operator)
        assert (pdf.content_type, pdf.is_image) == ("application/pdf", False)
        assert (svg.content_type, svg.is_image) == ("image/svg+xml", False)
        assert (text.content_type, text.is_image) == ("text/plain", False)
        assert not svg.markdown.startswith("!")

    @pytest.mark.parametrize(
        ("name", "content"),
        [
            ("photo.png", b"<html><script>alert(1)</script></html>"),  # HTML that claims to be an image
            ("photo.jpg", b"just some text"),
            ("photo.gif", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
            ("setup.txt", b"MZ\x90\x00" + b"\x00" * 100),  # a Windows program
            ("tool", b"\x7fELF" + b"\x00" * 100),
        ],
    )
    def test_refused_types(self, article, operator, name, content):
        with pytest.raises(DomainError) as exc:
            services.add_attachment(article, upload=upload(name, content), actor=operator)
        assert "file" in exc.value.field_errors
        assert not ArticleAttachment.objects.exists()

    def test_size_limit_and_empty_file(self, article, operator, settings):
        settings.MAX_ATTACHMENT_BYTES = 10
        with pytest.raises(DomainError) as exc:
            services.add_attachment(article, upload=upload("big.txt", b"x" * 11), actor=operator)
        assert "file" in exc.value.field_errors
        with pytest.raises(DomainError):
            services.add_attachment(article, upload=upload("empty.txt", b""), actor=operator)
        assert services.add_attachment(article, upload=upload("ok.txt", b"x" * 10), actor=operator).size == 10
        assert ArticleAttachment.objects.count() == 1

    def test_only_editors_and_not_on_archived_articles(
        self, article, operator, caller, coordinator, administrator
    ):
        with pytest.raises(PermissionDenied):
            services.add_attachment(article, upload=upload("a.txt", b"a"), actor=caller)
        secret = published(administrator, title="Admin", audience=Audience.ADMINISTRATORS)
        with pytest.raises(NotFound):  # an operator may not even see it
            services.add_attachment(secret, upload=upload("a.txt", b"a"), actor=operator)
        assert services.add_attachment(secret, upload=upload("a.txt", b"a"), actor=administrator).pk
        archived = services.archive(article, actor=coordinator, expected_version=refreshed(article).version)
        with pytest.raises(ReadOnly):
            services.add_attachment(archived, upload=upload("b.txt", b"b"), actor=administrator)
        assert list(ArticleAttachment.objects.values_list("article_id", flat=True)) == [secret.pk]

    def test_an_attachment_does_not_change_the_article_version(self, article, operator):
        before = refreshed(article).version
        a = services.add_attachment(article, upload=upload("a.txt", b"a"), actor=operator)
        services.remove_attachment(a, actor=operator)
        assert refreshed(article).version == before  # an open editor form can still be saved

    def test_remove_deletes_the_file_after_commit(
        self, article, operator, caller, django_capture_on_commit_callbacks
    ):
        a = services.add_attachment(article, upload=upload("a.txt", b"a"), actor=operator)
        path = Path(a.file.path)
        with pytest.raises(PermissionDenied):
            services.remove_attachment(a, actor=caller)
        with django_capture_on_commit_callbacks(execute=True):
            services.remove_attachment(a, actor=operator)
        assert not ArticleAttachment.objects.filter(pk=a.pk).exists()
        assert not path.exists()


# --------------------------------------------------------------------------------------------------
# who may download: every audience and status, for every role

CANARY = b"canary-attachment-bytes"
STATUSES = ("draft", "published", "archived")
# (audience, status) -> the roles that may download
MAY = {
    ("callers", "draft"): {"operator", "administrator"},
    ("callers", "published"): {"caller", "operator", "administrator"},
    ("callers", "archived"): {"administrator"},
    ("operators", "draft"): {"operator", "administrator"},
    ("operators", "published"): {"operator", "administrator"},
    ("operators", "archived"): {"administrator"},
    ("administrators", "draft"): {"administrator"},
    ("administrators", "published"): {"administrator"},
    ("administrators", "archived"): {"administrator"},
}


def _article_in(audience: str, status: str, *, author: User) -> tuple[Article, ArticleAttachment]:
    """An article with one canary attachment, added before publishing or archiving."""
    article = services.create_article(actor=author, title=f"{audience} {status}", audience=audience)
    a = services.add_attachment(
        article, upload=upload(f"canary-{audience}-{status}.txt", CANARY), actor=author
    )
    if status != "draft":
        article = services.publish(article, actor=author, expected_version=refreshed(article).version)
    if status == "archived":
        article = services.archive(article, actor=author, expected_version=article.version)
    return article, a


def test_download_visibility_for_every_audience_status_and_role(caller, operator, administrator):
    roles = {"caller": caller, "operator": operator, "administrator": administrator}
    clients = {role: client_for(user) for role, user in roles.items()}
    cases = [
        (audience, status, *_article_in(audience, status, author=administrator)) for audience, status in MAY
    ]
    missing = max(ArticleAttachment.objects.values_list("pk", flat=True)) + 100
    for role, client in clients.items():
        for audience, status, article, a in cases:
            allowed = role in MAY[(audience, status)]
            for url in (f"/kennisbank/attachments/{a.pk}/", f"/api/v1/knowledge/attachments/{a.pk}"):
                response = client.get(url)
                where = f"{role} {audience} {status} {url}"
                if allowed:
                    assert response.status_code == 200, where
                    assert response.getvalue() == CANARY, where
                else:
                    assert response.status_code == 404, where
                    assert CANARY not in response.content, where
            listing = client.get(f"/api/v1/knowledge/articles/{article.pk}/attachments")
            assert listing.status_code == (200 if allowed else 404), f"{role} {audience} {status} list"
            if not allowed:
                assert b"canary-" not in listing.content
            assert ArticleAttachment.objects.visible_to(roles[role]).filter(pk=a.pk).exists() == allowed
        # a hidden attachment looks exactly like one that does not exist
        assert client.get(f"/kennisbank/attachments/{missing}/").status_code == 404
        assert client.get(f"/api/v1/knowledge/attachments/{missing}").status_code == 404


def test_anonymous_users_get_nothing(article, operator):
    a = services.add_attachment(article, upload=upload("a.txt", CANARY), actor=operator)
    from django.test import Client

    anonymous = Client()
    response = anonymous.get(f"/kennisbank/attachments/{a.pk}/")
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert anonymous.get(f"/api/v1/knowledge/attachments/{a.pk}").status_code == 401


def test_a_caller_page_never_names_a_hidden_attachment(caller, operator):
    public = services.create_article(actor=operator, title="Public", audience=Audience.CALLERS)
    services.add_attachment(public, upload=upload("public-file.txt", b"x"), actor=operator)
    public = services.publish(public, actor=operator, expected_version=refreshed(public).version)
    hidden = published(operator, title="Internal", audience=Audience.OPERATORS)
    secret = services.add_attachment(hidden, upload=upload("canary-internal.txt", b"x"), actor=operator)
    client = client_for(caller)
    page = client.get(f"/portal/kennisbank/{public.pk}/").content.decode()
    assert "public-file.txt" in page
    for url in (
        "/portal/kennisbank/",
        f"/portal/kennisbank/{public.pk}/",
        f"/kennisbank/{public.pk}/print/",
        "/portal/kennisbank/?q=canary",
    ):
        assert "canary-internal" not in client.get(url).content.decode(), url
    api = client.get(f"/api/v1/knowledge/articles/{public.pk}").json()
    assert [x["original_name"] for x in api["attachments"]] == ["public-file.txt"]
    # referring to another article's attachment in the text does not reveal it
    body = f"![x](attachment:{secret.pk}) [y](attachment:canary-internal.txt)"
    edited = services.save_draft(
        public, actor=operator, expected_version=refreshed(public).version, title="Public", body=body
    )
    services.publish(edited, actor=operator, expected_version=edited.version)
    page = client.get(f"/portal/kennisbank/{public.pk}/").content.decode()
    assert f"/kennisbank/attachments/{secret.pk}/" not in page


def test_a_file_added_for_a_draft_reaches_callers_only_with_the_next_published_version(caller, operator):
    article = services.create_article(
        actor=operator, title="Wifi", body="Old text", audience=Audience.CALLERS
    )
    old = services.add_attachment(article, upload=upload("old-manual.txt", b"old"), actor=operator)
    article = services.publish(article, actor=operator, expected_version=refreshed(article).version)
    draft = services.save_draft(
        article,
        actor=operator,
        expected_version=refreshed(article).version,
        title="Wifi",
        body="New text ![new](attachment:canary-draft.txt)",
    )
    new = services.add_attachment(draft, upload=upload("canary-draft.txt", CANARY), actor=operator)
    client, staff = client_for(caller), client_for(operator)
    for url in (f"/kennisbank/attachments/{new.pk}/", f"/api/v1/knowledge/attachments/{new.pk}"):
        assert client.get(url).status_code == 404, url
        assert staff.get(url).status_code == 200, url  # operators read drafts
    assert client.get(f"/kennisbank/attachments/{old.pk}/").status_code == 200
    listing = client.get(f"/api/v1/knowledge/articles/{article.pk}/attachments").json()
    assert [x["original_name"] for x in listing] == ["old-manual.txt"]
    for url in (f"/portal/kennisbank/{article.pk}/", f"/kennisbank/{article.pk}/print/"):
        assert "canary-draft" not in client.get(url).content.decode(), url
    assert "canary-draft" not in client.get(f"/api/v1/knowledge/articles/{article.pk}").content.decode()
    assert {a.pk for a in ArticleAttachment.objects.visible_to(caller)} == {old.pk}
    services.publish(refreshed(article), actor=operator, expected_version=refreshed(article).version)
    assert client.get(f"/kennisbank/attachments/{new.pk}/").getvalue() == CANARY
    assert "canary-draft.txt" in client.get(f"/portal/kennisbank/{article.pk}/").content.decode()


# --------------------------------------------------------------------------------------------------
# how files are served


def test_images_inline_everything_else_as_a_download(article, operator):
    client = client_for(operator)
    png = services.add_attachment(article, upload=upload("p.png", image_bytes()), actor=operator)
    svg = services.add_attachment(
        article,
        upload=upload("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
        actor=operator,
    )
    html = services.add_attachment(
        article, upload=upload("page.html", b"<!doctype html><script>alert(1)</script>"), actor=operator
    )
    for prefix in ("/kennisbank/attachments/{}/", "/api/v1/knowledge/attachments/{}"):
        response = client.get(prefix.format(png.pk))
        assert response["Content-Type"] == "image/png"
        assert not response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in response["Content-Security-Policy"]
        forced = client.get(
            prefix.format(png.pk) + ("?download=1" if prefix.endswith("/") else "?download=true")
        )
        assert forced["Content-Disposition"].startswith("attachment")
        for other in (svg, html):
            response = client.get(prefix.format(other.pk))
            assert response.status_code == 200
            assert response["Content-Type"] == "application/octet-stream"
            assert response["Content-Disposition"].startswith("attachment")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "sandbox" in response["Content-Security-Policy"]


# --------------------------------------------------------------------------------------------------
# images in the text


def test_renderer_resolves_own_attachments_and_links_everything_else():
    refs = [
        AttachmentRef(12, "schema.png", "/kennisbank/attachments/12/", True),
        AttachmentRef(13, "manual.pdf", "/kennisbank/attachments/13/", False),
    ]
    html = render_markdown(
        "![a](attachment:12) ![b](attachment:schema.png) [m](attachment:13) ![pdf](attachment:13) "
        "![ext](https://cdn.example/x.png) ![other](attachment:99) [gone](attachment:98) "
        '<img src="https://cdn.example/raw.png"> <img src="/kennisbank/attachments/55/">',
        refs,
    )
    assert html.count('<img alt="a" src="/kennisbank/attachments/12/">') == 1
    assert '<img alt="b" src="/kennisbank/attachments/12/">' in html
    assert 'href="/kennisbank/attachments/13/"' in html
    assert '<img alt="pdf"' not in html
    assert '<a href="https://cdn.example/x.png" rel="noopener noreferrer">ext</a>' in html
    assert "cdn.example/raw.png" not in html  # a raw external image is not loaded
    assert "/kennisbank/attachments/55/" not in html  # nor another article's attachment
    assert "attachment:" not in html
    assert "<span>other</span>" in html
    assert "<span>gone</span>" in html
    # without attachments, no image loads at all
    assert "<img alt" not in render_markdown("![a](attachment:12) ![e](https://cdn.example/x.png)")


def test_images_show_on_the_page_the_portal_the_preview_and_the_print_view(article, operator, caller):
    png = services.add_attachment(article, upload=upload("schema.png", image_bytes()), actor=operator)
    edited = services.save_draft(
        article,
        actor=operator,
        expected_version=refreshed(article).version,
        title="Printer",
        body=f"Look:\n\n![the schema](attachment:{png.pk})\n\n![ext](https://cdn.example/p.png)",
    )
    services.publish(edited, actor=operator, expected_version=edited.version)
    img = f'<img alt="the schema" src="/kennisbank/attachments/{png.pk}/">'
    staff, portal = client_for(operator), client_for(caller)
    for client, url in (
        (staff, f"/kennisbank/{article.pk}/"),
        (staff, f"/kennisbank/{article.pk}/print/"),
        (staff, f"/kennisbank/{article.pk}/versions/2/"),
        (portal, f"/portal/kennisbank/{article.pk}/"),
        (portal, f"/kennisbank/{article.pk}/print/"),
    ):
        page = client.get(url).content.decode()
        assert img in page, url
        assert 'src="https://cdn.example' not in page, url
    preview = staff.post(
        "/kennisbank/preview/", {"body": f"![p](attachment:{png.pk})", "article": article.pk}
    )
    assert f'src="/kennisbank/attachments/{png.pk}/"' in preview.content.decode()
    # without the article (a new article) the reference is not resolved
    assert (
        "<img"
        not in staff.post("/kennisbank/preview/", {"body": f"![p](attachment:{png.pk})"}).content.decode()
    )
    api = portal.get(f"/api/v1/knowledge/articles/{article.pk}").json()
    assert img in api["html"]


# --------------------------------------------------------------------------------------------------
# the editor's panel


def test_editor_panel_upload_list_copy_and_delete(article, operator, caller):
    client = client_for(operator)
    htmx = {"HX-Request": "true"}
    edit = client.get(f"/kennisbank/{article.pk}/edit/").content.decode()
    assert 'id="kb-attachments"' in edit
    response = client.post(
        f"/kennisbank/{article.pk}/attachments/upload/",
        {"file": upload("schema.png", image_bytes())},
        headers=htmx,
    )
    assert response.status_code == 200
    a = ArticleAttachment.objects.get()
    assert "schema.png" in response.content.decode()
    assert a.markdown in response.content.decode()  # the snippet to copy
    assert response["HX-Trigger"] == "kb-attachments-changed"
    refused = client.post(
        f"/kennisbank/{article.pk}/attachments/upload/", {"file": upload("x.png", b"<html>")}, headers=htmx
    )
    assert refused.status_code == 200
    assert ArticleAttachment.objects.count() == 1
    assert "errorlist" in refused.content.decode()
    # removing needs the confirmation
    client.post(f"/kennisbank/{article.pk}/attachments/{a.pk}/delete/", {}, headers=htmx)
    assert ArticleAttachment.objects.filter(pk=a.pk).exists()
    response = client.post(f"/kennisbank/{article.pk}/attachments/{a.pk}/delete/", {"confirm": "1"})
    assert response.status_code == 302
    assert not ArticleAttachment.objects.exists()
    # callers have no editor
    other = client_for(caller)
    assert other.get(f"/kennisbank/{article.pk}/attachments/").status_code == 404
    assert (
        other.post(
            f"/kennisbank/{article.pk}/attachments/upload/", {"file": upload("a.txt", b"a")}
        ).status_code
        == 404
    )
    assert not ArticleAttachment.objects.exists()


def test_panel_without_htmx_redirects_with_a_message(article, operator, settings):
    settings.MAX_ATTACHMENT_BYTES = 5
    client = client_for(operator)
    response = client.post(
        f"/kennisbank/{article.pk}/attachments/upload/", {"file": upload("a.txt", b"123456")}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/kennisbank/{article.pk}/edit/"
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert not ArticleAttachment.objects.exists()


# --------------------------------------------------------------------------------------------------
# API


def test_api_upload_list_delete(article, operator, caller, settings):
    api = client_for(operator)
    base = f"/api/v1/knowledge/articles/{article.pk}/attachments"
    created = api.post(base, {"file": upload("schema.png", image_bytes())})
    assert created.status_code == 201
    body = created.json()
    assert body["is_image"] is True
    assert body["content_type"] == "image/png"
    assert body["download_url"] == f"/api/v1/knowledge/attachments/{body['id']}"
    assert [x["id"] for x in api.get(base).json()] == [body["id"]]
    # bad input: 4xx with field messages, nothing stored
    assert api.post(base, {}).status_code == 422
    refused = api.post(base, {"file": upload("x.png", b"<html>")})
    assert refused.status_code == 400
    assert "file" in refused.json()["fields"]
    settings.MAX_ATTACHMENT_BYTES = 3
    assert api.post(base, {"file": upload("a.txt", b"1234")}).status_code == 400
    assert (
        api.post("/api/v1/knowledge/articles/999999/attachments", {"file": upload("a.txt", b"1")}).status_code
        == 404
    )
    assert client_for(caller).post(base, {"file": upload("a.txt", b"1")}).status_code == 403
    assert ArticleAttachment.objects.count() == 1
    # delete
    assert client_for(caller).delete(f"{base}/{body['id']}").status_code == 403
    assert api.delete(f"{base}/999999").status_code == 404
    assert api.delete(f"{base}/{body['id']}").status_code == 204
    assert not ArticleAttachment.objects.exists()
    assert api.get("/api/v1/knowledge/attachments/abc").status_code == 422
