"""The traceability matrix: requirements x cases x last result, on screen and in the exports."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from beheer.testing import matrix
from beheer.testing.services import runs
from tests.helpers import client_for

from .helpers import add_case, scene
from .test_runs import result_of

pytestmark = pytest.mark.django_db


def _world() -> Any:
    operator, client, change, reqs, plan = scene()
    a = add_case(plan, "Inloggen", requirements=[reqs[0]])
    b = add_case(plan, "Gastnetwerk", requirements=[reqs[0], reqs[1]])
    c = add_case(plan, "=Losse test")  # no requirement; looks like a formula
    run = runs.start_run(plan, actor=operator, cases=[a, b])
    runs.record_result(
        result_of(run, a), actor=operator, expected_version=None, outcome="failed", actual_result="Fout"
    )
    runs.finish_run(run, actor=operator)
    retest = runs.start_retest(run, actor=operator)
    runs.record_result(result_of(retest, a), actor=operator, expected_version=None, outcome="passed")
    return operator, client, change, reqs, plan, (a, b, c), (run, retest)


def test_rows_show_coverage_and_the_newest_result() -> None:
    operator, _client, change, reqs, _plan, (a, b, c), (_run, retest) = _world()
    built = matrix.build(change, operator)
    pairs = [
        (r.requirement.code if r.requirement else None, r.case.code if r.case else None) for r in built.rows
    ]
    assert pairs == [
        (reqs[0].code, a.code),
        (reqs[0].code, b.code),
        (reqs[1].code, b.code),
        (reqs[2].code, None),
        (None, c.code),
    ]
    assert built.not_covered == 1
    assert built.unlinked_cases == 1
    first = built.rows[0]
    assert first.result is not None
    assert first.result.run_id == retest.pk
    assert first.result.outcome == "passed"
    assert built.rows[1].result is None  # b was never carried out


def test_the_matrix_costs_a_fixed_number_of_queries() -> None:
    operator, _client, change, reqs, plan, _cases, _runs = _world()
    with CaptureQueriesContext(connection) as small:
        matrix.build(change, operator)
    for n in range(5):
        add_case(plan, f"Extra {n}", requirements=reqs)
    with CaptureQueriesContext(connection) as large:
        matrix.build(change, operator)
    assert len(large.captured_queries) == len(small.captured_queries) <= 6


def test_a_caller_gets_an_empty_matrix() -> None:
    _operator, client, change, _reqs, _plan, _cases, _runs = _world()
    built = matrix.build(change, client)
    assert all(r.case is None for r in built.rows)


def test_the_page_shows_the_matrix(django_assert_max_num_queries: Any) -> None:
    operator, _client, change, reqs, _plan, (_a, _b, _c), _runs = _world()
    web = client_for(operator)
    with django_assert_max_num_queries(20):
        page = web.get(f"/changes/{change.pk}/tests/matrix/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-tests-link="testing-matrix"' in html
    assert f'data-requirement="{reqs[2].code}" data-not-covered' in html
    assert "Not covered" in html
    assert 'data-outcome="passed"' in html


def test_the_csv_export() -> None:
    operator, _client, change, reqs, _plan, (_a, _b, _c), (_run, _retest) = _world()
    response = client_for(operator).get(f"/changes/{change.pk}/tests/matrix.csv", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    lines = body.splitlines()
    assert lines[0].startswith("Requirement,Requirement text")
    assert len(lines) == 6
    assert lines[1].startswith(f"{reqs[0].code},")
    assert ",Passed," in lines[1]
    assert "Not covered" in lines[4]
    assert "'=Losse test" in lines[5]  # neutralised


def test_the_xlsx_export() -> None:
    operator, _client, change, reqs, _plan, (a, _b, _c), (_run, retest) = _world()
    response = client_for(operator).get(f"/changes/{change.pk}/tests/matrix.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    with translation.override("en"):
        assert list(rows[0]) == matrix.header()
    assert rows[1][0] == reqs[0].code
    assert rows[1][3] == a.code
    assert rows[1][5] == "Passed"
    assert rows[1][6] == retest.number
    assert rows[4][9] == "Not covered"
    assert rows[5][4] == "'=Losse test"


def test_an_unknown_format_is_404() -> None:
    operator, _client, change, _reqs, _plan, _cases, _runs = _world()
    assert client_for(operator).get(f"/changes/{change.pk}/tests/matrix.pdf").status_code == 404
