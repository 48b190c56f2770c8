"""The operator's melding page in a real browser (headless Debian chromium through Playwright).

After each action (a note, a status change, an escalation, resolving, a version conflict from a
stale form) the confirmation or the error is in view where the action was taken, and the page did
not jump to its bottom. Along the operator's whole flow the console stays empty and no
Content-Security-Policy violation happens.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.cmdb.models import Supplier
from beheer.problems import services as problem_services
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType, Line, Melding, StatusKind
from tests.helpers import make_person, restore_default_configuration
from tests.test_browser import BROWSER_MARKS, PASSWORD, _login, browser_page, htmx_settled  # noqa: F401  (the fixture)

pytestmark = BROWSER_MARKS

# Records every Content-Security-Policy violation of every document the page loads.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
    window.__violations.push([e.violatedDirective, e.sourceFile, e.lineNumber, e.sample].join(" "));
});
"""


class Watch:
    """Console messages and CSP violations of a page, over navigations."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        self.violations: list[str] = []
        page.on("console", lambda msg: self.console.append(f"{page.url}: {msg.type}: {msg.text}"))
        page.add_init_script(RECORD_VIOLATIONS)

    def collect(self) -> None:
        found = self.page.evaluate("window.__violations ? window.__violations.splice(0) : []")
        self.violations += [f"{self.page.url}: {v}" for v in found]

    def goto(self, url: str) -> None:
        self.collect()
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        self.collect()


def setup_desk() -> dict[str, Any]:
    restore_default_configuration()
    desk = OperatorGroup.objects.create(name="Servicedesk", is_first_line=True)
    systems = OperatorGroup.objects.create(name="Systeembeheer", is_second_line=True)
    olga = make_person(Role.OPERATOR, username="olga", password=PASSWORD, first_name="Olga", last_name="Op")
    sem = make_person(Role.OPERATOR, username="sem", password=PASSWORD, first_name="Sem", last_name="Spec")
    desk.members.add(olga)
    systems.members.add(sem)
    anna = make_person(
        Role.CALLER, username="anna", password=PASSWORD, first_name="Anna", last_name="Zandvoort"
    )
    Supplier.objects.create(name="Dell Technologies")
    return {"desk": desk, "systems": systems, "olga": olga, "sem": sem, "anna": anna}


def long_melding(olga: User, anna: User, desk: OperatorGroup) -> Melding:
    """A melding with a long history, so that its page is several screens high."""
    m = services.open_melding(
        actor=olga,
        brief_description="Beamer lokaal 2.14 geeft geen beeld",
        request="Sinds vanochtend blijft het scherm zwart.\n" * 5,
        entry_type=EntryType.PHONE,
        caller=anna,
        operator_group=desk,
    )
    for i in range(25):
        services.add_note(
            m,
            text=f"Stap {i}: kabel gecontroleerd.\nNog steeds geen beeld.",
            visibility="internal",
            actor=olga,
        )
    return Melding.objects.get(pk=m.pk)


def result_in_view(page: Any) -> str:
    """The visible result of the last action; asserts it lies inside the viewport and that the page
    is not scrolled to its bottom."""
    result = page.locator("[data-action-result]")
    result.wait_for(state="visible")
    assert result.count() == 1
    box = result.bounding_box()
    viewport = page.viewport_size
    assert box is not None
    assert box["y"] >= 0, box
    assert box["y"] + box["height"] <= viewport["height"], (box, viewport)
    scroll_y, inner, height = page.evaluate(
        "[window.scrollY, window.innerHeight, document.documentElement.scrollHeight]"
    )
    assert scroll_y + inner < height - 100, (scroll_y, inner, height)  # not at the bottom
    focused = page.evaluate(
        "document.activeElement && document.activeElement.hasAttribute('data-action-result')"
    )
    assert focused  # read out by a screen reader
    return str(result.inner_text())


def submit(page: Any, form: str, path: str) -> None:
    """Submit an action's form and wait until its answer has replaced the page's main part (the
    response arrives before htmx swaps it in)."""
    page.evaluate("document.getElementById('melding-main').setAttribute('data-before-submit', '')")
    with page.expect_response(lambda r: r.url.endswith(path) and r.request.method == "POST") as answer:
        page.click(f"{form} button[type=submit]")
    assert answer.value.status == 200
    page.wait_for_selector("#melding-main[data-before-submit]", state="detached")
    page.wait_for_load_state("networkidle")
    htmx_settled(page)


def reload_call(page: Any, m: Melding) -> None:
    """Follow "Reload the call" in the result of a conflict."""
    with page.expect_response(lambda r: r.url.endswith(f"/meldingen/{m.pk}/") and r.request.method == "GET"):
        page.click("[data-action-result] a")
    page.wait_for_selector("[data-action-result]", state="detached")
    htmx_settled(page)


def open_action(page: Any, name: str) -> None:
    """Open an action's disclosure; its form loads on demand."""
    with page.expect_response(lambda r: r.url.endswith(f"/{name}/") and r.request.method == "GET"):
        page.click(f"details.action-{name} > summary")
    page.wait_for_selector(f"details.action-{name} form")
    htmx_settled(page)


