"""Demo data for preventive activities, called by the servicedesk's `load_demo` command."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock

from . import services
from .models import ActivityKind, Occurrence, OccurrenceStatus

DEMO_SERIES: list[dict[str, Any]] = [
    {
        "name": "Wekelijkse back-upcontrole",
        "kind": ActivityKind.BACKUP_CHECK,
        "rule": "FREQ=WEEKLY;BYDAY=MO",
        "start_time": time(9, 0),
        "checklist": [
            "Back-uplogboek van het weekend bekijken",
            "Mislukte of gewaarschuwde taken opvolgen",
            "Vrije ruimte op het back-updoel controleren",
        ],
        "linked_objects": ["fs01", "nas-backup01"],
        "group": "first",
    },
    {
        "name": "Maandelijkse hersteltest",
        "kind": ActivityKind.RESTORE_TEST,
        "rule": "FREQ=MONTHLY;BYDAY=1TU",
        "start_time": time(10, 0),
        "checklist": [
            "Willekeurige map terugzetten naar een testlocatie",
            "Bestanden openen en vergelijken",
            "Schermafdruk als bewijs toevoegen",
        ],
        "linked_objects": ["fs01"],
        "group": "second",
        "grace_hours": 72,
    },
    {
        "name": "Maandelijkse patchronde servers",
        "kind": ActivityKind.PATCH_ROUND,
        "rule": "FREQ=MONTHLY;BYDAY=2WE",
        "start_time": time(19, 0),
        "checklist": ["Updates goedkeuren in WSUS", "Servers herstarten", "Diensten controleren"],
        "linked_objects": ["dc01", "fs01", "app01"],
        "group": "second",
    },
    {
        "name": "UPS-test serverruimte",
        "kind": ActivityKind.UPS_TEST,
        "rule": "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
        "start_time": time(7, 30),
        "checklist": ["Zelftest starten", "Accuduur noteren", "Logboek bijwerken"],
        "linked_objects": ["ups-serverruimte"],
        "group": "second",
        "lead_days": 100,
        "grace_hours": 168,
    },
    {
        "name": "Jaarlijkse review toegangsrechten",
        "kind": ActivityKind.ACCESS_REVIEW,
        "rule": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15",
        "start_time": time(9, 0),
        "checklist": [
            "Lijst van accounts per afdeling opvragen",
            "Vertrokken medewerkers blokkeren",
            "Beheerrechten laten bevestigen door de directie",
        ],
        "linked_objects": ["Active Directory", "Magister"],
        "group": "coordinator",
        "lead_days": 366,
        "grace_hours": 24 * 14,
    },
]


def load(
    *, coordinator: User, desk: OperatorGroup, systems: OperatorGroup, operator: User, specialist: User
) -> None:
    """Five series started two months ago, with past occurrences done, skipped and one anomaly."""
    now = clock.now()
    past = now - timedelta(days=60)
    groups = {"first": desk, "second": systems, "coordinator": systems}
    created = []
    with clock.frozen(past):
        for spec in DEMO_SERIES:
            values = {k: v for k, v in spec.items() if k != "group"}
            created.append(
                services.create_series(
                    actor=coordinator,
                    start_date=date(past.year, 1, 1),
                    operator_group=groups[spec["group"]],
                    assignee=coordinator if spec["group"] == "coordinator" else None,
                    description="",
                    **values,
                )
            )
    # the worker would have created these over the past weeks
    moment = past
    while moment < now:
        moment = min(moment + timedelta(days=25), now)
        services.generate_occurrences(now=moment)
    # work done on the past ones: mostly done, one skipped, one with an anomaly, the latest left open
    past_open = list(
        Occurrence.objects.filter(
            series__in=created, status=OccurrenceStatus.OPEN, planned_at__lt=now - timedelta(days=3)
        )
        .select_related("series")
        .order_by("planned_at")
    )
    for i, o in enumerate(past_open):
        actor = operator if o.series.operator_group_id == desk.pk else specialist
        when: datetime = o.planned_at + timedelta(hours=2)
        with clock.frozen(when):
            if i == 1:
                services.skip_occurrence(
                    o, reason="Studiedag: server niet bereikbaar.", actor=actor, expected_version=o.version
                )
            elif i == 3:
                services.report_anomaly(
                    o,
                    reason="Taak van zaterdag mislukt: doelschijf vol.",
                    actor=actor,
                    expected_version=o.version,
                    results=[
                        services.ChecklistAnswer(True),
                        services.ChecklistAnswer(False, "fout 0x80070070"),
                        services.ChecklistAnswer(False),
                    ],
                    minutes=20,
                )
            elif i < len(past_open) - 1:
                services.complete_occurrence(
                    o,
                    actor=actor,
                    expected_version=o.version,
                    results=[services.ChecklistAnswer(True)] * len(o.checklist_results),
                    minutes=15,
                )
