"""The test plan of a change, the environments it uses and their preparation, its test cases and
the library of standard test cases.

Rules:
- Staff (operators, coordinators, administrators) write the plan, its environments and its cases;
  the plan of a closed or cancelled change is read-only (`_base.lock_plan`).
- An environment is a CI of the test or acceptance environment (`ConfigurationItem.environment`),
  used for that purpose; it cannot be removed once a run was held in it.
- Preparing an environment is a one-off preventive activity (kind "other", the checklist, the CI):
  its checklist, evidence and completion are the preventive activities' own. Preventive activities
  are managed by coordinators and administrators, so only they prepare an environment.
- A case has at most 50 steps (an action, required, and what it should give), and is linked only to
  requirements of the plan's own change; a plan has at most 500 cases, numbered TC-n (never reused).
  A withdrawn case stays with its results and can no longer be edited.
- The library of standard cases: operators create and edit standard cases; only coordinators and
  administrators archive or restore them (`set_standard_case_active`), since other plans copy them.
  Only active cases are copied; a copy does not change when the library's case does. The library
  is not part of any plan, so its edits are kept by the version number only, not in a plan's trail.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.changes.models import Requirement, RequirementStatus
from beheer.cmdb.models import CiStatus, ConfigurationItem
from beheer.core import access, checks, clock, history
from beheer.core.errors import DomainError, NotFound, PermissionDenied, ReadOnly
from beheer.core.timezones import installation_time_zone
from beheer.operations.models import ActivityKind, ActivitySeries
from beheer.operations.services import create_series

from ..models import (
    EnvironmentPurpose,
    PlanEnvironment,
    StandardTestCase,
    TestCase,
    TestPlan,
    TestRun,
    TestType,
)
from ._base import TITLE_MAX, ensure_staff, lock_plan, record, text, touch

MAX_CASES = 500
MAX_STEPS = 50
STEP_MAX = 2000
MAX_ENVIRONMENTS = 20
MAX_COPY = 50
MAX_REQUIREMENTS = 100
PREPARE_DAYS_AHEAD = 365

Steps = Sequence[tuple[str, str]]


def _fail(field: str, message: str) -> DomainError:
    return DomainError(message, field_errors={field: message})


def _collect(errors: dict[str, str], check: Any, *args: Any, **kwargs: Any) -> Any:
    """`check(...)`, its field errors added to `errors` (None then)."""
    try:
        return check(*args, **kwargs)
    except DomainError as exc:
        errors.update(exc.field_errors or {"": exc.message})
        return None


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise DomainError(_("Check the highlighted fields."), field_errors=errors)


def clean_steps(steps: Steps) -> list[dict[str, str]]:
    """The steps as stored: `{"action", "expected"}` each, empty pairs left out; at most 50, each
    with an action and each text at most 2000 characters."""
    cleaned: list[dict[str, str]] = []
    for pair in steps:
        if len(pair) != 2:
            raise _fail("steps", _("Each step is an action and its expected result."))
        action = (pair[0] or "").replace("\x00", "").strip()
        expected = (pair[1] or "").replace("\x00", "").strip()
        if not action and not expected:
            continue
        number = len(cleaned) + 1
        if not action:
            raise _fail("steps", _("Step %(number)d has no action.") % {"number": number})
        if len(action) > STEP_MAX or len(expected) > STEP_MAX:
            raise _fail(
                "steps",
                _("Step %(number)d: each text at most %(max)d characters.")
                % {"number": number, "max": STEP_MAX},
            )
        cleaned.append({"action": action, "expected": expected})
    if len(cleaned) > MAX_STEPS:
        raise _fail("steps", _("A test case has at most %(max)d steps.") % {"max": MAX_STEPS})
    return cleaned


def _test_type(value: str) -> str:
    if value not in TestType.values:
        raise _fail("test_type", _("Choose a test type."))
    return value


def _test_types(values: Sequence[str]) -> list[str]:
    chosen = list(values)
    if any(v not in TestType.values for v in chosen):
        raise _fail("test_types", _("Unknown test type."))
    if len(set(chosen)) != len(chosen):
        raise _fail("test_types", _("Each test type at most once."))
    return chosen


def _requirements(
    plan: TestPlan, requirements: Sequence[Requirement], *, kept: Collection[int] = ()
) -> list[Requirement]:
    """The requirements, each once, all of the plan's change; a withdrawn one only when the case
    was already linked to it (`kept`)."""
    unique = list({r.pk: r for r in requirements}.values())
    if len(unique) > MAX_REQUIREMENTS:
        raise _fail(
            "requirements", _("At most %(max)d requirements per test case.") % {"max": MAX_REQUIREMENTS}
        )
    if any(r.change_id != plan.change_id for r in unique):
        raise _fail("requirements", _("Choose requirements of this change."))
    withdrawn = [r.code for r in unique if r.status == RequirementStatus.WITHDRAWN and r.pk not in kept]
    if withdrawn:
        raise _fail(
            "requirements",
            _("This requirement is withdrawn: %(codes)s.") % {"codes": ", ".join(withdrawn)},
        )
    return sorted(unique, key=lambda r: r.number)


def _codes(requirements: Sequence[Requirement]) -> str:
    return ", ".join(r.code for r in sorted(requirements, key=lambda r: r.number))


def _steps_text(steps: list[dict[str, str]]) -> str:
    return "\n".join(f"{s['action']} => {s['expected']}" for s in steps)


# -- the plan ----------------------------------------------------------------------------------------


@transaction.atomic
def save_plan(
    plan: TestPlan,
    *,
    actor: User,
    expected_version: int | None,
    scope: str,
    entry_criteria: str,
    exit_criteria: str,
    test_types: Sequence[str],
) -> TestPlan:
    """The plan's scope, entry and exit criteria and test types, at the version the editor read."""
    current = lock_plan(plan, actor, expected_version)
    errors: dict[str, str] = {}
    scope = _collect(errors, text, scope, field="scope", label=_("Scope"))
    entry_criteria = _collect(errors, text, entry_criteria, field="entry_criteria", label=_("Entry criteria"))
    exit_criteria = _collect(errors, text, exit_criteria, field="exit_criteria", label=_("Exit criteria"))
    types = _collect(errors, _test_types, test_types)
    _raise(errors)
    before = history.snapshot(
        current,
        ["scope", "entry_criteria", "exit_criteria"],
        extra={"test_types": ", ".join(current.test_types)},
    )
    current.scope, current.entry_criteria, current.exit_criteria = scope, entry_criteria, exit_criteria
    current.test_types = types
    changes = history.changes_since(before, current, extra={"test_types": ", ".join(types)})
    if not changes:
        return current
    TestPlan.objects.filter(pk=current.pk).update(
        scope=scope, entry_criteria=entry_criteria, exit_criteria=exit_criteria, test_types=types
    )
    record(current, actor, "changed", changes=changes)
    touch(current)
    return current


