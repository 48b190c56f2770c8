"""A list as a downloaded table: streamed CSV in the reader's locale (`csv_export`) or XLSX, read in
keyset batches so a list of any length takes constant memory.

- `keyset_rows(queryset, order)`: every row of a (visible, filtered) queryset, a batch of `BATCH` per
  query; `each_batch` may read what a batch needs besides (one query per batch, never per row).
- `csv_response(stem, header, rows)` / `xlsx_response(stem, header, rows, sheet=...)`: the file,
  named `<stem>-<yyyymmdd>.<ext>`, as an attachment. Text cells are neutralised against formulas;
  numbers and dates stay typed.
- `response(fmt, ...)`: one of the two by the format a request asked for.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any, Literal

from django.db import models
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from .csv_export import BOM, CONTENT_TYPE, csv_format, neutralise
from .pagination import SortKey, keyset_page

BATCH = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Literal["csv", "xlsx"]


def keyset_rows(
    queryset: models.QuerySet[Any],
    order: Sequence[SortKey],
    *,
    batch: int = BATCH,
    each_batch: Callable[[list[Any]], None] | None = None,
) -> Iterator[Any]:
    """Every row of `queryset` in the keyset order `order` (which ends in the primary key)."""
    cursor: str | None = None
    while True:
        page = keyset_page(queryset, order, cursor=cursor, size=batch)
        if each_batch is not None and page.items:
            each_batch(page.items)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y%m%d}.{extension}"


def cell(value: Any) -> Any:
    """An XLSX cell: numbers and dates stay typed; text is neutralised."""
    if value is None or (not isinstance(value, str) and not isinstance(value, bool)):
        return value
    return neutralise(value)


def csv_response(stem: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    fmt = csv_format()  # read now: the body is written after the view returned

    def stream() -> Iterator[str]:
        yield BOM + fmt.line(header, neutralise)
        for row in rows:
            yield fmt.line(row, neutralise)

    answer = StreamingHttpResponse(stream(), content_type=CONTENT_TYPE)
    answer["Content-Disposition"] = f'attachment; filename="{filename(stem, "csv")}"'
    return answer


def write_xlsx(out: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    page = workbook.create_sheet(sheet[:31])
    page.append([cell(h) for h in header])
    for row in rows:
        page.append([cell(v) for v in row])
    workbook.save(out)


def xlsx_response(
    stem: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str
) -> FileResponse:
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(tmp, header, rows, sheet=sheet)
    tmp.seek(0)
    answer = FileResponse(tmp, as_attachment=True, filename=filename(stem, "xlsx"), content_type=XLSX)
    answer["X-Content-Type-Options"] = "nosniff"
    return answer


def response(
    fmt: Format, stem: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str
) -> StreamingHttpResponse | FileResponse:
    if fmt == "xlsx":
        return xlsx_response(stem, header, rows, sheet=sheet)
    return csv_response(stem, header, rows)
