"""The Tests tab and the library pages: the plan, environments with their preparation, cases with
their steps, copying, and bad input shown on the form (never a 500)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from beheer.accounts.models import User
from beheer.core import clock
from beheer.testing.models import PlanEnvironment, StandardTestCase, TestCase, TestPlan
from beheer.testing.services import plans
from tests.helpers import client_for

from .helpers import add_case, scene
from .test_plans import env_ci

pytestmark = pytest.mark.django_db
EN = {"Accept-Language": "en"}


def test_the_tests_tab_shows_plan_cases_and_environments(
    coordinator: User, django_assert_max_num_queries: Any
) -> None:
    operator, _client, change, reqs, plan = scene()
    plans.save_plan(
        plan, actor=operator, expected_version=1, scope="Wifi gebouw B", entry_criteria="", exit_criteria="",
        test_types=["security"],
    )  # fmt: skip
    for n in range(4):
        add_case(plan, f"Geval {n}", requirements=reqs[:2])
    env = plans.add_environment(plan, actor=operator, ci=env_ci(operator, "wifi-test"), purpose="test")
    series = plans.prepare_environment(
        env,
        actor=coordinator,
        checklist=["Data laden", "Accounts"],
        planned_for=clock.now() + timedelta(days=1),
    )
    web = client_for(operator)
    with django_assert_max_num_queries(40):
        page = web.get(reverse("change-tests", args=[change.pk]), headers=EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Wifi gebouw B" in html
    assert 'data-case="TC-4"' in html
    assert "REQ-1" in html
    assert "0 of 2 items done" in html
    assert reverse("operations-occurrence", args=[series.occurrences.get().pk]) in html
    assert reverse("testing-library") in html
    assert client_for(_client).get(reverse("change-tests", args=[change.pk])).status_code in (302, 403, 404)


def test_plan_and_case_forms_show_errors_and_save(coordinator: User) -> None:
    operator, _client, change, reqs, plan = scene()
    web = client_for(operator)
    url = reverse("testing-plan-edit", args=[change.pk])
    assert web.get(url).status_code == 200
    saved = web.post(url, {"scope": "Alles", "test_types": ["functional", "regression"], "version": 1})
    assert saved.status_code == 302
    assert TestPlan.objects.get(pk=plan.pk).test_types == ["functional", "regression"]
    stale = web.post(url, {"scope": "Anders", "version": 1}, headers=EN)
    assert stale.status_code == 400
    assert "Somebody else changed this test plan" in stale.content.decode()

    create = reverse("testing-case-create", args=[change.pk])
    bad = web.post(
        create, {"title": "", "test_type": "functional", "steps": "=> alleen verwacht"}, headers=EN
    )
    assert bad.status_code == 400
    assert "Step 1 has no action." in bad.content.decode()
    made = web.post(
        create,
        {
            "title": "Inloggen",
            "test_type": "functional",
            "steps": "Kies het netwerk => Inlogscherm\n\nLog in => Verbonden",
            "requirements": [reqs[0].pk],
        },
    )
    assert made.status_code == 302
    case = TestCase.objects.get(plan=plan)
    assert case.steps == [
        {"action": "Kies het netwerk", "expected": "Inlogscherm"},
        {"action": "Log in", "expected": "Verbonden"},
    ]
    edit = reverse("testing-case-edit", args=[change.pk, case.pk])
    assert "Kies het netwerk =&gt; Inlogscherm" in web.get(edit).content.decode()
    foreign = web.post(
        edit, {"title": "x", "test_type": "functional", "requirements": [999999], "version": 1}
    )
    assert foreign.status_code == 400
    assert web.post(reverse("testing-case-withdraw", args=[change.pk, case.pk])).status_code == 302
    refused = web.post(edit, {"title": "Nieuw", "test_type": "functional", "version": 2}, headers=EN)
    assert refused.status_code == 400
    assert "withdrawn" in refused.content.decode()
    assert TestCase.objects.get(pk=case.pk).title == "Inloggen"
    assert web.get(reverse("testing-case-edit", args=[change.pk, 999999])).status_code == 404


def test_environment_routes_and_preparation(coordinator: User) -> None:
    operator, _client, change, _reqs, plan = scene()
    ci = env_ci(operator, "wifi-acc", "acceptance")
    env_ci(operator, "wifi-prod", "production")
    web = client_for(operator)
    page = web.get(reverse("change-tests", args=[change.pk])).content.decode()
    assert "wifi-acc" in page
    assert "wifi-prod" not in page
    assert web.post(reverse("testing-environment-add", args=[change.pk]), {"ci": ci.pk}).status_code == 302
    env = PlanEnvironment.objects.get(plan=plan)
    assert env.purpose == "acceptance"
    prepare = reverse("testing-environment-prepare", args=[change.pk, env.pk])
    boss = client_for(coordinator)
    when = timezone.localtime(clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    bad = boss.post(prepare, {"checklist": "Data laden", "planned_for": "morgen"})
    assert bad.status_code == 400
    assert (
        boss.post(prepare, {"checklist": "Data laden\nAccounts maken", "planned_for": when}).status_code
        == 302
    )
    env.refresh_from_db()
    assert env.preparation is not None
    assert env.preparation.occurrences.count() == 1
    remove = reverse("testing-environment-remove", args=[change.pk, env.pk])
    assert web.post(remove).status_code == 302
    assert not PlanEnvironment.objects.filter(plan=plan).exists()


def test_library_and_copy(coordinator: User) -> None:
    operator, _client, change, reqs, plan = scene()
    web = client_for(operator)
    create = reverse("testing-library-create")
    assert web.post(create, {"title": "", "test_type": "functional"}).status_code == 400
    assert (
        web.post(
            create, {"title": "Print naar de nieuwe printer", "test_type": "functional", "steps": "Print"}
        ).status_code
        == 302
    )
    std = StandardTestCase.objects.get()
    listing = web.get(reverse("testing-library"), {"q": "printer"}).content.decode()
    assert "Print naar de nieuwe printer" in listing
    assert "Print naar" not in web.get(reverse("testing-library"), {"q": "scanner"}).content.decode()
    edit = reverse("testing-library-edit", args=[std.pk])
    assert (
        web.post(edit, {"title": "Print in kleur", "test_type": "functional", "version": 1}).status_code
        == 302
    )
    assert web.post(edit, {"title": "Oud", "test_type": "functional", "version": 1}).status_code == 400
    copy = reverse("testing-case-copy", args=[change.pk])
    assert web.post(copy, {"cases": [std.pk], "requirements": [reqs[1].pk]}).status_code == 302
    copied = TestCase.objects.get(plan=plan)
    assert copied.title == "Print in kleur"
    assert [r.code for r in copied.requirements.all()] == ["REQ-2"]
    toggle = reverse("testing-library-toggle", args=[std.pk])
    web.post(toggle)
    assert StandardTestCase.objects.get(pk=std.pk).active  # operators do not archive
    client_for(coordinator).post(toggle)
    assert not StandardTestCase.objects.get(pk=std.pk).active
    assert web.post(copy, {"cases": [std.pk]}).status_code == 400
