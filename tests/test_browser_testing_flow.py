"""Test management and an acceptance test with users, in a real browser (headless Debian chromium
via Playwright).

An operator writes the test plan of a change with two cases linked to its requirements, runs them
with one failure (which gives a finding) and a passing re-test, and invites two callers to an
acceptance session. Each caller carries out their own cases in the portal at a phone-sized viewport,
step by step, one of them in Dutch; neither sees the other's results. The client signs the session
off, and the test report's PDF counts what happened.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from beheer.accounts.models import Role
from beheer.changes import services as changes
from beheer.changes.models import Change
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import CiType
from beheer.testing.models import AcceptanceSession, TestFinding, TestRun
from tests.helpers import make_person
from tests.test_browser import BROWSER_MARKS, PASSWORD, _login, browser_page  # noqa: F401  (the fixture)
from tests.test_browser_change_flow import ship_configuration, submit

pytestmark = BROWSER_MARKS

PHONE = {"width": 390, "height": 844}


def setup_change() -> dict[str, Any]:
    ship_configuration()
    tessa = make_person(
        Role.OPERATOR, username="tessa", password=PASSWORD, first_name="Tessa", last_name="Test"
    )
    karin = make_person(
        Role.CALLER, username="karin", password=PASSWORD, first_name="Karin", last_name="Klant"
    )
    ahmed = make_person(
        Role.CALLER,
        username="ahmed",
        password=PASSWORD,
        first_name="Ahmed",
        last_name="Amrani",
        language="nl",
    )
    lisa = make_person(
        Role.CALLER, username="lisa", password=PASSWORD, first_name="Lisa", last_name="Lammers", language="en"
    )
    change = changes.create_change(
        actor=tessa,
        data=changes.ChangeData(title="Wi-Fi in the hall", requester=karin, client=karin, kind="normal"),
    )
    for text in ("Everybody logs in with their school account", "Guests cannot reach the school network"):
        changes.add_requirement(change, actor=tessa, text=text, priority="must")
    lab = cmdb.create_item(
        actor=tessa,
        data=cmdb.ItemData(
            name="Wi-Fi lab", ci_type=CiType.objects.get(code="access_point"), environment="test"
        ),
    )
    return {"tessa": tessa, "karin": karin, "ahmed": ahmed, "lisa": lisa, "change": change, "lab": lab}


def add_case(
    page: Any, base: str, change: Change, title: str, test_type: str, steps: str, requirement: str
) -> None:
    page.goto(f"{base}/changes/{change.pk}/tests/cases/new/")
    form = page.locator("[data-case-form] form")
    form.locator("[name=title]").fill(title)
    form.locator("[name=test_type]").select_option(test_type)
    form.locator("[name=steps]").fill(steps)
    form.get_by_role("checkbox", name=re.compile(rf"^{requirement} ")).check()
    submit(page, "[data-case-form] form")
    expect(page.locator("[data-cases]")).to_contain_text(title)


def record(page: Any, case_code: str, outcome: str, actual: str = "") -> None:
    """On a run's page, record the outcome of the case `case_code`."""
    item = page.locator(".test-result").filter(has_text=case_code)
    form = item.locator("[data-result-form]")
    form.locator(f"input[name$=outcome][value={outcome}]").check()
    if actual:
        form.locator("[name$=actual_result]").fill(actual)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(".test-result").filter(has_text=case_code)).to_have_attribute("data-outcome", outcome)


