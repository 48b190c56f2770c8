"""The demo's meldingen: planned first, then lived through on the timeline.

Planning is pure arithmetic in office time: each melding gets a registration moment in the last ten
weeks, a route (solved by the desk, escalated, or waiting for a supplier), and the moments of every
step up to its resolution and the caller's confirmation, from the SLA targets of its priority. Work
is mostly on time; a few meldingen run late, a few wait for the caller or a supplier, a few are
reopened. Before anything is written the plan is balanced so that, today, about one in ten open
meldingen is past its target.

Living through the plan, every step is a service call at its moment (`timeline.Timeline`): history,
SLA and OLA clocks, time registrations, notes and the search index come out as real work makes them.
Steps after now do not happen, which is what leaves recent work open.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from beheer.accounts.models import User
from beheer.cmdb.models import ConfigurationItem
from beheer.core import clock
from beheer.core.simulation import Process

from .. import services
from ..models import EntryType, Melding, Priority, Visibility
from . import families as text
from .families import FAMILIES, Case, Family
from .world import World

WINDOW_DAYS = 70  # meldingen are registered over the last ten weeks
LATE = 0.10  # resolved after the SLA's resolution target (escalated calls; urgent ones at the desk)
LATE_RESPONSE = 0.05  # picked up after the response target
OLA_LATE = 0.08  # escalated after the first line's two office hours
CALLER_WAIT = 0.12  # the operator needs an answer from the caller first
CONFIRM = 0.6  # the caller confirms the solution (the rest is closed after the reopen period)
RATE = 0.75  # share of confirmations that come with a rating
REOPEN = 0.03
ARTICLE_REFERENCE = 0.35  # a desk solution that points the caller to an article
OPEN_BREACHED = 0.10  # today, this share of the open meldingen is past its target
EVENING = 0.05
WEEKEND = 0.03


@dataclass
class Step:
    at: datetime
    action: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    family: Family
    case: Case
    brief: str
    request: str
    solution: str
    object_name: str
    registered: datetime
    entry_type: str
    caller: User
    operator: User  # the first-line operator who handles it
    impact: str
    urgency: str
    priority: Priority
    route: str
    draws: dict[str, float]  # the random numbers the schedule is computed from, drawn once
    late: bool = False
    overrun: float = 0.0  # late: the work takes this share of the target
    problem: str = ""  # the problem this melding belongs to
    role: str = (
        ""  # "linked": linked at pick-up and solved with the workaround; "awaits": solved by the problem
    )
    problem_resolved: datetime | None = None
    confirmable: bool = True
    fixed: bool = False  # a melding of a problem's story: not changed when balancing
    quick: bool = False  # solved by the operator while the caller is on the phone or at the desk
    steps: list[Step] = field(default_factory=list)
    due: datetime | None = None  # when the resolution target runs out, when before the resolution
    # when the worker's SLA sweep has something to escalate (at risk, breached, no response yet)
    alarms: list[datetime] = field(default_factory=list)
    resolved: datetime | None = None  # the (first) resolution

    def open_at(self, now: datetime) -> bool:
        return self.resolved is None or self.resolved > now

    def breached_at(self, now: datetime) -> bool:
        return self.open_at(now) and self.due is not None and self.due <= now


class _Walk:
    """A melding's resolution clock while planning: office minutes of work, and pauses."""

    def __init__(self, w: World, start: datetime, target: float) -> None:
        self.w, self.t, self.run, self.target = w, start, 0.0, target
        self.risk = target * w.lookups.at_risk
        self.due: datetime | None = None
        self.at_risk: datetime | None = None

    def work(self, minutes: float) -> datetime:
        minutes = max(minutes, 1.0)
        if self.at_risk is None and self.run + minutes >= self.risk:
            self.at_risk = self.w.hours.add(self.t, self.risk - self.run)
        if self.due is None and self.run + minutes >= self.target:
            self.due = self.w.hours.add(self.t, self.target - self.run)
        self.t = self.w.hours.add(self.t, minutes)
        self.run += minutes
        return self.t

    def pause_until(self, until: datetime) -> None:
        self.t = max(self.t, until)


