"""Print views and PDFs of one article and of a section handbook: what they contain, in which order,
that they never include an article the reader may not read, and that no text can inject markup
(HTML in the print page, reportlab's mini-markup in the PDF)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import formats, timezone
from pypdf import PdfReader

from beheer.accounts.models import User
from beheer.knowledge import services
from beheer.knowledge.handbook import Entry
from beheer.knowledge.models import Article, Audience, KnowledgeCategory
from beheer.knowledge.pdf import article_pdf
from tests.helpers import client_for

from .helpers import published, refreshed
from .test_attachments import image_bytes, upload
from .test_xss import PAYLOAD, assert_safe

HIDDEN = ["canaryoperatoronly", "canaryadminonly", "canarydraftonly", "canaryarchivedonly", "canaryothercat"]
PENDING_SECRET = "canarypendingdraft"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def outline_titles(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    titles: list[str] = []

    def walk(items: Any) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def squash(value: str) -> str:
    return re.sub(r"\s+", " ", value)


@dataclass
class Tree:
    root: KnowledgeCategory
    child: KnowledgeCategory
    grandchild: KnowledgeCategory
    other: KnowledgeCategory
    wifi: Article


@pytest.fixture
def tree(operator: User, administrator: User, coordinator: User) -> Tree:
    root = KnowledgeCategory.objects.create(code="net", name_nl="Netwerk", name_en="Network", order=1)
    child = KnowledgeCategory.objects.create(
        code="wifi", name_nl="Wifi", name_en="Wifi", parent=root, order=1
    )
    grandchild = KnowledgeCategory.objects.create(
        code="guest", name_nl="Gasten", name_en="Guests", parent=child, order=1
    )
    other = KnowledgeCategory.objects.create(code="other", name_nl="Anders", name_en="Other", order=2)
    callers = Audience.CALLERS
    published(operator, title="Zebra root article", body="zebra text", audience=callers, category=root)
    published(operator, title="Alpha root article", body="alpha text", audience=callers, category=root)
    wifi = published(operator, title="Wifi setup", body="wifi text", audience=callers, category=child)
    published(operator, title="Guest network", body="guest text", audience=callers, category=grandchild)
    published(operator, title="Op canaryoperatoronly", body="x", audience=Audience.OPERATORS, category=child)
    published(
        administrator, title="Adm canaryadminonly", body="x", audience=Audience.ADMINISTRATORS, category=child
    )
    services.create_article(actor=operator, title="Draft canarydraftonly", audience=callers, category=child)
    archived = published(operator, title="Old canaryarchivedonly", body="x", audience=callers, category=child)
    services.archive(archived, actor=coordinator, expected_version=archived.version)
    published(operator, title="Elsewhere canaryothercat", body="x", audience=callers, category=other)
    services.save_draft(
        refreshed(wifi),
        actor=operator,
        expected_version=refreshed(wifi).version,
        title=f"Wifi {PENDING_SECRET}",
        body=f"secret {PENDING_SECRET}",
    )
    return Tree(root, child, grandchild, other, wifi)


EXPECTED_CALLER = [
    ("1", "Netwerk"),
    ("1.1", "Alpha root article"),
    ("1.2", "Zebra root article"),
    ("2", "Netwerk / Wifi"),
    ("2.1", "Wifi setup"),
    ("3", "Netwerk / Wifi / Gasten"),
    ("3.1", "Guest network"),
]


def test_handbook_page_numbers_and_orders_the_readable_articles(tree, caller):
    page = client_for(caller).get(f"/kennisbank/categories/{tree.root.pk}/handbook/").content.decode()
    toc = page[page.index('class="kb-toc"') : page.index("</nav>")]
    links = [squash(t).strip() for t in re.findall(r'<a href="#[^"]+">([^<]*)</a>', toc)]
    assert links == [f"{n} {t}" for n, t in EXPECTED_CALLER]
    anchors = re.findall(r'<a href="#([^"]+)">', toc)
    for anchor in anchors:
        assert f'id="{anchor}"' in page  # every entry of the contents leads somewhere
    for secret in [*HIDDEN, PENDING_SECRET]:
        assert secret not in page
    assert "zebra text" in page
    assert "wifi text" in page


def test_handbook_pdf_has_contents_outline_and_no_hidden_article(tree, caller):
    response = client_for(caller).get(f"/kennisbank/categories/{tree.root.pk}/handbook.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for secret in [*HIDDEN, PENDING_SECRET]:
        assert secret not in text
    titles = outline_titles(response.content)
    assert [squash(t) for t in titles] == [f"{n} {t}" for n, t in EXPECTED_CALLER]
    # the table of contents (first page) lists the articles in order, with page numbers
    first = squash(PdfReader(io.BytesIO(response.content)).pages[0].extract_text())
    positions = [first.index(title) for _, title in EXPECTED_CALLER if "/" not in title]
    assert positions == sorted(positions)
    assert "zebra text" in text


@pytest.mark.parametrize(
    ("role", "sees", "never"),
    [
        ("operator", ["canaryoperatoronly"], ["canaryadminonly", "canarydraftonly", "canaryarchivedonly"]),
        (
            "administrator",
            ["canaryoperatoronly", "canaryadminonly"],
            ["canarydraftonly", "canaryarchivedonly"],
        ),
    ],
)
def test_handbook_follows_each_roles_visibility(tree, role, sees, never, operator, administrator):
    user = {"operator": operator, "administrator": administrator}[role]
    client = client_for(user)
    page = client.get(f"/kennisbank/categories/{tree.root.pk}/handbook/").content.decode()
    text = pdf_text(client.get(f"/api/v1/knowledge/categories/{tree.root.pk}/handbook.pdf").content)
    for found in (page, text):
        for title in sees:
            assert title in found
        for title in [*never, "canaryothercat", PENDING_SECRET]:
            assert title not in found


def test_handbook_of_a_sub_category_and_an_empty_one(tree, caller):
    client = client_for(caller)
    page = client.get(f"/kennisbank/categories/{tree.child.pk}/handbook/").content.decode()
    assert "Wifi setup" in page
    assert "Guest network" in page
    assert "Alpha root article" not in page
    empty = KnowledgeCategory.objects.create(code="empty", name_nl="Leeg", name_en="Empty")
    response = client.get(f"/kennisbank/categories/{empty.pk}/handbook.pdf")
    assert response.status_code == 200
    assert outline_titles(response.content) == []
    assert client.get("/kennisbank/categories/999999/handbook/").status_code == 404


def test_article_print_view_header(tree, operator):
    article = refreshed(tree.wifi)
    page = client_for(operator).get(f"/kennisbank/{article.pk}/print/").content.decode()
    version = article.current_version
    assert "Wifi setup" in page  # the published version, not the draft
    assert PENDING_SECRET not in page
    assert str(article.get_kind_display()) in page
    assert str(article.owner) in page
    assert formats.date_format(timezone.localdate(version.published_at), "SHORT_DATE_FORMAT") in page
    assert formats.date_format(article.next_review_on, "SHORT_DATE_FORMAT") in page
    assert f"<dd>{version.number}</dd>" in page


def test_article_pdf_has_header_text_and_the_image(operator, caller):
    article = published(operator, title="Printer", body="Intro", audience=Audience.CALLERS)
    png = services.add_attachment(
        article, upload=upload("schema.png", image_bytes(size=(40, 20))), actor=operator
    )
    services.add_attachment(article, upload=upload("manual.pdf", b"%PDF-1.4 x"), actor=operator)
    edited = services.save_draft(
        article,
        actor=operator,
        expected_version=refreshed(article).version,
        title="Printer",
        body=f"Intro\n\n![schema](attachment:{png.pk})\n\n![ext](https://cdn.example/p.png)",
        tags="printer, toner",
        change_note="Added the schema",
    )
    services.publish(edited, actor=operator, expected_version=edited.version)
    for url in (f"/kennisbank/{article.pk}/pdf/", f"/api/v1/knowledge/articles/{article.pk}/pdf"):
        response = client_for(caller).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        reader = PdfReader(io.BytesIO(response.content))
        text = squash(pdf_text(response.content))
        for expected in ("Printer", "printer, toner", "Added the schema", "manual.pdf", str(operator), "ext"):
            assert expected in text, expected
        assert sum(len(page.images) for page in reader.pages) == 1  # the own image, not the external one


def test_pdf_converts_lists_tables_code_and_links(operator):
    body = (
        "# Heading one\n\nSome **bold** and *italic* and `code` text with a [link](https://example.org/x).\n\n"
        "- first item\n- second item\n\n1. step one\n2. step two\n\n"
        "| Name | Value |\n|---|---|\n| cell-a | cell-b |\n\n"
        "```\nline <one> & two\n```\n\n> quoted words\n\n[bad](javascript:alert(1))\n"
    )
    article = published(operator, title="Formats", body=body)
    content = client_for(operator).get(f"/kennisbank/{article.pk}/pdf/").content
    text = squash(pdf_text(content))
    for expected in (
        "Heading one", "bold", "italic", "code", "first item", "second item", "step one", "step two",
        "cell-a", "cell-b", "line <one> & two", "quoted words", "bad",
    ):  # fmt: skip
        assert expected in text, expected
    links = [
        annotation.get_object().get("/A", {}).get("/URI")
        for page in PdfReader(io.BytesIO(content)).pages
        for annotation in page.get("/Annots") or []
    ]
    assert "https://example.org/x" in links
    assert not any(str(link).startswith("javascript") for link in links if link)


FILE_NAME = "R&D 'x' onerror=alert(1) &lt;b&gt;.txt"  # <, > and " are removed from file names
HOSTILE_TITLE = '<font size=80>R&D</font> <b>bold & "quoted"'


def test_markup_in_every_field_is_printed_as_text(operator, caller):
    category = KnowledgeCategory.objects.create(code="xss", name_nl="<i>Cat & co", name_en="<i>Cat & co")
    article = services.create_article(
        actor=operator,
        title=HOSTILE_TITLE,
        body=f"# {PAYLOAD}\n\n{PAYLOAD} <font size=80>big</font> &amp; R&D\n",
        audience=Audience.CALLERS,
        category=category,
        tags="<font color=red>tag</font>",
        change_note=f"Note <font size=80> & {PAYLOAD}",
    )
    services.add_attachment(article, upload=upload(FILE_NAME, b"data"), actor=operator)
    article = services.publish(article, actor=operator, expected_version=refreshed(article).version)
    client = client_for(caller)
    for url in (f"/kennisbank/{article.pk}/print/", f"/kennisbank/categories/{category.pk}/handbook/"):
        page = client.get(url).content.decode()
        assert_safe(page, url)
        assert "&lt;font size=80&gt;R&amp;D&lt;/font&gt;" in page
        assert "&lt;font color=red&gt;tag&lt;/font&gt;" in page
        assert "Note &lt;font size=80&gt; &amp; " in page
        assert "R&amp;D &#x27;x&#x27; onerror=alert(1) &amp;lt;b&amp;gt;.txt" in page
    for url in (
        f"/api/v1/knowledge/articles/{article.pk}/pdf",
        f"/api/v1/knowledge/categories/{category.pk}/handbook.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = squash(pdf_text(response.content))
        assert HOSTILE_TITLE in text, url
        assert "<font color=red>tag</font>" in text
        assert "Note <font size=80> &" in text
        assert FILE_NAME in text  # entities in a name are not read as markup either
        assert "big R&D" in text  # the sanitiser dropped the font tag, so the text prints as normal text
        assert squash(f"Note <font size=80> & {PAYLOAD}") in text  # the change note, as text
    titles = outline_titles(client.get(f"/api/v1/knowledge/categories/{category.pk}/handbook.pdf").content)
    assert [squash(t) for t in titles] == ["1 <i>Cat & co", squash(f"1.1 {HOSTILE_TITLE}")]


def test_pdf_of_a_broken_image_still_renders(operator):
    article = published(operator, title="Broken", body="x")
    png = services.add_attachment(article, upload=upload("x.png", image_bytes()), actor=operator)
    with open(png.file.path, "wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\nbroken")
    entry = Entry(
        refreshed(article),
        refreshed(article).current_version,
        f'<p><img alt="x" src="/kennisbank/attachments/{png.pk}/"></p>',
        [png],
    )
    from django.utils import timezone

    text = pdf_text(article_pdf(entry, generated=timezone.now()))
    assert "[x.png]" in text


def test_print_and_pdf_routes_hide_what_the_user_may_not_read(operator, caller, administrator):
    hidden = published(operator, title="canaryprintsecret", body="x")
    admin = published(administrator, title="canaryprintadmin", body="x", audience=Audience.ADMINISTRATORS)
    client = client_for(caller)
    for url in (
        f"/kennisbank/{hidden.pk}/print/",
        f"/kennisbank/{hidden.pk}/pdf/",
        f"/api/v1/knowledge/articles/{hidden.pk}/pdf",
        "/api/v1/knowledge/articles/999999/pdf",
        "/api/v1/knowledge/categories/999999/handbook.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"canaryprint" not in response.content
    assert client_for(operator).get(f"/api/v1/knowledge/articles/{admin.pk}/pdf").status_code == 404
    assert client.get("/api/v1/knowledge/articles/abc/pdf").status_code == 422
    assert client.get("/api/v1/knowledge/categories/abc/handbook.pdf").status_code == 422


def test_buttons_lead_to_print_pdf_and_handbook(tree, operator, caller):
    article = tree.wifi
    detail = client_for(operator).get(f"/kennisbank/{article.pk}/").content.decode()
    assert f"/kennisbank/{article.pk}/pdf/" in detail
    assert f"/kennisbank/categories/{tree.child.pk}/handbook/" in detail
    listing = client_for(caller).get(f"/portal/kennisbank/?category={tree.root.pk}").content.decode()
    assert f"/kennisbank/categories/{tree.root.pk}/handbook/" in listing
    assert f"/kennisbank/categories/{tree.root.pk}/handbook.pdf" in listing
    portal = client_for(caller).get(f"/portal/kennisbank/{article.pk}/").content.decode()
    assert f"/kennisbank/{article.pk}/pdf/" in portal
