"""Helpers for the operations tests."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from beheer.accounts.models import User
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import CiType, ConfigurationItem
from beheer.operations import services
from beheer.operations.models import ActivityKind, ActivitySeries, Occurrence


def ci_named(actor: User, name: str, **kwargs: Any) -> ConfigurationItem:
    """The CI of this name, created as a server (through the CMDB's services) when there is none."""
    found = ConfigurationItem.objects.filter(name=name).first()
    if found is not None:
        return found
    server = CiType.objects.get(code="server")
    return cmdb.create_item(actor=actor, data=cmdb.ItemData(name=name, ci_type=server, **kwargs))


def make_series(actor: User, **kwargs: Any) -> ActivitySeries:
    if "cis" not in kwargs:
        kwargs["cis"] = [ci_named(actor, "fs01"), ci_named(actor, "nas02")]
    values: dict[str, Any] = {
        "name": "Back-upcontrole",
        "kind": ActivityKind.BACKUP_CHECK,
        "rule": "FREQ=WEEKLY;BYDAY=MO",
        "start_date": date(2026, 1, 5),
        "start_time": time(9, 0),
        "time_zone": "Europe/Amsterdam",
        "checklist": ["Logboek bekijken", "Steekproef terugzetten"],
        "lead_days": 30,
        "grace_hours": 24,
    }
    values.update(kwargs)
    return services.create_series(actor=actor, **values)


def first_open(series: ActivitySeries) -> Occurrence:
    occurrence = Occurrence.objects.filter(series=series, status="open").order_by("planned_at").first()
    assert occurrence is not None
    return occurrence


def series_fields(series: ActivitySeries, **changes: Any) -> dict[str, Any]:
    """Every field `update_series` takes, as the series has them now, with `changes` applied."""
    values: dict[str, Any] = {
        "name": series.name,
        "kind": series.kind,
        "rule": series.rule,
        "start_date": series.start_date,
        "start_time": series.start_time,
        "time_zone": series.time_zone,
        "description": series.description,
        "checklist": series.checklist,
        "lead_days": series.lead_days,
        "grace_hours": series.grace_hours,
        "remind_hours": series.remind_hours,
        "operator_group": series.operator_group,
        "assignee": series.assignee,
        "cis": list(series.cis.all()),
    }
    values.update(changes)
    return values
