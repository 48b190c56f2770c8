"""The test report (testrapport) of a change: one content model built from the plan, its runs and the
last result of each case, shown as a print-friendly page, written as a PDF in the house style of the
final report, and summarised as the "Tests" section of the change's final report.

What it holds: the cover (change, client, testers, the period of the runs, when it was generated),
the scope and criteria; where was tested (the plan's environments and every run with its counts);
the totals over the last result of each active case; the pass rate per requirement and per test
type; the open findings by severity and how many are closed; the acceptance sessions; and the
tester's advice (go / go with conditions / no-go) or "no advice yet".

The pass rate is **passed of all active cases** (not of the cases that have a result): a case that
was never carried out counts against it, so an untested plan never looks good. The count of cases
not run is always shown beside the rate, so nothing hides. The rate is rounded down to a whole
percent: 199 of 200 is 99 %, never 100 %. The last result of a case is `queries.last_results`: a
passing re-test replaces the earlier failure.

Reads: a fixed number of queries, whatever the number of cases, runs, findings or sessions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, Q, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, Spacer

from beheer.changes.models import Change, Requirement, RequirementStatus
from beheer.changes.services.report import (
    Block,
    ReportSection,
    Rows,
    Text,
    build_pdf,
    facts,
    paragraph,
    sections_story,
)
from beheer.core import access, clock

from .models import (
    SEVERITY_ORDER,
    AcceptanceSession,
    Advice,
    CouldWork,
    EnvironmentPurpose,
    FindingStatus,
    Outcome,
    PlanEnvironment,
    Severity,
    SignOff,
    TestCase,
    TestFinding,
    TestPlan,
    TestRun,
    TestType,
)
from .queries import last_results

MAX_RUNS = 200
MAX_FINDINGS = 200
MAX_SESSIONS = 50
SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


@dataclass(frozen=True)
class Counts:
    """Outcomes of a set of cases (each by its last result); `rate` is passed of all of them."""

    passed: int = 0
    failed: int = 0
    blocked: int = 0
    not_run: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.blocked + self.not_run

    @property
    def rate(self) -> int | None:
        """Passed of all, in whole percent rounded down; None without cases."""
        return self.passed * 100 // self.total if self.total else None

    @classmethod
    def of(cls, outcomes: Iterable[str]) -> Counts:
        seen = Counter(outcomes)
        return cls(seen[Outcome.PASSED], seen[Outcome.FAILED], seen[Outcome.BLOCKED], seen[Outcome.NOT_RUN])


@dataclass(frozen=True)
class EnvironmentLine:
    name: str
    purpose: str
    purpose_label: str


@dataclass(frozen=True)
class RunLine:
    number: int
    title: str
    environment: str
    started_at: datetime
    finished_at: datetime | None
    tester: str
    retest_of: int | None
    counts: Counts


@dataclass(frozen=True)
class RequirementLine:
    code: str
    text: str
    cases: tuple[str, ...]  # codes of the active cases linked to it
    counts: Counts

    @property
    def covered(self) -> bool:
        return bool(self.cases)


@dataclass(frozen=True)
class TypeLine:
    test_type: str
    label: str
    counts: Counts


@dataclass(frozen=True)
class FindingLine:
    number: int
    title: str
    severity: str
    severity_label: str
    case: str  # the case code it came from, "" when none


@dataclass(frozen=True)
class SessionLine:
    title: str
    starts_at: datetime
    status_label: str
    participants: int
    passed: int
    failed: int
    could_work: dict[str, int]  # CouldWork value -> answers
    sign_off: str
    sign_off_label: str
    signed_off_by: str
    signed_off_at: datetime | None
    sign_off_comment: str


@dataclass(frozen=True)
class AdviceLine:
    advice: str
    label: str
    text: str
    by: str
    at: datetime | None


@dataclass
class TestReport:
    __test__ = False

    change_id: int
    change_number: str
    change_title: str
    client: str
    testers: list[str]
    period_start: datetime | None
    period_end: datetime | None
    generated: datetime
    scope: str
    entry_criteria: str
    exit_criteria: str
    test_types: list[str]  # labels
    environments: list[EnvironmentLine]
    runs: list[RunLine]
    more_runs: bool
    totals: Counts
    requirements: list[RequirementLine]
    types: list[TypeLine]
    open_by_severity: dict[str, int]
    open_findings: list[FindingLine]
    closed_findings: int
    sessions: list[SessionLine]
    advice: AdviceLine | None
    version: int

    @property
    def open_findings_total(self) -> int:
        return sum(self.open_by_severity.values())


def _person(user: Any) -> str:
    if user is None:
        return "—"
    return str(user.get_full_name() or user.username)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def test_report(plan: TestPlan, *, user: Any, generated: datetime) -> TestReport:
    """The content of the test report of `plan`, read as `user` (staff: the caller checks that the
    change is visible). About a dozen queries, whatever the size of the plan."""
    plan = TestPlan.objects.visible_to(user).select_related("change__client", "advised_by").get(pk=plan.pk)
    change: Change = plan.change
    environments = [
        EnvironmentLine(e.ci.name, e.purpose, _label(EnvironmentPurpose, e.purpose))
        for e in PlanEnvironment.objects.visible_to(user).filter(plan=plan).select_related("ci")
    ]
    runs, more_runs = _runs(plan, user)
    cases = list(
        TestCase.objects.visible_to(user)
        .filter(plan=plan, withdrawn=False)
        .prefetch_related("requirements")
        .order_by("number", "id")
    )
    last = last_results(plan, user)
    outcome = {c.pk: last[c.pk].outcome if c.pk in last else Outcome.NOT_RUN for c in cases}
    testers = {_person(r.executed_by) for r in last.values() if r.executed_by is not None}
    testers |= {line.tester for line in runs if line.tester != "—"}
    open_by_severity, open_findings, closed = _findings(plan, user)
    starts = [r.started_at for r in runs]
    ends = [r.finished_at or r.started_at for r in runs]
    return TestReport(
        change_id=change.pk,
        change_number=change.number,
        change_title=change.title,
        client=_person(change.client),
        testers=sorted(testers),
        period_start=min(starts) if starts else None,
        period_end=max(ends) if ends else None,
        generated=generated,
        scope=plan.scope,
        entry_criteria=plan.entry_criteria,
        exit_criteria=plan.exit_criteria,
        test_types=[_label(TestType, t) for t in plan.test_types],
        environments=environments,
        runs=runs,
        more_runs=more_runs,
        totals=Counts.of(outcome.values()),
        requirements=_requirements(change, cases, outcome, user),
        types=_types(plan, cases, outcome),
        open_by_severity=open_by_severity,
        open_findings=open_findings,
        closed_findings=closed,
        sessions=_sessions(plan, user),
        advice=_advice(plan),
        version=plan.version,
    )


def _runs(plan: TestPlan, user: Any) -> tuple[list[RunLine], bool]:
    def count(outcome: str) -> Count:
        return Count("results", filter=Q(results__outcome=outcome))

    rows = list(
        TestRun.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("environment", "created_by", "retest_of")
        .annotate(
            n_passed=count(Outcome.PASSED),
            n_failed=count(Outcome.FAILED),
            n_blocked=count(Outcome.BLOCKED),
            n_not_run=count(Outcome.NOT_RUN),
        )
        .order_by("number", "id")[: MAX_RUNS + 1]
    )
    lines = [
        RunLine(
            number=r.number,
            title=r.title,
            environment=r.environment.name if r.environment else "—",
            started_at=r.started_at,
            finished_at=r.finished_at,
            tester=_person(r.created_by),
            retest_of=r.retest_of.number if r.retest_of else None,
            counts=Counts(r.n_passed, r.n_failed, r.n_blocked, r.n_not_run),
        )
        for r in rows[:MAX_RUNS]
    ]
    return lines, len(rows) > MAX_RUNS


def _requirements(
    change: Change, cases: list[TestCase], outcome: dict[int, str], user: Any
) -> list[RequirementLine]:
    linked: dict[int, list[TestCase]] = {}
    for case in cases:
        for requirement in case.requirements.all():
            linked.setdefault(requirement.pk, []).append(case)
    requirements = Requirement.objects.visible_to(user).filter(change=change, status=RequirementStatus.ACTIVE)
    return [
        RequirementLine(
            code=r.code,
            text=r.text,
            cases=tuple(c.code for c in linked.get(r.pk, [])),
            counts=Counts.of(outcome[c.pk] for c in linked.get(r.pk, [])),
        )
        for r in requirements.order_by("number", "id")
    ]


def _types(plan: TestPlan, cases: list[TestCase], outcome: dict[int, str]) -> list[TypeLine]:
    present = {c.test_type for c in cases}
    order = [t for t in TestType.values if t in present or t in plan.test_types]
    return [
        TypeLine(t, _label(TestType, t), Counts.of(outcome[c.pk] for c in cases if c.test_type == t))
        for t in order
    ]


def _findings(plan: TestPlan, user: Any) -> tuple[dict[str, int], list[FindingLine], int]:
    findings = TestFinding.objects.visible_to(user).filter(plan=plan)
    by_severity = {s.value: 0 for s in SEVERITIES}
    closed = 0
    for row in findings.values("status", "severity").annotate(n=Count("id")).order_by():
        if row["status"] == FindingStatus.OPEN:
            by_severity[row["severity"]] = by_severity.get(row["severity"], 0) + row["n"]
        else:
            closed += row["n"]
    rows = list(
        findings.filter(status=FindingStatus.OPEN)
        .select_related("result__case", "participant_case__case")
        .annotate(rank=Case(*(When(severity=k, then=Value(v)) for k, v in SEVERITY_ORDER.items()), default=9))
        .order_by("rank", "number", "id")[:MAX_FINDINGS]
    )
    lines = []
    for f in rows:
        case = f.result.case if f.result else (f.participant_case.case if f.participant_case else None)
        lines.append(
            FindingLine(
                f.number, f.title, f.severity, _label(Severity, f.severity), case.code if case else ""
            )
        )
    return by_severity, lines, closed


def _sessions(plan: TestPlan, user: Any) -> list[SessionLine]:
    def answers(value: str) -> Count:
        return Count("participants", filter=Q(participants__could_work=value), distinct=True)

    def outcomes(value: str) -> Count:
        return Count("participants__cases", filter=Q(participants__cases__outcome=value), distinct=True)

    rows = (
        AcceptanceSession.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("signed_off_by")
        .annotate(
            n_participants=Count("participants", distinct=True),
            n_passed=outcomes(Outcome.PASSED),
            n_failed=outcomes(Outcome.FAILED),
            n_yes=answers(CouldWork.YES),
            n_help=answers(CouldWork.WITH_HELP),
            n_no=answers(CouldWork.NO),
        )
        .order_by("starts_at", "id")[:MAX_SESSIONS]
    )
    return [
        SessionLine(
            title=s.title,
            starts_at=s.starts_at,
            status_label=str(s.get_status_display()),
            participants=s.n_participants,
            passed=s.n_passed,
            failed=s.n_failed,
            could_work={CouldWork.YES: s.n_yes, CouldWork.WITH_HELP: s.n_help, CouldWork.NO: s.n_no},
            sign_off=s.sign_off,
            sign_off_label=_label(SignOff, s.sign_off) if s.sign_off else "",
            signed_off_by=_person(s.signed_off_by) if s.sign_off else "",
            signed_off_at=s.signed_off_at,
            sign_off_comment=s.sign_off_comment,
        )
        for s in rows
    ]


def _advice(plan: TestPlan) -> AdviceLine | None:
    if not plan.advice:
        return None
    return AdviceLine(
        plan.advice, _label(Advice, plan.advice), plan.advice_text, _person(plan.advised_by), plan.advised_at
    )


# -- the report as text blocks (the page, the PDF and the final report's section) --------------------


def date_text(value: datetime | None, style: str = "j F Y") -> str:
    if value is None:
        return "—"
    return formats.date_format(timezone.localtime(value), style)


def percent(counts: Counts) -> str:
    rate = counts.rate
    return "—" if rate is None else f"{rate}%"


def totals_text(counts: Counts) -> str:
    """ "7 of 10 active cases passed (70%); 1 failed, 1 blocked, 1 not run." """
    if not counts.total:
        return _("The plan has no active test cases.")
    return _(
        "%(passed)d of %(total)d active cases passed (%(rate)s); %(failed)d failed, %(blocked)d blocked, "
        "%(not_run)d not run."
    ) % {
        "passed": counts.passed,
        "total": counts.total,
        "rate": percent(counts),
        "failed": counts.failed,
        "blocked": counts.blocked,
        "not_run": counts.not_run,
    }


def cover(report: TestReport) -> list[tuple[str, str]]:
    period = (
        f"{date_text(report.period_start)} – {date_text(report.period_end)}"
        if report.period_start
        else _("No runs yet")
    )
    return [
        (_("Change"), f"{report.change_number} {report.change_title}"),
        (_("Client"), report.client),
        (_("Tested by"), ", ".join(report.testers) or "—"),
        (_("Period of the runs"), period),
        (_("Generated"), date_text(report.generated, "j F Y H:i")),
    ]


def _outcome_head() -> tuple[str, ...]:
    return (_("Passed"), _("Failed"), _("Blocked"), _("Not run"), _("Pass rate"))


def _outcome_cells(c: Counts) -> tuple[str, ...]:
    return (str(c.passed), str(c.failed), str(c.blocked), str(c.not_run), percent(c))


def _requirement_rows(report: TestReport) -> Rows:
    rows = []
    for r in report.requirements:
        if r.covered:
            passed = _("%(passed)d of %(total)d") % {"passed": r.counts.passed, "total": r.counts.total}
            rows.append((f"{r.code} {r.text}", ", ".join(r.cases), passed, percent(r.counts)))
        else:
            rows.append((f"{r.code} {r.text}", _("Not covered"), "—", "—"))
    return Rows((_("Requirement"), _("Test cases"), _("Passed"), _("Pass rate")), rows)


def _findings_blocks(report: TestReport) -> list[Block]:
    counts = ", ".join(f"{_label(Severity, s)}: {report.open_by_severity.get(s, 0)}" for s in SEVERITIES)
    blocks: list[Block] = [
        Text(
            _("%(open)d open (%(counts)s); %(closed)d closed.")
            % {"open": report.open_findings_total, "counts": counts, "closed": report.closed_findings}
        )
    ]
    if report.open_findings:
        blocks.append(
            Rows(
                (_("Finding"), _("Severity"), _("Test case")),
                [(f"{f.number}. {f.title}", f.severity_label, f.case or "—") for f in report.open_findings],
            )
        )
    return blocks


def _sessions_blocks(report: TestReport) -> list[Block]:
    if not report.sessions:
        return [Text(_("No acceptance sessions were held."), "muted")]
    rows = []
    for s in report.sessions:
        cases = _("%(passed)d passed, %(failed)d failed") % {"passed": s.passed, "failed": s.failed}
        could = _("yes %(yes)d, with help %(help)d, no %(no)d") % {
            "yes": s.could_work[CouldWork.YES],
            "help": s.could_work[CouldWork.WITH_HELP],
            "no": s.could_work[CouldWork.NO],
        }
        if s.sign_off:
            signed = _("%(decision)s by %(who)s on %(when)s") % {
                "decision": s.sign_off_label,
                "who": s.signed_off_by,
                "when": date_text(s.signed_off_at, "j F Y H:i"),
            }
            if s.sign_off_comment:
                signed += f"\n{s.sign_off_comment}"
        else:
            signed = _("Not signed off yet")
        title = f"{s.title}\n{date_text(s.starts_at)} · {s.status_label}"
        rows.append((title, str(s.participants), cases, could, signed))
    head = (_("Session"), _("Users"), _("Cases"), _("Could work with it"), _("Sign-off"))
    return [Rows(head, rows)]


def _advice_blocks(report: TestReport) -> list[Block]:
    a = report.advice
    if a is None:
        return [Text(_("No advice yet."), "muted")]
    blocks: list[Block] = [Text(a.label, "h3")]
    if a.text:
        blocks.append(Text(a.text))
    blocks.append(
        Text(
            _("Given by %(who)s on %(when)s.") % {"who": a.by, "when": date_text(a.at, "j F Y H:i")}, "muted"
        )
    )
    return blocks


def report_sections(report: TestReport) -> list[ReportSection]:
    """The whole test report as sections of text blocks (the page and the PDF draw these)."""
    plan_blocks: list[Block] = []
    for title, value in (
        (_("Scope"), report.scope),
        (_("Entry criteria"), report.entry_criteria),
        (_("Exit criteria"), report.exit_criteria),
    ):
        plan_blocks += [
            Text(title, "h3"),
            Text(value) if value.strip() else Text(_("Not described."), "muted"),
        ]
    plan_blocks += [Text(_("Test types"), "h3"), Text(", ".join(report.test_types) or "—")]

    where: list[Block] = [Text(_("Environments"), "h3")]
    if report.environments:
        where.append(
            Rows((_("Environment"), _("Used for")), [(e.name, e.purpose_label) for e in report.environments])
        )
    else:
        where.append(Text(_("The plan names no environments."), "muted"))
    where.append(Text(_("Test runs"), "h3"))
    if report.runs:
        head = (_("Run"), _("Environment"), _("Period"), _("Tester"), _("Outcomes"))
        rows = []
        for r in report.runs:
            name = _("Run %(number)s") % {"number": r.number}
            if r.title:
                name += f": {r.title}"
            if r.retest_of is not None:
                name += "\n" + _("Re-test of run %(number)s") % {"number": r.retest_of}
            period = f"{date_text(r.started_at, 'j M Y H:i')} – " + (
                date_text(r.finished_at, "j M Y H:i") if r.finished_at else _("in progress")
            )
            outcomes = _("%(passed)d passed, %(failed)d failed, %(blocked)d blocked, %(not_run)d not run") % {
                "passed": r.counts.passed,
                "failed": r.counts.failed,
                "blocked": r.counts.blocked,
                "not_run": r.counts.not_run,
            }
            rows.append((name, r.environment, period, r.tester, outcomes))
        where.append(Rows(head, rows))
        if report.more_runs:
            where.append(Text(_("Only the first %(count)d runs are listed.") % {"count": MAX_RUNS}, "muted"))
    else:
        where.append(Text(_("No test runs yet."), "muted"))

    types = Rows(
        (_("Test type"), _("Cases"), *_outcome_head()),
        [(t.label, str(t.counts.total), *_outcome_cells(t.counts)) for t in report.types],
    )
    return [
        ReportSection("plan", _("Test plan"), plan_blocks),
        ReportSection("where", _("What was tested where"), where),
        ReportSection(
            "totals",
            _("Results"),
            [
                Text(totals_text(report.totals)),
                Rows(_outcome_head(), [_outcome_cells(report.totals)]),
                Text(_("Pass rate: passed of all active cases, by the last result of each case."), "muted"),
            ],
        ),
        ReportSection(
            "requirements",
            _("Per requirement"),
            [_requirement_rows(report)]
            if report.requirements
            else [Text(_("The change has no requirements."), "muted")],
        ),
        ReportSection(
            "types", _("Per test type"), [types] if report.types else [Text(_("No test cases yet."), "muted")]
        ),
        ReportSection("findings", _("Open findings"), _findings_blocks(report)),
        ReportSection("acceptance", _("Acceptance sessions"), _sessions_blocks(report)),
        ReportSection("advice", _("Advice of the tester"), _advice_blocks(report)),
    ]


def final_report_section(change: Change, user: Any) -> ReportSection | None:
    """The "Tests" section of the change's final report: the totals, the pass rate per requirement,
    the open findings by severity, the acceptance sign-off and the tester's advice. None when the
    change has no test plan or the reader is not staff."""
    if not access.is_staff(user):
        return None
    plan = TestPlan.objects.visible_to(user).filter(change_id=change.pk).first()
    if plan is None:
        return None
    report = test_report(plan, user=user, generated=clock.now())
    blocks: list[Block] = [Text(totals_text(report.totals))]
    if report.requirements:
        blocks += [Text(_("Per requirement"), "h3"), _requirement_rows(report)]
    blocks += [Text(_("Open findings"), "h3"), *_findings_blocks(report)]
    blocks += [Text(_("Acceptance"), "h3"), *_sessions_blocks(report)]
    blocks += [Text(_("Advice of the tester"), "h3"), *_advice_blocks(report)]
    return ReportSection("tests", _("Tests"), blocks)


# -- PDF ---------------------------------------------------------------------------------------------


def test_report_pdf(report: TestReport) -> bytes:
    """The test report as a PDF in the house style of the change's final report."""
    title = f"{report.change_number} {report.change_title}"
    story: list[Flowable] = [
        paragraph(_("Test report"), "kicker"),
        paragraph(title, "title"),
        facts(cover(report)),
        Spacer(1, 8),
        *sections_story(report_sections(report)),
    ]
    return build_pdf(
        story,
        title=_("Test report %(title)s") % {"title": title},
        subject=_("Test report"),
        footer=f"{_('Test report')} {title}",
    )


test_report.__test__ = False  # type: ignore[attr-defined]
test_report_pdf.__test__ = False  # type: ignore[attr-defined]