# --------------------------------------------------------------------------------------------------
# planning


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values)


def _moment(w: World, rng: random.Random) -> tuple[datetime, bool]:
    """A registration moment in the window and whether it lies outside office hours."""
    today = w.hours.today()
    first = today - timedelta(days=WINDOW_DAYS)
    days = w.hours.working_days(first, today)
    weights = [1.25 if d.weekday() == 0 else 0.85 if d.weekday() == 4 else 1.0 for d in days]
    for _attempt in range(100):
        roll = rng.random()
        if roll < WEEKEND:  # a message on a Saturday or Sunday
            day = first + timedelta(days=rng.randrange(WINDOW_DAYS + 1))
            if w.hours.is_working_day(day):
                continue
            at, outside = w.hours.at(day, 10) + timedelta(minutes=rng.uniform(0, 600)), True
        elif roll < WEEKEND + EVENING:  # e-mail or the portal in the evening
            day = rng.choices(days, weights)[0]
            at, outside = w.hours.at(day, 18, 30) + timedelta(minutes=rng.uniform(0, 210)), True
        else:
            day = rng.choices(days, weights)[0]
            part = rng.random()
            offset = (
                rng.uniform(0, 150)
                if part < 0.5
                else rng.uniform(150, 300)
                if part < 0.8
                else rng.uniform(300, 525)
            )
            at, outside = w.hours.at(day, 8, 5) + timedelta(minutes=offset), False
        if at <= w.now - timedelta(minutes=15):
            return at.replace(microsecond=0), outside
    return w.hours.add(w.now - timedelta(days=3), 60), False


def fresh(w: World, rng: random.Random, count: int) -> list[Plan]:
    """What came in during the last hours (the portal and e-mail do not wait for office hours)."""
    result = []
    for i in range(count):
        registered = (w.now - timedelta(minutes=rng.uniform(20, 180) + 60 * i)).replace(microsecond=0)
        result.append(
            plan(w, rng, registered=registered, entry_type=[EntryType.PORTAL, EntryType.EMAIL][i % 2])
        )
    return result


def _values(w: World, rng: random.Random, caller: User) -> dict[str, str]:
    north = caller.branch_id == w.school.north.pk
    return {
        "room": rng.choice(text.NORTH_ROOMS if north else text.ROOMS),
        "klas": rng.choice(text.KLASSEN),
        "leerling": rng.choice(text.LEERLINGEN),
        "vak": rng.choice(text.VAKKEN),
        "naam": rng.choice(text.NIEUWE_COLLEGAS),
        "mailbox": rng.choice(text.MAILBOXES) + "baken.example",
    }


def _draws(rng: random.Random) -> dict[str, float]:
    names = (
        "response",
        "late_response",
        "escalate",
        "ola_late",
        "second_pickup",
        "work",
        "quick",
        "wait",
        "ask",
        "supplier_days",
        "partial_after",
        "confirm",
        "confirm_after",
        "rate",
        "rating",
        "comment",
        "reopen",
        "reopen_after",
        "rework",
        "article",
        "minutes",
        "note",
        "overrun",
    )
    return {name: rng.random() for name in names}


