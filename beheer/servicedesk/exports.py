"""Streamed exports of melding lists: no row cap, constant memory."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.core.pagination import SortKey, keyset_page
from beheer.core.text import printable

from .models import Melding, MeldingQuerySet

BATCH = 2000


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    # Control characters out (old rows may hold them; XLSX refuses them), then neutralise
    # spreadsheet formulas (CSV injection).
    text = "" if value is None else printable(str(value))
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _when(value: object) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""  # type: ignore[arg-type]


def header() -> list[str]:
    return [
        _("Number"),
        _("Brief description"),
        _("Status"),
        _("Priority"),
        _("Line"),
        _("Operator group"),
        _("Operator"),
        _("Caller"),
        _("Category"),
        _("Call type"),
        _("Entry type"),
        _("Registered"),
        _("Target date"),
        _("Resolved"),
        _("Closed"),
    ]


def row(m: Melding) -> list[str]:
    return [
        m.number,
        m.brief_description,
        str(m.status),
        str(m.priority),
        m.get_line_display(),
        str(m.operator_group or ""),
        str(m.operator or ""),
        m.caller_display,
        str(m.category or ""),
        str(m.call_type),
        m.get_entry_type_display(),
        _when(m.created_at),
        _when(m.target_date),
        _when(m.resolved_at),
        _when(m.closed_at),
    ]


def rows(qs: MeldingQuerySet, order: Sequence[SortKey]) -> Iterator[list[str]]:
    """Every row of the (already permission-filtered) queryset, fetched in keyset batches."""
    qs = qs.select_related(
        "status", "priority", "operator_group", "operator", "caller", "category", "call_type"
    )
    cursor: str | None = None
    while True:
        page = keyset_page(qs, order, cursor=cursor, size=BATCH)
        for m in page.items:
            yield row(m)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def csv_response(qs: MeldingQuerySet, order: Sequence[SortKey]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";")

    def stream() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([_cell(c) for c in header()])
        for r in rows(qs, order):
            yield writer.writerow([_cell(c) for c in r])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meldingen-{timezone.localdate():%Y%m%d}.csv"'
    return response
