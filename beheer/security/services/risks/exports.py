"""The risk register as files: the (filtered, visible) risks as CSV in the reader's locale
(`core.csv_export`, streamed, read in keyset batches) and as XLSX. Text cells are neutralised
against formulas; dates stay dates."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet, prefetch_related_objects
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.core.csv_export import BOM, CONTENT_TYPE, csv_format, neutralise
from beheer.core.pagination import SortKey, keyset_page

from ...models import Band, Risk
from .matrix import current_settings

BATCH = 1000
ORDER = (SortKey("number"), SortKey("id"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header() -> list[str]:
    return [
        _("Number"),
        _("Title"),
        _("Threat"),
        _("Vulnerability"),
        _("Services and CIs"),
        _("Likelihood"),
        _("Impact"),
        _("Inherent risk"),
        _("Inherent level"),
        _("Treatment"),
        _("Treatment plan"),
        _("Controls"),
        _("Residual likelihood"),
        _("Residual impact"),
        _("Residual risk"),
        _("Residual level"),
        _("Owner"),
        _("Review date"),
        _("Status"),
        _("Reason for acceptance"),
        _("Accepted by"),
        _("Accepted"),
    ]


def _band(settings: Any, value: int | None) -> str:
    band = settings.band_of(value)
    return str(Band(band).label) if band else ""


def rows(queryset: QuerySet[Risk]) -> Iterator[list[Any]]:
    """The rows in batches of BATCH (three queries each, however many CIs and controls)."""
    settings = current_settings()
    queryset = queryset.select_related("owner", "accepted_by")
    cursor: str | None = None
    while True:
        page = keyset_page(queryset, ORDER, cursor=cursor, size=BATCH)
        prefetch_related_objects(page.items, "cis", "controls")
        for r in page.items:
            yield [
                r.code,
                r.title,
                r.threat,
                r.vulnerability,
                ", ".join(sorted(ci.name for ci in r.cis.all())),
                r.likelihood,
                r.impact,
                r.inherent_score,
                _band(settings, r.inherent_score),
                r.get_treatment_display(),
                r.treatment_plan,
                ", ".join(c.number for c in sorted(r.controls.all(), key=lambda c: c.sort_key)),
                r.residual_likelihood,
                r.residual_impact,
                r.residual_score,
                _band(settings, r.residual_score),
                str(r.owner) if r.owner else "",
                r.review_date,
                r.get_status_display(),
                r.acceptance_reason,
                str(r.accepted_by) if r.accepted_by else "",
                r.accepted_at,
            ]
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _name(extension: str) -> str:
    return f"risks-{timezone.localdate():%Y%m%d}.{extension}"


def csv_response(queryset: QuerySet[Risk]) -> StreamingHttpResponse:
    fmt = csv_format()  # read now: the body is written after the view returned
    head = header()

    def stream() -> Iterator[str]:
        yield BOM + fmt.line(head, neutralise)
        for row in rows(queryset):
            yield fmt.line(row, neutralise)

    response = StreamingHttpResponse(stream(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_name("csv")}"'
    return response


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    if getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _write_xlsx(out: IO[bytes], head: list[str], lines: Iterable[list[Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Risks")[:31])
    sheet.append([_cell(h) for h in head])
    for line in lines:
        sheet.append([_cell(v) for v in line])
    workbook.save(out)


def xlsx_response(queryset: QuerySet[Risk]) -> FileResponse:
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    _write_xlsx(tmp, header(), rows(queryset))
    tmp.seek(0)
    response = FileResponse(tmp, as_attachment=True, filename=_name("xlsx"), content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return response