def plan(
    w: World,
    rng: random.Random,
    *,
    family: Family | None = None,
    case: Case | None = None,
    registered: datetime | None = None,
    caller: User | None = None,
    entry_type: str | None = None,
    route: str | None = None,
) -> Plan:
    """One melding's plan; the keyword arguments fix what a problem's story needs."""
    family = family or rng.choices(FAMILIES, [f.weight for f in FAMILIES])[0]
    case = case or rng.choice(family.cases)
    outside = False
    if registered is None:
        registered, outside = _moment(w, rng)
    if caller is None:
        # the Wi-Fi of the Dependance Noord has its own story (a problem); other calls come from anywhere
        pool = w.school.callers if family.key == "wifi" else w.school.callers + w.school.north_callers
        caller = w.school.demo_caller if rng.random() < 0.07 else rng.choice(pool)
    values = _values(w, rng, caller)
    if entry_type is None:
        if outside:
            entry_type = rng.choice([EntryType.EMAIL, EntryType.PORTAL])
        else:
            entry_type = rng.choices(
                [EntryType.PORTAL, EntryType.PHONE, EntryType.EMAIL, EntryType.DESK], [30, 30, 25, 15]
            )[0]
    impact, urgency = (
        case.priority
        or rng.choices(
            [(i, u) for i, u, _weight in family.priorities], [weight for _i, _u, weight in family.priorities]
        )[0]
    )
    priority = services.priority_for(w.lookups.impacts[impact], w.lookups.urgencies[urgency])
    p = Plan(
        family=family,
        case=case,
        brief=_fill(case.brief, values)[:80],
        request=_fill(case.request, values),
        solution=_fill(rng.choice(case.solutions), values),
        object_name=values["room"][0].upper() + values["room"][1:] if "{room}" in case.brief else "",
        registered=registered,
        entry_type=entry_type,
        caller=caller,
        operator=rng.choice(w.school.desk_operators),
        impact=impact,
        urgency=urgency,
        priority=priority,
        route=route or case.route,
        draws=_draws(rng),
    )
    # late: the work runs over the target. At the desk only an urgent call can: a desk that lets a
    # normal call lie for days is not what a demo should show.
    p.late = rng.random() < LATE and (p.route != "desk" or priority.level <= 2)
    p.overrun = 1.15 + 0.75 * p.draws["overrun"]
    return p


def _between(low: float, high: float, draw: float) -> float:
    return low + (high - low) * draw


def schedule(w: World, p: Plan) -> None:
    """The moments of every step of the plan, from its draws (deterministic: can be repeated)."""
    d = p.draws
    response_target, target = w.lookups.targets[p.priority.pk]
    walk = _Walk(w, p.registered, target)
    steps = [Step(p.registered, "open")]
    by_operator = p.entry_type in (EntryType.PHONE, EntryType.DESK)
    quick = p.quick = by_operator and p.route == "desk" and d["quick"] < 0.5 and not p.problem
    # picking it up: at once when the operator registered it, else within the hour (later: a late response)
    if by_operator:
        response = 1.0
    elif d["late_response"] < LATE_RESPONSE:
        response = response_target * _between(1.05, 1.3, d["response"])
    else:
        response = min(response_target * _between(0.05, 0.7, d["response"]), _between(5, 60, d["response"]))
    if response > response_target:
        p.alarms = [w.hours.add(p.registered, response_target)]
    else:
        p.alarms = []
    walk.work(response)
    steps.append(Step(walk.t, "pickup", {"reply": not quick and d["note"] < 0.6}))
    if p.role == "linked" or p.role == "awaits":
        walk.work(_between(3, 15, d["ask"]))
        steps.append(Step(walk.t, "link_problem"))
    elif d["wait"] < CALLER_WAIT and not quick:
        walk.work(_between(5, 30, d["ask"]))
        steps.append(Step(walk.t, "ask"))
        answered = walk.t + timedelta(hours=_between(2, 72, d["wait"] / CALLER_WAIT))
        walk.pause_until(answered)
        steps.append(Step(answered, "reply"))
    if p.role == "awaits":
        p.steps, p.due = steps, walk.due
        p.alarms += [t for t in (walk.at_risk, walk.due) if t is not None]
        p.resolved = p.problem_resolved
        if p.problem_resolved is not None and p.confirmable:
            _after_resolution(w, p, p.problem_resolved, late=False)
        return
    resolver = "desk"
    if quick:
        walk.work(_between(4, 15, d["work"]))
    elif p.role == "linked":
        walk.work(_between(10, 40, d["work"]))
    elif p.route == "desk":
        if p.late:
            walk.work(max(target * p.overrun - walk.run, 15))
        else:
            walk.work(max(min(_between(15, 110, d["work"]), target * 0.9) - walk.run, 5))
    else:
        resolver = "second"
        ola_late = d["ola_late"] < OLA_LATE and p.priority.level >= 3
        # the first line's OLA: solved or escalated within two office hours (a few take longer)
        escalate = (
            120
            - walk.run
            + (_between(15, 120, d["escalate"]) if ola_late else -_between(10, 100, d["escalate"]))
        )
        escalate = max(escalate, _between(5, 15, d["escalate"]))
        walk.work(escalate)
        steps.append(Step(walk.t, "escalate"))
        walk.work(_between(5, 60, d["second_pickup"]))
        steps.append(Step(walk.t, "second_pickup"))
        if p.route == "supplier" and p.family.supplier:
            walk.work(_between(15, 60, d["partial_after"]))
            steps.append(Step(walk.t, "partial"))
            delivered = w.hours.add(walk.t + timedelta(days=_between(1.5, 8, d["supplier_days"])), 30)
            walk.pause_until(delivered)
            steps.append(Step(delivered, "delivered"))
        work = target * (p.overrun if p.late else _between(0.35, 0.95, d["work"]))
        walk.work(max(work - walk.run, 30))
    steps.append(Step(walk.t, "resolve", {"by": resolver}))
    p.steps, p.due, p.resolved = steps, walk.due, walk.t
    p.alarms += [t for t in (walk.at_risk, walk.due) if t is not None and t < walk.t]
    _after_resolution(w, p, walk.t, late=p.late or walk.due is not None, walk=walk, resolver=resolver)


