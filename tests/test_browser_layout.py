"""The daily screens fit the screens they are used on (headless Debian chromium through Playwright).

The operator's queue fits 1366 px without horizontal scrolling and uses the width of a 1920 px
screen; the top bar stays one line at 1366 px in Dutch and English for an administrator (the role
with the most menu items); the melding page, the dashboard, the queue with its filters and the
report filters clip nothing at 1366 px; the caller's portal works on a phone. No page logs a
Content-Security-Policy violation (all layout comes from the style sheet).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.core import config_cache
from beheer.servicedesk import services
from beheer.servicedesk.models import Category, EntryType, Melding, OlaTarget
from tests.helpers import make_person, restore_default_configuration
from tests.test_browser import BROWSER_MARKS, CHROMIUM, PASSWORD, _login, htmx_settled
from tests.test_browser import browser_page as browser_page  # the fixture
from tests.test_browser_melding_page import Watch

pytestmark = BROWSER_MARKS

LAPTOP = {"width": 1366, "height": 768}
WIDE = {"width": 1920, "height": 1080}

# Lists what sticks out: elements whose right edge passes the viewport, elements cut off by an
# ancestor that hides its overflow, elements that hide their own text (overflow hidden and wider
# content, unless shown with an ellipsis and the full text in a title), scroll containers that
# scroll sideways, and selects narrower than their longest option.
OVERFLOWS = """
([root, selects]) => {
  const scope = document.querySelector(root);
  const width = document.documentElement.clientWidth;
  const found = [];
  const canvas = document.createElement("canvas").getContext("2d");
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (el.classList.length) text += "." + [...el.classList].join(".");
    return text + " “" + (el.innerText || el.value || "").trim().slice(0, 40) + "”";
  };
  const hides = (style) => style.overflowX === "hidden" || style.overflowX === "clip";
  for (const el of scope.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || style.visibility === "hidden") continue;
    if (el.closest(".visually-hidden, [hidden], option, svg")) continue;
    if (box.right > width + 1) found.push("past the viewport: " + name(el) + " " + Math.round(box.right));
    for (let up = el.parentElement; up && up !== scope.parentElement; up = up.parentElement) {
      const upStyle = getComputedStyle(up);
      if (upStyle.overflowX === "visible") continue;
      const upBox = up.getBoundingClientRect();
      if (hides(upStyle) && upBox.width > 1 && upBox.height > 1) {  // not a visually hidden part
        if (box.right > upBox.right + 1) found.push("cut off by " + name(up) + ": " + name(el));
      }
      break;
    }
    const scrolls = el.scrollWidth > el.clientWidth + 1;
    if (scrolls && hides(style) && !(style.textOverflow === "ellipsis" && el.title)
        && !["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName)) {
      found.push("hides its text: " + name(el));
    }
    if (scrolls && (style.overflowX === "auto" || style.overflowX === "scroll")
        && el !== document.documentElement && el.tagName !== "TEXTAREA") {
      found.push("scrolls sideways: " + name(el) + " " + el.scrollWidth + " > " + el.clientWidth);
    }
    if (selects && el.tagName === "SELECT" && !el.multiple) {
      canvas.font = style.font;
      const longest = Math.max(0, ...[...el.options].map((o) => canvas.measureText(o.text).width));
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
      if (longest > room + 1) {
        found.push("select too narrow: " + name(el) + " " + Math.round(longest) + " > " + Math.round(room));
      }
    }
  }
  return found;
}
"""

LONG_BRIEFS = [
    "Beamer in lokaal 2.14 geeft geen beeld meer na de storing van vanochtend vroeg",
    "Wifi-verbinding valt steeds weg in het hele B-gebouw tijdens de eerste twee uren",
    "Nieuwe leerling kan niet inloggen op de laptop en ziet een melding over het wachtwoord",
    "Printer op de docentenkamer print alleen lege pagina's sinds de update van gisteren",
    "Het digibord in het natuurkundelokaal reageert niet op de pen en toont een foutcode",
]
GROUPS = [
    "Servicedesk eerste lijn en werkplekondersteuning",
    "Systeembeheer netwerk, servers en infrastructuur",
    "Applicatiebeheer onderwijsprogramma's en leerlingadministratie",
]


def _person(role: str, username: str, first: str, last: str, language: str = "en") -> User:
    return make_person(
        role, username=username, password=PASSWORD, first_name=first, last_name=last, language=language
    )


def setup_queue(language: str = "en") -> dict[str, Any]:
    """A realistic page of 25 meldingen: long descriptions, caller names and group names."""
    restore_default_configuration()
    groups = [OperatorGroup.objects.create(name=name, is_first_line=True) for name in GROUPS]
    for group in groups:  # the melding page then shows its OLA table
        OlaTarget.objects.create(operator_group=group, minutes=120)
    config_cache.clear()
    admin = _person(Role.ADMIN, "ada", "Adriana", "van Oosterhout-Brinkman", language)
    coordinator = _person(Role.COORDINATOR, "coco", "Cornelia", "Vermeulen-de Jong")
    operator = _person(Role.OPERATOR, "olga", "Olga", "Oudshoorn-Verbeek")
    for group in groups:
        group.members.add(admin, coordinator, operator)
    callers = [
        _person(Role.CALLER, f"caller{i}", first, last)
        for i, (first, last) in enumerate(
            [
                ("Maximiliaan", "van der Heijden-Schoonderwoerd"),
                ("Anna-Sophie", "Zandvoort"),
                ("Christiaan", "Wijnbergen van Rossum"),
            ]
        )
    ]
    category = Category.objects.create(name="Audiovisuele middelen en presentatieapparatuur")
    now = timezone.now()
    meldingen = []
    for i in range(25):
        meldingen.append(
            services.open_melding(
                actor=operator,
                brief_description=LONG_BRIEFS[i % len(LONG_BRIEFS)][:80],
                request="Sinds vanochtend werkt het niet.\n" * 4,
                entry_type=EntryType.PHONE,
                caller=callers[i % len(callers)],
                category=category,
                operator_group=groups[i % len(groups)],
                operator=operator if i % 2 else None,
                target_date=now + timedelta(hours=12 * i - 60),
                now=now - timedelta(days=3),
            )
        )
    return {"admin": admin, "coordinator": coordinator, "operator": operator, "meldingen": meldingen}


def open_page(page: Any, watch: Watch, url: str, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    watch.goto(url)
    htmx_settled(page)


def overflows(page: Any, root: str = "main", *, selects: bool = True) -> list[str]:
    """What sticks out of `root`; `selects=False` on a phone, whose select opens a picker with the
    options' full text whatever the select's width."""
    return list(page.evaluate(OVERFLOWS, [root, selects]))


def no_page_scroll(page: Any) -> None:
    scroll_width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner, (scroll_width, inner)


def table_state(page: Any) -> dict[str, float]:
    return dict(
        page.evaluate(
            """() => {
              const wrap = document.querySelector("#queue-results .table-wrap");
              const table = wrap.querySelector("table");
              return {wrap_scroll: wrap.scrollWidth, wrap_client: wrap.clientWidth,
                      table: table.getBoundingClientRect().width, rows: table.tBodies[0].rows.length};
            }"""
        )
    )


@pytest.mark.django_db(transaction=True)
def test_queue_fits_1366_and_uses_1920(browser_page: Any, live_server: Any) -> None:
    page, base = browser_page, live_server.url
    setup_queue()
    watch = Watch(page)
    _login(page, base, "olga")

    open_page(page, watch, f"{base}/meldingen/?queue=all", LAPTOP)
    at_laptop = table_state(page)
    assert at_laptop["rows"] == 25
    no_page_scroll(page)
    assert at_laptop["wrap_scroll"] <= at_laptop["wrap_client"], at_laptop
    assert overflows(page, "#queue-results") == []
    # Long text wraps or is cut with an ellipsis and the full text in a title.
    cut = page.evaluate(
        """() => [...document.querySelectorAll("#queue-results td, #queue-results td :not(.visually-hidden)")]
             .filter((el) => el.scrollWidth > el.clientWidth + 1)
             .filter((el) => getComputedStyle(el).overflowX !== "visible")
             .filter((el) => !(getComputedStyle(el).textOverflow === "ellipsis" && el.title))
             .map((el) => el.outerHTML.slice(0, 80))"""
    )
    assert cut == []

    open_page(page, watch, f"{base}/meldingen/?queue=all", WIDE)
    at_wide = table_state(page)
    no_page_scroll(page)
    assert at_wide["wrap_scroll"] <= at_wide["wrap_client"], at_wide
    assert at_wide["table"] > at_laptop["table"] + 300, (at_laptop, at_wide)
    assert at_wide["table"] >= 0.85 * WIDE["width"], at_wide  # no narrow column in a wide screen
    watch.collect()
    assert watch.violations == []
    assert [m for m in watch.console if "error" in m] == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_top_bar_is_one_line_at_1366(browser_page: Any, live_server: Any, language: str) -> None:
    page, base = browser_page, live_server.url
    setup_queue(language)
    watch = Watch(page)
    _login(page, base, "ada")
    for path in ("/meldingen/?queue=mine", "/dashboard/", "/reports/"):
        open_page(page, watch, base + path, LAPTOP)
        assert page.evaluate("document.documentElement.lang") == language
        tops = page.evaluate(
            """() => [...document.querySelectorAll(".topnav > *")]
                 .filter((el) => el.getBoundingClientRect().width > 0)
                 .map((el) => [el, el.getBoundingClientRect()])
                 .map(([el, box]) => [el.tagName + "." + el.className + " " + el.innerText.slice(0, 20),
                                      Math.round(box.top + box.height / 2)])"""
        )
        middles = {middle for _name, middle in tops}
        assert len(middles) == 1, tops
        height = page.evaluate("document.querySelector('.topnav').getBoundingClientRect().height")
        assert height < 60, height
        search = page.evaluate("document.querySelector('#nav-search').getBoundingClientRect().width")
        assert search >= 150, search  # still room to type a few words
        no_page_scroll(page)
        assert overflows(page, ".topbar") == []
    # The items moved into the menus are one click away and lie inside the viewport.
    more = page.locator(".nav-menu:not(.nav-user) > summary")
    more.click()
    for link in page.locator(".nav-menu:not(.nav-user) .nav-menu-panel a").all():
        assert link.is_visible()
        box = link.bounding_box()
        assert box is not None
        assert box["x"] >= 0, box
        assert box["x"] + box["width"] <= LAPTOP["width"], box
    assert page.locator(".nav-menu-panel a[href='/sla/']").is_visible()
    page.locator(".nav-user > summary").click()  # opening one closes the other
    assert not page.locator(".nav-menu:not(.nav-user) .nav-menu-panel").is_visible()
    assert page.locator(".nav-user .nav-menu-panel button[type=submit]").last.is_visible()
    page.keyboard.press("Escape")
    assert not page.locator(".nav-user .nav-menu-panel").is_visible()
    watch.collect()
    assert watch.violations == []


@pytest.mark.django_db(transaction=True)
def test_melding_page_dashboard_and_filters_clip_nothing_at_1366(browser_page: Any, live_server: Any) -> None:
    page, base = browser_page, live_server.url
    data = setup_queue()
    melding: Melding = data["meldingen"][0]
    watch = Watch(page)
    _login(page, base, "ada")
    for path in (
        f"/meldingen/{melding.pk}/",
        "/dashboard/",
        "/meldingen/?queue=all",
        "/reports/",
        "/reports/sla-check/",
    ):
        open_page(page, watch, base + path, LAPTOP)
        no_page_scroll(page)
        assert overflows(page) == [], path
    watch.collect()
    assert watch.violations == []


@pytest.mark.django_db(transaction=True)
def test_portal_on_a_phone(live_server: Any) -> None:
    import os

    from playwright.sync_api import sync_playwright

    from tests.test_browser import _close_database_connections

    data = setup_queue()
    melding: Melding = data["meldingen"][0]
    caller = melding.caller
    assert caller is not None
    base = live_server.url
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(
            locale="nl-NL",
            viewport={"width": 390, "height": 844},
            device_scale_factor=3,
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(15_000)
        try:
            watch = Watch(page)
            page.goto(f"{base}/login/")
            page.fill("#id_username", caller.username)
            page.fill("#id_password", PASSWORD)
            page.tap("button[type=submit]")
            page.wait_for_url(lambda url: "/login/" not in url)
            for path in ("/portal/", f"/portal/{melding.pk}/", "/portal/new/"):
                watch.goto(base + path)
                no_page_scroll(page)
                assert overflows(page, "body", selects=False) == [], path
            # The new call form: fields as wide as the form, the submit button in reach.
            widths = page.evaluate(
                """() => {
                  const form = document.querySelector("main form.stacked-form, main form");
                  const style = getComputedStyle(form);
                  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
                  const inner = form.clientWidth - padding;
                  return [...form.querySelectorAll("input[type=text], textarea, select")]
                    .filter((el) => el.getBoundingClientRect().width > 0)
                    .map((el) => [el.name, el.getBoundingClientRect().width / inner]);
                }"""
            )
            assert len(widths) >= 3, widths
            assert all(share > 0.98 for _name, share in widths), widths
            button = page.locator("main form button[type=submit]").last
            button.scroll_into_view_if_needed()
            box = button.bounding_box()
            assert box is not None
            assert box["x"] >= 0, box
            assert box["x"] + box["width"] <= 390, box
            assert box["height"] >= 40, box  # a touch target
            watch.collect()
            assert watch.violations == []
        finally:
            context.close()
            browser.close()
            _close_database_connections()
        assert errors == []
