"""JSON adapter for a change's test plan, its environments and their preparation, its cases and the
library of standard cases, under /api/v1/testing (staff). Thin: look up through `visible_to`
(missing -> 404), call one service, serialise. Edits take the version the client read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status as Answer

from beheer.accounts.models import User
from beheer.changes.models import Change, Requirement
from beheer.cmdb.models import ConfigurationItem
from beheer.core import access
from beheer.core.access import current_user
from beheer.core.api_helpers import act, get_row, ref
from beheer.core.errors import DomainError, NotFound
from beheer.core.pagination import SortKey, keyset_page
from beheer.core.schemas import Id, Int64, TextLine, errors

from ..models import PlanEnvironment, StandardTestCase, TestCase, TestPlan
from ..plan_state import EnvironmentRow, cases_of, environment_rows
from ..schemas_plan import (
    TestCaseCopyIn,
    TestCaseIn,
    TestCaseOut,
    TestCaseUpdateIn,
    TestingStepIo,
    TestPlanEnvironmentIn,
    TestPlanEnvironmentOut,
    TestPlanIn,
    TestPlanOut,
    TestPlanPreparationIn,
    TestPlanSeriesOut,
    TestStandardCaseActiveIn,
    TestStandardCaseIn,
    TestStandardCaseOut,
    TestStandardCasePage,
    TestStandardCaseUpdateIn,
)
from ..services import plans
from ..services._base import plan_of

router = access.declare(Router(tags=["testing"]), access.STAFF)
LIBRARY_ORDER = (SortKey("title"), SortKey("id"))


def _change(request: HttpRequest, change_id: int) -> Change:
    found = Change.objects.visible_to(current_user(request)).filter(pk=change_id).first()
    if found is None:
        raise NotFound(_("Change not found."))
    return found


def _plan(request: HttpRequest, change_id: int) -> TestPlan:
    return plan_of(_change(request, change_id), actor=current_user(request))


def _steps(steps: list[TestingStepIo]) -> list[tuple[str, str]]:
    return [(s.action, s.expected) for s in steps]


def _requirements(plan: TestPlan, ids: list[int]) -> list[Requirement]:
    """The requirements named; an unknown one, or one of another change, is a field error."""
    wanted = set(ids)
    found = list(Requirement.objects.filter(pk__in=wanted, change_id=plan.change_id)) if wanted else []
    if len(found) != len(wanted):
        message = _("Choose requirements of this change.")
        raise DomainError(message, field_errors={"requirement_ids": message})
    return found


def _renamed(exc: DomainError, names: dict[str, str]) -> DomainError:
    """The service's field errors under the names of the request's fields."""
    fields = {names.get(k, k): v for k, v in exc.field_errors.items()}
    return type(exc)(exc.message, field_errors=fields)


def plan_out(plan: TestPlan, case_count: int | None = None) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "change": ref(plan.change, name=f"{plan.change.number} {plan.change.title}"),
        "scope": plan.scope,
        "entry_criteria": plan.entry_criteria,
        "exit_criteria": plan.exit_criteria,
        "test_types": list(plan.test_types),
        "advice": plan.advice,
        "case_count": case_count if case_count is not None else TestCase.objects.filter(plan=plan).count(),
        "updated_at": plan.updated_at,
        "version": plan.version,
    }


def environment_out(row: EnvironmentRow) -> dict[str, Any]:
    e, p = row.environment, row.preparation
    return {
        "id": e.pk,
        "ci": ref(e.ci),
        "purpose": e.purpose,
        "added_at": e.added_at,
        "preparation": None
        if p is None
        else {
            "series_id": p.series_id,
            "occurrence_id": p.occurrence_id,
            "planned_at": p.planned_at,
            "status": p.status,
            "items": p.items,
            "items_done": p.items_done,
            "evidence": p.evidence,
        },
    }


def case_out(case: TestCase) -> dict[str, Any]:
    return {
        "id": case.pk,
        "code": case.code,
        "title": case.title,
        "test_type": case.test_type,
        "preconditions": case.preconditions,
        "steps": list(case.steps),
        "requirements": [ref(r, name=r.code) for r in case.requirements.all()],
        "standard_case_id": case.standard_case_id,
        "withdrawn": case.withdrawn,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "version": case.version,
    }


def standard_out(case: StandardTestCase) -> dict[str, Any]:
    return {
        "id": case.pk,
        "title": case.title,
        "test_type": case.test_type,
        "preconditions": case.preconditions,
        "steps": list(case.steps),
        "active": case.active,
        "updated_at": case.updated_at,
        "version": case.version,
    }


def _environment(request: HttpRequest, pk: int) -> PlanEnvironment:
    found = (
        PlanEnvironment.objects.visible_to(current_user(request))
        .select_related("plan__change", "ci")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("Environment not found."))
    return found


def _case(request: HttpRequest, pk: int) -> TestCase:
    found = (
        TestCase.objects.visible_to(current_user(request))
        .select_related("plan__change")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("Test case not found."))
    return found


def _standard(request: HttpRequest, pk: int) -> StandardTestCase:
    found = StandardTestCase.objects.visible_to(current_user(request)).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Standard test case not found."))
    return found


def _case_read(pk: int) -> TestCase:
    return TestCase.objects.prefetch_related("requirements").get(pk=pk)


# -- the plan ----------------------------------------------------------------------------------------


@router.get(
    "/changes/{change_id}/plan",
    response={200: TestPlanOut, **errors(403, 404)},
    summary="A change's test plan",
)
def get_plan(request: HttpRequest, change_id: Id) -> dict[str, Any]:
    """Scope, entry and exit criteria and test types (an empty plan the first time)."""
    return plan_out(_plan(request, change_id))


@router.put(
    "/changes/{change_id}/plan",
    response={200: TestPlanOut, **errors(400, 403, 404, 409)},
    summary="Change the test plan (send the version you read)",
)
def put_plan(request: HttpRequest, change_id: Id, payload: TestPlanIn) -> dict[str, Any]:
    plan = act(
        request,
        _plan(request, change_id),
        plans.save_plan,
        payload.version,
        scope=payload.scope,
        entry_criteria=payload.entry_criteria,
        exit_criteria=payload.exit_criteria,
        test_types=payload.test_types,
    )
    return plan_out(plan)


# -- environments ------------------------------------------------------------------------------------


@router.get(
    "/changes/{change_id}/environments",
    response={200: list[TestPlanEnvironmentOut], **errors(403, 404)},
    summary="The environments a test plan uses, with their preparation",
)
def list_environments(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    plan = _plan(request, change_id)
    return [environment_out(row) for row in environment_rows(plan, current_user(request))]


@router.post(
    "/changes/{change_id}/environments",
    response={201: TestPlanEnvironmentOut, **errors(400, 403, 404, 409)},
    summary="Use a CI of the test or acceptance environment",
)
def add_environment(
    request: HttpRequest, change_id: Id, payload: TestPlanEnvironmentIn
) -> Answer[dict[str, Any]]:
    user = current_user(request)
    plan = _plan(request, change_id)
    ci = get_row(ConfigurationItem, payload.ci_id, "ci_id", rows=ConfigurationItem.objects.visible_to(user))
    try:
        row = plans.add_environment(plan, actor=user, ci=ci, purpose=payload.purpose)
    except DomainError as exc:
        raise _renamed(exc, {"ci": "ci_id"}) from None
    return Answer(201, environment_out(EnvironmentRow(row, None)))


@router.delete(
    "/environments/{environment_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Stop using an environment (refused once a run was held in it)",
)
def remove_environment(request: HttpRequest, environment_id: Id) -> Answer[None]:
    plans.remove_environment(_environment(request, environment_id), actor=current_user(request))
    return Answer(204, None)


@router.post(
    "/environments/{environment_id}/preparation",
    response={201: TestPlanSeriesOut, **errors(400, 403, 404, 409)},
    summary="Plan the environment's preparation: a one-off preventive activity with a checklist",
)
def prepare_environment(
    request: HttpRequest, environment_id: Id, payload: TestPlanPreparationIn
) -> Answer[dict[str, Any]]:
    """Coordinators and administrators (preventive activities are theirs to plan). The checklist,
    evidence and completion are the occurrence's, in the preventive activities."""
    user = current_user(request)
    environment = _environment(request, environment_id)
    assignee = get_row(User, payload.assignee_id, "assignee_id", rows=User.objects.filter(is_active=True))
    try:
        series = plans.prepare_environment(
            environment,
            actor=user,
            checklist=payload.checklist,
            planned_for=payload.planned_for,
            assignee=assignee,
        )
    except DomainError as exc:
        raise _renamed(exc, {"assignee": "assignee_id"}) from None
    occurrence = series.occurrences.order_by("planned_at").first()
    return Answer(
        201, {"id": series.pk, "name": series.name, "occurrence_id": occurrence.pk if occurrence else None}
    )


