"""Streamed exports of melding lists: no row cap, constant memory; CSV in the reader's locale."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from beheer.core.csv_export import BOM, CONTENT_TYPE, csv_format, neutralise
from beheer.core.pagination import SortKey, keyset_page

from .models import Melding, MeldingQuerySet

BATCH = 2000


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


def _moment(value: Any) -> Any:
    """Moments stay datetimes for the CSV writer, which writes them in the reader's format."""
    return value


def row(m: Melding, when: Callable[[Any], Any] = _when) -> list[Any]:
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
        when(m.created_at),
        when(m.target_date),
        when(m.resolved_at),
        when(m.closed_at),
    ]


def rows(
    qs: MeldingQuerySet, order: Sequence[SortKey], when: Callable[[Any], Any] = _when
) -> Iterator[list[Any]]:
    """Every row of the (already permission-filtered) queryset, fetched in keyset batches."""
    qs = qs.select_related(
        "status", "priority", "operator_group", "operator", "caller", "category", "call_type"
    )
    cursor: str | None = None
    while True:
        page = keyset_page(qs, order, cursor=cursor, size=BATCH)
        for m in page.items:
            yield row(m, when)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def csv_response(qs: MeldingQuerySet, order: Sequence[SortKey]) -> StreamingHttpResponse:
    """The list as CSV in the reader's locale (`core.csv_export`), streamed in keyset batches."""
    fmt = csv_format()  # read now: the body is written after the view returned
    head = header()

    def stream() -> Iterator[str]:
        yield BOM + fmt.line(head, neutralise)
        for r in rows(qs, order, when=_moment):
            yield fmt.line(r, neutralise)

    response = StreamingHttpResponse(stream(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="meldingen-{timezone.localdate():%Y%m%d}.csv"'
    return response
