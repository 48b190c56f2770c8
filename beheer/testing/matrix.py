"""The traceability matrix of a change (read-only): each requirement with the test cases that show it
is met and each case's last result; a requirement without any case is "not covered", and cases
linked to no requirement are listed too. On screen and as CSV or XLSX.

Five queries whatever the number of requirements, cases and runs: the requirements, the plan's
active cases, their links, and the last results (`queries.last_results`, two)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.changes.models import Change, Requirement
from beheer.core.csv_export import BOM, CONTENT_TYPE, csv_format, neutralise

from .models import TestCase, TestPlan, TestResult
from .queries import last_results

MAX_REQUIREMENTS = 1000
MAX_CASES = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class MatrixRow:
    requirement: Requirement | None
    case: TestCase | None
    result: TestResult | None

    @property
    def covered(self) -> bool:
        return self.case is not None


@dataclass
class Matrix:
    rows: list[MatrixRow] = field(default_factory=list)
    requirements: int = 0
    not_covered: int = 0
    cases: int = 0
    unlinked_cases: int = 0
    truncated: bool = False


def build(change: Change, user: Any) -> Matrix:
    """The matrix of `change` as `user` may read it (staff; anybody else gets an empty one)."""
    requirements = list(
        Requirement.objects.visible_to(user)
        .filter(change=change)
        .order_by("number", "id")[: MAX_REQUIREMENTS + 1]
    )
    plan = TestPlan.objects.visible_to(user).filter(change_id=change.pk).first()
    cases: list[TestCase] = []
    links: dict[int, list[int]] = {}
    results: dict[int, TestResult] = {}
    if plan is not None:
        cases = list(
            TestCase.objects.visible_to(user)
            .filter(plan=plan, withdrawn=False)
            .order_by("number", "id")[: MAX_CASES + 1]
        )
        through = TestCase.requirements.through
        for case_id, requirement_id in through.objects.filter(
            testcase__plan=plan, testcase__withdrawn=False
        ).values_list("testcase_id", "requirement_id"):
            links.setdefault(requirement_id, []).append(case_id)
        results = last_results(plan, user)
    truncated = len(requirements) > MAX_REQUIREMENTS or len(cases) > MAX_CASES
    requirements, cases = requirements[:MAX_REQUIREMENTS], cases[:MAX_CASES]
    by_id = {c.pk: c for c in cases}
    matrix = Matrix(requirements=len(requirements), cases=len(cases), truncated=truncated)
    for requirement in requirements:
        own = [by_id[pk] for pk in links.get(requirement.pk, []) if pk in by_id]
        own.sort(key=lambda c: c.number)
        if not own:
            matrix.not_covered += 1
            matrix.rows.append(MatrixRow(requirement, None, None))
        for case in own:
            matrix.rows.append(MatrixRow(requirement, case, results.get(case.pk)))
    all_linked = {pk for ids in links.values() for pk in ids}
    for case in cases:
        if case.pk not in all_linked:
            matrix.unlinked_cases += 1
            matrix.rows.append(MatrixRow(None, case, results.get(case.pk)))
    return matrix


# -- files -----------------------------------------------------------------------------------------


def header() -> list[str]:
    return [
        _("Requirement"),
        _("Requirement text"),
        _("Priority"),
        _("Test case"),
        _("Test case title"),
        _("Last result"),
        _("Run"),
        _("Carried out"),
        _("By"),
        _("Note"),
    ]


def cells(row: MatrixRow) -> list[Any]:
    req, case, result = row.requirement, row.case, row.result
    executed = result.executed_at if result else None
    note = ""
    if req is not None and case is None:
        note = _("Not covered")
    elif req is None:
        note = _("Not linked to a requirement")
    elif result is None:
        note = _("Not carried out yet")
    return [
        req.code if req else "",
        req.text if req else "",
        str(req.get_priority_display()) if req else "",
        case.code if case else "",
        case.title if case else "",
        str(result.get_outcome_display()) if result else "",
        result.run.number if result else None,
        timezone.localtime(executed) if executed else None,
        (result.executed_by.get_full_name() or result.executed_by.username)
        if result and result.executed_by
        else "",
        note,
    ]


def csv_response(matrix: Matrix, change: Change) -> StreamingHttpResponse:
    fmt = csv_format()  # now: the body is written after the view returned
    lines = [fmt.line(header(), neutralise), *(fmt.line(cells(r), neutralise) for r in matrix.rows)]

    def stream() -> Iterator[str]:
        yield BOM
        yield from lines

    response = StreamingHttpResponse(stream(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{change.number}-traceability.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    if getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)
    return value


def xlsx_response(matrix: Matrix, change: Change) -> FileResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Traceability")[:31])
    sheet.append([_xlsx_cell(h) for h in header()])
    for row in matrix.rows:
        sheet.append([_xlsx_cell(v) for v in cells(row)])
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(tmp)
    tmp.seek(0)
    response = FileResponse(
        tmp, as_attachment=True, filename=f"{change.number}-traceability.xlsx", content_type=XLSX
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
