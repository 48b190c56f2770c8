"""Three problems with their meldingen, told through the problem services.

- Wi-Fi in the Dependance Noord drops since a firmware update: a known error with a workaround and a
  known-error article; the meldingen are linked and solved with the workaround.
- Signing in to Magister through Entree failed for everybody one morning: found, resolved (which
  resolves the linked meldingen) and closed.
- Printers on the second floor go offline every day: registered a few days ago, being analysed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from beheer.accounts.models import User
from beheer.core.simulation import Process
from beheer.knowledge import services as knowledge
from beheer.servicedesk.demo.families import FAMILY, Case
from beheer.servicedesk.demo.meldingen import Plan, plan
from beheer.servicedesk.demo.world import World
from beheer.servicedesk.models import EntryType, Melding

from . import services
from .models import Problem, ProblemMelding

MIN_MELDINGEN = 60  # below this (quick test runs) the problems come without their meldingen

MAGISTER_CASE = Case(
    "Inloggen in Magister lukt niet: foutmelding van Entree",
    "Bij het inloggen in Magister via Entree krijg ik de foutmelding 'ongeldig antwoord van de "
    "identiteitsprovider'. Ik kan zo geen absenties en cijfers invoeren in Magister.",
    ("",),
    route="desk",
    priority=("person", "cannot_work"),
)
PRINTER_CASE = Case(
    "Printer in {room} staat weer offline",
    "De printer in {room} staat voor de tweede keer deze week op offline. Afdrukken lukt niet, ook niet "
    "voor collega's.",
    ("Printer uit- en aangezet en de afdrukwachtrij leeggemaakt; de printer staat weer online.",),
    route="desk",
    priority=("department", "limited"),
)


@dataclass
class Story:
    """The problems as the meldingen's stories meet them (`servicedesk.demo.world.ProblemStory`)."""

    problems: dict[str, Problem] = field(default_factory=dict)
    # the meldingen registered for each problem's trouble, linked when the problem is registered
    meldingen: dict[str, list[int]] = field(default_factory=dict)

    def registered(self, key: str, melding: Melding) -> None:
        self.meldingen.setdefault(key, []).append(melding.pk)

    def link(self, key: str, melding: Melding, actor: User) -> None:
        problem = self.problems.get(key)
        if problem is not None:
            services.link_melding(problem, melding=melding, actor=actor)

    def known_error(self, key: str) -> Problem | None:
        return self.problems.get(key)


def _day(w: World, working_days_ago: int) -> date:
    return w.hours.working_day_before(w.hours.today(), working_days_ago)


def _at(w: World, working_days_ago: int, hour: int, minute: int) -> datetime:
    return w.hours.at(_day(w, working_days_ago), hour, minute)


def plans(w: World, rng: random.Random, count: int) -> list[Plan]:
    """The meldingen of the problems' stories (none when the demo is small)."""
    if count < MIN_MELDINGEN:
        return []
    school = w.school
    result: list[Plan] = []

    def story(p: Plan, *, problem: str, role: str = "", confirmable: bool = True) -> Plan:
        p.problem, p.role, p.confirmable, p.fixed, p.late = problem, role, confirmable, True, False
        result.append(p)
        return p

    wifi = FAMILY["wifi"]
    north = school.north_callers
    for days, hour, minute in ((10, 8, 40), (9, 10, 15), (9, 13, 20)):
        story(
            plan(
                w,
                rng,
                family=wifi,
                case=wifi.cases[0],
                registered=_at(w, days, hour, minute),
                caller=rng.choice(north),
                entry_type=EntryType.PHONE,
                route="second",
            ),
            problem="wifi",
            confirmable=False,
        )
    for days, hour, minute in ((6, 9, 10), (4, 11, 20), (2, 8, 50), (1, 14, 5)):
        story(
            plan(
                w,
                rng,
                family=wifi,
                case=wifi.cases[0],
                registered=_at(w, days, hour, minute),
                caller=rng.choice(north),
                entry_type=rng.choice([EntryType.PHONE, EntryType.PORTAL, EntryType.EMAIL]),
                route="desk",
            ),
            problem="wifi",
            role="linked",
        )
    magister = FAMILY["magister"]
    resolved = _at(w, 24, 12, 15)
    for hour, minute in ((8, 5), (8, 20), (8, 31), (8, 50), (9, 25)):
        p = story(
            plan(
                w,
                rng,
                family=magister,
                case=MAGISTER_CASE,
                registered=_at(w, 24, hour, minute),
                caller=rng.choice(school.callers),
                entry_type=rng.choice([EntryType.PHONE, EntryType.EMAIL, EntryType.PORTAL]),
            ),
            problem="magister",
            role="awaits",
        )
        p.problem_resolved = resolved
    printer = FAMILY["printer"]
    for days, hour, minute, role in ((5, 10, 10, ""), (4, 13, 40, ""), (1, 9, 30, "linked")):
        story(
            plan(
                w,
                rng,
                family=printer,
                case=PRINTER_CASE,
                registered=_at(w, days, hour, minute),
                caller=rng.choice(school.callers),
                entry_type=EntryType.PHONE,
                route="desk",
            ),
            problem="printer",
            role=role,
            confirmable=role == "linked",
        )
    return result


def _link_earlier(w: World, story: Story, key: str, problem: Problem) -> None:
    """Link the meldingen of this trouble registered before the problem (closed ones stay as they are)."""
    for pk in story.meldingen.get(key, []):
        m = Melding.objects.get(pk=pk)
        if m.closed_at is None and not ProblemMelding.objects.filter(melding=m).exists():
            services.link_melding(problem, melding=m, actor=problem.operator or w.school.specialist)