# -- cases -------------------------------------------------------------------------------------------


@router.get(
    "/changes/{change_id}/cases",
    response={200: list[TestCaseOut], **errors(403, 404)},
    summary="A test plan's cases by code (at most 500)",
)
def list_cases(request: HttpRequest, change_id: Id) -> list[dict[str, Any]]:
    plan = _plan(request, change_id)
    return [case_out(c) for c in cases_of(plan, current_user(request))]


@router.post(
    "/changes/{change_id}/cases",
    response={201: TestCaseOut, **errors(400, 403, 404, 409)},
    summary="Add a test case (the next code TC-n)",
)
def add_case(request: HttpRequest, change_id: Id, payload: TestCaseIn) -> Answer[dict[str, Any]]:
    plan = _plan(request, change_id)
    try:
        case = plans.add_case(
            plan,
            actor=current_user(request),
            title=payload.title,
            test_type=payload.test_type,
            preconditions=payload.preconditions,
            steps=_steps(payload.steps),
            requirements=_requirements(plan, payload.requirement_ids),
        )
    except DomainError as exc:
        raise _renamed(exc, {"requirements": "requirement_ids"}) from None
    return Answer(201, case_out(_case_read(case.pk)))


@router.get("/cases/{case_id}", response={200: TestCaseOut, **errors(403, 404)}, summary="A test case")
def get_case(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    return case_out(_case_read(_case(request, case_id).pk))


@router.put(
    "/cases/{case_id}",
    response={200: TestCaseOut, **errors(400, 403, 404, 409)},
    summary="Change a test case (send the version you read; a withdrawn case is read-only)",
)
def put_case(request: HttpRequest, case_id: Id, payload: TestCaseUpdateIn) -> dict[str, Any]:
    case = _case(request, case_id)
    try:
        act(
            request,
            case,
            plans.update_case,
            payload.version,
            title=payload.title,
            test_type=payload.test_type,
            preconditions=payload.preconditions,
            steps=_steps(payload.steps),
            requirements=_requirements(case.plan, payload.requirement_ids),
        )
    except DomainError as exc:
        raise _renamed(exc, {"requirements": "requirement_ids"}) from None
    return case_out(_case_read(case.pk))


@router.post(
    "/cases/{case_id}/withdraw",
    response={200: TestCaseOut, **errors(403, 404, 409)},
    summary="Withdraw a test case (it stays with its results)",
)
def withdraw_case(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    case = plans.withdraw_case(_case(request, case_id), actor=current_user(request))
    return case_out(_case_read(case.pk))


@router.post(
    "/changes/{change_id}/cases/copy",
    response={201: list[TestCaseOut], **errors(400, 403, 404, 409)},
    summary="Copy standard test cases from the library into the plan",
)
def copy_cases(request: HttpRequest, change_id: Id, payload: TestCaseCopyIn) -> Answer[list[dict[str, Any]]]:
    user = current_user(request)
    plan = _plan(request, change_id)
    wanted = list(dict.fromkeys(payload.standard_case_ids))
    found = {c.pk: c for c in StandardTestCase.objects.visible_to(user).filter(pk__in=wanted)}
    if len(found) != len(wanted):
        message = _("Unknown standard test case.")
        raise DomainError(message, field_errors={"standard_case_ids": message})
    try:
        made = plans.copy_standard_cases(
            plan,
            actor=user,
            cases=[found[pk] for pk in wanted],
            requirements=_requirements(plan, payload.requirement_ids),
        )
    except DomainError as exc:
        raise _renamed(exc, {"cases": "standard_case_ids", "requirements": "requirement_ids"}) from None
    rows = TestCase.objects.filter(pk__in=[c.pk for c in made]).prefetch_related("requirements")
    return Answer(201, [case_out(c) for c in rows])


# -- the library -------------------------------------------------------------------------------------


@router.get(
    "/library",
    response={200: TestStandardCasePage, **errors(400, 403)},
    summary="The library of standard test cases, by title (keyset pagination)",
)
def list_library(
    request: HttpRequest,
    q: TextLine = "",
    active: bool | None = None,
    cursor: TextLine | None = None,
    limit: Int64 = 50,
) -> dict[str, Any]:
    """`q` searches the titles; `active` filters archived cases in or out; `limit` 1-200 per page,
    pass `next_cursor` as `cursor` for the next page."""
    if not 1 <= limit <= 200:
        raise DomainError(_("limit must be between 1 and 200."), field_errors={"limit": _("Out of range.")})
    rows = StandardTestCase.objects.visible_to(current_user(request))
    if q.strip():
        rows = rows.filter(title__icontains=q.strip()[:200])
    if active is not None:
        rows = rows.filter(active=active)
    page = keyset_page(rows, LIBRARY_ORDER, cursor=cursor, size=limit)
    return {"items": [standard_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/library",
    response={201: TestStandardCaseOut, **errors(400, 403)},
    summary="Add a standard test case to the library",
)
def create_standard(request: HttpRequest, payload: TestStandardCaseIn) -> Answer[dict[str, Any]]:
    case = plans.create_standard_case(
        actor=current_user(request),
        title=payload.title,
        test_type=payload.test_type,
        preconditions=payload.preconditions,
        steps=_steps(payload.steps),
    )
    return Answer(201, standard_out(case))


@router.get(
    "/library/{case_id}",
    response={200: TestStandardCaseOut, **errors(403, 404)},
    summary="A standard test case",
)
def get_standard(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    return standard_out(_standard(request, case_id))


@router.put(
    "/library/{case_id}",
    response={200: TestStandardCaseOut, **errors(400, 403, 404, 409)},
    summary="Change a standard test case (copies made earlier keep their text)",
)
def put_standard(request: HttpRequest, case_id: Id, payload: TestStandardCaseUpdateIn) -> dict[str, Any]:
    case = act(
        request,
        _standard(request, case_id),
        plans.update_standard_case,
        payload.version,
        title=payload.title,
        test_type=payload.test_type,
        preconditions=payload.preconditions,
        steps=_steps(payload.steps),
    )
    return standard_out(case)


@router.post(
    "/library/{case_id}/active",
    response={200: TestStandardCaseOut, **errors(403, 404)},
    summary="Archive or restore a standard test case (coordinators and administrators)",
)
def set_standard_active(
    request: HttpRequest, case_id: Id, payload: TestStandardCaseActiveIn
) -> dict[str, Any]:
    case = plans.set_standard_case_active(
        _standard(request, case_id), actor=current_user(request), active=payload.active
    )
    return standard_out(case)
