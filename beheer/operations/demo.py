"""Demo data for preventive activities, a process on the timeline of the `load_demo` command."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock
from beheer.servicedesk import services as servicedesk
from beheer.servicedesk.models import ClosureCode, Melding, StatusKind

from . import services
from .models import ActivityKind, Occurrence

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
        "objects": ["fs01", "nas-backup01"],
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
        "objects": ["fs01"],
        "group": "second",
        "grace_hours": 72,
    },
    {
        "name": "Maandelijkse patchronde servers",
        "kind": ActivityKind.PATCH_ROUND,
        "rule": "FREQ=MONTHLY;BYDAY=2WE",
        "start_time": time(19, 0),
        "checklist": ["Updates goedkeuren in WSUS", "Servers herstarten", "Diensten controleren"],
        "objects": ["dc01", "fs01", "app01"],
        "group": "second",
    },
    {
        "name": "UPS-test serverruimte",
        "kind": ActivityKind.UPS_TEST,
        "rule": "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
        "start_time": time(7, 30),
        "checklist": ["Zelftest starten", "Accuduur noteren", "Logboek bijwerken"],
        "objects": ["ups-serverruimte"],
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
        "objects": ["Active Directory", "Magister"],
        "group": "coordinator",
        "lead_days": 366,
        "grace_hours": 24 * 14,
    },
]


Process = Generator[datetime, None, None]
ANOMALY_SOLUTION = (
    "Oude back-upsets van het back-updoel verwijderd en de back-uptaak opnieuw gestart; "
    "de back-up is geslaagd."
)


def process(
    *,
    coordinator: User,
    desk: OperatorGroup,
    systems: OperatorGroup,
    operator: User,
    specialist: User,
    spawn: Callable[[Process], None],
) -> Process:
    """Five series started two months ago. The worker creates their occurrences ahead, day by day;
    people do the past ones when they are planned: mostly done, one skipped, one with an anomaly
    (whose melding the desk solves). The last few days' are still open.

    A process for the demo's timeline (`beheer.core.simulation`): it yields the moments it acts at and
    `spawn` starts the work on each occurrence as a process of its own."""
    now = clock.now()  # the demo's today: the timeline starts processes before it freezes the clock
    past = now - timedelta(days=60)
    groups = {"first": desk, "second": systems, "coordinator": systems}
    yield past
    created = []
    for spec in DEMO_SERIES:
        values = {k: v for k, v in spec.items() if k not in ("group", "objects")}
        # the CIs the CMDB's demo created first (`cmdb/demo.py`), found by their names
        cis = services.cis_by_names(spec["objects"], actor=coordinator)
        created.append(
            services.create_series(
                actor=coordinator,
                start_date=date(past.year, 1, 1),
                operator_group=groups[spec["group"]],
                assignee=coordinator if spec["group"] == "coordinator" else None,
                description="",
                cis=cis,
                **values,
            )
        )
    seen: set[int] = set()
    counter = iter(range(10_000))
    moment = past
    while True:
        services.generate_occurrences(now=moment)  # the worker's job, here once a day
        new = (
            Occurrence.objects.filter(series__in=created)
            .exclude(pk__in=seen)
            .select_related("series")
            .order_by("planned_at", "pk")
        )
        for o in new:
            seen.add(o.pk)
            if o.planned_at < now - timedelta(days=3):
                spawn(_work(o, counter, desk=desk, operator=operator, specialist=specialist))
        if moment >= now:
            return
        moment = min(moment + timedelta(days=1), now)
        yield moment


def _work(
    o: Occurrence, counter: Iterator[int], *, desk: OperatorGroup, operator: User, specialist: User
) -> Process:
    """One occurrence, done two hours after it was planned; the n-th in time order decides how."""
    yield o.planned_at + timedelta(hours=2)
    i = next(counter)
    actor = operator if o.series.operator_group_id == desk.pk else specialist
    o = Occurrence.objects.get(pk=o.pk)
    if i == 1:
        services.skip_occurrence(
            o, reason="Studiedag: server niet bereikbaar.", actor=actor, expected_version=o.version
        )
        return
    if i != 3:
        services.complete_occurrence(
            o,
            actor=actor,
            expected_version=o.version,
            results=[services.ChecklistAnswer(True)] * len(o.checklist_results),
            minutes=15,
        )
        return
    o = services.report_anomaly(
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
    if o.melding_id is None:
        return
    # the desk picks the anomaly's melding up and solves it the same day
    yield clock.now() + timedelta(minutes=20)
    m = Melding.objects.get(pk=o.melding_id)
    m = servicedesk.assign_melding(
        m, operator_group=m.operator_group, operator=actor, actor=actor, expected_version=m.version
    )
    m = servicedesk.change_status(
        m, status=servicedesk.default_status(StatusKind.OPEN), actor=actor, expected_version=m.version
    )
    yield clock.now() + timedelta(hours=2)
    m = Melding.objects.get(pk=m.pk)
    servicedesk.register_time(m, minutes=45, actor=actor)
    servicedesk.resolve_melding(
        m,
        solution=ANOMALY_SOLUTION,
        closure_code=ClosureCode.objects.filter(code="solved").first(),
        actor=actor,
        expected_version=m.version,
    )