# -- environments ------------------------------------------------------------------------------------


@transaction.atomic
def add_environment(plan: TestPlan, *, actor: User, ci: ConfigurationItem, purpose: str) -> PlanEnvironment:
    """The plan uses `ci` (a CI of the test or acceptance environment, matching `purpose`)."""
    current = lock_plan(plan, actor)
    if purpose not in EnvironmentPurpose.values:
        raise _fail("purpose", _("Choose test or acceptance."))
    visible = ConfigurationItem.objects.visible_to(actor).filter(pk=ci.pk).first()
    if visible is None:
        raise _fail("ci", _("Configuration item not found."))
    if visible.status == CiStatus.RETIRED:
        raise _fail("ci", _("This configuration item is retired."))
    if visible.environment != purpose:
        raise _fail(
            "ci",
            _("%(name)s is not a CI of the %(purpose)s environment.")
            % {"name": visible.name, "purpose": EnvironmentPurpose(purpose).label},
        )
    rows = PlanEnvironment.objects.filter(plan=current)
    if rows.filter(ci=visible).exists():
        raise _fail("ci", _("The plan already uses this environment."))
    if rows.count() >= MAX_ENVIRONMENTS:
        raise _fail("ci", _("A test plan uses at most %(max)d environments.") % {"max": MAX_ENVIRONMENTS})
    environment = PlanEnvironment.objects.create(
        plan=current, ci=visible, purpose=purpose, added_by=actor, added_at=clock.now()
    )
    record(
        current,
        actor,
        "environment",
        field="environments",
        new=f"{visible.name} ({environment.get_purpose_display()})",
    )
    touch(current)
    return environment


def _locked_environment(environment: PlanEnvironment, plan: TestPlan) -> PlanEnvironment:
    found = checks.locked(PlanEnvironment.objects.filter(plan=plan).select_related("ci"), environment.pk)
    if found is None:
        raise NotFound(_("Environment not found."))
    return found


