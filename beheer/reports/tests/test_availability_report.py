"""The availability report: figures on a constructed day, exports, API and permissions."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from beheer.accounts.models import User
from beheer.core import clock
from beheer.core.errors import DomainError
from beheer.monitoring.models import Check, CheckResult, MaintenanceWindow
from beheer.monitoring.services import roll_up
from beheer.reports import availability, kpis, pdf, services
from beheer.reports.availability import compute, parse_period
from beheer.reports.models import ReportFormat, ReportRun, RunStatus
from tests.helpers import client_for

DAY_START = datetime(2026, 11, 9, 23, 0, tzinfo=UTC)  # 10 November 2026, 00:00 in Amsterdam
CANARY = "CANARY-detail-91c2"


def _results(check: Check, down_from: int | None = None, down_minutes: int = 0) -> None:
    rows = []
    for minute in range(24 * 60):
        ok = not (down_from is not None and down_from <= minute < down_from + down_minutes)
        rows.append(
            CheckResult(
                check_obj=check,
                at=DAY_START + timedelta(minutes=minute),
                ok=ok,
                latency_ms=100 if ok else None,
                detail=CANARY,
            )
        )
    CheckResult.objects.bulk_create(rows)


@pytest.fixture
def dataset(db: Any) -> tuple[Check, Check]:
    web = Check.objects.create(
        name="web",
        kind="http",
        target="https://web.example/",
        host="web01",
        tags="school",
        latency_target_ms=50,
        created_at=DAY_START,
    )
    mail = Check.objects.create(
        name="mail",
        kind="tcp",
        target="mail.example:25",
        host="mail01",
        tags="school, mail",
        availability_target=Decimal("99.5"),
        created_at=DAY_START,
    )
    _results(web, down_from=600, down_minutes=30)
    _results(mail, down_from=120, down_minutes=60)  # down, but inside the maintenance night
    window = MaintenanceWindow.objects.create(
        name="night", start=DAY_START + timedelta(minutes=120), duration_minutes=60, time_zone="UTC"
    )
    window.checks.add(mail)
    now = DAY_START + timedelta(days=2)
    with clock.frozen(now):
        for _run in range(4):
            roll_up(now=now)
    return web, mail


def _report(client: Any, **params: str) -> Any:
    return client.get(reverse("report-availability"), params)


def test_figures_per_check_and_per_tag(coordinator, dataset):
    _web, _mail = dataset
    page = _report(client_for(coordinator), date_from="2026-11-10", date_to="2026-11-10")
    assert page.status_code == 200
    rows = {r["name"]: r for r in page.context["data"]["checks"]}
    assert rows["web"]["availability"] == pytest.approx(100 * (1440 - 30) / 1440, abs=0.001)
    assert rows["web"]["downtime_minutes"] == 30
    assert rows["web"]["outages"] == 1
    assert rows["web"]["availability_met"] is False
    assert rows["web"]["latency_avg"] == 100
    assert rows["web"]["latency_p95"] == 100
    assert rows["web"]["latency_met"] is False  # norm 50 ms
    assert rows["mail"]["availability"] == 100.0
    assert rows["mail"]["maintenance_minutes"] == 60
    assert rows["mail"]["outages"] == 0
    assert rows["mail"]["availability_met"] is True
    assert rows["mail"]["latency_met"] is None  # no latency norm
    tags = {r["tag"]: r for r in page.context["data"]["tags"]}
    assert tags["school"]["checks"] == 2
    assert tags["school"]["checks_met"] == 1
    assert tags["school"]["downtime_minutes"] == 30
    hosts = {r["host"]: r for r in page.context["data"]["hosts"]}
    assert set(hosts) == {"web01", "mail01"}
    assert (hosts["web01"]["checks"], hosts["web01"]["checks_not_met"]) == (1, 1)
    assert hosts["web01"]["downtime_minutes"] == 30
    assert hosts["mail01"]["availability"] == 100.0
    assert b"data-availability-hosts" in page.content
    assert page.context["data"]["summary"] == {"checks": 2, "measured": 2, "met": 1, "not_met": 1}
    assert b"<svg" in page.content
    assert CANARY.encode() not in page.content


def test_a_month_is_the_default_and_bad_periods_are_refused():
    today = date(2026, 12, 5)
    assert parse_period({}, today=today) == (date(2026, 11, 1), date(2026, 11, 30))
    assert parse_period({"month": "2026-02"}, today=today) == (date(2026, 2, 1), date(2026, 2, 28))
    for bad in (
        {"month": "2026-13"},
        {"date_from": "2026-11-10", "date_to": "2026-11-01"},
        {"date_from": "x"},
        {"month": "2026-10", "date_from": "2026-10-01"},
        {"date_from": "2024-01-01", "date_to": "2026-01-01"},
    ):
        with pytest.raises(DomainError):
            parse_period(bad, today=today)


def test_csv_and_xlsx_exports(coordinator, dataset):
    client = client_for(coordinator)
    params = {"date_from": "2026-11-10", "date_to": "2026-11-10"}
    response = client.get(reverse("report-availability-csv"), params)
    assert response.status_code == 200
    text = _body(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    web_row = next(r for r in rows if r and r[0] == "web")
    assert float(web_row[3].replace(",", ".")) == pytest.approx(97.917, abs=0.001)
    assert web_row[6] == "30,0"  # a Dutch reader: decimal commas
    response = client.get(reverse("report-availability-xlsx"), params)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(_body(response)))
    sheet = book.worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["mail", "web"]
    assert client.get(reverse("report-availability-csv"), {"month": "bad"}).status_code == 400


def test_the_api(coordinator, dataset, operator):
    client = client_for(coordinator)
    response = client.get(
        "/api/v1/reports/availability", {"date_from": "2026-11-10", "date_to": "2026-11-10"}
    )
    assert response.status_code == 200
    body = response.json()
    assert {r["name"]: r["downtime_minutes"] for r in body["checks"]} == {"web": 30.0, "mail": 0.0}
    assert body["period"]["date_from"] == "2026-11-10"
    bad = client.get("/api/v1/reports/availability", {"month": "2026-13"})
    assert bad.status_code == 400
    assert "month" in str(bad.json())
    assert client.get("/api/v1/reports/availability.csv", {"month": "2026-11"}).status_code == 200
    assert client.get("/api/v1/reports/availability.xlsx", {"month": "2026-11"}).status_code == 200
    assert client_for(operator).get("/api/v1/reports/availability").status_code == 403


def test_only_coordinators_see_the_report(operator, caller, dataset):
    for user in (operator, caller):
        client = client_for(user)
        for name in ("report-availability", "report-availability-csv", "report-availability-xlsx"):
            assert client.get(reverse(name)).status_code == 403


def test_the_printable_monthly_report_includes_availability(coordinator, dataset):
    page = client_for(coordinator).get(reverse("report-monthly"), {"month": "2026-11"})
    assert page.status_code == 200
    assert b"data-availability-checks" in page.content


# --------------------------------------------------------------------------------------------------
# the availability section of the management report's PDF

PDF_UI = "/reports/monthly.pdf"
PDF_API = "/api/v1/reports/monthly.pdf"
NOVEMBER = {"month": "2026-11"}
SECTION = "Availability of monitored services"


def _pdf_text(content: bytes) -> str:
    """All text of a PDF, pages joined, whitespace runs folded to one space."""
    assert content.startswith(b"%PDF-")
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def _in_english(user: User) -> User:
    User.objects.filter(pk=user.pk).update(language="en")
    user.refresh_from_db()
    return user


def _november(user: User) -> dict[str, Any]:
    return {r["name"]: r for r in compute(user, date(2026, 11, 1), date(2026, 11, 30))["checks"]}


def test_the_monthly_pdf_shows_availability_per_check_against_the_norm(coordinator, dataset):
    client = client_for(_in_english(coordinator))
    rows = _november(coordinator)  # the availability report's own figures for the month
    web, mail = f"{rows['web']['availability']:.3f}", f"{rows['mail']['availability']:.3f}"
    for url in (PDF_UI, PDF_API):
        response = client.get(url, NOVEMBER)
        assert response.status_code == 200, url
        text = _pdf_text(response.content)
        assert SECTION in text
        assert "1 of 2 measured checks met their availability norm." in text
        # check, availability, norm, met, latency p95 / norm, downtime
        assert f"web {web} 99.9 no 100 / 50 not met 30 min" in text
        assert f"mail {mail} 99.5 yes 100 0 min" in text
        assert "Check Availability (%) Norm (%) Norm met 95th percentile latency / norm (ms)" in text
        assert text.count("web ") >= 2  # the chart's bar label and the table row
        assert "Time in maintenance windows does not count as downtime" in text
        assert "The report's filters do not apply" not in text
        assert CANARY not in text


def test_the_monthly_pdf_in_dutch(coordinator, dataset):
    User.objects.filter(pk=coordinator.pk).update(language="nl")
    text = _pdf_text(client_for(coordinator).get(PDF_API, NOVEMBER).content)
    assert "1 van de 2 gemeten checks haalden hun beschikbaarheidsnorm." in text
    assert "Norm gehaald" in text
    web = f"{_november(coordinator)['web']['availability']:.3f}".replace(".", ",")
    assert f"web {web} 99,9 nee 100 / 50 niet gehaald 30 min" in text


def test_the_section_says_so_when_no_service_is_monitored(coordinator):
    client = client_for(_in_english(coordinator))
    text = _pdf_text(client.get(PDF_API, NOVEMBER).content)
    assert f"{SECTION} No services were monitored in this period." in text
    page = client.get(reverse("report-monthly"), NOVEMBER)
    assert b"data-availability-none" in page.content
    assert b"No services were monitored in this period." in page.content


def test_the_section_ignores_the_report_filters_and_says_so(coordinator, dataset, first_line):
    client = client_for(_in_english(coordinator))
    text = _pdf_text(client.get(PDF_API, {**NOVEMBER, "operator_group": first_line.pk}).content)
    assert "1 of 2 measured checks met their availability norm." in text
    assert "The report's filters do not apply to the checks: all checks are shown." in text


def test_checks_are_printed_as_text_not_markup(coordinator, dataset):
    Check.objects.filter(name="web").update(name="<b>R&D</b> <para x")
    text = _pdf_text(client_for(_in_english(coordinator)).get(PDF_API, NOVEMBER).content)
    assert "<b>R&D</b> <para x" in text


def test_only_those_who_may_see_the_availability_report_get_the_section(
    coordinator, administrator, operator, caller, dataset
):
    # the same rule as the availability report: coordinators and administrators
    assert (
        _pdf_text(client_for(_in_english(administrator)).get(PDF_API, NOVEMBER).content).count(SECTION) == 1
    )
    for user in (operator, caller):
        assert availability.for_management_report(user, date(2026, 11, 1), date(2026, 11, 30)) is None
        client = client_for(user)
        assert client.get(PDF_UI, NOVEMBER).status_code == 403
        assert client.get(PDF_API, NOVEMBER).status_code == 403
    # the builder leaves the section out when it is given no availability figures
    f = kpis.parse_filter({"date_from": "2026-11-01", "date_to": "2026-11-30"})
    with translation.override("en"):
        bare = pdf.report_pdf_bytes(kpis.compute(coordinator, f), generated=clock.now())
    assert SECTION not in _pdf_text(bare)


def test_a_scheduled_pdf_has_the_section(coordinator, dataset, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    coordinator = _in_english(coordinator)
    with clock.frozen(datetime(2026, 11, 14, tzinfo=UTC)):
        services.schedule_report(
            actor=coordinator, name="Maand", frequency="monthly", filters={}, file_format=ReportFormat.PDF
        )
    assert services.run_due_reports(now=datetime(2026, 12, 1, 6, 10, tzinfo=UTC)) == 1
    run = ReportRun.objects.get()
    assert run.status == RunStatus.DONE
    with run.file.open("rb") as fh:
        text = _pdf_text(fh.read())
    assert SECTION in text
    assert "1 of 2 measured checks met their availability norm." in text


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
