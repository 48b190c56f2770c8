"""Stored XSS: a payload in every text field of an article, rendered in every place it appears."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from beheer.knowledge import services
from beheer.knowledge.models import Audience, KnowledgeCategory
from beheer.knowledge.rendering import render_markdown
from tests.helpers import client_for

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>"><svg onload=alert(2)>'
BODY = (
    "# Kop\n\n" + PAYLOAD + "\n\n[klik](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) "
    '<a href="https://ok.example" onclick="alert(4)">ok</a> <iframe src="https://evil.example"></iframe>\n\n'
    '![pixel](http://tracker.example/p.png) <div style="background:url(x)">styled</div>\n'
)


class ActiveContent(HTMLParser):
    """Collects what a browser would run or load: scripts, handlers, unsafe URLs, embedded frames."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("svg", "iframe", "object", "embed", "style"):
            self.found.append(f"<{tag}>")
        if tag == "script":
            if not dict(attrs).get("src", "").startswith("/static/"):  # type: ignore[union-attr]
                self.found.append("inline or foreign script")
            self._in_script = True
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name == "style" or name == "srcdoc":
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action") and value.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag} {name}={value}")
            if tag == "img" and name == "src" and value.startswith("http:"):
                self.found.append("plain http image")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("script content")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def assert_safe(html: str, where: str) -> None:
    parser = ActiveContent()
    parser.feed(html)
    assert parser.found == [], where
    assert "<script>alert" not in html, where


@pytest.fixture
def hostile(operator, coordinator):
    category = KnowledgeCategory.objects.create(
        code="xss", name_nl=f"C {PAYLOAD}"[:80], name_en=f"C {PAYLOAD}"[:80]
    )
    article = services.create_article(
        actor=operator,
        title=f"T {PAYLOAD}",
        body=BODY,
        audience=Audience.CALLERS,
        category=category,
        tags=f"tag {PAYLOAD}"[:40],
        change_note=f"Note {PAYLOAD}",
    )
    article = services.publish(article, actor=operator, expected_version=article.version)
    article = services.save_draft(
        article,
        actor=coordinator,
        expected_version=article.version,
        title=f"T2 {PAYLOAD}",
        body=BODY + "\nmore " + PAYLOAD,
        tags=f"other {PAYLOAD}"[:40],
        change_note=f"Second {PAYLOAD}",
    )
    return article


def test_renderer_strips_scripts_handlers_and_unsafe_links():
    html = render_markdown(BODY)
    assert_safe(html, "render")
    assert '<a href="https://ok.example" rel="noopener noreferrer">ok</a>' in html
    assert "<h1" in html
    assert "Kop" in html


def test_every_operator_page_escapes_every_field(hostile, operator):
    client = client_for(operator)
    pk = hostile.pk
    urls = [
        "/kennisbank/",
        "/kennisbank/?q=alert",
        "/kennisbank/?q=tag",
        f"/kennisbank/{pk}/",
        f"/kennisbank/{pk}/edit/",
        f"/kennisbank/{pk}/print/",
        f"/kennisbank/{pk}/versions/",
        f"/kennisbank/{pk}/versions/1/",
        f"/kennisbank/{pk}/versions/2/",
        f"/kennisbank/{pk}/diff/?a=1&b=2",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_safe(response.content.decode(), url)
    # the payload is shown as text, so it is really rendered in these places
    assert "&lt;script&gt;" in client.get(f"/kennisbank/{pk}/diff/?a=1&b=2").content.decode()
    assert "Second &lt;script&gt;" in client.get(f"/kennisbank/{pk}/versions/").content.decode()
    preview = client.post("/kennisbank/preview/", {"body": BODY}).content.decode()
    assert_safe(preview, "preview")


def test_portal_and_api_escape_every_field(hostile, caller, operator):
    client = client_for(caller)
    for url in ("/portal/kennisbank/", "/portal/kennisbank/?q=kop", f"/portal/kennisbank/{hostile.pk}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert_safe(response.content.decode(), url)
    api = client_for(operator).get(f"/api/v1/knowledge/articles/{hostile.pk}").json()
    assert_safe(api["html"], "api html")
    assert_safe(api["draft"]["html"], "api draft html")
    assert api["body"] == BODY  # the Markdown source is returned as data, unchanged


def test_the_checker_catches_active_content():
    for bad in (
        '<img src=x onerror="alert(1)">',
        "<script>alert(1)</script>",
        '<a href="javascript:x">a</a>',
        "<svg></svg>",
        '<img src="http://tracker/p.png">',
    ):
        with pytest.raises(AssertionError):
            assert_safe(bad, "checker")
    assert_safe("&lt;script&gt;alert(1)&lt;/script&gt; onerror=alert(1)", "escaped text is fine")