def carry_out(browser: Any, base: str, username: str, session: AcceptanceSession, *, lang: str) -> list[str]:
    """`username` carries out each of their cases in the portal on a phone; returns the case titles
    they saw."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
    phone = context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        _login(phone, base, username)
        phone.goto(f"{base}/portal/acceptance/")
        phone.locator(f"a[href$='/portal/acceptance/{session.pk}/']").first.click()
        phone.wait_for_load_state("domcontentloaded")
        expect(phone.locator("html")).to_have_attribute("lang", lang)
        # one column: nothing wider than the phone
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the portal page is {width}px wide on a phone"
        cards = phone.locator("[data-my-case] a")
        titles = [cards.nth(i).inner_text() for i in range(cards.count())]
        for index in range(len(titles)):
            phone.locator("[data-my-case] a").nth(index).click()
            phone.wait_for_load_state("domcontentloaded")
            steps = phone.locator("[data-step]")
            for number in range(steps.count()):
                step = phone.locator("[data-step]").nth(number)
                step.locator("input[name=done]").check()
                step.locator("input[name=ok][value=yes]").check()
                with phone.expect_navigation():
                    step.locator("button[type=submit]").click()
                expect(phone.locator("[data-step]").nth(number)).to_have_class(re.compile("acc-step-done"))
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            done = phone.locator("[data-complete-form]")
            done.locator("input[name=outcome][value=passed]").check()
            with phone.expect_navigation():
                done.locator("button[type=submit]").click()
            phone.goto(f"{base}/portal/acceptance/{session.pk}/")
        answer = phone.locator("[data-could-work] form")
        answer.locator("input[name=answer][value=yes]").check()
        with phone.expect_navigation():
            answer.locator("button[type=submit]").click()
        expect(phone.locator("[data-could-work] strong")).to_be_visible()
        # nobody else's results
        expect(phone.locator("[data-client-results]")).to_have_count(0)
    finally:
        context.close()
    assert errors == []
    return titles


@pytest.mark.django_db(transaction=True)
def test_plan_run_retest_acceptance_sign_off_and_report(browser_page: Any, live_server: Any) -> None:  # noqa: F811
    page, base = browser_page, live_server.url
    world = setup_change()
    change: Change = world["change"]
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of the invitation and sign-off

    # the operator writes the plan ------------------------------------------------------------------
    _login(page, base, "tessa")
    page.goto(f"{base}/changes/{change.pk}/")
    page.locator("[data-tab=change-tests]").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("[data-test-plan]")).to_be_visible()
    page.goto(f"{base}/changes/{change.pk}/tests/plan/")
    page.locator("[name=scope]").fill("Logging in on the new Wi-Fi and the guest network in the hall.")
    page.locator("input[name=test_types][value=functional]").check()
    page.locator("input[name=test_types][value=acceptance]").check()
    submit(page, "main form.stacked-form")
    expect(page.locator("[data-plan-scope]")).to_contain_text("guest network")
    environment = page.locator("[data-environment-form]")
    environment.locator("select").select_option(str(world["lab"].pk))
    submit(page, "[data-environment-form]")
    expect(page.locator("[data-environment='Wi-Fi lab']")).to_be_visible()
    add_case(
        page,
        base,
        change,
        "Log in on eduroam",
        "acceptance",
        "Open the Wi-Fi settings => eduroam is listed\nLog in with your school account => You are connected",
        "REQ-1",
    )
    add_case(
        page,
        base,
        change,
        "Guests stay off the school network",
        "functional",
        "Connect to the guest network => You are online\nOpen the staff drive => It cannot be reached",
        "REQ-2",
    )

    # a run with one failure, and a re-test -------------------------------------------------------------
    page.locator("[data-tests-link=testing-runs]").click()
    page.wait_for_load_state("domcontentloaded")
    page.locator("summary").filter(has_text="New run").click()
    run_form = page.locator("[data-run-form]")
    run_form.locator("select[name=environment]").select_option(str(world["lab"].pk))
    submit(page, "[data-run-form]")
    record(page, "TC-1", "passed")
    record(page, "TC-2", "failed", "The staff drive opens from the guest network.")
    expect(page.locator("[data-result-finding]")).to_have_count(1)
    assert TestFinding.objects.filter(plan__change=change, result__case__number=2).count() == 1
    submit(page, "[data-run-retest]")
    expect(page.locator(".test-result")).to_have_count(1)  # only what failed is tested again
    record(page, "TC-2", "passed")
    assert TestRun.objects.filter(plan__change=change).count() == 2

    # the traceability matrix shows the re-test's result
    page.locator("[data-tests-link=testing-matrix]").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("main")).to_contain_text("REQ-2")

    # the acceptance session ----------------------------------------------------------------------------
    page.goto(f"{base}/changes/{change.pk}/tests/sessions/new/")
    starts = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT14:00")
    page.locator("[name=title]").fill("Acceptance test Wi-Fi hall")
    page.locator("[name=starts_at]").fill(starts)
    page.locator("[name=place]").fill("The hall, back row")
    submit(page, "main form.stacked-form")
    expect(page.locator("[data-session-page]")).to_be_visible()
    session = AcceptanceSession.objects.get(plan__change=change)
    for person, cases in (("Ahmed Amrani", ["TC-1"]), ("Lisa Lammers", ["TC-1", "TC-2"])):
        form = page.locator("[data-participant-form]")
        if not form.is_visible():
            page.locator("details:has([data-participant-form]) > summary").click()
        form.locator("select[name=person]").select_option(label=person)
        for code in cases:
            form.get_by_role("checkbox", name=re.compile(rf"^{code} ")).check()
        submit(page, "[data-participant-form]")
        expect(page.locator("[data-participants]")).to_contain_text(person)
    submit(page, "[data-session-head] form:has([data-invite])")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "invited")

    # each caller on a phone, one in Dutch ----------------------------------------------------------
    browser = page.context.browser
    seen_by_ahmed = carry_out(browser, base, "ahmed", session, lang="nl")
    seen_by_lisa = carry_out(browser, base, "lisa", session, lang="en")
    assert len(seen_by_ahmed) == 1
    assert "Log in on eduroam" in seen_by_ahmed[0]
    assert len(seen_by_lisa) == 2

    # the operator advises, the client signs off ----------------------------------------------------
    page.goto(f"{base}/changes/{change.pk}/tests/sessions/{session.pk}/")
    expect(page.locator("[data-participant]").filter(has_text="Ahmed")).to_contain_text("1 of 1 done")
    advice = page.locator("[data-advice-form]")
    advice.locator("[name=advice]").select_option("accepted")
    advice.locator("[name=text]").fill("Both users could work with it.")
    submit(page, "[data-advice-form]")
    client = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
    karin = client.new_page()
    karin.on("dialog", lambda dialog: dialog.accept())
    try:
        _login(karin, base, "karin")
        karin.goto(f"{base}/portal/acceptance/{session.pk}/")
        expect(karin.locator("[data-client-results]")).to_contain_text("Lisa")
        sign = karin.locator("[data-sign-off-form]")
        sign.locator("input[name=decision][value=accepted]").check()
        with karin.expect_navigation():
            sign.locator("button[type=submit]").click()
        expect(karin.locator("[data-signed-off]")).to_have_attribute("data-signed-off", "accepted")
    finally:
        client.close()
    session.refresh_from_db()
    assert session.signed_off_by_id == world["karin"].pk
    assert session.signed_off_at is not None

    # the test report's PDF counts it all --------------------------------------------------------------
    page.goto(f"{base}/changes/{change.pk}/tests/report/")
    expect(page.locator("main")).to_contain_text("2 of 2 active cases passed")
    response = page.request.get(
        f"{base}/changes/{change.pk}/tests/report.pdf", headers={"Accept-Language": "en"}
    )
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    text = re.sub(r"\s+", " ", text)
    assert "2 of 2 active cases passed (100%); 0 failed, 0 blocked, 0 not run." in text
    assert "1 passed, 1 failed, 0 blocked, 0 not run" in text  # the first run
    assert "1 passed, 0 failed, 0 blocked, 0 not run" in text  # the re-test
    assert "Acceptance test Wi-Fi hall" in text
