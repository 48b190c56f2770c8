"""What the demo's processes share: the school, the clock, the lookups and what was made so far."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from beheer.knowledge.models import Article
from beheer.problems.models import Problem
from beheer.servicedesk.models import (
    CallType,
    Category,
    ClosureCode,
    Impact,
    Priority,
    SlaTarget,
    Status,
    Urgency,
)

from .hours import WorkingTime
from .organisation import School
from .timeline import Timeline


@dataclass
class Lookups:
    statuses: dict[str, Status]
    closure_codes: dict[str, ClosureCode]
    impacts: dict[str, Impact]
    urgencies: dict[str, Urgency]
    call_types: dict[str, CallType]
    categories: dict[str, Category]
    # priority id -> (response minutes, resolution minutes) of the SLA the meldingen fall under
    targets: dict[int, tuple[float, float]]
    at_risk: float  # the share of the resolution time after which a melding is at risk

    @classmethod
    def load(cls, categories: dict[str, Category]) -> Lookups:
        targets: dict[int, tuple[float, float]] = {}
        at_risk = 0.75
        for t in (
            SlaTarget.objects.filter(policy__active=True)
            .select_related("policy")
            .order_by("-policy__order", "-policy_id")
        ):
            targets[t.priority_id] = (float(t.response_minutes or 60), float(t.resolution_minutes))
            at_risk = t.policy.at_risk_percent / 100
        for p in Priority.objects.all():
            targets.setdefault(p.pk, (60.0, float(p.resolution_minutes)))
        return cls(
            statuses={s.code: s for s in Status.objects.all()},
            closure_codes={c.code: c for c in ClosureCode.objects.all()},
            impacts={i.code: i for i in Impact.objects.all()},
            urgencies={u.code: u for u in Urgency.objects.all()},
            call_types={c.code: c for c in CallType.objects.all()},
            categories=categories,
            targets=targets,
            at_risk=at_risk,
        )


@dataclass
class World:
    now: datetime
    rng: random.Random
    hours: WorkingTime
    school: School
    lookups: Lookups
    timeline: Timeline
    articles: dict[str, Article] = field(default_factory=dict)
    problems: dict[str, Problem] = field(default_factory=dict)
    # the meldingen registered for each problem's trouble, linked when the problem is registered
    problem_meldingen: dict[str, list[int]] = field(default_factory=dict)
