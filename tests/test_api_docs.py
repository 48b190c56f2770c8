"""The interactive API documentation (/api/v1/docs): our own Swagger UI files under the strict
Content-Security-Policy, no CDN, no inline script."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

import beheer
from beheer.core.middleware import SecurityHeadersMiddleware

DOCS = "/api/v1/docs"
VENDOR = Path(beheer.__file__).parent / "static" / "vendor"


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.inline_styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("src", "href", "action") and v]
        if tag == "script":
            self.scripts.append(values)
        if tag == "style" or "style" in values:
            self.inline_styles += 1


def _parse(html: str) -> _Refs:
    refs = _Refs()
    refs.feed(html)
    return refs


@pytest.mark.django_db
def test_the_docs_page_carries_the_content_security_policy() -> None:
    response = Client().get(DOCS)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == SecurityHeadersMiddleware.POLICY
    assert "script-src 'self';" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_docs_page_loads_only_our_own_files() -> None:
    html = Client().get(DOCS).content.decode()
    refs = _parse(html)
    assert refs.urls, html
    for url in refs.urls:
        parsed = urlparse(url)
        assert not parsed.scheme, url  # same origin, no CDN
        assert not parsed.netloc, url
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), url
    assert not re.search(r"https?://|//cdn", html.replace("http://www.w3.org", "")), html
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in refs.urls
    assert "/static/vendor/swagger-ui/swagger-ui.css" in refs.urls
    # no inline script or style: scripts have a src, or carry JSON data the browser does not run
    assert refs.inline_styles == 0
    for script in refs.scripts:
        assert script.get("src") or script.get("type") == "application/json", script


def test_the_vendored_files_match_their_recorded_checksums() -> None:
    recorded = re.findall(r"^# sha256 (\S+) ([0-9a-f]{64})$", (VENDOR / "VERSIONS").read_text(), re.M)
    names = {name for name, _ in recorded}
    assert {"swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css"} <= names
    for name, digest in recorded:
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAS_BROWSER = os.path.exists(CHROMIUM)


@pytest.fixture
def page(live_server: Any) -> Iterator[Any]:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        context = browser.new_context(locale="en-GB")
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
            from django.db import connections

            connections.close_all()


@pytest.mark.browser
@pytest.mark.skipif(not HAS_BROWSER, reason="Debian's chromium is not installed (apt-get install chromium)")
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_runs_under_the_policy_in_a_real_browser(page: Any, live_server: Any) -> None:
    violations: list[str] = []
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}{DOCS}")
    page.wait_for_selector(".swagger-ui .opblock")  # the operations rendered from /api/v1/openapi.json
    assert page.locator(".swagger-ui .opblock").count() >= 5
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Beheer API")
    page.wait_for_timeout(300)  # late violations (styles applied after rendering)
    assert violations == []
    assert errors == []
    origin = urlparse(live_server.url).netloc
    assert all(urlparse(url).netloc == origin for url in requests if not url.startswith("data:")), requests
