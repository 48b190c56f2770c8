"""The Tests tab of a change (staff): the test plan (scope, criteria, test types), the environments
it uses with the state of their preparation, the test cases, and the library of standard cases that
plans copy. Each change is a POST followed by a redirect; a bad form is shown again with its errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beheer.changes.models import Change
from beheer.cmdb.models import CiEnvironment
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.errors import DomainError
from beheer.core.forms import place_domain_errors

from ..forms_plan import (
    CaseForm,
    CopyForm,
    EnvironmentForm,
    LibrarySearchForm,
    PlanForm,
    PrepareForm,
    StandardCaseForm,
    steps_text,
)
from ..models import PlanEnvironment, StandardTestCase, TestCase, TestPlan, TestType
from ..plan_state import cases_of, environment_rows
from ..services import plans
from ..services._base import plan_of
from .nav import change_for, page_context

ACCESS = access.STAFF
LIBRARY_ROWS = 200


def _plan(request: HttpRequest, change: Change) -> TestPlan:
    try:
        return plan_of(change, actor=current_user(request))
    except DomainError as exc:
        raise Http404(exc.message) from None


def _back(change: Change, anchor: str = "") -> HttpResponse:
    return redirect(reverse("change-tests", args=[change.pk]) + (f"#{anchor}" if anchor else ""))


def _run(request: HttpRequest, form: Any, call: Callable[[dict[str, Any]], Any]) -> bool:
    """`call` with the form's data; False (with the errors on the form) when the form or the
    service refuses."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except DomainError as exc:
        place_domain_errors(form, exc)
        return False
    return True


def _editable(change: Change) -> bool:
    return change.status == "open"


# -- the Tests tab -----------------------------------------------------------------------------------


