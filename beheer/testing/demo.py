"""Demo data for test management: the library of standard test cases, and the test plan of the
Wi-Fi pilot in the aula (project "Wi-Fi vernieuwing"): its requirements, a test and an acceptance
environment with a preparation checklist, cases linked to the requirements, a run with a failed
case, a finding that became an activity, a passing re-test, and an acceptance session in which
three users carried out their cases in the portal. The tester's advice is given; the client's
sign-off waits for the demo caller. Every write goes through the services, each at its own moment
before now."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from django.utils import timezone

from beheer.accounts.models import User
from beheer.changes import services as change_services
from beheer.changes.models import Change, Requirement
from beheer.cmdb import services as cmdb
from beheer.cmdb.models import CiType, ConfigurationItem
from beheer.core import clock
from beheer.knowledge.models import Article
from beheer.operations import services as operations
from beheer.operations.models import Occurrence

from .models import Outcome, ParticipantCase, StandardTestCase, TestCase, TestResult, TestRun
from .services import advice, findings, plans, runs, sessions
from .services._base import plan_of

STANDARD_CASES: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "Inloggen met een nieuw account",
        "functional",
        [
            (
                "Log in op een schoolcomputer met het nieuwe account",
                "Het bureaublad verschijnt binnen een minuut",
            ),
            ("Open Outlook en Teams", "Beide starten zonder extra inlogvraag"),
        ],
    ),
    (
        "Afdrukken naar de nieuwe printer",
        "functional",
        [
            ("Kies de printer in het afdrukvenster", "De printer staat in de lijst met de juiste locatie"),
            (
                "Druk een testpagina af en haal hem op met je pas",
                "De pagina komt eruit na het scannen van je pas",
            ),
        ],
    ),
    (
        "Verbinden met eduroam",
        "acceptance",
        [
            ("Kies eduroam in de wifi-instellingen van je apparaat", "Je ziet eduroam in de lijst"),
            ("Log in met je volledige e-mailadres van school", "Je bent binnen tien seconden verbonden"),
            ("Open een website", "De pagina laadt direct"),
        ],
    ),
    (
        "Gastnetwerk: internet, maar niet het schoolnetwerk",
        "security",
        [
            ("Verbind met het gastnetwerk met de code van de receptie", "Je bent verbonden"),
            ("Open een website", "De pagina laadt"),
            ("Open de schijf \\\\fs01\\personeel", "Dat lukt niet: het schoolnetwerk is afgeschermd"),
        ],
    ),
    (
        "Na de wijziging: bestaande diensten werken nog",
        "regression",
        [
            ("Open Magister en SomToday", "Beide openen zonder foutmelding"),
            ("Druk af naar de printer in de docentenkamer", "De afdruk komt eruit"),
        ],
    ),
]

PREPARATION = [
    "Testcontroller op de nieuwste firmware zetten",
    "SSID's eduroam en Gasten aanmaken zoals in het ontwerp",
    "Testaccounts voor een leerling en een medewerker klaarzetten",
    "Meetlaptop met de toetsapp klaarzetten",
]

REQUIREMENTS = [
    ("Leerlingen en medewerkers verbinden met eduroam met hun schoolaccount", "must"),
    ("Een digitale toets met 120 leerlingen in de aula loopt zonder haperen", "must"),
    ("Gasten krijgen internet, maar geen toegang tot het schoolnetwerk", "should"),
]


def _at(now: datetime, days_ago: float) -> AbstractContextManager[None]:
    return clock.frozen(now - timedelta(days=days_ago))


def _day(now: datetime, days_ago: int, *, hour: int) -> datetime:
    """`hour` o'clock in the school's time zone, `days_ago` days before `now`."""
    return timezone.localtime(now - timedelta(days=days_ago)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def _environment_ci(actor: User, name: str, environment: str, description: str) -> ConfigurationItem:
    ci_type = CiType.objects.filter(code="access_point").first() or CiType.objects.get(code="unclassified")
    return cmdb.create_item(
        actor=actor,
        data=cmdb.ItemData(name=name, ci_type=ci_type, environment=environment, description=description),
    )


def _library(actor: User) -> dict[str, StandardTestCase]:
    return {
        title: plans.create_standard_case(actor=actor, title=title, test_type=kind, steps=steps)
        for title, kind, steps in STANDARD_CASES
    }


def _result(run: TestRun, case: TestCase) -> TestResult:
    return TestResult.objects.get(run=run, case=case)


def _carry_out(pc: ParticipantCase, person: User, outcome: str, remark: str = "") -> None:
    """`person` works through every step of their case and completes it."""
    steps_count = len(pc.case.steps)
    ok = outcome == Outcome.PASSED
    answers = [
        sessions.StepAnswer(done=True, ok=bool(ok or i < steps_count - 1), remark="")
        for i in range(steps_count)
    ]
    if not ok and answers:
        answers[-1] = sessions.StepAnswer(done=True, ok=False, remark=remark)
    pc = sessions.save_steps(pc, actor=person, expected_version=pc.version, steps=answers)
    sessions.complete_case(pc, actor=person, expected_version=pc.version, outcome=outcome, remark=remark)


def create(
    *,
    made: dict[str, Change],
    coordinator: User,
    tester: User,
    client: User,
    users: Sequence[User],
    now: datetime,
) -> Change | None:
    """The library, and the test plan of the Wi-Fi pilot (`made["executed"]`) with its runs and an
    acceptance session with three of `users`."""
    with _at(now, 30):
        library = _library(coordinator)
    change = made.get("executed")
    if change is None or len(users) < 3:
        return None
    with _at(now, 8):
        requirements: list[Requirement] = [
            change_services.add_requirement(change, actor=tester, text=text, priority=priority)
            for text, priority in REQUIREMENTS
        ]
        eduroam, exam, guests = requirements
        plan = plan_of(change, actor=tester)
        plan = plans.save_plan(
            plan,
            actor=tester,
            expected_version=plan.version,
            scope=(
                "De nieuwe access points in de aula: inloggen op eduroam, een digitale toets met een "
                "volle aula, "
                "het gastnetwerk, en of bestaande diensten nog werken."
            ),
            entry_criteria="Access points hangen en zijn bijgewerkt; de testomgeving is klaargezet.",
            exit_criteria=(
                "Alle must-eisen getest en geslaagd; geen open bevindingen met ernst hoog of kritiek."
            ),
            test_types=["functional", "regression", "security", "performance", "acceptance"],
        )
        lab = _environment_ci(
            tester,
            "Wifi-testopstelling (lab)",
            "test",
            "Twee access points en een testcontroller in de serverruimte.",
        )
        pilot_ssid = _environment_ci(
            tester, "Pilot-SSID aula", "acceptance", "Tijdelijke SSID in de aula voor de acceptatietest."
        )
        lab_env = plans.add_environment(plan, actor=tester, ci=lab, purpose="test")
        plans.add_environment(plan, actor=tester, ci=pilot_ssid, purpose="acceptance")
        preparation = plans.prepare_environment(  # a one-off preventive activity: the coordinator plans it
            lab_env,
            actor=coordinator,
            checklist=PREPARATION,
            planned_for=_day(now, 7, hour=9),
            assignee=tester,
        )
        copied = plans.copy_standard_cases(
            plan,
            actor=tester,
            cases=[library["Verbinden met eduroam"]],
            requirements=[eduroam],
        )
        login = copied[0]
        exam_case = plans.add_case(
            plan,
            actor=tester,
            title="Digitale toets met 120 leerlingen tegelijk",
            test_type="performance",
            preconditions="120 leerlingen (of de meetlaptop met 120 sessies) in de aula.",
            steps=[
                ("Laat alle leerlingen de toets starten", "Iedereen zit binnen twee minuten in de toets"),
                ("Laat de toets tien minuten lopen", "Geen enkele leerling valt uit"),
            ],
            requirements=[exam],
        )
        roaming = plans.add_case(
            plan,
            actor=tester,
            title="Doorlopen van de gang naar de aula tijdens een videogesprek",
            test_type="functional",
            steps=[
                ("Start een Teams-gesprek op de gang", "Beeld en geluid zijn goed"),
                ("Loop door naar achterin de aula", "Het gesprek loopt door zonder onderbreking"),
            ],
            requirements=[eduroam, exam],
        )
        guest_case = plans.copy_standard_cases(
            plan,
            actor=tester,
            cases=[library["Gastnetwerk: internet, maar niet het schoolnetwerk"]],
            requirements=[guests],
        )[0]
        regression = plans.copy_standard_cases(
            plan, actor=tester, cases=[library["Na de wijziging: bestaande diensten werken nog"]]
        )[0]
    cases = [login, exam_case, roaming, guest_case, regression]
    with clock.frozen(_day(now, 7, hour=11)):
        occurrence = Occurrence.objects.get(series=preparation)
        operations.complete_occurrence(
            occurrence,
            actor=tester,
            expected_version=occurrence.version,
            results=[operations.ChecklistAnswer(done=True) for _item in PREPARATION],
            remark="Lab klaar; testaccounts staan in de kluis.",
            minutes=90,
        )
    with clock.frozen(_day(now, 6, hour=9)):
        first = runs.start_run(
            plan, actor=tester, cases=cases, environment=lab, title="Eerste testronde in het lab"
        )
        for case, outcome, actual in (
            (login, Outcome.PASSED, ""),
            (exam_case, Outcome.PASSED, ""),
            (
                roaming,
                Outcome.FAILED,
                "Het gesprek viel 4 seconden weg bij het overstappen naar het access point achterin.",
            ),
            (guest_case, Outcome.PASSED, ""),
            (regression, Outcome.BLOCKED, "De printer in de docentenkamer staat niet in het lab."),
        ):
            result = _result(first, case)
            runs.record_result(
                result,
                actor=tester,
                expected_version=result.version,
                outcome=outcome,
                actual_result=actual,
                minutes=15,
            )
    with clock.frozen(_day(now, 6, hour=11)):
        runs.finish_run(first, actor=tester)
    finding = plan.findings.filter(result__case=roaming).first()
    if finding is not None:
        with clock.frozen(_day(now, 6, hour=12)):
            finding = findings.update_finding(
                finding,
                actor=tester,
                expected_version=finding.version,
                title="Gesprek valt weg bij overstappen naar het access point achterin de aula",
                description="Snelle overdracht (802.11r) staat niet aan op de nieuwe SSID.",
                severity="high",
            )
            findings.finding_to_activity(finding, actor=tester)
    with clock.frozen(_day(now, 4, hour=10)):
        retest = runs.start_retest(first, actor=tester, environment=lab)
        for result in TestResult.objects.filter(run=retest).select_related("case"):
            actual = "" if result.case_id == roaming.pk else "Getest op de pilot-SSID: afdruk komt eruit."
            runs.record_result(
                result,
                actor=tester,
                expected_version=result.version,
                outcome=Outcome.PASSED,
                actual_result=actual,
                minutes=10,
            )
    with clock.frozen(_day(now, 4, hour=11)):
        runs.finish_run(retest, actor=tester)
        if finding is not None:
            findings.set_finding_status(finding, actor=tester, status="resolved")
    instruction = Article.objects.filter(title="Verbinden met het wifi-netwerk eduroam").first()
    with _at(now, 5):
        session = sessions.create_session(
            plan,
            actor=tester,
            title="Acceptatietest wifi aula",
            starts_at=_day(now, 3, hour=14),
            ends_at=_day(now, 3, hour=15),
            place="Aula, achterste rij",
            introduction=(
                "Neem je eigen telefoon of laptop mee. Je voert een paar korte opdrachten uit; "
                "het duurt een kwartier."
            ),
            instructions=[instruction] if instruction is not None else [],
        )
        people = list(users[:3])
        for person in people:
            sessions.add_participant(session, actor=tester, person=person, cases=[login, guest_case])
        sessions.invite(session, actor=tester)
    with clock.frozen(_day(now, 3, hour=14) + timedelta(minutes=25)):
        for index, participant in enumerate(session.participants.select_related("person").order_by("id")):
            person = participant.person
            for pc in (
                ParticipantCase.objects.filter(participant=participant)
                .select_related("case")
                .order_by("case__number")
            ):
                if index == 2 and pc.case_id == guest_case.pk:
                    _carry_out(
                        pc,
                        person,
                        Outcome.FAILED,
                        "Ik kon de code van de receptie niet vinden op het briefje.",
                    )
                else:
                    _carry_out(pc, person, Outcome.PASSED)
            answer = "with_help" if index == 2 else "yes"
            remark = "Met het briefje van de receptie erbij lukt het wel." if index == 2 else ""
            sessions.answer_could_work(participant, actor=person, answer=answer, remark=remark)
    with _at(now, 2):
        session.refresh_from_db()
        sessions.give_session_advice(
            session,
            actor=tester,
            expected_version=session.version,
            advice="conditions",
            text="Accepteren, op voorwaarde dat de receptie de gastcode duidelijker uitdeelt.",
        )
        plan.refresh_from_db()
        advice.give_advice(
            plan,
            actor=tester,
            expected_version=plan.version,
            advice="conditions",
            text=(
                "Go, met als voorwaarde dat snelle overdracht aan blijft staan bij de uitrol in gebouw Noord."
            ),
        )
    _ = client
    return change