def _after_resolution(
    w: World, p: Plan, resolved: datetime, *, late: bool, walk: _Walk | None = None, resolver: str = "desk"
) -> None:
    """Reopening, and the caller's confirmation with a rating that fits how it went."""
    d = p.draws
    reopened = False
    if walk is not None and d["reopen"] < REOPEN and not p.problem:
        again = resolved + timedelta(hours=_between(3, 50, d["reopen_after"]))
        walk.pause_until(again)
        walk.work(_between(30, 180, d["rework"]))
        if walk.t < w.now - timedelta(days=1):
            p.steps.append(Step(again, "reopen"))
            p.steps.append(Step(walk.t, "resolve", {"by": resolver, "again": True}))
            resolved, reopened, late = walk.t, True, late or walk.due is not None
    if not p.confirmable or d["confirm"] >= CONFIRM:
        return  # no reaction: closed automatically after the reopen period
    confirmed = resolved + timedelta(hours=_between(0.3, 48, d["confirm_after"]))
    rating = None
    if d["rate"] < RATE:
        if reopened or late:
            rating = [1, 2, 2, 3, 3, 4][int(d["rating"] * 6)]
        else:
            rating = [5, 5, 5, 4, 4, 4, 3][int(d["rating"] * 7)]
    comment = ""
    if rating is not None:
        pool = text.COMMENTS[rating]
        comment = pool[int(d["comment"] * len(pool))]
    p.steps.append(Step(confirmed, "confirm", {"rating": rating, "comment": comment}))


def balance(w: World, plans: list[Plan]) -> None:
    """Today about one in ten open meldingen is past its target: not most of them, not none."""
    now = w.now
    for _round in range(len(plans)):
        open_plans = [p for p in plans if p.open_at(now)]
        breached = [p for p in open_plans if p.breached_at(now)]
        want = max(1, round(OPEN_BREACHED * len(open_plans)))
        if len(breached) > want:
            p = max((p for p in breached if not p.fixed), key=lambda p: p.registered, default=None)
            if p is None:
                return
            p.late = False
            schedule(w, p)
            if p.breached_at(now):  # even on time it would be late now: take its time earlier
                p.draws["work"] = 0.0
                p.draws["late_response"] = 1.0
                p.draws["ola_late"] = 1.0
                p.draws["supplier_days"] = 0.0
                schedule(w, p)
            if p.breached_at(now):
                p.fixed = True  # leave it
            continue
        if len(breached) < want:
            candidates = sorted(
                (
                    p
                    for p in plans
                    if not p.fixed and not p.late and p.route != "desk" and not p.breached_at(now)
                ),
                key=lambda p: p.registered,
                reverse=True,
            )
            for p in candidates:
                before = (p.late, p.overrun)
                for overrun in (1.3, 1.6, 2.0, 2.6, 3.3):
                    p.late, p.overrun = True, overrun
                    schedule(w, p)
                    if p.breached_at(now):
                        break
                else:
                    p.late, p.overrun = before
                    schedule(w, p)
                    continue
                break
            else:
                return
            continue
        return


