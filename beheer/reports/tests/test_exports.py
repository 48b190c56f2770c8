"""Report and melding-list exports: content, formula neutralisation, XLSX readable by openpyxl."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.servicedesk import services
from beheer.servicedesk.models import EntryType
from tests.helpers import client_for as _client_for
from tests.helpers import make_person

from .test_kpis import Month, build_month


def client_for(user: User) -> Client:
    """A logged-in client that reads English."""
    User.objects.filter(pk=user.pk).update(language="en")
    user.refresh_from_db()
    return _client_for(user)


OCT = {"date_from": "2026-10-01", "date_to": "2026-10-31"}


@pytest.fixture
def month(
    operator: User, specialist: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> Month:
    return build_month(operator, specialist, caller, first_line, second_line)


def _content(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _workbook(response: Any) -> Any:
    return load_workbook(io.BytesIO(_content(response)), read_only=True)


def test_report_csv(month: Month, coordinator: User) -> None:
    for url in ("/reports/export.csv", "/api/v1/reports/export.csv"):
        r = client_for(coordinator).get(url, OCT)
        assert r.status_code == 200, url
        assert r["Content-Type"].startswith("text/csv")
        text = _content(r).decode("utf-8-sig")
        assert "Registered,7" in text  # an English reader: commas (see test_csv_locale)
        assert "Servicedesk,6,0,5,1,3" in text  # group row: registered, escalated, resolved, reopened, open
        assert "31-10-2026,3" in text  # backlog at the end of the period


def test_report_xlsx(month: Month, coordinator: User) -> None:
    for url in ("/reports/export.xlsx", "/api/v1/reports/export.xlsx"):
        r = client_for(coordinator).get(url, OCT)
        assert r.status_code == 200, url
        wb = _workbook(r)
        assert wb.sheetnames[:2] == ["Summary", "Operator groups"]
        rows = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True)}
        assert rows["Registered"] == 7
        assert rows["Resolved"] == 6
        assert rows["First-contact resolution (%)"] == 50.0


def test_report_exports_refuse_bad_input_and_others(db: Any, coordinator: User) -> None:
    assert client_for(coordinator).get("/reports/export.csv", {"date_from": "x"}).status_code == 400
    assert client_for(coordinator).get("/api/v1/reports/export.xlsx", {"date_from": "x"}).status_code == 400
    other = client_for(make_person(Role.OPERATOR))
    assert other.get("/reports/export.xlsx", OCT).status_code == 403
    assert other.get("/api/v1/reports/export.csv", OCT).status_code == 403


def test_group_names_are_neutralised(db: Any, coordinator: User, operator: User, caller: User) -> None:
    evil = OperatorGroup.objects.create(name='=HYPERLINK("http://x")', is_first_line=True)
    evil.members.add(operator)
    from beheer.core import clock

    from .test_kpis import at

    with clock.frozen(at(10, 2, 9)):
        services.open_melding(
            actor=operator,
            brief_description="x",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=evil,
        )
    c = client_for(coordinator)
    text = _content(c.get("/reports/export.csv", OCT)).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text
    wb = _workbook(c.get("/reports/export.xlsx", OCT))
    names = [row[0] for row in wb["Operator groups"].iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names


def test_meldingen_xlsx(operator: User, caller: User, first_line: OperatorGroup) -> None:
    for n in range(3):
        services.open_melding(
            actor=operator,
            brief_description=f"=cmd|' /C calc'!A{n}" if n == 0 else f"Printer {n}",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=first_line,
        )
    r = client_for(operator).get("/api/v1/reports/meldingen.xlsx", {"sort": "oldest"})
    assert r.status_code == 200
    rows = list(_workbook(r).active.iter_rows(values_only=True))
    assert rows[0][0] == "Number"
    assert len(rows) == 4
    assert rows[1][1].startswith("'=cmd")
    assert [row[1] for row in rows[2:]] == ["Printer 1", "Printer 2"]
    # filters apply: another group has none
    other = OperatorGroup.objects.create(name="Leeg", is_first_line=True)
    r = client_for(operator).get("/api/v1/reports/meldingen.xlsx", {"operator_group": other.pk})
    assert len(list(_workbook(r).active.iter_rows(values_only=True))) == 1
    # the list's newer filters too (the same parameters as GET /api/v1/meldingen)
    r = client_for(operator).get(
        "/api/v1/reports/meldingen.xlsx", {"status_kind": "new", "unassigned": "true"}
    )
    assert len(list(_workbook(r).active.iter_rows(values_only=True))) == 4
    r = client_for(operator).get("/api/v1/reports/meldingen.xlsx", {"status_kind": "resolved"})
    assert len(list(_workbook(r).active.iter_rows(values_only=True))) == 1


def test_meldingen_xlsx_permissions(melding: Any, caller_client: Client) -> None:
    assert caller_client.get("/api/v1/reports/meldingen.xlsx").status_code == 403
    assert Client().get("/api/v1/reports/meldingen.xlsx").status_code == 401
