"""The breach register as files: the (filtered, visible) breaches with the AVG's facts and their
reports, as CSV in the reader's locale (`core.csv_export`: moments as local time in the language's
short format; streamed, read in keyset batches) and as XLSX (written to a temporary file row by
row, then streamed). Text cells are neutralised against formulas."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.core.csv_export import BOM, CONTENT_TYPE, csv_format, neutralise
from beheer.core.pagination import SortKey, keyset_page

from ..models import IncidentReport, ReportKind

BATCH = 500
ORDER = (SortKey("aware_at", descending=True), SortKey("id", descending=True))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header() -> list[str]:
    return [
        _("Number"),
        _("Call"),
        _("Short description"),
        _("Aware since"),
        _("Status"),
        _("Nature of the breach"),
        _("Categories of personal data"),
        _("Categories of people concerned"),
        _("Approximate number of people"),
        _("Approximate number of records"),
        _("Likely consequences"),
        _("Measures taken or proposed"),
        _("Contact"),
        _("Unlikely to pose a risk"),
        _("Why it is unlikely to pose a risk"),
        _("High risk to the people concerned"),
        _("Reported to the AP"),
        _("AP reference"),
        _("People concerned told"),
    ]


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def rows(queryset: Any) -> Iterator[list[Any]]:
    queryset = queryset.select_related("melding")
    cursor: str | None = None
    while True:
        page = keyset_page(queryset, ORDER, cursor=cursor, size=BATCH)
        reports: dict[tuple[int, str], IncidentReport] = {}
        for r in IncidentReport.objects.filter(
            incident__in=[i.pk for i in page.items], kind__in=[ReportKind.AP_REPORT, ReportKind.PEOPLE_NOTICE]
        ):
            reports[(r.incident_id, r.kind)] = r
        for i in page.items:
            ap = reports.get((i.pk, ReportKind.AP_REPORT))
            people = reports.get((i.pk, ReportKind.PEOPLE_NOTICE))
            yield [
                i.number,
                i.melding.number,
                i.title,
                i.aware_at,
                i.get_status_display(),
                i.nature,
                i.data_categories,
                i.people_categories,
                i.people_count,
                i.records_count,
                i.consequences,
                i.measures,
                i.contact,
                _yes(i.unlikely_risk),
                i.unlikely_risk_reason,
                _yes(i.high_risk),
                ap.made_at if ap else "",
                ap.reference if ap else "",
                people.made_at if people else "",
            ]
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    if getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def breaches_csv(queryset: Any) -> StreamingHttpResponse:
    fmt = csv_format()  # read now: the body is written after the view returned
    head = header()

    def stream() -> Iterator[str]:
        yield BOM + fmt.line(head, neutralise)
        for row in rows(queryset):
            yield fmt.line(row, neutralise)  # moments in local time, the language's format

    response = StreamingHttpResponse(stream(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="breach-register-{timezone.localdate():%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _write_xlsx(out: IO[bytes], head: list[str], body: Iterable[list[Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Breach register")[:31])
    sheet.append([_cell(h) for h in head])
    for row in body:
        sheet.append([_cell(v) for v in row])
    workbook.save(out)


def breaches_xlsx(queryset: Any) -> FileResponse:
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    _write_xlsx(tmp, header(), rows(queryset))
    tmp.seek(0)
    filename = f"breach-register-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