@require_GET
def tests_page(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    plan = _plan(request, change)
    user = current_user(request)
    cases = cases_of(plan, user)
    context = {
        **page_context(request, change, "change-tests"),
        "plan": plan,
        "test_types": [TestType(t).label for t in plan.test_types if t in TestType.values],
        "environments": environment_rows(plan, user),
        "environment_form": EnvironmentForm(user=user),
        "cases": cases,
        "editable": _editable(change),
        "can_prepare": access.is_coordinator(user),
    }
    return render(request, "testing/plan/tests.html", context)


def _form_page(
    request: HttpRequest, change: Change, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request, template, {**page_context(request, change, "change-tests"), **context}, status=status
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    plan = _plan(request, change)
    if request.method == "POST":
        form = PlanForm(request.POST)
        if _run(
            request,
            form,
            lambda d: plans.save_plan(
                plan,
                actor=current_user(request),
                expected_version=d["version"],
                scope=d["scope"],
                entry_criteria=d["entry_criteria"],
                exit_criteria=d["exit_criteria"],
                test_types=d["test_types"],
            ),
        ):
            messages.success(request, _("Test plan saved."))
            return _back(change, "plan")
        return _form_page(request, change, "testing/plan/plan_form.html", {"form": form, "plan": plan}, 400)
    form = PlanForm(
        initial={
            "scope": plan.scope,
            "entry_criteria": plan.entry_criteria,
            "exit_criteria": plan.exit_criteria,
            "test_types": plan.test_types,
            "version": plan.version,
        }
    )
    return _form_page(request, change, "testing/plan/plan_form.html", {"form": form, "plan": plan})


# -- environments ------------------------------------------------------------------------------------


@require_POST
def environment_add(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    plan = _plan(request, change)
    user = current_user(request)
    form = EnvironmentForm(request.POST, user=user)
    if _run(
        request,
        form,
        lambda d: plans.add_environment(
            plan,
            actor=user,
            ci=d["ci"],
            purpose="acceptance" if d["ci"].environment == CiEnvironment.ACCEPTANCE else "test",
        ),
    ):
        messages.success(request, _("Environment added."))
    else:
        errors = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(errors) or _("Choose an environment."))
    return _back(change, "environments")


def _environment(request: HttpRequest, plan: TestPlan, env_pk: int) -> PlanEnvironment:
    found = (
        PlanEnvironment.objects.visible_to(request.user)
        .filter(plan=plan, pk=env_pk)
        .select_related("ci", "plan__change")
        .first()
    )
    if found is None:
        raise Http404(_("Environment not found."))
    return found


@require_POST
def environment_remove(request: HttpRequest, pk: int, env_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    environment = _environment(request, _plan(request, change), env_pk)
    try:
        plans.remove_environment(environment, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Environment removed."))
    return _back(change, "environments")


@require_http_methods(["GET", "POST"])
def environment_prepare(request: HttpRequest, pk: int, env_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    environment = _environment(request, _plan(request, change), env_pk)
    form = PrepareForm(request.POST or None)
    if request.method == "POST":
        if _run(
            request,
            form,
            lambda d: plans.prepare_environment(
                environment,
                actor=current_user(request),
                checklist=d["checklist"],
                planned_for=d["planned_for"],
                assignee=d["assignee"],
            ),
        ):
            messages.success(request, _("The preparation is planned as a preventive activity."))
            return _back(change, "environments")
        status = 400
    else:
        status = 200
    return _form_page(
        request, change, "testing/plan/prepare_form.html", {"form": form, "environment": environment}, status
    )


# -- cases -------------------------------------------------------------------------------------------


def _case(request: HttpRequest, plan: TestPlan, case_pk: int) -> TestCase:
    found = (
        TestCase.objects.visible_to(request.user)
        .filter(plan=plan, pk=case_pk)
        .select_related("plan__change")
        .prefetch_related("requirements")
        .first()
    )
    if found is None:
        raise Http404(_("Test case not found."))
    return found


@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    plan = _plan(request, change)
    form = CaseForm(request.POST or None, change=change)
    if request.method == "POST":
        if _run(
            request,
            form,
            lambda d: plans.add_case(
                plan,
                actor=current_user(request),
                title=d["title"],
                test_type=d["test_type"],
                preconditions=d["preconditions"],
                steps=d["steps"],
                requirements=list(d["requirements"]),
            ),
        ):
            messages.success(request, _("Test case added."))
            return _back(change, "cases")
        return _form_page(request, change, "testing/plan/case_form.html", {"form": form, "case": None}, 400)
    return _form_page(request, change, "testing/plan/case_form.html", {"form": form, "case": None})


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    case = _case(request, _plan(request, change), case_pk)
    linked = [r.pk for r in case.requirements.all()]
    if request.method == "POST":
        form = CaseForm(request.POST, change=change, linked=linked)
        if _run(
            request,
            form,
            lambda d: plans.update_case(
                case,
                actor=current_user(request),
                expected_version=d["version"],
                title=d["title"],
                test_type=d["test_type"],
                preconditions=d["preconditions"],
                steps=d["steps"],
                requirements=list(d["requirements"]),
            ),
        ):
            messages.success(request, _("Test case saved."))
            return _back(change, "cases")
        return _form_page(request, change, "testing/plan/case_form.html", {"form": form, "case": case}, 400)
    form = CaseForm(
        change=change,
        linked=linked,
        initial={
            "title": case.title,
            "test_type": case.test_type,
            "preconditions": case.preconditions,
            "steps": steps_text(case.steps),
            "requirements": linked,
            "version": case.version,
        },
    )
    return _form_page(request, change, "testing/plan/case_form.html", {"form": form, "case": case})


@require_POST
def case_withdraw(request: HttpRequest, pk: int, case_pk: int) -> HttpResponse:
    change = change_for(request, pk)
    case = _case(request, _plan(request, change), case_pk)
    try:
        plans.withdraw_case(case, actor=current_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Test case %(code)s withdrawn.") % {"code": case.code})
    return _back(change, "cases")


@require_http_methods(["GET", "POST"])
def case_copy(request: HttpRequest, pk: int) -> HttpResponse:
    change = change_for(request, pk)
    plan = _plan(request, change)
    form = CopyForm(request.POST or None, change=change)
    if request.method == "POST":
        if _run(
            request,
            form,
            lambda d: plans.copy_standard_cases(
                plan,
                actor=current_user(request),
                cases=list(d["cases"]),
                requirements=list(d["requirements"]),
            ),
        ):
            messages.success(request, _("Standard test cases copied."))
            return _back(change, "cases")
        return _form_page(request, change, "testing/plan/copy_form.html", {"form": form}, 400)
    return _form_page(request, change, "testing/plan/copy_form.html", {"form": form})


# -- the library -------------------------------------------------------------------------------------


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    search = LibrarySearchForm(request.GET or None)
    rows = StandardTestCase.objects.visible_to(request.user)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if query:
        rows = rows.filter(title__icontains=query)
    cases = list(rows.order_by("-active", "title", "id")[: LIBRARY_ROWS + 1])
    return render(
        request,
        "testing/plan/library.html",
        {
            "search": search,
            "cases": cases[:LIBRARY_ROWS],
            "more": len(cases) > LIBRARY_ROWS,
            "max_rows": LIBRARY_ROWS,
            "can_archive": access.is_coordinator(request.user),
        },
    )


def _standard(request: HttpRequest, pk: int) -> StandardTestCase:
    found = StandardTestCase.objects.visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("Standard test case not found."))
    return found


@require_http_methods(["GET", "POST"])
def library_create(request: HttpRequest) -> HttpResponse:
    form = StandardCaseForm(request.POST or None)
    if request.method == "POST":
        if _run(
            request,
            form,
            lambda d: plans.create_standard_case(
                actor=current_user(request),
                title=d["title"],
                test_type=d["test_type"],
                preconditions=d["preconditions"],
                steps=d["steps"],
            ),
        ):
            messages.success(request, _("Standard test case added."))
            return redirect("testing-library")
        return render(request, "testing/plan/library_form.html", {"form": form, "case": None}, status=400)
    return render(request, "testing/plan/library_form.html", {"form": form, "case": None})


@require_http_methods(["GET", "POST"])
def library_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _standard(request, pk)
    if request.method == "POST":
        form = StandardCaseForm(request.POST)
        if _run(
            request,
            form,
            lambda d: plans.update_standard_case(
                case,
                actor=current_user(request),
                expected_version=d["version"],
                title=d["title"],
                test_type=d["test_type"],
                preconditions=d["preconditions"],
                steps=d["steps"],
            ),
        ):
            messages.success(request, _("Standard test case saved."))
            return redirect("testing-library")
        return render(request, "testing/plan/library_form.html", {"form": form, "case": case}, status=400)
    form = StandardCaseForm(
        initial={
            "title": case.title,
            "test_type": case.test_type,
            "preconditions": case.preconditions,
            "steps": steps_text(case.steps),
            "version": case.version,
        }
    )
    return render(request, "testing/plan/library_form.html", {"form": form, "case": case})


@require_POST
def library_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    case = _standard(request, pk)
    try:
        plans.set_standard_case_active(case, actor=current_user(request), active=not case.active)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Standard test case restored.") if not case.active else _("Standard test case archived."),
        )
    return redirect("testing-library")


urlpatterns = [
    path("changes/<int:pk>/tests/", tests_page, name="change-tests"),
    path("changes/<int:pk>/tests/plan/", plan_edit, name="testing-plan-edit"),
    path("changes/<int:pk>/tests/environments/add/", environment_add, name="testing-environment-add"),
    path(
        "changes/<int:pk>/tests/environments/<int:env_pk>/remove/",
        environment_remove,
        name="testing-environment-remove",
    ),
    path(
        "changes/<int:pk>/tests/environments/<int:env_pk>/prepare/",
        environment_prepare,
        name="testing-environment-prepare",
    ),
    path("changes/<int:pk>/tests/cases/new/", case_create, name="testing-case-create"),
    path("changes/<int:pk>/tests/cases/<int:case_pk>/edit/", case_edit, name="testing-case-edit"),
    path("changes/<int:pk>/tests/cases/<int:case_pk>/withdraw/", case_withdraw, name="testing-case-withdraw"),
    path("changes/<int:pk>/tests/cases/copy/", case_copy, name="testing-case-copy"),
    path("testing/library/", library, name="testing-library"),
    path("testing/library/new/", library_create, name="testing-library-create"),
    path("testing/library/<int:pk>/edit/", library_edit, name="testing-library-edit"),
    path("testing/library/<int:pk>/toggle/", library_toggle, name="testing-library-toggle"),
]
