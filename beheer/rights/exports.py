"""The register as files: the (filtered, visible) rights list and a campaign's report, as CSV in
the reader's locale (`core.csv_export`, streamed, read in keyset batches) and as XLSX. Text cells are
neutralised against formulas; dates stay dates."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.core.csv_export import BOM, CONTENT_TYPE, csv_format, neutralise
from beheer.core.pagination import SortKey, keyset_page

from .queries import SELECTED

BATCH = 2000
ORDER = (SortKey("id", descending=True),)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rights_header() -> list[str]:
    return [
        _("Number"),
        _("Person"),
        _("User name"),
        _("Application or service"),
        _("Right"),
        _("Status"),
        _("Call"),
        _("Reference"),
        _("Requested"),
        _("Approved or rejected"),
        _("Granted"),
        _("Valid until"),
        _("Revoked or expired"),
    ]


def rights_rows(queryset: Any) -> Iterator[list[Any]]:
    queryset = queryset.select_related(*SELECTED)
    cursor: str | None = None
    while True:
        page = keyset_page(queryset, ORDER, cursor=cursor, size=BATCH)
        for r in page.items:
            yield [
                r.pk,
                str(r.person),
                r.person.username,
                r.ci.name,
                r.right,
                r.get_status_display(),
                f"M{r.melding_id:07d}" if r.melding_id else "",
                r.reference,
                r.requested_at,
                r.decided_at,
                r.granted_at,
                r.valid_until,
                r.ended_at,
            ]
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def report_header() -> list[str]:
    return [
        _("Application or service"),
        _("Reviewer"),
        _("Confirmed"),
        _("Revoked"),
        _("Not reviewed"),
        _("Total"),
    ]


def report_rows(report: dict[str, Any]) -> Iterator[list[Any]]:
    for row in report["rows"]:
        yield [
            row["ci_name"],
            row["reviewer_name"],
            row["confirmed"],
            row["revoked"],
            row["open"],
            row["total"],
        ]
    totals = report["totals"]
    yield [_("Total"), "", totals["confirmed"], totals["revoked"], totals["open"], totals["total"]]


def _csv(head: list[str], rows: Callable[[], Iterable[list[Any]]], name: str) -> StreamingHttpResponse:
    fmt = csv_format()  # read now: the body is written after the view returned

    def stream() -> Iterator[str]:
        yield BOM + fmt.line(head, neutralise)
        for row in rows():
            yield fmt.line(row, neutralise)

    response = StreamingHttpResponse(stream(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.csv"'
    return response


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _write_xlsx(out: IO[bytes], head: list[str], rows: Iterable[list[Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Access rights")[:31])
    sheet.append([_cell(h) for h in head])
    for row in rows:
        sheet.append([_cell(v) for v in row])
    workbook.save(out)


def _xlsx(head: list[str], rows: Iterable[list[Any]], name: str) -> FileResponse:
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    _write_xlsx(tmp, head, rows)
    tmp.seek(0)
    filename = f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def rights_csv(queryset: Any) -> StreamingHttpResponse:
    return _csv(rights_header(), lambda: rights_rows(queryset), "access-rights")


def rights_xlsx(queryset: Any) -> FileResponse:
    return _xlsx(rights_header(), rights_rows(queryset), "access-rights")


def report_csv(report: dict[str, Any], campaign_pk: int) -> StreamingHttpResponse:
    rows = list(report_rows(report))  # now: the body is written after the view returned
    return _csv(report_header(), lambda: rows, f"access-review-{campaign_pk}")


def report_xlsx(report: dict[str, Any], campaign_pk: int) -> FileResponse:
    return _xlsx(report_header(), report_rows(report), f"access-review-{campaign_pk}")