# --------------------------------------------------------------------------------------------------
# living through a plan


def _minutes(p: Plan, low: int, high: int, key: str = "minutes") -> int:
    return int(5 * round(_between(low, high, p.draws[key]) / 5)) or 5


def _printer(p: Plan) -> ConfigurationItem | None:
    """The printer CI of the room a printer melding is about (PRN-2.03 in lokaal 2.03), if the
    CMDB's demo has one; other meldingen name no CI."""
    if p.family.key != "printer" or not p.object_name.lower().startswith("lokaal "):
        return None
    return ConfigurationItem.objects.filter(name=f"PRN-{p.object_name[7:]}").first()


def process(w: World, p: Plan) -> Process:
    """The melding's life: every step a service call at its moment."""
    school, lookups = w.school, w.lookups
    yield p.steps[0].at
    portal = p.entry_type == EntryType.PORTAL
    registrar = p.caller if portal else p.operator
    melding = services.open_melding(
        actor=registrar,
        brief_description=p.brief,
        request=p.request,
        entry_type=p.entry_type,
        call_type=lookups.call_types[p.case.call_type],
        caller=p.caller,
        category=None if portal else lookups.categories[p.family.category],
        subcategory=None if portal else lookups.categories[p.family.subcategory],
        object_name=p.object_name,
        ci=None if portal else _printer(p),  # a caller does not own the school's printers
        impact=lookups.impacts[p.impact],
        urgency=lookups.urgencies[p.urgency],
        operator_group=school.desk,
        operator=None if portal or p.entry_type == EntryType.EMAIL else p.operator,
    )
    if p.problem:
        w.problems.registered(p.problem, melding)
    handler = p.operator
    for step in p.steps[1:]:
        yield step.at
        m = Melding.objects.select_related("status").get(pk=melding.pk)
        if step.action == "pickup":
            if m.operator_id != handler.pk:
                m = services.assign_melding(
                    m, operator_group=school.desk, operator=handler, actor=handler, expected_version=m.version
                )
            if portal:  # the desk classifies what the caller sent
                m = services.reclassify_melding(
                    m,
                    actor=handler,
                    expected_version=m.version,
                    brief_description=m.brief_description,
                    request=m.request,
                    call_type=m.call_type,
                    category=lookups.categories[p.family.category],
                    subcategory=lookups.categories[p.family.subcategory],
                    object_name=m.object_name,
                    ci=_printer(p),
                    impact=lookups.impacts[p.impact],
                    urgency=lookups.urgencies[p.urgency],
                )
            m = services.change_status(
                m, status=lookups.statuses["in_progress"], actor=handler, expected_version=m.version
            )
            if step.data.get("reply"):
                reply = text.PICKUP_REPLIES[int(p.draws["note"] * len(text.PICKUP_REPLIES))]
                services.add_note(m, text=reply, visibility=Visibility.CALLER, actor=handler)
            if not p.quick:
                services.register_time(m, minutes=_minutes(p, 5, 15), actor=handler)
        elif step.action == "ask":
            question, _answer = text.QUESTIONS[int(p.draws["ask"] * len(text.QUESTIONS))]
            services.add_note(m, text=question, visibility=Visibility.CALLER, actor=handler)
            m = Melding.objects.get(pk=m.pk)
            services.change_status(
                m, status=lookups.statuses["waiting_caller"], actor=handler, expected_version=m.version
            )
        elif step.action == "reply":
            _question, answer = text.QUESTIONS[int(p.draws["ask"] * len(text.QUESTIONS))]
            services.add_note(m, text=answer, visibility=Visibility.CALLER, actor=p.caller)
        elif step.action == "link_problem":
            w.problems.link(p.problem, m, handler)
        elif step.action == "escalate":
            group = school.group(p.family.group)
            services.escalate_melding(
                m,
                to_group=group,
                operator=school.specialist_of(group),
                reason=p.family.escalation,
                actor=handler,
                expected_version=m.version,
            )
            handler = school.specialist_of(group)
        elif step.action == "second_pickup":
            note = text.SECOND_LINE_NOTES[int(p.draws["note"] * len(text.SECOND_LINE_NOTES))]
            services.add_note(m, text=note, visibility=Visibility.INTERNAL, actor=handler)
            services.register_time(m, minutes=_minutes(p, 15, 45), actor=handler)
        elif step.action == "partial":
            supplier = school.suppliers[p.family.supplier]
            services.create_partial(m, brief_description=p.family.partial, supplier=supplier, actor=handler)
            m = Melding.objects.get(pk=m.pk)
            services.change_status(
                m,
                status=lookups.statuses["waiting_supplier"],
                supplier=supplier,
                actor=handler,
                expected_version=m.version,
            )
            services.add_note(
                m,
                text=f"Gemeld bij {supplier.name}, referentie {supplier.name[:3].upper()}-{m.pk:05d}.",
                visibility=Visibility.INTERNAL,
                actor=handler,
            )
        elif step.action == "delivered":
            for partial in Melding.objects.filter(parent=m, is_open=True):
                services.resolve_melding(
                    partial,
                    solution=f"Afgehandeld door {p.family.supplier}; apparaat retour en getest.",
                    closure_code=lookups.closure_codes["solved"],
                    actor=handler,
                    expected_version=partial.version,
                )
            m = Melding.objects.get(pk=m.pk)
            services.change_status(
                m, status=lookups.statuses["in_progress"], actor=handler, expected_version=m.version
            )
        elif step.action == "resolve":
            _resolve(w, p, m, handler, again=bool(step.data.get("again")))
        elif step.action == "reopen":
            reason = text.REOPEN_REASONS[int(p.draws["reopen_after"] * len(text.REOPEN_REASONS))]
            services.reopen_melding(m, reason=reason, actor=p.caller)
        elif step.action == "confirm" and m.status.kind == "resolved":  # else: not solved after all
            services.confirm_resolution(
                m, actor=p.caller, rating=step.data["rating"], comment=step.data["comment"]
            )


