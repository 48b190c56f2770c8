"""CSV and XLSX of the management report and XLSX of any filtered melding list.

XLSX files are written with openpyxl's write-only mode into a temporary file and streamed from there:
memory stays constant whatever the number of rows. Text cells lose their control characters (stored
text may hold them; XLSX refuses them), and those that a spreadsheet would read as a formula (= + - @
and tab/CR at the start) get a leading apostrophe, as in the CSV export.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from beheer.core.csv_export import BOM, CONTENT_TYPE, CsvFormat, csv_format, neutralise
from beheer.core.pagination import SortKey
from beheer.core.text import clean_line
from beheer.servicedesk import exports as melding_exports
from beheer.servicedesk.models import MeldingQuerySet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Section = tuple[str, list[str], list[list[Any]]]


def safe(value: Any) -> Any:
    """Numbers stay numbers; everything else becomes neutralised text."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (int, float)):
        return value
    return neutralise(value)


def _pct(r: dict[str, Any]) -> Any:
    return "" if r.get("percent") is None else r["percent"]


def _day(iso: str) -> date:
    return date.fromisoformat(iso)


def sections(data: dict[str, Any], *, fmt: CsvFormat | None = None) -> list[Section]:
    """The report as titled tables: (title, header, rows). Dates are `date` values (the writer
    formats them); the period is text, in `fmt`'s date format when given (ISO otherwise)."""
    period = data["period"]
    day = fmt.cell if fmt is not None else (lambda value: value.isoformat())
    rt = data["resolution_time"]
    labels = data.get("filter_labels", {})
    filters = ", ".join(f"{k}: {v}" for k, v in labels.items()) or _("none")
    ratio_rows = [
        (_("First-contact resolution (%)"), data["first_contact_resolution"]),
        (_("First-line resolution rate (%)"), data["first_line_resolution"]),
        (_("Reopen rate (%)"), data["reopen_rate"]),
        (_("Escalation rate (%)"), data["escalation_rate"]),
        (_("Response within SLA (%)"), data["sla"]["response"]),
        (_("Resolution within SLA (%)"), data["sla"]["resolution"]),
    ]
    breached = data["sla"].get("open_breached", {}).get("count")
    summary: list[list[Any]] = [
        [_("Period"), f"{day(_day(period['date_from']))} – {day(_day(period['date_to']))}", "", ""],
        [_("Filters"), filters, "", ""],
        [_("Registered"), data["volume"]["registered"], "", ""],
        [_("Resolved"), data["resolved"], "", ""],
        *[[label, _pct(r), r["numerator"], r["denominator"]] for label, r in ratio_rows],
        [_("Open calls past their resolution target at the end"), breached, "", ""],
        [_("Resolution time, business hours, mean"), rt["business_hours"]["mean"], "", rt["count"]],
        [_("Resolution time, business hours, median"), rt["business_hours"]["median"], "", rt["count"]],
        [_("Resolution time, wall-clock hours, mean"), rt["wall_clock_hours"]["mean"], "", rt["count"]],
        [_("Resolution time, wall-clock hours, median"), rt["wall_clock_hours"]["median"], "", rt["count"]],
        [_("Open at the start"), data["backlog"]["at_start"], "", ""],
        [_("Open at the end"), data["backlog"]["at_end"], "", ""],
        [_("Time spent (minutes)"), data["time_spent"]["total_minutes"], "", ""],
        [
            _("Satisfaction (average of 5)"),
            data["satisfaction"]["average"] if data["satisfaction"]["measured"] else _("no ratings"),
            data["satisfaction"]["rated"],
            data["satisfaction"]["confirmed"],
        ],
    ]
    groups = [
        [
            g["name"],
            g["registered"],
            g["escalated"],
            g["resolved"],
            g["reopened"],
            g["open_at_end"],
            _pct(g["sla_resolution"]),
            g["minutes"],
        ]
        for g in data["groups"]
    ]
    return [
        (_("Summary"), [_("Figure"), _("Value"), _("Count"), _("Out of")], summary),
        (
            _("Operator groups"),
            [
                _("Operator group"),
                _("Registered"),
                _("Escalated"),
                _("Resolved"),
                _("Reopened"),
                _("Open at the end"),
                _("Resolution within SLA (%)"),
                _("Time spent (minutes)"),
            ],
            groups,
        ),
        (
            _("OLA"),
            [
                _("Operator group"),
                _("Decided"),
                _("Met"),
                _("Breached"),
                _("Met %"),
                _("Average time with the group (business minutes)"),
            ],
            [
                [r["name"], r["total"], r["met"], r["breached"], r["met_percent"], r["average_minutes"]]
                for r in data["ola"]
            ],
        ),
        (
            _("Backlog"),
            [
                _("Date"),
                _("Open at the end of the day") if data["backlog"]["granularity"] == "day" else _("Open"),
            ],
            [[_day(p["date"]), p["open"]] for p in data["backlog"]["points"]],
        ),
        (
            _("Inflow and outflow"),
            [_("Week (Monday)"), _("Inflow"), _("Outflow"), _("Open at the end")],
            [
                [_day(w["week"]), w["inflow"], w["outflow"], w["open_at_end"]]
                for w in data["backlog"]["flow_per_week"]
            ],
        ),
        (
            _("Volume"),
            [_("Kind"), _("Value"), _("Registered")],
            [[_("Entry type"), r["label"], r["count"]] for r in data["volume"]["by_entry_type"]]
            + [[_("Call type"), r["label"], r["count"]] for r in data["volume"]["by_call_type"]]
            + [[_("Month"), r["month"], r["count"]] for r in data["volume"]["per_month"]],
        ),
        (
            _("Time spent"),
            [_("Kind"), _("Value"), _("Minutes")],
            [[_("Line"), r["label"], r["minutes"]] for r in data["time_spent"]["by_line"]]
            + [
                [_("Operator group"), r["label"] or _("(no group)"), r["minutes"]]
                for r in data["time_spent"]["by_group"]
            ],
        ),
    ]


