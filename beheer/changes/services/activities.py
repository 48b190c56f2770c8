"""The activities of a change: add one, mark it done, note a deviation."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from beheer.accounts.models import OperatorGroup, User
from beheer.core import access, checks, clock
from beheer.core.errors import DomainError, NotFound

from ..models import Change, ChangeAction, ChangeActivity
from ._base import lock_change, record, save
from .execution import apply_cmdb_updates
from .plan_state import plan_changed

MAX_ESTIMATE = 60 * 24 * 365


@transaction.atomic
def add_activity(
    change: Change,
    *,
    actor: User,
    title: str,
    assignee: User | None = None,
    operator_group: OperatorGroup | None = None,
    estimate_minutes: int = 0,
    planned_start: datetime | None = None,
    planned_end: datetime | None = None,
) -> ChangeActivity:
    access.ensure_staff(actor)
    current = lock_change(change, actor, None)
    title = checks.checked_text(title, field="title", label=_("Title"), required=True, max_length=200)
    if not 0 <= estimate_minutes <= MAX_ESTIMATE:
        raise DomainError(
            _("Enter an estimate of at most a year."), field_errors={"estimate_minutes": _("Out of range.")}
        )
    if assignee is not None and not assignee.is_staff_member:
        raise DomainError(
            _("The assignee must be an operator."), field_errors={"assignee": _("Not an operator.")}
        )
    if planned_start and planned_end and planned_end <= planned_start:
        raise DomainError(
            _("The end must be after the start."), field_errors={"planned_end": _("Before the start.")}
        )
    last = (
        ChangeActivity.objects.filter(change=current)
        .order_by("-order")
        .values_list("order", flat=True)
        .first()
    )
    activity = ChangeActivity.objects.create(
        change=current,
        title=title,
        assignee=assignee,
        operator_group=operator_group,
        estimate_minutes=estimate_minutes,
        planned_start=planned_start,
        planned_end=planned_end,
        order=(last or 0) + 10,
    )
    record(current, actor, ChangeAction.ACTIVITY_ADDED, field="activity", new=title)
    plan_changed(current)
    save(current, ())
    return activity


def _lock_activity(activity: ChangeActivity, actor: User) -> tuple[Change, ChangeActivity]:
    access.ensure_staff(actor)
    current = lock_change(activity.change, actor, None)
    found = checks.locked(ChangeActivity.objects.filter(change=current), activity.pk)
    if found is None:
        raise NotFound(_("Activity not found."))
    return current, found


@transaction.atomic
def complete_activity(activity: ChangeActivity, *, actor: User) -> ChangeActivity:
    current, found = _lock_activity(activity, actor)
    if found.done_at is not None:
        return found
    found.done_at = clock.now()
    found.done_by = actor
    found.save(update_fields=["done_at", "done_by"])
    record(current, actor, ChangeAction.ACTIVITY_DONE, field="activity", new=found.title)
    apply_cmdb_updates(current, found, actor=actor)
    save(current, ())
    return found


@transaction.atomic
def note_deviation(activity: ChangeActivity, *, actor: User, deviation: str) -> ChangeActivity:
    current, found = _lock_activity(activity, actor)
    text = checks.checked_text(
        deviation, field="deviation", label=_("Deviation"), required=True, max_length=4000
    )
    found.deviation = text
    found.save(update_fields=["deviation"])
    record(current, actor, ChangeAction.DEVIATION, field="activity", new=found.title, detail=text)
    save(current, ())
    return found