def _resolve(w: World, p: Plan, m: Melding, handler: User, *, again: bool) -> None:
    lookups = w.lookups
    if p.quick and not again:
        minutes = max(5, int(5 * round(w.hours.between(m.created_at, clock.now()) / 5)))
        services.register_time(m, minutes=min(minutes, 120), actor=handler)
    else:
        services.register_time(
            m, minutes=_minutes(p, 10, 30) if p.route == "desk" else _minutes(p, 20, 90), actor=handler
        )
    problem = w.problems.known_error(p.problem) if p.role == "linked" else None
    article = None
    solution = p.solution
    workaround = False
    if problem is not None and problem.workaround:
        solution = f"Bekend probleem {problem.number}. Tijdelijke oplossing: {problem.workaround}"
        article = problem.known_error_article
        workaround = True
    elif again:
        solution = "Opnieuw bekeken en de oorzaak nu echt weggenomen. " + p.solution
    elif p.route == "desk" and p.family.article and p.draws["article"] < ARTICLE_REFERENCE:
        found = w.articles.get(p.family.article)
        if found is not None and found.status == "published":
            article = found
    services.resolve_melding(
        m,
        solution=solution,
        is_workaround=workaround,
        closure_code=lookups.closure_codes["workaround" if workaround else "solved"],
        article=article,
        actor=handler,
        expected_version=m.version,
    )
