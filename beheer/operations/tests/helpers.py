"""Helpers for the operations tests."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from beheer.accounts.models import User
from beheer.operations import services
from beheer.operations.models import ActivityKind, ActivitySeries, Occurrence


def make_series(actor: User, **kwargs: Any) -> ActivitySeries:
    values: dict[str, Any] = {
        "name": "Back-upcontrole",
        "kind": ActivityKind.BACKUP_CHECK,
        "rule": "FREQ=WEEKLY;BYDAY=MO",
        "start_date": date(2026, 1, 5),
        "start_time": time(9, 0),
        "time_zone": "Europe/Amsterdam",
        "checklist": ["Logboek bekijken", "Steekproef terugzetten"],
        "linked_objects": ["fs01", "nas02"],
        "lead_days": 30,
        "grace_hours": 24,
    }
    values.update(kwargs)
    return services.create_series(actor=actor, **values)


def first_open(series: ActivitySeries) -> Occurrence:
    occurrence = Occurrence.objects.filter(series=series, status="open").order_by("planned_at").first()
    assert occurrence is not None
    return occurrence