@transaction.atomic
def remove_environment(environment: PlanEnvironment, *, actor: User) -> None:
    """The plan no longer uses the environment; refused once a run was held in it. Its preparation
    stays with the preventive activities."""
    current = lock_plan(environment.plan, actor)
    row = _locked_environment(environment, current)
    if TestRun.objects.filter(plan=current, environment_id=row.ci_id).exists():
        raise ReadOnly(_("A test run was held in this environment; it stays with the plan."))
    name = f"{row.ci.name} ({row.get_purpose_display()})"
    row.delete()
    record(current, actor, "environment", field="environments", old=name)
    touch(current)


def _local(planned_for: datetime) -> datetime:
    if timezone.is_naive(planned_for):
        raise _fail("planned_for", _("Give a date and time."))
    return planned_for.astimezone(ZoneInfo(installation_time_zone())).replace(second=0, microsecond=0)


@transaction.atomic
def prepare_environment(
    environment: PlanEnvironment,
    *,
    actor: User,
    checklist: Sequence[str],
    planned_for: datetime,
    assignee: User | None = None,
) -> ActivitySeries:
    """A one-off preventive activity that prepares the environment: the checklist, the environment's
    CI, one occurrence at `planned_for` (within a year). Coordinators and administrators only (they
    manage preventive activities); an environment is prepared once."""
    ensure_staff(actor)
    if not access.is_coordinator(actor):
        raise PermissionDenied(
            _("Only coordinators and administrators prepare an environment: it is a preventive activity.")
        )
    current = lock_plan(environment.plan, actor)
    row = _locked_environment(environment, current)
    if row.preparation_id is not None:
        raise _fail("checklist", _("This environment already has its preparation."))
    items = [line.strip() for line in checklist if line and line.strip()]
    if not items:
        raise _fail("checklist", _("Give at least one checklist item."))
    local = _local(planned_for)
    now = clock.now()
    if local <= now:
        raise _fail("planned_for", _("Choose a moment in the future."))
    if local > now + timedelta(days=PREPARE_DAYS_AHEAD):
        raise _fail("planned_for", _("Choose a moment within a year."))
    change = current.change
    series = create_series(
        actor=actor,
        name=(
            _("Prepare %(environment)s for %(change)s")
            % {"environment": row.ci.name, "change": change.number}
        )[:120],
        kind=ActivityKind.OTHER,
        rule="FREQ=DAILY;COUNT=1",
        start_date=local.date(),
        start_time=local.time(),
        time_zone=installation_time_zone(),
        description=f"{change.number} {change.title}",
        checklist=items,
        lead_days=min(PREPARE_DAYS_AHEAD + 1, (local - now).days + 1),
        assignee=assignee,
        cis=[row.ci],
    )
    PlanEnvironment.objects.filter(pk=row.pk).update(preparation=series)
    row.preparation = series
    record(
        current,
        actor,
        "environment",
        field="environments",
        detail=_("Preparation of %(environment)s planned") % {"environment": row.ci.name},
        new=local.strftime("%Y-%m-%d %H:%M"),
    )
    touch(current)
    return series


# -- cases -------------------------------------------------------------------------------------------


def _case_fields(
    plan: TestPlan,
    *,
    title: str,
    test_type: str,
    preconditions: str,
    steps: Steps,
    requirements: Sequence[Requirement],
    kept: set[int] | None = None,
) -> tuple[str, str, str, list[dict[str, str]], list[Requirement]]:
    errors: dict[str, str] = {}
    title = _collect(
        errors, text, title, field="title", label=_("Title"), required=True, max_length=TITLE_MAX
    )
    test_type = _collect(errors, _test_type, test_type)
    preconditions = _collect(errors, text, preconditions, field="preconditions", label=_("Preconditions"))
    cleaned = _collect(errors, clean_steps, steps)
    linked = _collect(errors, _requirements, plan, requirements, kept=kept or ())
    _raise(errors)
    return title, test_type, preconditions, cleaned, linked


def _room(plan: TestPlan, wanted: int) -> None:
    if TestCase.objects.filter(plan=plan).count() + wanted > MAX_CASES:
        raise DomainError(_("A test plan has at most %(max)d test cases.") % {"max": MAX_CASES})


