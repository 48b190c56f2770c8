"""What the demo's processes share: the school, the clock, the lookups and what was made so far."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from beheer.accounts.models import User
from beheer.calendars.demo import WorkingTime, office_calendar
from beheer.core.simulation import Timeline
from beheer.knowledge.models import Article

from ..models import (
    CallType,
    Category,
    ClosureCode,
    Impact,
    Melding,
    Priority,
    SlaPolicy,
    SlaTarget,
    Status,
    Urgency,
)
from .organisation import School


def office_hours(now: datetime) -> WorkingTime:
    """Office hours by the calendar of the first active SLA policy (what the SLA clock will count in)."""
    policy = SlaPolicy.objects.active().select_related("calendar").order_by("order", "name", "pk").first()
    return WorkingTime(now=now, calendar=office_calendar(policy.calendar if policy else None, now=now))


class KnownError(Protocol):
    """A problem as the meldingen it is linked to see it."""

    @property
    def number(self) -> str: ...

    @property
    def workaround(self) -> str: ...

    @property
    def known_error_article(self) -> Article | None: ...


class ProblemStory(Protocol):
    """What the meldingen's stories ask of the problems' story (told by a higher app's demo): note a
    melding registered for a problem's trouble (linked when the problem is registered), link one to
    the problem behind it, and that problem's workaround once it has one."""

    def registered(self, key: str, melding: Melding) -> None: ...

    def link(self, key: str, melding: Melding, actor: User) -> None: ...

    def known_error(self, key: str) -> KnownError | None: ...


class NoProblems:
    """The story without problems: nothing to link, no workarounds."""

    def registered(self, key: str, melding: Melding) -> None:
        return None

    def link(self, key: str, melding: Melding, actor: User) -> None:
        return None

    def known_error(self, key: str) -> KnownError | None:
        return None


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
    problems: ProblemStory = field(default_factory=NoProblems)