@pytest.mark.django_db(transaction=True)
def test_each_action_shows_its_result_in_view(browser_page: Any, live_server: Any) -> None:  # noqa: F811
    page, base = browser_page, live_server.url
    desk = setup_desk()
    m = long_melding(desk["olga"], desk["anna"], desk["desk"])
    watch = Watch(page)
    _login(page, base, "olga")
    watch.goto(f"{base}/meldingen/{m.pk}/")
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * page.viewport_size["height"]

    # A note: typed at the top of the page, confirmed there.
    page.fill("#id_note-text", "Nieuwe lamp besteld.")
    submit(page, "#action-note", "/note/")
    assert "The note has been added." in result_in_view(page)

    # A status change: waiting for the supplier asks which one.
    page.select_option("#id_status-status", label="Waiting for supplier")
    assert page.is_visible("#id_status-supplier")
    page.select_option("#id_status-supplier", label="Dell Technologies")
    submit(page, "#action-status", "/status/")
    assert "The status has been changed." in result_in_view(page)
    assert "Dell Technologies" in page.inner_text(".detail-head")

    # An escalation, its form loaded when opened; the operator list follows the chosen group.
    open_action(page, "escalate")
    with page.expect_response(lambda r: "/meldingen/operators/" in r.url):
        page.select_option("#id_escalate-to_group", label="Systeembeheer")
    expect(page.locator("#id_escalate-operator option")).to_have_count(2)  # no eval: CSP forbids it
    assert page.locator("#id_escalate-operator option").all_inner_texts()[1] == "Sem Spec"
    page.select_option("#id_escalate-operator", label="Sem Spec")
    page.fill("#id_escalate-reason", "Lamp of kabel defect, ter plaatse kijken.")
    submit(page, "#action-escalate", "/escalate/")
    assert "escalated to the second line" in result_in_view(page)
    m.refresh_from_db()
    assert m.line == Line.SECOND
    assert m.operator_id == desk["sem"].pk

    # A stale form: somebody else changes the melding meanwhile.
    open_action(page, "resolve")
    page.fill("#id_resolve-solution", "Lamp van de beamer vervangen.")
    services.set_estimates(m, minutes=30, people=1, means="", actor=desk["sem"], expected_version=None)
    submit(page, "#action-resolve", "/resolve/")
    text = result_in_view(page)
    assert "Somebody else changed" in text
    assert page.input_value("#id_resolve-solution") == "Lamp van de beamer vervangen."  # kept
    m.refresh_from_db()
    assert m.status.kind != StatusKind.RESOLVED

    # Reload, then resolve.
    reload_call(page, m)
    open_action(page, "resolve")
    page.fill("#id_resolve-solution", "Lamp van de beamer vervangen.")
    submit(page, "#action-resolve", "/resolve/")
    assert "The call has been resolved" in result_in_view(page)
    m.refresh_from_db()
    assert m.status.kind == StatusKind.RESOLVED

    watch.collect()
    assert watch.violations == []
    assert watch.console == []


@pytest.mark.django_db(transaction=True)
def test_the_operator_flow_logs_nothing_and_violates_no_policy(browser_page: Any, live_server: Any) -> None:  # noqa: F811
    page, base = browser_page, live_server.url
    desk = setup_desk()
    problem_services.open_problem(actor=desk["olga"], title="Beamers vallen uit na een update")
    problem = problem_services.open_problem(actor=desk["olga"], title="Printers offline")
    watch = Watch(page)
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{base}/login/")
    watch.collect()
    _login(page, base, "olga")
    watch.goto(f"{base}/meldingen/?queue=mine")

    # Register a melding.
    watch.goto(f"{base}/meldingen/new/")
    page.fill("#caller-q", "Zandv")
    page.check(f"input[name=caller][value='{desk['anna'].pk}']")
    page.fill("#id_brief_description", "Beamer lokaal 2.14 geeft geen beeld")
    page.fill("#id_request", "Sinds vanochtend blijft het scherm zwart.")
    with page.expect_response(lambda r: "/meldingen/operators/" in r.url):
        page.select_option("#id_operator_group", str(desk["desk"].pk))
    page.click("button:has-text('Register call')")
    page.wait_for_url(lambda url: "/meldingen/new/" not in url and "/meldingen/" in url)
    page.wait_for_load_state("networkidle")
    watch.collect()
    m = Melding.objects.get(brief_description="Beamer lokaal 2.14 geeft geen beeld")

    # Each action.
    page.fill("#id_note-text", "Lamp besteld.")
    submit(page, "#action-note", "/note/")
    page.select_option("#id_status-status", label="In progress")
    submit(page, "#action-status", "/status/")
    for name in ("classify", "target", "assign", "estimates", "time", "link", "partial", "attachment"):
        open_action(page, name)
    page.fill("#id_time-minutes", "15")
    submit(page, "#action-time", "/time/")
    open_action(page, "escalate")
    page.select_option("#id_escalate-to_group", str(desk["systems"].pk))
    page.fill("#id_escalate-reason", "Ter plaatse kijken.")
    submit(page, "#action-escalate", "/escalate/")
    open_action(page, "resolve")
    page.fill("#id_resolve-solution", "Lamp vervangen.")
    services.set_estimates(m, minutes=30, people=1, means="", actor=desk["sem"], expected_version=None)
    submit(page, "#action-resolve", "/resolve/")  # a conflict: a stale form
    assert "Somebody else changed" in page.inner_text("[data-action-result]")
    reload_call(page, m)
    open_action(page, "resolve")
    page.fill("#id_resolve-solution", "Lamp vervangen.")
    submit(page, "#action-resolve", "/resolve/")
    open_action(page, "close")
    submit(page, "#action-close", "/close/")
    watch.collect()

    # Search, dashboard, knowledge, monitoring, problems.
    page.fill("#nav-search", "Beamer")
    page.press("#nav-search", "Enter")
    page.wait_for_load_state("networkidle")
    watch.collect()
    for path in ("/dashboard/", "/kennisbank/", "/monitoring/", "/problems/", f"/problems/{problem.pk}/"):
        watch.goto(f"{base}{path}")

    assert watch.violations == []
    assert watch.console == []
