"""Exports never fail on stored text: a brief description, a caller name, a group name and a check
name full of control characters (as old rows may hold) give a readable file in every format, through
the screens and the API."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from beheer.accounts.models import OperatorGroup, User
from beheer.core import clock
from beheer.monitoring.models import Check
from beheer.reports import services
from beheer.reports.models import ReportRun, RunStatus
from beheer.reports.tests.test_availability_report import DAY_START, dataset  # noqa: F401 - fixture
from beheer.servicedesk.models import Melding
from tests.helpers import client_for

# PostgreSQL cannot store NUL at all; every other control character can be in an old row
_FIRST = 1 if connection.vendor == "postgresql" else 0
CONTROLS = "".join(chr(c) for c in range(_FIRST, 0x20)) + "".join(chr(c) for c in range(0x7F, 0xA0))
BRIEF = f"=Printer{CONTROLS}kapot"
CHECK_NAME = f"web{CONTROLS}server"
PERIOD = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
MONTH = {"month": "2026-11"}


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def dirty(melding: Melding, dataset: Any, first_line: OperatorGroup) -> Melding:  # noqa: F811
    web, _mail = dataset
    Check.objects.filter(pk=web.pk).update(name=CHECK_NAME, tags=f"school{CONTROLS}")
    Melding.objects.filter(pk=melding.pk).update(
        brief_description=BRIEF, caller_name=f"Anna{CONTROLS}", created_at=DAY_START
    )
    OperatorGroup.objects.filter(pk=first_line.pk).update(name=f"Servicedesk{CONTROLS}")
    return melding


def _no_controls(text: str) -> None:
    bad = [hex(ord(c)) for c in text if (ord(c) < 0x20 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0]
    assert not bad, bad


def _check_csv(content: bytes, expected: str) -> None:
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows
    _no_controls(text)
    assert expected in "".join(text.split()), expected  # tabs and line breaks may stay


def _check_xlsx(content: bytes, expected: str) -> None:
    book = load_workbook(io.BytesIO(content), read_only=True)
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    text = "\n".join(cells)
    _no_controls(text)
    assert expected in "".join(text.split()), expected  # tabs and line breaks may stay


def _check_pdf(content: bytes) -> None:
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert "webserver" in text.replace(" ", "") or "web" in text


EXPORTS = [
    # (url, params, kind, expected text)
    ("/api/v1/meldingen/export.csv", {}, "csv", "'=Printerkapot"),
    ("/api/v1/reports/meldingen.xlsx", {}, "xlsx", "'=Printerkapot"),
    ("/api/v1/reports/export.csv", PERIOD, "csv", "Servicedesk"),
    ("/api/v1/reports/export.xlsx", PERIOD, "xlsx", "Servicedesk"),
    ("/api/v1/reports/availability.csv", PERIOD, "csv", "webserver"),
    ("/api/v1/reports/availability.xlsx", PERIOD, "xlsx", "webserver"),
    ("/api/v1/reports/monthly.pdf", MONTH, "pdf", ""),
    ("report-export-csv", PERIOD, "csv", "Servicedesk"),
    ("report-export-xlsx", PERIOD, "xlsx", "Servicedesk"),
    ("report-availability-csv", PERIOD, "csv", "webserver"),
    ("report-availability-xlsx", PERIOD, "xlsx", "webserver"),
    ("report-monthly-pdf", MONTH, "pdf", ""),
]


@pytest.mark.parametrize(("url", "params", "kind", "expected"), EXPORTS)
def test_every_export_reads_back(
    dirty: Melding, coordinator: User, url: str, params: dict[str, str], kind: str, expected: str
) -> None:
    client = client_for(coordinator)
    response = client.get(url if url.startswith("/") else reverse(url), params)
    assert response.status_code == 200, (url, response.status_code)
    content = _body(response)
    if kind == "csv":
        _check_csv(content, expected)
    elif kind == "xlsx":
        _check_xlsx(content, expected)
    else:
        _check_pdf(content)


@pytest.mark.parametrize("file_format", ["xlsx", "pdf"])
def test_scheduled_report_runs_on_dirty_text(dirty: Melding, coordinator: User, file_format: str) -> None:
    schedule = services.schedule_report(
        actor=coordinator,
        name=f"Maand{CONTROLS}rapport",
        frequency="monthly",
        filters={},
        file_format=file_format,
    )
    due = schedule.next_run_at
    with clock.frozen(due):
        run = services.produce_run(schedule, due_at=due, now=due)
    assert run is not None
    assert ReportRun.objects.get(pk=run.pk).status == RunStatus.DONE