def _filename(data: dict[str, Any], ext: str) -> str:
    p = data["period"]
    return f"report-{p['date_from'].replace('-', '')}-{p['date_to'].replace('-', '')}.{ext}"


def csv_sections(sections: Sequence[Section], fmt: CsvFormat | None = None) -> Iterator[str]:
    """Titled tables as one CSV in the reader's locale (`core.csv_export`): a blank line between
    tables, text neutralised, numbers and dates in the reader's format."""
    fmt = fmt or csv_format()  # read now: a streamed body is written after the view returned

    def stream(fmt: CsvFormat) -> Iterator[str]:
        yield BOM
        for n, (title, header, rows) in enumerate(sections):
            if n:
                yield fmt.line([])
            yield fmt.line([title], neutralise)
            yield fmt.line(header, neutralise)
            for row in rows:
                yield fmt.line(row, neutralise)

    return stream(fmt)


def report_csv(data: dict[str, Any]) -> StreamingHttpResponse:
    fmt = csv_format()
    response = StreamingHttpResponse(csv_sections(sections(data, fmt=fmt), fmt), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(data, "csv")}"'
    return response


def _sheet_title(title: str) -> str:
    # Excel refuses []:*?/\ in sheet names and more than 31 characters.
    return "".join(c for c in clean_line(title) if c not in "[]:*?/\\")[:31] or "Sheet"


def write_workbook(
    out: IO[bytes], sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
) -> None:
    wb = Workbook(write_only=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(_sheet_title(title))
        ws.append([safe(h) for h in header])
        for row in rows:
            ws.append([safe(c) for c in row])
    wb.save(out)


def report_xlsx_file(data: dict[str, Any], out: IO[bytes]) -> None:
    write_workbook(out, sections(data))


def _file_response(tmp: IO[bytes], filename: str) -> FileResponse:
    tmp.seek(0)
    response = FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def report_xlsx(data: dict[str, Any]) -> FileResponse:
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    report_xlsx_file(data, tmp)
    return _file_response(tmp, _filename(data, "xlsx"))


def meldingen_xlsx(qs: MeldingQuerySet, order: Sequence[SortKey]) -> FileResponse:
    """Every melding of the (already permission-filtered) list, fetched in keyset batches; no cap."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_workbook(tmp, [(_("Calls"), melding_exports.header(), melding_exports.rows(qs, order))])
    return _file_response(tmp, f"meldingen-{timezone.localdate():%Y%m%d}.xlsx")
