"""`beheer demo`: load the demo school once, as ten weeks of real work up to today would have left it.

Each app tells its own part in its `demo.py` (the servicedesk its school and meldingen in
`servicedesk.demo`); this module sets the scene, starts every part on one timeline
(`core.simulation`) and runs it up to now, with the periodic jobs in between.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from beheer.accounts.models import User
from beheer.changes import demo as changes
from beheer.cmdb import demo as cmdb
from beheer.core import clock
from beheer.core.simulation import Process, Timeline
from beheer.knowledge import demo as knowledge
from beheer.knowledge.models import Article
from beheer.monitoring import demo as monitoring
from beheer.operations import demo as operations
from beheer.problems import demo as problems
from beheer.problems.models import Problem
from beheer.rights import demo as rights
from beheer.security import demo as security
from beheer.servicedesk import services
from beheer.servicedesk.demo import meldingen, organisation
from beheer.servicedesk.demo.meldingen import Plan
from beheer.servicedesk.demo.world import Lookups, World, office_hours
from beheer.servicedesk.models import Melding
from beheer.testing import demo as testing

SWEEPS = ((11, 55), (16, 55))  # besides the moments the plans know of
AUTO_CLOSE_HOUR = 6
FRESH = 2  # meldingen that came in during the last hours
CMDB_DAYS_AGO = 100  # when the administrator documented the school in the CMDB


@dataclass(frozen=True)
class Summary:
    loaded: bool
    meldingen: int = 0
    open: int = 0
    breached: int = 0
    articles: int = 0
    problems: int = 0
    failures: tuple[str, ...] = ()
    moved: tuple[str, ...] = ()


def is_loaded() -> bool:
    return User.objects.filter(username=organisation.OPERATOR_USERNAME).exists()


def worker(w: World, start: datetime, alarms: list[datetime]) -> Process:
    """The periodic jobs that shape the past. The SLA sweep runs every minute in real life; here it
    runs a minute after each moment a melding's clock gets at risk or runs out (known from the plans)
    and twice a day for anything else, so escalations are recorded when they happened. Resolved
    meldingen are closed after the reopen period every night."""
    moments: set[datetime] = set()
    for alarm in alarms:
        moments.add(alarm.replace(second=0, microsecond=0) + timedelta(minutes=1))
    day = start.date()
    today = w.hours.today()
    closing = []
    while day <= today:
        closing.append(w.hours.at(day, AUTO_CLOSE_HOUR))
        if w.hours.is_working_day(day):
            moments.update(w.hours.at(day, hour, minute) for hour, minute in SWEEPS)
        day += timedelta(days=1)
    jobs = sorted([(t, "sweep") for t in moments if t <= w.now] + [(t, "close") for t in closing])
    for at, job in jobs:
        yield at
        if job == "close":
            services.auto_close_resolved(now=clock.now())
        else:
            services.sweep_sla(now=clock.now())


def load(*, count: int, seed: int) -> Summary:
    """Load the demo unless it is there; a second run only re-points Beheer's checks of itself."""
    if is_loaded():
        return Summary(loaded=False, moved=tuple(monitoring.follow_site_url()))
    now = clock.now()
    rng = random.Random(seed)
    with transaction.atomic():  # all or nothing: an interrupted load leaves no half school
        school = organisation.create(rng)
        with clock.frozen(now - timedelta(days=CMDB_DAYS_AGO)):
            cmdb.create(
                administrator=school.administrator,
                coordinator=school.coordinator,
                systems=school.specialist,
                network=school.network_specialist,
                main=school.main,
                north=school.north,
                callers=school.callers,
                suppliers=school.suppliers,
                today=now.date(),
                rng=random.Random(seed + 1),  # its own draws: the meldingen's stay as they were
            )
        trouble = problems.Story()
        w = World(
            now=now,
            rng=rng,
            hours=office_hours(now),
            school=school,
            lookups=Lookups.load(school.categories),
            timeline=Timeline(now=now),
            problems=trouble,
        )
        story = problems.plans(w, rng, count) + meldingen.fresh(w, rng, min(FRESH, count))
        plans: list[Plan] = story + [meldingen.plan(w, rng) for _ in range(max(count - len(story), 0))]
        plans.sort(key=lambda p: p.registered)
        for p in plans:
            meldingen.schedule(w, p)
        meldingen.balance(w, plans)
        writers = knowledge.Writers(
            authors={
                "desk": school.desk_operators[0],
                "helper": school.desk_operators[1],
                "systems": school.specialist,
                "network": school.network_specialist,
                "coordinator": school.coordinator,
            },
            reviewer=school.coordinator,
            stand_in=school.specialist,
        )
        for process in knowledge.processes(writers, w.hours, w.articles):
            w.timeline.start(process)
        for process in problems.processes(w, trouble):
            w.timeline.start(process)
        for p in plans:
            w.timeline.start(meldingen.process(w, p))
        w.timeline.start(
            operations.process(
                coordinator=school.coordinator,
                desk=school.desk,
                systems=school.systems,
                operator=school.desk_operators[0],
                specialist=school.specialist,
                spawn=w.timeline.start,
            )
        )
        first = min([p.registered for p in plans], default=now) - timedelta(days=1)
        w.timeline.start(worker(w, first, [t for p in plans for t in p.alarms]))
        w.timeline.run()
        while services.refresh_stale_olas(now=now):  # what the worker computes on its first round
            pass
        monitoring.create(school)
        rights.create(
            administrator=school.administrator,
            coordinator=school.coordinator,
            desk=school.desk_operators[0],
            callers=school.callers,
            now=now,
        )
        made = changes.create(
            coordinator=school.coordinator,
            network_specialist=school.network_specialist,
            specialist=school.specialist,
            network=school.network,
            systems=school.systems,
            client=school.demo_caller,
            new_employee=school.callers[0],
            now=now,
        )
        testing.create(
            made=made,
            coordinator=school.coordinator,
            tester=school.network_specialist,
            client=school.demo_caller,
            users=[c for c in school.callers if c.pk != school.demo_caller.pk][1:4],
            now=now,
        )
        security.create(
            administrator=school.administrator,
            coordinator=school.coordinator,
            specialist=school.specialist,
            desk=school.desk_operators[0],
            callers=list(school.callers),
            now=now,
        )
    open_meldingen = Melding.objects.filter(is_open=True, parent=None)
    return Summary(
        loaded=True,
        meldingen=Melding.objects.count(),
        open=open_meldingen.count(),
        breached=sum(1 for m in open_meldingen if m.sla_state(now) == "breached"),
        articles=Article.objects.filter(status="published").count(),
        problems=Problem.objects.count(),
        failures=tuple(w.timeline.failures),
    )