def _fresh(story: Story, key: str) -> Problem:
    story.problems[key] = Problem.objects.select_related("known_error_article").get(pk=story.problems[key].pk)
    return story.problems[key]


def _find_cause(
    story: Story, key: str, *, actor: User, root_cause: str, workaround: str | None = None
) -> None:
    """Record a problem's root cause (and a new workaround; None keeps the one it has)."""
    problem = _fresh(story, key)
    services.edit_problem(
        problem,
        actor=actor,
        expected_version=problem.version,
        title=problem.title,
        description=problem.description,
        impact=problem.impact,
        urgency=problem.urgency,
        root_cause=root_cause,
        workaround=problem.workaround if workaround is None else workaround,
    )


def wifi(w: World, story: Story) -> Process:
    school, lookups = w.school, w.lookups
    operator = school.network_specialist
    yield _at(w, 8, 10, 30)
    problem = services.open_problem(
        actor=operator,
        title="Wifi valt weg in de Dependance Noord sinds de firmware-update van de access points",
        description=(
            "Sinds de firmware-update van de access points in de Dependance Noord vallen laptops en "
            "telefoons in de lokalen om de paar minuten van het wifi-netwerk. Het hoofdgebouw heeft er "
            "geen last van."
        ),
        impact=lookups.impacts["department"],
        urgency=lookups.urgencies["limited"],
        operator_group=school.network,
        operator=operator,
    )
    story.problems["wifi"] = problem
    _link_earlier(w, story, "wifi", problem)
    yield _at(w, 8, 10, 45)
    problem = services.analyse_problem(_fresh(story, "wifi"), actor=operator, expected_version=None)
    yield _at(w, 7, 14, 0)
    _find_cause(
        story,
        "wifi",
        actor=operator,
        root_cause=(
            "Firmware 6.6.55 zet band steering standaard aan. Oudere wifi-kaarten wisselen daardoor steeds "
            "tussen 2,4 en 5 GHz en verliezen de verbinding. De leverancier heeft het probleem bevestigd; "
            "een nieuwe firmware is toegezegd."
        ),
        workaround=(
            "Zet band steering uit voor het netwerk eduroam in de Unifi-controller (site Noord) en laat "
            "het apparaat opnieuw verbinden."
        ),
    )
    problem = services.mark_known_error(_fresh(story, "wifi"), actor=operator, expected_version=None)
    yield _at(w, 7, 14, 30)
    problem = _fresh(story, "wifi")
    article = services.create_known_error_article(
        problem, actor=operator, expected_version=problem.version, title="Wifi valt weg na firmware 6.6.55"
    )
    knowledge.publish(article, actor=operator, expected_version=article.version)
    _fresh(story, "wifi")


def magister(w: World, story: Story) -> Process:
    school, lookups = w.school, w.lookups
    operator = school.specialist
    yield _at(w, 24, 8, 55)
    story.problems["magister"] = problem = services.open_problem(
        actor=operator,
        title="Inloggen in Magister via Entree mislukt voor alle medewerkers",
        description="Sinds vanochtend geeft Entree bij het inloggen in Magister een foutmelding.",
        impact=lookups.impacts["organisation"],
        urgency=lookups.urgencies["limited"],
        operator_group=school.systems,
        operator=operator,
    )
    _link_earlier(w, story, "magister", problem)
    yield _at(w, 24, 9, 5)
    services.analyse_problem(_fresh(story, "magister"), actor=operator, expected_version=None)
    yield _at(w, 24, 11, 40)
    _find_cause(
        story,
        "magister",
        actor=operator,
        root_cause="Het certificaat van de SAML-koppeling tussen Entree en Magister was vannacht verlopen.",
        workaround="",
    )
    yield _at(w, 24, 12, 15)
    _link_earlier(
        w, story, "magister", _fresh(story, "magister")
    )  # a melding registered since, not yet picked up
    services.resolve_problem(
        _fresh(story, "magister"),
        solution=(
            "Nieuw certificaat voor de SAML-koppeling in Magister en bij Entree geregistreerd; inloggen in "
            "Magister werkt weer voor iedereen."
        ),
        resolve_meldingen=None,
        note_others=False,
        actor=operator,
        expected_version=None,
    )
    yield _at(w, 22, 10, 0)
    services.close_problem(_fresh(story, "magister"), actor=school.coordinator, expected_version=None)


def printer(w: World, story: Story) -> Process:
    school, lookups = w.school, w.lookups
    operator = school.specialist
    yield _at(w, 3, 13, 0)
    story.problems["printer"] = problem = services.open_problem(
        actor=operator,
        title="Printers op de tweede verdieping vallen dagelijks offline",
        description=(
            "De printers in de lokalen 2.03, 2.14 en 2.21 staan bijna elke ochtend op offline. Uit- en "
            "aanzetten helpt tot de volgende dag."
        ),
        impact=lookups.impacts["department"],
        urgency=lookups.urgencies["limited"],
        operator_group=school.systems,
        operator=operator,
        workaround="Printer uit- en aanzetten en de afdrukwachtrij leegmaken.",
    )
    _link_earlier(w, story, "printer", problem)
    yield _at(w, 3, 13, 20)
    services.analyse_problem(_fresh(story, "printer"), actor=operator, expected_version=None)
    yield _at(w, 2, 10, 0)
    _find_cause(
        story,
        "printer",
        actor=operator,
        root_cause=(
            "Vermoedelijk krijgen de printers na de nachtelijke slaapstand een nieuw adres van DHCP. "
            "Reserveringen op de DHCP-server worden gecontroleerd."
        ),
    )
    _fresh(story, "printer")


def processes(w: World, story: Story) -> Iterator[Process]:
    """The three problems' stories for the demo's timeline; the meldingen meet them through `story`."""
    for make in (wifi, magister, printer):
        yield make(w, story)
