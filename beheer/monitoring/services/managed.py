"""Maintenance windows that another part of Beheer keeps in step with its own record: a change's
implementation window covers the checks of the change's configuration items while it is approved.

The calling service has checked its own permissions (an approver who decides may not be staff); these
functions do not check the actor again, but record them in the window's history like any change.
A managed window is a one-off (no recurrence) in the installation's time zone, covering exactly the
checks linked to the given configuration items.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import history
from beheer.core.timezones import installation_time_zone

from ..models import MaintenanceWindow, WindowAction
from .windows import HISTORY_FIELDS, MAX_DURATION_MINUTES, NAME_MAX, _changed, _ci_names, _record


def _minutes(start: datetime, end: datetime) -> int:
    return max(1, min(MAX_DURATION_MINUTES, math.ceil((end - start).total_seconds() / 60)))


@transaction.atomic
def keep_managed_window(
    window: MaintenanceWindow | None,
    *,
    actor: User | None,
    name: str,
    start: datetime,
    end: datetime,
    ci_ids: Sequence[int],
) -> tuple[MaintenanceWindow, bool]:
    """Create `window` (None) or bring it in line with `start`..`end` over `ci_ids`; returns the
    window and whether anything changed. A window deleted meanwhile is created anew."""
    current = (
        MaintenanceWindow.objects.select_for_update().filter(pk=window.pk).first()
        if window is not None
        else None
    )
    cis = list(ConfigurationItem.objects.filter(pk__in=sorted(set(ci_ids))).only("pk", "name"))
    values = {
        "name": name.strip()[:NAME_MAX],
        "start": start,
        "duration_minutes": _minutes(start, end),
        "time_zone": installation_time_zone(),
        "rule": "",
        "tags": "",
        "hosts": "",
        "include_dependants": False,
        "active": True,
    }
    if current is None:
        current = MaintenanceWindow(**values)
        current.save()
        current.cis.set(cis)
        _record(current, actor=actor, action=WindowAction.CREATED)  # type: ignore[arg-type]
        _changed()
        return current, True
    had = list(current.cis.only("pk", "name"))
    before = history.snapshot(current, HISTORY_FIELDS, extra={"cis": _ci_names(had)})
    for key, value in values.items():
        setattr(current, key, value)
    changes = history.changes_since(before, current, extra={"cis": _ci_names(cis)})
    if not changes:
        return current, False
    current.version += 1
    current.save()
    current.cis.set(cis)
    current.checks.clear()
    _record(current, actor=actor, action=WindowAction.CHANGED, changes=changes)  # type: ignore[arg-type]
    _changed()
    return current, True


@transaction.atomic
def drop_managed_window(window: MaintenanceWindow, *, actor: User | None) -> bool:
    """Remove a managed window (its change was cancelled or is no longer approved); False when it
    was gone already. Results recorded during it stay flagged as in maintenance."""
    current = MaintenanceWindow.objects.select_for_update().filter(pk=window.pk).first()
    if current is None:
        return False
    _record(current, actor=actor, action=WindowAction.DELETED)  # type: ignore[arg-type]
    MaintenanceWindow.objects.filter(pk=current.pk).delete()
    _changed()
    return True
