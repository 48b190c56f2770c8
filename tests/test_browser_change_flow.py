"""A normal change through every phase in a real browser (headless Debian chromium via Playwright).

An operator turns a call into a change, assesses it, inventories the needs and writes a functional
design; the client approves the needs and the design in the portal; the approver (the owner of the
affected service) approves the change from "My approvals"; the operator plans, executes and
evaluates it, downloads the final report and closes it. Each step asserts what the person sees: the
phase badge, the confirmation messages, the tab's content.
"""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from beheer.accounts.models import OperatorGroup, Role
from beheer.changes.models import Change
from beheer.changes.tests.helpers import cab, wifi_world
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import EntryType
from tests.helpers import make_person, restore_default_configuration
from tests.test_browser import BROWSER_MARKS, PASSWORD, _login, browser_page  # noqa: F401  (the fixture)

pytestmark = BROWSER_MARKS

# A few waits are for a whole page with its PDF; none waits longer.
STEP_TIMEOUT = 10_000

DESIGN_BODY = """## Background and goal

Every classroom in building B gets reliable Wi-Fi for 32 laptops at once.

## Scope

Building B, floors 0 to 2; the gym is out of scope.

## Functional requirements

[REQ-1] Each classroom has an access point that serves a whole class.

## Security and privacy

Pupils log in with their school account; no personal data leaves the school network.

## Acceptance criteria

A class of 32 pupils streams a video at the same time without interruptions.
"""


def ship_configuration() -> None:
    """What the migrations ship (phases, risk matrix, approval rules, CI types, design templates):
    an earlier transactional test may have emptied those tables."""
    for app, module, function in (
        ("changes", "0002_shipped_configuration", "ship"),
        ("cmdb", "0003_shipped_ci_types", "ship"),
        ("cmdb", "0004_unclassified_type", "ship"),
        ("knowledge", "0002_defaults", "load"),
        ("knowledge", "0008_design_documents", "load"),
    ):
        getattr(import_module(f"beheer.{app}.migrations.{module}"), function)(apps, None)


def setup_school() -> dict[str, Any]:
    restore_default_configuration()
    ship_configuration()
    desk = OperatorGroup.objects.create(name="Servicedesk", is_first_line=True)
    olga = make_person(Role.OPERATOR, username="olga", password=PASSWORD, first_name="Olga", last_name="Op")
    desk.members.add(olga)
    bram = make_person(
        Role.OPERATOR, username="bram", password=PASSWORD, first_name="Bram", last_name="Bakker"
    )
    anna = make_person(
        Role.CALLER, username="anna", password=PASSWORD, first_name="Anna", last_name="Zandvoort"
    )
    # the access point rests on the Wi-Fi service that Bram owns; the CAB is Bram alone
    ap, wifi = wifi_world(olga, bram)
    cab([bram], rule="all", owners=True)
    melding = servicedesk.open_melding(
        actor=olga,
        brief_description="Wifi valt uit in lokalen gebouw B",
        request="Tijdens toetsen valt de wifi in lokaal B1.04 en B1.06 steeds weg.",
        entry_type=EntryType.PHONE,
        caller=anna,
        operator_group=desk,
    )
    return {"olga": olga, "bram": bram, "anna": anna, "ap": ap, "wifi": wifi, "melding": melding}


def phase_badge(page: Any) -> Any:
    return page.locator(".detail-head [data-phase]")


def expect_message(page: Any, text: str) -> None:
    expect(page.locator(".message").filter(has_text=text).first).to_be_visible()


def submit(page: Any, form: str, button: str | None = None) -> None:
    """Submit a form of the page and wait for the page the answer leads to."""
    target = page.locator(form)
    expect(target).to_have_count(1)
    with page.expect_navigation():
        target.locator(button or "button[type=submit]").first.click()
    page.wait_for_load_state("domcontentloaded")


def move_to(page: Any, phase: str) -> None:
    """On the change's overview, move it to the next phase `phase` (its code)."""
    submit(page, f"[data-next-phase='{phase}'] form")
    expect_message(page, "The phase has been changed.")
    shot(page, f"phase-{phase}")


