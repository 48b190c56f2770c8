"""Take the documentation's screenshots from a fresh demo (docs/screenshots/*.png).

    .venv/bin/python tools/screenshots.py [name ...]

Loads the demo into a scratch SQLite database in a temporary directory, starts `beheer run` (web,
worker and monitor) on a free loopback port and photographs each page with Debian's chromium
(Playwright) at 1366x900, in the language each screenshot is documented in. Without names it takes
all of them.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
BEHEER = ROOT / ".venv" / "bin" / "beheer"
PASSWORD = "demo-wachtwoord-2026"
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class Shot:
    name: str
    user: str
    path: str  # a path, or "first:<list path>|<link selector>" to open the first link of a list
    language: str = "nl"
    width: int = 1366
    height: int = 900
    mobile: bool = False
    full_page: bool = False
    prepare: Callable[[Any], None] | None = None


def _open_first(page: Any, base: str, path: str) -> None:
    """The first link on a list page whose path matches a pattern (a melding of the list)."""
    listing, pattern = path.removeprefix("first:").split("|", 1)
    page.goto(base + listing)
    hrefs = [str(a.get_attribute("href") or "") for a in page.locator("main a[href]").all()]
    href = next(h for h in hrefs if re.fullmatch(pattern, h))
    page.goto(base + href)


def _check_the_first_policy(page: Any) -> None:
    page.click(".sla-check-form .form-actions button[type=submit]")
    page.wait_for_load_state("networkidle")


def _follow(selector: str) -> Callable[[Any], None]:
    """Open the link `selector` names on the page (a tab of a change, a part of its tests)."""

    def follow(page: Any) -> None:
        page.locator(selector).first.click()
        page.wait_for_load_state("networkidle")

    return follow


SHOTS = [
    Shot("login", "", "/login/"),
    Shot("queue-1366", "demo.behandelaar", "/meldingen/?queue=all"),
    Shot("queue-1920", "demo.behandelaar", "/meldingen/?queue=all", width=1920, height=1080),
    Shot("detail", "demo.behandelaar", r"first:/meldingen/?queue=open|/meldingen/\d+/"),
    Shot("new", "demo.behandelaar", "/meldingen/new/"),
    Shot("dashboard", "demo.coordinator", "/dashboard/", full_page=True),
    Shot("reports", "demo.coordinator", "/reports/", full_page=True),
    Shot(
        "sla-check",
        "demo.coordinator",
        "/reports/sla-check/?policy=1",
        width=1440,
        height=1227,
        prepare=_check_the_first_policy,
    ),
    Shot("monitoring", "demo.beheerder", "/monitoring/"),
    Shot("maintenance-windows", "demo.beheerder", "/monitoring/windows/"),
    Shot("ci", "demo.behandelaar", r"first:/cmdb/?q=sw-noord01|/cmdb/\d+/", full_page=True),
    Shot("change", "demo.coordinator", r"first:/changes/?q=Firmware|/changes/\d+/", full_page=True),
    Shot(
        "tests",
        "demo.coordinator",
        r"first:/changes/?q=pilot|/changes/\d+/",
        language="en",
        full_page=True,
        prepare=_follow("[data-tab=change-tests]"),
    ),
    Shot(
        "test-report",
        "demo.coordinator",
        r"first:/changes/?q=pilot|/changes/\d+/",
        language="en",
        full_page=True,
        prepare=lambda page: (
            _follow("[data-tab=change-tests]")(page),
            _follow("[data-tests-link=testing-report]")(page),
        ),
    ),
    Shot(
        "portal-acceptance-phone",
        "demo.melder",
        r"first:/portal/acceptance/|/portal/acceptance/\d+/",
        width=390,
        height=844,
        mobile=True,
        full_page=True,
    ),
    Shot("portal_detail", "demo.melder", r"first:/portal/|/portal/\d+/"),
    Shot("portal-phone", "demo.melder", "/portal/", width=390, height=844, mobile=True),
    Shot(
        "portal-phone-new", "demo.melder", "/portal/new/", width=390, height=844, mobile=True, full_page=True
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/login/", timeout=2)  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def main(names: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    shots = [s for s in SHOTS if not names or s.name in names]
    with tempfile.TemporaryDirectory() as scratch:
        port = _free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("BEHEER_", "DATABASE_URL"))},
            "BEHEER_DATA_DIR": scratch,
            "BEHEER_BIND": f"127.0.0.1:{port}",
        }
        subprocess.run([str(BEHEER), "migrate", "--no-input", "-v", "0"], env=env, check=True)
        subprocess.run([str(BEHEER), "demo"], env=env, check=True)
        web = subprocess.Popen([str(BEHEER), "run"], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base)
            time.sleep(20)  # the worker and the monitor report in; the demo checks get a first result
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM)
                for shot in shots:
                    context = browser.new_context(
                        viewport={"width": shot.width, "height": shot.height},
                        is_mobile=shot.mobile,
                        has_touch=shot.mobile,
                        device_scale_factor=2 if shot.mobile else 1,
                        locale=shot.language,
                        extra_http_headers={"Accept-Language": shot.language},
                    )
                    page = context.new_page()
                    if shot.user:
                        page.goto(base + "/login/")
                        page.fill("input[name=username]", shot.user)
                        page.fill("input[name=password]", PASSWORD)
                        page.click("button[type=submit]")
                        page.wait_for_load_state("networkidle")
                    if shot.path.startswith("first:"):
                        _open_first(page, base, shot.path)
                    else:
                        page.goto(base + shot.path)
                    page.wait_for_load_state("networkidle")
                    if shot.prepare:
                        shot.prepare(page)
                    target = OUT / f"{shot.name}.png"
                    page.screenshot(path=str(target), full_page=shot.full_page)
                    print(f"{target.relative_to(ROOT)}: {page.url}")
                    context.close()
                browser.close()
        finally:
            web.terminate()
            web.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