def _numbers(plan: TestPlan, count: int) -> list[int]:
    """`count` new case numbers in one step (never reused)."""
    TestPlan.objects.filter(pk=plan.pk).update(case_counter=F("case_counter") + count)
    last = int(TestPlan.objects.filter(pk=plan.pk).values_list("case_counter", flat=True).get())
    plan.case_counter = last
    return list(range(last - count + 1, last + 1))


@transaction.atomic
def add_case(
    plan: TestPlan,
    *,
    actor: User,
    title: str,
    test_type: str,
    preconditions: str = "",
    steps: Steps = (),
    requirements: Sequence[Requirement] = (),
) -> TestCase:
    """A new case TC-n of the plan with its steps, linked to requirements of the change."""
    current = lock_plan(plan, actor)
    title, test_type, preconditions, cleaned, linked = _case_fields(
        current,
        title=title,
        test_type=test_type,
        preconditions=preconditions,
        steps=steps,
        requirements=requirements,
    )
    _room(current, 1)
    now = clock.now()
    case = TestCase.objects.create(
        plan=current,
        number=_numbers(current, 1)[0],
        title=title,
        test_type=test_type,
        preconditions=preconditions,
        steps=cleaned,
        created_at=now,
        updated_at=now,
    )
    if linked:
        case.requirements.set(linked)
    record(current, actor, "case_added", field="cases", new=str(case)[:500], detail=_codes(linked))
    touch(current)
    return case


def _locked_case(case: TestCase, plan: TestPlan, expected_version: int | None) -> TestCase:
    return checks.locked_at(
        TestCase.objects.filter(plan=plan),
        case.pk,
        expected_version,
        missing=_("Test case not found."),
        changed=_("Somebody else changed this test case in the meantime. Reload it and try again."),
    )


@transaction.atomic
def update_case(
    case: TestCase,
    *,
    actor: User,
    expected_version: int | None,
    title: str,
    test_type: str,
    preconditions: str,
    steps: Steps,
    requirements: Sequence[Requirement],
) -> TestCase:
    """Change a case at the version the editor read; a withdrawn case is read-only."""
    current_plan = lock_plan(case.plan, actor)
    current = _locked_case(case, current_plan, expected_version)
    if current.withdrawn:
        raise ReadOnly(_("This test case is withdrawn and can no longer be changed."))
    old_requirements = list(current.requirements.all())
    title, test_type, preconditions, cleaned, linked = _case_fields(
        current_plan,
        title=title,
        test_type=test_type,
        preconditions=preconditions,
        steps=steps,
        requirements=requirements,
        kept={r.pk for r in old_requirements},
    )
    fields = ["title", "test_type", "preconditions"]
    before = history.snapshot(
        current, fields, extra={"steps": _steps_text(current.steps), "requirements": _codes(old_requirements)}
    )
    current.title, current.test_type, current.preconditions, current.steps = (
        title,
        test_type,
        preconditions,
        cleaned,
    )
    changes = history.changes_since(
        before, current, extra={"steps": _steps_text(cleaned), "requirements": _codes(linked)}
    )
    if not changes:
        return current
    current.version += 1
    current.updated_at = clock.now()
    current.save(update_fields=[*fields, "steps", "version", "updated_at"])
    if {r.pk for r in linked} != {r.pk for r in old_requirements}:
        current.requirements.set(linked)
    record(current_plan, actor, "case_changed", changes=changes, detail=str(current)[:500])
    touch(current_plan)
    return current


@transaction.atomic
def withdraw_case(case: TestCase, *, actor: User) -> TestCase:
    """The case is no longer tested; it stays with its results and its number. Withdrawing a
    withdrawn case changes nothing."""
    current_plan = lock_plan(case.plan, actor)
    current = _locked_case(case, current_plan, None)
    if current.withdrawn:
        return current
    current.withdrawn = True
    current.version += 1
    current.updated_at = clock.now()
    current.save(update_fields=["withdrawn", "version", "updated_at"])
    record(current_plan, actor, "case_withdrawn", field="cases", old=str(current)[:500])
    touch(current_plan)
    return current


# -- the library of standard cases --------------------------------------------------------------------


def _standard_fields(
    *, title: str, test_type: str, preconditions: str, steps: Steps
) -> tuple[str, str, str, list[dict[str, str]]]:
    errors: dict[str, str] = {}
    title = _collect(
        errors, text, title, field="title", label=_("Title"), required=True, max_length=TITLE_MAX
    )
    test_type = _collect(errors, _test_type, test_type)
    preconditions = _collect(errors, text, preconditions, field="preconditions", label=_("Preconditions"))
    cleaned = _collect(errors, clean_steps, steps)
    _raise(errors)
    return title, test_type, preconditions, cleaned


