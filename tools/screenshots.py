"""Refresh the screenshots of the daily screens in docs/screenshots/ from a running demo.

    BEHEER_DATA_DIR=/tmp/beheer-shots beheer migrate && BEHEER_DATA_DIR=/tmp/beheer-shots beheer demo
    BEHEER_DATA_DIR=/tmp/beheer-shots BEHEER_BIND=127.0.0.1:8765 beheer web &
    .venv/bin/python tools/screenshots.py http://127.0.0.1:8765

Takes the operator's queue at 1366 and 1920 px (all calls, Dutch, as the demo operator), the SLA
check filled in from the first SLA policy, and the caller's portal on a phone (390 x 844). Uses
Debian's chromium through Playwright, as the browser tests do.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

PASSWORD = "demo-wachtwoord-2026"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def main(base: str) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        desk = browser.new_context(locale="nl-NL", viewport={"width": 1366, "height": 900})
        page = desk.new_page()
        login(page, base, "demo.behandelaar")
        for width, height in ((1366, 900), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/meldingen/?queue=all")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"queue-{width}.png"))
        desk.close()

        coordinator = browser.new_context(locale="nl-NL", viewport={"width": 1440, "height": 1227})
        page = coordinator.new_page()
        login(page, base, "demo.coordinator")
        page.goto(f"{base}/reports/sla-check/?policy=1")
        page.click(".sla-check-form .form-actions button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "sla-check.png"))
        coordinator.close()

        phone = browser.new_context(
            locale="nl-NL",
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        page = phone.new_page()
        login(page, base, "demo.melder")
        page.goto(f"{base}/portal/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "portal-phone.png"))
        page.goto(f"{base}/portal/new/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "portal-phone-new.png"), full_page=True)
        phone.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8765")
