"""What the testing services share: the plan of a change, its lock, its trail and its numbers."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from beheer.accounts.models import User
from beheer.changes.models import Change, ChangeStatus
from beheer.core import access, checks, clock, history
from beheer.core.errors import NotFound, PermissionDenied, ReadOnly

from ..models import TestingHistoryEntry, TestPlan

TITLE_MAX = 200
TEXT_MAX = 20_000
NUMBER_COUNTERS = ("case_counter", "run_counter", "finding_counter")


def ensure_staff(actor: Any) -> None:
    if not access.is_staff(actor):
        raise PermissionDenied(_("Only operators may do this."))


def ensure_change_open(change: Change) -> None:
    if change.status != ChangeStatus.OPEN:
        raise ReadOnly(
            _("Change %(number)s is closed and can no longer be changed.") % {"number": change.number}
        )


def plan_of(change: Change, *, actor: User) -> TestPlan:
    """The test plan of `change`, created (empty) the first time anyone needs it. Staff only."""
    ensure_staff(actor)
    if not Change.objects.visible_to(actor).filter(pk=change.pk).exists():
        raise NotFound(_("Change not found."))
    found = TestPlan.objects.visible_to(actor).filter(change_id=change.pk).select_related("change").first()
    if found is not None:
        return found
    now = clock.now()
    try:
        with transaction.atomic():
            plan = TestPlan.objects.create(change=change, created_by=actor, created_at=now, updated_at=now)
            record(plan, actor, "created")
    except IntegrityError:  # somebody else created it at the same moment
        plan = TestPlan.objects.select_related("change").get(change_id=change.pk)
    return plan


def lock_plan(
    plan: TestPlan, actor: User, expected_version: int | None = None, *, closed_ok: bool = False
) -> TestPlan:
    """The plan re-read under its row lock, visible to `actor`, at the version they read; the plan
    of a closed or cancelled change is read-only."""
    ensure_staff(actor)
    current = checks.locked_at(
        TestPlan.objects.visible_to(actor).select_related("change"),
        plan.pk,
        expected_version,
        missing=_("Test plan not found."),
        changed=_("Somebody else changed this test plan in the meantime. Reload it and try again."),
    )
    if not closed_ok:
        ensure_change_open(current.change)
    return current


def next_number(plan: TestPlan, counter: str) -> int:
    """The next number of `counter` (cases, runs, findings) of a plan; never handed out twice, also
    not after a delete. Call inside the transaction that uses it."""
    if counter not in NUMBER_COUNTERS:
        raise ValueError(counter)
    TestPlan.objects.filter(pk=plan.pk).update(**{counter: F(counter) + 1})
    value = TestPlan.objects.filter(pk=plan.pk).values_list(counter, flat=True).get()
    setattr(plan, counter, value)
    return int(value)


def touch(plan: TestPlan) -> None:
    """Raise the plan's version: anything in it changed."""
    TestPlan.objects.filter(pk=plan.pk).update(version=F("version") + 1, updated_at=clock.now())
    plan.refresh_from_db(fields=["version", "updated_at"])


def record(plan: TestPlan, actor: User | None, action: str, **kwargs: Any) -> None:
    history.record(TestingHistoryEntry, plan, actor=actor, action=action, **kwargs)


def text(value: str, *, field: str, label: str, required: bool = False, max_length: int = TEXT_MAX) -> str:
    return checks.checked_text(value, field=field, label=label, required=required, max_length=max_length)
