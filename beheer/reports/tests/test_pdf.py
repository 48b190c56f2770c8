"""The management report as a PDF: content, language, escaping, permissions, bad input, schedules."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from pypdf import PdfReader
from reportlab.graphics.shapes import Group, String

from beheer.accounts.models import OperatorGroup, Role, User
from beheer.core import clock
from beheer.core.errors import DomainError
from beheer.reports import availability, charts, pdf, services
from beheer.reports.models import ReportFormat, ReportRun, RunStatus, ScheduledReport
from beheer.servicedesk import services as desk
from beheer.servicedesk.models import Category, EntryType
from tests.helpers import client_for as _client_for
from tests.helpers import make_person

from .test_kpis import Month, at, build_month, set_sla_outcomes

AMS = ZoneInfo("Europe/Amsterdam")
UI = "/reports/monthly.pdf"
API = "/api/v1/reports/monthly.pdf"
OCTOBER: dict[str, Any] = {"month": "2026-10"}


def client_for(user: User, language: str = "en") -> Client:
    User.objects.filter(pk=user.pk).update(language=language)
    user.refresh_from_db()
    return _client_for(user)


@pytest.fixture
def month(
    operator: User, specialist: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup
) -> Month:
    return build_month(operator, specialist, caller, first_line, second_line)


def _text(content: bytes) -> str:
    """All text of the PDF, pages joined; whitespace runs folded to one space."""
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


# --------------------------------------------------------------------------------------------------
# the download, its content and its language


def test_pdf_from_the_page_and_the_api_in_english(month: Month, coordinator: User) -> None:
    c = client_for(coordinator)
    for url in (UI, API):
        r = c.get(url, OCTOBER)
        assert r.status_code == 200, url
        assert r["Content-Type"] == "application/pdf"
        assert r["Content-Disposition"] == 'attachment; filename="report-20261001-20261031.pdf"'
        assert r["X-Content-Type-Options"] == "nosniff"
        text = _text(r.content)
        assert "Management report October 2026" in text
        assert "Period: 1 October 2026 – 31 October 2026" in text
        assert "Key figures" in text
        # the KPI figures of the October data set (see test_kpis)
        assert "Registered 7 in the period" in text
        assert "Resolved 6 in the period" in text
        assert "Open 3 at the end (2 at the start)" in text
        assert "First-contact resolution 50.0 % 3 of 6" in text
        assert "Time spent 1 h 15 min registered in the period" in text  # 75 minutes
        assert "Satisfaction – no ratings in this period" in text
        # the group table and the bar chart's labels
        assert "Servicedesk 6 0 5 1 3" in text
        assert text.count("Systeembeheer") >= 2  # chart label and table row
        # the charts' legends came through svglib
        assert "Inflow" in text
        assert "Outflow" in text
        assert "Open at end of week" in text
        pages = _pages(r.content)
        assert pages >= 3
        assert f"Page 1 of {pages}" in text
        assert f"Page {pages} of {pages}" in text
        assert "Generated " in text
        assert "Dates are local dates in Europe/Amsterdam." in text


def test_pdf_in_dutch_for_a_dutch_user(month: Month, coordinator: User) -> None:
    c = client_for(coordinator, "nl")
    for url in (UI, API):
        r = c.get(url, OCTOBER)
        assert r.status_code == 200, url
        text = _text(r.content)
        assert "Managementrapportage oktober 2026" in text
        assert "Periode: 1 oktober 2026 – 31 oktober 2026" in text
        assert "Kerncijfers" in text
        assert "Geregistreerd 7 in de periode" in text
        assert "Afgemeld 6 in de periode" in text
        assert "50,0 %" in text  # Dutch decimal comma, as on the page
        assert "Key figures" not in text
        assert "Management report" not in text
    metadata = PdfReader(io.BytesIO(r.content)).metadata
    assert metadata is not None
    assert metadata.title == "Managementrapportage oktober 2026"


def test_generated_moment_is_printed(month: Month, coordinator: User) -> None:
    with clock.frozen(datetime(2026, 11, 3, 8, 15, tzinfo=AMS)):
        r = client_for(coordinator).get(UI, OCTOBER)
    assert "Generated 3 November 2026 08:15." in _text(r.content)


def test_period_other_than_a_month_and_default_month(month: Month, coordinator: User) -> None:
    c = client_for(coordinator)
    r = c.get(API, {"date_from": "2026-10-01", "date_to": "2026-10-06"})
    assert r.status_code == 200
    assert r["Content-Disposition"] == 'attachment; filename="report-20261001-20261006.pdf"'
    text = _text(r.content)
    assert "Management report Period: 1 October 2026 – 6 October 2026" in text
    assert "October 2026 Period" not in text
    # no period at all: last month, like the printable page
    with clock.frozen(datetime(2026, 11, 14, 12, tzinfo=AMS)):
        r = c.get(UI)
    assert r.status_code == 200
    assert "Management report October 2026" in _text(r.content)


def test_filters_are_applied_and_named(month: Month, coordinator: User) -> None:
    r = client_for(coordinator).get(API, {**OCTOBER, "operator_group": month.first_line.pk})
    assert r.status_code == 200
    text = _text(r.content)
    assert "Period: 1 October 2026 – 31 October 2026 · Servicedesk" in text
    assert "Registered 6 in the period" in text


def test_text_is_escaped_not_read_as_markup(db: Any, coordinator: User, operator: User, caller: User) -> None:
    category = Category.objects.create(name="<b>R&D</b> <para x", name_en="<b>R&D</b> <para x")
    group = OperatorGroup.objects.create(name="Net & <i>werk</i> <font", is_first_line=True)
    group.members.add(operator)
    with clock.frozen(at(10, 2, 9)):
        desk.open_melding(
            actor=operator,
            brief_description="x",
            entry_type=EntryType.PHONE,
            caller=caller,
            operator_group=group,
            category=category,
        )
    r = client_for(coordinator).get(UI, {**OCTOBER, "category": category.pk})
    assert r.status_code == 200
    text = _text(r.content)
    assert "· <b>R&D</b> <para x" in text  # the filter label in the header, literally
    assert "Net & <i>werk</i> <font 1" in text  # the group table row
    assert "Registered 1 in the period" in text


def test_empty_period_still_gives_a_pdf(db: Any, coordinator: User) -> None:
    r = client_for(coordinator).get(API, {"month": "2025-02"})
    assert r.status_code == 200
    text = _text(r.content)
    assert "Management report February 2025" in text
    assert "No calls in this period." in text
    assert "Registered 0 in the period" in text


def test_long_period_and_many_groups_fit_the_pages(
    db: Any, coordinator: User, operator: User, caller: User
) -> None:
    for n in range(40):
        group = OperatorGroup.objects.create(
            name=f"Groep {n:02d} met een heel erg lange naam voor de tabel", is_first_line=True
        )
        group.members.add(operator)
        with clock.frozen(at(10, 2, 9)):
            desk.open_melding(
                actor=operator,
                brief_description="x",
                entry_type=EntryType.PHONE,
                caller=caller,
                operator_group=group,
            )
    r = client_for(coordinator).get(API, {"date_from": "2024-01-01", "date_to": "2026-12-31"})
    assert r.status_code == 200
    text = _text(r.content)
    assert "Groep 39 met een heel erg lange naam" in text
    assert "Registered 40 in the period" in text
    assert _pages(r.content) >= 5


# --------------------------------------------------------------------------------------------------
# layout: the OLA table, headers that wrap between words, a full first page, the SLA pair


def _ola_month(operator: User, caller: User, first_line: OperatorGroup, second_line: OperatorGroup) -> None:
    """An OLA of 60 minutes for the servicedesk: one stint of 30 minutes (met), one of two hours."""
    from beheer.calendars.models import BusinessCalendar
    from beheer.servicedesk.models import Melding, OlaTarget

    from .test_kpis import _open, _resolve

    OlaTarget.objects.create(
        operator_group=first_line, minutes=60, calendar=BusinessCalendar.objects.get(always_open=True)
    )
    quick = _open(operator, caller, first_line, at(10, 6, 9))
    _resolve(quick, operator, at(10, 6, 9, 30))
    slow = _open(operator, caller, first_line, at(10, 7, 9))
    with clock.frozen(at(10, 7, 11)):
        desk.escalate_melding(
            Melding.objects.get(pk=slow.pk),
            to_group=second_line,
            reason="x",
            actor=operator,
            expected_version=None,
        )


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_ola_table_is_in_the_pdf(
    coordinator: User,
    operator: User,
    caller: User,
    first_line: OperatorGroup,
    second_line: OperatorGroup,
    language: str,
) -> None:
    _ola_month(operator, caller, first_line, second_line)
    text = _text(client_for(coordinator, language).get(API, OCTOBER).content)
    with translation.override(language):
        heading = translation.gettext("OLA per operator group")
        header = " ".join(
            translation.gettext(h)
            for h in (
                "Operator group",
                "Decided",
                "Met",
                "Breached",
                "Met %",
                "Average time with the group (business hours)",
            )
        )
    # two stints decided, one met, one breached, 50 %, on average 75 minutes with the group
    row = "Servicedesk 2 1 1 50.0 1 h 15 min" if language == "en" else "Servicedesk 2 1 1 50,0 1 u 15 min"
    assert f"{heading} {header} {row}" in text


@pytest.mark.parametrize("language", ["en", "nl"])
def test_table_headers_wrap_between_words(
    month: Month, coordinator: User, operator: User, caller: User, second_line: OperatorGroup, language: str
) -> None:
    """Narrow columns with long (Dutch) words: every header word is printed whole, never broken."""
    _ola_month(operator, caller, month.first_line, second_line)
    text = _text(client_for(coordinator, language).get(API, OCTOBER).content)
    tables = {
        "groups": (
            "Operator group",
            "Registered",
            "Escalated",
            "Resolved",
            "Reopened",
            "Open at the end",
            "Resolution within SLA",
            "Time spent",
        ),
        "ola": (
            "Operator group",
            "Decided",
            "Met",
            "Breached",
            "Met %",
            "Average time with the group (business hours)",
        ),
        "weeks": ("Week", "Inflow", "Outflow", "Open"),
    }
    with translation.override(language):
        for name, heads in tables.items():
            header = " ".join(translation.gettext(h) for h in heads)
            assert header in text, name  # a word broken over two lines would read "Geëscal eerd"
    # and at the level of the table itself: each header cell's lines hold whole words only
    with translation.override(language):
        table = pdf._table([translation.gettext(h) for h in tables["groups"]], [], widths=None)
        table.wrap(pdf.FRAME_WIDTH, pdf.FRAME_HEIGHT)
        for cell in table._cellvalues[0]:
            para = cell[0] if isinstance(cell, tuple) else cell
            words = [w for line in para.blPara.lines for w in _line_words(line)]
            assert words == para.text.split(), para.text


def _line_words(line: Any) -> list[str]:
    return [str(w) for w in (line[1] if isinstance(line, tuple) else line.words)]


def _text_heights(content: bytes) -> list[tuple[float, float]]:
    """Per page: (its height, the lowest baseline of its body text above the footer)."""
    out = []
    for page in PdfReader(io.BytesIO(content)).pages:
        height = float(page.mediabox.height)
        ys: list[float] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any, ys: list[float] = ys) -> None:
            y = tm[5] * cm[3] + cm[5] if cm else tm[5]
            if text.strip() and y > 25 * 2.835:  # above the footer (15 mm margin + 9 mm footer)
                ys.append(y)

        page.extract_text(visitor_text=visit)
        out.append((height, min(ys)))
    return out


def test_the_first_page_is_not_mostly_blank(month: Month, coordinator: User) -> None:
    content = client_for(coordinator).get(API, OCTOBER).content
    pages = _text_heights(content)
    height, lowest = pages[0]
    assert lowest < 0.25 * height  # text runs into the bottom quarter of page 1
    first = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "Key figures" in first
    assert "Backlog, inflow and outflow" in first  # the next part starts on page 1, not on page 2
    for height, lowest in pages[:-1]:  # no page is left half empty before the last one
        assert lowest < 0.5 * height


def test_many_groups_do_not_leave_pages_blank(
    db: Any, coordinator: User, operator: User, caller: User
) -> None:
    for n in range(40):
        group = OperatorGroup.objects.create(name=f"Groep {n:02d} met een lange naam", is_first_line=True)
        group.members.add(operator)
        with clock.frozen(at(10, 2, 9)):
            desk.open_melding(
                actor=operator,
                brief_description="x",
                entry_type=EntryType.PHONE,
                caller=caller,
                operator_group=group,
            )
    content = client_for(coordinator).get(API, {"date_from": "2026-08-01", "date_to": "2026-10-31"}).content
    pages = _text_heights(content)
    for height, lowest in pages[:-1]:
        assert lowest < 0.5 * height
    assert "Groep 39 met een lange naam" in _text(content)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_sla_percentage_sits_next_to_the_open_calls_past_their_target(
    month: Month, coordinator: User, language: str
) -> None:
    set_sla_outcomes(month)
    text = _text(client_for(coordinator, language).get(API, OCTOBER).content)
    with translation.override(language):
        gettext = translation.gettext
        expected = " ".join(
            [
                gettext("Resolution within SLA"),
                "60.0 %" if language == "en" else "60,0 %",
                gettext("%(n)s of %(d)s resolved calls; open calls are not counted") % {"n": 3, "d": 5},
                gettext("Open past target"),
                "2",
                gettext("open at the end of the period and past their resolution target"),
            ]
        )
    assert expected in text


# --------------------------------------------------------------------------------------------------
# permissions and bad input


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CALLER])
def test_others_are_refused(db: Any, role: str) -> None:
    c = client_for(make_person(role))
    assert c.get(UI, OCTOBER).status_code == 403
    r = c.get(API, OCTOBER)
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"


def test_pdf_adds_no_queries_to_the_report(month: Month, coordinator: User) -> None:
    """The PDF costs the report's queries plus the availability report's, nothing more."""
    c = client_for(coordinator)
    with CaptureQueriesContext(connection) as kpi_queries:
        assert (
            c.get("/api/v1/reports/kpis", {"date_from": "2026-10-01", "date_to": "2026-10-31"}).status_code
            == 200
        )
    with CaptureQueriesContext(connection) as availability_queries:
        availability.compute(coordinator, date(2026, 10, 1), date(2026, 10, 31))
    with CaptureQueriesContext(connection) as pdf_queries:
        assert c.get(API, OCTOBER).status_code == 200
    assert len(pdf_queries) == len(kpi_queries) + len(availability_queries)


def test_anonymous_and_administrator(db: Any) -> None:
    assert Client().get(UI, OCTOBER).status_code == 302
    assert Client().get(API, OCTOBER).status_code == 401
    assert "/api/v1/reports/monthly.pdf" in Client().get("/api/v1/openapi.json").json()["paths"]
    r = client_for(make_person(Role.ADMIN)).get(API, OCTOBER)
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "x"}, "month"),
        ({"month": "1999-12"}, "month"),
        ({"month": "2026-10", "date_from": "2026-10-01"}, "month"),
        ({"date_from": "2026-10-01"}, "date_to"),
        ({"date_from": "x", "date_to": "2026-10-31"}, "date_from"),
        ({"date_from": "2026-10-31", "date_to": "2026-10-01"}, "date_to"),
        ({"date_from": "2020-01-01", "date_to": "2026-10-01"}, "date_to"),
        ({"month": "2026-10", "category": "abc"}, "category"),
        ({"month": "2026-10", "priority": "0"}, "priority"),
    ],
)
def test_bad_parameters_are_refused(db: Any, coordinator: User, params: dict[str, str], field: str) -> None:
    c = client_for(coordinator)
    r = c.get(API, params)
    assert r.status_code == 400
    assert field in r.json()["fields"]
    r = c.get(UI, params)
    assert r.status_code == 400
    assert r["Content-Type"].startswith("text/plain")


def test_monthly_filter() -> None:
    today = date(2026, 1, 15)
    f = pdf.monthly_filter({}, today=today)
    assert (f.date_from, f.date_to) == (date(2025, 12, 1), date(2025, 12, 31))
    f = pdf.monthly_filter({"month": "2028-02", "department": "4"}, today=today)
    assert (f.date_from, f.date_to, f.department) == (date(2028, 2, 1), date(2028, 2, 29), 4)
    with pytest.raises(DomainError) as exc:
        pdf.monthly_filter({"month": "2026-10", "date_to": "2026-10-31"}, today=today)
    assert "month" in exc.value.field_errors
    with translation.override("en"):
        assert pdf.report_title(date(2026, 2, 1), date(2026, 2, 28)) == "Management report February 2026"
        assert pdf.report_title(date(2026, 2, 1), date(2026, 2, 27)) == "Management report"
    with translation.override("nl"):
        assert pdf.report_title(date(2026, 2, 1), date(2026, 2, 28)) == "Managementrapportage februari 2026"


# --------------------------------------------------------------------------------------------------
# charts and buttons


def _strings(group: Any) -> list[String]:
    out: list[String] = []
    for item in getattr(group, "contents", []):
        if isinstance(item, String):
            out.append(item)
        elif isinstance(item, Group):
            out += _strings(item)
    return out


def test_svg_charts_become_drawings_with_the_standard_font() -> None:
    svg = charts.bar_chart(title="t", items=[("A <b> & B", 3), ("Tweede", 5)])
    drawing = pdf.svg_drawing(svg)
    texts = {s.text: s.fontName for s in _strings(drawing)}
    assert texts["A <b> & B"] == "Helvetica"  # unescaped once by the SVG parser, drawn as text
    assert texts["5"] == "Helvetica"
    assert drawing.width <= pdf.FRAME_WIDTH
    # the charts' "system-ui" font is pinned to Helvetica: no lookup through the system's fontconfig
    assert pdf._FONTS.find_font("system-ui") == ("Helvetica", True)
    tall = pdf.svg_drawing(
        charts.bar_chart(title="t", items=[(str(n), n) for n in range(80)]), max_height=300
    )
    assert tall.height <= 300


def test_pdf_buttons_on_the_report_pages(month: Month, coordinator: User) -> None:
    c = client_for(coordinator)
    body = c.get(
        "/reports/", {"preset": "custom", "date_from": "2026-10-01", "date_to": "2026-10-31"}
    ).content
    assert b'href="/reports/monthly.pdf?date_from=2026-10-01&amp;date_to=2026-10-31"' in body
    r = c.get("/reports/monthly/", OCTOBER)
    assert b'href="/reports/monthly.pdf?date_from=2026-10-01&amp;date_to=2026-10-31"' in r.content
    assert b"<h1>Management report October 2026</h1>" in r.content
    # the monthly page takes a period too, like its PDF
    r = c.get("/reports/monthly/", {"date_from": "2026-10-01", "date_to": "2026-10-06"})
    assert r.status_code == 200
    assert b"<h1>Management report</h1>" in r.content


# --------------------------------------------------------------------------------------------------
# scheduled reports as PDF


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_scheduled_pdf_run_and_download(month: Month, coordinator: User, media: None) -> None:
    User.objects.filter(pk=coordinator.pk).update(language="nl")
    coordinator.refresh_from_db()
    with clock.frozen(datetime(2026, 10, 14, tzinfo=AMS)):
        s = services.schedule_report(
            actor=coordinator, name="Maand", frequency="monthly", filters={}, file_format=ReportFormat.PDF
        )
    assert s.file_format == "pdf"
    assert services.run_due_reports(now=datetime(2026, 11, 1, 6, 10, tzinfo=AMS)) == 1
    run = ReportRun.objects.get()
    assert run.status == RunStatus.DONE
    assert run.file_format == "pdf"
    assert str(run.file.name).endswith(".pdf")
    assert run.filename == "report-20261001-20261031.pdf"
    c = _client_for(coordinator)
    r = c.get(f"/reports/runs/{run.pk}/download/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert 'filename="report-20261001-20261031.pdf"' in r["Content-Disposition"]
    text = _text(b"".join(r.streaming_content))  # type: ignore[attr-defined]
    assert "Managementrapportage oktober 2026" in text  # the owner's language
    assert "Geregistreerd 7 in de periode" in text
    assert "1 november 2026 06:10" in text  # the moment of the run, in the owner's language
    # another coordinator cannot fetch it
    other = client_for(make_person(Role.COORDINATOR))
    assert other.get(f"/reports/runs/{run.pk}/download/").status_code == 404


def test_schedule_form_takes_the_format(month: Month, coordinator: User) -> None:
    c = client_for(coordinator)
    page = c.get("/reports/schedules/").content.decode()
    assert 'name="file_format"' in page
    assert (
        c.post(
            "/reports/schedules/", {"name": "PDF", "frequency": "weekly", "file_format": "pdf"}
        ).status_code
        == 302
    )
    assert c.post("/reports/schedules/", {"name": "Excel", "frequency": "weekly"}).status_code == 302
    r = c.post("/reports/schedules/", {"name": "Word", "frequency": "weekly", "file_format": "docx"})
    assert r.status_code == 200
    assert "file_format" in r.context["form"].errors
    assert dict(ScheduledReport.objects.values_list("name", "file_format")) == {"PDF": "pdf", "Excel": "xlsx"}
    assert "<td>PDF</td>" in c.get("/reports/schedules/").content.decode()


def test_schedule_service_refuses_unknown_format(db: Any, coordinator: User) -> None:
    with pytest.raises(DomainError) as exc:
        services.schedule_report(
            actor=coordinator, name="x", frequency="weekly", filters={}, file_format="doc"
        )
    assert "file_format" in exc.value.field_errors
    assert not ScheduledReport.objects.exists()
