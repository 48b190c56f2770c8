"""What follows when a change's plan, window, CIs or approval change: the plan's version goes up
after an approval (so the approval is outdated), and the monitoring maintenance window of an
approved change follows its planned window and CIs. Called by the services that make those changes,
on a change they have locked."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from beheer.accounts.models import User
from beheer.monitoring import services as monitoring

from .. import workflow
from ..models import Change, ChangeAction, ChangeCi, ChangePlan, ChangeStatus, PlanApproval
from ._base import record


def plan_row(change: Change) -> ChangePlan:
    """The change's plan row, created on first use, under its lock (the change is locked already)."""
    plan, _created = ChangePlan.objects.select_for_update().get_or_create(change_id=change.pk)
    return plan


def plan_changed(change: Change) -> ChangePlan:
    """The activities or dates of `change`'s plan changed: when the current version was approved,
    the plan gets a new version (the approval shows as outdated)."""
    plan = plan_row(change)
    if PlanApproval.objects.filter(change_id=change.pk, plan_version=plan.version).exists():
        plan.version += 1
        plan.save(update_fields=["version"])
    return plan


def wants_window(change: Change) -> bool:
    return bool(
        change.status == ChangeStatus.OPEN
        and change.approval_status == workflow.GRANTED
        and change.planned_start
        and change.planned_end
        and change.planned_end > change.planned_start
    )


def window_name(change: Change) -> str:
    return f"{change.number} {change.title}"


def sync_maintenance_window(change: Change, *, actor: User | None) -> None:
    """Keep the maintenance window of `change` (locked) in step: an open, approved change with a
    planned window and CIs has one covering the checks of its CIs for that window; otherwise none."""
    wanted = wants_window(change)
    ci_ids = (
        list(ChangeCi.objects.filter(change_id=change.pk).values_list("ci_id", flat=True)) if wanted else []
    )
    if (
        not (wanted and ci_ids)
        and not ChangePlan.objects.filter(change_id=change.pk, maintenance_window__isnull=False).exists()
    ):
        return
    plan = plan_row(change)
    if wanted and ci_ids:
        assert change.planned_start is not None
        assert change.planned_end is not None
        window, changed = monitoring.keep_managed_window(
            plan.maintenance_window,
            actor=actor,
            name=window_name(change),
            start=change.planned_start,
            end=change.planned_end,
            ci_ids=ci_ids,
        )
        if plan.maintenance_window_id != window.pk:
            plan.maintenance_window = window
            plan.save(update_fields=["maintenance_window"])
        if changed:
            record(
                change,
                actor,
                ChangeAction.MAINTENANCE_WINDOW,
                field="maintenance_window",
                new=f"{_local(change.planned_start)} – {_local(change.planned_end)}",
            )
        return
    if plan.maintenance_window_id is not None:
        old = plan.maintenance_window
        plan.maintenance_window = None
        plan.save(update_fields=["maintenance_window"])
        if old is not None and monitoring.drop_managed_window(old, actor=actor):
            record(change, actor, ChangeAction.MAINTENANCE_WINDOW, field="maintenance_window", old=old.name)


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