def open_tab(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.click(f"[data-change-tabs] [data-tab='{name}']")


def shot(page: Any, name: str) -> None:
    """A full-page screenshot into the folder BEHEER_SCREENSHOTS names (to look at the screens)."""
    folder = os.environ.get("BEHEER_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(p.extract_text() or "" for p in reader.pages)


@pytest.mark.django_db(transaction=True)
def test_a_normal_change_from_a_call_through_every_phase(browser_page: Any, live_server: Any) -> None:  # noqa: F811
    page, base = browser_page, live_server.url
    page.set_default_timeout(STEP_TIMEOUT)
    world = setup_school()
    melding, anna, olga = world["melding"], world["anna"], world["olga"]
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation of a move back or removal

    # 1. The operator turns the call into a change.
    _login(page, base, "olga")
    page.goto(f"{base}/meldingen/{melding.pk}/")
    with page.expect_navigation():
        page.click("button:has-text('Create a change from this call')")
    change = Change.objects.get()
    expect(page).to_have_url(re.compile(rf"/changes/{change.pk}/$"))
    expect_message(page, f"Change {change.number} has been registered from this call.")
    expect(phase_badge(page)).to_have_text("Request")
    expect(page.locator(".detail-head")).to_contain_text(melding.number)

    # 2. Edit it: a normal change for Anna, coordinated by Olga, with its risk and rollback plan.
    with page.expect_navigation():
        page.click(".detail-head a:has-text('Edit')")
    form = page.locator("form[data-change-form]")
    form.locator("[name=title]").fill("Wifi vernieuwen in gebouw B")
    form.locator("[name=description]").fill(
        "Nieuwe access points in alle lokalen van gebouw B, zodat een hele klas tegelijk kan toetsen."
    )
    form.locator("[name=kind]").select_option("normal")
    form.locator("[name=client]").select_option(str(anna.pk))
    form.locator("[name=coordinator]").select_option(str(olga.pk))
    form.locator("[name=likelihood]").select_option("2")
    form.locator("[name=impact]").select_option("2")
    form.locator("[name=rollback_plan]").fill("Oude access points terughangen, oude controller starten.")
    submit(page, "form[data-change-form]")
    expect(page.locator(".detail-head h1")).to_have_text("Wifi vernieuwen in gebouw B")
    expect(page.locator(".detail-head")).to_contain_text("Anna Zandvoort")
    expect(page.locator(".detail-head")).to_contain_text("Risk: Medium")

    move_to(page, "assessment")
    expect(phase_badge(page)).to_have_text("Assessment")
    page.locator("#cis form.stacked-form [name=ci]").fill("ap-1.02")
    submit(page, "#cis form.stacked-form")
    expect(page.locator("#cis")).to_contain_text("ap-1.02")
    expect(page.locator("[data-impact]")).to_contain_text("1 service affected")
    move_to(page, "needs")
    expect(phase_badge(page)).to_have_text("Needs")

    # 3. The needs: a stakeholder, a requirement, the notes of an interview; a functional design.
    open_tab(page, "change-needs")
    expect(page.locator("[data-needs-page]")).to_be_visible()
    page.click("#stakeholders summary:has-text('Add a stakeholder')")
    stakeholder = page.locator("form[data-stakeholder-form]")
    stakeholder.locator("[name=name]").fill("Kees de Vries")
    stakeholder.locator("[name=email]").fill("kees.devries@school.example")
    stakeholder.locator("[name=interest]").fill("Docent informatica, toetst met hele klassen.")
    submit(page, "form[data-stakeholder-form]")
    expect(page.locator("#stakeholders")).to_contain_text("Kees de Vries")

    page.click("#requirements summary:has-text('Add a requirement')")
    requirement = page.locator("form[data-requirement-form]")
    requirement.locator("[name=text]").fill("Elk lokaal heeft een access point dat een hele klas bedient.")
    requirement.locator("[name=priority]").select_option("must")
    requirement.locator("[name=acceptance_criteria]").fill("32 leerlingen streamen tegelijk een video.")
    submit(page, "form[data-requirement-form]")
    row = page.locator("[data-requirement='REQ-1']")
    expect(row).to_contain_text("Must have")
    expect(row).to_contain_text("32 leerlingen streamen tegelijk een video.")

    page.click("#notes summary:has-text('Add notes')")
    notes = page.locator(f"#notes form[action$='/changes/{change.pk}/needs/notes/']")
    notes.locator("[name=held_on]").fill(timezone.localdate().isoformat())
    notes.locator("[name=participants]").fill("Anna Zandvoort, Kees de Vries")
    notes.locator("[name=notes]").fill("Toetsen in B1.04 vallen uit zodra meer dan 20 laptops verbinden.")
    submit(page, f"#notes form[action$='/changes/{change.pk}/needs/notes/']")
    expect(page.locator("#notes")).to_contain_text("meer dan 20 laptops")
    shot(page, "needs")

    # The design opens in the knowledge editor, started from its template; its text is written
    # there (a plain Markdown textarea) and then submitted, which asks the client to approve it.
    page.click("#designs summary:has-text('New functional or technical design')")
    design_form = page.locator(f"form[action$='/changes/{change.pk}/needs/designs/new/']")
    design_form.locator("[name=kind]").select_option("functional_design")
    design_form.locator("[name=title]").fill("FO Wifi gebouw B")
    submit(page, f"form[action$='/changes/{change.pk}/needs/designs/new/']")
    expect(page).to_have_url(re.compile(r"/kennisbank/\d+/edit/$"))
    shot(page, "design-editor")
    page.locator("textarea[name=body]").fill(DESIGN_BODY)
    submit(page, "form.stacked-form:has(textarea[name=body])", "button:has-text('Save draft')")
    expect(page.locator("h1").first).to_contain_text("FO Wifi gebouw B")
    submit(page, "form[action$='/submit/']")
    expect_message(page, "Submitted for review.")
    article_url = page.url

    page.goto(f"{base}/changes/{change.pk}/needs/")
    design_row = page.locator("[data-design]")
    expect(design_row).to_contain_text("FO Wifi gebouw B")
    expect(design_row.locator("[data-client-decision]")).to_have_text("Waiting")
    expect(page.locator("[data-coverage='REQ-1']")).not_to_have_attribute("data-uncovered", "")
    assert article_url

    # 4. The client approves the needs and the design in the portal (a browser of her own).
    client_context = page.context.browser.new_context(locale="en-GB")
    try:
        client = client_context.new_page()
        client.set_default_timeout(STEP_TIMEOUT)
        _login(client, base, "anna")
        client.goto(f"{base}/portal/changes/")
        expect(client.locator("[data-portal-changes]")).to_contain_text(change.number)
        expect(client.locator("a:has-text('My feedback requests')")).to_be_visible()
        with client.expect_navigation():
            client.click(f"[data-portal-changes] a:has-text('{change.number}')")
        expect(client.locator("[data-portal-needs]")).to_contain_text("REQ-1")
        shot(client, "portal-change")
        decision = client.locator("form[data-needs-decision]")
        decision.locator("[name=decision][value=approve]").check()
        decision.locator("[name=comment]").fill("Akkoord, graag voor de toetsweek.")
        decision.locator("[name=confirm]").check()
        submit(client, "form[data-needs-decision]")
        expect(client.locator("[data-my-needs-decision='approved']")).to_be_visible()
        with client.expect_navigation():
            client.click("[data-waiting-design] a")
        expect(client.locator("h1")).to_contain_text("FO Wifi gebouw B")
        shot(client, "portal-design")
        design_decision = client.locator("form.stacked-form:has([name=decision])")
        design_decision.locator("[name=decision]").select_option("approved")
        design_decision.locator("[name=confirm]").check()
        submit(client, "form.stacked-form:has([name=decision])")
        expect(client.locator("[data-my-decision='approved']")).to_be_visible()
    finally:
        client_context.close()

    page.goto(f"{base}/changes/{change.pk}/needs/")
    expect(page.locator("[data-needs-approved]")).to_contain_text("Approved by the client")
    expect(page.locator("[data-design] [data-client-decision]")).to_have_text("Approved")

    # 5. Design, then approval: the approver decides from "My approvals".
    open_tab(page, "change-detail")
    move_to(page, "design")
    expect(phase_badge(page)).to_have_text("Design")
    move_to(page, "approval")
    expect(phase_badge(page)).to_have_text("Approval")
    expect(page.locator("[data-approval]")).to_contain_text("Pending")

    approver_context = page.context.browser.new_context(locale="en-GB")
    try:
        approver = approver_context.new_page()
        approver.set_default_timeout(STEP_TIMEOUT)
        _login(approver, base, "bram")
        approver.goto(f"{base}/changes/approvals/")
        with approver.expect_navigation():
            approver.click(f"[data-my-approvals] a:has-text('{change.number}')")
        shot(approver, "approval")
        vote = approver.locator("form[data-decision-form]")
        vote.locator("[name=decision][value=approve]").check()
        vote.locator("[name=comment]").fill("Akkoord; graag buiten de toetsweek uitvoeren.")
        submit(approver, "form[data-decision-form]")
        expect_message(approver, "Your decision has been recorded.")
    finally:
        approver_context.close()

    page.reload()
    expect(page.locator("[data-approval]")).to_contain_text("Granted")
    expect(page.locator("#approvals")).to_contain_text("graag buiten de toetsweek")

    # 6. The plan: an activity with its dates, the plan approved; planning and execution.
    open_tab(page, "change-plan")
    start = timezone.localtime() + timedelta(days=7)
    start = start.replace(hour=8, minute=0, second=0, microsecond=0)
    page.click("summary:has-text('Add an activity')")
    activity = page.locator("form[data-plan-activity-form]")
    activity.locator("[name=title]").fill("Access points lokalen B1 vervangen")
    activity.locator("[name=assignee]").select_option(str(olga.pk))
    activity.locator("[name=planned_start]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    activity.locator("[name=planned_end]").fill((start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"))
    activity.locator("[name=estimate_minutes]").fill("240")
    submit(page, "form[data-plan-activity-form]")
    expect_message(page, "The activity has been added.")
    expect(page.locator("[data-gantt]")).to_contain_text("Access points lokalen B1 vervangen")
    shot(page, "plan")
    submit(page, "form[data-approve-plan]")
    expect_message(page, "The plan has been approved.")

    open_tab(page, "change-detail")
    move_to(page, "planning")
    expect(phase_badge(page)).to_have_text("Planning")
    move_to(page, "execution")
    expect(phase_badge(page)).to_have_text("Execution")

    open_tab(page, "change-execution")
    submit(page, "form[action*='/execution/activities/'][action$='/done/']", "button:has-text('Mark done')")
    expect_message(page, "The activity is done.")
    expect(page.locator("[data-activity]")).to_have_attribute("data-state", "done")
    log = page.locator(f"form[action$='/changes/{change.pk}/execution/log/']")
    log.locator("[name=text]").fill("Zes access points opgehangen en ingemeten; alle lokalen hebben dekking.")
    submit(page, f"form[action$='/changes/{change.pk}/execution/log/']")
    expect_message(page, "The entry has been added to the log.")
    expect(page.locator("[data-log]")).to_contain_text("Zes access points opgehangen")
    shot(page, "execution")

    # 7. Evaluation: a finding and the advice, the final report, and closing.
    open_tab(page, "change-detail")
    move_to(page, "evaluation")
    expect(phase_badge(page)).to_have_text("Evaluation")
    open_tab(page, "change-evaluation")
    expect(page.locator(f".detail-head a:has-text('{melding.number}')")).to_be_visible()  # every tab
    page.click("summary:has-text('Add a finding or lesson')")
    finding = page.locator("form[data-finding-form]")
    finding.locator("[name=text]").fill("De leverancier kwam een uur te laat; planning met marge maken.")
    submit(page, "form[data-finding-form]")
    expect_message(page, "It has been added.")
    expect(page.locator("#findings")).to_contain_text("De leverancier kwam een uur te laat")
    advice = page.locator("form[data-advice-form]")
    advice.locator("[name=advice]").fill("Gebouw C op dezelfde manier aanpakken, in de zomervakantie.")
    submit(page, "form[data-advice-form]")
    expect_message(page, "The advice has been saved.")
    shot(page, "evaluation")
    expect(page.locator("form[data-advice-form] [name=advice]")).to_have_value(
        "Gebouw C op dezelfde manier aanpakken, in de zomervakantie."
    )

    # the request context does not always carry the page's language: ask for English explicitly
    answer = page.request.get(f"{base}/changes/{change.pk}/report.pdf", headers={"Accept-Language": "en"})
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.body())
    for expected in (
        change.number,
        "Wifi vernieuwen in gebouw B",
        "Goals",
        "What was done",
        "Access points lokalen B1 vervangen",
        "Evaluation",
        "De leverancier kwam een uur te laat",
        "Advice",
        "Gebouw C op dezelfde manier",
    ):
        assert expected in text, expected

    open_tab(page, "change-detail")
    move_to(page, "closed")
    expect(phase_badge(page)).to_have_text("Closed")
    expect(page.locator("#phases")).to_contain_text("This change is closed.")
    change.refresh_from_db()
    assert change.phase.code == "closed"