@transaction.atomic
def create_standard_case(
    *, actor: User, title: str, test_type: str, preconditions: str = "", steps: Steps = ()
) -> StandardTestCase:
    """A new case in the library (operators and up)."""
    ensure_staff(actor)
    title, test_type, preconditions, cleaned = _standard_fields(
        title=title, test_type=test_type, preconditions=preconditions, steps=steps
    )
    now = clock.now()
    return StandardTestCase.objects.create(
        title=title,
        test_type=test_type,
        preconditions=preconditions,
        steps=cleaned,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )


def _locked_standard(case: StandardTestCase, expected_version: int | None) -> StandardTestCase:
    return checks.locked_at(
        StandardTestCase.objects.all(),
        case.pk,
        expected_version,
        missing=_("Standard test case not found."),
        changed=_("Somebody else changed this standard test case in the meantime. Reload it and try again."),
    )


@transaction.atomic
def update_standard_case(
    case: StandardTestCase,
    *,
    actor: User,
    expected_version: int | None,
    title: str,
    test_type: str,
    preconditions: str,
    steps: Steps,
) -> StandardTestCase:
    """Change a library case (operators and up); copies made earlier keep their own text."""
    ensure_staff(actor)
    current = _locked_standard(case, expected_version)
    title, test_type, preconditions, cleaned = _standard_fields(
        title=title, test_type=test_type, preconditions=preconditions, steps=steps
    )
    current.title, current.test_type, current.preconditions, current.steps = (
        title,
        test_type,
        preconditions,
        cleaned,
    )
    current.version += 1
    current.updated_at = clock.now()
    current.save(update_fields=["title", "test_type", "preconditions", "steps", "version", "updated_at"])
    return current


@transaction.atomic
def set_standard_case_active(case: StandardTestCase, *, actor: User, active: bool) -> StandardTestCase:
    """Archive (no longer offered for copying) or restore a library case: coordinators and
    administrators only."""
    if not access.is_coordinator(actor):
        raise PermissionDenied(
            _("Only coordinators and administrators archive or restore standard test cases.")
        )
    current = _locked_standard(case, None)
    if current.active == active:
        return current
    current.active = active
    current.version += 1
    current.updated_at = clock.now()
    current.save(update_fields=["active", "version", "updated_at"])
    return current


@transaction.atomic
def copy_standard_cases(
    plan: TestPlan,
    *,
    actor: User,
    cases: Sequence[StandardTestCase],
    requirements: Sequence[Requirement] = (),
) -> list[TestCase]:
    """Copies of active library cases as new cases of the plan (each linked to `requirements`), in
    the order given, each once."""
    current = lock_plan(plan, actor)
    wanted = list(dict.fromkeys(c.pk for c in cases))
    if not wanted:
        raise _fail("cases", _("Choose at least one standard test case."))
    if len(wanted) > MAX_COPY:
        raise _fail("cases", _("Copy at most %(max)d standard test cases at once.") % {"max": MAX_COPY})
    found = {c.pk: c for c in StandardTestCase.objects.filter(pk__in=wanted, active=True)}
    if len(found) != len(wanted):
        raise _fail("cases", _("Choose active standard test cases."))
    linked = _requirements(current, requirements)
    _room(current, len(wanted))
    now = clock.now()
    numbers = _numbers(current, len(wanted))
    made = TestCase.objects.bulk_create(
        [
            TestCase(
                plan=current,
                number=number,
                title=found[pk].title,
                test_type=found[pk].test_type,
                preconditions=found[pk].preconditions,
                steps=found[pk].steps,
                standard_case=found[pk],
                created_at=now,
                updated_at=now,
            )
            for pk, number in zip(wanted, numbers, strict=True)
        ]
    )
    if any(c.pk is None for c in made):  # a database without RETURNING: read them back
        made = list(TestCase.objects.filter(plan=current, number__in=numbers).order_by("number"))
    if linked:
        through = TestCase.requirements.through
        through.objects.bulk_create(
            [through(testcase_id=c.pk, requirement_id=r.pk) for c in made for r in linked]
        )
    for case in made:
        record(
            current, actor, "case_added", field="cases", new=str(case)[:500], detail=_codes(linked), at=now
        )
    touch(current)
    return made
