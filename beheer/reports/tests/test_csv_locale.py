"""Every CSV export in the reader's locale: Dutch semicolons, decimal commas and day-month-year
dates; English commas and decimal points; a UTF-8 byte order mark; still streamed."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from beheer.accounts.models import OperatorGroup, User
from beheer.core.csv_export import csv_format
from beheer.monitoring.models import Check
from beheer.servicedesk.models import Melding
from tests.helpers import client_for as _client_for

from .test_availability_report import dataset as availability_dataset
from .test_kpis import Month, build_month

OCT = {"date_from": "2026-10-01", "date_to": "2026-10-31"}
NOV10 = {"date_from": "2026-11-10", "date_to": "2026-11-10"}


monitored = pytest.fixture(availability_dataset.__wrapped__, name="monitored")  # type: ignore[attr-defined]


def client_for(user: User, language: str) -> Client:
    User.objects.filter(pk=user.pk).update(language=language)
    user.refresh_from_db()
    return _client_for(user)


@pytest.fixture
def month(
    operator: User, specialist: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> Month:
    return build_month(operator, specialist, caller, first_line, second_line)


def _read(response: Any, delimiter: str) -> list[list[str]]:
    """The rows of a streamed CSV download, after checking the byte order mark."""
    assert response.status_code == 200
    assert response.streaming  # never built in memory first
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the encoding from it
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def _row(rows: list[list[str]], first: str) -> list[str]:
    return next(r for r in rows if r and r[0] == first)


def test_the_format_follows_the_language() -> None:
    with translation.override("nl"):
        nl = csv_format()
    with translation.override("en"):
        en = csv_format()
    assert (nl.delimiter, nl.decimal) == (";", ",")
    assert (en.delimiter, en.decimal) == (",", ".")
    values = [12.5, 7, Decimal("99.950"), date(2026, 12, 6), -3.25, "=1+1", None]
    assert nl.line(values, lambda t: "'" + t) == "12,5;7;99,950;6-12-2026;-3,25;'=1+1;\r\n"
    assert en.line(values, lambda t: "'" + t) == "12.5,7,99.950,06-12-2026,-3.25,'=1+1,\r\n"


@pytest.mark.parametrize("url", ["/reports/export.csv", "/api/v1/reports/export.csv"])
def test_report_csv_in_dutch(month: Month, coordinator: User, url: str) -> None:
    rows = _read(client_for(coordinator, "nl").get(url, OCT), ";")
    assert _row(rows, "Periode")[1] == "1-10-2026 – 31-10-2026"
    assert _row(rows, "Geregistreerd")[1] == "7"
    assert _row(rows, "Oplossing bij eerste contact (%)")[1:] == ["50,0", "3", "6"]
    assert _row(rows, "31-10-2026")[1] == "3"  # the backlog at the end of the period
    assert _row(rows, "28-9-2026")[1:] == ["3", "3", "2"]  # the week of Monday 28 September
    assert not any("2026-10-31" in cell for row in rows for cell in row)


@pytest.mark.parametrize("url", ["/reports/export.csv", "/api/v1/reports/export.csv"])
def test_report_csv_in_english(month: Month, coordinator: User, url: str) -> None:
    rows = _read(client_for(coordinator, "en").get(url, OCT), ",")
    assert _row(rows, "Period")[1] == "01-10-2026 – 31-10-2026"
    assert _row(rows, "Registered")[1] == "7"
    assert _row(rows, "First-contact resolution (%)")[1:] == ["50.0", "3", "6"]
    assert _row(rows, "31-10-2026")[1] == "3"
    assert _row(rows, "Servicedesk")[1:6] == ["6", "0", "5", "1", "3"]


@pytest.mark.parametrize(
    ("language", "delimiter", "moment"), [("nl", ";", "1-10-2026 09:00"), ("en", ",", "01-10-2026 09:00")]
)
def test_melding_list_csv(month: Month, operator: User, language: str, delimiter: str, moment: str) -> None:
    a = Melding.objects.get(pk=month.ids["a"])
    Melding.objects.filter(pk=a.pk).update(brief_description="=HYPERLINK(1); 2,5")
    rows = _read(
        client_for(operator, language).get("/api/v1/meldingen/export.csv", {"sort": "oldest"}), delimiter
    )
    assert rows[0][0] == ("Nummer" if language == "nl" else "Number")
    row = _row(rows, a.number)
    assert row[1] == "'=HYPERLINK(1); 2,5"  # neutralised, and quoted where it holds the separator
    assert row[11] == moment  # registered, local time, day-month-year
    assert row[13] == moment.replace("09:00", "11:00")  # resolved
    assert len(rows) == 1 + Melding.objects.count()


@pytest.mark.parametrize(("language", "delimiter", "web"), [("nl", ";", "97,917"), ("en", ",", "97.917")])
def test_availability_csv(
    coordinator: User, monitored: tuple[Check, Check], language: str, delimiter: str, web: str
) -> None:
    for url in ("/reports/availability.csv", "/api/v1/reports/availability.csv"):
        rows = _read(client_for(coordinator, language).get(url, NOV10), delimiter)
        row = _row(rows, "web")
        assert row[3].startswith(web)  # availability: 97.9166...
        assert row[6] == ("30,0" if language == "nl" else "30.0")  # downtime in minutes


def test_the_language_is_read_when_the_download_starts(month: Month, coordinator: User) -> None:
    """The body is written after the view returned; another language active by then changes nothing."""
    response = client_for(coordinator, "nl").get("/reports/export.csv", OCT)
    with translation.override("en"):
        rows = _read(response, ";")
    assert _row(rows, "Geregistreerd")[1] == "7"
    assert _row(rows, "Oplossing bij eerste contact (%)")[1] == "50,0"
